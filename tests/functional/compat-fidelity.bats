#!/usr/bin/env bats
# rkt 1.30's behaviour that scripts and images rely on: implicit volumes start with the image's files
# (docker volume semantics), volumes at /sys replace sysfs, a prepared pod holds no mounts, --uuid-file
# of a one-pod verb, --ipc=parent, gc's exit status when a pod stays behind.

load helpers

setup() {
	rkt_setup
	require_systemd
	mkdir -p "$RKT_TEST_DIR/bb/bin" "$RKT_TEST_DIR/bb/etc" "$RKT_TEST_DIR/bb/dir1/sub" "$RKT_TEST_DIR/bb/dir2"
	cp /bin/busybox "$RKT_TEST_DIR/bb/bin/busybox"
	for t in sh cat ls readlink stat; do ln -s busybox "$RKT_TEST_DIR/bb/bin/$t"; done
	echo "root:x:0:0:root:/root:/bin/sh" >"$RKT_TEST_DIR/bb/etc/passwd"
	echo "root:x:0:" >"$RKT_TEST_DIR/bb/etc/group"
	echo dir1 >"$RKT_TEST_DIR/bb/dir1/file"
	echo deeper >"$RKT_TEST_DIR/bb/dir1/sub/file"
	ln -s file "$RKT_TEST_DIR/bb/dir1/link"
	echo dir2 >"$RKT_TEST_DIR/bb/dir2/file"
	ln -s ../dir2 "$RKT_TEST_DIR/bb/dir1/rel_dir2"
	MKACI="$RKT_SRCDIR/tests/helpers/mkaci.py"
}

teardown() {
	if [ -n "${PINNED:-}" ]; then immutable "$PINNED" off || true; fi
	rkt gc --grace-period=0s >/dev/null 2>&1 || true
	rkt_teardown
}

# immutable FILE on|off - set or clear the file's immutable attribute (root cannot unlink it then).
immutable() {
	python3 - "$1" "$2" <<'PY'
import array, fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NOFOLLOW)
flags = array.array("i", [0])
fcntl.ioctl(fd, 0x80086601, flags, True)  # FS_IOC_GETFLAGS
flags[0] = flags[0] | 0x10 if sys.argv[2] == "on" else flags[0] & ~0x10  # FS_IMMUTABLE_FL
fcntl.ioctl(fd, 0x40086602, flags, True)  # FS_IOC_SETFLAGS
PY
}

# mkbb OUT MOUNT-POINT... - the busybox image with these mount points (NAME:PATH).
mkbb() {
	local out=$1 mp=()
	shift
	for m in "$@"; do mp+=(--mount-point "$m"); done
	python3 "$MKACI" "$out" --name example.com/bb-vol --label version=1 --dir "$RKT_TEST_DIR/bb" \
		--exec "/bin/sh -c true" "${mp[@]}"
}

@test "an implicit volume starts with the image's files at its mount point, symlinks kept" {
	mkbb "$RKT_TEST_DIR/v.aci" data:/dir1
	run rkt --insecure-options=image run --net=host "$RKT_TEST_DIR/v.aci" \
		--exec /bin/sh -- -c 'echo "1=$(cat /dir1/file) 2=$(cat /dir1/sub/file) l=$(readlink /dir1/link)"; echo new >/dir1/file; echo "w=$(cat /dir1/file)"'
	assert_status 0
	assert_output_contains "1=dir1 2=deeper l=file"
	assert_output_contains "w=new"
	assert_output_contains "using a new volume 'bb-vol-data' holding the image's files there"
	# The image's tree is unchanged: the app wrote into the volume.
	run rkt image extract --rootfs-only --overwrite example.com/bb-vol "$RKT_TEST_DIR/x"
	assert_status 0
	[ "$(cat "$RKT_TEST_DIR/x/dir1/file")" = dir1 ] || fail "the image's file changed"
}

@test "an implicit volume at a symlink gets the files of the directory it resolves to in the image" {
	mkbb "$RKT_TEST_DIR/v.aci" data:/dir1/rel_dir2
	run rkt --insecure-options=image run --net=host "$RKT_TEST_DIR/v.aci" --exec /bin/cat -- /dir2/file
	assert_status 0
	assert_output_contains "dir2"
}

@test "a volume the user gives is not filled from the image" {
	mkbb "$RKT_TEST_DIR/v.aci" data:/dir1
	mkdir -p "$RKT_TEST_DIR/host"
	run rkt --insecure-options=image run --net=host \
		--volume=data,kind=host,source="$RKT_TEST_DIR/host" "$RKT_TEST_DIR/v.aci" --exec /bin/ls -- -a /dir1
	assert_status 0
	[[ $output != *sub* ]] || fail "the host volume got the image's files: $output"
	[ -z "$(ls -A "$RKT_TEST_DIR/host")" ] || fail "files appeared in the host directory"
}

