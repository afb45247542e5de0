#!/usr/bin/env bats
# Pods: rkt run, prepare and run-prepared with the real stage1 (systemd-nspawn + systemd as the pod's
# init), machined and journald, inside the booted systemd test host.

load helpers

setup() {
        rkt_setup
        require_systemd
        UNIT=
        # A busybox image: the app's command comes from --exec or the image's default.
        busybox_rootfs "$RKT_TEST_DIR/bb" sh sleep cat echo env pwd id ls true false ip grep readlink
        python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/bb.aci" --name example.com/busybox \
                --label version=1 --dir "$RKT_TEST_DIR/bb" --exec "/bin/sh -c 'echo hello from the pod'"
        BB="$RKT_TEST_DIR/bb.aci"
}

teardown() {
        local u
        for u in $UNIT; do
                systemctl stop "$u" 2>/dev/null || true
                systemctl reset-failed "$u" 2>/dev/null || true
        done
        rkt gc --grace-period=0s >/dev/null 2>&1 || true
        rkt_teardown
}

# No app of a test pod (/bin/sleep 300) is running.
no_app_left() {
        ! pgrep -f '^/bin/sleep 300' >/dev/null
}

# start_sleeper - starts a pod running /bin/sleep 300 in the background; sets uuid once nspawn runs.
start_sleeper() {
        rm -f "$RKT_TEST_DIR/uuid"
        run_pod --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" --exec /bin/sleep -- 300 >/dev/null 2>&1 &
        wait_for 30 test -s "$RKT_TEST_DIR/uuid"
        uuid=$(cat "$RKT_TEST_DIR/uuid")
        wait_for 10 test -s "$RKT_DATA_DIR/pods/run/$uuid/ppid"
}

run_pod() {
        rkt --insecure-options=image run --net=host "$@"
}

@test "rkt run exits with the app's exit status" {
        run run_pod "$BB" --exec /bin/sh -- -c "echo hi; exit 42"
        [ "$status" -eq 42 ] || fail "status $status: $output"
        assert_output_contains "hi"
        run run_pod "$BB" --exec /bin/sh -- -c "exit 1"
        assert_status 1
        run run_pod "$BB" --exec /bin/sh -- -c 'kill -9 $$'
        assert_status 137
        run run_pod "$BB" --exec /bin/true
        assert_status 0
}

@test "rkt run of several apps exits with the first failing app's status and records each" {
        run run_pod --uuid-file-save="$RKT_TEST_DIR/uuid" \
                "$BB" --name ok --exec /bin/true \
                "$BB" --name bad --exec /bin/sh -- -c "sleep 1; exit 7" ---
        [ "$status" -eq 7 ] || fail "status $status: $output"
        uuid=$(cat "$RKT_TEST_DIR/uuid")
        run rkt status "$uuid"
        assert_status 0
        assert_output_contains "state=exited"
        assert_output_contains "app-ok=0"
        assert_output_contains "app-bad=7"
}

# assert_no_unit_failure [WORD] - $output (from `run`, a pod's systemd with --debug) has none of systemd's
# words for a unit that failed: a failed start (the status line ellipsizes long unit names, but keeps their
# start), or a unit's failed result or main process, on a line with WORD if given.
assert_no_unit_failure() {
        local l
        for l in "${lines[@]}"; do
                case $l in
                *FAILED*"${1:-}"* | *"Failed to start"*"${1:-}"*) fail "a unit failure in the pod's log: $l" ;;
                *"${1:-}"*"Failed with result"* | *"${1:-}"*"/FAILURE"*) fail "a unit failure in the pod's log: $l" ;;
                esac
        done
}

@test "rkt --debug run: a pod ends with no unit failure in its log, and with its app's status" {
        run rkt --debug --insecure-options=image run --net=host "$BB" --exec /bin/true
        assert_status 0
        assert_output_contains "Reached target"
        assert_no_unit_failure
        run rkt --debug --insecure-options=image run --net=host \
                "$BB" --name one --exec /bin/true "$BB" --name two --exec /bin/sh -- -c "sleep 1" ---
        assert_status 0
        assert_no_unit_failure
        # The app's own failure is one; its reaper, which ends the pod with the app's status, has none. An app
        # that exits before its systemd has read that the exec succeeded (Type=exec) is even reported as
        # "Failed to start": that is still the app's failure, not the reaper's.
        run rkt --debug --insecure-options=image run --net=host --uuid-file-save="$RKT_TEST_DIR/uuid" \
                "$BB" --exec /bin/sh -- -c "echo five; exit 5"
        assert_status 5
        assert_output_contains "five"
        assert_output_contains "busybox.service: Failed with result 'exit-code'"
        assert_no_unit_failure reaper-
        run rkt status "$(cat "$RKT_TEST_DIR/uuid")"
        assert_status 0
        assert_output_contains "app-busybox=5"
}

