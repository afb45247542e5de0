#!/bin/bash
# Where the time of one pod goes: the timeline of `rkt run` of one app, phase by phase, from the kernel's
# own process events (tracefs: sched_process_fork, sched_process_exec and sched_process_exit of rkt and of
# every process it starts, in every namespace), so the pod is not slowed down by a tracer: no ptrace, no
# extra process. Every program run on the way shows up when it is exec'd, which names the phases:
#   stage0            rkt is exec'd (time 0)
#   stage1 init       stage0 execs the stage1's init
#   nspawn            init execs systemd-nspawn (after the network, the mounts and the units)
#   pod PID 1         nspawn's child execs the pod's systemd (after nspawn's namespaces, mounts, machined)
#   units             each program the pod's systemd starts (journald, the reapers, sysctl, ...)
#   app start/exit    the app's process is exec'd / exits
#   shutdown          PID 1 execs systemd-shutdown
#   pod end           the pod's PID 1 exits; nspawn exits; rkt exits
# The table gives, for each event, the median time since stage0 over N runs (after one warm run that
# renders the stage1 and the image) and the median of its step from the previous event of the same run.
#
#   bench/timeline.sh [--help] [RKT_BINARY] [-- RKT_RUN_ARGS...]   (root; RKT_TIMELINE_N runs, default 5)
#
# RKT_TIMELINE_BASELINE=OTHER_RKT_BINARY times another build (with the stage1-nspawn.aci beside it) in the same
# run, the two alternating, and prints its timeline after the first: a before/after pair under the same load.
# Default RKT_RUN_ARGS: --net=host of a busybox-static ACI with --exec /bin/true; other arguments run in an empty
# data dir, so they name their images by file or URL (the warm run fetches them). RKT_TIMELINE_KEEP=1 keeps the
# work directory with the raw traces (trace.BUILD.RUN), named on stderr. Where PID 1 is not systemd,
# the pods run inside a test host (tests/testhost/testhost.sh) and the tracing is done from outside it
# (the kernel's trace buffers are global; the events are filtered to the descendants of one process).
set -euo pipefail
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
        sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
        exit 0