@test "a prepared pod holds no mounts; run-prepared mounts what it needs" {
	mkbb "$RKT_TEST_DIR/v.aci"
	run rkt --insecure-options=image prepare "$RKT_TEST_DIR/v.aci" --exec /bin/cat -- /dir1/file
	assert_status 0
	uuid=${lines[${#lines[@]} - 1]}
	run findmnt -rn -o TARGET
	[[ $output != *"$uuid"* ]] || fail "the prepared pod is mounted: $output"
	run rkt run-prepared --net=host "$uuid"
	assert_status 0
	assert_output_contains "dir1"
}

@test "cat-manifest reads --uuid-file and says it ignores a UUID argument" {
	mkbb "$RKT_TEST_DIR/v.aci"
	run rkt --insecure-options=image prepare "$RKT_TEST_DIR/v.aci"
	assert_status 0
	uuid=${lines[${#lines[@]} - 1]}
	echo "$uuid" >"$RKT_TEST_DIR/uuid"
	run rkt cat-manifest --uuid-file="$RKT_TEST_DIR/uuid" --pretty-print=false 0123456789abcdef
	assert_status 0
	assert_output_contains '"acKind":"PodManifest"'
	assert_output_contains "ignoring the argument '0123456789abcdef': --uuid-file names the pod"
	# Other verbs still refuse both.
	run rkt status --uuid-file="$RKT_TEST_DIR/uuid" "$uuid"
	assert_status 254
	run rkt rm --uuid-file="$RKT_TEST_DIR/uuid" "$uuid"
	assert_status 254
	assert_output_contains "give either --uuid-file or UUID arguments, not both"
}

@test "--ipc=parent keeps the pod in the host's IPC namespace; auto and private give it its own" {
	mkbb "$RKT_TEST_DIR/v.aci"
	host=$(readlink /proc/self/ns/ipc)
	for mode in parent auto private; do
		run rkt --insecure-options=image run --net=host --ipc=$mode "$RKT_TEST_DIR/v.aci" \
			--exec /bin/sh -- -c 'echo "ns=$(readlink /proc/self/ns/ipc)"'
		assert_status 0
		if [ $mode = parent ]; then
			assert_output_contains "ns=$host"
		else
			assert_output_contains "ns=ipc:"
			[[ $output != *"ns=$host"* ]] || fail "--ipc=$mode: the pod is in the host's IPC namespace"
		fi
	done
}

@test "an app with volumes at or below /sys gets them instead of sysfs" {
	mkbb "$RKT_TEST_DIR/plain.aci"
	run rkt --insecure-options=image run --net=host "$RKT_TEST_DIR/plain.aci" --exec /bin/stat -- -c 'type=%F' /sys/class
	assert_status 0
	assert_output_contains "type=directory"
	mkbb "$RKT_TEST_DIR/below.aci" sysdir:/sys/class
	run rkt --insecure-options=image run --net=host --volume=sysdir,kind=host,source=/dev/null \
		"$RKT_TEST_DIR/below.aci" --exec /bin/stat -- -c 'type=%F' /sys/class
	assert_status 0
	assert_output_contains "type=character special file"
	mkbb "$RKT_TEST_DIR/at.aci" sysdir:/sys
	run rkt --insecure-options=image run --net=host "$RKT_TEST_DIR/at.aci" --exec /bin/ls -- -A /sys
	assert_status 0
	[[ $output != *class* ]] || fail "sysfs over the app's empty /sys volume: $output"
}

@test "gc removes the pods it can, names each one it cannot and exits 254" {
	local kept gone
	mkbb "$RKT_TEST_DIR/v.aci"
	run rkt --insecure-options=image prepare "$RKT_TEST_DIR/v.aci"
	assert_status 0
	kept=${lines[${#lines[@]} - 1]}
	run rkt --insecure-options=image prepare "$RKT_TEST_DIR/v.aci"
	assert_status 0
	gone=${lines[${#lines[@]} - 1]}
	[[ $kept =~ ^[0-9a-f-]{36}$ ]] || fail "no UUID from prepare: $kept"
	PINNED="$RKT_DATA_DIR/pods/prepared/$kept/pod"
	immutable "$PINNED" on
	PINNED="$RKT_DATA_DIR/pods/garbage/$kept/pod"
	run rkt gc --expire-prepared=0s --grace-period=0s
	assert_status 254
	assert_output_contains "unable to remove pod \"$kept\""
	[ "$(grep -c "unable to remove pod" <<<"$output")" = 1 ] || fail "not one line per failure: $output"
	[ ! -e "$RKT_DATA_DIR/pods/garbage/$gone" ] || fail "the other pod was not removed: $output"
	[ -e "$RKT_DATA_DIR/pods/garbage/$kept" ] || fail "the pinned pod vanished"
	immutable "$PINNED" off
	PINNED=
	run rkt gc --grace-period=0s
	assert_status 0
	[ ! -e "$RKT_DATA_DIR/pods/garbage/$kept" ] || fail "the pod was not removed once it could be: $output"
}

@test "a configured stage1 file that is not there is taken under its name from the rkt binary's directory" {
	local here="$RKT_TEST_DIR/rktdir" s1
	mkdir -p "$here" "$RKT_LOCAL_CONFIG_DIR/stage1.d"
	cp "$RKT" "$here/rkt"
	cp "$RKT_BUILDDIR/stage1-nspawn.aci" "$here/my-stage1.aci"
	echo '{"rktKind":"stage1","rktVersion":"v1","name":"example.com/my-stage1","version":"1","location":"'"$RKT_TEST_DIR"'/gone/my-stage1.aci"}' \
		>"$RKT_LOCAL_CONFIG_DIR/stage1.d/s.json"
	mkbb "$RKT_TEST_DIR/v.aci"
	run "$here/rkt" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
		--system-config="$RKT_SYSTEM_CONFIG_DIR" --insecure-options=image prepare "$RKT_TEST_DIR/v.aci"
	assert_status 0
	assert_output_contains "image: using image from file $RKT_TEST_DIR/gone/my-stage1.aci"
	s1=$(realpath "$here/my-stage1.aci")
	assert_output_contains "image: using image from file $s1"
	# Neither there: both are named in one error line.
	rm "$here/my-stage1.aci"
	run "$here/rkt" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
		--system-config="$RKT_SYSTEM_CONFIG_DIR" --insecure-options=image prepare "$RKT_TEST_DIR/v.aci"
	assert_status 254
	assert_output_contains "failed to fall back to stage1 image in the rkt directory"
	assert_output_contains "$s1"
}
