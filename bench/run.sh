#!/bin/bash
# Pod start-to-exit time: `rkt run` of a busybox app against raw systemd-nspawn booting the same stage1
# tree with the same app unit (what rkt adds: image lookup, pod directory, overlay mounts, unit
# generation, the stage1 supervisor), raw nspawn with the flags rkt gives it (machine registration,
# journal link: what nspawn itself costs rkt), `rkt run --net=default` (CNI ptp + host-local) and
# podman + crun when installed, in one run.
#
#   bench/run.sh [RKT_BINARY]     (root, on a systemd host or inside the test host:
#                                  tests/testhost/testhost.sh run bash bench/run.sh "$PWD/build/rkt")
#
# Prints the median wall time of N runs each and the ratios.
set -euo pipefail
RKT=$(realpath "${1:-$(dirname "$0")/../build/rkt}")
N=${RKT_BENCH_N:-20}
work=$(mktemp -d /var/tmp/rkt-bench-run.XXXXXX)
trap 'umount -R "$work"/data/pods/*/*/stage1/rootfs 2>/dev/null || true; rm -rf --one-file-system "$work"' EXIT

mkdir -p "$work/bb/bin"
cp /bin/busybox "$work/bb/bin/busybox"
for t in sh true; do ln -s busybox "$work/bb/bin/$t"; done
python3 "$(dirname "$0")/../tests/helpers/mkaci.py" "$work/bb.aci" --name example.com/busybox --dir "$work/bb" \
        --exec /bin/true
R=("$RKT" --dir="$work/data" --insecure-options=image)
"${R[@]}" fetch "$work/bb.aci" >/dev/null
"${R[@]}" run --net=host "$work/bb.aci" >/dev/null 2>&1 # warm: stage1 and image rendered into the tree store

# The same stage1 tree and app unit, booted by raw nspawn: take them from a prepared pod.
uuid=$("${R[@]}" prepare "$work/bb.aci" | tail -1)
pod="$work/data/pods/prepared/$uuid"
mkdir -p "$work/raw"
cp -a "$pod/stage1/rootfs/." "$work/raw/"
# Let init generate the units once (it runs nspawn, which we then time alone).
(cd "$pod" && exec {lock}<"$pod" && flock -x "$lock" && RKT_LOCK_FD=$lock "$pod/stage1/rootfs/init" --net=host "$uuid") >/dev/null 2>&1 || true
cp -a "$pod/stage1/rootfs/." "$work/raw/"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }

# nspawn as stage1 runs it (nspawn-args.c), registered with machined under the pod's UUID.
rkt_flags=(--notify-ready=yes --uuid="$uuid" --machine="rkt-$uuid" --link-journal=try-guest --register=yes
        --console=read-only)
raw() {
        ms systemd-nspawn --boot --quiet "$@" --directory="$work/raw" \
                -- --default-standard-output=tty --log-target=null --show-status=0
}

rkt_ms=$(for _ in $(seq "$N"); do ms "${R[@]}" run --net=host "$work/bb.aci"; done | median)
nspawn_ms=$(for _ in $(seq "$N"); do raw --register=no --keep-unit; done | median)
echo "pod start to exit, median of $N (ms)"
printf '%-28s %6s\n' "rkt run (busybox /bin/true)" "$rkt_ms"
printf '%-28s %6s\n' "systemd-nspawn, same tree" "$nspawn_ms"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '%-28s %6s\n' "ratio rkt / nspawn" "$(ratio "$rkt_ms" "$nspawn_ms")"
if [ -d /run/systemd/machines ]; then
        flags_ms=$(for _ in $(seq "$N"); do SYSTEMD_NSPAWN_CONTAINER_SERVICE=rkt raw "${rkt_flags[@]}"; done | median)
        printf '%-28s %6s\n' "nspawn with rkt's flags" "$flags_ms"
        printf '%-28s %6s\n' "ratio rkt / that" "$(ratio "$rkt_ms" "$flags_ms")"
fi
default_ms=$(for _ in $(seq "$N"); do ms "${R[@]}" run --net=default "$work/bb.aci"; done | median)
printf '%-28s %6s\n' "rkt run --net=default" "$default_ms"
if command -v podman >/dev/null; then
        tar -C "$work/bb" -c . | podman import - localhost/rkt-bench-bb >/dev/null
        podman_ms=$(for _ in $(seq "$N"); do ms podman run --rm --network=none localhost/rkt-bench-bb /bin/true; done | median)
        printf '%-28s %6s\n' "podman run (crun)" "$podman_ms"
        printf '%-28s %6s\n' "ratio rkt / podman" "$(ratio "$rkt_ms" "$podman_ms")"
else
        echo "podman: not installed (apt-get install podman crun to compare)"
fi
"${R[@]}" gc --grace-period=0s >/dev/null 2>&1 || true
