#!/usr/bin/env bats
# rkt export: an app of an exited pod as a new ACI, on real pods in the booted systemd test host.

load helpers

setup() {
        rkt_setup
        require_systemd
        # busybox with a file the app deletes and two names of one file (a hard link).
        mkdir -p "$RKT_TEST_DIR/bb/bin" "$RKT_TEST_DIR/bb/etc"
        cp /bin/busybox "$RKT_TEST_DIR/bb/bin/busybox"
        for t in sh cat ls rm sleep; do ln -s busybox "$RKT_TEST_DIR/bb/bin/$t"; done
        echo "delete me" >"$RKT_TEST_DIR/bb/etc/old"
        echo "one file" >"$RKT_TEST_DIR/bb/etc/a"
        ln "$RKT_TEST_DIR/bb/etc/a" "$RKT_TEST_DIR/bb/etc/b"
        python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/bb.aci" --name example.com/exportme \
                --label version=1 --dir "$RKT_TEST_DIR/bb" --exec "/bin/sh -c 'echo changed >/note; rm /etc/old'"
        BB="$RKT_TEST_DIR/bb.aci"
}

teardown() {
        rkt gc --grace-period=0s >/dev/null 2>&1 || true
        rkt_teardown
}

pod_running() { rkt status "$1" 2>/dev/null | grep -q state=running; }

# run_exited NAME [RUN ARGS…] - runs the image to completion; sets uuid.
run_exited() {
        local name=$1
        shift
        rkt --insecure-options=image run --net=host --uuid-file-save="$RKT_TEST_DIR/$name.uuid" "$@" >/dev/null 2>&1 ||
                fail "the pod failed"
        uuid=$(cat "$RKT_TEST_DIR/$name.uuid")
}

@test "export: the app's root filesystem as it left it, with its image manifest, as a gzip ACI that runs" {
        run_exited one "$BB"
        mounts_before=$(findmnt -rn -o TARGET | sort)
        run rkt export "$uuid" "$RKT_TEST_DIR/out.aci"
        assert_status 0
        [ "$(findmnt -rn -o TARGET | sort)" = "$mounts_before" ] || fail "export left mounts behind"
        [ "$(head -c2 "$RKT_TEST_DIR/out.aci" | od -An -tx1 | tr -d ' ')" = 1f8b ] || fail "not gzip"
        [ "$(tar xzOf "$RKT_TEST_DIR/out.aci" rootfs/note)" = changed ] || fail "the app's change is missing"
        ! tar tzf "$RKT_TEST_DIR/out.aci" | grep -qx rootfs/etc/old || fail "a file the app deleted is in the ACI"
        tar tzvf "$RKT_TEST_DIR/out.aci" | grep -q '^h.* rootfs/etc/b link to rootfs/etc/a$' ||
                tar tzvf "$RKT_TEST_DIR/out.aci" | grep -q '^h.* rootfs/etc/a link to rootfs/etc/b$' ||
                fail "the hard link was not kept: $(tar tzvf "$RKT_TEST_DIR/out.aci" | grep etc/)"
        [ "$(tar xzOf "$RKT_TEST_DIR/out.aci" manifest)" = "$(tar xOf "$BB" manifest)" ] ||
                fail "the manifest differs from the image's"
        # The ACI is an image like any other: fetched and run, it has the change.
        run rkt --insecure-options=image run --net=host "$RKT_TEST_DIR/out.aci" --exec /bin/cat -- /note
        assert_status 0
        assert_output_contains "changed"
}

@test "export: a pod run without overlay, and one already marked as garbage" {
        run_exited copy --no-overlay "$BB"
        run rkt export "$uuid" "$RKT_TEST_DIR/copy.aci"
        assert_status 0
        [ "$(tar xzOf "$RKT_TEST_DIR/copy.aci" rootfs/note)" = changed ]
        run_exited marked "$BB"
        rkt gc --mark-only >/dev/null
        run rkt status "$uuid"
        assert_output_contains "state=exited garbage"
        run rkt export "$uuid" "$RKT_TEST_DIR/marked.aci"
        assert_status 0
        [ "$(tar xzOf "$RKT_TEST_DIR/marked.aci" rootfs/note)" = changed ]
}

@test "export: --app picks the app of a pod of several; without it rkt lists them and fails" {
        run_exited two "$BB" --name first "$BB" --name second --exec /bin/sh -- -c 'echo second >/note'
        run rkt export "$uuid" "$RKT_TEST_DIR/two.aci"
        assert_status 254
        assert_output_contains "pod contains multiple apps:"
        assert_output_contains "second"
        [ ! -e "$RKT_TEST_DIR/two.aci" ]
        run rkt export --app=second "$uuid" "$RKT_TEST_DIR/two.aci"
        assert_status 0
        [ "$(tar xzOf "$RKT_TEST_DIR/two.aci" rootfs/note)" = second ]
        run rkt export --app=third "$uuid" "$RKT_TEST_DIR/three.aci"
        assert_status 254
        assert_output_contains "app third is not present in pod"
}

@test "export refuses a running pod, another extension and an existing file unless --overwrite" {
        run_exited "done" "$BB"
        run rkt export "$uuid" "$RKT_TEST_DIR/out.tar"
        assert_status 254
        assert_output_contains "extension must be .aci"
        echo keep >"$RKT_TEST_DIR/exists.aci"
        run rkt export "$uuid" "$RKT_TEST_DIR/exists.aci"
        assert_status 254
        assert_output_contains "already exists"
        [ "$(cat "$RKT_TEST_DIR/exists.aci")" = keep ]
        run rkt export --overwrite "$uuid" "$RKT_TEST_DIR/exists.aci"
        assert_status 0
        [ "$(tar xzOf "$RKT_TEST_DIR/exists.aci" rootfs/note)" = changed ]

        rkt --insecure-options=image run --net=host --uuid-file-save="$RKT_TEST_DIR/live.uuid" "$BB" \
                --exec /bin/sh -- -c 'exec sleep 300' >/dev/null 2>&1 &
        wait_for 30 test -s "$RKT_TEST_DIR/live.uuid"
        live=$(cat "$RKT_TEST_DIR/live.uuid")
        wait_for 30 pod_running "$live"
        run rkt export "$live" "$RKT_TEST_DIR/live.aci"
        assert_status 254
        assert_output_contains "pod is not exited"
        [ ! -e "$RKT_TEST_DIR/live.aci" ]
        rkt status --wait-ready=30s "$live" >/dev/null
        rkt stop --force "$live" >/dev/null
        rkt status --wait=30s "$live" >/dev/null
}
