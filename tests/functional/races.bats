#!/usr/bin/env bats
# Verbs racing each other, as the soak (tests/stress/soak.sh) found them: a pod that rkt gc is removing
# while rkt status or rkt list looks at it, and rkt image rm while a fetch or a pod preparation holds the
# store. Pods are made by hand (tests/helpers/stub-stage1/pods.bash).

load helpers

bats_require_minimum_version 1.5.0

source "$RKT_SRCDIR/tests/helpers/stub-stage1/pods.bash"

U1=11111111-aaaa-4bbb-8ccc-000000000001

setup() {
	rkt_setup
	export MKPOD_HOLDERS=$RKT_TEST_DIR/holders
	HOLDER=
}

teardown() {
	[ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null || true
	mkpod_kill_holders
	rkt_teardown
}

# store_busy - somebody holds the store's lock: it cannot be taken exclusively now.
store_busy() {
	if flock -n -x "$RKT_DATA_DIR/cas/lock" true; then
		return 1
	fi
}

@test "status and list of a pod gc is removing (lock held, manifest gone) say what they can and exit 0" {
	mkpod "$RKT_DATA_DIR" exited-garbage "$U1"
	rm "$RKT_DATA_DIR/pods/exited-garbage/$U1/pod"
	mkpod_hold "$RKT_DATA_DIR/pods/exited-garbage/$U1"
	run rkt status "$U1"
	assert_status 0
	assert_output_contains "state=exited deleting"
	run rkt list --no-legend
	assert_status 0
	[[ $output != *"Unable to read"* ]] || fail "list warned about a pod being removed: $output"
}

@test "image rm waits while a fetch or a pod preparation holds the store, then removes" {
	python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/a.aci" --name example.com/a
	run rkt --insecure-options=image fetch "$RKT_TEST_DIR/a.aci"
	assert_status 0
	id=${lines[${#lines[@]} - 1]}
	[[ $id == sha512-* ]] || fail "fetch printed no image ID last: $output"
	# What rkt fetch and rkt prepare hold while they use the store: its lock, shared.
	# shellcheck disable=SC2093 # the subshell becomes sleep, which keeps fd 9 and its lock
	(
		exec 9<"$RKT_DATA_DIR/cas/lock"
		flock -s 9
		exec sleep 100000
	) </dev/null >/dev/null 2>&1 3>&- &
	HOLDER=$!
	wait_for 10 store_busy
	run timeout 3 "$RKT" --dir="$RKT_DATA_DIR" image rm "$id"
	[ "$status" -eq 124 ] || fail "image rm did not wait for the store: status $status, $output"
	kill "$HOLDER"
	HOLDER=
	run rkt image rm "$id"
	assert_status 0
	assert_output_contains "successfully removed"
}
