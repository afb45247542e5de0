#!/usr/bin/env bats
# Container Linux ran its host services (the kubelet, etcd, flannel) as rkt pods from unit files and
# wrapper scripts that pass rkt 1.30's command lines unchanged: the UUID saved to a file, the previous
# pod removed before each start (ExecStartPre=-rkt rm --uuid-file=…), stopped through the file, host
# volumes, stage1-fly for the kubelet and Restart=always. These replay those units in the test host.

load helpers

setup() {
	rkt_setup
	require_systemd
	UNIT=
	busybox_rootfs "$RKT_TEST_DIR/bb" sh sleep cat echo
	python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/bb.aci" --name example.com/kubelet \
		--label version=v1.9.2 --dir "$RKT_TEST_DIR/bb" --exec "/bin/sh -c 'echo hello'"
	# the stage1 images directory the wrappers name files in (--stage1-from-dir=FILE)
	mkdir -p "$RKT_TEST_DIR/stage1-images" "$RKT_LOCAL_CONFIG_DIR/paths.d"
	cp "$RKT_BUILDDIR/stage1-fly.aci" "$RKT_BUILDDIR/stage1-nspawn.aci" "$RKT_TEST_DIR/stage1-images/"
	printf '{"rktKind":"paths","rktVersion":"v1","stage1-images":"%s"}\n' "$RKT_TEST_DIR/stage1-images" \
		>"$RKT_LOCAL_CONFIG_DIR/paths.d/paths.json"
	mkdir -p "$RKT_TEST_DIR/etc-kubernetes"
}

teardown() {
	unit_teardown
}

# write_wrapper STAGE1_FLAG - a wrapper script in the shape of Container Linux's kubelet-wrapper: global
# and run arguments from the environment, then exec rkt run … IMAGE IMAGE_ARGS -- "$@".
write_wrapper() {
	cat >"$RKT_TEST_DIR/kubelet-wrapper" <<WRAPPER
#!/bin/bash
set -e
KUBELET_IMAGE=$RKT_TEST_DIR/bb.aci
RKT_GLOBAL_ARGS="--insecure-options=image"
exec $(rkt_cmdline) \${RKT_GLOBAL_ARGS} \\
	run \${RKT_RUN_ARGS} \\
	--volume coreos-etc-kubernetes,kind=host,source=$RKT_TEST_DIR/etc-kubernetes,readOnly=false \\
	--mount volume=coreos-etc-kubernetes,target=/etc/kubernetes \\
	$1 \\
	\${KUBELET_IMAGE} \\
	--exec /bin/sh -- -c 'echo "\$0 \$*" >/etc/kubernetes/started-\$\$; exec sleep 300' \\
	"\$@"
WRAPPER
	chmod +x "$RKT_TEST_DIR/kubelet-wrapper"
}

# write_unit EXTRA - the unit that runs the wrapper, as Container Linux shipped it.
write_unit() {
	UNIT=kubelet-compat-$$.service
	cat >"/run/systemd/system/$UNIT" <<UNITFILE
[Service]
Environment="RKT_RUN_ARGS=--uuid-file-save=$RKT_TEST_DIR/kubelet-pod.uuid"
ExecStartPre=-$(rkt_cmdline) rm --uuid-file=$RKT_TEST_DIR/kubelet-pod.uuid
ExecStart=$RKT_TEST_DIR/kubelet-wrapper --node-labels=role=worker
ExecStop=-$(rkt_cmdline) stop --uuid-file=$RKT_TEST_DIR/kubelet-pod.uuid
Restart=always
RestartSec=1
$1
UNITFILE
	systemctl daemon-reload
}

# wait_started N - waits until N pods have written their start marker into the host volume.
wait_started() {
	wait_for 60 sh -c "[ \$(ls '$RKT_TEST_DIR/etc-kubernetes' | grep -c '^started-') -ge $1 ]" ||
		fail "pods started: $(ls "$RKT_TEST_DIR/etc-kubernetes"); $(journalctl -u "$UNIT" --no-pager -n 30)"
}

