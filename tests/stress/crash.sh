#!/bin/bash
# crash.sh [--seed N] [--kills K] [--image-mb MB] [--phases P,P,...] [--keep]
#
# Crash injection: SIGKILLs rkt (and, at run start-up, separately nspawn or the pod's init) at seeded
# random moments, then checks that rkt recovers. Phases:
#   fetch        rkt fetch of a gzip image of MB MiB (default 50)
#   prepare      rkt prepare of it
#   run-rkt      rkt run start-up: rkt itself (stage0, or stage1's init once rkt exec'd it)
#   run-nspawn   rkt run start-up: systemd-nspawn
#   run-init     rkt run start-up: the pod's init (its systemd)
#   image-rm     rkt image rm of the image (its rendered tree included)
#   image-gc     rkt image gc --grace-period=0s
#   gc           rkt gc --grace-period=0s of an exited pod (stage1 gc: network, cgroup, machine)
# Run phases alternate at random between overlay pods and copied ones (--no-overlay).
#
# The seed fixes the sequence of phases, of overlay/copy and of the moment of each kill as a fraction of
# the phase's duration (measured once, unkilled, at the start), so a failure is replayed with the same
# --seed and --kills. After each kill, each of these is checked, and any failure is an anomaly:
#   - pods in run/ end (rkt status --wait); rkt list and rkt image list succeed, no pod is 'running';
#   - rkt gc --grace-period=0s --expire-prepared=0s and rkt image gc succeed without complaint;
#   - then no pod is left, and tests/stress/leaks.sh finds nothing (mounts, netns, veths, leases, nat
#     chains, machines, cgroups, processes, locks);
#   - a fresh fetch of the image (same ID) and a run of it succeed, and rkt image verify passes.
#
# Output: one automake-style line per kill ("PASS: crash N PHASE ..." or "FAIL: crash N PHASE ...: WHAT"),
# a table per phase, exit 1 on any anomaly. Runs inside a test host when PID 1 is not systemd.
set -uo pipefail

# shellcheck source=tests/stress/common.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

seed=1
kills=20
image_mb=50
phases=fetch,prepare,run-rkt,run-nspawn,run-init,image-rm,image-gc,gc
keep=0
args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	--seed) seed=$2 && shift ;;
	--kills) kills=$2 && shift ;;
	--image-mb) image_mb=$2 && shift ;;
	--phases) phases=$2 && shift ;;
	--keep) keep=1 ;;
	-h | --help)
		sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "crash.sh: unknown argument '$1'" >&2
		exit 2
		;;
	esac
	shift
done
in_testhost "$stress_here/crash.sh" "${args[@]}"

IFS=, read -r -a phase_list <<<"$phases"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/rkt-crash.XXXXXX")
D=$work/data
rk=("$RKT" --dir="$D" --insecure-options=image)
big=$work/big.aci
anomalies=0
declare -A n_kills=() n_bad=() dur=()

cleanup() {
	[ "$keep" = 1 ] && {
		echo "# work directory kept: $work"
		return
	}
	"${rk[@]}" gc --grace-period=0s --expire-prepared=0s >/dev/null 2>&1
	findmnt -rn -o TARGET | grep -F "$work/" | sort -r | xargs -r umount -l 2>/dev/null
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT

say() { printf '# %s\n' "$*"; }

# run_start OPTIONS... - starts rkt run of the image with a long-running app in the background (rkt's pid in
# $run_pid; the uuid is written to $work/uuid once known).
run_start() {
	rm -f "$work/uuid"
	"${rk[@]}" run "$@" --uuid-file-save="$work/uuid" "$big" --exec /bin/sleep -- 300 \
		>>"$work/run.log" 2>&1 &
	run_pid=$!
}

# wait_pod_file NAME TIMEOUT_MS - waits for the file NAME (a pid file of the running pod) to be non-empty; prints
# the pid. Fails when rkt run ended first or at the timeout.
wait_pod_file() {
	local name=$1 deadline=$(($(now_ms) + $2)) u
	while [ "$(now_ms)" -lt "$deadline" ]; do
		if [ -s "$work/uuid" ]; then
			u=$(cat "$work/uuid")
			if [ -s "$D/pods/run/$u/$name" ]; then
				cat "$D/pods/run/$u/$name"
				return 0
			fi
		fi
		kill -0 "$run_pid" 2>/dev/null || return 1
		sleep 0.005
	done
	return 1
}

# nspawn_child PID TIMEOUT_MS - the pod's init: nspawn's child once it is systemd (nspawn's first child
# is a helper that forks the init and exits).
nspawn_child() {
	local pid=$1 deadline=$(($(now_ms) + $2)) c
	while [ "$(now_ms)" -lt "$deadline" ]; do
		c=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null) || return 1
		c=${c%% *}
		if [ -n "$c" ] && [ "$(cat "/proc/$c/comm" 2>/dev/null)" = systemd ]; then
			echo "$c"
			return 0
		fi
		sleep 0.005
	done
	return 1
}

