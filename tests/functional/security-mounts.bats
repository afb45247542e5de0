#!/usr/bin/env bats
# Mounts against a hostile image (docs/security.md): a volume or mount lands inside the app's rootfs or
# nowhere, whatever the image and the volumes contain. Each mount target is resolved when it is mounted,
# after the mounts before it, inside the app's rootfs (stage1-nspawn/README.md "Volumes"). Real pods in the
# systemd test host (tests/functional/run.sh); what the pod's stage1 sees is read through its PID 1's root
# on the host.

load helpers

MARKER=rkt-security-mounts-marker

setup() {
	rkt_setup
	require_systemd
	require_root
	[ -x /bin/busybox ] || fail "/bin/busybox not found (busybox-static)"
	OUT=$RKT_TEST_DIR/out
	mkdir -p "$OUT"
	BG_PID=
	UUID=
	# A host volume as a former run could have left it: a symlink to / and a marker.
	VOL=$RKT_TEST_DIR/vol
	mkdir -p "$VOL"
	ln -s / "$VOL/a"
	echo marker >"$VOL/$MARKER"
}

teardown() {
	if [ -n "$BG_PID" ]; then
		[ -z "$UUID" ] || rkt stop --force "$UUID" >/dev/null 2>&1 || true
		wait_for 30 sh -c "! kill -0 $BG_PID 2>/dev/null" || kill -9 "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
	rkt_teardown
}

# mkimage NAME APP_JSON [SETUP] - $RKT_TEST_DIR/NAME.aci: busybox, exec /bin/sh, user and group 0, merged
# with APP_JSON; SETUP runs in its rootfs before it is packed.
mkimage() {
	local name=$1 app=$2 setup=${3:-true} d=$RKT_TEST_DIR/img-$1 a
	mkdir -p "$d/rootfs/bin" "$d/rootfs/etc"
	cp /bin/busybox "$d/rootfs/bin/busybox"
	for a in sh cat ls echo sleep touch grep; do ln -s busybox "$d/rootfs/bin/$a"; done
	echo "root:x:0:0:root:/root:/bin/sh" >"$d/rootfs/etc/passwd"
	echo "root:x:0:" >"$d/rootfs/etc/group"
	(cd "$d/rootfs" && eval "$setup")
	jq -n --arg name "example.com/$name" --argjson app "$app" \
		'{acKind: "ImageManifest", acVersion: "0.8.11", name: $name,
		  labels: [{name: "os", value: "linux"}, {name: "arch", value: "amd64"}],
		  app: ({exec: ["/bin/sh"], user: "0", group: "0"} + $app)}' >"$d/manifest"
	tar -C "$d" -cf "$RKT_TEST_DIR/$name.aci" manifest rootfs
}

# start_pod ARGS... - rkt run ARGS in the background; the app is to touch /out/ready and then sleep. Sets
# UUID and LEADER (the pod's PID 1, the stage1's systemd) once the app is ready.
start_pod() {
	rkt --insecure-options=image run --net=host --uuid-file-save="$RKT_TEST_DIR/uuid" \
		--volume "out,kind=host,source=$OUT" "$@" >"$RKT_TEST_DIR/pod.log" 2>&1 &
	BG_PID=$!
	wait_for 60 test -e "$OUT/ready" || fail "the app did not start: $(cat "$RKT_TEST_DIR/pod.log")"
	UUID=$(cat "$RKT_TEST_DIR/uuid")
	local ppid
	ppid=$(cat "$RKT_DATA_DIR/pods/run/$UUID/ppid")
	LEADER=$(cat "/proc/$ppid/task/$ppid/children")
	LEADER=${LEADER%% *}
	[ -n "$LEADER" ] || fail "no pod PID 1 below nspawn $ppid"
}

# stop_pod - stops the pod of start_pod and waits for rkt run to return.
stop_pod() {
	run rkt stop "$UUID"
	assert_status 0
	wait "$BG_PID" || true
	BG_PID=
}

# Two volume names backed by one host directory holding a -> /: the second mount point, below the first,
# goes through that symlink. It must reach the app's own /etc/systemd/system, never the stage1's (where the
# pod's systemd would run the volume's units outside the app's root, with full privileges).
@test "security-mounts: a mount point below another volume, through its symlink to /, stays in the app's rootfs" {
	mkimage nested '{"mountPoints": [{"name": "data", "path": "/data"},
		{"name": "units", "path": "/data/a/etc/systemd/system", "readOnly": true}]}'
	start_pod --volume "data,kind=host,source=$VOL" --volume "units,kind=host,source=$VOL" \
		"$RKT_TEST_DIR/nested.aci" --mount volume=out,target=/out \
		--exec /bin/sh -- -c "cat /etc/systemd/system/$MARKER > /out/seen; touch /out/ready; exec sleep 300"
	local stage1=/proc/$LEADER/root
	# the app sees the volume at its own /etc/systemd/system
	[ "$(cat "$OUT/seen")" = marker ]
	[ -e "$stage1/opt/stage2/nested/rootfs/etc/systemd/system/$MARKER" ] ||
		fail "the volume is not at the app's /etc/systemd/system"
	# the stage1's own /etc/systemd/system is not covered: no marker, and the app's unit is still there
	[ ! -e "$stage1/etc/systemd/system/$MARKER" ] || fail "the volume covers the stage1's /etc/systemd/system"
	[ -f "$stage1/etc/systemd/system/nested.service" ]
	# the host's mount namespace has none of the pod's volume mounts
	run grep -F "$RKT_DATA_DIR/pods/run/$UUID/stage1/rootfs/opt/stage2/nested/rootfs/" /proc/self/mountinfo
	[ "$status" -eq 1 ] || fail "a volume is mounted on the host: $output"
	stop_pod
	# nothing is left mounted once the pod is gone
	run rkt gc --grace-period=0s
	assert_status 0
	run grep -F "$UUID" /proc/self/mountinfo
	[ "$status" -eq 1 ] || fail "left mounted after gc: $output"
}

