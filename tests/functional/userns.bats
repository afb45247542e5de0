#!/usr/bin/env bats
# rkt run/prepare --private-users: pods in a user namespace with a random UID/GID shift, on real pods in the
# booted systemd test host.

load helpers

setup() {
        rkt_setup
        require_systemd
        busybox_rootfs "$RKT_TEST_DIR/bb" sh sleep cat echo id ls true ip stat
        python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/bb.aci" --name example.com/userns \
                --label version=1 --dir "$RKT_TEST_DIR/bb" --exec "/bin/true"
        BB="$RKT_TEST_DIR/bb.aci"
}

teardown() {
        rkt gc --grace-period=0s >/dev/null 2>&1 || true
        rkt_teardown
}

# pod_dir UUID - the pod's directory, whatever its state.
pod_dir() {
        find "$RKT_DATA_DIR/pods" -mindepth 2 -maxdepth 2 -name "$1"
}

# shift_of UUID - the pod's UID shift, after checking its private-users-prepared marker.
shift_of() {
        local range
        range=$(cat "$(pod_dir "$1")/private-users-prepared") || fail "no private-users-prepared"
        [[ "$range" =~ ^([0-9]+):65536$ ]] || fail "marker '$range' is not SHIFT:65536"
        local s=${BASH_REMATCH[1]}
        [ $((s % 65536)) -eq 0 ] && [ "$s" -ge 65536 ] && [ $((s + 65536)) -le 2147483648 ] ||
                fail "shift $s is outside rkt's range"
        echo "$s"
}

@test "userns: the app is root inside, its uid_map holds the shift, an empty volume's file is the shifted root's" {
        run rkt --insecure-options=image run --net=none --private-users --uuid-file-save="$RKT_TEST_DIR/uuid" \
                --volume data,kind=empty "$BB" --mount volume=data,target=/data --exec /bin/sh -- -c \
                'echo "map: $(cat /proc/self/uid_map)"; echo "uid: $(id -u)"; echo x >/data/f; ls -ln /bin/busybox'
        assert_status 0
        uuid=$(cat "$RKT_TEST_DIR/uuid")
        shift=$(shift_of "$uuid")
        output=$(echo "$output" | tr -d '\r') # the pod's console ends lines with CR LF
        echo "$output" | grep -Eq "map: +0 +$shift +65536$" || fail "uid_map without the shift $shift: $output"
        echo "$output" | grep -Eq "uid: 0$" || fail "the app is not root inside: $output"
        # Inside, the image's files are root's, not nobody's.
        echo "$output" | grep -Eq ' 0 +0 .*/bin/busybox' || fail "the image's files are not root's inside: $output"
        dir=$(pod_dir "$uuid")
        [ "$(stat -c %u:%g "$dir/sharedVolumes/data/f")" = "$shift:$shift" ] ||
                fail "the volume's file is $(stat -c %u:%g "$dir/sharedVolumes/data/f"), not $shift:$shift"
        [ "$(stat -c %u "$dir/stage1/rootfs/opt/stage2/userns/rootfs/bin/busybox")" = "$shift" ] ||
                fail "the app's rootfs is not shifted on the host"
        # Two pods get their own shifts (a fresh random pick each time; equal by chance 1 in 32767).
        run rkt --insecure-options=image run --net=none --private-users --uuid-file-save="$RKT_TEST_DIR/uuid2" "$BB"
        assert_status 0
        [ "$(shift_of "$(cat "$RKT_TEST_DIR/uuid2")")" != "$shift" ] || fail "two pods got the same shift"
}

@test "userns: a pod on the default network gets its address; its app's / is 0755 and root's inside" {
        run rkt --insecure-options=image run --private-users --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" \
                --exec /bin/sh -- -c 'ip -o -4 addr show eth0; echo "root: $(stat -c "%A %u %g" /)"'
        assert_status 0
        output=$(echo "$output" | tr -d '\r')
        echo "$output" | grep -Eq 'eth0 +inet 172\.16\.28\.[0-9]+/24' || fail "no address on eth0: $output"
        echo "$output" | grep -Eq 'root: drwxr-xr-x 0 0$' || fail "the app's / is not 0755 root's: $output"
        run rkt status "$(cat "$RKT_TEST_DIR/uuid")"
        assert_output_contains "networks=default:ip4=172.16.28."
}

@test "userns: --user and --group given as a path are its owner and group inside the pod" {
        touch "$RKT_TEST_DIR/bb/owned"
        chown 4242:4343 "$RKT_TEST_DIR/bb/owned"
        python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/owned.aci" --name example.com/owned \
                --label version=1 --dir "$RKT_TEST_DIR/bb" --exec "/bin/true"
        run rkt --insecure-options=image run --net=none --private-users "$RKT_TEST_DIR/owned.aci" \
                --user=/owned --group=/owned --exec /bin/sh -- -c 'echo "ids: $(id -u) $(id -g)"'
        assert_status 0
        assert_output_contains "ids: 4242 4343"
}

