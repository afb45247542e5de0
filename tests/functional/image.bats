#!/usr/bin/env bats
# Images: rkt fetch of ACI files and the rkt image verbs, against a private store.

load helpers

MKACI="$RKT_SRCDIR/tests/helpers/mkaci.py"

mkaci() {
        python3 "$MKACI" "$@"
}

# The image ID of an ACI: sha512 of its uncompressed tar.
aci_id() {
        python3 - "$1" <<'PY'
import sys, hashlib, gzip, bz2, lzma, subprocess
data = open(sys.argv[1], "rb").read()
if data[:2] == b"\x1f\x8b": data = gzip.decompress(data)
elif data[:3] == b"BZh": data = bz2.decompress(data)
elif data[:6] == b"\xfd7zXZ\x00": data = lzma.decompress(data)
elif data[:4] == b"\x28\xb5\x2f\xfd":
    data = subprocess.run(["zstd", "-dc"], input=data, stdout=subprocess.PIPE, check=True).stdout
print("sha512-" + hashlib.sha512(data).hexdigest())
PY
}

# fetch ARGS... - rkt fetch, without rkt 1.30's "image: using image from file …" line (compat-cli.bats
# checks it), so that the tests here see the ID or the error alone.
fetch() {
        local out rc
        out=$(rkt --insecure-options=image fetch "$@" 2>&1)
        rc=$?
        grep -v '^image: using image from file ' <<<"$out" || true
        return "$rc"
}

image_count() {
        rkt image list --format=json | jq length
}

@test "fetch refuses an unsigned image and names the ways forward" {
        mkaci "$RKT_TEST_DIR/a.aci" --name example.com/a
        run rkt fetch "$RKT_TEST_DIR/a.aci"
        assert_status 254
        assert_output_contains "no signature found at '$RKT_TEST_DIR/a.aci.asc'"
        assert_output_contains "rkt trust --prefix"
        assert_output_contains "--insecure-options=image"
        [ "$(image_count)" -eq 0 ]
}

@test "fetch prints the short ID, --full the whole ID, both the sha512 of the tar" {
        mkaci "$RKT_TEST_DIR/a.aci" --name example.com/a --label version=1.0
        want=$(aci_id "$RKT_TEST_DIR/a.aci")
        run fetch "$RKT_TEST_DIR/a.aci"
        assert_status 0
        [ "$output" = "${want:0:39}" ] || fail "got '$output', want '${want:0:39}'"
        run fetch --full "file://$RKT_TEST_DIR/a.aci"
        assert_status 0
        [ "$output" = "$want" ]
        [ "$(image_count)" -eq 1 ]
}

@test "compressed ACIs are detected by content and give the uncompressed tar's ID" {
        mkaci "$RKT_TEST_DIR/plain" --name example.com/c --file /etc/hello=world
        want=$(aci_id "$RKT_TEST_DIR/plain")
        for c in gzip bzip2 xz zstd; do
                # Same content, so the same tar: build it again and compress it.
                mkaci "$RKT_TEST_DIR/img.$c" --name example.com/c --file /etc/hello=world --compress "$c"
                [ "$(aci_id "$RKT_TEST_DIR/img.$c")" = "$want" ]
                run fetch --full "$RKT_TEST_DIR/img.$c"
                assert_status 0
                [ "$output" = "$want" ] || fail "$c: got '$output'"
        done
        [ "$(image_count)" -eq 1 ]
}

