#!/usr/bin/env bats
# Pods and cgroups, on whichever hierarchy the host has: CI runs this file in the hybrid test
# host (cgroup v1 controllers, name=systemd, an empty cgroup2) and in the unified one (cgroup2 only, as
# Debian 12 boots; tests/functional/run-unified.sh). The app must not be able to change the cgroup tree
# it can see, the pod's cgroup is where machinectl and systemctl say, rkt gc leaves none behind, and the
# resource isolators become cgroup v2 settings.

load helpers

setup() {
	rkt_setup
	require_systemd
	require_root
	[ -x /bin/busybox ] || fail "/bin/busybox not found (busybox-static)"
	OUT=$RKT_TEST_DIR/out
	mkdir -p "$OUT"
	chmod 0777 "$OUT"
	BG_PID=
	UUID=
	mkbusybox
	case $(stat -fc %T /sys/fs/cgroup) in
	cgroup2fs) HIERARCHY=unified ;;
	tmpfs) HIERARCHY=hybrid ;;
	*) fail "unknown cgroup layout at /sys/fs/cgroup" ;;
	esac
}

teardown() {
	if [ -n "$BG_PID" ]; then
		[ -z "$UUID" ] || rkt stop --force "$UUID" >/dev/null 2>&1 || true
		wait_for 30 sh -c "! kill -0 $BG_PID 2>/dev/null" || kill -9 "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
	rkt gc --grace-period=0s >/dev/null 2>&1 || true
	rkt_teardown
}

# mkbusybox - $BB: an image of busybox with every applet and /probe.sh (probe_script), whose app exits 0.
mkbusybox() {
	local d=$RKT_TEST_DIR/img a
	mkdir -p "$d/rootfs/bin" "$d/rootfs/tmp"
	probe_script >"$d/rootfs/probe.sh"
	cp /bin/busybox "$d/rootfs/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$d/rootfs/bin/$a" ] || ln -s busybox "$d/rootfs/bin/$a"
	done
	jq -n '{acKind: "ImageManifest", acVersion: "0.8.11", name: "example.com/bb",
		labels: [{name: "os", value: "linux"}, {name: "arch", value: "amd64"}],
		app: {exec: ["/bin/sh", "-c", "exit 0"], user: "0", group: "0"}}' >"$d/manifest"
	tar -C "$d" -cf "$RKT_TEST_DIR/bb.aci" manifest rootfs
	BB=$RKT_TEST_DIR/bb.aci
}

# start_pod [POD_FLAGS...] IMAGE [APP_FLAGS...]: a pod whose app sleeps, in the background, until it is
# running; sets UUID and LEADER (the pod's PID 1).
start_pod() {
	rm -f "$RKT_TEST_DIR/uuid"
	rkt --insecure-options=image run --net=host --uuid-file-save="$RKT_TEST_DIR/uuid" "$@" \
		--exec /bin/sleep -- 300 >"$RKT_TEST_DIR/pod.log" 2>&1 &
	BG_PID=$!
	wait_for 30 test -s "$RKT_TEST_DIR/uuid" || fail "no pod: $(cat "$RKT_TEST_DIR/pod.log")"
	UUID=$(cat "$RKT_TEST_DIR/uuid")
	wait_for 30 test -L "$RKT_DATA_DIR/pods/run/$UUID/stage1/rootfs/rkt/supervisor-status" ||
		fail "pod did not start: $(cat "$RKT_TEST_DIR/pod.log")"
	LEADER=$(machinectl show "rkt-$UUID" -p Leader --value)
	[ -n "$LEADER" ] || fail "no leader for rkt-$UUID"
}

