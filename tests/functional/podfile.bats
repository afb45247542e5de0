#!/usr/bin/env bats
# Pod names (rkt run|prepare --name) and pod files (rkt.pod(5)): the generator turns
# /etc/rkt/pods/NAME.pod into NAME.service, run by the test host's real systemd.

load helpers

setup() {
        rkt_setup
        require_systemd
        require_root
        POD=pf$$-$BATS_TEST_NUMBER
        PODS=()
        busybox_rootfs "$RKT_TEST_DIR/bb" sh sleep cat echo true
        python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/bb.aci" --name example.com/busybox \
                --label version=1 --dir "$RKT_TEST_DIR/bb" --exec "/bin/sh -c 'echo hello from the pod'"
        BB="$RKT_TEST_DIR/bb.aci"
        # The generator is rkt itself under that name; /run's generator directory is systemd's own too.
        mkdir -p /run/systemd/system-generators /etc/rkt/pods /run/rkt/pods /usr/lib/rkt/pods
        ln -sf "${RKT_VALGRIND_REAL:-$RKT}" /run/systemd/system-generators/rkt-pod-generator
}

teardown() {
        local p
        for p in "${PODS[@]}"; do
                systemctl stop "$p.service" 2>/dev/null || true
                systemctl reset-failed "$p.service" 2>/dev/null || true
                rm -f "/etc/rkt/pods/$p.pod" "/run/rkt/pods/$p.pod" "/usr/lib/rkt/pods/$p.pod"
        done
        rm -f /run/systemd/system-generators/rkt-pod-generator
        systemctl daemon-reload
        rkt_teardown
}

# pod_file DIR NAME - writes DIR/NAME.pod from stdin, after a [Pod] section that points rkt at this test's
# directories.
pod_file() {
        PODS+=("$2")
        {
                printf '[Pod]\nDir=%s\nLocalConfig=%s\nSystemConfig=%s\nInsecureOptions=image\nNet=host\n' \
                        "$RKT_DATA_DIR" "$RKT_LOCAL_CONFIG_DIR" "$RKT_SYSTEM_CONFIG_DIR"
                cat
        } >"$1/$2.pod"
}

machine_listed() {
        machinectl list --no-legend | grep -q "^$1 "
}

