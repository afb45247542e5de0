#!/bin/bash
# docker:// fetch of a multi-layer image from a local registry (Debian's docker-registry on loopback),
# paired in one run:
#   rkt fetch, layers one at a time    RKT_DOCKER_PARALLEL_LAYERS=1 (what rkt did before it fetched in parallel)
#   rkt fetch, layers in parallel      the default (3 at once)
#   skopeo copy docker://… oci:…       download and digest check of the same blobs into an OCI layout (which,
#                                      unlike dir:, takes several blobs at once), no conversion
# rkt does more than skopeo here: it also squashes the layers into one tree and writes and imports an ACI;
# the table gives, besides, `rkt image extract` time of that ACI as a scale of that part.
# Each round fetches into an empty store (and an empty dir for skopeo), the contenders alternating, N rounds
# (median and best). Two network settings: loopback as it is, and a WAN-like link through a small proxy in front
# of the registry that delays every answer by DELAY_MS and lets each connection carry at most RATE_MBPS (what
# one TCP connection gets over a long path; a registry's CDN serves each connection at such a rate), where
# one download at a time leaves the link idle, as on a real network.
#
#   bench/fetch.sh --docker [RKT_BINARY]    (root; N rounds, default 5; LAYERS of LAYER_MB each, default 8 x 8;
#                                            DELAY_MS, default 40; RATE_MBPS, MB/s per connection, default 10)
#
# The registry and skopeo run where docker-registry is installed: on a machine without it (the development
# VMs) the script runs itself in the test host (tests/testhost/testhost.sh), whose root has docker-registry,
# and skopeo is downloaded with apt-get here and installed into the test host's volatile root for this run.
set -euo pipefail
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
        sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
        exit 0