# app_pid COMM - the PID (on the host) of the app process called COMM: a child of the pod's PID 1.
app_pid() {
	local c
	while read -r c; do
		if [ -n "$c" ] && [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$1" ]; then
			echo "$c"
			return 0
		fi
	done < <(cat /proc/"$LEADER"/task/*/children | tr -s ' ' '\n')
	return 1
}

# cgroup_of PID - its cgroup in the hierarchy systemd manages units in (cgroup2 on unified hosts,
# name=systemd on hybrid ones), as the host sees it.
cgroup_of() {
	if [ "$HIERARCHY" = unified ]; then
		sed -n 's/^0:://p' "/proc/$1/cgroup"
	else
		sed -n 's/^[0-9]*:name=systemd://p' "/proc/$1/cgroup"
	fi
}

# The script an app runs to try to change the cgroup tree it can reach through the pod's PID 1: each attempt
# prints "WHAT: RESULT" into /out/probe, RESULT being the error (or "done" when it worked). Left out: the
# pod's own cgroup, which the pod's systemd manages (on hybrid hosts the roots of name=systemd and cgroup2
# in the pod's cgroup namespace; on unified ones machine.slice/machine-rkt-UUID.scope, whose parent is
# tried): an app given CAP_SYS_PTRACE over the pod's systemd reaches whatever that systemd can write.
probe_script() {
	cat <<'EOF'
exec > /out/probe 2>&1
try() { what=$1; shift; if err=$("$@" 2>&1); then echo "$what: done"; else echo "$what: ${err##*: }"; fi; }
c=/proc/1/root/sys/fs/cgroup
try "pid1-root" ls "/proc/1/root/"
try "mkdir-root" mkdir "$c/rkt-probe"
for d in "$c"/*/; do
	case $d in "$c/systemd/" | "$c/unified/") continue ;; esac # hybrid: the pod's own
	try "mkdir-$(basename "$d")" mkdir "$d/rkt-probe"
	try "rmdir-$(basename "$d")" rmdir "$d"
done
try "write-root-procs" sh -c "echo \$\$ > $c/cgroup.procs"
try "write-root-subtree" sh -c "echo +pids > $c/cgroup.subtree_control"
try "own-mkdir" mkdir /sys/fs/cgroup/rkt-probe
echo end
EOF
}

# assert_probe_read_only - every attempt of probe_script but reaching /proc/1/root failed with EROFS.
assert_probe_read_only() {
	local p=$OUT/probe
	grep -qx "end" "$p" || fail "the probe did not finish: $(cat "$p")"
	grep -qx "pid1-root: done" "$p" || fail "the app could not reach /proc/1/root: $(cat "$p")"
	grep -qx "mkdir-root: Read-only file system" "$p" || fail "mkdir at the root: $(cat "$p")"
	# Controllers (hybrid) or slices of the host (unified): at least one was tried, all refused.
	[ "$(grep -c '^[mr][km]dir-.*: Read-only file system$' "$p")" -ge 3 ] || fail "too few attempts: $(cat "$p")"
	run grep -E '^[a-z0-9_.-]+: done$' "$p"
	[ "$output" = "pid1-root: done" ] || fail "the app changed the cgroup tree: $(cat "$p")"
	run grep -E '^(write-root-procs|write-root-subtree): (Read-only file system|No such file or directory)$' "$p"
	[ "${#lines[@]}" -eq 2 ] || fail "writing the root's files: $(cat "$p")"
	# Its own /sys/fs/cgroup: hidden (rkt's /sys/fs/ rule), never writable.
	run grep -E '^own-mkdir: (Read-only file system|Permission denied|No such file or directory)$' "$p"
	assert_status 0
}

@test "cgroups: the test host has the hierarchy asked for (RKT_TESTHOST_CGROUP; on a systemd host: a known one)" {
	# run.sh sets RKT_TESTHOST_CGROUP for a test host; a systemd host has whatever it booted (setup fails
	# on a layout that is neither).
	[ "$HIERARCHY" = "${RKT_TESTHOST_CGROUP:-$HIERARCHY}" ] || fail "asked for $RKT_TESTHOST_CGROUP, booted $HIERARCHY"
}

@test "cgroups: an app with CAP_SYS_PTRACE cannot make, remove or write cgroups through /proc/1/root (EROFS)" {
	run rkt --insecure-options=image run --net=host --volume "out,kind=host,source=$OUT" \
		"$BB" --mount volume=out,target=/out \
		--caps-retain=CAP_SYS_PTRACE,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_CHOWN,CAP_SYS_ADMIN \
		--exec /bin/sh -- /probe.sh
	assert_status 0
	assert_probe_read_only
}

@test "cgroups: with --private-users too, the cgroup tree is read-only for an app with CAP_SYS_PTRACE" {
	run rkt --insecure-options=image run --net=none --private-users --volume "out,kind=host,source=$OUT" \
		"$BB" --mount volume=out,target=/out \
		--caps-retain=CAP_SYS_PTRACE,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_CHOWN,CAP_SYS_ADMIN \
		--exec /bin/sh -- /probe.sh
	assert_status 0
	assert_probe_read_only
}

@test "cgroups: without CAP_SYS_PTRACE (rkt's default set) an app cannot reach the pod's /proc/1/root at all" {
	run rkt --insecure-options=image run --net=host --volume "out,kind=host,source=$OUT" "$BB" \
		--mount volume=out,target=/out --exec /bin/sh -- -c \
		'ls /proc/1/root/sys/fs/cgroup > /dev/null 2> /out/err; echo $? > /out/rc'
	assert_status 0
	[ "$(cat "$OUT/rc")" != 0 ] || fail "the app listed the pod's /sys/fs/cgroup"
	grep -q "Permission denied" "$OUT/err" || fail "unexpected error: $(cat "$OUT/err")"
}

@test "cgroups: the pod's cgroup is in the unit machinectl and systemctl show, the app's below it; rkt gc leaves none" {
	local unit cg pod_cg pid app_cg short
	start_pod "$BB"
	unit=$(machinectl show "rkt-$UUID" -p Unit --value)
	[ "$unit" = "machine-rkt\\x2d${UUID//-/\\x2d}.scope" ] || fail "machine unit '$unit'"
	cg=$(systemctl show -p ControlGroup --value "$unit")
	[ "$cg" = "/machine.slice/$unit" ] || fail "ControlGroup '$cg'"
	run machinectl status "rkt-$UUID"
	assert_status 0
	assert_output_contains "Unit: $unit"
	assert_output_contains "/bin/sleep 300"
	run systemctl status "$unit"
	assert_output_contains "CGroup: $cg"
	assert_output_contains "bb.service"
	# The pod's systemd runs in the unit's cgroup (nspawn may put it in a "payload" child on cgroup2).
	pod_cg=$(cgroup_of "$LEADER")
	pod_cg=${pod_cg%/init.scope}
	[[ $pod_cg == "$cg" || $pod_cg == "$cg"/* ]] || fail "pod PID 1 in '$(cgroup_of "$LEADER")', not in $cg"
	pid=$(app_pid sleep) || fail "no app process"
	app_cg=$(cgroup_of "$pid")
	[ "$app_cg" = "$pod_cg/system.slice/bb.service" ] || fail "app in '$app_cg'"
	[ "$HIERARCHY" = hybrid ] || [ -d "/sys/fs/cgroup$app_cg" ] || fail "no /sys/fs/cgroup$app_cg"

	rkt stop "$UUID" >/dev/null
	wait "$BG_PID" || true
	BG_PID=
	run rkt gc --grace-period=0s
	assert_status 0
	short=${UUID%%-*}
	run find /sys/fs/cgroup -name "*$short*"
	[ -z "$output" ] || fail "cgroups left after gc: $output"
}

@test "cgroups: --memory, --cpu, --cpu-shares become MemoryMax=, CPUQuota=, CPUWeight=; memory.max, cpu.max and cpu.weight read back only where cgroup2 has the memory and cpu controllers (not on this VM kind)" {
	local unit pid app_cg c
	start_pod "$BB" --memory=256M --cpu=250m --cpu-shares=512
	unit=$RKT_DATA_DIR/pods/run/$UUID/stage1/rootfs/etc/systemd/system/bb.service
	grep -qx "MemoryMax=256000000" "$unit" || fail "$(cat "$unit")"
	grep -qx "CPUQuota=25%" "$unit" || fail "$(cat "$unit")"
	grep -qx "CPUWeight=50" "$unit" || fail "$(cat "$unit")"
	run nsenter -t "$LEADER" -m -r -w -p /usr/bin/systemctl show -p MemoryMax -p CPUQuotaPerSecUSec -p CPUWeight bb.service
	assert_status 0
	assert_output_contains "MemoryMax=256000000"
	assert_output_contains "CPUQuotaPerSecUSec=250ms"
	assert_output_contains "CPUWeight=50"

	pid=$(app_pid sleep) || fail "no app process"
	app_cg=$(cgroup_of "$pid")
	c=/sys/fs/cgroup$app_cg
	if [ "$HIERARCHY" = unified ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers &&
		grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then
		[ "$(cat "$c/memory.max")" = 256000000 ] || fail "memory.max: $(cat "$c/memory.max")"
		[ "$(cat "$c/cpu.max")" = "25000 100000" ] || fail "cpu.max: $(cat "$c/cpu.max")"
		[ "$(cat "$c/cpu.weight")" = 50 ] || fail "cpu.weight: $(cat "$c/cpu.weight")"
	else
		# Where the kernel binds the controllers to v1, the app's cgroup has no such files to read.
		[ ! -e "$c/memory.max" ] || fail "memory.max exists without the memory controller"
	fi
}

@test "cgroups: a negative --oom-score-adj gives the pod CAP_SYS_RESOURCE to set it; the value read back only where the host has that capability (not on this VM kind)" {
	local bnd
	run rkt --debug --insecure-options=image run --net=host --volume "out,kind=host,source=$OUT" "$BB" \
		--mount volume=out,target=/out --oom-score-adj=-50 --exec /bin/sh -- -c 'cat /proc/self/oom_score_adj > /out/oom'
	assert_status 0
	printf '%s\n' "${lines[@]}" | grep -E "exec /usr/bin/systemd-nspawn .*--capability=[A-Z_,]*CAP_SYS_RESOURCE" >/dev/null ||
		fail "nspawn without CAP_SYS_RESOURCE: $output"
	bnd=$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)
	if (((0x$bnd >> 24) & 1)); then
		[ "$(cat "$OUT/oom")" = -50 ] || fail "oom_score_adj $(cat "$OUT/oom")"
	else
		[ "$(cat "$OUT/oom")" = 0 ] || fail "oom_score_adj $(cat "$OUT/oom") without CAP_SYS_RESOURCE"
	fi

	# an app without a negative value leaves the pod's set as it was
	run rkt --debug --insecure-options=image run --net=host "$BB" --oom-score-adj=50
	assert_status 0
	run grep -c "CAP_SYS_RESOURCE" <<<"$output"
	[ "$output" = 0 ] || fail "CAP_SYS_RESOURCE for a positive oom_score_adj"
}
