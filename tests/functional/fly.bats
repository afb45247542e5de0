#!/usr/bin/env bats
# stage1-fly: rkt run --stage1-path=stage1-fly.aci runs one app with the host's namespaces (but its own
# mounts), no supervisor; stop, enter, status and gc on real pods (stage1-fly/README.md is the contract).

load helpers

setup() {
        rkt_setup
        require_root
        FLY=$RKT_BUILDDIR/stage1-fly.aci
        [ -f "$FLY" ] || fail "$FLY not found: build it with make"
        busybox_rootfs "$RKT_TEST_DIR/bb" sh sleep cat echo id ls readlink
        python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/bb.aci" --name example.com/busybox \
                --label version=1 --dir "$RKT_TEST_DIR/bb" --exec "/bin/sh -c 'echo hello from fly'"
        BB="$RKT_TEST_DIR/bb.aci"
}

teardown() {
        local pid
        for pid in "$RKT_TEST_DIR"/data/pods/run/*/pid; do
                [ -s "$pid" ] && kill -9 "$(cat "$pid")" 2>/dev/null
        done
        rkt_teardown
}

fly_run() {
        rkt --insecure-options=image run --stage1-path="$FLY" "$@"
}

# start_sleeper [RUN_FLAGS...] - a fly pod running /bin/sleep 300 in the background; sets uuid once the app runs.
# shellcheck disable=SC2120 # no test passes flags yet
start_sleeper() {
        rm -f "$RKT_TEST_DIR/uuid"
        fly_run --uuid-file-save="$RKT_TEST_DIR/uuid" "$@" "$BB" --exec /bin/sleep -- 300 >/dev/null 2>&1 &
        wait_for 30 test -s "$RKT_TEST_DIR/uuid"
        uuid=$(cat "$RKT_TEST_DIR/uuid")
        wait_for 10 test -s "$RKT_DATA_DIR/pods/run/$uuid/pid"
}

@test "stage1-fly.aci is a valid ACI named coreos.com/rkt/stage1-fly with fly's entrypoints" {
        "$RKT_BUILDDIR/tests/actool" validate "$FLY"
        run tar -xOf "$FLY" manifest
        assert_output_contains '"name": "coreos.com/rkt/stage1-fly"'
        [ "$(echo "$output" | jq -r '.annotations[] | select(.name == "coreos.com/rkt/stage1/run") | .value')" = /run ]
        [ "$(echo "$output" | jq -r '.labels[] | select(.name == "version") | .value')" = "$("$RKT" version | sed -n 's/^rkt Version: //p')" ]
}

@test "the app's output and exit status are rkt run's; status says it exited" {
        run fly_run --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" --exec /bin/sh -- -c "echo hi from the app; exit 42"
        [ "$status" -eq 42 ] || fail "status $status: $output"
        assert_output_contains "hi from the app"
        uuid=$(cat "$RKT_TEST_DIR/uuid")
        run rkt status "$uuid"
        assert_status 0
        assert_output_contains "state=exited"
        assert_output_contains "exited=true"
        # No supervisor records the app's exit status (as rkt's fly): rkt run returned it.
        [[ "$output" != *app-busybox=* ]] || fail "an exit status nobody recorded: $output"
}

@test "the app has the host's network and PID namespaces, its own mount namespace and root" {
        run fly_run "$BB" --exec /bin/sh -- -c \
                'echo "net=$(readlink /proc/self/ns/net) pid=$(readlink /proc/self/ns/pid) mnt=$(readlink /proc/self/ns/mnt)"; ls /'
        assert_status 0
        assert_output_contains "net=$(readlink /proc/self/ns/net) pid=$(readlink /proc/self/ns/pid) "
        [[ "$output" != *"mnt=$(readlink /proc/self/ns/mnt)"* ]] || fail "the host's mount namespace: $output"
        # The image's tree, with /dev, /proc, /sys and /tmp mounted.
        assert_output_contains "bin"
        run fly_run "$BB" --exec /bin/sh -- -c 'test -c /dev/null && test -d /proc/1 && test -d /sys/kernel && echo x >/tmp/y && echo ok'
        assert_status 0
        assert_output_contains ok
}

@test "host volumes are mounted, read-only honoured; mount points outside the rootfs are refused" {
        mkdir -p "$RKT_TEST_DIR/vol"
        echo content >"$RKT_TEST_DIR/vol/f"
        run fly_run --volume=v,kind=host,source="$RKT_TEST_DIR/vol" "$BB" --mount volume=v,target=/data \
                --exec /bin/sh -- -c 'cat /data/f && echo written >/data/w'
        assert_status 0
        assert_output_contains content
        [ "$(cat "$RKT_TEST_DIR/vol/w")" = written ]
        run fly_run --volume=v,kind=host,source="$RKT_TEST_DIR/vol",readOnly=true "$BB" --mount volume=v,target=/data \
                --exec /bin/sh -- -c 'cat /data/f; echo again >/data/w'
        [ "$status" -ne 0 ] || fail "wrote to a read-only volume: $output"
        assert_output_contains "Read-only file system"
        [ "$(cat "$RKT_TEST_DIR/vol/w")" = written ]
        # An image symlink that points at the host's / stays in the rootfs: the volume lands in the image.
        ln -s / "$RKT_TEST_DIR/bb/escape"
        python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/esc.aci" --name example.com/esc \
                --label version=1 --dir "$RKT_TEST_DIR/bb" --exec "/bin/true"
        run fly_run --volume=v,kind=host,source="$RKT_TEST_DIR/vol" "$RKT_TEST_DIR/esc.aci" \
                --mount volume=v,target=/escape/fly-escape-test --exec /bin/sh -- -c 'cat /fly-escape-test/f'
        assert_status 0
        assert_output_contains content
        [ ! -e /fly-escape-test ] || fail "a mount point was made on the host"
        # The host's /dev is the app's, whole: no volume goes into it.
        run fly_run --volume=v,kind=host,source="$RKT_TEST_DIR/vol" "$BB" --mount volume=v,target=/dev/fly-test \
                --exec /bin/true
        assert_status 254
        assert_output_contains "resolves to '/dev/fly-test', in the host's own trees that the app shares (/dev, /proc, /sys)"
        [ ! -e /dev/fly-test ]
}

@test "a running fly pod is listed as running, enter runs a command in its root, stop ends it, gc leaves no mount" {
        start_sleeper
        run rkt list --no-legend
        [[ "$output" == *"${uuid:0:8}"*running* ]] || fail "not running: $output"
        run rkt status "$uuid"
        assert_output_contains "state=running"
        assert_output_contains "pid=$(cat "$RKT_DATA_DIR/pods/run/$uuid/pid")"
        run rkt enter "$uuid" /bin/sh -c 'ls /; echo "net=$(readlink /proc/self/ns/net)"; test -f /bin/busybox'
        assert_status 0
        assert_output_contains "net=$(readlink /proc/self/ns/net)"
        run rkt enter "$uuid" /bin/sh -c 'exit 3'
        assert_status 3
        run rkt stop "$uuid"
        assert_status 0
        run rkt status --wait=30s "$uuid"
        assert_output_contains "state=exited"
        ! pgrep -f '^/bin/sleep 300' >/dev/null || fail "the app outlived stop"
        rkt gc --grace-period=0s
        [ -z "$(findmnt -rn -o TARGET | grep "$RKT_DATA_DIR")" ] || fail "mounts left: $(findmnt -rn -o TARGET | grep "$RKT_DATA_DIR")"
        [ -z "$(ls "$RKT_DATA_DIR/pods/run" 2>/dev/null)" ]
}

@test "stop --force kills the app" {
        start_sleeper
        run rkt stop --force "$uuid"
        assert_status 0
        run rkt status --wait=30s "$uuid"
        assert_output_contains "state=exited"
}

@test "two apps are refused with 254; so are an app that cannot be run and --private-users" {
        run fly_run "$BB" "$BB" --name two
        assert_status 254
        assert_output_contains "stage1-fly runs exactly one app; the pod has 2"
        run fly_run "$BB" --exec /nonexistent
        assert_status 254
        assert_output_contains "'/nonexistent'"
        run fly_run --private-users "$BB"
        assert_status 254
        assert_output_contains "--private-users: the fly stage1 runs the app in the host's user namespace"
}

@test "the stage1 is found by name once fetched, and from the stage1 images directory" {
        run rkt --insecure-options=image fetch "$FLY"
        assert_status 0
        version=$("$RKT" version | sed -n 's/^rkt Version: //p')
        run rkt --insecure-options=image run --stage1-name="coreos.com/rkt/stage1-fly:$version" "$BB" \
                --exec /bin/sh -- -c 'readlink /proc/self/ns/net'
        assert_status 0
        assert_output_contains "$(readlink /proc/self/ns/net)"
        mkdir -p "$RKT_TEST_DIR/s1" "$RKT_LOCAL_CONFIG_DIR/paths.d"
        cp "$FLY" "$RKT_TEST_DIR/s1/"
        printf '{"rktKind":"paths","rktVersion":"v1","stage1-images":"%s"}\n' "$RKT_TEST_DIR/s1" \
                >"$RKT_LOCAL_CONFIG_DIR/paths.d/paths.json"
        run rkt --insecure-options=image run --stage1-from-dir=stage1-fly.aci "$BB" --exec /bin/sh -- -c 'exit 9'
        assert_status 9
}
