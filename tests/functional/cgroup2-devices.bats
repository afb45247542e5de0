#!/usr/bin/env bats
# shellcheck disable=SC2154 # $output and $status come from bats' `run`
# Device nodes, attacked from an app: an app keeps CAP_MKNOD (rkt 1.30's default set), so what stops it
# from making a node for a host disk and reading it is the device policy of the pod's scope and of the
# app's unit (DevicePolicy=closed, the allow list). Only in the cgroup2 test host (run-unified.sh): in the
# hybrid one nspawn mounts the v1 controllers read-only, so no systemd there can apply a device policy,
# while on a real hybrid host the v1 devices controller applies it.

load helpers

setup() {
	rkt_setup
	require_systemd
	require_root
	[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || fail "needs the unified cgroup hierarchy (run-unified.sh)"
	busybox_rootfs "$RKT_TEST_DIR/bb" sh mknod head echo
	mkdir -p "$RKT_TEST_DIR/bb/tmp"
	python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/bb.aci" --name example.com/busybox \
		--label version=1 --dir "$RKT_TEST_DIR/bb" --exec /bin/true
	BB="$RKT_TEST_DIR/bb.aci"
}

teardown() {
	rkt gc --grace-period=0s >/dev/null 2>&1 || true
	rkt_teardown
}

@test "devices: an app with CAP_MKNOD cannot read a host disk through a node it makes" {
	local blk
	blk=$(find /sys/dev/block/ -mindepth 1 -maxdepth 1 -name '*:*' -printf '%f\n' | sort -V | head -n 1)
	[ -n "$blk" ] || fail "no block device under /sys/dev/block"
	# /dev/null's numbers are allowed: they show that mknod and reading work at all in the app.
	run rkt --insecure-options=image run --net=host "$BB" --exec /bin/sh -- -c "
		mknod /tmp/disk b ${blk%:*} ${blk#*:}; head -c 512 /tmp/disk >/dev/null && echo DISK-READ
		mknod /tmp/null c 1 3 && head -c 1 /tmp/null && echo NULL-OK"
	assert_status 0
	assert_output_contains NULL-OK
	[[ $output != *DISK-READ* ]] || fail "the app read block device $blk: $output"
}

@test "devices: --insecure-options=paths lifts the app's device policy, not the pod's" {
	local blk
	blk=$(find /sys/dev/block/ -mindepth 1 -maxdepth 1 -name '*:*' -printf '%f\n' | sort -V | head -n 1)
	run rkt --insecure-options=image,paths run --net=host "$BB" --exec /bin/sh -- -c "
		mknod /tmp/disk b ${blk%:*} ${blk#*:}; head -c 512 /tmp/disk >/dev/null && echo DISK-READ; echo DONE"
	assert_status 0
	assert_output_contains DONE
	[[ $output != *DISK-READ* ]] || fail "the app read block device $blk: $output"
}
