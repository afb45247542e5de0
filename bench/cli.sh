#!/bin/bash
# Command start-up: the verbs that scripts and orchestrators poll (Nomad's driver runs `rkt status` and
# `rkt list` every few seconds per pod) against /bin/true (fork + exec, the floor) and podman's
# equivalents when podman is installed, in the same run. No pod is started: the pods are prepared ones
# in a throw-away data dir, so this runs anywhere (no systemd needed).
#
#   bench/cli.sh [RKT_BINARY]      (root; RKT_BENCH_N=runs per command, default 100)
#
# Prints median and p90 wall times in ms and the ratio to the floor.
set -euo pipefail
case "${1:-}" in
-h | --help)
        sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
esac
RKT=$(realpath "${1:-$(dirname "$0")/../build/rkt}")
[ -x "$RKT" ] || { echo "no rkt binary at $RKT" >&2; exit 1; }
N=${RKT_BENCH_N:-100}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /var/tmp/rkt-bench-cli.XXXXXX)
# Prepared pods have their stage1 mounted: rkt removes them (and unmounts) first.
trap '"$RKT" --dir="$work/data" gc --grace-period=0s --expire-prepared=0s >/dev/null 2>&1; rm -rf "$work"' EXIT

# A busybox image and 20 prepared pods of it.
mkdir -p "$work/bb/bin"
cp "$(command -v busybox)" "$work/bb/bin/busybox"
python3 "$here/../tests/helpers/mkaci.py" "$work/bb.aci" --name example.com/bb --label version=1 \
        --dir "$work/bb" --exec "/bin/busybox true"
rkt() { "$RKT" --dir="$work/data" --insecure-options=image "$@"; }
rkt fetch "$work/bb.aci" >/dev/null
for _ in $(seq 20); do uuid=$(rkt prepare --quiet "$work/bb.aci"); done

# times NAME CMD...: median and p90 of N runs, in ms, from bash's clock (no fork to read it).
declare -A median
times() {
        local name=$1 s e
        shift
        local -a t=()
        "$@" >/dev/null 2>&1 || { printf '%-34s failed: %s\n' "$name" "$*"; return 0; }
        for _ in $(seq "$N"); do
                s=$EPOCHREALTIME
                "$@" >/dev/null 2>&1
                e=$EPOCHREALTIME
                t+=("$(echo "($e - $s) * 1000" | bc -l)")
        done
        mapfile -t t < <(printf '%s\n' "${t[@]}" | sort -g)
        median[$name]=${t[$((N / 2))]}
        printf '%-34s %8.2f %8.2f %8.1fx\n' "$name" "${t[$((N / 2))]}" "${t[$((N * 9 / 10))]}" \
                "$(echo "${t[$((N / 2))]} / ${median[floor]:-${t[$((N / 2))]}}" | bc -l)"
}

echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, N=$N"
printf '%-34s %8s %8s %9s\n' command median p90 "/ floor"
times floor /bin/true
times "rkt version" "$RKT" version
times "rkt list (20 prepared pods)" rkt list
times "rkt list --format=json" rkt list --format=json
times "rkt status UUID" rkt status "$uuid"
times "rkt image list" rkt image list
if command -v podman >/dev/null; then
        times "podman version" podman version
        times "podman ps -a" podman ps -a
        times "podman images" podman images
else
        echo "podman: not installed (apt-get install podman), no peer rows"
fi
