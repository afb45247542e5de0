#!/usr/bin/env bats
# Limits that keep hostile servers and images from holding or filling the host:
# downloads that stall or trickle end (--stall-timeout), images cannot expand without bound
# (--max-image-size), and removing a directory never enters a bind mount inside it.

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
	BOUND=
}

teardown() {
	if [ -n "$BOUND" ]; then
		umount "$BOUND" 2>/dev/null || true
	fi
	rkt_teardown
}

# rkt_t ARGS... - rkt (as fetch-helpers' rkt(), with the test CA) under `timeout 60`: a hang ends with 124,
# which no assertion here accepts.
# shellcheck disable=SC2016 # expanded by the inner sh
rkt_t() {
	timeout 60 unshare -m --propagation private -- \
		sh -c 'mount --bind "$1" /etc/ssl/certs/ca-certificates.crt && shift && exec "$@"' \
		sh "$BUNDLE" "$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
		--system-config="$RKT_SYSTEM_CONFIG_DIR" "$@"
}

# store_files - every file of the store but its lock files, one per line, sorted.
store_files() {
	find "$RKT_DATA_DIR/cas" -type f ! -name lock ! -path '*/imagelocks/*' ! -path '*/treelocks/*' 2>/dev/null |
		sort
}

# store_snapshot - fetches a small image so that the store exists, and remembers what it holds.
store_snapshot() {
	mkaci "$RKT_TEST_DIR/base.aci" --name localhost/base
	run rkt --insecure-options=image fetch "$RKT_TEST_DIR/base.aci"
	assert_status 0
	BEFORE_FILES=$(store_files)
	BEFORE_LIST=$(rkt_system_cas image list --no-legend --full)
}

# assert_store_unchanged - the store holds what store_snapshot saw: no image, blob, record or temp file more.
assert_store_unchanged() {
	local after
	after=$(store_files)
	[ "$after" = "$BEFORE_FILES" ] || fail "the store changed: $(diff <(echo "$BEFORE_FILES") <(echo "$after"))"
	[ "$(rkt_system_cas image list --no-legend --full)" = "$BEFORE_LIST" ] || fail "rkt image list changed"
	[ -z "$(find "$RKT_DATA_DIR/cas/tmp" -mindepth 1 2>/dev/null)" ] || fail "left in tmp: $(ls -la "$RKT_DATA_DIR/cas/tmp")"
}

# zero_aci PATH MIB - a gzip ACI holding one file of MIB MiB of zeros: a few KiB that expand to MiBs.
zero_aci() {
	local d=$RKT_TEST_DIR/zero-$2
	mkdir -p "$d/rootfs"
	printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"localhost/zero"}' >"$d/manifest"
	dd if=/dev/zero of="$d/rootfs/zero" bs=1M count="$2" status=none
	tar -C "$d" -czf "$1" manifest rootfs
}

# --- item 5: downloads that stall ---

@test "a server that trickles an image one byte at a time is given up after --stall-timeout" {
	publish trickle.aci localhost/trickle --dir "$(bigdir 100000)"
	rules '{"/trickle.aci": {"trickle_every": 0.2}}'
	store_snapshot
	run rkt_t --insecure-options=image,http --stall-timeout=2s fetch http://localhost/trickle.aci
	assert_status 254
	assert_output_contains "the transfer from 'http://localhost/trickle.aci' stalled: less than 1024 bytes in 2 s"
	assert_one_error_line
	[ "$(served_bytes /trickle.aci)" -lt 1024 ] || fail "the server sent $(served_bytes /trickle.aci) bytes"
	assert_store_unchanged
}

@test "a trickling signature (https) is given up too, also in rkt prepare" {
	publish sigtrickle.aci localhost/sigtrickle
	trust_key signer localhost/sigtrickle
	rules '{"/sigtrickle.aci.asc": {"trickle_every": 0.2}}'
	store_snapshot
	run rkt_t --stall-timeout=2s fetch https://localhost/sigtrickle.aci
	assert_status 254
	assert_output_contains "the transfer from 'https://localhost/sigtrickle.aci.asc' stalled: less than 1024 bytes in 2 s"
	assert_store_unchanged
	# The global flag reaches the fetch of rkt prepare as well (which imports its stage1 first).
	run rkt_t prepare --stall-timeout=2s https://localhost/sigtrickle.aci
	assert_status 254
	assert_output_contains "the transfer from 'https://localhost/sigtrickle.aci.asc' stalled: less than 1024 bytes in 2 s"
	run rkt_system_cas image list --no-legend
	assert_status 0
	[[ $output != *sigtrickle* ]] || fail "the image was stored: $output"
	[ -z "$(find "$RKT_DATA_DIR/cas/tmp" -mindepth 1)" ] || fail "left in tmp: $(ls -la "$RKT_DATA_DIR/cas/tmp")"
}

