# shellcheck shell=bash disable=SC2154 # $output, $status and $lines come from bats' `run`
# Common helpers for the functional tests.  In a .bats file:
#
#   load helpers
#
# This defines setup/teardown that give every test a fresh rkt data directory
# and config directories.  A file that needs its own setup/teardown calls
# rkt_setup / rkt_teardown from it.
#
# Variables (set by tests/functional/run.sh; defaults allow running bats by hand
# from the top of a build tree):
#   RKT           absolute path of the rkt binary under test
#   RKT_SRCDIR    top of the source tree
#   RKT_BUILDDIR  top of the build tree
# Per test (set by rkt_setup):
#   RKT_TEST_DIR            private temporary directory, removed by rkt_teardown
#   RKT_DATA_DIR            --dir passed to rkt ($RKT_TEST_DIR/data)
#   RKT_LOCAL_CONFIG_DIR    --local-config passed to rkt ($RKT_TEST_DIR/local-config)
#   RKT_SYSTEM_CONFIG_DIR   --system-config passed to rkt ($RKT_TEST_DIR/system-config)

: "${RKT_SRCDIR:=$(cd -- "$BATS_TEST_DIRNAME/../.." && pwd -P)}"
: "${RKT_BUILDDIR:=$PWD}"
: "${RKT:=$RKT_BUILDDIR/rkt}"
export RKT RKT_SRCDIR RKT_BUILDDIR

rkt_setup() {
	RKT_TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rkt-test.XXXXXX")
	RKT_DATA_DIR=$RKT_TEST_DIR/data
	RKT_LOCAL_CONFIG_DIR=$RKT_TEST_DIR/local-config
	RKT_SYSTEM_CONFIG_DIR=$RKT_TEST_DIR/system-config
	mkdir -p "$RKT_DATA_DIR" "$RKT_LOCAL_CONFIG_DIR" "$RKT_SYSTEM_CONFIG_DIR"
	export RKT_TEST_DIR RKT_DATA_DIR RKT_LOCAL_CONFIG_DIR RKT_SYSTEM_CONFIG_DIR
}

rkt_teardown() {
	[ -n "${RKT_TEST_DIR:-}" ] && [ -d "$RKT_TEST_DIR" ] || return 0
	# A pod a test left running would outlive it (and keep bats' output open): kill its nspawn, which
	# takes the pod with it, then let rkt gc undo the rest.
	local ppid pod deadline=$((SECONDS + 30))
	for ppid in "$RKT_TEST_DIR"/data/pods/run/*/ppid; do
		[ -s "$ppid" ] && kill -9 "$(cat "$ppid")" 2>/dev/null
	done
	for pod in "$RKT_TEST_DIR"/data/pods/run/*/; do
		[ -d "$pod" ] || continue
		until flock -n -x "$pod" true 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; do
			sleep 0.1
		done
	done
	"$RKT" --dir="$RKT_TEST_DIR/data" gc --grace-period=0s >/dev/null 2>&1 || true
	# Pods may leave mounts (overlay, binds) below the data directory.
	local m
	findmnt -rn -o TARGET 2>/dev/null |
		awk -v d="$RKT_TEST_DIR" 'index($0, d "/") == 1' | sort -r |
		while IFS= read -r m; do
			umount -l -- "$(printf '%b' "$m")" 2>/dev/null || true
		done
	rm -rf --one-file-system -- "$RKT_TEST_DIR"
}

setup() {
	rkt_setup
}

teardown() {
	rkt_teardown
}

# rkt ARGS... - the rkt under test with this test's private directories.
# Use as `run rkt ...` to check status and output.
rkt() {
	"$RKT" --dir="$RKT_DATA_DIR" \
		--local-config="$RKT_LOCAL_CONFIG_DIR" \
		--system-config="$RKT_SYSTEM_CONFIG_DIR" \
		"$@"
}

# rkt_cmdline - the rkt under test with this test's directories, as one line for a unit's ExecStart= or
# systemd-run.
rkt_cmdline() {
	echo "$RKT --dir=$RKT_DATA_DIR --local-config=$RKT_LOCAL_CONFIG_DIR --system-config=$RKT_SYSTEM_CONFIG_DIR"
}

# unit_teardown - stops and removes the test's unit $UNIT (if set) and its pods, then rkt_teardown.
unit_teardown() {
	if [ -n "${UNIT:-}" ]; then
		systemctl stop "$UNIT" 2>/dev/null || true
		systemctl reset-failed "$UNIT" 2>/dev/null || true
		rm -f "/run/systemd/system/$UNIT"
		systemctl daemon-reload || true
	fi
	rkt gc --grace-period=0s >/dev/null 2>&1 || true
	rkt_teardown
}

# busybox_rootfs DIR TOOL... - DIR/bin/busybox with each TOOL linked to it, and root in DIR/etc/passwd and
# DIR/etc/group: the root filesystem of the tests' busybox images.
busybox_rootfs() {
	local dir=$1 t
	shift
	mkdir -p "$dir/bin" "$dir/etc"
	cp /bin/busybox "$dir/bin/busybox"
	for t in "$@"; do ln -s busybox "$dir/bin/$t"; done
	echo "root:x:0:0:root:/root:/bin/sh" >"$dir/etc/passwd"
	echo "root:x:0:" >"$dir/etc/group"
}

# fail MESSAGE... - fail the current test with a message.
fail() {
	printf '%s\n' "$*" >&2
	return 1
}

# require_systemd - fail (not skip) unless PID 1 is systemd: these tests must run
# on a systemd host or in the test host (tests/functional/run.sh takes care of it).
require_systemd() {
	if [ ! -d /run/systemd/system ] || [ "$(cat /proc/1/comm)" != systemd ]; then
		fail "PID 1 is not systemd ($(cat /proc/1/comm)); run through tests/functional/run.sh"
	fi
}

# require_root - fail unless running as root.
require_root() {
	[ "$(id -u)" -eq 0 ] || fail "this test needs root"
}

# assert_output_contains STRING - $output (from `run`) contains STRING.
assert_output_contains() {
	[[ $output == *"$1"* ]] || fail "expected output to contain '$1', got: $output"
}

# assert_one_error_line - besides rkt 1.30's informational "image: …" lines (which rkt prints on stderr as
# rkt 1.30 did), $output (from `run`) is one line.
assert_one_error_line() {
	local l n=0
	for l in "${lines[@]}"; do
		[[ $l == "image: "* ]] || n=$((n + 1))
	done
	[ "$n" -eq 1 ] || fail "expected one line besides 'image: …' ones, got: $output"
}

# assert_status N - $status (from `run`) is N.
assert_status() {
	[ "$status" -eq "$1" ] || fail "expected status $1, got $status; output: $output"
}

# wait_for TIMEOUT_SECONDS CMD... - retry CMD every 0.1 s until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}
