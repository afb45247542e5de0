#!/bin/bash
# The functional tests that concern cgroups, isolators, machined, systemctl and units, run a second time in
# a test host booted with the unified cgroup hierarchy only (cgroup2, as Debian 12 and current
# distributions boot), while run.sh runs all of them in the default (hybrid) one. A test of its own for
# automake, so that its results count in the summary (tests/functional/run-unified.sh.log).
#
# Environment, besides run.sh's:
#   RKT_FUNCTIONAL_UNIFIED_TESTS  space-separated .bats files (globs allowed) instead of the list below;
#                                 else RKT_FUNCTIONAL_TESTS when set
#   RKT_TESTHOST=0                run directly (on a host whose hierarchy is already the unified one)

set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)

default_tests='cgroups.bats run.bats isolation.bats stage1.bats podfile.bats userns.bats security-exec.bats security-mounts.bats cgroup2-*.bats'
list=${RKT_FUNCTIONAL_UNIFIED_TESTS:-${RKT_FUNCTIONAL_TESTS:-$default_tests}}

# Globs are expanded against tests/functional/ (names as run.sh takes them).
tests=()
read -r -a words <<<"$list"
for w in "${words[@]}"; do
	case $w in
	*[*?[]*)
		for f in "$here"/$w; do
			[ -e "$f" ] && tests+=("$(basename -- "$f")")
		done
		;;
	*) tests+=("$w") ;;
	esac
done
if [ "${#tests[@]}" -eq 0 ]; then
	printf 'Bail out! run-unified.sh: no functional tests match %s\n' "$list"
	exit 1
fi

# The hierarchy is the test host's to choose: a test host even on a systemd machine, unless told not to.
RKT_TESTHOST=${RKT_TESTHOST:-1}
RKT_TESTHOST_CGROUP=unified
RKT_FUNCTIONAL_TESTS="${tests[*]}"
export RKT_TESTHOST RKT_TESTHOST_CGROUP RKT_FUNCTIONAL_TESTS
if [ "$RKT_TESTHOST" = 0 ] && [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
	printf 'Bail out! run-unified.sh: RKT_TESTHOST=0 on a host without the unified hierarchy only\n'
	exit 1
fi
exec bash "$here/run.sh"
