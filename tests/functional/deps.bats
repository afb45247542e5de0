#!/usr/bin/env bats
# Image dependencies fetched by appc discovery from a real server on loopback: a chain A -> B (by name
# and version) -> C (by imageID), each image signed and verified like any fetched image.

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
	assert_output_contains "fetching dependency 'localhost/d1/b' of 'localhost/d1/a'"
	assert_output_contains "fetching dependency 'localhost/d1/c' of 'localhost/d1/b'"
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
