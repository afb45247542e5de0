#!/bin/bash
# make fuzz: runs each libFuzzer target for FUZZ_SECONDS on a copy of its committed seed corpus and prints
# a table: target, executions, executions/s, coverage (cov: of libFuzzer's last status line), findings.
# A finding (crash, leak, timeout, failed property, sanitizer report) fails the run; its input is kept as
# tests/fuzz/findings/<target>/crash-… in the build tree. Each target also writes tests/fuzz/<target>.log
# with "PASS: <target>" or "FAIL: <target>" for .ci/run's summary.
#   run.sh SRCDIR SECONDS TARGET...
set -uo pipefail
srcdir=$1 seconds=$2
shift 2
rc=0
rows=()
for t in "$@"; do
	name=${t##*/}
	if [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" $name "* ]]; then
		continue
	fi
	seeds=$srcdir/tests/fuzz/corpus/${name#fuzz-}
	work=tests/fuzz/work/$name findings=tests/fuzz/findings/$name log=tests/fuzz/$name.out
	rm -rf "$work" && mkdir -p "$work" "$findings"
	# New inputs go to work/ (the first directory); the committed seeds are read only.
	"$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-artifact_prefix="$findings/" "$work" "$seeds" >"$log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -oE ' cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
	found=$(find "$findings" -type f | wc -l)
	if [ "$status" -ne 0 ] && [ "$found" -eq 0 ]; then
		found=1
	fi
	if [ "$found" -ne 0 ]; then
		rc=1
		echo "FAIL: $name" >"tests/fuzz/$name.log"
		echo "--- $name: exit $status, findings in $findings"
		grep -E 'ERROR: |SUMMARY: |property failed|runtime error' "$log" | head -5
	else
		echo "PASS: $name" >"tests/fuzz/$name.log"
	fi
	rows+=("$(printf '%-22s %12s %10s %8s %9s' "$name" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$found")")
done
printf '%-22s %12s %10s %8s %9s\n' TARGET EXECUTIONS EXECS/S COVERAGE FINDINGS
printf '%s\n' "${rows[@]}"
exit "$rc"
