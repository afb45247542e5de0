#!/bin/bash
# Runs shellcheck (warnings and errors) over the test suite's and the build's shell scripts, one TAP result per
# file (run by `make check`). A check that cannot fail is a defect, and shellcheck finds the common ways
# shell gets there: an unused or unset variable, a glob that `[ -e ]` cannot test, a word split apart.
set -uo pipefail

srcdir=${abs_top_srcdir:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)}
cd -- "$srcdir" || exit 1

files=()
for f in .ci/run autogen.sh bench/*.sh dist/scripts/*.sh stage1-nspawn/build-aci.sh \
	tests/shellcheck.sh tests/unit/tap-skip.sh tests/testhost/testhost.sh tests/functional/valgrind-rkt \
	tests/functional/run.sh tests/functional/run-unified.sh tests/functional/upstream-suite.sh tests/functional/*.bash tests/functional/*.bats \
	tests/helpers/mds-attack.sh tests/helpers/stub-stage1/*.sh tests/helpers/stub-stage1/*.bash; do
	[ -f "$f" ] && files+=("$f") # .ci/run is not in the release tarball
done

echo "1..${#files[@]}"
if ! command -v shellcheck >/dev/null; then
	for f in "${files[@]}"; do
		echo "not ok - $f # shellcheck is not installed (dist/scripts/install-deps.sh installs it)"
	done
	exit 1
fi
n=0 rc=0
for f in "${files[@]}"; do
	n=$((n + 1))
	# From the file's directory, so that the files it sources resolve (-x).
	if out=$(cd -- "$(dirname -- "$f")" && shellcheck -x -S warning -f gcc -- "$(basename -- "$f")" 2>&1); then
		echo "ok $n - $f"
	else
		echo "not ok $n - $f"
		printf '%s\n' "$out" | sed 's/^/# /'
		rc=1
	fi
done
exit "$rc"
