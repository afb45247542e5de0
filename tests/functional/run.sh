#!/bin/bash
# Functional test entry point (run by `make check` through automake's TAP driver).
#
# Runs all tests/functional/*.bats in a single `bats --tap --timing` invocation (one TAP plan, each result
# with the test's duration, so that the slow ones can be found in the log): directly when PID 1 is
# systemd, otherwise inside a test host booted with tests/testhost/testhost.sh (see tests/testhost/README.md).
#
# Environment (all optional):
#   abs_top_srcdir, abs_top_builddir  source and build trees (defaults: computed from
#                                     this script's location / the current directory)
#   RKT                               rkt binary to test (default $abs_top_builddir/rkt)
#   RKT_FUNCTIONAL_TESTS              space-separated .bats files to run instead of all
#   RKT_TESTHOST=0|1                  force running directly (0) or in a test host (1)
#   RKT_VALGRIND=1                    run every rkt (stage0) command under valgrind memcheck
#                                     (tests/functional/valgrind-rkt)
#
# Memory checking: the sanitizers of a build configured with --enable-sanitizers (rkt, and stage1's
# entrypoints, which inherit the environment) and valgrind (RKT_VALGRIND=1) write their reports into
# $abs_top_builddir/tests/functional/memcheck/; a report fails the run (exit status 1, the reports on
# stderr, in the test log) whatever the test expected of the command's exit status.
# Exported to the tests: RKT, RKT_SRCDIR, RKT_BUILDDIR.

set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)

bail() {
	printf 'Bail out! %s\n' "$*"
	printf 'run.sh: %s\n' "$*" >&2
	exit 1
}

srcdir=${abs_top_srcdir:-$(cd -- "$here/../.." && pwd -P)}
if [ -n "${abs_top_builddir:-}" ]; then
	builddir=$abs_top_builddir
elif [ -f ./config.status ]; then
	builddir=$(pwd -P) # `make check` runs tests from the top build directory
else
	builddir=$srcdir
fi
srcdir=$(cd -- "$srcdir" && pwd -P) || bail "source directory $srcdir does not exist"
builddir=$(cd -- "$builddir" && pwd -P) || bail "build directory $builddir does not exist"

RKT=${RKT:-$builddir/rkt}
case $RKT in
/*) ;;
*/*) RKT=$(pwd -P)/$RKT ;;
*) RKT=$(command -v -- "$RKT") || bail "rkt binary '$RKT' not found" ;;
esac
RKT_SRCDIR=$srcdir
RKT_BUILDDIR=$builddir
export RKT RKT_SRCDIR RKT_BUILDDIR

memcheck=$builddir/tests/functional/memcheck
# Sticky and writable by all: tests run rkt as unprivileged users too, and a sanitizer that cannot open its
# log aborts the process.
{ rm -rf -- "$memcheck" && mkdir -p -- "$memcheck" && chmod 1777 "$memcheck"; } || bail "cannot create $memcheck"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$memcheck/asan"
export UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$memcheck/ubsan"
export RKT_TESTHOST_ENV="ASAN_OPTIONS UBSAN_OPTIONS${RKT_TESTHOST_ENV:+ $RKT_TESTHOST_ENV}"
rkt_binary=$RKT
valgrind_binds=
if [ "${RKT_VALGRIND:-0}" = 1 ]; then
	command -v valgrind >/dev/null || bail "RKT_VALGRIND=1, but valgrind is not installed"
	RKT_VALGRIND_REAL=$RKT
	RKT_VALGRIND_LOGDIR=$memcheck
	RKT=$srcdir/tests/functional/valgrind-rkt
	export RKT RKT_VALGRIND_REAL RKT_VALGRIND_LOGDIR
	# The test host has no valgrind of its own: the host's, at the same paths, with the host's glibc debug
	# symbols (libc6-dbg: valgrind needs ld.so's; the test host's glibc is the host's Debian release).
	for p in /usr/bin/valgrind /usr/bin/valgrind.bin /usr/libexec/valgrind /usr/lib/valgrind /usr/lib/debug; do
		[ -e "$p" ] && valgrind_binds+=" $p"
	done
fi

