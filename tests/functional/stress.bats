#!/usr/bin/env bats
# Regressions found by crash injection and the soak (tests/stress/): what a SIGKILL at a bad moment left
# behind, checked with tests/stress/leaks.sh.

load helpers

setup() {
	rkt_setup
	require_systemd
	require_root
	busybox_rootfs "$RKT_TEST_DIR/bb" sh sleep true
	python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/bb.aci" --name example.com/stress-bb \
		--dir "$RKT_TEST_DIR/bb" --exec /bin/true
	BB="$RKT_TEST_DIR/bb.aci"
}

teardown() {
	local p
	for p in "$RKT_DATA_DIR"/pods/run/*/ppid; do
		[ -s "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null
	done
	rkt gc --grace-period=0s >/dev/null 2>&1 || true
	rkt_teardown
}

leaks() {
	bash "$RKT_SRCDIR/tests/stress/leaks.sh" "$RKT_DATA_DIR"
}

# kill_booting_pod - starts a pod (default network) and SIGKILLs its nspawn and stage1's init
# together as soon as nspawn runs, so that nobody tears the pod down; sets uuid.
kill_booting_pod() {
	rkt --insecure-options=image run --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" \
		--exec /bin/sleep -- 300 >"$RKT_TEST_DIR/run.log" 2>&1 &
	wait_for 60 test -s "$RKT_TEST_DIR/uuid"
	uuid=$(cat "$RKT_TEST_DIR/uuid")
	wait_for 60 test -s "$RKT_DATA_DIR/pods/run/$uuid/ppid"
	local ppid init guard
	ppid=$(cat "$RKT_DATA_DIR/pods/run/$uuid/ppid")
	init=$(awk '/^PPid:/ { print $2 }' "/proc/$ppid/status")
	# stage1's init, nspawn and init's guard (which would tear the network down) at once.
	guard=$(tr ' ' '\n' <"/proc/$init/task/$init/children" | grep -vx "$ppid" || true)
	# shellcheck disable=SC2086 # guard: zero or more pids
	kill -STOP "$init" "$ppid" $guard
	# shellcheck disable=SC2086
	kill -9 "$init" "$ppid" $guard
	run rkt status --wait=60s "$uuid"
	assert_output_contains "state=exited"
}

@test "a copied pod (data dir on overlayfs) killed while it boots: gc leaves no netns, veth, lease or nat chain" {
	# overlayfs cannot hold upper dirs on overlayfs: prepare copies the images into the pod.
	# (Its upper dir on a tmpfs, as a test host's or a live system's volatile root.)
	local o=$RKT_TEST_DIR/ovl
	mkdir -p "$o"
	mount -t tmpfs tmpfs "$o"
	mkdir -p "$o/lower" "$o/upper" "$o/work"
	rmdir "$RKT_DATA_DIR" && mkdir "$RKT_DATA_DIR"
	mount -t overlay overlay -o "lowerdir=$o/lower,upperdir=$o/upper,workdir=$o/work" "$RKT_DATA_DIR"
	kill_booting_pod
	run cat "$RKT_TEST_DIR/run.log"
	assert_output_contains "overlayfs is not usable"
	run leaks
	assert_output_contains "netns: rkt-$uuid" # what the killed pod left, until gc
	run rkt gc --grace-period=0s
	assert_status 0
	[[ $output != *"skipping stage1 GC"* ]] || fail "gc skipped the stage1 gc: $output"
	run leaks
	[ "$status" -eq 0 ] || fail "left behind: $output"
	run rkt list --no-legend
	[ -z "$output" ] || fail "pods left: $output"
}

@test "rkt gc finishes the removal a killed gc began, without skipping or complaining" {
	run rkt --insecure-options=image run --net=host --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB"
	assert_status 0
	uuid=$(cat "$RKT_TEST_DIR/uuid")
	run rkt gc --mark-only
	assert_status 0
	local pod=$RKT_DATA_DIR/pods/exited-garbage/$uuid
	[ -d "$pod" ] || fail "the pod is not garbage: $(ls "$RKT_DATA_DIR"/pods/*)"
	# What a gc killed in the middle of removing the pod leaves (its stage1 gc done): the pod unmounted,
	# its stage1 rootfs and some of its files gone.
	findmnt -rn -o TARGET | grep -F "$pod/" | sort -r | xargs -r umount
	rm -rf "${pod:?}/stage1/rootfs" "${pod:?}/stage1TreeStoreID"
	run rkt gc --grace-period=0s
	assert_status 0
	[[ $output != *"skipping stage1 GC"* ]] || fail "gc warned about a half removed pod: $output"
	[ ! -e "$pod" ] || fail "gc did not finish removing the pod"
	run leaks
	[ "$status" -eq 0 ] || fail "left behind: $output"
}
