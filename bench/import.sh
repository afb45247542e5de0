#!/bin/bash
# Import speed: `rkt fetch` of a ~200 MB image (a debootstrapped Debian minbase packed as an ACI)
# against the floor of the same work done by standard tools on the same bytes in the same run:
# decompress + sha512 (what an import cannot avoid) — GNU tar extracting it, for scale, and, when podman
# is installed, `podman import` of the same file as a peer (it decompresses, digests and extracts the tarball
# into a layer of its store: more work than rkt fetch, which stores the blob and renders the tree at run time).
# podman's store is in the work directory, emptied before each run as rkt's is.
#
#   bench/import.sh [--help] [RKT_BINARY]      (root; first run debootstraps the rootfs, ~1 min)
#
# Prints a table of best-of-N wall times, the ratio rkt / floor and rkt / podman per compression.
set -euo pipefail
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
        sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
        exit 0
fi
RKT=$(realpath "${1:-$(dirname "$0")/../build/rkt}")
[ -x "$RKT" ] || { echo "no rkt binary at $RKT" >&2; exit 1; }
N=${N:-3}
work=${RKT_BENCH_DIR:-/var/tmp/rkt-bench}
mkdir -p "$work"

if [ ! -f "$work/minbase.tar" ]; then
        if [ ! -d "$work/minbase" ]; then
                debootstrap --variant=minbase bookworm "$work/minbase.tmp" http://deb.debian.org/debian >/dev/null
                mv "$work/minbase.tmp" "$work/minbase"
        fi
        cat >"$work/manifest" <<'JSON'
{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/minbase","labels":[{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}]}
JSON
        tar -C "$work" --numeric-owner --transform 's,^minbase,rootfs,' -cf "$work/minbase.tar.tmp" manifest minbase
        mv "$work/minbase.tar.tmp" "$work/minbase.tar"
fi
[ -f "$work/minbase.tar.gz" ] || gzip -6 -c "$work/minbase.tar" >"$work/minbase.tar.gz"
[ -f "$work/minbase.tar.zst" ] || zstd -q -3 -c "$work/minbase.tar" >"$work/minbase.tar.zst"
[ -f "$work/minbase.tar.xz" ] || xz -T1 -6 -c "$work/minbase.tar" >"$work/minbase.tar.xz"

# best TIME_SECONDS of N runs of "$@"; a setup command in $SETUP runs before each (untimed).
best() {
        local b=999999 t s e
        for _ in $(seq "$N"); do
                [ -n "${SETUP:-}" ] && eval "$SETUP"
                sync
                echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
                s=$(date +%s.%N)
                "$@" >/dev/null || { echo "failed: $*" >&2; exit 1; }
                e=$(date +%s.%N)
                t=$(echo "$e - $s" | bc -l)
                b=$(echo "if ($t < $b) $t else $b" | bc -l)
        done
        printf '%.3f' "$b"
}

size_mb=$(( $(stat -c %s "$work/minbase.tar") / 1000000 ))
echo "image: $work/minbase.tar, ${size_mb} MB uncompressed, $(tar -tf "$work/minbase.tar" | wc -l) entries; best of $N"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
P=(podman --root="$work/containers" --runroot="$work/containers-run")
command -v podman >/dev/null || echo "podman import: not run (podman not installed)"
printf '%-6s %10s %12s %10s %8s %14s %14s %11s\n' input "rkt fetch" "floor" "floor MB/s" ratio "GNU tar -x" \
        "podman import" "rkt/podman"
for c in tar tar.gz tar.zst tar.xz; do
        f="$work/minbase.$c"
        case $c in
        tar) dec="cat" ;;
        tar.gz) dec="gzip -dc" ;;
        tar.zst) dec="zstd -dc" ;;
        tar.xz) dec="xz -dc" ;;
        esac
        SETUP="rm -rf '$work/store'" t_rkt=$(best "$RKT" --dir="$work/store" --insecure-options=image fetch "$f")
        SETUP="" t_floor=$(best bash -c "$dec '$f' | openssl dgst -sha512")
        SETUP="rm -rf '$work/x'; mkdir '$work/x'" t_tar=$(best tar -C "$work/x" -xf "$f")
        printf '%-6s %9ss %11ss %10.0f %8.2f %13ss' "$c" "$t_rkt" "$t_floor" \
                "$(echo "$size_mb / $t_floor" | bc -l)" "$(echo "$t_rkt / $t_floor" | bc -l)" "$t_tar"
        if command -v podman >/dev/null; then
                SETUP="rm -rf '$work/containers' '$work/containers-run'" \
                        t_podman=$(best "${P[@]}" import --quiet "$f" localhost/rkt-bench-minbase)
                printf ' %13ss %11.2f\n' "$t_podman" "$(echo "$t_rkt / $t_podman" | bc -l)"
        else
                echo
        fi
done
rm -rf "$work/store" "$work/x" "$work/containers" "$work/containers-run"
