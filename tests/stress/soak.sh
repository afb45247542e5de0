#!/bin/bash
# soak.sh [--minutes M] [--image-mb MB] [--no-full-disk]
#
# 1. Full disk: a small tmpfs as --dir, filled during a fetch and during a prepare: each must fail with a
#    clear message (ENOSPC named), and once space is freed the store must list, verify, fetch and run.
# 2. Soak: five loops in parallel for M minutes (default 3) on one data dir: fetch of the same image;
#    short pods (rkt run); rkt gc; rkt image rm + fetch again; rkt list / rkt status. Every failed command
#    is logged; errors that are documented behaviour (an image in use by a pod; a pod gone between list
#    and status) are counted apart, anything else is an anomaly.
# Afterwards: no leaks (tests/stress/leaks.sh), no fd left open by rkt in anything still running, and a
# consistent store (image verify of every image). Exit 1 on any anomaly. Runs inside a test host when
# PID 1 is not systemd.
set -uo pipefail

# shellcheck source=tests/stress/common.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

minutes=3
image_mb=20
full_disk=1
args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	--minutes) minutes=$2 && shift ;;
	--image-mb) image_mb=$2 && shift ;;
	--no-full-disk) full_disk=0 ;;
	*)
		echo "soak.sh: unknown argument '$1'" >&2
		exit 2
		;;
	esac
	shift
done
in_testhost "$stress_here/soak.sh" "${args[@]}"