@test "malformed images get a one-line error, exit 254 and leave the store unchanged" {
        mkaci "$RKT_TEST_DIR/good.aci" --name example.com/good
        fetch "$RKT_TEST_DIR/good.aci"
        before=$(rkt image list --no-legend --full)
        declare -A expect=(
                [dotdot]="escapes the image root"
                [absolute]="absolute path"
                [symlink-escape]="parent 'rootfs/link' is a symlink"
                [hardlink-escape]="outside the image"
                [two-manifests]="second 'manifest'"
                [no-manifest]="no 'manifest'"
                [manifest-not-json]="invalid image manifest"
                [no-rootfs]="only 'manifest' and 'rootfs/'"
                [stray-top-level]="only 'manifest' and 'rootfs/'"
                [truncated]="truncated"
                [garbage]="not a valid ACI"
        )
        for kind in "${!expect[@]}"; do
                mkaci "$RKT_TEST_DIR/$kind.aci" --name example.com/evil --evil "$kind"
                run fetch "$RKT_TEST_DIR/$kind.aci"
                [ "$status" -eq 254 ] || fail "$kind: status $status: $output"
                [ "${#lines[@]}" -eq 1 ] || fail "$kind: more than one line: $output"
                [[ "$output" == *"${expect[$kind]}"* ]] || fail "$kind: '$output' lacks '${expect[$kind]}'"
                [ "$(rkt image list --no-legend --full)" = "$before" ] || fail "$kind changed the store"
        done
        # Nothing of the rejected images stayed behind.
        [ "$(find "$RKT_DATA_DIR/cas/blob" -type f | wc -l)" -eq 1 ]
        [ -z "$(ls -A "$RKT_DATA_DIR/cas/tmp")" ]
        [ ! -e /tmp/escaped-absolute ]
        [ ! -e /tmp/escaped-symlink ]
}

@test "a symlink-then-write-through entry cannot write outside the store" {
        mkaci "$RKT_TEST_DIR/s.aci" --name example.com/s --evil symlink-escape
        run fetch "$RKT_TEST_DIR/s.aci"
        assert_status 254
        [ ! -e /tmp/escaped-symlink ]
}

@test "image list shows ID, NAME, SIZE, IMPORT TIME, LAST USED and takes --fields, --no-legend, --full" {
        mkaci "$RKT_TEST_DIR/a.aci" --name example.com/a --label version=1.0 --file /a=1
        id=$(fetch --full "$RKT_TEST_DIR/a.aci")
        run rkt image list
        assert_status 0
        [[ "${lines[0]}" =~ ^ID[[:space:]]+NAME[[:space:]]+SIZE[[:space:]]+IMPORT\ TIME[[:space:]]+LAST\ USED$ ]] ||
                fail "header: ${lines[0]}"
        [[ "${lines[1]}" == "${id:0:19}"* ]] || fail "row: ${lines[1]}"
        assert_output_contains "example.com/a:1.0"
        [[ "${lines[1]}" =~ (now|ago) ]] || fail "row: ${lines[1]}"
        run rkt image list --no-legend --fields=name,id --full
        assert_status 0
        [ "${#lines[@]}" -eq 1 ]
        [[ "${lines[0]}" =~ ^example.com/a:1.0[[:space:]]+$id$ ]] || fail "row: ${lines[0]}"
        run rkt image list --fields=id,bogus
        assert_status 254
        assert_output_contains "unknown field 'bogus'"
        run rkt image list --order=sideways
        assert_status 254
}

@test "image list --format=json and json-pretty carry id, name, times and size" {
        mkaci "$RKT_TEST_DIR/a.aci" --name example.com/a --label version=2 --file /f=abcdef
        mkaci "$RKT_TEST_DIR/b.aci" --name example.com/b
        id=$(fetch --full "$RKT_TEST_DIR/a.aci")
        fetch "$RKT_TEST_DIR/b.aci"
        run rkt image list --format=json
        assert_status 0
        [ "$(jq length <<<"$output")" -eq 2 ]
        [ "$(jq -r '.[] | select(.name == "example.com/a:2") | .id' <<<"$output")" = "$id" ]
        [ "$(jq '.[0].import_time > 1000000000000000000' <<<"$output")" = true ]
        [ "$(jq '.[0].size > 0' <<<"$output")" = true ]
        run rkt image list --format=json-pretty
        assert_status 0
        [ "$(jq length <<<"$output")" -eq 2 ]
        [ "${#lines[@]}" -gt 3 ]
        run rkt image list --format=yaml
        assert_status 254
}

