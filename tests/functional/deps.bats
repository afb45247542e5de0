#!/usr/bin/env bats
# Image dependencies fetched by appc discovery from a real server on loopback: a chain A -> B (by name
# and version) -> C (by imageID), each image signed and verified like any fetched image; rkt 1.30's
# breadth-first order; no image in the store before everything it needs.

load helpers
load fetch-helpers

setup_file() {
	fetch_setup_file
}

teardown_file() {
	fetch_teardown_file
}

setup() {
	rkt_setup
	fetch_setup
	discovery_page "" "https://localhost/{name}-{os}-{arch}.{ext}"
}

teardown() {
	rkt_system_cas gc --grace-period=0s >/dev/null 2>&1 || true
	rkt_teardown
}

# chain PREFIX [C_ID] - publishes PREFIX/c (busybox and /c.txt), PREFIX/b (/b.txt, needing C by its
# imageID, or by C_ID) and PREFIX/a (/a.txt, needing PREFIX/b version 1), and trusts the signer for PREFIX.
chain() {
	local p=$1 dir=$SRV/$1 bb=$RKT_TEST_DIR/bb
	mkdir -p "$bb/bin" "$bb/etc"
	cp /bin/busybox "$bb/bin/busybox"
	for t in sh cat; do ln -sf busybox "$bb/bin/$t"; done
	echo "root:x:0:0:root:/root:/bin/sh" >"$bb/etc/passwd"
	echo "root:x:0:" >"$bb/etc/group"
	publish "$p/c-linux-amd64.aci" "$p/c" --dir "$bb" --file "/c.txt=from c"
	c_id=sha512-$(sha512sum "$dir/c-linux-amd64.aci" | cut -d' ' -f1)
	publish "$p/b-linux-amd64.aci" "$p/b" --label version=1 --file "/b.txt=from b" --dep-id "$p/c=${2:-$c_id}"
	publish "$p/a-linux-amd64.aci" "$p/a" --label version=1 --file "/a.txt=from a" --dep "$p/b,version=1" \
		--exec "/bin/sh -c 'cat /a.txt /b.txt /c.txt'"
	trust_key signer "$p"
}

@test "fetching an image fetches its dependency chain by discovery; a pod of it sees every image's files" {
	require_systemd
	chain localhost/d1
	run rkt fetch localhost/d1/a:1
	assert_status 0
	assert_output_contains "image: searching for app image localhost/d1/b"
	assert_output_contains "image: searching for app image localhost/d1/c"
	assert_output_contains "signature verified for 'localhost/d1/c'"
	[ "$(image_count)" -eq 3 ]
	[ "$(rkt_system_cas image list --format=json | jq -r '[.[].name] | sort | join(" ")')" = \
		"localhost/d1/a:1 localhost/d1/b:1 localhost/d1/c" ]
	for i in a b c; do [ "$(requests "/localhost/d1/$i-linux-amd64.aci" 200)" -eq 1 ]; done
	# C was discovered without a version: it is the latest of its name; A and B were asked for by version.
	jq -e '.latest == true' "$RKT_DATA_DIR/cas/images/$c_id.json"
	[ "$(jq -s '[.[] | select(.latest == true)] | length' "$RKT_DATA_DIR"/cas/images/*.json)" -eq 1 ]
	run rkt_system_cas image render --rootfs-only localhost/d1/a:1 "$RKT_TEST_DIR/r"
	assert_status 0
	[ "$(cat "$RKT_TEST_DIR/r/a.txt" "$RKT_TEST_DIR/r/b.txt" "$RKT_TEST_DIR/r/c.txt")" = "from afrom bfrom c" ]
	run rkt_system_cas run --net=host localhost/d1/a:1
	assert_status 0
	assert_output_contains "from afrom bfrom c"
}

