#!/usr/bin/env bats
# stage1-nspawn on its own: pod directories made by hand (no stage0), run through the stage1 entrypoints
# (init, stop, enter, gc) as stage0 would run them (stage1-nspawn/README.md is the contract).
# Needs systemd as PID 1 (machined, journald): tests/functional/run.sh provides the test host.

load helpers

BUSYBOX_APPLETS="sh echo env pwd cat id sleep ls hostname true false kill readlink wc"

setup() {
	rkt_setup
	require_systemd
	require_root
	ACI=$RKT_BUILDDIR/stage1-nspawn.aci
	[ -f "$ACI" ] || fail "$ACI not found: build it with make"
	[ -x /bin/busybox ] || fail "/bin/busybox not found (busybox-static)"
	BG_PID=
	UNIT=
	PODS=()
	new_pod "$RKT_TEST_DIR/pod"
}

teardown() {
	local p
	if [ -n "$UNIT" ]; then
		systemctl stop "$UNIT.service" 2>/dev/null || true
		systemctl reset-failed "$UNIT.service" 2>/dev/null || true
	fi
	for p in "${PODS[@]}"; do
		cleanup_pod "$p"
	done
	rkt_teardown
}

# new_pod DIR - a pod directory with the stage1 image extracted; sets POD, S1, UUID, MID, APPS.
new_pod() {
	POD=$1
	S1=$POD/stage1/rootfs
	UUID=$(cat /proc/sys/kernel/random/uuid)
	MID=${UUID//-/}
	APPS=()
	PODS+=("$POD")
	mkdir -p "$POD/stage1"
	tar -xf "$ACI" -C "$POD/stage1"
	echo "$UUID" >"$POD/.uuid"
}

# cleanup_pod DIR - kill what is left of a pod and run its gc.
cleanup_pod() {
	local dir=$1 uuid
	uuid=$(cat "$dir/.uuid" 2>/dev/null) || return 0
	if [ -f "$dir/ppid" ] && [ "$(cat "/proc/$(cat "$dir/ppid")/comm" 2>/dev/null)" = systemd-nspawn ]; then
		local nspawn
		nspawn=$(cat "$dir/ppid")
		(cd "$dir" && ./stage1/rootfs/stop --force "$uuid") || true
		wait_for 30 sh -c "! kill -0 $nspawn 2>/dev/null" || true
	fi
	(cd "$dir" && ./stage1/rootfs/gc "$uuid") >/dev/null 2>&1 || true
}

# add_app NAME EXEC_JSON [APP_JSON] - an app from busybox, with an image manifest; APP_JSON is merged into
# the pod manifest's app section (user, group, environment, workingDirectory...).
add_app() {
	local name=$1 exec=$2 extra=${3:-'{}'} dir=$S1/opt/stage2/$1 a
	mkdir -p "$dir/rootfs/bin" "$dir/rootfs/etc" "$dir/rootfs/tmp" "$dir/rootfs/home/user"
	chmod 1777 "$dir/rootfs/tmp"
	cp /bin/busybox "$dir/rootfs/bin/busybox"
	for a in $BUSYBOX_APPLETS; do
		ln -s busybox "$dir/rootfs/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:A User:/home/user:/bin/ash\n' >"$dir/rootfs/etc/passwd"
	printf 'root:x:0:\nusers:x:1000:\nextra:x:1234:\n' >"$dir/rootfs/etc/group"
	printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/%s"}\n' "$name" >"$dir/manifest"
	APPS+=("$(jq -cn --arg name "$name" --argjson exec "$exec" --argjson extra "$extra" \
		--arg id "sha512-$(printf '%0128d' 0)" \
		'{name: $name, image: {name: ("example.com/" + $name), id: $id},
		  app: ({exec: $exec, user: "0", group: "0"} + $extra)}')")
}

write_pod() {
	local IFS=,
	printf '{"acKind":"PodManifest","acVersion":"0.8.11","apps":[%s]}\n' "${APPS[*]}" >"$POD/pod"
}

# run_pod INIT_ARGS... - runs stage1's init as stage0 does: cwd the pod dir, RKT_LOCK_FD holding the
# pod's lock. Sets $status and $output (bats run); carriage returns (from the console pty) are dropped.
run_pod() {
	write_pod
	run bash -c 'cd "$1" && exec {fd}<. && flock -x "$fd" && RKT_LOCK_FD=$fd exec ./stage1/rootfs/init "${@:2}" "$(cat .uuid)"' \
		_ "$POD" "$@"
	output=${output//$'\r'/}
}

# start_pod INIT_ARGS... - the same in the background, until the pod is ready (supervisor-status).
start_pod() {
	write_pod
	(cd "$POD" && exec {fd}<. && flock -x "$fd" && RKT_LOCK_FD=$fd exec ./stage1/rootfs/init "$@" "$UUID") \
		>"$POD.out" 2>&1 3>&- &
	BG_PID=$!
	if ! wait_for 20 test -L "$S1/rkt/supervisor-status"; then
		fail "pod did not become ready: $(cat "$POD.out")"
	fi
}

# wait_pod - waits for the background pod; sets $status.
wait_pod() {
	status=0
	wait "$BG_PID" || status=$?
	BG_PID=
}

# pod_leader - the pod's PID 1: the only child of the process in ppid (nspawn).
pod_leader() {
	local ppid
	ppid=$(cat "$POD/ppid")
	cat /proc/"$ppid"/task/*/children | tr -s ' ' '\n' | sed '/^$/d' | head -n1
}

pod_journal() {
	journalctl -D "$S1/var/log/journal" --no-pager -o cat "$@"
}

@test "stage1: the image is an ACI with the entrypoint annotations and the pieces the pod needs" {
	run tar -xOf "$ACI" manifest
	assert_status 0
	[ "$(jq -r .name <<<"$output")" = coreos.com/rkt/stage1-nspawn ]
	[ "$(jq -r '.annotations[] | select(.name == "coreos.com/rkt/stage1/run") | .value' <<<"$output")" = /init ]
	[ "$(jq -r '.annotations[] | select(.name == "coreos.com/rkt/stage1/enter") | .value' <<<"$output")" = /enter ]
	[ "$(jq -r '.annotations[] | select(.name == "coreos.com/rkt/stage1/stop") | .value' <<<"$output")" = /stop ]
	[ "$(jq -r '.annotations[] | select(.name == "coreos.com/rkt/stage1/gc") | .value' <<<"$output")" = /gc ]
	[ "$(jq -r '.labels[] | select(.name == "os") | .value' <<<"$output")" = linux ]
	for f in init enter stop gc reaper usr/lib/systemd/systemd usr/lib/systemd/systemd-journald \
		usr/lib/systemd/systemd-shutdown usr/bin/systemctl usr/lib/os-release usr/lib/rkt/syscall-groups \
		usr/lib/systemd/system/rkt-sysctl.service; do
		[ -e "$S1/$f" ] || fail "missing $f"
	done
	[ "$(readlink "$S1/lib")" = usr/lib ]
	[ "$(readlink "$S1/lib64")" = usr/lib64 ]
	# Every shared library systemd needs is in the image (resolved inside it, not on the host).
	run chroot "$S1" /usr/lib/systemd/systemd --version
	assert_status 0
	assert_output_contains "systemd 2"
}

@test "stage1: the pod's exit status is the app's, recorded in rkt/status" {
	add_app app '["/bin/sh", "-c", "echo out-of-app; exit 3"]'
	run_pod --net=host
	assert_status 3
	assert_output_contains "out-of-app"
	[ "$(cat "$S1/rkt/status/app")" = 3 ]
	[ "$(cat "$POD/ppid" | wc -l)" -eq 1 ]
}

@test "stage1: all apps succeed: exit 0; one fails: its status, and the others are stopped" {
	add_app one '["/bin/true"]'
	add_app two '["/bin/sh", "-c", "sleep 0.2; exit 0"]'
	run_pod --net=host
	assert_status 0
	[ "$(cat "$S1/rkt/status/one")" = 0 ]
	[ "$(cat "$S1/rkt/status/two")" = 0 ]

	new_pod "$RKT_TEST_DIR/pod2"
	add_app good '["/bin/sleep", "30"]'
	add_app bad '["/bin/sh", "-c", "sleep 0.3; exit 42"]'
	SECONDS=0
	run_pod --net=host
	assert_status 42
	[ "$SECONDS" -lt 20 ] # good was stopped, not waited for
	[ "$(cat "$S1/rkt/status/bad")" = 42 ]
	# good was stopped in order (SIGTERM): 0, as rkt 1.30 recorded it
	[ "$(cat "$S1/rkt/status/good")" = 0 ]
}

@test "stage1: an app killed by a signal exits 128+n; a missing binary fails the pod" {
	add_app app '["/bin/sh", "-c", "kill -9 $$"]'
	run_pod --net=host
	assert_status 137
	[ "$(cat "$S1/rkt/status/app")" = 137 ]

	new_pod "$RKT_TEST_DIR/pod2"
	add_app app '["/no/such/binary"]'
	run_pod --net=host
	[ "$status" -ne 0 ]
	[ "$(cat "$S1/rkt/status/app")" = "$status" ]
}

@test "stage1: the app's environment, working directory, user and group" {
	add_app app '["/bin/sh", "-c", "env > /tmp/env; pwd > /tmp/pwd; id -u > /tmp/id; id -g >> /tmp/id; id -G >> /tmp/id"]' \
		'{"user": "user", "group": "users", "supplementaryGIDs": [1234], "workingDirectory": "/home/user",
		  "environment": [{"name": "GREETING", "value": "hello \"world\" $HOME `x` \\o/"}, {"name": "PATH", "value": "/bin"}]}'
	run_pod --net=host
	assert_status 0
	local root=$S1/opt/stage2/app/rootfs
	run cat "$root/tmp/env"
	assert_output_contains 'GREETING=hello "world" $HOME `x` \o/'
	assert_output_contains "AC_APP_NAME=app"
	assert_output_contains "PATH=/bin"
	assert_output_contains "USER=user"
	assert_output_contains "LOGNAME=user"
	assert_output_contains "HOME=/home/user"
	assert_output_contains "SHELL=/bin/ash"
	assert_output_contains "container=rkt"
	[ "$(cat "$root/tmp/pwd")" = /home/user ]
	run cat "$root/tmp/id"
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	[[ " ${lines[2]} " == *" 1234 "* ]]
}

@test "stage1: the app's arguments reach it unchanged (systemd's quoting, variables and specifiers)" {
	# printf '%s|' "$@" shows each argument; jq builds the JSON array, so the shell does not touch them.
	local args
	args=$(jq -cn '["/bin/sh", "-c", "printf \"%s|\" \"$@\" > /tmp/args", "sh", "a b", "$HOME", "${X}", "%n", "100%",
		"back\\slash", ";", "semi;colon", "tab\there", "\"quoted\"", "it'"'"'s", "", "new\nline", "ü"]')
	add_app app "$args"
	run_pod --net=host
	assert_status 0
	[ "$(cat "$S1/opt/stage2/app/rootfs/tmp/args")" = "a b|\$HOME|\${X}|%n|100%|back\\slash|;|semi;colon|tab	here|\"quoted\"|it's||new
line|ü|" ]
}

@test "stage1: default environment, and a bare exec name is searched in the app's PATH" {
	add_app app '["env"]'
	run_pod --net=host
	assert_status 0
	run pod_journal -t app
	assert_output_contains "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	assert_output_contains "HOME=/root"
	assert_output_contains "USER=root"
	assert_output_contains "AC_APP_NAME=app"
	grep -q 'ExecStart="/bin/env"' "$S1/etc/systemd/system/app.service"
}

@test "stage1: hostname and machine-id; --hostname" {
	add_app app '["/bin/sh", "-c", "hostname > /tmp/h"]'
	run_pod --net=host
	assert_status 0
	[ "$(cat "$S1/opt/stage2/app/rootfs/tmp/h")" = "rkt-$UUID" ]
	[ "$(cat "$S1/etc/machine-id")" = "$MID" ]

	new_pod "$RKT_TEST_DIR/pod2"
	add_app app '["/bin/sh", "-c", "hostname > /tmp/h"]'
	run_pod --net=host --hostname=custom-name
	assert_status 0
	[ "$(cat "$S1/opt/stage2/app/rootfs/tmp/h")" = custom-name ]
}

@test "stage1: app output reaches the pod's journal, kept in the pod and linked from the host" {
	add_app app "[\"/bin/sh\", \"-c\", \"echo journal-$UUID\"]"
	run_pod --net=host
	assert_status 0
	run pod_journal -t app
	assert_output_contains "journal-$UUID"
	# nspawn --link-journal=try-guest: the host's journal directory links into the pod
	[ "$(readlink "/var/log/journal/$MID")" = "$S1/var/log/journal/$MID" ]
	run journalctl -m --no-pager -o cat _MACHINE_ID="$MID" -t app
	assert_output_contains "journal-$UUID"
}

@test "stage1: --net=host shares the host's network namespace, --net=none has only lo" {
	local cmd='readlink /proc/self/ns/net > /tmp/ns; cat /proc/net/dev > /tmp/dev'
	add_app app "[\"/bin/sh\", \"-c\", \"$cmd\"]"
	run_pod --net=host
	assert_status 0
	[ "$(cat "$S1/opt/stage2/app/rootfs/tmp/ns")" = "$(readlink /proc/self/ns/net)" ]

	new_pod "$RKT_TEST_DIR/pod2"
	add_app app "[\"/bin/sh\", \"-c\", \"$cmd\"]"
	run_pod --net=none
	assert_status 0
	[ "$(cat "$S1/opt/stage2/app/rootfs/tmp/ns")" != "$(readlink /proc/self/ns/net)" ]
	# /proc/net/dev: two header lines, then one line per interface
	run tail -n +3 "$S1/opt/stage2/app/rootfs/tmp/dev"
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == *"lo:"* ]]
}

@test "stage1: a running pod is a machine; stop ends it in order; gc cleans up after it" {
	add_app app '["/bin/sh", "-c", "echo running-app; exec sleep 60"]'
	start_pod --net=host
	# the readiness marker stage0's status --wait-ready reads: every app started
	[ "$(readlink "$S1/rkt/supervisor-status")" = ready ]
	run machinectl list --no-legend
	assert_output_contains "rkt-$UUID"
	run machinectl show "rkt-$UUID" -p Service --value
	[ "$output" = rkt ]
	run machinectl show "rkt-$UUID" -p Unit --value
	[ "$output" = "machine-rkt\\x2d${UUID//-/\\x2d}.scope" ]
	[ "$(cat "$POD/subcgroup")" = "machine.slice/machine-rkt\\x2d${UUID//-/\\x2d}.scope" ]
	run journalctl -M "rkt-$UUID" -t app --no-pager -o cat
	assert_output_contains running-app
	# the pod holds its lock (stage0's liveness test)
	run flock -n -s "$POD" true
	[ "$status" -ne 0 ]

	SECONDS=0
	run bash -c 'cd "$1" && ./stage1/rootfs/stop "$2"' _ "$POD" "$UUID"
	assert_status 0
	wait_pod
	assert_status 0 # an orderly stop is a clean shutdown
	[ "$SECONDS" -lt 15 ]
	[ "$(cat "$S1/rkt/status/app")" = 0 ] # sleep got SIGTERM: stopped in order
	run machinectl show "rkt-$UUID"
	[ "$status" -ne 0 ]
	flock -n -s "$POD" true # released

	[ -L "/var/log/journal/$MID" ]
	run bash -c 'cd "$1" && ./stage1/rootfs/gc "$2"' _ "$POD" "$UUID"
	assert_status 0
	[ ! -e "/var/log/journal/$MID" ]
	[ ! -L "/var/log/journal/$MID" ]
	# idempotent
	run bash -c 'cd "$1" && ./stage1/rootfs/gc --debug "$2"' _ "$POD" "$UUID"
	assert_status 0
}

@test "stage1: stop --force kills the pod and all its processes" {
	add_app app '["/bin/sleep", "60"]'
	start_pod --net=host
	local leader
	leader=$(pod_leader)
	[ -n "$leader" ]
	run bash -c 'cd "$1" && ./stage1/rootfs/stop --force "$2"' _ "$POD" "$UUID"
	assert_status 0
	wait_pod
	[ "$status" -ne 0 ]
	wait_for 10 sh -c "! kill -0 $leader 2>/dev/null"
	# stop on a pod that is gone fails
	run bash -c 'cd "$1" && ./stage1/rootfs/stop "$2"' _ "$POD" "$UUID"
	assert_status 254
}

@test "stage1: enter runs a command in a running app and returns its exit status" {
	add_app app '["/bin/sleep", "60"]' '{"environment": [{"name": "IN_APP", "value": "yes"}]}'
	add_app "done" '["/bin/sh", "-c", "echo done > /tmp/done"]'
	start_pod --net=none
	# As stage0 runs it: in the pod directory, where init left the apps' confinement.
	cd "$POD"
	local leader app_pid c
	leader=$(pod_leader)
	for c in $(cat /proc/"$leader"/task/*/children); do
		[ "$(cat "/proc/$c/comm")" = sleep ] && app_pid=$c
	done
	[ -n "$app_pid" ]
	# CMD joins the app's own mount namespace (its /proc, /dev, /sys) and the pod's others
	run "$S1/enter" --pid="$leader" --appname=app -- sh -c 'for n in mnt net pid; do readlink /proc/self/ns/$n; done'
	assert_status 0
	[ "${lines[0]}" = "$(readlink "/proc/$app_pid/ns/mnt")" ]
	[ "${lines[1]}" = "$(readlink "/proc/$app_pid/ns/net")" ]
	[ "${lines[2]}" = "$(readlink "/proc/$leader/ns/pid")" ]
	# an app that has exited (the pod runs on): its rootfs in the pod's namespaces
	wait_for 10 test -e "$S1/rkt/status/done"
	run "$S1/enter" --pid="$leader" --appname=done -- cat /tmp/done
	assert_status 0
	[ "$output" = "done" ]
	run "$S1/enter" --pid="$leader" --appname=app -- /bin/sh -c 'exit 7'
	assert_status 7
	run "$S1/enter" --pid="$leader" --appname=app -- env
	assert_status 0
	assert_output_contains "IN_APP=yes"
	assert_output_contains "AC_APP_NAME=app"
	# PATH search with the app's PATH, in the app's root, namespaces and /proc
	run "$S1/enter" --pid="$leader" --appname=app -- sh -c 'hostname; cat /proc/1/comm; ls /bin/busybox; cat /proc/net/dev | wc -l; pwd'
	assert_status 0
	[ "${lines[0]}" = "rkt-$UUID" ]
	[ "${lines[1]}" = systemd ]
	[ "${lines[2]}" = /bin/busybox ]
	[ "${lines[3]}" = 3 ] # lo only (--net=none)
	[ "${lines[4]}" = / ]
	run "$S1/enter" --pid="$leader" --appname=app -- sh -c 'kill -9 $$'
	assert_status 137
	run "$S1/enter" --pid="$leader" --appname=nope -- true
	assert_status 254
	assert_output_contains "app 'nope' not found"
	run "$S1/enter" --pid="$leader" --appname=app -- /no/such/command
	assert_status 254
	# without the app's confinement nothing runs (never with the pod's privileges); the copy in the pod's
	# stage1 rootfs, which the pod can rewrite, is not it
	[ -f "$S1/rkt/confine/app" ]
	rm "$POD/confine/app"
	run "$S1/enter" --pid="$leader" --appname=app -- true
	assert_status 254
	assert_output_contains "confinement of app 'app'"
	run bash -c 'cd "$1" && ./stage1/rootfs/stop "$2"' _ "$POD" "$UUID"
	wait_pod
}

@test "stage1: run from a service, the pod stays in the service's unit (--keep-unit)" {
	add_app app '["/bin/sleep", "60"]'
	write_pod
	UNIT=rkt-stage1-test-$RANDOM
	systemd-run --quiet --unit="$UNIT" -p KillMode=mixed -- /bin/bash -c \
		'cd "$1" && exec {fd}<. && flock -x "$fd" && RKT_LOCK_FD=$fd exec ./stage1/rootfs/init --net=host "$2"' \
		_ "$POD" "$UUID"
	wait_for 20 test -L "$S1/rkt/supervisor-status" || fail "pod did not start: $(journalctl -u "$UNIT" --no-pager)"
	run machinectl show "rkt-$UUID" -p Unit --value
	[ "$output" = "$UNIT.service" ]
	grep -q "/system.slice/$UNIT.service" "/proc/$(pod_leader)/cgroup"
	[ ! -e "$POD/subcgroup" ]
	(cd "$POD" && ./stage1/rootfs/stop "$UUID")
	wait_for 20 sh -c "! systemctl is-active -q '$UNIT.service'"
}

@test "stage1: --interactive gives the app the terminal; --debug shows the pod's systemd" {
	add_app app '["/bin/sh", "-c", "tty; read line; echo got-$line; exit 4"]'
	write_pod
	cat >"$RKT_TEST_DIR/interactive.sh" <<-EOF
		cd "$POD" && exec {fd}<. && flock -x "\$fd" && RKT_LOCK_FD=\$fd exec ./stage1/rootfs/init --interactive --net=host $UUID
	EOF
	# script(1) gives the pod a terminal; the app reads a line from it.
	run bash -c '{ sleep 2; printf "typed\r"; } | script -qec "bash $1" /dev/null' _ "$RKT_TEST_DIR/interactive.sh"
	assert_status 4
	assert_output_contains "/dev/pts/"
	assert_output_contains "got-typed"
	grep -qx StandardInput=tty "$S1/etc/systemd/system/app.service"

	new_pod "$RKT_TEST_DIR/pod2"
	add_app app '["/bin/true"]'
	run_pod --debug --net=host
	assert_status 0
	assert_output_contains "exec /usr/bin/systemd-nspawn"
	assert_output_contains "Reached target"
}

@test "stage1: init refuses bad arguments and broken pods with status 254" {
	add_app app '["/bin/true"]'
	run_pod --net=no-such-network
	assert_status 254
	assert_output_contains "networks not found: no-such-network"
	run_pod
	assert_status 254
	run_pod --net=host --hostname='bad name'
	assert_status 254
	rm "$POD/pod"
	run bash -c 'cd "$1" && ./stage1/rootfs/init --net=host "$2"' _ "$POD" "$UUID"
	assert_status 254
	assert_output_contains "pod manifest"
	[ ! -e "$POD/ppid" ]

	new_pod "$RKT_TEST_DIR/pod2"
	add_app app '["/bin/true"]' '{"user": "nobody-here"}'
	run_pod --net=host
	assert_status 254
	assert_output_contains '"nobody-here" user not found in the image'"'"'s /etc/passwd'

	new_pod "$RKT_TEST_DIR/pod3"
	add_app app '["no-such-command"]'
	run_pod --net=host
	assert_status 254
	assert_output_contains "'no-such-command' not found in the image's PATH"

	new_pod "$RKT_TEST_DIR/pod4"
	add_app systemd-journald '["/bin/true"]'
	run_pod --net=host
	assert_status 254
	assert_output_contains "reserved"
	[ ! -e "$POD/ppid" ]
}

@test "stage1: ten trivial pods in a row each start and exit 0 (times reported, not asserted)" {
	local i times=() median
	for i in $(seq 10); do
		new_pod "$RKT_TEST_DIR/time-$i"
		add_app app '["/bin/true"]'
		write_pod
		local t0 t1
		t0=$(date +%s%N)
		run_pod --net=host
		t1=$(date +%s%N)
		assert_status 0
		times+=($(((t1 - t0) / 1000000)))
	done
	median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 5,6p | awk '{s += $1} END {print int(s / 2)}')
	echo "# pod start to exit (ms): median $median; all: ${times[*]}" >&3
}
