#!/bin/bash
# Upstream rkt 1.30's own functional test suite (its compiled `functional.test`, images and helpers) run
# against this rkt, as a test of its own for automake: each test listed in upstream-suite.list is one TAP
# result, so a test that passed and stops passing fails `make check`. It runs in a cgroup2-only test host
# (tests/testhost/testhost.sh), as the suite's own run.sh requires a booted systemd host.
#
# The suite is not part of this tree: RKT_UPSTREAM_SUITE names its directory (the one holding run.sh,
# bin/functional.test and UPSTREAM-RESULTS.tsv), by default ../shared/conformance/rkt-functional beside
# the source tree. Without it the whole file is skipped, and says so.
#
# Environment: abs_top_srcdir, abs_top_builddir, RKT as run.sh's; RKT_UPSTREAM_SUITE; RKT_UPSTREAM_TESTS
# (an extended regex of test names to run instead of the list); RKT_FUNCTIONAL_TIMEOUT (s, whole run).

set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
srcdir=$(cd -- "${abs_top_srcdir:-$here/../..}" && pwd -P)
if [ -n "${abs_top_builddir:-}" ]; then
	builddir=$abs_top_builddir
elif [ -f ./config.status ]; then
	builddir=$(pwd -P)
else
	builddir=$srcdir
fi
builddir=$(cd -- "$builddir" && pwd -P)
rkt=${RKT:-$builddir/rkt}

suite=${RKT_UPSTREAM_SUITE:-$srcdir/../shared/conformance/rkt-functional}
if [ ! -x "$suite/run.sh" ] || [ ! -x "$suite/bin/functional.test" ]; then
	echo "1..0 # SKIP rkt 1.30's functional suite not found in $suite (set RKT_UPSTREAM_SUITE)"
	exit 0
fi
suite=$(cd -- "$suite" && pwd -P)
[ "$(id -u)" -eq 0 ] || {
	echo "Bail out! upstream-suite.sh: the test host needs root"
	exit 1
}

if [ -n "${RKT_UPSTREAM_TESTS:-}" ]; then
	mapfile -t names < <("$suite/bin/functional.test" -test.list '^Test' | grep -E -- "$RKT_UPSTREAM_TESTS")
else
	mapfile -t names < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$here/upstream-suite.list")
fi
if [ "${#names[@]}" -eq 0 ]; then
	echo "Bail out! upstream-suite.sh: no tests to run"
	exit 1
fi
regex="^($(
	IFS='|'
	echo "${names[*]}"
))\$"

results=$builddir/tests/functional/upstream-suite
out=$builddir/tests/functional/upstream-suite.out
mkdir -p -- "$results"

binds="$srcdir $suite"
case $builddir in "$srcdir" | "$srcdir"/*) ;; *) binds+=" $builddir" ;; esac
case $rkt in "$srcdir"/* | "$builddir"/*) ;; *) binds+=" $(dirname -- "$rkt")" ;; esac
export RKT_TESTHOST_BINDS="$binds" RKT_TESTHOST_CGROUP=unified RKT_TESTHOST_TAP_BAILOUT=1

# One test host at a time per build tree (the lock run.sh and run-unified.sh take), and a deadline.
exec {lock_fd}>"$builddir/.functional-testhost.lock"
flock "$lock_fd"
rc=0
# The test host has a private network with only lo; the suite's network tests look for a host interface
# with an IPv4 address they can NAT through (and skip without one), so the test host gets one: a veth pair
# (CNI's ptp needs veth anyway; a dummy device needs a module the test host cannot load).
# shellcheck disable=SC2016 # expanded inside the test host
setup='ip link add rkt-uplink type veth peer name rkt-uplink-peer && ip addr add 10.254.254.1/24 dev rkt-uplink &&
	ip link set rkt-uplink-peer up && ip link set rkt-uplink up &&
	exec env RESULTS="$1" bash "$2" "$3" "$4"'
timeout --kill-after=60 "${RKT_FUNCTIONAL_TIMEOUT:-1800}" \
	bash "$srcdir/tests/testhost/testhost.sh" run \
	bash -c "$setup" upstream-suite "$results" "$suite/run.sh" "$rkt" "$regex" >"$out" 2>&1 {lock_fd}>&- || rc=$?

echo "1..${#names[@]}"
i=0
for t in "${names[@]}"; do
	i=$((i + 1))
	res=$(awk -v t="$t" '$1 == t { print $2 }' "$out")
	case $res in
	PASS) echo "ok $i $t" ;;
	SKIP) echo "ok $i $t # SKIP $(grep -m1 -E '^\s+\S+\.go:[0-9]+:' "$results/$t.log" 2>/dev/null | sed 's/^[[:space:]]*//' || true)" ;;
	*)
		echo "not ok $i $t${res:+ ($res)}"
		if [ -f "$results/$t.log" ]; then
			tail -n 25 -- "$results/$t.log" | sed 's/^/# /'
		else
			echo "# no log: the suite did not run it (status $rc)"
			tail -n 10 -- "$out" | sed 's/^/# /'
		fi
		;;
	esac
done
