#!/bin/bash
# TAP: every file the README tells users to run or read is in the source tree this test runs from. Under
# `make distcheck` that tree is the unpacked release tarball, so a tarball lacking one fails here.
set -uo pipefail
src=${abs_top_srcdir:?}
readme=$src/README.md
[ -f "$readme" ] || { echo "1..1"; echo "not ok 1 - README.md is in the tree"; exit 0; }
# Paths under the tree's top directories, as they appear in commands and text (a trailing ':' or ','
# dropped). tests/unit/test-x names a program built from tests/unit/test-x.c.
mapfile -t paths < <(grep -oE '(^|[ `(=])(\.ci|dist|bench|docs|tests|units|stage1-common|stage1-nspawn|stage1-fly|src)/[A-Za-z0-9_./*-]*[A-Za-z0-9_*]' "$readme" |
	sed -E 's/^[ `(=]//' | sort -u)
echo "1..$(( ${#paths[@]} + 1 ))"
n=1
if [ ${#paths[@]} -ge 10 ]; then echo "ok 1 - the README names ${#paths[@]} files"; else
	echo "not ok 1 - the README names ${#paths[@]} files (expected at least 10: is the pattern still right?)"; fi
for p in "${paths[@]}"; do
	n=$((n + 1))
	# shellcheck disable=SC2086 # globs in the README (bench/*.sh) are expanded on purpose
	if compgen -G "$src/$p" >/dev/null || [ -e "$src/$p.c" ]; then
		echo "ok $n - $p"
	else
		echo "not ok $n - $p is not in the tree (EXTRA_DIST in Makefile.am?)"
	fi
done