@test "image list sorts by name in either order" {
        for n in b c a; do
                mkaci "$RKT_TEST_DIR/$n.aci" --name "example.com/$n"
                fetch "$RKT_TEST_DIR/$n.aci"
        done
        run rkt image list --no-legend --fields=name --sort=name
        [ "$(echo "$output" | tr -d '\t ' | tr '\n' ' ')" = "example.com/a example.com/b example.com/c " ]
        run rkt image list --no-legend --fields=name --sort=name --order=desc
        [ "$(echo "$output" | tr -d '\t ' | tr '\n' ' ')" = "example.com/c example.com/b example.com/a " ]
}

@test "image cat-manifest re-encodes the manifest as rkt 1.30: empty lists left out" {
        mkdir -p "$RKT_TEST_DIR/empty/rootfs"
        printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/empty","labels":[],"annotations":[]}' \
                >"$RKT_TEST_DIR/empty/manifest"
        tar -C "$RKT_TEST_DIR/empty" -cf "$RKT_TEST_DIR/empty.aci" manifest rootfs
        id=$(fetch --full "$RKT_TEST_DIR/empty.aci")
        run rkt image cat-manifest "$id"
        assert_status 0
        [ "$output" = "$(printf '{\n\t"acKind": "ImageManifest",\n\t"acVersion": "0.8.11",\n\t"name": "example.com/empty"\n}')" ]
        run rkt image cat-manifest --pretty-print=false "$id"
        assert_status 0
        [ "$output" = '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/empty"}' ]
}

@test "image IDs resolve by unambiguous prefix and names by name, version and labels" {
        mkaci "$RKT_TEST_DIR/v1.aci" --name example.com/app --label version=1 --file /v=1
        mkaci "$RKT_TEST_DIR/v2.aci" --name example.com/app --label version=2 --file /v=2
        id1=$(fetch --full "$RKT_TEST_DIR/v1.aci")
        id2=$(fetch --full "$RKT_TEST_DIR/v2.aci")
        run rkt image cat-manifest --pretty-print=false "${id1:0:20}"
        assert_status 0
        [ "$(jq -r '.labels[] | select(.name=="version") | .value' <<<"$output")" = 1 ]
        run rkt image cat-manifest --pretty-print=false "${id2:0:20}"
        assert_status 0
        [ "$(jq -r '.labels[] | select(.name=="version") | .value' <<<"$output")" = 2 ]
        run rkt image cat-manifest example.com/app:2
        [ "$(jq -r '.labels[] | select(.name=="version") | .value' <<<"$output")" = 2 ]
        run rkt image cat-manifest example.com/app,version=1,os=linux
        [ "$(jq -r '.labels[] | select(.name=="version") | .value' <<<"$output")" = 1 ]
        run rkt image cat-manifest sha512-
        assert_status 254
        assert_output_contains "image ID too short"
        run rkt image cat-manifest example.com/app:3
        assert_status 254
        assert_output_contains "no image named 'example.com/app:3'"
        run rkt image cat-manifest sha512-0000
        assert_status 254
}

@test "image cat-manifest pretty-prints by default" {
        mkaci "$RKT_TEST_DIR/a.aci" --name example.com/a
        fetch "$RKT_TEST_DIR/a.aci"
        run rkt image cat-manifest example.com/a
        assert_status 0
        [ "${#lines[@]}" -gt 3 ]
        [ "$(jq -r .name <<<"$output")" = example.com/a ]
        assert_output_contains '"example.com/a"'
}

