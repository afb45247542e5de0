#!/bin/bash
# Pod start-to-exit time of one app on one busybox-static rootfs, rkt against its peers in one run:
#   rkt run --net=host            the image by name from rkt's store
#   rkt run                       the default network (CNI ptp + host-local + masquerade)
#   systemd-nspawn                booting the same stage1 tree with the same app unit (what rkt adds: image
#                                 lookup, pod directory, overlay mounts, unit generation, the stage1 supervisor);
#                                 where machined runs, also with the flags rkt gives it (registration, journal link)
#   podman run --rm --network=host, and podman run --rm (default network: netavark bridge), of an image
#                                 `podman import`ed from the same rootfs, storage (overlay) in the work directory
#   crun run                      an OCI bundle of the same rootfs from `crun spec` (new pid/net/ipc/uts/mount
#                                 namespaces): the floor of an OCI runtime, no image handling, no network setup
# Two apps: /bin/true, and /bin/echo of one line, which must reach the contender's stdout. Each round runs
# every contender once, the starting contender rotating; a contender that cannot run here is named with the
# reason and left out. Prints the median and p90 of N rounds per contender, the ratios to rkt run --net=host,
# rkt against each peer, and the load average before and after.
#
#   bench/run.sh [--help] [RKT_BINARY]       (root; RKT_BENCH_N rounds, default 21)
#
# RKT_BENCH_BASELINE=OTHER_RKT_BINARY adds `rkt run --net=host` of another build (with the stage1-nspawn.aci beside
# it) as one more contender, alternated with the others: a change measured against what it changes, in one run.
#
# Where it runs: rkt needs systemd as PID 1, so on a machine without it (the development and CI VMs) the script
# runs itself inside the test host (tests/testhost/testhost.sh) and every contender runs in there, under the
# same systemd PID 1, on the same kernel and the same on-disk /var/tmp, alternated with each other: the only
# setup in which they share the machine state. The test host has no network (--private-network), so podman and
# crun are downloaded here with apt-get, resolved against the test host root's package database, and installed
# into its volatile root for this run only (the cached root and the tests do without them).
# Differences that remain:
#   - cgroups: podman runs with --cgroups=disabled and crun with --cgroup-manager=disabled. In the test host they
#     cannot do otherwise (its v1 controllers are read-only and its cgroup2 has none, so crun cannot create its
#     cgroup); elsewhere this keeps the figures comparable. rkt and nspawn still create their scope (no
#     controllers there either), so the ratios count that against rkt.
#   - networks: rkt's default is a ptp veth per pod, podman's a bridge; crun gets an empty network namespace.
#   - stdout: rkt and nspawn relay the app's output through the pod's console (a pty), podman through conmon,
#     crun passes its own stdout through.
#   - cleanup: podman --rm and crun run remove the container; rkt leaves the exited pod to `rkt gc`.
#   - podman runs with its defaults: conmon sends the container's output to journald (-l journald), events go
#     to journald, and --rm starts a second podman (`podman container cleanup`) as conmon's exit command.
# The header gives the cost of one page fault (a fresh anonymous page, best of 5). On some VMs it is ~50 us,
# ~100x bare metal, and then it sets the figures: a Go program of podman's size takes ~2,500 faults to start,
# `rkt run` ~130 before its stage1; figures from machines whose fault costs differ do not compare.
set -euo pipefail
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
        sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
        exit 0