fi
HERE=$(dirname "$(realpath "$0")")
RKT=$(realpath "${1:-$HERE/../build/rkt}")
[ -x "$RKT" ] || { echo "no rkt binary at $RKT" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
N=${N:-5}
LAYERS=${LAYERS:-8}
LAYER_MB=${LAYER_MB:-8}
DELAY_MS=${DELAY_MS:-40}
RATE_MBPS=${RATE_MBPS:-10}

if ! command -v docker-registry >/dev/null; then
        top=$(realpath "$HERE/..")
        th=$top/tests/testhost/testhost.sh
        debs=/var/tmp/rkt-bench-debs-skopeo
        "$th" build
        mkdir -p "$debs/partial"
        if ! apt-get -q -y --download-only -o Dir::State::status="$("$th" root)/var/lib/dpkg/status" \
                -o Dir::Cache::archives="$debs" install skopeo >"$debs/apt.log" 2>&1; then
                echo "skopeo: apt-get cannot download it here ($(tail -1 "$debs/apt.log"))"
        fi
        binds="$top $debs"
        case $RKT in "$top"/*) ;; *) binds+=" $(dirname "$RKT")" ;; esac
        RKT_TESTHOST_BINDS=$binds RKT_TESTHOST_ENV="N LAYERS LAYER_MB DELAY_MS RATE_MBPS RKT_BENCH_DEBS" \
                RKT_BENCH_DEBS=$debs exec "$th" run bash "$HERE/fetch-docker.sh" "$RKT"
fi

work=$(mktemp -d /var/tmp/rkt-bench-docker.XXXXXX)
reg=127.0.0.1:5000
cleanup() {
        [ -z "${regpid:-}" ] || kill "$regpid" 2>/dev/null || true
        [ -z "${proxypid:-}" ] || kill "$proxypid" 2>/dev/null || true
        rm -rf --one-file-system "$work"
}
trap cleanup EXIT

if [ -n "${RKT_BENCH_DEBS:-}" ] && ! command -v skopeo >/dev/null; then
        shopt -s nullglob
        debfiles=("$RKT_BENCH_DEBS"/*.deb)
        shopt -u nullglob
        if [ "${#debfiles[@]}" -gt 0 ] && ! dpkg -i "${debfiles[@]}" >"$work/dpkg.log" 2>&1; then
                echo "skopeo: installing it failed ($(tail -1 "$work/dpkg.log"))"
        fi
fi

# The registry, and the image: LAYERS layers of random bytes (incompressible: a tar each, as pushed).
systemctl stop docker-registry.service 2>/dev/null || true
cat >"$work/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: $reg
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
regpid=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://$reg/v2/" && break; sleep 0.1; done
layer_args=()
for i in $(seq 1 "$LAYERS"); do
        mkdir -p "$work/l$i/data"
        head -c $((LAYER_MB * 1000000)) /dev/urandom >"$work/l$i/data/blob$i"
        tar -C "$work/l$i" -cf "$work/l$i.tar" .
        layer_args+=(--layer "$work/l$i.tar")
done
python3 "$HERE/../tests/helpers/registry-push.py" "$reg" bench/layers 1 "${layer_args[@]}" \
        --config '{"Cmd":["/data/blob1"]}' >/dev/null

# The WAN-like link: a proxy on 127.0.0.1:5001 that holds every answer DELAY_MS and paces each connection.
cat >"$work/proxy.py" <<'PY'
import socket, sys, threading, time
listen, target, delay, rate = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000, float(sys.argv[4]) * 1e6
def pipe(src, dst, state, answer):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if answer:
                if state["asked"]:
                    state["asked"] = False
                    time.sleep(delay)
                time.sleep(len(data) / rate)
            else:
                state["asked"] = True
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", listen))
srv.listen(64)
while True:
    c, _ = srv.accept()
    u = socket.create_connection(("127.0.0.1", target))
    st = {"asked": False}
    threading.Thread(target=pipe, args=(c, u, st, False), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c, st, True), daemon=True).start()
PY
python3 "$work/proxy.py" 5001 5000 "$DELAY_MS" "$RATE_MBPS" &
proxypid=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:5001/v2/" && break; sleep 0.1; done

rkt_fetch() {
        RKT_DOCKER_PARALLEL_LAYERS=$1 "$RKT" --dir="$work/store" --insecure-options=image,http \
                fetch "docker://$src/bench/layers:1" >"$work/id" 2>"$work/err"
}
rkt_one() { rkt_fetch 1; }
rkt_par() { rkt_fetch 0; }
skopeo_copy() {
        skopeo copy -q --src-tls-verify=false "docker://$src/bench/layers:1" "oci:$work/skopeo:1" >"$work/err" 2>&1
}
declare -A LABEL=([rkt_one]="rkt fetch, one layer at a time" [rkt_par]="rkt fetch, layers in parallel"
        [skopeo_copy]="skopeo copy (oci:)")
contenders=(rkt_one rkt_par)
if command -v skopeo >/dev/null; then
        contenders+=(skopeo_copy)
else
        echo "skopeo: not run (not installed)"
fi

ms() {
        local s e
        rm -rf "$work/store" "$work/skopeo" # an empty store and an empty dir, not timed
        sync
        s=${EPOCHREALTIME/./}
        "$1" || { echo "${LABEL[$1]} failed: $(tail -1 "$work/err")" >&2; return 1; }
        e=${EPOCHREALTIME/./}
        echo $(((e - s) / 1000)) >>"$work/t.$2.$1"
}
stats() { sort -n "$1" | awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf "%d %d\n", m, a[1] }'; }

settings=(loopback wan)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for setting in "${settings[@]}"; do
        src=$reg
        [ "$setting" = loopback ] || src=127.0.0.1:5001
        for f in "${contenders[@]}"; do rm -rf "$work/store" "$work/skopeo"; "$f" >/dev/null || true; done # warm caches
        k=${#contenders[@]}
        for i in $(seq 0 $((N - 1))); do
                for j in $(seq 0 $((k - 1))); do
                        ms "${contenders[$(((i + j) % k))]}" "$setting"
                done
        done
done
src=$reg
# The conversion part of rkt's work, for scale: extracting the ACI it made.
rm -rf "$work/store"
rkt_par
ext_s=${EPOCHREALTIME/./}
"$RKT" --dir="$work/store" image extract --rootfs-only "$(tail -1 "$work/id")" "$work/extract" >/dev/null 2>&1
ext_e=${EPOCHREALTIME/./}

echo "docker:// fetch of $LAYERS layers of $LAYER_MB MB (random bytes, tar) from docker-registry on loopback;" \
        "$N rounds, contenders alternated, empty store each time; ms"
echo "$(nproc) CPUs, $(uname -sr); load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s' contender
for setting in "${settings[@]}"; do
        if [ "$setting" = loopback ]; then printf ' %19s' loopback; else printf ' %19s' "${DELAY_MS} ms, ${RATE_MBPS} MB/s/conn"; fi
done
echo
printf '%-34s' ""
for _ in "${settings[@]}"; do printf ' %9s %9s' median best; done
echo
for f in "${contenders[@]}"; do
        printf '%-34s' "${LABEL[$f]}"
        for setting in "${settings[@]}"; do
                read -r med best < <(stats "$work/t.$setting.$f")
                printf ' %9s %9s' "$med" "$best"
                eval "MED_${f}_$setting=$med"
        done
        echo
done
for setting in "${settings[@]}"; do
        one=MED_rkt_one_$setting par=MED_rkt_par_$setting sk=MED_skopeo_copy_$setting
        printf '%s: parallel / one at a time %s' "$setting" "$(awk -v a="${!par}" -v b="${!one}" 'BEGIN { printf "%.2f", a / b }')"
        [ -z "${!sk:-}" ] || printf ', rkt parallel / skopeo %s' "$(awk -v a="${!par}" -v b="${!sk}" 'BEGIN { printf "%.2f", a / b }')"
        echo
done
echo "rkt image extract of the converted image (the conversion's scale): $(((ext_e - ext_s) / 1000)) ms"
