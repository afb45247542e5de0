#!/usr/bin/env bats
# shellcheck disable=SC2154 # $output, $stderr, $status and $lines come from bats' `run`
# The pod boundary (docs/security.md), attacked on real pods: host-side rkt (gc, stop, enter) must never run
# stage1 code the pod can write (its stage1/rootfs), only the stage1 tree in the store; what it reads back
# from the pod (the app's confinement and environment) must not let the pod reach further; and no file
# descriptor of rkt's caller may reach a pod (nspawn, the pod's PID 1, the app, an entered command), the fly
# stage1 included. The attacker is simulated by host root writing where the pod's root can write. Runs in
# the systemd test host (tests/functional/run.sh).

load helpers

setup() {
	rkt_setup
	require_systemd
	require_root
	[ -x /bin/busybox ] || fail "/bin/busybox not found (busybox-static)"
	BG_PID=
	UUID=
	MARKER=$RKT_TEST_DIR/pwned
	mkimage bb '{}'
	BB=$RKT_TEST_DIR/bb.aci
}

teardown() {
	# A test that hid the stage1 tree puts it back first: stop needs it.
	local t
	for t in "$RKT_DATA_DIR"/cas/tree/*.hidden; do
		[ -d "$t" ] && mv "$t" "${t%.hidden}"
	done
	if [ -n "$BG_PID" ]; then
		[ -z "$UUID" ] || rkt stop --force "$UUID" >/dev/null 2>&1 || true
		wait_for 30 sh -c "! kill -0 $BG_PID 2>/dev/null" || kill -9 "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
	rkt_teardown
}

# mkimage NAME APP_JSON - $RKT_TEST_DIR/NAME.aci: busybox with every applet, users root and user (1000), and
# an app section of exec /bin/sh -c 'exit 0' as root, merged with APP_JSON.
mkimage() {
	local name=$1 app=$2 d=$RKT_TEST_DIR/img-$1 a
	mkdir -p "$d/rootfs/bin" "$d/rootfs/etc" "$d/rootfs/tmp"
	chmod 1777 "$d/rootfs/tmp"
	cp /bin/busybox "$d/rootfs/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$d/rootfs/bin/$a" ] || ln -s busybox "$d/rootfs/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/:/bin/sh\n' >"$d/rootfs/etc/passwd"
	printf 'root:x:0:\nusers:x:1000:\n' >"$d/rootfs/etc/group"
	jq -n --arg name "example.com/$name" --argjson app "$app" \
		'{acKind: "ImageManifest", acVersion: "0.8.11", name: $name,
		  labels: [{name: "os", value: "linux"}, {name: "arch", value: "amd64"}],
		  app: ({exec: ["/bin/sh", "-c", "exit 0"], user: "0", group: "0"} + $app)}' >"$d/manifest"
	tar -C "$d" -cf "$RKT_TEST_DIR/$name.aci" manifest rootfs
}

# pod_dir - the directory of pod $UUID, wherever it is.
pod_dir() {
	ls -d "$RKT_DATA_DIR"/pods/*/"$UUID"
}

# run_exited - runs a pod of $BB to its end; sets UUID.
run_exited() {
	run rkt --insecure-options=image run --net=host --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB"
	assert_status 0
	UUID=$(cat "$RKT_TEST_DIR/uuid")
}

# start_pod [RUN_FLAGS...] IMAGE [APP_FLAGS...] - a pod whose app sleeps, in the background, until it is
# running; sets UUID and LEADER (the pod's PID 1). The caller's extra fds go to rkt run.
start_pod() {
	rm -f "$RKT_TEST_DIR/uuid"
	rkt --insecure-options=image run --net=host --uuid-file-save="$RKT_TEST_DIR/uuid" "$@" \
		--exec /bin/sleep -- 300 >"$RKT_TEST_DIR/pod.log" 2>&1 &
	BG_PID=$!
	wait_for 30 test -s "$RKT_TEST_DIR/uuid" || fail "no pod: $(cat "$RKT_TEST_DIR/pod.log")"
	UUID=$(cat "$RKT_TEST_DIR/uuid")
	wait_for 30 sh -c "test -L $RKT_DATA_DIR/pods/run/$UUID/stage1/rootfs/rkt/supervisor-status" ||
		fail "pod did not start: $(cat "$RKT_TEST_DIR/pod.log")"
	LEADER=$(machinectl show "rkt-$UUID" -p Leader --value)
	[ -n "$LEADER" ] || fail "no leader for rkt-$UUID"
}