@test "kubelet-wrapper's unit: stage1-fly, host volume, uuid file; restart removes the old pod" {
	write_wrapper --stage1-from-dir=stage1-fly.aci
	write_unit ""
	run timeout 120 systemctl start "$UNIT"
	assert_status 0
	wait_started 1
	run cat "$RKT_TEST_DIR/etc-kubernetes"/started-*
	assert_output_contains "--node-labels=role=worker"
	wait_for 30 test -s "$RKT_TEST_DIR/kubelet-pod.uuid"
	first=$(cat "$RKT_TEST_DIR/kubelet-pod.uuid")
	run rkt status "$first"
	assert_status 0
	assert_output_contains "state=running"

	# a restart: ExecStop stops the pod through the file, ExecStartPre removes it, a new pod starts
	run timeout 120 systemctl restart "$UNIT"
	assert_status 0
	wait_started 2
	wait_for 30 sh -c "[ \"\$(cat '$RKT_TEST_DIR/kubelet-pod.uuid')\" != '$first' ]"
	run rkt status "$first"
	assert_status 254
	run rkt list --no-legend --full
	[ "$(grep -c . <<<"$output")" -eq 1 ] || fail "pods after the restart: $output"

	run timeout 60 systemctl stop "$UNIT"
	assert_status 0
	run systemctl show -p ActiveState --value "$UNIT"
	[ "$output" = inactive ] || fail "unit after stop: $output"
}

@test "the first start of such a unit: rm of a uuid file that does not exist yet fails without harm" {
	run rkt rm --uuid-file="$RKT_TEST_DIR/kubelet-pod.uuid"
	assert_status 254
	assert_output_contains "kubelet-pod.uuid"
}

@test "rkt's documented unit: default stage1, Slice=machine.slice, KillMode=mixed, gc --mark-only after" {
	write_wrapper ""
	write_unit "Slice=machine.slice
KillMode=mixed
ExecStopPost=$(rkt_cmdline) gc --mark-only"
	run timeout 120 systemctl start "$UNIT"
	assert_status 0
	wait_started 1
	wait_for 30 test -s "$RKT_TEST_DIR/kubelet-pod.uuid"
	uuid=$(cat "$RKT_TEST_DIR/kubelet-pod.uuid")
	run rkt status --wait-ready=60s "$uuid"
	assert_status 0
	run systemctl show -p ControlGroup --value "$UNIT"
	assert_output_contains "/machine.slice/"
	run timeout 60 systemctl stop "$UNIT"
	assert_status 0
	run systemctl show -p Result --value "$UNIT"
	[ "$output" = success ] || fail "unit result: $output"
	# gc --mark-only moved the exited pod to the garbage; the next start's rm removes it for good
	run rkt list --no-legend --full
	assert_output_contains "$uuid"
	[ -d "$RKT_DATA_DIR/pods/exited-garbage/$uuid" ] || fail "pod not marked: $(ls "$RKT_DATA_DIR"/pods/*)"
}

@test "Container Linux's stage1 names, stage1-coreos.aci and coreos.com/rkt/stage1-coreos, are the default stage1" {
	version=$("$RKT" version | sed -n 's/^rkt Version: //p')
	run rkt --insecure-options=image run --stage1-name="coreos.com/rkt/stage1-coreos:$version" \
		"$RKT_TEST_DIR/bb.aci" --exec /bin/sh -- -c 'exit 7'
	assert_status 7
	run rkt --insecure-options=image run --stage1-from-dir=stage1-coreos.aci \
		"$RKT_TEST_DIR/bb.aci" --exec /bin/sh -- -c 'exit 8'
	assert_status 8
	# both ran the one default stage1: a single stage1 image in the store
	run rkt image list --no-legend --fields=name
	[ "$(grep -c 'stage1' <<<"$output")" -eq 1 ] || fail "stage1 images: $output"
	assert_output_contains "coreos.com/rkt/stage1-nspawn"
	# only that name falls back: another file that is not there is an error naming it
	run rkt --insecure-options=image run --stage1-from-dir=stage1-nothere.aci "$RKT_TEST_DIR/bb.aci"
	assert_status 254
	assert_output_contains "stage1-nothere.aci"
}