# wait_ready - until the pod of $work/uuid is ready (or its rkt ended).
wait_ready() {
	local u
	wait_pod_file ppid 60000 >/dev/null || return 1
	u=$(cat "$work/uuid")
	"${rk[@]}" status --wait-ready=60s "$u" >/dev/null 2>&1
}

# stop_all - stops the pods that run and waits for them.
stop_all() {
	local pod u
	for pod in "$D"/pods/run/*/; do
		[ -d "$pod" ] || continue
		u=$(basename "$pod")
		"${rk[@]}" stop --force "$u" >/dev/null 2>&1
		"${rk[@]}" status --wait=60s "$u" >/dev/null 2>&1
	done
	wait_jobs >/dev/null
}

# wait_jobs - waits up to 60 s for the background rkt commands; says which did not end (and kills them).
wait_jobs() {
	local deadline=$(($(now_ms) + 60000)) j
	while [ -n "$(jobs -rp)" ] && [ "$(now_ms)" -lt "$deadline" ]; do
		sleep 0.05
	done
	for j in $(jobs -rp); do
		echo "rkt still running 60 s after the kill: $(tr '\0' ' ' <"/proc/$j/cmdline")"
		kill -9 "$j" 2>/dev/null
	done
	wait 2>/dev/null
}

have_big() {
	"${rk[@]}" image list --no-legend --fields=name 2>/dev/null | grep -qx example.com/stress-big
}

ensure_big() {
	have_big || "${rk[@]}" fetch "$big" >/dev/null 2>&1
}

# with_tree - the image in the store with its tree rendered (a prepared pod renders it; the pod goes).
with_tree() {
	local u
	ensure_big
	u=$("${rk[@]}" prepare --quiet "$big" 2>/dev/null) && "${rk[@]}" rm "$u" >/dev/null 2>&1
}

exited_pod() {
	ensure_big
	"${rk[@]}" run "$big" >/dev/null 2>&1
}

# The operation of a phase in the background ($op_pid: the process to kill, or empty when there was
# nothing to kill), after its setup; waits `delay` ms first, from the moment the victim exists.
start_phase() {
	local phase=$1 delay_ms=$2 overlay=$3 p
	op_pid=
	case $phase in
	fetch)
		"${rk[@]}" image rm example.com/stress-big >/dev/null 2>&1
		"${rk[@]}" fetch "$big" >/dev/null 2>&1 &
		op_pid=$!
		;;
	prepare)
		ensure_big
		"${rk[@]}" prepare "$big" >/dev/null 2>&1 &
		op_pid=$!
		;;
	run-rkt)
		run_start ${overlay:+"$overlay"}
		op_pid=$run_pid
		;;
	run-nspawn | run-init)
		run_start ${overlay:+"$overlay"}
		p=$(wait_pod_file ppid 60000) || return 1
		if [ "$phase" = run-init ]; then
			p=$(nspawn_child "$p" 60000) || return 1
		fi
		op_pid=$p
		;;
	image-rm)
		with_tree
		"${rk[@]}" image rm example.com/stress-big >/dev/null 2>&1 &
		op_pid=$!
		;;
	image-gc)
		with_tree
		"${rk[@]}" image gc --grace-period=0s >/dev/null 2>&1 &
		op_pid=$!
		;;
	gc)
		exited_pod
		"${rk[@]}" gc --mark-only >/dev/null 2>&1
		"${rk[@]}" gc --grace-period=0s >/dev/null 2>&1 &
		op_pid=$!
		;;
	esac
	sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
}

# Durations (ms) of each phase, unkilled: the window in which kills land.
calibrate() {
	local t0 phase
	for phase in "${phase_list[@]}"; do
		t0=$(now_ms)
		case $phase in
		fetch | prepare | image-rm | image-gc | gc)
			start_phase "$phase" 0 ""
			t0=$(now_ms)
			wait "$op_pid"
			;;
		run-rkt)
			start_phase "$phase" 0 ""
			t0=$(now_ms)
			wait_ready
			;;
		run-nspawn | run-init)
			start_phase "$phase" 0 ""
			t0=$(now_ms)
			wait_ready
			;;
		esac
		dur[$phase]=$(($(now_ms) - t0 + 50))
		stop_all
		"${rk[@]}" gc --grace-period=0s --expire-prepared=0s >/dev/null 2>&1
		say "phase $phase: $((dur[$phase])) ms"
	done
	ensure_big
	big_id=$("${rk[@]}" image list --no-legend --full --fields=id,name | awk '$2 == "example.com/stress-big" { print $1 }')
	[ -n "$big_id" ] || {
		echo "Bail out! the image cannot be fetched"
		exit 1
	}
	"${rk[@]}" image rm "$big_id" >/dev/null 2>&1
}

# Forcibly removes what a failed check left, so that one anomaly is reported once.
scrub() {
	local ns c l
	stop_all
	"${rk[@]}" gc --grace-period=0s --expire-prepared=0s >/dev/null 2>&1
	for ns in $(ip netns list 2>/dev/null | awk '/^rkt-/ { print $1 }'); do ip netns del "$ns"; done
	for l in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
		ip link del "$l" 2>/dev/null
	done
	find /var/lib/cni/networks -type f ! -name 'last_reserved_ip*' ! -name lock -delete 2>/dev/null
	for c in $(iptables -w -t nat -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^(CNI|RKT)-/ { print $2 }'); do
		iptables -w -t nat -S | awk -v c="$c" '$1 == "-A" && $0 ~ ("-j " c "( |$)") { $1 = "-D"; print }' |
			while read -r -a rule; do iptables -w -t nat "${rule[@]}"; done
		iptables -w -t nat -F "$c"
		iptables -w -t nat -X "$c"
	done 2>/dev/null
	machinectl list --no-legend 2>/dev/null | awk '$1 ~ /^rkt-/ { print $1 }' | xargs -r -n1 machinectl terminate 2>/dev/null
	findmnt -rn -o TARGET | grep -F "$D/" | sort -r | xargs -r umount -l 2>/dev/null
}

# unexpected FILE - the lines of gc's stderr that are not its ordinary reports (what it moved, removed or
# killed: after a SIGKILL, gc finishing the work is the point).
unexpected() {
	grep -vE -e '^gc: (moving (pod|failed prepare|expired prepared pod) .* to garbage|removing stale embryo)' \
		-e '^stage1: killed [0-9]+ leftover process(es)? of the pod' \
		-e '^(image )?gc: [0-9]+ image\(s\) successfully removed' "$1"
}

# check - the state after a kill; prints one problem per line.
check() {
	local pod u out err
	err=$work/err
	for pod in "$D"/pods/run/*/; do
		[ -d "$pod" ] || continue
		u=$(basename "$pod")
		"${rk[@]}" status --wait=60s "$u" >/dev/null 2>&1 || echo "pod $u still running 60 s after the kill"
	done
	wait_jobs
	# (in this shell: a subshell cannot reap the background commands)
	out=$("${rk[@]}" list --no-legend 2>"$err") || echo "rkt list failed: $(head -c 300 "$err")"
	grep -w running <<<"$out" | sed 's/^/rkt list says running: /'
	"${rk[@]}" image list --no-legend >/dev/null 2>"$err" || echo "rkt image list failed: $(head -c 300 "$err")"
	"${rk[@]}" gc --grace-period=0s --expire-prepared=0s >/dev/null 2>"$err" || echo "rkt gc failed"
	unexpected "$err" | sed 's/^/rkt gc: /'
	"${rk[@]}" image gc >/dev/null 2>"$err" || echo "rkt image gc failed"
	unexpected "$err" | sed 's/^/rkt image gc: /'
	out=$("${rk[@]}" list --no-legend 2>&1)
	[ -z "$out" ] || echo "pods left after gc: $(head -c 300 <<<"$out")"
	bash "$stress_here/leaks.sh" "$D"
	out=$("${rk[@]}" fetch --full "$big" 2>"$err") || echo "fetch failed: $(head -c 300 "$err")"
	[ -z "$out" ] || [ "$out" = "$big_id" ] || echo "fetch gave $out, not $big_id"
	"${rk[@]}" run "$big" --exec /bin/sh -- -c 'test -s /big' >/dev/null 2>"$err" ||
		echo "run failed: $(grep -v '^\[' "$err" | head -c 300)"
	while read -r id; do
		"${rk[@]}" image verify "$id" >/dev/null 2>"$err" || echo "image verify $id failed: $(head -c 300 "$err")"
	done < <("${rk[@]}" image list --no-legend --full --fields=id 2>/dev/null)
	"${rk[@]}" gc --grace-period=0s >/dev/null 2>&1
	bash "$stress_here/leaks.sh" "$D" | sed 's/^/after a clean run: /'
}