@test "rkt --debug run: the app's unit parses without a warning (every system call it names is known)" {
        run rkt --debug --insecure-options=image run --net=host "$BB" --exec /bin/true
        assert_status 0
        assert_output_contains "Reached target"
        [[ $output != *"Failed to parse"* ]] || fail "$output"
}

@test "without --net the pod is on the default network: eth0 on 172.16.28.0/24, a default route, not the host's" {
        run rkt --insecure-options=image run --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" --exec /bin/sh -- -c \
                'ip -o -4 addr show eth0 | grep -q "inet 172\.16\.28\." && ip route | grep -q "^default via 172\.16\.28\.1 dev eth0" && test "$(readlink /proc/self/ns/net)" != "$0"' \
                "$(readlink /proc/self/ns/net)"
        assert_status 0
        run rkt status --format=json "$(cat "$RKT_TEST_DIR/uuid")"
        [[ "$(echo "$output" | jq -r '.networks[0].netName + " " + .networks[0].ip')" =~ ^default\ 172\.16\.28\.[0-9]+$ ]] ||
                fail "networks: $output"
}

@test "app arguments, working directory and environment reach the app" {
        run run_pod --set-env=FROM_POD=pod "$BB" --working-dir=/etc --environment=FROM_APP=app \
                --exec /bin/sh -- -c 'echo "cwd=$(pwd) pod=$FROM_POD app=$FROM_APP name=$AC_APP_NAME"; test "$(pwd)" = /etc && test "$FROM_POD" = pod && test "$FROM_APP" = app && test "$AC_APP_NAME" = busybox'
        assert_status 0
}