work=$(mktemp -d "${TMPDIR:-/var/tmp}/rkt-soak.XXXXXX")
anomalies=0
cleanup() {
	findmnt -rn -o TARGET | grep -F "$work/" | sort -r | xargs -r umount -l 2>/dev/null
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
bad() {
	printf 'FAIL: %s\n' "$*"
	anomalies=$((anomalies + 1))
}
say() { printf '# %s\n' "$*"; }

make_images "$work" "$image_mb"

# --- full disk ---
full_disk_case() {
	local what=$1 t=$work/tmpfs-$1 out rc
	mkdir -p "$t"
	mount -t tmpfs -o "size=$((image_mb * 4 + 256))m" tmpfs "$t"
	local fk=("$RKT" --dir="$t/data" --insecure-options=image)
	# The stage1 and a small image in the store, a pod run once; then the disk is filled but for 2 MiB.
	"${fk[@]}" run --net=host "$work/bb.aci" >/dev/null 2>&1 || bad "full disk ($what): a first run failed"
	if [ "$what" = prepare ]; then
		"${fk[@]}" fetch "$work/big.aci" >/dev/null 2>&1 || bad "full disk (prepare): the image does not fit"
	fi
	head -c "$(($(df -B1 --output=avail "$t" | tail -1) - 2 * 1024 * 1024))" /dev/zero >"$t/filler" 2>/dev/null
	if [ "$what" = prepare ]; then
		out=$("${fk[@]}" prepare --no-overlay "$work/big.aci" 2>&1)
	else
		out=$("${fk[@]}" fetch "$work/big.aci" 2>&1)
	fi
	rc=$?
	say "full disk during $what: exit $rc: $(tail -1 <<<"$out")"
	[ "$rc" -eq 254 ] || bad "full disk ($what): exit $rc, not 254"
	grep -q "No space left on device" <<<"$out" || bad "full disk ($what): the message does not say the disk is full: $out"
	rm -f "$t/filler"
	"${fk[@]}" gc --grace-period=0s --expire-prepared=0s >/dev/null 2>&1 || bad "full disk ($what): gc failed"
	"${fk[@]}" image gc >/dev/null 2>&1 || bad "full disk ($what): image gc failed"
	"${fk[@]}" image list >/dev/null || bad "full disk ($what): image list failed"
	[ -z "$(find "$t/data/cas/tmp" -type f 2>/dev/null)" ] || bad "full disk ($what): temporary files left: $(ls "$t/data/cas/tmp")"
	while read -r id; do
		"${fk[@]}" image verify "$id" >/dev/null 2>&1 || bad "full disk ($what): image verify $id failed"
	done < <("${fk[@]}" image list --no-legend --full --fields=id)
	out=$("${fk[@]}" run --net=host "$work/big.aci" 2>&1) || bad "full disk ($what): run after freeing space failed: $out"
	"${fk[@]}" gc --grace-period=0s >/dev/null 2>&1
	while IFS= read -r l; do bad "full disk ($what): $l"; done < <(bash "$stress_here/leaks.sh" "$t/data")
	umount "$t"
}
if [ "$full_disk" = 1 ]; then
	full_disk_case fetch
	full_disk_case prepare
fi

# --- soak ---
D=$work/data
rk=("$RKT" --dir="$D" --insecure-options=image)
"${rk[@]}" fetch "$work/big.aci" >/dev/null
deadline=$(($(now_ms) + minutes * 60000))
mkdir -p "$work/logs"

# loop NAME CMD... - runs CMD until the deadline; each failure goes to logs/NAME as "exit N: output".
loop() {
	local name=$1 n=0 out rc
	shift
	while [ "$(now_ms)" -lt "$deadline" ]; do
		out=$("$@" 2>&1)
		rc=$?
		n=$((n + 1))
		# The end of the output, where the error is, in one line.
		[ "$rc" -eq 0 ] || printf 'exit %d: %s\n' "$rc" "$(tr '\n' ' ' <<<"$out" | tail -c 400)" >>"$work/logs/$name"
	done
	echo "$n" >"$work/logs/$name.count"
}
fetch_one() { "${rk[@]}" fetch "$work/big.aci"; }
run_one() { "${rk[@]}" run "$work/big.aci" --exec /bin/sh -- -c 'test -s /big'; }
gc_one() { "${rk[@]}" gc --grace-period=0s; }
rm_fetch() { "${rk[@]}" image rm example.com/stress-big && "${rk[@]}" fetch "$work/big.aci"; }
list_status() {
	local u
	"${rk[@]}" list --no-legend --full >/dev/null || return
	for u in $("${rk[@]}" list --no-legend --full | awk '{ print $1 }'); do
		"${rk[@]}" status "$u" >/dev/null || return
	done
}
say "soak: $minutes min, image $image_mb MiB, work $work"
loop fetch fetch_one &
loop run run_one &
loop gc gc_one &
loop rm-fetch rm_fetch &
loop list list_status &
wait

# Documented: the image is in use by a pod (rm refuses), or not found because the other loop removed it
# first; a pod listed and then collected before its status was asked.
errors=0
documented=0
for f in "$work"/logs/*.count; do
	name=$(basename "$f" .count)
	n_err=0
	[ -f "$work/logs/$name" ] && n_err=$(wc -l <"$work/logs/$name")
	say "loop $name: $(cat "$f") runs, $n_err failed"
	[ -f "$work/logs/$name" ] || continue
	while IFS= read -r line; do
		errors=$((errors + 1))
		case $line in
		# rkt image rm of an image a pod uses; rkt status of a pod that rkt gc removed after rkt list
		# showed it; a fetch by name while the other loop had removed the image.
		*"is in use"* | *"status: problem retrieving pod: no matches found for"*)
			documented=$((documented + 1))
			;;
		*) bad "soak $name: $line" ;;
		esac
	done <"$work/logs/$name"
done
say "soak errors: $errors, documented: $documented"

# Afterwards.
"${rk[@]}" gc --grace-period=0s --expire-prepared=0s >/dev/null 2>&1 || bad "final gc failed"
"${rk[@]}" image gc >/dev/null 2>&1 || bad "final image gc failed"
while read -r id; do
	"${rk[@]}" image verify "$id" >/dev/null 2>&1 || bad "image verify $id failed"
done < <("${rk[@]}" image list --no-legend --full --fields=id)
out=$("${rk[@]}" list --no-legend)
[ -z "$out" ] || bad "pods left: $out"
while IFS= read -r l; do bad "$l"; done < <(bash "$stress_here/leaks.sh" "$D")
# No process (a leftover pod, a hung rkt) holds a file of the data dir open.
while IFS= read -r l; do bad "fd left open: $l"; done < <(find /proc/[0-9]*/fd -lname "$D/*" -printf '%p -> %l\n' 2>/dev/null)
say "anomalies: $anomalies"
[ "$anomalies" -eq 0 ]