@test "image rm removes several images and reports each failure without stopping" {
        mkaci "$RKT_TEST_DIR/a.aci" --name example.com/a
        mkaci "$RKT_TEST_DIR/b.aci" --name example.com/b
        ida=$(fetch --full "$RKT_TEST_DIR/a.aci")
        idb=$(fetch --full "$RKT_TEST_DIR/b.aci")
        run rkt image rm example.com/nope "${ida:0:16}" example.com/b
        assert_status 254
        assert_output_contains "successfully removed aci for image: \"$ida\""
        assert_output_contains "successfully removed aci for image: \"$idb\""
        assert_output_contains "no image named 'example.com/nope'"
        [ "$(image_count)" -eq 0 ]
        [ "$(find "$RKT_DATA_DIR/cas/blob" -type f | wc -l)" -eq 0 ]
}

@test "image export writes the stored ACI byte for byte, refusing to overwrite without --overwrite" {
        mkaci "$RKT_TEST_DIR/a.aci" --name example.com/a --label version=1.0 --file /etc/x=y --compress gzip
        id=$(fetch --full "$RKT_TEST_DIR/a.aci")
        run rkt image export example.com/a "$RKT_TEST_DIR/out.aci"
        assert_status 0
        [ "$(aci_id "$RKT_TEST_DIR/out.aci")" = "$id" ]
        run rkt image export example.com/a "$RKT_TEST_DIR/out.aci"
        assert_status 254
        assert_output_contains "already exists"
        run rkt image export --overwrite example.com/a "$RKT_TEST_DIR/out.aci"
        assert_status 0
        "$RKT_BUILDDIR/tests/actool" validate "$RKT_TEST_DIR/out.aci"
}

@test "image export notices a damaged blob" {
        mkaci "$RKT_TEST_DIR/a.aci" --name example.com/a --file /x=1
        id=$(fetch --full "$RKT_TEST_DIR/a.aci")
        blob=$(find "$RKT_DATA_DIR/cas/blob" -type f)
        printf 'X' | dd of="$blob" bs=1 seek=700 conv=notrunc status=none
        run rkt image export "$id" "$RKT_TEST_DIR/out.aci"
        assert_status 254
        assert_output_contains "damaged"
        [ ! -e "$RKT_TEST_DIR/out.aci" ]
        # --insecure-options=ondisk skips the check.
        run rkt --insecure-options=ondisk image export "$id" "$RKT_TEST_DIR/out.aci"
        assert_status 0
}

@test "image verify reports a damaged image with how to recover, exit 254, and leaves the others alone" {
        mkaci "$RKT_TEST_DIR/a.aci" --name example.com/a --file /x=1
        mkaci "$RKT_TEST_DIR/b.aci" --name example.com/b --file /y=2
        ida=$(fetch --full "$RKT_TEST_DIR/a.aci")
        idb=$(fetch --full "$RKT_TEST_DIR/b.aci")
        run rkt image verify example.com/a "${idb:0:20}"
        assert_status 0
        assert_output_contains "successfully verified checksum for image: \"example.com/a\" (\"$ida\")"
        assert_output_contains "successfully verified checksum for image: \"${idb:0:20}\" (\"$idb\")"

        blob=$(find "$RKT_DATA_DIR/cas/blob" -type f -name "$ida")
        printf 'X' | dd of="$blob" bs=1 seek=700 conv=notrunc status=none
        before=$(find "$RKT_DATA_DIR/cas" -path "*locks" -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)
        run rkt image verify example.com/a example.com/b
        assert_status 254
        assert_output_contains "image 'example.com/a' (${ida:0:39}): the stored image is damaged: its content no longer matches its ID; remove it with 'rkt image rm ${ida:0:39}' and fetch it again"
        assert_output_contains "successfully verified checksum for image: \"example.com/b\""
        [ "$(grep -c "example.com/a" <<<"$output")" -eq 1 ] || fail "not one line for the damaged image: $output"
        after=$(find "$RKT_DATA_DIR/cas" -path "*locks" -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)
        [ "$before" = "$after" ] || fail "verify changed the store"

        run rkt image verify example.com/nope
        assert_status 254
        assert_output_contains "no image named 'example.com/nope'"

        # The way out the message names.
        rkt image rm "${ida:0:39}"
        fetch "$RKT_TEST_DIR/a.aci"
        run rkt image verify example.com/a
        assert_status 0
}