@test "security-mounts: an image declaring one mountPoint name twice is refused with 254 and one line" {
	mkimage dup '{"mountPoints": [{"name": "data", "path": "/data"},
		{"name": "data", "path": "/data/a/etc/systemd/system"}]}'
	# bounded: a stage1 that let the image through would cover its own units and never end
	run timeout 120 "$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
		--system-config="$RKT_SYSTEM_CONFIG_DIR" --insecure-options=image run --net=host \
		--volume "data,kind=host,source=$VOL" "$RKT_TEST_DIR/dup.aci" --exec /bin/sh -- -c 'exit 0'
	assert_status 254
	assert_one_error_line
	assert_output_contains "image '$RKT_TEST_DIR/dup.aci': invalid image manifest: app.mountPoints[1].name 'data': duplicate mount point name"
	[ ! -e "$RKT_DATA_DIR/pods/run" ] || [ -z "$(ls -A "$RKT_DATA_DIR/pods/run")" ] || fail "a pod was started"
}

@test "security-mounts: a volume at the app's /, by name or through a symlink, is refused with 254" {
	mkimage root '{}' 'ln -s / toroot'
	run timeout 120 "$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
		--system-config="$RKT_SYSTEM_CONFIG_DIR" --insecure-options=image run --net=host \
		--volume "v,kind=host,source=$VOL" "$RKT_TEST_DIR/root.aci" --mount volume=v,target=/ \
		--exec /bin/sh -- -c 'exit 0'
	assert_status 254
	assert_output_contains "mount point '/' of volume 'v' resolves to the app's root directory, which a volume cannot replace"
	run timeout 120 "$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
		--system-config="$RKT_SYSTEM_CONFIG_DIR" --insecure-options=image run --net=host \
		--volume "v,kind=host,source=$VOL" "$RKT_TEST_DIR/root.aci" --mount volume=v,target=/toroot \
		--exec /bin/sh -- -c 'exit 0'
	assert_status 254
	assert_output_contains "mount point '/toroot' of volume 'v' resolves to the app's root directory"
}

# The image's /data -> ../../../../etc: resolved in the app's root, that is the app's own /etc.
@test "security-mounts: an image symlink pointing out of the rootfs keeps the volume inside it" {
	mkimage up '{"mountPoints": [{"name": "data", "path": "/data"}]}' 'ln -s ../../../../etc data'
	start_pod --volume "data,kind=host,source=$VOL" "$RKT_TEST_DIR/up.aci" --mount volume=out,target=/out \
		--exec /bin/sh -- -c "cat /etc/$MARKER > /out/seen; echo from-app > /data/written; touch /out/ready; exec sleep 300"
	local stage1=/proc/$LEADER/root
	[ "$(cat "$OUT/seen")" = marker ]
	[ "$(cat "$VOL/written")" = from-app ]
	[ -e "$stage1/opt/stage2/up/rootfs/etc/$MARKER" ] || fail "the volume is not at the app's /etc"
	[ ! -e "$stage1/etc/$MARKER" ] || fail "the volume covers the stage1's /etc"
	[ ! -e "/etc/$MARKER" ] || fail "the volume covers the host's /etc"
	stop_pod
}

@test "security-mounts: fly: a mount point below another volume stays in the app's rootfs; / is refused" {
	local fly=$RKT_BUILDDIR/stage1-fly.aci
	[ -f "$fly" ] || fail "$fly not found: build it with make"
	mkimage flynested '{"mountPoints": [{"name": "data", "path": "/data"},
		{"name": "units", "path": "/data/a/etc/systemd/system", "readOnly": true}]}'
	run rkt --insecure-options=image run --stage1-path="$fly" --volume "data,kind=host,source=$VOL" \
		--volume "units,kind=host,source=$VOL" "$RKT_TEST_DIR/flynested.aci" \
		--exec /bin/sh -- -c "cat /etc/systemd/system/$MARKER && ls /data/a/etc/systemd/system/$MARKER"
	assert_status 0
	assert_output_contains marker
	[ ! -e "/etc/systemd/system/$MARKER" ] || fail "the volume reached the host's /etc/systemd/system"
	mkimage flyroot '{}' 'ln -s / toroot'
	run rkt --insecure-options=image run --stage1-path="$fly" --volume "v,kind=host,source=$VOL" \
		"$RKT_TEST_DIR/flyroot.aci" --mount volume=v,target=/toroot --exec /bin/sh -- -c 'exit 0'
	assert_status 254
	assert_output_contains "mount point '/toroot' of volume 'v' resolves to the app's root directory"
}