@test "rkt prepare prints a UUID that rkt run-prepared runs" {
        run rkt --insecure-options=image prepare "$BB" --exec /bin/sh -- -c "exit 5"
        assert_status 0
        uuid=${lines[-1]}
        [[ "$uuid" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] || fail "not a UUID: $output"
        run rkt status "$uuid"
        assert_output_contains "state=prepared"
        # The pod manifest rkt wrote is valid appc.
        "$RKT_BUILDDIR/tests/actool" validate "$RKT_DATA_DIR/pods/prepared/$uuid/pod"
        run rkt run-prepared --net=host "${uuid:0:8}"
        assert_status 5
        run rkt run-prepared --net=host "$uuid"
        assert_status 254
        assert_output_contains "not prepared"
}

@test "a running pod is a machined machine, stops on rkt stop, and gc leaves no mount behind" {
        start_sleeper
        wait_for 30 sh -c "machinectl list --no-legend | grep -q rkt-$uuid" ||
                fail "rkt-$uuid not in machinectl list: $(machinectl list)"
        rkt status --wait-ready=30s "$uuid" >/dev/null
        run rkt status "$uuid"
        assert_output_contains "state=running"
        run rkt stop "$uuid"
        assert_status 0
        wait_for 30 sh -c "! machinectl list --no-legend | grep -q rkt-$uuid"
        run rkt status --wait=30s "$uuid"
        assert_output_contains "state=exited"
        rkt gc --grace-period=0s
        [ -z "$(findmnt -rn -o TARGET | grep "$RKT_DATA_DIR")" ] || fail "mounts left: $(findmnt -rn -o TARGET | grep "$RKT_DATA_DIR")"
        [ -z "$(ls "$RKT_DATA_DIR/pods/run" 2>/dev/null)" ]
}

@test "kill -9 of systemd-nspawn takes the pod down with it; status tells the truth" {
        start_sleeper
        wait_for 30 sh -c "machinectl list --no-legend | grep -q rkt-$uuid"
        wait_for 10 test -s "$RKT_DATA_DIR/pods/run/$uuid/ppid"
        kill -9 "$(cat "$RKT_DATA_DIR/pods/run/$uuid/ppid")"
        wait_for 30 sh -c "! machinectl list --no-legend | grep -q rkt-$uuid" ||
                fail "the pod outlived its nspawn: $(machinectl list --no-legend)"
        no_app_left || fail "the app outlived its nspawn"
        run rkt status "$uuid"
        assert_output_contains "state=exited"
        rkt gc --grace-period=0s
        [ -z "$(findmnt -rn -o TARGET | grep "$RKT_DATA_DIR")" ]
}

# Both while the pod boots (its systemd does not take signals yet: the stop guard waits until it does)
# and once it runs.
@test "kill -9 of rkt's pod, early or late, powers the pod off; the pod list tells the truth, and gc cleans up" {
        for when in early late; do
                start_sleeper
                if [ "$when" = late ]; then
                        rkt status --wait-ready=30s "$uuid" >/dev/null
                fi
                kill_rkt_and_check "$uuid"
        done
}

kill_rkt_and_check() {
        local uuid=$1 rkt_pid
        # rkt exec'd stage1's init, which supervises nspawn (the ppid process): kill rkt's process.
        rkt_pid=$(awk '/^PPid:/ {print $2}' "/proc/$(cat "$RKT_DATA_DIR/pods/run/$uuid/ppid")/status")
        grep -q init "/proc/$rkt_pid/cmdline" || fail "pid $rkt_pid is not stage1's init"
        kill -9 "$rkt_pid"
        run rkt status --wait=60s "$uuid"
        assert_output_contains "state=exited"
        wait_for 30 sh -c "! machinectl list --no-legend | grep -q rkt-$uuid" ||
                fail "the pod outlived rkt: $(machinectl list --no-legend)"
        wait_for 30 no_app_left || fail "the app outlived rkt: $(ps -ef | grep 'sleep 300')"
        rkt gc --grace-period=0s
        [ -z "$(findmnt -rn -o TARGET | grep "$RKT_DATA_DIR")" ]
        run rkt status "$uuid"
        assert_status 254
}

@test "rkt stop of a pod that is still booting stops it once its systemd can hear it" {
        start_sleeper
        run rkt stop "$uuid"
        assert_status 0
        run rkt status --wait=60s "$uuid"
        assert_output_contains "state=exited"
        wait_for 30 no_app_left || fail "the app outlived rkt stop"
}

@test "kill -9 of the pod's own init (its systemd) ends nspawn and rkt; list and gc tell the truth" {
        run_pod --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" --exec /bin/sleep -- 300 >"$RKT_TEST_DIR/out" 2>&1 &
        rkt_job=$!
        wait_for 30 test -s "$RKT_TEST_DIR/uuid"
        uuid=$(cat "$RKT_TEST_DIR/uuid")
        rkt status --wait-ready=30s "$uuid" >/dev/null
        ppid=$(cat "$RKT_DATA_DIR/pods/run/$uuid/ppid")
        leader=$(tr -d ' \n' <"/proc/$ppid/task/$ppid/children")
        [ "$(cat "/proc/$leader/comm")" = systemd ] || fail "pid $leader is $(cat "/proc/$leader/comm"), not the pod's systemd"
        kill -9 "$leader"
        rc=0
        wait "$rkt_job" || rc=$?
        [ "$rc" -ne 0 ] || fail "rkt run exited 0 for a pod whose init was killed"
        run rkt list --no-legend
        assert_output_contains "exited"
        no_app_left || fail "the app outlived the pod's init"
        rkt gc --grace-period=0s
        [ -z "$(findmnt -rn -o TARGET | grep "$RKT_DATA_DIR")" ]
        run rkt list --no-legend
        [ -z "$output" ] || fail "pods left: $output"
}

@test "kill -9 of rkt's stage1 init and nspawn at once: the pod is exited and gc kills what is left of it" {
        start_sleeper
        rkt status --wait-ready=30s "$uuid" >/dev/null
        ppid=$(cat "$RKT_DATA_DIR/pods/run/$uuid/ppid")
        init_pid=$(awk '/^PPid:/ {print $2}' "/proc/$ppid/status")
        guard=$(cat "/proc/$init_pid/task/$init_pid/children" | tr ' ' '\n' | grep -vx "$ppid" || true)
        # Everything that could end the pod in order, at once: stopped first, so that none of them acts on
        # the death of another (nspawn's parent-death SIGTERM, init reaping the pod's systemd).
        kill -STOP "$init_pid" "$ppid" $guard
        kill -9 "$init_pid" "$ppid" $guard
        run rkt status --wait=30s "$uuid"
        assert_output_contains "state=exited"
        pgrep -f '^/bin/sleep 300' >/dev/null || fail "nothing was left running: the test did not orphan the pod"
        run rkt gc --grace-period=0s
        assert_status 0
        assert_output_contains "leftover process"
        wait_for 30 no_app_left || fail "the app outlived gc: $(ps -ef | grep 'sleep 300')"
        wait_for 30 sh -c "! machinectl list --no-legend | grep -q rkt-$uuid" ||
                fail "the machine outlived gc: $(machinectl list --no-legend)"
        [ -z "$(findmnt -rn -o TARGET | grep "$RKT_DATA_DIR")" ]
}

@test "machinectl poweroff and terminate end the pod; rkt status follows" {
        for how in poweroff terminate; do
                start_sleeper
                rkt status --wait-ready=30s "$uuid" >/dev/null
                machinectl "$how" "rkt-$uuid"
                run rkt status --wait=60s "$uuid"
                assert_output_contains "state=exited"
                wait_for 30 sh -c "! machinectl list --no-legend | grep -q rkt-$uuid"
                if [ "$how" = poweroff ]; then
                        # an orderly stop: the app was stopped by the pod's systemd and its status recorded
                        assert_output_contains "app-busybox="
                fi
        done
}

@test "a pod run as a Type=notify unit: the unit is started when the pod's systemd is up" {
        UNIT=rkt-test-notify-$$.service
        # systemd-run returns once the start job is done: for Type=notify, at READY=1, which nspawn sends
        # and stage1's init, the unit's main process, passes on (default NotifyAccess=main).
        timeout 120 systemd-run --quiet --unit="$UNIT" -p Type=notify -p TimeoutStartSec=60 \
                "$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
                --system-config="$RKT_SYSTEM_CONFIG_DIR" --insecure-options=image run --net=host \
                --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" --exec /bin/sleep -- 300 ||
                fail "the notify unit did not start: $(systemctl status "$UNIT" --no-pager 2>&1)"
        run systemctl show -p Type,ActiveState,SubState --value "$UNIT"
        [ "$(echo $output)" = "notify active running" ] || fail "unit state: $output"
        uuid=$(cat "$RKT_TEST_DIR/uuid")
        run rkt status "$uuid"
        assert_output_contains "state=running"
        run machinectl show -p State --value "rkt-$uuid"
        [ "$output" = running ] || fail "machine state: $output"
        systemctl stop "$UNIT"
        run rkt status --wait=30s "$uuid"
        assert_output_contains "state=exited"
}

@test "under systemd-run the pod stays in the unit's cgroup (--keep-unit)" {
        UNIT=rkt-test-$$.service
        systemd-run --quiet --unit="$UNIT" "$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
                --system-config="$RKT_SYSTEM_CONFIG_DIR" --insecure-options=image run --net=host \
                --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" --exec /bin/sleep -- 300
        wait_for 30 test -s "$RKT_TEST_DIR/uuid"
        uuid=$(cat "$RKT_TEST_DIR/uuid")
        wait_for 30 sh -c "machinectl list --no-legend | grep -q rkt-$uuid"
        run machinectl show -p Unit --value "rkt-$uuid"
        [ "$output" = "$UNIT" ] || fail "machine unit: $output"
        systemctl stop "$UNIT"
        wait_for 30 sh -c "! machinectl list --no-legend | grep -q rkt-$uuid"
}

@test "a pod run as a transient unit is a machine, logs to its journal, and systemctl stop ends it" {
        UNIT=rkt-test-journal-$$.service
        systemd-run --quiet --unit="$UNIT" "$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
                --system-config="$RKT_SYSTEM_CONFIG_DIR" --insecure-options=image run --net=host \
                --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" --name talker --exec /bin/sh -- -c "echo line-$$-hi; exec sleep 300"
        wait_for 30 test -s "$RKT_TEST_DIR/uuid"
        uuid=$(cat "$RKT_TEST_DIR/uuid")
        wait_for 30 sh -c "machinectl list --no-legend | grep -q rkt-$uuid"
        wait_for 30 sh -c "journalctl -M rkt-$uuid --no-pager -t talker | grep -q line-$$-hi" ||
                fail "journalctl -M rkt-$uuid lacks the app's line"
        systemctl stop "$UNIT"
        wait_for 30 sh -c "! machinectl list --no-legend | grep -q rkt-$uuid"
        run rkt status "$uuid"
        assert_output_contains "state=exited"
        # After exit, the README's command reads the pod's journal until rkt gc removes the pod.
        run journalctl --no-pager -D "$(ls -d "$RKT_DATA_DIR"/pods/*/"$uuid")/stage1/rootfs/var/log/journal" -t talker
        assert_output_contains "line-$$-hi"
}

@test "socket activation: the sockets of the socket unit that started rkt reach the app's socketActivated port" {
        local port=18093
        # The app accepts on the socket systemd gives it (LISTEN_FDS) and echoes a line: python3 from the
        # host's /usr, mounted read-only. The pod is on the default network, so a socket the pod made
        # itself would not be reachable at the host's loopback: the reply must come through the host's.
        mkdir -p "$RKT_TEST_DIR/sa/usr"
        for l in bin lib lib64; do ln -s "usr/$l" "$RKT_TEST_DIR/sa/$l"; done
        python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/sa.aci" --name example.com/socket-activated \
                --label version=1 --dir "$RKT_TEST_DIR/sa" --mount-point usr:/usr:ro \
                --port echo:tcp:7:socket-activated \
                --exec "/usr/bin/python3 -c 'import socket; c = socket.socket(fileno=3).accept()[0]; c.sendall(c.recv(64))'"
        UNIT="rkt-test-sa-$$.socket rkt-test-sa-$$.service"
        systemd-run --quiet --unit="rkt-test-sa-$$" --socket-property=ListenStream="$port" -p KillMode=mixed \
                "$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
                --system-config="$RKT_SYSTEM_CONFIG_DIR" --insecure-options=image run --port=echo:"$port" \
                --volume=usr,kind=host,source=/usr,readOnly=true "$RKT_TEST_DIR/sa.aci"
        run timeout 60 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "HELO-%s\n" "$2" >&3 && read -r line <&3 && echo "$line"' _ "$port" "$$"
        assert_status 0
        [ "$output" = "HELO-$$" ] || fail "reply: $output; $(journalctl -u "rkt-test-sa-$$.service" --no-pager | tail -20)"
}

@test "app output goes to the journal under the app's name" {
        run run_pod --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" --name talker --exec /bin/sh -- -c "echo marker-$$-xyz"
        assert_status 0
        uuid=$(cat "$RKT_TEST_DIR/uuid")
        machine_id=${uuid//-/}
        wait_for 10 sh -c "journalctl -q --no-pager -D /var/log/journal/$machine_id -t talker 2>/dev/null | grep -q marker-$$-xyz || journalctl -q --no-pager _MACHINE_ID=$machine_id -t talker 2>/dev/null | grep -q marker-$$-xyz" ||
                fail "marker not in the journal"
}

@test "an app's lines end CR LF on a terminal, as any program's, and LF in a pipe" {
        local cmd
        # script(1) gives rkt a terminal, which turns LF into CR LF itself: the pod's console must not as well.
        cmd=$(printf '%q ' "$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
                --system-config="$RKT_SYSTEM_CONFIG_DIR" --insecure-options=image run --net=host "$BB" \
                --exec /bin/echo -- tty-line)
        script -qec "$cmd" /dev/null </dev/null >"$RKT_TEST_DIR/tty.out" || fail "rkt on a terminal: $(cat -A "$RKT_TEST_DIR/tty.out")"
        grep -q $'tty-line\r$' "$RKT_TEST_DIR/tty.out" || fail "the app's line on a terminal: $(cat -A "$RKT_TEST_DIR/tty.out")"
        run_pod "$BB" --exec /bin/echo -- pipe-line >"$RKT_TEST_DIR/pipe.out" || fail "rkt run into a pipe failed"
        grep -q 'pipe-line$' "$RKT_TEST_DIR/pipe.out" || fail "no app line in: $(cat -A "$RKT_TEST_DIR/pipe.out")"
        run grep -c $'\r' "$RKT_TEST_DIR/pipe.out"
        [ "$output" = 0 ] || fail "CR in the app's output to a pipe: $(cat -A "$RKT_TEST_DIR/pipe.out")"
}

@test "images are rendered once: a second pod of the same image reuses the tree" {
        run_pod "$BB" --exec /bin/true
        trees=$(ls "$RKT_DATA_DIR/cas/tree" | wc -l)
        run_pod "$BB" --exec /bin/true
        [ "$(ls "$RKT_DATA_DIR/cas/tree" | wc -l)" -eq "$trees" ]
}

@test "image verify renders a damaged or incomplete tree again, and a pod runs from it" {
        run_pod "$BB" --exec /bin/true
        id=$(rkt --insecure-options=image fetch --full "$BB")
        marker=$(grep -l "\"$id\"" "$RKT_DATA_DIR"/cas/tree/*/rendered)
        tree=${marker%/rendered}
        [ -d "$tree/rootfs/bin" ] || fail "no tree for $id"
        grep -q '"hash":"sha512-' "$marker" || fail "the marker records no hash: $(cat "$marker")"
        run rkt image verify example.com/busybox
        assert_status 0
        assert_output_contains "successfully verified checksum for image: \"example.com/busybox\" (\"$id\")"

        # An altered file.
        echo intruder >>"$tree/rootfs/etc/passwd"
        run rkt image verify example.com/busybox
        assert_status 0
        assert_output_contains "tree cache verification failed for image \"example.com/busybox\": wrong tree hash"
        assert_output_contains "; rebuilt"
        run run_pod "$BB" --exec /bin/cat -- /etc/passwd
        assert_status 0
        assert_output_contains "root:x:0:0:root:/root:/bin/sh"
        [[ $output != *intruder* ]] || fail "the pod saw the damaged file: $output"

        # A missing file.
        rm "$tree/rootfs/bin/busybox"
        run rkt image verify "${id:0:20}"
        assert_status 0
        assert_output_contains "wrong tree hash"
        run run_pod "$BB"
        assert_status 0
        assert_output_contains "hello from the pod"

        # A truncated marker, then a tree left without one.
        truncate -s 5 "$marker"
        run rkt image verify example.com/busybox
        assert_status 0
        assert_output_contains "marker is damaged; rebuilt"
        rm "$marker"
        run rkt image verify example.com/busybox
        assert_status 0
        assert_output_contains "the tree is incomplete"
        run rkt image verify example.com/busybox
        assert_status 0
        assert_output_contains "successfully verified checksum"
        [ -z "$(find "$RKT_DATA_DIR/cas/tree" -mindepth 1 -maxdepth 1 -name '.*')" ] || fail "leftovers: $(ls -A "$RKT_DATA_DIR/cas/tree")"
        run run_pod "$BB"
        assert_status 0
        assert_output_contains "hello from the pod"
}

@test "image verify does not replace a damaged tree under a running pod" {
        start_sleeper
        rkt status --wait-ready=30s "$uuid" >/dev/null
        marker=$(grep -l "\"$(rkt --insecure-options=image fetch --full "$BB")\"" "$RKT_DATA_DIR"/cas/tree/*/rendered)
        echo intruder >>"${marker%/rendered}/rootfs/etc/passwd"
        run rkt image verify example.com/busybox
        assert_status 254
        assert_output_contains "running pods use it; stop them and verify again"
        rkt stop "$uuid" >/dev/null
        rkt status --wait=30s "$uuid" >/dev/null
        run rkt image verify example.com/busybox
        assert_status 0
        assert_output_contains "; rebuilt"
}

@test "paths.d: 'data' is the data dir without --dir (symlinks resolved, --dir wins); 'stage1-images' holds the stage1" {
        real=$RKT_TEST_DIR/real-data
        mkdir -p "$real" "$RKT_TEST_DIR/s1" "$RKT_LOCAL_CONFIG_DIR/paths.d"
        ln -s real-data "$RKT_TEST_DIR/data-link"
        cp "$RKT_BUILDDIR/stage1-nspawn.aci" "$RKT_TEST_DIR/s1/my-stage1.aci"
        printf '{"rktKind":"paths","rktVersion":"v1","data":"%s","stage1-images":"%s"}\n' \
                "$RKT_TEST_DIR/data-link" "$RKT_TEST_DIR/s1" >"$RKT_LOCAL_CONFIG_DIR/paths.d/paths.json"
        cfg() { "$RKT" --local-config="$RKT_LOCAL_CONFIG_DIR" --system-config="$RKT_SYSTEM_CONFIG_DIR" "$@"; }

        run cfg --insecure-options=image prepare --stage1-from-dir=my-stage1.aci "$BB"
        assert_status 0
        uuid=${lines[-1]}
        [ -d "$real/pods/prepared/$uuid" ] || fail "the pod is not in the configured data dir"
        grep -qr "$RKT_TEST_DIR/s1/my-stage1.aci" "$real/cas/files" || fail "the stage1 did not come from the configured dir"
        run cfg list --no-legend
        assert_status 0
        assert_output_contains "${uuid:0:8}"
        run cfg image list --no-legend
        assert_output_contains "example.com/busybox"
        run cfg --dir="$RKT_DATA_DIR" image list --no-legend
        assert_status 0
        [[ $output != *busybox* ]] || fail "--dir did not win: $output"
        run cfg run-prepared --net=host "$uuid"
        assert_status 0
        assert_output_contains "hello from the pod"

        # Without --stage1-*, the default stage1 is looked for in the configured dir, and only there.
        run cfg --insecure-options=image run --net=host "$BB"
        assert_status 254
        assert_output_contains "no stage1 image at '$RKT_TEST_DIR/s1/stage1-nspawn.aci'"
        mv "$RKT_TEST_DIR/s1/my-stage1.aci" "$RKT_TEST_DIR/s1/stage1-nspawn.aci"
        run cfg --insecure-options=image run --net=host "$BB"
        assert_status 0
        assert_output_contains "hello from the pod"
        grep -qr "$RKT_TEST_DIR/s1/stage1-nspawn.aci" "$real/cas/files" || fail "the default stage1 was not the configured one"

        # Bad values and a key set twice in one dir: one line naming file and field, exit 254.
        printf '{"rktKind":"paths","rktVersion":"v1","data":"relative/dir"}\n' >"$RKT_LOCAL_CONFIG_DIR/paths.d/paths.json"
        run cfg image list
        assert_status 254
        assert_output_contains "paths.d/paths.json': field 'data': 'relative/dir' is not an absolute path"
        [ "${#lines[@]}" -eq 1 ] || fail "not one line: $output"
        printf '{"rktKind":"paths","rktVersion":"v1","stage1-images":"/a"}\n' >"$RKT_LOCAL_CONFIG_DIR/paths.d/paths.json"
        printf '{"rktKind":"paths","rktVersion":"v1","stage1-images":"/b"}\n' >"$RKT_LOCAL_CONFIG_DIR/paths.d/zz.json"
        run cfg list
        assert_status 254
        assert_output_contains "zz.json': field 'stage1-images': already set in '$RKT_LOCAL_CONFIG_DIR/paths.d/paths.json'"
}

@test "--no-overlay copies the images into the pod" {
        run run_pod --no-overlay --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" --exec /bin/sh -- -c "exit 4"
        assert_status 4
        uuid=$(cat "$RKT_TEST_DIR/uuid")
        [ -x "$RKT_DATA_DIR/pods/run/$uuid/stage1/rootfs/opt/stage2/busybox/rootfs/bin/busybox" ]
        [ -z "$(findmnt -rn -o TARGET | grep "$uuid")" ]
}

@test "run and prepare refuse bad input with exit 254 and a clear message" {
        run rkt --insecure-options=image run --net=host "$RKT_TEST_DIR/missing.aci"
        assert_status 254
        assert_output_contains "missing.aci"
        run rkt run --net=host "$BB"
        assert_status 254
        assert_output_contains "--insecure-options=image"
        run rkt --insecure-options=image run --net=host "$BB" --bogus-flag
        assert_status 254
        run rkt --insecure-options=image run --net=host --stage1-path=/nonexistent.aci "$BB"
        assert_status 254
        run rkt --insecure-options=image prepare
        assert_status 254
        [ -z "$(ls "$RKT_DATA_DIR/pods/prepared" 2>/dev/null)" ]
}
