#!/usr/bin/env bats
# Proof that the functional tests run on a working systemd host: PID 1 is
# systemd, transient units, machined with a nested nspawn container, journald.
# (Inside the test host on machines whose PID 1 is not systemd.)

load helpers

setup() {
	rkt_setup
	UNIT=
	MACHINE=
}

teardown() {
	if [ -n "$MACHINE" ]; then
		machinectl terminate "$MACHINE" 2>/dev/null || true
	fi
	if [ -n "$UNIT" ]; then
		systemctl stop "$UNIT" 2>/dev/null || true
		systemctl reset-failed "$UNIT" 2>/dev/null || true
	fi
	rkt_teardown
}

@test "testhost: PID 1 is systemd and the system is running or degraded" {
	require_systemd
	[ "$(cat /proc/1/comm)" = systemd ]
	run systemctl is-system-running
	echo "is-system-running: $output"
	[[ $output == running || $output == degraded ]]
}

@test "testhost: tests run inside the systemd cgroup tree with the harness environment" {
	require_systemd
	# name=systemd (v1) or the unified hierarchy: a path systemd manages, not "/.." (outside)
	run grep -E '^(0::|[0-9]+:name=systemd:)/' /proc/self/cgroup
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output != *"/.."* ]]
	[[ $output == *.scope* || $output == *.service* ]]
	[ -n "$RKT" ]
	[[ $RKT == /* ]]
	[ -d "$RKT_SRCDIR/tests/functional" ]
	[ -d "$RKT_BUILDDIR" ]
	[ -d "$RKT_TEST_DIR" ]
	[ -d "$RKT_DATA_DIR" ]
}

@test "testhost: a transient unit started with systemd-run is active, then stopped" {
	require_systemd
	UNIT=rkt-test-$$-x.service
	systemd-run --quiet --unit="$UNIT" sleep 30
	run systemctl is-active "$UNIT"
	echo "is-active after start: $output"
	[ "$output" = active ]
	run systemctl show -p ControlGroup --value "$UNIT"
	[[ $output == */"$UNIT" ]]
	systemctl stop "$UNIT"
	run systemctl is-active "$UNIT"
	echo "is-active after stop: $output"
	[ "$output" != active ]
}

@test "testhost: machined registers a nested systemd-nspawn container" {
	require_systemd
	machinectl list --no-pager
	[ -x /bin/busybox ] || fail "/bin/busybox missing (install busybox-static)"

	local root=$RKT_TEST_DIR/busybox-root
	mkdir -p "$root/bin" "$root/etc" "$root/usr/lib"
	cp /bin/busybox "$root/bin/busybox"
	echo "ID=rkttest" >"$root/usr/lib/os-release"
	echo "ID=rkttest" >"$root/etc/os-release"

	MACHINE=rkttestpod$$
	UNIT=rkt-test-$$-pod.service
	systemd-run --quiet --unit="$UNIT" \
		systemd-nspawn -q -D "$root" -M "$MACHINE" --register=yes /bin/busybox sleep 30

	wait_for 20 sh -c "machinectl list --no-legend | grep -qw '$MACHINE'" ||
		{ systemctl status --no-pager "$UNIT" || true; fail "machine $MACHINE not registered"; }
	run machinectl show -p State --value "$MACHINE"
	echo "state: $output"
	[ "$output" = running ]
	run systemctl is-active "$UNIT"
	[ "$output" = active ]

	machinectl terminate "$MACHINE"
	wait_for 20 sh -c "! machinectl list --no-legend | grep -qw '$MACHINE'" ||
		fail "machine $MACHINE still listed after terminate"
	wait_for 20 sh -c "! systemctl is-active --quiet '$UNIT'" ||
		fail "$UNIT still active after terminate"
	MACHINE=
}

@test "testhost: journald stores messages from systemd-cat" {
	require_systemd
	local tag=rkttest-$$-$RANDOM msg=hello-$RANDOM-$RANDOM
	systemd-cat -t "$tag" echo "$msg"
	journalctl --sync 2>/dev/null || true
	wait_for 10 sh -c "journalctl -q -t '$tag' -o cat | grep -qx '$msg'" ||
		{ journalctl -q -t "$tag" --no-pager || true; fail "message '$msg' not found in the journal"; }
	run journalctl -q -t "$tag" -o cat
	[ "$output" = "$msg" ]
}