@test "userns: the app's process runs as the shifted UID on the host" {
        rkt --insecure-options=image run --net=none --private-users --uuid-file-save="$RKT_TEST_DIR/uuid" \
                "$BB" --exec /bin/sleep -- 301 >/dev/null 2>&1 &
        wait_for 30 test -s "$RKT_TEST_DIR/uuid"
        uuid=$(cat "$RKT_TEST_DIR/uuid")
        wait_for 30 pgrep -f '^/bin/sleep 301'
        pid=$(pgrep -f '^/bin/sleep 301')
        shift=$(shift_of "$uuid")
        [ "$(ps -o uid= -p "$pid" | tr -d ' ')" = "$shift" ] || fail "the app runs as uid $(ps -o uid= -p "$pid")"
        grep -Eq "^Uid:\s+$shift\s" "/proc/$pid/status" || fail "$(grep ^Uid: "/proc/$pid/status")"
        run rkt status "$uuid"
        assert_status 0
        assert_output_contains "state=running"
        # rkt enter joins the pod's user namespace too: root inside, the shifted UID on the host.
        rkt status --wait-ready=30s "$uuid" >/dev/null
        run rkt enter "$uuid" /bin/sh -c 'id -u; cat /proc/self/uid_map'
        assert_status 0
        output=$(echo "$output" | tr -d '\r')
        echo "$output" | grep -Eq "^ +0 +$shift +65536$" || fail "enter is not in the pod's user namespace: $output"
        [ "$(echo "$output" | head -1)" = 0 ] || fail "enter is not root inside: $output"
        rkt enter "$uuid" /bin/sleep 303 >/dev/null 2>&1 &
        wait_for 30 pgrep -f '^/bin/sleep 303'
        [ "$(ps -o uid= -p "$(pgrep -f '^/bin/sleep 303')" | tr -d ' ')" = "$shift" ] ||
                fail "the entered process runs as uid $(ps -o uid= -p "$(pgrep -f '^/bin/sleep 303')") on the host"
        rkt stop "$uuid" >/dev/null
        wait_for 30 sh -c "! pgrep -f '^/bin/sleep 301'"
}

@test "userns: --private-users refuses --net=host (run and run-prepared) and overlay" {
        run rkt --insecure-options=image run --net=host --private-users "$BB"
        assert_status 254
        assert_output_contains "--private-users needs a network of the pod's own"
        [ -z "$(ls "$RKT_DATA_DIR/pods/prepare" "$RKT_DATA_DIR/pods/run" 2>/dev/null)" ] || fail "a pod was left"
        run rkt --insecure-options=image run --net=none --private-users --no-overlay=false "$BB"
        assert_status 254
        assert_output_contains "--private-users cannot be used with overlay"
        run rkt --insecure-options=image prepare --quiet --private-users "$BB"
        assert_status 0
        uuid=$output
        run rkt run-prepared --net=host "$uuid"
        assert_status 254
        assert_output_contains "--private-users needs a network of the pod's own"
        run rkt status "$uuid"
        assert_output_contains "state=prepared"
        run rkt run-prepared --net=none "$uuid"
        assert_status 0
}

@test "userns: rkt export gives the files their owners inside again; gc removes the whole pod" {
        run rkt --insecure-options=image run --net=none --private-users --uuid-file-save="$RKT_TEST_DIR/uuid" \
                "$BB" --exec /bin/sh -- -c 'echo changed >/note'
        assert_status 0
        uuid=$(cat "$RKT_TEST_DIR/uuid")
        shift=$(shift_of "$uuid")
        [ "$(stat -c %u "$(pod_dir "$uuid")/stage1/rootfs/opt/stage2/userns/rootfs/note")" = "$shift" ] ||
                fail "the app's new file is not the shifted root's on the host"
        run rkt export "$uuid" "$RKT_TEST_DIR/out.aci"
        assert_status 0
        listing=$(tar tzvf "$RKT_TEST_DIR/out.aci" --numeric-owner)
        echo "$listing" | grep -Eq '^-.* 0/0 .* rootfs/note$' || fail "rootfs/note: $(echo "$listing" | grep note)"
        echo "$listing" | grep -Eq '^-.* 0/0 .* rootfs/bin/busybox$' || fail "$(echo "$listing" | grep busybox)"
        ! echo "$listing" | grep -q " $shift/" || fail "shifted owners in the ACI"
        run rkt gc --grace-period=0s
        assert_status 0
        [ -z "$(pod_dir "$uuid")" ] || fail "gc left $(pod_dir "$uuid")"
}
