#!/usr/bin/env bats
# Untrusted bytes: config files with values of the wrong type, terminal control bytes in what
# images say, and ACIs whose entries no extraction could write.

load helpers

MKACI="$RKT_SRCDIR/tests/helpers/mkaci.py"

mkaci() {
	python3 "$MKACI" "$@"
}

fetch() {
	rkt --insecure-options=image fetch "$@"
}

# assert_one_line_error WANT - $output is one line (besides "image: …" ones) that contains WANT, and rkt
# exited 254 (not 139).
assert_one_line_error() {
	assert_status 254
	assert_one_error_line
	assert_output_contains "$1"
}

@test "stage1.d values of the wrong type are one-line errors naming the file and the key" {
	local -A cases=(
		['{"rktKind":null}']="field 'rktKind': must be a string, not null"
		['{"rktKind":"stage1","name":null,"version":"1"}']="field 'name': must be a string, not null"
		['{"rktKind":"stage1","name":"n","version":null}']="field 'version': must be a string, not null"
		['{"rktKind":"stage1","location":null}']="field 'location': must be a string, not null"
		['{"rktKind":"stage1","name":5,"version":"1"}']="field 'name': must be a string, not an integer"
		['{"rktKind":"stage1","name":"n","version":{}}']="field 'version': must be a string, not an object"
	)
	local json f="$RKT_LOCAL_CONFIG_DIR/stage1.d/x.json"
	mkdir -p "$RKT_LOCAL_CONFIG_DIR/stage1.d"
	for json in "${!cases[@]}"; do
		printf '%s\n' "$json" >"$f"
		run rkt config
		assert_one_line_error "stage1 configuration '$f': ${cases[$json]}" || fail "config with $json"
	done
}

@test "run and prepare refuse a stage1.d null instead of crashing" {
	require_root
	mkaci "$RKT_TEST_DIR/a.aci" --name example.com/a --exec /bin/true
	mkdir -p "$RKT_LOCAL_CONFIG_DIR/stage1.d"
	echo '{"rktKind":"stage1","name":"example.com/s","version":"1","location":null}' \
		>"$RKT_LOCAL_CONFIG_DIR/stage1.d/x.json"
	run rkt prepare --insecure-options=image "$RKT_TEST_DIR/a.aci"
	assert_status 254
	assert_output_contains "field 'location': must be a string, not null"
	run rkt run --insecure-options=image "$RKT_TEST_DIR/a.aci"
	assert_status 254
	assert_output_contains "field 'location': must be a string, not null"
}

@test "paths.d and auth.d null values are named errors (net.d: tests/unit/test-stage1-net.c)" {
	mkdir -p "$RKT_LOCAL_CONFIG_DIR/paths.d" "$RKT_LOCAL_CONFIG_DIR/auth.d"
	echo '{"rktKind":null,"rktVersion":"v1"}' >"$RKT_LOCAL_CONFIG_DIR/paths.d/p.json"
	run rkt config
	assert_one_line_error "'$RKT_LOCAL_CONFIG_DIR/paths.d/p.json': field 'rktKind': must be a string, not null"
	rm "$RKT_LOCAL_CONFIG_DIR/paths.d/p.json"
	echo '{"rktKind":"auth","rktVersion":"v1","domains":["a"],"type":"basic","credentials":{"user":"u","password":null}}' \
		>"$RKT_LOCAL_CONFIG_DIR/auth.d/a.json"
	run rkt config
	assert_one_line_error "'$RKT_LOCAL_CONFIG_DIR/auth.d/a.json': field 'credentials.password': must be a string, not null"
}

@test "control bytes an image's manifest quotes reach the terminal escaped" {
	mkaci "$RKT_TEST_DIR/c.aci" --name example.com/c --evil control-bytes
	run fetch "$RKT_TEST_DIR/c.aci"
	assert_one_line_error "not an http or https URL"
	# ESC, BEL and the C1 CSI (U+009B, UTF-8 c2 9b) as text, none of them raw.
	assert_output_contains '\x1b]0;pwned\x07\xc2\x9b2J\x1bc'
	[[ $output != *$'\e'* ]] || fail "a raw ESC reached the terminal: $output"
	[[ $output != *$'\a'* ]] || fail "a raw BEL reached the terminal: $output"
	[[ $output != *$'\xc2\x9b'* ]] || fail "a raw CSI reached the terminal: $output"
}

@test "every message is escaped: an argument with an escape sequence is quoted as text" {
	run fetch "$RKT_TEST_DIR/"$'\e]0;title\a\e[2J.aci'
	assert_status 254
	assert_output_contains '\x1b]0;title\x07\x1b[2J.aci'
	[[ $output != *$'\e'* ]] || fail "a raw ESC reached the terminal: $output"
}

@test "an ACI no extraction could write is refused at fetch, naming the path" {
	local -A expect=(
		[dir-then-file]="entry 'rootfs/x': a non-directory where an earlier entry made the directory 'rootfs/x'"
		[file-then-below]="entry 'rootfs/f/g': parent 'rootfs/f' is not a directory"
	)
	local kind
	for kind in "${!expect[@]}"; do
		mkaci "$RKT_TEST_DIR/$kind.aci" --name "example.com/$kind" --evil "$kind"
		run fetch "$RKT_TEST_DIR/$kind.aci"
		assert_one_line_error "${expect[$kind]}" || fail "$kind"
		run rkt image list --no-legend
		assert_status 0
		[ -z "$output" ] || fail "$kind entered the store: $output"
	done
}

@test "an ACI with duplicate entries that extraction merges is fetched and extracted" {
	python3 - "$RKT_TEST_DIR/dup.aci" <<'PY'
import io, json, sys, tarfile
m = json.dumps({"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/dup",
                "labels": [{"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}]}).encode()
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    def add(name, kind=tarfile.REGTYPE, data=b""):
        i = tarfile.TarInfo(name)
        i.type, i.mode, i.size = kind, 0o755 if kind == tarfile.DIRTYPE else 0o644, len(data)
        t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    add("manifest", data=m)
    add("rootfs", tarfile.DIRTYPE)
    add("rootfs/d", tarfile.DIRTYPE)
    add("rootfs/d", tarfile.DIRTYPE)
    add("rootfs/f", data=b"one")
    add("rootfs/f", data=b"two")
    add("rootfs/g", data=b"file")
    add("rootfs/g", tarfile.DIRTYPE)
    add("rootfs/g/h", data=b"below")
PY
	run fetch "$RKT_TEST_DIR/dup.aci"
	assert_status 0
	run rkt image extract example.com/dup "$RKT_TEST_DIR/out"
	assert_status 0
	[ "$(cat "$RKT_TEST_DIR/out/rootfs/f")" = two ] || fail "rootfs/f: $(cat "$RKT_TEST_DIR/out/rootfs/f")"
	[ "$(cat "$RKT_TEST_DIR/out/rootfs/g/h")" = below ] || fail "rootfs/g/h missing"
}
