#!/bin/bash
# Import speed: `rkt fetch` of a ~200 MB image (a debootstrapped Debian minbase packed as an ACI)
# against the floor of the same work done by standard tools on the same bytes in the same run:
# decompress + sha512 (what an import cannot avoid) — and GNU tar extracting it, for scale.
#
#   bench/import.sh [RKT_BINARY]      (root; first run debootstraps the rootfs, ~1 min)
#
# Prints a table of best-of-N wall times and the ratio rkt / floor per compression.
set -euo pipefail
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
printf '%-6s %10s %12s %10s %8s %14s\n' input "rkt fetch" "floor" "floor MB/s" ratio "GNU tar -x"
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
        printf '%-6s %9ss %11ss %10.0f %8.2f %13ss\n' "$c" "$t_rkt" "$t_floor" \
                "$(echo "$size_mb / $t_floor" | bc -l)" "$(echo "$t_rkt / $t_floor" | bc -l)" "$t_tar"
done
rm -rf "$work/store" "$work/x"
