#!/usr/bin/env bats
# The stage1's question to the host's systemd over the system bus (is machined there, so that the pod
# can be registered as a machine): a missing or hostile bus daemon costs the pod its registration, with
# one warning, and nothing else.

load helpers

setup() {
	rkt_setup
	require_systemd
	busybox_rootfs "$RKT_TEST_DIR/bb" sh true
	python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/bb.aci" --name example.com/busybox \
		--label version=1 --dir "$RKT_TEST_DIR/bb" --exec /bin/true
	BB="$RKT_TEST_DIR/bb.aci"
	FAKE=
}

teardown() {
	if [ -n "$FAKE" ]; then
		kill "$FAKE" 2>/dev/null || true
	fi
	rkt gc --grace-period=0s >/dev/null 2>&1 || true
	rkt_teardown
}

# fake_bus ANSWER_HEX - a bus daemon on $RKT_TEST_DIR/bus that answers every connection with these bytes
# (after reading what the client sent first) and hangs up.
fake_bus() {
	python3 - "$RKT_TEST_DIR/bus" "$1" >/dev/null 2>&1 3>&- <<'PY' &
import os, socket, sys
path, answer = sys.argv[1], bytes.fromhex(sys.argv[2])
s = socket.socket(socket.AF_UNIX)
s.bind(path + ".tmp")
s.listen(8)
os.rename(path + ".tmp", path)
while True:
    c, _ = s.accept()
    c.recv(65536)
    c.sendall(answer)
    c.close()
PY
	FAKE=$!
	wait_for 10 test -S "$RKT_TEST_DIR/bus"
}

@test "sysbus: with machined on the bus, the pod is registered without a warning" {
	run rkt --insecure-options=image --debug run --net=host "$BB"
	assert_status 0
	assert_output_contains "--register=yes"
	[[ $output != *"machined is not available"* ]] || fail "$output"
}

@test "sysbus: without a bus, the pod runs unregistered, with one warning" {
	DBUS_SYSTEM_BUS_ADDRESS="unix:path=$RKT_TEST_DIR/no-such-socket" \
		run rkt --insecure-options=image --debug run --net=host "$BB"
	assert_status 0
	assert_output_contains "--register=no"
	run grep -c "systemd-machined is not available" <<<"$output"
	[ "$output" = 1 ] || fail "$output"
}

@test "sysbus: a bus daemon that refuses us, or answers garbage, costs only the registration" {
	local header answer
	# "OK <guid>", then a message header claiming a body of 2 GiB
	header=$(printf 'l\002\000\001\377\377\377\177\001\000\000\000\000\000\000\000' | od -An -tx1 | tr -d ' \n')
	for answer in "$(printf 'REJECTED EXTERNAL\r\n' | od -An -tx1 | tr -d ' \n')" \
		"$(printf 'OK 0123456789abcdef0123456789abcdef\r\n' | od -An -tx1 | tr -d ' \n')$header" \
		"$(head -c 600 /dev/urandom | od -An -tx1 | tr -d ' \n')"; do
		fake_bus "$answer"
		DBUS_SYSTEM_BUS_ADDRESS="unix:path=$RKT_TEST_DIR/bus" \
			run rkt --insecure-options=image --debug run --net=host "$BB"
		assert_status 0
		assert_output_contains "--register=no"
		assert_output_contains "systemd-machined is not available"
		kill "$FAKE"
		wait "$FAKE" 2>/dev/null || true
		FAKE=
		rm -f "$RKT_TEST_DIR/bus"
	done
}