fi
HERE=$(dirname "$(realpath "$0")")
RKT=$(realpath "${1:-$HERE/../build/rkt}")
[ -x "$RKT" ] || { echo "no rkt binary at $RKT" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
N=${RKT_BENCH_N:-21}

if [ ! -d /run/systemd/system ]; then
        top=$(realpath "$HERE/..")
        th=$top/tests/testhost/testhost.sh
        debs=/var/tmp/rkt-bench-debs
        "$th" build
        mkdir -p "$debs/partial"
        if ! apt-get -q -y --download-only -o Dir::State::status="$("$th" root)/var/lib/dpkg/status" \
                -o Dir::Cache::archives="$debs" install podman crun >"$debs/apt.log" 2>&1; then
                echo "podman, crun: apt-get cannot download them here ($(tail -1 "$debs/apt.log"))"
        fi
        binds="$top $debs"
        case $RKT in "$top"/*) ;; *) binds+=" $(dirname "$RKT")" ;; esac
        if [ -n "${RKT_BENCH_BASELINE:-}" ]; then
                RKT_BENCH_BASELINE=$(realpath "$RKT_BENCH_BASELINE")
                case $RKT_BENCH_BASELINE in "$top"/*) ;; *) binds+=" $(dirname "$RKT_BENCH_BASELINE")" ;; esac
                export RKT_BENCH_BASELINE
        fi
        RKT_TESTHOST_BINDS=$binds RKT_BENCH_DEBS=$debs exec "$th" run bash "$HERE/run.sh" "$RKT"
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
work=$(mktemp -d /var/tmp/rkt-bench-run.XXXXXX)
cleanup() {
        awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r | xargs -r -n1 umount -l
        rm -rf --one-file-system "$work"
}
trap cleanup EXIT

if [ -n "${RKT_BENCH_DEBS:-}" ] && ! { command -v podman && command -v crun; } >/dev/null; then
        shopt -s nullglob
        debfiles=("$RKT_BENCH_DEBS"/*.deb)
        shopt -u nullglob
        if [ "${#debfiles[@]}" -gt 0 ] && ! dpkg -i "${debfiles[@]}" >"$work/dpkg.log" 2>&1; then
                echo "podman, crun: installing them failed ($(tail -1 "$work/dpkg.log"))"
        fi
fi

LINE="hello from busybox"
mkdir -p "$work/bb/bin"
cp /bin/busybox "$work/bb/bin/busybox"
for t in sh true echo; do ln -s busybox "$work/bb/bin/$t"; done
python3 "$HERE/../tests/helpers/mkaci.py" "$work/bb.aci" --name example.com/busybox --dir "$work/bb" --exec /bin/true
R=("$RKT" --dir="$work/data" --insecure-options=image)
"${R[@]}" fetch "$work/bb.aci" >/dev/null
IMG=example.com/busybox
declare -A ARGS=([true]=/bin/true [echo]="/bin/echo $LINE")

# The same stage1 tree and app unit, booted by raw nspawn: take them from a pod that ran once (a prepared
# pod holds no mounts; its stage1 tree, with the units its init generated, stays mounted after the run
# until gc), and time nspawn alone on a copy.
declare -A UUID
for c in true echo; do
        read -r -a a <<<"${ARGS[$c]}"
        uuid=$("${R[@]}" prepare "$IMG" --exec "${a[0]}" -- "${a[@]:1}" | tail -1)
        "${R[@]}" run-prepared --net=host "$uuid" >/dev/null 2>&1 || true
        pod=$work/data/pods/run/$uuid
        mkdir -p "$work/raw-$c"
        cp -a "$pod/stage1/rootfs/." "$work/raw-$c/"
        UUID[$c]=$uuid
done

rkt_host() { read -r -a a <<<"${ARGS[$1]}"; "${R[@]}" run --net=host "$IMG" --exec "${a[0]}" -- "${a[@]:1}"; }
if [ -n "${RKT_BENCH_BASELINE:-}" ]; then
        B=("$RKT_BENCH_BASELINE" --dir="$work/data-baseline" --insecure-options=image)
        "${B[@]}" fetch "$work/bb.aci" >/dev/null
fi
rkt_baseline() { read -r -a a <<<"${ARGS[$1]}"; "${B[@]}" run --net=host "$IMG" --exec "${a[0]}" -- "${a[@]:1}"; }
rkt_default() { read -r -a a <<<"${ARGS[$1]}"; "${R[@]}" run --net=default "$IMG" --exec "${a[0]}" -- "${a[@]:1}"; }
raw() {
        local c=$1
        shift
        systemd-nspawn --boot --quiet "$@" --directory="$work/raw-$c" \
                -- --default-standard-output=tty --log-target=null --show-status=0
}
nspawn_plain() { raw "$1" --register=no --keep-unit; }
# nspawn as stage1 runs it (nspawn-args.c), registered with machined under the pod's UUID.
nspawn_rkt_flags() {
        SYSTEMD_NSPAWN_CONTAINER_SERVICE=rkt raw "$1" --notify-ready=yes --uuid="${UUID[$1]}" \
                --machine="rkt-${UUID[$1]}" --link-journal=try-guest --register=yes --console=read-only
}
P=(podman --root="$work/containers" --runroot="$work/containers-run")
# shellcheck disable=SC2086 # ARGS is the command line
podman_host() { "${P[@]}" run --rm --cgroups=disabled --network=host localhost/rkt-bench-bb ${ARGS[$1]}; }
# shellcheck disable=SC2086
podman_default() { "${P[@]}" run --rm --cgroups=disabled localhost/rkt-bench-bb ${ARGS[$1]}; }
crun_run() { crun --cgroup-manager=disabled run --bundle="$work/oci-$1" rkt-bench-$$; }

declare -A LABEL=([rkt_host]="rkt run --net=host" [rkt_default]="rkt run (default net)"
        [nspawn_plain]="systemd-nspawn, same tree" [nspawn_rkt_flags]="nspawn with rkt's flags"
        [podman_host]="podman run --network=host" [podman_default]="podman run (default net)"
        [crun_run]="crun run (OCI bundle)" [rkt_baseline]="baseline rkt run --net=host")
contenders=(rkt_host rkt_default nspawn_plain)
[ -z "${RKT_BENCH_BASELINE:-}" ] || contenders+=(rkt_baseline)
if [ -d /run/systemd/machines ]; then
        contenders+=(nspawn_rkt_flags)
else
        echo "nspawn with rkt's flags: not run (no machined)"
fi
if command -v podman >/dev/null; then
        if tar -C "$work/bb" -c . | "${P[@]}" import - localhost/rkt-bench-bb >"$work/out" 2>&1; then
                contenders+=(podman_host podman_default)
        else
                echo "podman: not run (podman import fails here: $(tail -1 "$work/out"))"
        fi
else
        echo "podman: not run (not installed)"
fi
if command -v crun >/dev/null; then
        for c in true echo; do
                mkdir -p "$work/oci-$c"
                cp -a "$work/bb" "$work/oci-$c/rootfs"
                (cd "$work/oci-$c" && crun spec)
                read -r -a a <<<"${ARGS[$c]}"
                jq --args '.process.terminal = false | .process.args = $ARGS.positional' "${a[@]}" \
                        <"$work/oci-$c/config.json" >"$work/oci-$c/config.json.new"
                mv "$work/oci-$c/config.json.new" "$work/oci-$c/config.json"
        done
        contenders+=(crun_run)
else
        echo "crun: not run (not installed)"
fi

# A warm run of each: stage1 and image rendered into the stores, the networks created; and a check that the
# contender works here at all (exit status 0, the line printed).
usable=()
for f in "${contenders[@]}"; do
        if "$f" true >"$work/out" 2>&1 && "$f" echo >"$work/out" 2>&1 && grep -q "$LINE" "$work/out"; then
                usable+=("$f")
        else
                echo "${LABEL[$f]}: not run (fails here: $(tr -d '\r' <"$work/out" | grep -v '^$' | tail -1))"
        fi
done

declare -A FAILS
ms() {
        local f=$1 c=$2 s e
        s=${EPOCHREALTIME/./}
        "$f" "$c" >/dev/null 2>&1 || FAILS[$f]=$((${FAILS[$f]:-0} + 1))
        e=${EPOCHREALTIME/./}
        echo $(((e - s) / 1000)) >>"$work/t.$f.$c"
}
k=${#usable[@]}
for i in $(seq 0 $((N - 1))); do
        for j in $(seq 0 $((k - 1))); do
                f=${usable[$(((i + j) % k))]}
                ms "$f" true
                ms "$f" echo
        done
done

# median and p90 (nearest rank) of a file of numbers
stats() { sort -n "$1" | awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        p = int(0.9 * NR); if (p < 0.9 * NR) p++; printf "%d %d\n", m, a[p] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
fault_us() {
        python3 -c '
import mmap, time
n, best = 5000, None
for _ in range(5):
    m = mmap.mmap(-1, n * 4096)
    t = time.perf_counter()
    for i in range(0, n * 4096, 4096):
        m[i] = 1
    t = time.perf_counter() - t
    best = t if best is None else min(best, t)
    m.close()
print("%.1f" % (best / n * 1e6))'
}
declare -A MED P90
for f in "${usable[@]}"; do
        for c in true echo; do
                read -r "MED[$f.$c]" "P90[$f.$c]" < <(stats "$work/t.$f.$c")
        done
done

echo "pod start to exit, $N rounds, contenders alternated; ms; ratio = contender / rkt run --net=host"
echo "$(nproc) CPUs, $(uname -sr), systemd $(systemctl --version | awk 'NR == 1 { print $2 }');" \
        "load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg); page fault $(fault_us) us"
printf '%-27s %23s   %23s\n' "" "/bin/true" "echo a line"
printf '%-27s %7s %7s %7s   %7s %7s %7s\n' contender median p90 ratio median p90 ratio
for f in "${usable[@]}"; do
        printf '%-27s' "${LABEL[$f]}"
        for c in true echo; do
                r=-
                [ -z "${MED[rkt_host.$c]:-}" ] || r=$(ratio "${MED[$f.$c]}" "${MED[rkt_host.$c]}")
                printf ' %7s %7s %7s' "${MED[$f.$c]}" "${P90[$f.$c]}" "$r"
                [ "$c" = echo ] || printf '  '
        done
        if [ -n "${FAILS[$f]:-}" ]; then
                echo "  (${FAILS[$f]} of $((2 * N)) runs failed)"
        else
                echo
        fi
done
printf '%-50s %9s %11s\n' "rkt / peer, medians" /bin/true "echo a line"
for pair in rkt_host:rkt_baseline rkt_host:nspawn_plain rkt_host:nspawn_rkt_flags rkt_host:podman_host rkt_default:podman_default \
        rkt_host:crun_run; do
        x=${pair%:*} y=${pair#*:}
        if [ -n "${MED[$x.true]:-}" ] && [ -n "${MED[$y.true]:-}" ]; then
                printf '%-50s %9s %11s\n' "${LABEL[$x]} / ${LABEL[$y]}" "$(ratio "${MED[$x.true]}" "${MED[$y.true]}")" \
                        "$(ratio "${MED[$x.echo]}" "${MED[$y.echo]}")"
        fi
done
"${R[@]}" gc --grace-period=0s >/dev/null 2>&1 || true