fi
HERE=$(dirname "$(realpath "$0")")
TOP=$(realpath "$HERE/..")
RKT=$(realpath "$TOP/build/rkt")
if [ $# -gt 0 ] && [ "$1" != -- ]; then
        RKT=$(realpath "$1")
        shift
fi
[ "${1:-}" != -- ] || shift
[ -x "$RKT" ] || { echo "no rkt binary at $RKT" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
N=${RKT_TIMELINE_N:-5}

tracefs=/sys/kernel/tracing
if [ ! -d "$tracefs/events" ]; then
        mount -t tracefs nodev "$tracefs" 2>/dev/null || { echo "no tracefs at $tracefs" >&2; exit 1; }
fi

work=$(mktemp -d /var/tmp/rkt-timeline.XXXXXX)
inst=$tracefs/instances/rkt-timeline-$$
th=$TOP/tests/testhost/testhost.sh
host=
cleanup() {
        [ ! -d "$inst" ] || { echo 0 >"$inst/tracing_on"; rmdir "$inst"; } 2>/dev/null || true
        [ -z "$host" ] || "$th" stop "$host" >/dev/null 2>&1 || true
        if [ -n "${RKT_TIMELINE_KEEP:-}" ]; then
                echo "traces kept in $work" >&2
        else
                rm -rf --one-file-system "$work"
        fi
}
trap cleanup EXIT

# inside CMD...: run CMD where pods can run (here, or in the test host)
if [ -d /run/systemd/system ]; then
        inside() { "$@"; }
else
        host=rkt-timeline-$$
        binds="$TOP $work"
        case $RKT in "$TOP"/*) ;; *) binds+=" $(dirname "$RKT")" ;; esac
        case ${RKT_TIMELINE_BASELINE:-$TOP/} in "$TOP"/*) ;; *) binds+=" $(dirname "$RKT_TIMELINE_BASELINE")" ;; esac
        RKT_TESTHOST_BINDS=$binds "$th" start "$host" 2>"$work/testhost.log" ||
                { cat "$work/testhost.log" >&2; exit 1; }
        inside() { "$th" exec "$host" "$@"; }
fi

BASE=
[ -z "${RKT_TIMELINE_BASELINE:-}" ] || BASE=$(realpath "$RKT_TIMELINE_BASELINE")
builds=("$RKT")
[ -z "$BASE" ] || builds+=("$BASE")
if [ $# -eq 0 ]; then
        mkdir -p "$work/bb/bin"
        inside cp /bin/busybox "$work/bb/bin/busybox"
        for t in sh true echo; do ln -s busybox "$work/bb/bin/$t"; done
        inside python3 "$TOP/tests/helpers/mkaci.py" "$work/bb.aci" --name example.com/busybox --dir "$work/bb" \
                --exec /bin/true
        for b in "${!builds[@]}"; do
                inside "${builds[$b]}" --dir="$work/data$b" --insecure-options=image fetch "$work/bb.aci" >/dev/null
        done
        set -- --net=host example.com/busybox --exec /bin/true
fi
for b in "${!builds[@]}"; do
        inside "${builds[$b]}" --dir="$work/data$b" --insecure-options=image run "$@" >/dev/null 2>&1 ||
                echo "warning: the warm run of ${builds[$b]} failed (status $?)" >&2
done

mkdir "$inst"
echo mono >"$inst/trace_clock"
echo 4096 >"$inst/buffer_size_kb"
echo 1 >"$inst/options/event-fork"
for e in sched_process_fork sched_process_exec sched_process_exit; do
        echo 1 >"$inst/events/sched/$e/enable"
done

for i in $(seq 1 "$N"); do
        for k in "${!builds[@]}"; do
                b=$(((i + k) % ${#builds[@]}))
                echo >"$inst/trace"
                echo 1 >"$inst/tracing_on"
                # A subshell whose PID is the only one traced (event-fork adds its descendants), which runs the pod.
                (
                        echo "$BASHPID" >"$inst/set_event_pid"
                        inside "${builds[$b]}" --dir="$work/data$b" --insecure-options=image run "$@" >/dev/null 2>&1 || true
                )
                echo 0 >"$inst/tracing_on"
                echo >"$inst/set_event_pid"
                cp "$inst/trace" "$work/trace.$b.$i"
        done
done

# One timeline per run: "label<TAB>ms since rkt's exec". The pod's app is the first program its systemd
# starts that is not part of the stage1 (not under /usr/lib/systemd and not one of its entrypoints).
timeline() { # BUILD-INDEX
local b=$1 rkt=${builds[$1]} i
for i in $(seq 1 "$N"); do
        awk -v rkt="$rkt" '
        function ms(t) { return (t - t0) * 1000 }
        function emit(label, t) { if (t0 != "") printf "%s\t%.1f\n", label, ms(t) }
        {
                for (f = 1; f <= NF; f++) if ($f ~ /^[0-9]+\.[0-9]+:$/) { t = substr($f, 1, length($f) - 1); break }
                ev = $(f + 1)
                delete kv
                for (g = f + 2; g <= NF; g++) { n = index($g, "="); if (n) kv[substr($g, 1, n - 1)] = substr($g, n + 1) }
        }
        ev == "sched_process_fork:" { parent[kv["child_pid"]] = kv["pid"]; next }
        ev == "sched_process_exec:" {
                fn = kv["filename"]; pid = kv["pid"]
                if (fn == rkt && t0 == "") { t0 = t; rktpid = pid; emit("stage0: rkt exec'\''d", t); next }
                if (t0 == "") next
                # stage0 execs the init of the stage1 through an fd (fexecve)
                if (!init && (fn ~ /\/stage1\/rootfs\/init$/ || fn ~ /^\/dev\/fd\/[0-9]+$/ || fn ~ /^\/proc\/self\/fd\//)) {
                        init = 1; emit("stage1 init exec'\''d", t); next }
                if (fn ~ /systemd-nspawn$/ && !nspawn) { nspawn = pid; emit("nspawn exec'\''d", t); next }
                if (fn == "/usr/lib/systemd/systemd" || fn == "/lib/systemd/systemd") {
                        pid1 = pid; emit("pod PID 1 (systemd) exec'\''d", t); next }
                if (fn ~ /systemd-shutdown$/) { emit("shutdown: systemd-shutdown exec'\''d", t); next }
                if (pid1 && fn !~ /^\/usr\/lib\/systemd\// && fn !~ /^\/(reaper|init|enter|stop|gc|app-.*)$/ && !app) {
                        app = pid; emit("app exec'\''d: " fn, t); next }
                if (pid1) { n = split(fn, p, "/"); emit("unit: " p[n] " exec'\''d", t) }
                next
        }
        ev == "sched_process_exit:" {
                pid = kv["pid"]
                if (pid == app) emit("app exited", t)
                else if (pid == pid1) emit("pod PID 1 exited", t)
                else if (pid == nspawn) emit("nspawn exited", t)
                else if (pid == rktpid) emit("rkt exited", t)
        }' "$work/trace.$b.$i" >"$work/tl.$b.$i"
done

# Per event (by label and occurrence): the median of its time, and the median of its step from the event before
# it in the same run (not the difference of two medians), in the order of the median times.
tls=()
for i in $(seq 1 "$N"); do tls+=("$work/tl.$b.$i"); done
echo "timeline of $rkt run $RUNARGS; median of $N runs; ms since rkt was exec'd"
echo "$(nproc) CPUs, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %8s %8s\n' event at step
awk -F'\t' -v n="$N" '
        function median(w, k, m,   a, b, s, x) {
                for (a = 1; a <= m; a++) x[a] = w[k, a]
                for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (x[b] < x[a]) { s = x[a]; x[a] = x[b]; x[b] = s }
                return m % 2 ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2
        }
        FNR == 1 { delete seen; prev = 0 }
        {
                k = $1 "#" (++seen[$1]); m = ++c[k]; v[k, m] = $2; d[k, m] = $2 - prev; prev = $2
                if (!(k in known)) { known[k] = 1; keys[++no] = k }
        }
        END {
                for (i = 1; i <= no; i++) { k = keys[i]; at[k] = median(v, k, c[k]); st[k] = median(d, k, c[k]) }
                for (i = 1; i <= no; i++) for (j = i + 1; j <= no; j++) if (at[keys[j]] < at[keys[i]]) { t = keys[i]; keys[i] = keys[j]; keys[j] = t }
                for (i = 1; i <= no; i++) {
                        k = keys[i]; label = k; sub(/#[0-9]+$/, "", label)
                        printf "%-44s %8.1f %8.1f%s\n", substr(label, 1, 44), at[k], st[k], c[k] < n ? sprintf("  (in %d of %d runs)", c[k], n) : ""
                }
        }' "${tls[@]}"
# The phases as spans of each run, then their medians.
printf '%-44s %8s\n' phase median
awk -F'\t' -v n="$N" '
        function median(w, k, m,   a, b, s, x) {
                for (a = 1; a <= m; a++) x[a] = w[k, a]
                for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (x[b] < x[a]) { s = x[a]; x[a] = x[b]; x[b] = s }
                return m % 2 ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2
        }
        function span(name, from, to) {
                if ((from in t) && (to in t)) { m = ++c[name]; v[name, m] = t[to] - t[from] }
                if (!(name in known)) { known[name] = 1; names[++no] = name }
        }
        function run() {
                span("stage0 + stage1 init, until nspawn", "stage0: rkt exec'\''d", "nspawn exec'\''d")
                span("nspawn, until the pod'\''s PID 1", "nspawn exec'\''d", "pod PID 1 (systemd) exec'\''d")
                span("pod'\''s systemd, until the app", "pod PID 1 (systemd) exec'\''d", "app")
                span("the app", "app", "app exited")
                span("app exit until the pod'\''s PID 1 exits", "app exited", "pod PID 1 exited")
                span("PID 1 exit until rkt exits", "pod PID 1 exited", "rkt exited")
                span("total", "stage0: rkt exec'\''d", "rkt exited")
                delete t
        }
        FNR == 1 && NR > 1 { run() }
        { k = $1; if (k ~ /^app exec/) k = "app"; if (!(k in t)) t[k] = $2 }
        END {
                run()
                for (i = 1; i <= no; i++) printf "%-44s %8.1f%s\n", names[i], median(v, names[i], c[names[i]]), c[names[i]] < n ? sprintf("  (in %d of %d runs)", c[names[i]], n) : ""
        }' "${tls[@]}"
}
RUNARGS="$*"
[ -z "$BASE" ] || echo "$RKT and $BASE alternated in one run"
for b in "${!builds[@]}"; do
        [ "$b" -eq 0 ] || echo
        timeline "$b"
done