@test "a pod file becomes a unit: the pod runs as the machine NAME, and systemctl stop ends it in order" {
        pod_file /etc/rkt/pods "$POD" <<EOF
[App]
Image=$BB
Name=talker
Exec=/bin/sh -c "trap 'echo talker-$$-got-term; exit 0' TERM; echo talker-$$-up; while true; do sleep 1; done"
EOF
        systemctl daemon-reload
        timeout 120 systemctl start "$POD" || fail "start failed: $(systemctl status "$POD" --no-pager 2>&1)"
        local p v
        for p in Type=notify ActiveState=active SubState=running Slice=machine.slice KillMode=mixed; do
                v=$(systemctl show -p "${p%%=*}" "$POD")
                [ "$v" = "$p" ] || fail "unit: $v, expected $p"
        done
        machine_listed "$POD" || fail "machine $POD not listed: $(machinectl list)"
        wait_for 30 sh -c "journalctl -M '$POD' --no-pager -t talker | grep -q talker-$$-up" ||
                fail "journalctl -M $POD lacks the app's line: $(journalctl -M "$POD" --no-pager 2>&1)"
        run rkt status "$POD"
        assert_status 0
        assert_output_contains "state=running"
        assert_output_contains "name=$POD"
        run rkt list --no-legend
        assert_output_contains "$POD"
        run rkt list --format=json
        assert_output_contains "\"pod_name\":\"$POD\""
        run machinectl show -p Unit --value "$POD"
        [ "$output" = "$POD.service" ] || fail "machine $POD belongs to '$output'"
        run rkt enter "$POD" /bin/echo entered-by-name
        assert_status 0
        assert_output_contains "entered-by-name"

        systemctl stop "$POD"
        for p in ActiveState=inactive Result=success; do
                v=$(systemctl show -p "${p%%=*}" "$POD")
                [ "$v" = "$p" ] || fail "after stop: $v, expected $p"
        done
        run machine_listed "$POD"
        assert_status 1
        # The app got SIGTERM and ended on its own (its trap ran): an orderly stop, not a kill.
        local dir
        dir=$(ls -d "$RKT_DATA_DIR"/pods/exited-garbage/*/) || fail "the pod is not in exited-garbage (ExecStopPost)"
        run journalctl --no-pager -D "$dir/stage1/rootfs/var/log/journal" -t talker
        assert_output_contains "talker-$$-got-term"
        # ExecStopPost made the pod garbage: the name is free for the next start.
        run rkt status "$POD"
        assert_output_contains "state=exited"
        timeout 120 systemctl start "$POD" || fail "second start failed: $(systemctl status "$POD" --no-pager 2>&1)"
        systemctl stop "$POD"
}

@test "two apps in one pod file run in one pod, in the order of their sections" {
        pod_file /run/rkt/pods "$POD" <<EOF
[App]
Image=$BB
Name=first
Exec=/bin/sh -c "echo first-$$; exec sleep 300"
[App]
Image=$BB
Name=second
Exec=/bin/sh -c "echo second-$$; exec sleep 300"
EOF
        systemctl daemon-reload
        timeout 120 systemctl start "$POD" || fail "start failed: $(systemctl status "$POD" --no-pager 2>&1)"
        run rkt cat-manifest "$POD"
        assert_status 0
        [[ $output == *'"name": "first"'*'"name": "second"'* ]] || fail "apps not in order: $output"
        wait_for 30 sh -c "journalctl -M '$POD' --no-pager -t first | grep -q first-$$" || fail "no line of first"
        wait_for 30 sh -c "journalctl -M '$POD' --no-pager -t second | grep -q second-$$" || fail "no line of second"
        # rkt stop by name ends the pod, and with it the unit, which is not failed.
        run rkt stop "$POD"
        assert_status 0
        wait_for 60 sh -c "! systemctl is-active -q '$POD'" || fail "the unit outlived rkt stop"
        run systemctl is-failed "$POD"
        assert_status 1
}

@test "a bad pod file gives a unit that fails with file, line and key, and the generator logs it" {
        pod_file /etc/rkt/pods "$POD" <<EOF
[App]
Image=$BB
Prot=http:80
EOF
        systemctl daemon-reload
        run timeout 60 systemctl start "$POD"
        [ "$status" -ne 0 ] || fail "the unit of a bad file started"
        run systemctl show -p ActiveState --value "$POD"
        [ "$output" = failed ] || fail "state: $output"
        run systemctl status --no-pager -n 20 "$POD"
        assert_output_contains "/etc/rkt/pods/$POD.pod:9: Prot=: unknown key in [App]"
        run journalctl --no-pager -t rkt-pod-generator
        assert_output_contains "/etc/rkt/pods/$POD.pod:9: Prot=: unknown key in [App]"
        run "$RKT" pod-file verify "/etc/rkt/pods/$POD.pod"
        assert_status 254
        assert_one_error_line
        assert_output_contains "/etc/rkt/pods/$POD.pod:9: Prot=: unknown key in [App]"
}

@test "rkt pod-file verify prints the unit, and checks the values as rkt run does" {
        pod_file "$RKT_TEST_DIR" "$POD" <<EOF
[App]
Image=$BB
Exec=/bin/echo "a b" 50%
EOF
        run "$RKT" pod-file verify "$RKT_TEST_DIR/$POD.pod"
        assert_status 0
        assert_output_contains "ExecStart=${RKT_VALGRIND_REAL:-$RKT} --dir=$RKT_DATA_DIR"
        assert_output_contains " run --name=$POD --net=host $BB --exec=/bin/echo -- \"a b\" 50%% ---"
        assert_output_contains "Type=notify"
        # A key in the wrong section.
        echo "Port=http:80" >>"$RKT_TEST_DIR/$POD.pod"
        run "$RKT" pod-file verify "$RKT_TEST_DIR/$POD.pod"
        assert_status 254
        assert_one_error_line
        assert_output_contains "$RKT_TEST_DIR/$POD.pod:10: Port=: a key of [Pod] (for the whole pod), not of [App]"
        # A value rkt run refuses.
        sed -i -e '$d' -e 's/^Net=host$/Net=host\nPort=nocolon/' "$RKT_TEST_DIR/$POD.pod"
        run "$RKT" pod-file verify "$RKT_TEST_DIR/$POD.pod"
        assert_status 254
        assert_one_error_line
        assert_output_contains "$RKT_TEST_DIR/$POD.pod: --port 'nocolon': not in NAME:[HOSTIP:]HOSTPORT format"
}

@test "[Install] WantedBy= is honoured by the generator: starting the target starts the pod" {
        pod_file /usr/lib/rkt/pods "$POD" <<EOF
[App]
Image=$BB
Exec=/bin/sleep 300
[Install]
WantedBy=multi-user.target
EOF
        systemctl daemon-reload
        run systemctl is-enabled "$POD"
        [ "$output" = generated ] || fail "is-enabled: $output"
        [ "$(readlink "/run/systemd/generator/multi-user.target.wants/$POD.service")" = "../$POD.service" ] ||
                fail "no WantedBy link: $(ls -l /run/systemd/generator/multi-user.target.wants/)"
        run systemctl is-active "$POD"
        assert_status 3
        # What a boot does: multi-user.target pulls in what it wants.
        timeout 120 systemctl start multi-user.target
        run systemctl is-active "$POD"
        [ "$output" = active ] || fail "not started by its target: $output"
        run rkt status "$POD"
        assert_output_contains "state=running"
        systemctl stop "$POD"
}

@test "pod files in /etc win over /run and /usr/lib, and /dev/null in /etc masks them" {
        pod_file /usr/lib/rkt/pods "$POD" <<EOF
[App]
Image=$BB
Exec=/bin/echo from-usr-lib
EOF
        pod_file /run/rkt/pods "$POD" <<EOF
[App]
Image=$BB
Exec=/bin/echo from-run
EOF
        systemctl daemon-reload
        run systemctl cat "$POD"
        assert_output_contains "from-run"
        assert_output_contains "SourcePath=/run/rkt/pods/$POD.pod"
        ln -s /dev/null "/etc/rkt/pods/$POD.pod"
        systemctl daemon-reload
        run systemctl cat "$POD"
        [ "$status" -ne 0 ] || fail "a masked pod file still has a unit: $output"
        [ ! -e "/run/systemd/generator/$POD.service" ] || fail "the masked unit's file is there"
}

@test "pod names: unique among pods that are not garbage, refused with 254, taken by the pod verbs" {
        run rkt --insecure-options=image prepare --quiet --name="$POD" "$BB"
        assert_status 0
        uuid=$output
        run rkt --insecure-options=image prepare --quiet --name="$POD" "$BB"
        assert_status 254
        assert_one_error_line
        assert_output_contains "pod name '$POD' is taken by pod $uuid (prepared)"
        run rkt --insecure-options=image run --name=-bad "$BB"
        assert_status 254
        assert_one_error_line
        assert_output_contains "invalid pod name '-bad'"
        run rkt --insecure-options=image run --name="$uuid" "$BB"
        assert_status 254
        # After an image, --name is the app's.
        run rkt --insecure-options=image prepare --quiet "$BB" --name=app1
        assert_status 0
        run rkt cat-manifest "$POD"
        assert_status 0
        assert_output_contains '"example.com/busybox"'
        run rkt status "$POD"
        assert_output_contains "state=prepared"
        run rkt list --no-legend
        assert_output_contains "$POD"
        run rkt run-prepared --net=host "$POD"
        assert_status 0
        run rkt status "$POD"
        assert_output_contains "state=exited"
        # An exited pod keeps its name until it is garbage.
        run rkt --insecure-options=image prepare --quiet --name="$POD" "$BB"
        assert_status 254
        run rkt rm "$POD"
        assert_status 0
        [ ! -e "$RKT_DATA_DIR/pods/names/$POD" ] || fail "rm left the name link"
        run rkt --insecure-options=image prepare --quiet --name="$POD" "$BB"
        assert_status 0
}

@test "pod names: of two concurrent claims of one name, exactly one wins" {
        local i ok=0 taken=0 s pids=()
        # The image in the store first: the claims race, not the imports.
        rkt --insecure-options=image fetch "$BB" >/dev/null 2>&1
        for i in 0 1 2 3; do
                rkt --insecure-options=image prepare --quiet --name="$POD" "$BB" </dev/null >"$RKT_TEST_DIR/out$i" 2>&1 3>&- &
                pids+=("$!")
        done
        for i in 0 1 2 3; do
                s=0
                wait "${pids[$i]}" || s=$?
                if [ "$s" -eq 0 ]; then
                        ok=$((ok + 1))
                elif [ "$s" -eq 254 ] && grep -q "pod name '$POD' is taken" "$RKT_TEST_DIR/out$i"; then
                        taken=$((taken + 1))
                fi
        done
        [ "$ok" -eq 1 ] || fail "$ok claims won: $(cat "$RKT_TEST_DIR"/out*)"
        [ "$taken" -eq 3 ] || fail "$taken claims were refused: $(cat "$RKT_TEST_DIR"/out*)"
}