@test "a dependency already in the store is not fetched again" {
	chain localhost/d2
	run rkt fetch localhost/d2/c
	assert_status 0
	: >"$HTTPD_LOG"
	run rkt fetch localhost/d2/a:1
	assert_status 0
	[ "$(image_count)" -eq 3 ]
	[ "$(requests /localhost/d2/c-linux-amd64.aci)" -eq 0 ]
	[ "$(requests /localhost/d2/b-linux-amd64.aci 200)" -eq 1 ]
	# Fetched again, A finds B and C in the store.
	: >"$HTTPD_LOG"
	run rkt fetch --pull-policy=new localhost/d2/a:1
	assert_status 0
	[ "$(jq -s length "$HTTPD_LOG")" -eq 0 ]
}

@test "a dependency that does not hash to its imageID fails the fetch and leaves the store as it was" {
	local wrong
	wrong=sha512-$(printf '0%.0s' {1..128})
	chain localhost/d3 "$wrong"
	# A also needs an image that is fine: fetched first, it must be gone again after the failure.
	publish localhost/d3/ok-linux-amd64.aci localhost/d3/ok --file "/ok.txt=ok"
	publish localhost/d3/a-linux-amd64.aci localhost/d3/a --label version=1 --dep localhost/d3/ok \
		--dep "localhost/d3/b,version=1"
	run rkt fetch localhost/d3/a:1
	assert_status 254
	[ "${#lines[@]}" -eq "$(printf '%s\n' "$output" | grep -c .)" ]
	assert_output_contains "image 'localhost/d3/a:1': dependency 'localhost/d3/b' of 'localhost/d3/a': dependency 'localhost/d3/c' of 'localhost/d3/b': the image fetched has ID 'sha512-"
	assert_output_contains "not the '$wrong' required"
	[ "$(requests /localhost/d3/ok-linux-amd64.aci 200)" -eq 1 ]
	[ "$(image_count)" -eq 0 ]
	[ -z "$(find "$RKT_DATA_DIR/cas/blob" "$RKT_DATA_DIR/cas/images" -type f)" ] || fail "$(find "$RKT_DATA_DIR/cas" -type f)"
}

@test "a dependency cycle is refused" {
	publish localhost/d4/a-linux-amd64.aci localhost/d4/a --dep localhost/d4/b
	publish localhost/d4/b-linux-amd64.aci localhost/d4/b --dep localhost/d4/a
	trust_key signer localhost/d4
	run rkt fetch localhost/d4/a
	assert_status 254
	assert_output_contains "dependency cycle: 'localhost/d4/a' -> 'localhost/d4/b' -> 'localhost/d4/a'"
	[ "$(image_count)" -eq 0 ]
}

@test "dependencies are verified: an unsigned dependency is refused unless --insecure-options=image" {
	chain localhost/d5
	rm "$SRV/localhost/d5/c-linux-amd64.aci.asc"
	run rkt fetch localhost/d5/a:1
	assert_status 254
	assert_output_contains "dependency 'localhost/d5/c' of 'localhost/d5/b': no signature at"
	[ "$(image_count)" -eq 0 ]
	run rkt fetch --insecure-options=image localhost/d5/a:1
	assert_status 0
	[ "$(image_count)" -eq 3 ]
}