start=$(now_ms)
say "seed $seed, $kills kills, image $image_mb MiB, phases $phases, rkt $RKT, work $work"
make_images "$work" "$image_mb"
"${rk[@]}" fetch "$work/bb.aci" >/dev/null
calibrate

RANDOM=$seed
for ((i = 1; i <= kills; i++)); do
	phase=${phase_list[RANDOM % ${#phase_list[@]}]}
	frac=$((RANDOM % 1000))
	overlay=
	case $phase in run-*) [ $((RANDOM % 2)) -eq 0 ] && overlay=--no-overlay ;; esac
	# The last fifth of the window is mostly exiting: kills land in the first four.
	delay=$((dur[$phase] * frac * 4 / 5000))
	what="$phase${overlay:+ $overlay} at $delay/${dur[$phase]} ms"
	if start_phase "$phase" "$delay" "$overlay" && [ -n "$op_pid" ] && kill -9 "$op_pid" 2>/dev/null; then
		hit=1
	else
		hit=0
		what+=" (ended before the kill)"
		stop_all
	fi
	n_kills[$phase]=$((${n_kills[$phase]:-0} + hit))
	check >"$work/problems"
	problems=$(cat "$work/problems")
	if [ -n "$problems" ]; then
		anomalies=$((anomalies + 1))
		n_bad[$phase]=$((${n_bad[$phase]:-0} + 1))
		printf 'FAIL: crash %d %s: %s\n' "$i" "$what" "$(tr '\n' ';' <<<"$problems")"
		tail -5 "$work/run.log" | sed 's/^/#   run.log: /'
		scrub
	else
		printf 'PASS: crash %d %s\n' "$i" "$what"
	fi
	: >"$work/run.log"
done

say "phase        kills  anomalies"
total=0
for phase in "${phase_list[@]}"; do
	printf '# %-12s %5d  %9d\n' "$phase" "${n_kills[$phase]:-0}" "${n_bad[$phase]:-0}"
	total=$((total + ${n_kills[$phase]:-0}))
done
say "$total kills landed, $anomalies anomalies, seed $seed, $(($(($(now_ms) - start)) / 1000)) s"
[ "$anomalies" -eq 0 ]