# plant ENTRYPOINT - what the pod's root can do: replace stage1's ENTRYPOINT (gc, stop, enter) in its own
# stage1/rootfs (the overlay, or its upper dir when it is not mounted) by a script that leaves $MARKER on
# the host when host root runs it.
plant() {
	local d target
	d=$(pod_dir)
	if mountpoint -q "$d/stage1/rootfs"; then
		target=$d/stage1/rootfs/$1
	else
		target=$d/overlay/$(cat "$d/stage1TreeStoreID")/upper/$1
	fi
	rm -f "$target"
	printf '#!/bin/sh\ntouch %s\nexit 0\n' "$MARKER" >"$target"
	chmod 0755 "$target"
}

# hide_tree - takes the pod's stage1 tree out of the store (as `rkt image rm` of the stage1 would), keeping
# it aside for teardown.
hide_tree() {
	local id
	id=$(cat "$(pod_dir)/stage1TreeStoreID")
	mv "$RKT_DATA_DIR/cas/tree/$id" "$RKT_DATA_DIR/cas/tree/$id.hidden"
}

# fds_of PID - the targets of PID's open fds, one per line.
fds_of() {
	local f
	for f in /proc/"$1"/fd/*; do
		readlink "$f" || true
	done
}

@test "security: rkt gc runs the stage1 gc of the store, not a /gc the pod planted, and collects the pod" {
	run_exited
	plant gc
	run --separate-stderr rkt gc --grace-period=0s
	assert_status 0
	[ ! -e "$MARKER" ] || fail "host root ran the pod's own /gc"
	run ls -d "$RKT_DATA_DIR"/pods/*/"$UUID"
	[ "$status" -ne 0 ] || fail "pod not collected: $output"
}

@test "security: rkt gc of a pod whose stage1 overlay is not mounted ignores a /gc in its upper dir" {
	run_exited
	umount "$(pod_dir)/stage1/rootfs" 2>/dev/null || true
	plant gc
	run --separate-stderr rkt gc --grace-period=0s
	assert_status 0
	[ ! -e "$MARKER" ] || fail "host root ran the pod's own /gc"
	run ls -d "$RKT_DATA_DIR"/pods/*/"$UUID"
	[ "$status" -ne 0 ] || fail "pod not collected: $output"
}

@test "security: rkt gc collects a pod whose stage1 tree left the store, with a warning naming it" {
	run_exited
	plant gc
	hide_tree
	run --separate-stderr rkt gc --grace-period=0s
	assert_status 0
	[[ $stderr == *"skipping stage1 GC"*"$UUID"* ]] || fail "no warning naming the pod: $stderr"
	[ ! -e "$MARKER" ] || fail "host root ran the pod's own /gc"
	run ls -d "$RKT_DATA_DIR"/pods/*/"$UUID"
	[ "$status" -ne 0 ] || fail "pod not collected: $output"
}

@test "security: rkt stop runs the stage1 stop of the store, not a /stop the pod planted" {
	start_pod "$BB"
	plant stop
	run rkt stop "$UUID"
	assert_status 0
	wait_for 30 sh -c "! kill -0 $BG_PID 2>/dev/null" || fail "the pod was not stopped"
	[ ! -e "$MARKER" ] || fail "host root ran the pod's own /stop"
}

@test "security: rkt enter runs the stage1 enter of the store, not an /enter the pod planted" {
	start_pod "$BB"
	plant enter
	run rkt enter "$UUID" /bin/echo entered
	assert_status 0
	[ "$output" = entered ] || fail "$output"
	[ ! -e "$MARKER" ] || fail "host root ran the pod's own /enter"
}

@test "security: rkt stop and enter of a pod whose stage1 tree left the store fail with one line, 254" {
	start_pod "$BB"
	hide_tree
	run --separate-stderr rkt enter "$UUID" /bin/true
	assert_status 254
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail "not one line: $stderr"
	[[ $stderr == *"no longer in the store"* ]] || fail "$stderr"
	run --separate-stderr rkt stop "$UUID"
	assert_status 254
	[[ $stderr == *"no longer in the store"* ]] || fail "$stderr"
}