@test "a server that accepts the request and never answers is given up after --stall-timeout" {
	publish silent.aci localhost/silent
	rules '{"/silent.aci": {"silent": true}}'
	store_snapshot
	run rkt_t --insecure-options=image --stall-timeout=2s fetch https://localhost/silent.aci
	assert_status 254
	assert_output_contains "the transfer from 'https://localhost/silent.aci' stalled: no data for 2 s (after 0 bytes)"
	assert_one_error_line
	assert_store_unchanged
}

@test "a trickling discovery page and a trickling key for rkt trust are given up" {
	discovery_page disc "https://localhost/{name}.{ext}"
	rules '{"/disc": {"trickle_every": 0.2}, "/key.asc": {"trickle_every": 0.2}}'
	store_snapshot
	run rkt_t --stall-timeout=2s fetch localhost/disc
	assert_status 254
	assert_output_contains "the transfer from 'https://localhost/disc?ac-discovery=1' stalled"
	assert_store_unchanged
	cp "$KEYS/signer.asc" "$SRV/key.asc"
	run rkt_t --stall-timeout=2s trust --prefix=localhost/disc https://localhost/key.asc
	assert_status 254
	assert_output_contains "the transfer from 'https://localhost/key.asc' stalled"
	[ -z "$(find "$RKT_LOCAL_CONFIG_DIR" -path '*trustedkeys*' -type f)" ] || fail "a key was trusted"
}

@test "--stall-timeout and --max-image-size refuse bad values" {
	run rkt --stall-timeout=0.5s image list
	assert_status 254
	assert_output_contains "--stall-timeout '0.5s': must be a duration of 1s or more"
	run rkt --max-image-size=12X image list
	assert_status 254
	assert_output_contains "--max-image-size '12X'"
	run rkt --max-image-size=1KiB image list
	assert_status 254
	run rkt help
	assert_output_contains "--max-image-size=SIZE"
	assert_output_contains "--stall-timeout=DURATION"
}

# --- item 6: images that expand without bound ---

@test "an image that expands beyond --max-image-size is refused, leaving the store as it was" {
	zero_aci "$RKT_TEST_DIR/zero.aci" 8
	[ "$(stat -c %s "$RKT_TEST_DIR/zero.aci")" -lt 100000 ] || fail "the test image is not small"
	store_snapshot
	run rkt --insecure-options=image --max-image-size=1MiB fetch "$RKT_TEST_DIR/zero.aci"
	assert_status 254
	assert_output_contains "image '$RKT_TEST_DIR/zero.aci': the image expands to more than the limit of 1MiB uncompressed"
	assert_one_error_line
	assert_store_unchanged
	# Over HTTPS, with a signature: the download is dropped too.
	cp "$RKT_TEST_DIR/zero.aci" "$SRV/zero.aci"
	sign signer "$SRV/zero.aci"
	trust_key signer localhost/zero
	run rkt --max-image-size=4MiB fetch https://localhost/zero.aci
	assert_status 254
	assert_output_contains "image 'https://localhost/zero.aci': the image expands to more than the limit of 4MiB"
	assert_store_unchanged
	# The default limit takes it.
	run rkt --insecure-options=image fetch "$RKT_TEST_DIR/zero.aci"
	assert_status 0
	[ "$(image_count)" -eq 2 ]
}

# --- item 7: rm -rf and bind mounts ---

@test "image extract --overwrite does not delete what is bind-mounted inside the directory" {
	require_root
	mkaci "$RKT_TEST_DIR/app.aci" --name localhost/app
	run rkt --insecure-options=image fetch "$RKT_TEST_DIR/app.aci"
	assert_status 0
	id=${lines[${#lines[@]} - 1]}
	out=$RKT_TEST_DIR/out precious=$RKT_TEST_DIR/precious
	mkdir -p "$out/inner/bound" "$precious/sub"
	echo keep >"$precious/keep"
	echo keep >"$precious/sub/keep"
	echo old >"$out/old"
	mount --bind "$precious" "$out/inner/bound"
	BOUND=$out/inner/bound
	run rkt image extract --overwrite "$id" "$out"
	assert_status 254
	assert_output_contains "cannot remove '$out': '$out/inner/bound' is a mount point"
	[ -f "$precious/keep" ] || fail "the bound directory's file was deleted"
	[ -f "$precious/sub/keep" ] || fail "the bound directory's subdirectory was deleted"
	umount "$BOUND"
	BOUND=
	# Without the mount, the same command replaces the directory.
	run rkt image extract --overwrite "$id" "$out"
	assert_status 0
	[ -f "$out/manifest" ] || fail "not extracted"
	[ ! -e "$out/old" ] || fail "the old content stayed"
}