# rkt 1.30's own scenario: a -> (b, c, d), c -> (b, e:1), d -> (b, e:1), e -> f; b and f in the store.
@test "dependencies are fetched breadth first, with one line for each image, each image once" {
	local p=localhost/d6 want
	publish $p/a-linux-amd64.aci $p/a --dep $p/b --dep $p/c --dep $p/d
	publish $p/b-linux-amd64.aci $p/b
	publish $p/c-linux-amd64.aci $p/c --dep $p/b --dep "$p/e,version=1"
	publish $p/d-linux-amd64.aci $p/d --dep $p/b --dep "$p/e,version=1"
	publish $p/e-linux-amd64.aci $p/e --label version=1 --dep $p/f
	publish $p/f-linux-amd64.aci $p/f
	trust_key signer $p
	for i in b f; do
		run rkt fetch "$SRV/$p/$i-linux-amd64.aci"
		assert_status 0
	done
	: >"$HTTPD_LOG"
	run rkt fetch $p/a
	assert_status 0
	want="image: fetching image from https://localhost/$p/a-linux-amd64.aci
image: using image from local store for image name $p/b
image: fetching image from https://localhost/$p/c-linux-amd64.aci
image: fetching image from https://localhost/$p/d-linux-amd64.aci
image: fetching image from https://localhost/$p/e-linux-amd64.aci
image: using image from local store for image name $p/f"
	[ "$(grep -E '^image: (fetching image from|using image from local store)' <<<"$output")" = "$want" ] ||
		fail "$output"
	[ "$(jq -s -r '[.[] | select(.path | endswith(".aci")) | .path] | join(" ")' "$HTTPD_LOG")" = \
		"/$p/a-linux-amd64.aci /$p/c-linux-amd64.aci /$p/d-linux-amd64.aci /$p/e-linux-amd64.aci" ]
	[ "$(image_count)" -eq 6 ]
	# Fetched again, every image is in the store: each is named once, in the same order.
	run rkt fetch --pull-policy=new $p/a
	assert_status 0
	[ "$(grep -c -E '^image: using image from local store for image name' <<<"$output")" -eq 6 ] || fail "$output"
	[ "$(grep -E '^image: using image from local store' <<<"$output" | sed 's/.* name //' | tr '\n' ' ')" = \
		"$p/a $p/b $p/c $p/d $p/e:1 $p/f " ] || fail "$output"
}

# partial_c - whether the download of the stalled dependency has come half way.
partial_c() {
	[ -n "$(find "$RKT_DATA_DIR/cas/tmp" -name 'download-*' -size +90k)" ]
}

@test "no image of a fetch is in the store before all are: a missing dependency or a kill leaves none" {
	local p=localhost/d7 pid
	publish $p/a-linux-amd64.aci $p/a --dep $p/b --dep $p/c
	publish $p/b-linux-amd64.aci $p/b
	publish $p/c-linux-amd64.aci $p/c --dir "$(bigdir 300000)"
	trust_key signer $p
	# The last dependency is missing: a and b, downloaded and verified, never enter the store.
	rules "{\"/$p/c-linux-amd64.aci\": {\"status\": 404}}"
	run rkt fetch $p/a
	assert_status 254
	assert_output_contains "image '$p/a': dependency '$p/c' of '$p/a': "
	[ "$(requests /$p/a-linux-amd64.aci 200)" -eq 1 ]
	[ "$(requests /$p/b-linux-amd64.aci 200)" -eq 1 ]
	assert_store_empty
	# While the last one downloads, the others are not visible; killed there, rkt leaves none of them.
	rules "{\"/$p/c-linux-amd64.aci\": {\"stall_after\": 100000}}"
	# (rkt itself, to be killed: without the test CA, so with TLS unchecked; signatures are checked.)
	"$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
		--system-config="$RKT_SYSTEM_CONFIG_DIR" --insecure-options=tls fetch $p/a \
		>"$RKT_TEST_DIR/fetch.out" 2>&1 3>&- &
	pid=$!
	wait_for 30 partial_c || fail "$(cat "$RKT_TEST_DIR/fetch.out")"
	[ "$(image_count)" -eq 0 ]
	[ -z "$(find "$RKT_DATA_DIR/cas/blob" "$RKT_DATA_DIR/cas/images" -type f 2>/dev/null)" ] ||
		fail "$(find "$RKT_DATA_DIR/cas" -type f)"
	kill -9 "$pid"
	wait "$pid" || true
	[ "$(image_count)" -eq 0 ]
	[ -z "$(find "$RKT_DATA_DIR/cas/blob" "$RKT_DATA_DIR/cas/images" "$RKT_DATA_DIR/cas/remote" -type f 2>/dev/null)" ] ||
		fail "$(find "$RKT_DATA_DIR/cas" -type f)"
	# Once c can be had, all three come in.
	rules '{}'
	run rkt fetch $p/a
	assert_status 0
	[ "$(image_count)" -eq 3 ]
	run rkt_system_cas image render --rootfs-only $p/a "$RKT_TEST_DIR/r"
	assert_status 0
	[ -f "$RKT_TEST_DIR/r/payload" ]
}