@test "security: rkt enter keeps the app's confinement when the pod rewrites rkt/confine" {
	mkimage user '{"user": "1000", "group": "1000"}'
	start_pod "$RKT_TEST_DIR/user.aci"
	local d
	d=$(pod_dir)
	# The pod's root asks for root with every capability and no filter for whatever is entered.
	printf 'uid=0\ngid=0\ngroups=\ncapabilities=all\nno-new-privileges=0\nseccomp=none\nseccomp-errno=\nsyscalls=\n' \
		>"$d/stage1/rootfs/rkt/confine/user"
	run rkt enter "$UUID" /bin/sh -c 'id -u; grep ^CapBnd: /proc/self/status'
	assert_status 0
	[ "${lines[0]}" = 1000 ] || fail "entered as '${lines[0]}', not as the app's user: $output"
	[[ ${lines[1]} != *ffffffff* ]] || fail "entered with every capability: $output"
}

@test "security: rkt enter does not follow the pod's rkt/env symlink to a file of the host" {
	start_pod "$BB"
	echo 'STOLEN=host-secret' >"$RKT_TEST_DIR/secret"
	ln -sf "$RKT_TEST_DIR/secret" "$(pod_dir)/stage1/rootfs/rkt/env/bb"
	run rkt enter "$UUID" /bin/env
	[[ $output != *host-secret* ]] || fail "a host file reached the pod: $output"
	# Resolved inside the pod, the link leads nowhere: the app's environment is not there.
	assert_status 254
	assert_output_contains "rkt/env/bb"
}

@test "security: rkt enter passes no fd of its caller into the pod" {
	start_pod "$BB"
	run rkt enter "$UUID" /bin/ls /proc/self/fd 7</ 8>"$RKT_TEST_DIR/x"
	assert_status 0
	# stdio, and the directory ls lists through.
	[ "$(echo "$output" | tr -s ' \n' ' ' | sed 's/ $//')" = "0 1 2 3" ] || fail "fds in the pod: $output"
}

@test "security: rkt run passes no fd of its caller to nspawn, the pod's PID 1 or the app" {
	mkdir "$RKT_TEST_DIR/hostdir"
	start_pod "$BB" 7<"$RKT_TEST_DIR/hostdir" 8>"$RKT_TEST_DIR/x"
	local ppid app p
	ppid=$(cat "$(pod_dir)/ppid")
	app=$(cat /proc/"$LEADER"/task/*/children | tr ' ' '\n' | while read -r c; do
		[ "$(cat "/proc/$c/comm" 2>/dev/null)" = sleep ] && echo "$c"
	done | head -n1)
	[ -n "$app" ] || fail "no app process"
	for p in "$ppid" "$LEADER" "$app"; do
		run fds_of "$p"
		[[ $output != *"$RKT_TEST_DIR/hostdir"* ]] || fail "pid $p holds the caller's directory: $output"
		[[ $output != *"$RKT_TEST_DIR/x"* ]] || fail "pid $p holds the caller's file: $output"
	done
}

@test "security: the fly stage1 passes no fd of the caller to the app or to an entered command" {
	local fly=$RKT_BUILDDIR/stage1-fly.aci
	run rkt --insecure-options=image run --stage1-path="$fly" "$BB" --exec /bin/ls -- /proc/self/fd \
		7</ 8>"$RKT_TEST_DIR/x"
	assert_status 0
	local fds
	fds=" $(echo "$output" | tr -s ' \n' ' ')"
	[[ $fds != *" 7 "* ]] || fail "fd 7 reached the app: $output"
	[[ $fds != *" 8 "* ]] || fail "fd 8 reached the app: $output"
	rm -f "$RKT_TEST_DIR/uuid"
	rkt --insecure-options=image run --stage1-path="$fly" --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" \
		--exec /bin/sleep -- 300 >"$RKT_TEST_DIR/pod.log" 2>&1 &
	BG_PID=$!
	wait_for 30 test -s "$RKT_TEST_DIR/uuid" || fail "no pod: $(cat "$RKT_TEST_DIR/pod.log")"
	UUID=$(cat "$RKT_TEST_DIR/uuid")
	wait_for 10 test -s "$RKT_DATA_DIR/pods/run/$UUID/pid" || fail "no app: $(cat "$RKT_TEST_DIR/pod.log")"
	run rkt enter "$UUID" /bin/ls /proc/self/fd 7</ 8>"$RKT_TEST_DIR/x"
	assert_status 0
	[ "$(echo "$output" | tr -s ' \n' ' ' | sed 's/ $//')" = "0 1 2 3" ] || fail "fds in the pod: $output"
}