# memcheck_report - print the sanitizer and valgrind reports; fails if there is one. A valgrind log also
# holds valgrind's own warnings ("--PID-- WARNING: unhandled syscall 437": it lacks openat2, and rkt falls
# back to openat): only its "==PID==" lines are reports.
memcheck_report() {
	local f found=0
	for f in "$memcheck"/*; do
		[ -s "$f" ] || continue
		case ${f##*/} in valgrind.*) grep -q '^==[0-9]*==' "$f" || continue ;; esac
		found=1
		printf 'run.sh: memory error report %s:\n' "$f" >&2
		cat -- "$f" >&2
	done
	[ "$found" = 0 ]
}

if [ -n "${RKT_FUNCTIONAL_TESTS:-}" ]; then
	read -r -a tests <<<"$RKT_FUNCTIONAL_TESTS"
	for i in "${!tests[@]}"; do
		t=${tests[$i]}
		if [ -f "$t" ]; then
			t=$(cd -- "$(dirname -- "$t")" && pwd -P)/$(basename -- "$t")
		elif [ -f "$srcdir/tests/functional/$t" ]; then
			t=$srcdir/tests/functional/$t
		else
			bail "functional test $t not found"
		fi
		tests[i]=$t
	done
else
	# cgroup2-*.bats run in the cgroup2 test host only (run-unified.sh): see their headers.
	tests=()
	for t in "$srcdir"/tests/functional/*.bats; do
		case ${t##*/} in
		cgroup2-*) ;;
		*) tests+=("$t") ;;
		esac
	done
fi
[ -e "${tests[0]}" ] || bail "no functional tests found in $srcdir/tests/functional"

use_testhost=${RKT_TESTHOST:-}
if [ -z "$use_testhost" ]; then
	if [ -d /run/systemd/system ]; then use_testhost=0; else use_testhost=1; fi
fi

# A test that hangs fails alone rather than stalling the whole run.
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-600}

# Run from the build tree so that relative paths mean the same inside the test host.
cd -- "$builddir"

if [ "$use_testhost" = 0 ]; then
	command -v bats >/dev/null || bail "bats not found"
	rc=0
	bats --tap --timing "${tests[@]}" || rc=$?
	memcheck_report || [ "$rc" -ne 0 ] || rc=1
	exit "$rc"
fi

[ "$(id -u)" -eq 0 ] || bail "PID 1 is not systemd and the test host needs root; run the functional tests as root"
# The test host's cgroup hierarchy (testhost.sh), which the tests see: hybrid unless asked otherwise.
RKT_TESTHOST_CGROUP=${RKT_TESTHOST_CGROUP:-hybrid}
export RKT_TESTHOST_CGROUP

# The source and build trees are bound at the same paths inside the test host,
# and the rkt binary's directory when it lives elsewhere (but not system directories).
binds="$srcdir"
case $builddir in "$srcdir" | "$srcdir"/*) ;; *) binds+=" $builddir" ;; esac
case $rkt_binary in
"$srcdir"/* | "$builddir"/* | /usr/* | /bin/* | /sbin/* | /lib*/*) ;;
*) binds+=" $(dirname -- "$rkt_binary")" ;;
esac
binds+=$valgrind_binds
RKT_TESTHOST_BINDS="$binds${RKT_TESTHOST_BINDS:+ $RKT_TESTHOST_BINDS}"
export RKT_TESTHOST_BINDS

# And the whole run has a deadline, so that CI fails in time rather than hangs.
run_in_testhost() {
	timeout --kill-after=60 "${RKT_FUNCTIONAL_TIMEOUT:-3000}" \
		bash "$srcdir/tests/testhost/testhost.sh" run bats --tap --timing "${tests[@]}"
}
# One test host at a time per build tree: run-unified.sh (another automake test) waits for this one under
# `make -j check`, rather than sharing a small machine's CPUs with it (the deadline starts after the wait).
# The lock's fd is closed for the test host: nothing of it reaches the pods.
exec {lock_fd}>"$builddir/.functional-testhost.lock"
flock "$lock_fd"
# A test host that fails to boot (status 125, before any test ran and printed) gets one more try; the
# second failure is reported as a TAP bail-out.
rc=0
export RKT_TESTHOST_TAP_BAILOUT=0
run_in_testhost {lock_fd}>&- || rc=$?
if [ "$rc" -eq 125 ]; then
	echo "run.sh: the test host did not come up; trying once more" >&2
	rc=0
	RKT_TESTHOST_TAP_BAILOUT=1
	run_in_testhost {lock_fd}>&- || rc=$?
fi
memcheck_report || [ "$rc" -ne 0 ] || rc=1
exit "$rc"
