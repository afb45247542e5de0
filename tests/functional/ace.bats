#!/usr/bin/env bats
# appc's own conformance test, the ACE validator, run unmodified as rkt 1.30 ran it
# (tests/rkt_ace_validator_test.go): its "main" and "sidekick" images in one pod sharing a "database"
# volume, registered with the metadata service. main checks the environment, working directory, mounts,
# AC_APP_NAME and every metadata endpoint; pre-start and post-stop check the order around it.
#
# The images are built by `make check` from Debian's golang-github-appc-spec-dev (Makefile.am:
# tests/ace-validator-*.aci, manifests in tests/data/ace/). For a quick run without them, point
# RKT_ACE_ACI_DIR at prebuilt copies (bound into the test host with RKT_TESTHOST_BINDS).

load helpers

setup() {
	rkt_setup
	require_systemd
	require_root
	MDS_PID=
	local dir
	for dir in "$RKT_BUILDDIR/tests" "${RKT_ACE_ACI_DIR:-}"; do
		if [ -n "$dir" ] && [ -f "$dir/ace-validator-main.aci" ] && [ -f "$dir/ace-validator-sidekick.aci" ]; then
			MAIN=$dir/ace-validator-main.aci
			SIDEKICK=$dir/ace-validator-sidekick.aci
			break
		fi
	done
	[ -n "${MAIN:-}" ] || skip "the ACE validator images are not built: 'make check' (or 'make tests/ace-validator-main.aci tests/ace-validator-sidekick.aci') builds them from golang-github-appc-spec-dev"
	"$RKT" metadata-service >"$RKT_TEST_DIR/mds.log" 2>&1 &
	MDS_PID=$!
	wait_for 10 test -S /run/rkt/metadata-svc.sock || fail "no metadata service: $(cat "$RKT_TEST_DIR/mds.log")"
	wait_for 10 curl -s -o /dev/null http://127.0.0.1:18112/ || fail "metadata service not on port 18112"
}

teardown() {
	if [ -n "$MDS_PID" ]; then
		kill "$MDS_PID" 2>/dev/null || true
		wait "$MDS_PID" 2>/dev/null || true
	fi
	rkt gc --grace-period=0s >/dev/null 2>&1 || true
	rkt_teardown
}

# run_ace [FLAGS...] - rkt's recipe; sets $status, $output (console) and $journal (the pod's journal).
run_ace() {
	run rkt --insecure-options=image run --uuid-file-save="$RKT_TEST_DIR/uuid" --net=host "$@" "$MAIN" "$SIDEKICK"
	output=${output//$'\r'/}
	local uuid
	uuid=$(cat "$RKT_TEST_DIR/uuid")
	journal=$(journalctl -D "$(echo "$RKT_DATA_DIR"/pods/*/"$uuid"/stage1/rootfs/var/log/journal)" --no-pager \
		-o short-monotonic 2>&1)
}

# assert_ace_passed - the four OK lines in the console output and in the journal, in the order the validator
# needs (prestart first, poststop last), and no FAIL.
assert_ace_passed() {
	local mode pre post m s
	for mode in prestart main sidekick poststop; do
		[[ $output =~ ace-validator-(main|sidekick)\[[0-9]+\]:\ $mode\ OK ]] ||
			fail "no '$mode OK' in the output: $output"
	done
	[[ $output != *FAIL* ]] || fail "a check failed: $output"
	pre=$(grep -n 'prestart OK' <<<"$journal" | cut -d: -f1)
	m=$(grep -n ': main OK' <<<"$journal" | cut -d: -f1)
	s=$(grep -n 'sidekick OK' <<<"$journal" | cut -d: -f1)
	post=$(grep -n 'poststop OK' <<<"$journal" | cut -d: -f1)
	[ -n "$pre" ] && [ -n "$m" ] && [ -n "$s" ] && [ -n "$post" ] || fail "not all in the journal: $journal"
	[ "$pre" -lt "$m" ] && [ "$pre" -lt "$s" ] && [ "$m" -lt "$post" ] && [ "$s" -lt "$post" ] ||
		fail "wrong order in the journal: $journal"
}

@test "ACE validator: main and sidekick in one pod with an empty database volume: prestart, main, sidekick, poststop OK" {
	run_ace --mds-register --volume database,kind=empty
	assert_status 0
	assert_ace_passed
}

@test "ACE validator: the same with the database volume on the host" {
	mkdir -p "$RKT_TEST_DIR/db"
	run_ace --mds-register --volume "database,kind=host,source=$RKT_TEST_DIR/db"
	assert_status 0
	assert_ace_passed
	# both apps wrote their marker into the one directory
	[ -e "$RKT_TEST_DIR/db/main" ]
	[ -e "$RKT_TEST_DIR/db/sidekick" ]
}

@test "ACE validator: it fails, and so does the pod, without the metadata service registration" {
	run_ace --volume database,kind=empty
	[ "$status" -ne 0 ]
	assert_output_contains "main FAIL"
	assert_output_contains "AC_METADATA_URL is not set"
}