@test "image extract writes manifest and rootfs, or the rootfs alone" {
        mkaci "$RKT_TEST_DIR/a.aci" --name example.com/a --file /etc/hello=world
        fetch "$RKT_TEST_DIR/a.aci"
        run rkt image extract example.com/a "$RKT_TEST_DIR/x"
        assert_status 0
        [ "$(cat "$RKT_TEST_DIR/x/rootfs/etc/hello")" = world ]
        [ "$(jq -r .name "$RKT_TEST_DIR/x/manifest")" = example.com/a ]
        "$RKT_BUILDDIR/tests/actool" validate "$RKT_TEST_DIR/x/manifest"
        run rkt image extract --rootfs-only example.com/a "$RKT_TEST_DIR/x"
        assert_status 254
        assert_output_contains "already exists"
        run rkt image extract --rootfs-only --overwrite example.com/a "$RKT_TEST_DIR/x"
        assert_status 0
        [ "$(cat "$RKT_TEST_DIR/x/etc/hello")" = world ]
        [ ! -e "$RKT_TEST_DIR/x/manifest" ]
}

@test "image render resolves dependencies by name and labels, the image's own files winning" {
        mkaci "$RKT_TEST_DIR/base.aci" --name example.com/base --label version=1 \
                --file /etc/base=base --file /etc/shared=from-base
        mkaci "$RKT_TEST_DIR/app.aci" --name example.com/app --dep example.com/base,version=1 \
                --file /etc/app=app --file /etc/shared=from-app
        fetch "$RKT_TEST_DIR/base.aci"
        fetch "$RKT_TEST_DIR/app.aci"
        run rkt image render example.com/app "$RKT_TEST_DIR/r"
        assert_status 0
        [ "$(cat "$RKT_TEST_DIR/r/rootfs/etc/base")" = base ]
        [ "$(cat "$RKT_TEST_DIR/r/rootfs/etc/app")" = app ]
        [ "$(cat "$RKT_TEST_DIR/r/rootfs/etc/shared")" = from-app ]
        [ "$(jq -r .name "$RKT_TEST_DIR/r/manifest")" = example.com/app ]
        # extract ignores dependencies
        rkt image extract --rootfs-only example.com/app "$RKT_TEST_DIR/e"
        [ ! -e "$RKT_TEST_DIR/e/etc/base" ]
}

@test "image render applies pathWhitelist and fails clearly on a missing dependency" {
        mkaci "$RKT_TEST_DIR/base.aci" --name example.com/base --file /etc/keep=1 --file /etc/drop=2
        mkaci "$RKT_TEST_DIR/app.aci" --name example.com/app --dep example.com/base \
                --whitelist /etc/keep --whitelist /etc/app --file /etc/app=3
        mkaci "$RKT_TEST_DIR/missing.aci" --name example.com/missing
        mkaci "$RKT_TEST_DIR/orphan.aci" --name example.com/orphan --dep example.com/missing
        fetch "$RKT_TEST_DIR/base.aci"
        fetch "$RKT_TEST_DIR/app.aci"
        # A fetch needs the dependency (it would be fetched by discovery); removed later, render fails.
        fetch "$RKT_TEST_DIR/missing.aci"
        fetch "$RKT_TEST_DIR/orphan.aci"
        rkt image rm example.com/missing
        rkt image render --rootfs-only example.com/app "$RKT_TEST_DIR/r"
        [ -e "$RKT_TEST_DIR/r/etc/keep" ]
        [ -e "$RKT_TEST_DIR/r/etc/app" ]
        [ ! -e "$RKT_TEST_DIR/r/etc/drop" ]
        run rkt image render example.com/orphan "$RKT_TEST_DIR/o"
        assert_status 254
        assert_output_contains "dependency 'example.com/missing'"
        [ ! -e "$RKT_TEST_DIR/o" ]
}

@test "image gc removes images past the grace period and leftovers of interrupted imports" {
        mkaci "$RKT_TEST_DIR/a.aci" --name example.com/a
        fetch "$RKT_TEST_DIR/a.aci"
        # What a killed import or render leaves behind.
        touch "$RKT_DATA_DIR/cas/tmp/import-1-1"
        mkdir -p "$RKT_DATA_DIR/cas/tree/.tmp-deps-x-1/rootfs"
        run rkt image gc
        assert_status 0
        [ "$(image_count)" -eq 1 ]
        [ -z "$(ls -A "$RKT_DATA_DIR/cas/tmp")" ]
        [ ! -e "$RKT_DATA_DIR/cas/tree/.tmp-deps-x-1" ]
        run rkt image gc --grace-period=0s
        assert_status 0
        [ "$(image_count)" -eq 0 ]
        run rkt image gc --grace-period=soon
        assert_status 254
}

@test "concurrent fetches of the same and different images leave a consistent store" {
        for i in 1 2 3; do
                mkdir -p "$RKT_TEST_DIR/src$i"
                head -c 3000000 /dev/urandom >"$RKT_TEST_DIR/src$i/data"
                mkaci "$RKT_TEST_DIR/$i.aci" --name "example.com/c$i" --dir "$RKT_TEST_DIR/src$i" --compress gzip
        done
        pids=()
        for _ in 1 2; do
                for i in 1 2 3; do
                        fetch "$RKT_TEST_DIR/$i.aci" >/dev/null & pids+=($!)
                done
        done
        for p in "${pids[@]}"; do wait "$p"; done
        [ "$(image_count)" -eq 3 ]
        [ "$(find "$RKT_DATA_DIR/cas/blob" -type f | wc -l)" -eq 3 ]
        for i in 1 2 3; do
                rkt image export "example.com/c$i" "$RKT_TEST_DIR/out$i.aci"
                [ "$(aci_id "$RKT_TEST_DIR/out$i.aci")" = "$(aci_id "$RKT_TEST_DIR/$i.aci")" ]
        done
}

@test "kill -9 during fetch leaves the store with or without the image, never half of it" {
        head -c 64000000 /dev/urandom >"$RKT_TEST_DIR/big"
        mkdir -p "$RKT_TEST_DIR/src" && mv "$RKT_TEST_DIR/big" "$RKT_TEST_DIR/src/"
        mkaci "$RKT_TEST_DIR/big.aci" --name example.com/big --dir "$RKT_TEST_DIR/src" --compress gzip
        for delay in 0.05 0.2 0.4 0.8; do
                fetch "$RKT_TEST_DIR/big.aci" >/dev/null 2>&1 & pid=$!
                sleep "$delay"
                kill -9 "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
                n=$(image_count)
                [ "$n" -le 1 ]
                # Every listed image is whole: it exports with a matching hash.
                if [ "$n" -eq 1 ]; then
                        rkt image export --overwrite example.com/big "$RKT_TEST_DIR/check.aci"
                fi
                rkt image rm example.com/big >/dev/null 2>&1 || true
        done
        id=$(fetch --full "$RKT_TEST_DIR/big.aci")
        rkt image export --overwrite "$id" "$RKT_TEST_DIR/check.aci"
        [ "$(aci_id "$RKT_TEST_DIR/check.aci")" = "$id" ]
        rkt image gc --grace-period=0s
        [ "$(find "$RKT_DATA_DIR/cas/blob" "$RKT_DATA_DIR/cas/manifest" "$RKT_DATA_DIR/cas/tmp" -type f | wc -l)" -eq 0 ]
}

@test "image verbs document their flags" {
        run rkt image --help
        assert_status 0
        for v in cat-manifest export extract gc list render rm; do
                assert_output_contains "$v"
        done
        run rkt image list --help
        for f in --fields --sort --order --full --no-legend --format; do
                assert_output_contains "$f"
        done
}
