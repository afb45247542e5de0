#!/usr/bin/env bats
# The store and the pods against a member of group rkt (docs/security.md): she may fetch into the shared
# store and read pods' state, but nothing she stores or changes reaches what root runs, and nothing of
# root's images, trees or pods' file systems is hers to change. Also: a user outside the group gets one
# clear line from every verb. The data directory is laid out by the shipped tmpfiles.d file.

load helpers

setup() {
	rkt_setup
	require_root
	getent group rkt >/dev/null || groupadd --system rkt
	id mallory >/dev/null 2>&1 || useradd --no-create-home --gid nogroup --groups rkt --shell /bin/sh mallory
	# Others must reach the test's files, as they reach /var/lib/rkt.
	chmod 0755 "$RKT_TEST_DIR" "$RKT_LOCAL_CONFIG_DIR" "$RKT_SYSTEM_CONFIG_DIR"
	D=$RKT_DATA_DIR
	rmdir "$D"
	sed -e "s|/var/lib/rkt|$D|" -e '/\/etc\/rkt/d' "$RKT_SRCDIR/dist/tmpfiles.d/rkt.conf" >"$RKT_TEST_DIR/tmpfiles.conf"
	systemd-tmpfiles --create "$RKT_TEST_DIR/tmpfiles.conf"

	# Images with one busybox app printing who they are, made readable for mallory too.
	busybox_rootfs "$RKT_TEST_DIR/bb" sh cat echo touch
	mkaci legit.aci "echo legit image"
	mkaci evil.aci "echo evil image"
}

# mkaci FILE CMD - an uncompressed ACI named example.com/db, version 1.0, running CMD (so its ID is the
# sha512 of the file).
mkaci() {
	python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/$1" --name example.com/db --label version=1.0 \
		--compress none --dir "$RKT_TEST_DIR/bb" --exec "/bin/sh -c '$2'"
	chmod 0644 "$RKT_TEST_DIR/$1"
}

# as_member CMD... - CMD as mallory, a member of group rkt (and of nothing else that matters).
as_member() {
	setpriv --reuid=mallory --regid=nogroup --init-groups "$@"
}

# rkt_member ARGS... - rkt as mallory, with this test's directories.
rkt_member() {
	as_member "$RKT" --dir="$D" --local-config="$RKT_LOCAL_CONFIG_DIR" \
		--system-config="$RKT_SYSTEM_CONFIG_DIR" "$@"
}

# image_id FILE - the ID of an uncompressed ACI.
image_id() {
	echo "sha512-$(sha512sum "$RKT_TEST_DIR/$1" | cut -c1-128)"
}

@test "the shipped tmpfiles.d layout: a shared store with the sticky bit, trees root's alone" {
	[ "$(stat -c '%a %U %G' "$D/cas")" = "3770 root rkt" ] || fail "cas: $(stat -c '%a %U %G' "$D/cas")"
	[ "$(stat -c '%a' "$D/cas/tree")" = 700 ] || fail "tree: $(stat -c '%a' "$D/cas/tree")"
	run rkt --insecure-options=image fetch "$RKT_TEST_DIR/legit.aci"
	assert_status 0
	# What rkt makes below cas/ follows: shared and sticky, or private.
	for d in blob images manifest tmp imagelocks; do
		[ "$(stat -c '%a %G' "$D/cas/$d")" = "3770 rkt" ] || fail "$d: $(stat -c '%a %G' "$D/cas/$d")"
	done
	[ "$(stat -c '%a' "$D/cas/treelocks")" = 700 ] || fail "treelocks: $(stat -c '%a' "$D/cas/treelocks")"
}

@test "a member fetches and reads images; she cannot rename, replace or remove root's" {
	run rkt --insecure-options=image fetch "$RKT_TEST_DIR/legit.aci"
	assert_status 0
	legit=$(image_id legit.aci)
	run rkt_member --insecure-options=image fetch "$RKT_TEST_DIR/evil.aci"
	assert_status 0
	run rkt_member image cat-manifest "$legit"
	assert_status 0
	assert_output_contains '"example.com/db"'

	for d in images blob manifest; do
		run as_member mv "$D/cas/$d" "$D/cas/$d.old"
		[ "$status" -ne 0 ] || fail "mallory renamed cas/$d"
	done
	run as_member rm -f "$D/cas/images/$legit.json"
	[ "$status" -ne 0 ] || fail "mallory removed root's record"
	run as_member sh -c "echo '{}' >'$D/cas/images/$legit.json'"
	[ "$status" -ne 0 ] || fail "mallory wrote root's record"
	run as_member mv "$D/cas/images/$(image_id evil.aci).json" "$D/cas/images/$legit.json"
	[ "$status" -ne 0 ] || fail "mallory renamed her record over root's"
	run rkt_member image rm "$legit"
	assert_status 254
	assert_output_contains "Operation not permitted: another user stored it, and only that user or root may remove it"
	assert_output_contains "0 image(s) successfully removed, 1 failed"

	run rkt run --net=host --pull-policy=never "$legit"
	assert_status 0
	assert_output_contains "legit image"
}

@test "image gc refuses a member with rkt 1.30's permission denied first, and removes nothing" {
	run rkt --insecure-options=image fetch "$RKT_TEST_DIR/legit.aci"
	assert_status 0
	run rkt_member image gc --grace-period=0s
	assert_status 254
	[ "$output" = "gc: permission denied: cannot run as unprivileged user" ] || fail "$output"
	[ -e "$D/cas/images/$(image_id legit.aci).json" ] || fail "the image was removed"
}

@test "an image a member stored is not root's: root neither lists nor runs it, whatever it is named" {
	run rkt_member --insecure-options=image fetch "$RKT_TEST_DIR/evil.aci"
	assert_status 0
	evil=$(image_id evil.aci)
	run rkt_member image list --no-legend --full
	assert_status 0
	assert_output_contains "$evil"

	run rkt image list --no-legend --full
	assert_status 0
	[[ $output != *"$evil"* ]] || fail "root lists mallory's image: $output"
	run rkt run --net=host --pull-policy=never example.com/db:1.0
	assert_status 254
	[[ $output != *"evil image"* ]] || fail "root ran mallory's image: $output"
	run rkt run --net=host --pull-policy=never "$evil"
	assert_status 254
	[[ $output != *"evil image"* ]] || fail "root ran mallory's image: $output"

	# With root's own image there, the same name is root's image, though hers is newer.
	run rkt --insecure-options=image fetch "$RKT_TEST_DIR/legit.aci"
	assert_status 0
	run rkt_member --insecure-options=image fetch "$RKT_TEST_DIR/evil.aci"
	assert_status 0
	run rkt run --net=host --pull-policy=never example.com/db:1.0
	assert_status 0
	assert_output_contains "legit image"
}

@test "entries a member planted under the ID root is about to fetch are replaced, not used" {
	legit=$(image_id legit.aci)
	run rkt_member --insecure-options=image fetch "$RKT_TEST_DIR/evil.aci"
	assert_status 0
	evil=$(image_id evil.aci)
	b=${legit#sha512-}
	b=${b:0:2}
	e=${evil#sha512-}
	e=${e:0:2}
	# Her record, manifest and blob, under the ID of root's image.
	as_member sh -c "sed 's/$evil/$legit/' '$D/cas/images/$evil.json' >'$D/cas/images/$legit.json' &&
		mkdir -p '$D/cas/manifest/sha512/$b' '$D/cas/blob/sha512/$b' &&
		cp '$D/cas/manifest/sha512/$e/$evil' '$D/cas/manifest/sha512/$b/$legit' &&
		cp '$D/cas/blob/sha512/$e/$evil' '$D/cas/blob/sha512/$b/$legit'"
	[ "$(stat -c %U "$D/cas/blob/sha512/$b/$legit")" = mallory ]

	run rkt run --net=host --pull-policy=never "$legit"
	assert_status 254
	[[ $output != *"evil image"* ]] || fail "root ran mallory's planted blob: $output"

	run rkt --insecure-options=image fetch "$RKT_TEST_DIR/legit.aci"
	assert_status 0
	for f in "images/$legit.json" "manifest/sha512/$b/$legit" "blob/sha512/$b/$legit"; do
		[ "$(stat -c %U "$D/cas/$f")" = root ] || fail "$f: $(stat -c %U "$D/cas/$f")"
	done
	run rkt run --net=host --pull-policy=never "$legit"
	assert_status 0
	assert_output_contains "legit image"
}

@test "a member reads a pod's state but cannot reach its file systems or the rendered trees" {
	# The app makes a world-writable directory in its root file system and stays.
	mkaci sleeper.aci "busybox mkdir -m 1777 /w && exec busybox sleep 600"
	run rkt --insecure-options=image prepare --quiet "$RKT_TEST_DIR/sleeper.aci"
	assert_status 0
	uuid=$output
	run rkt_member list --no-legend --full
	assert_status 0
	assert_output_contains "$uuid"
	run rkt_member status "$uuid"
	assert_status 0
	assert_output_contains "state=prepared"
	run as_member ls "$D/pods/prepared/$uuid/overlay"
	[ "$status" -ne 0 ] || fail "mallory reads the prepared pod's overlay dirs: $output"

	rkt run-prepared --net=host "$uuid" </dev/null >/dev/null 2>&1 3>&- &
	pod=$D/pods/run/$uuid
	app=$pod/stage1/rootfs/opt/stage2/db/rootfs
	wait_for 120 test -d "$app/w" || fail "the pod did not start"
	run rkt_member status "$uuid"
	assert_status 0
	assert_output_contains "state=running"
	run as_member touch "$app/w/planted"
	[ "$status" -ne 0 ] || fail "mallory wrote into the pod's app"
	run as_member ls "$pod/overlay"
	[ "$status" -ne 0 ] || fail "mallory reads the pod's overlay dirs: $output"
	run as_member ls "$D/cas/tree"
	[ "$status" -ne 0 ] || fail "mallory reads the rendered trees: $output"
	[ ! -e "$app/w/planted" ] || fail "planted file exists"
	run rkt stop --force "$uuid"
	assert_status 0
	wait_for 60 sh -c "'$RKT' --dir='$D' status '$uuid' | grep -qx state=exited" || fail "the pod did not stop"
}

@test "a user outside group rkt gets one clear line from every verb" {
	run rkt --insecure-options=image fetch "$RKT_TEST_DIR/legit.aci"
	assert_status 0
	for verb in list "image list" "status 11111111-aaaa-4bbb-8ccc-000000000001" "fetch --insecure-options=image $RKT_TEST_DIR/legit.aci" \
		"image cat-manifest example.com/db" "cat-manifest 11111111-aaaa-4bbb-8ccc-000000000001"; do
		# shellcheck disable=SC2086 # the verb and its arguments
		run setpriv --reuid=nobody --regid=nogroup --clear-groups "$RKT" --dir="$D" $verb
		assert_status 254
		[ "${#lines[@]}" -eq 1 ] || fail "$verb: more than one line: $output"
		[[ $output == *"ermission denied"* ]] || fail "$verb: $output"
	done
}

@test "a member's rkt passes over configuration directories only root can read, and says so with --debug" {
	mkdir -p "$RKT_SYSTEM_CONFIG_DIR/paths.d" "$RKT_LOCAL_CONFIG_DIR/auth.d"
	chmod 0700 "$RKT_SYSTEM_CONFIG_DIR" "$RKT_LOCAL_CONFIG_DIR"
	run rkt --insecure-options=image fetch "$RKT_TEST_DIR/legit.aci"
	assert_status 0
	run rkt_member --debug image list --no-legend
	assert_status 0
	assert_output_contains "skipping configuration directory '$RKT_SYSTEM_CONFIG_DIR/paths.d': not readable by this user"
	assert_output_contains "example.com/db:1.0"
	assert_output_contains "skipping configuration directory '$RKT_LOCAL_CONFIG_DIR/paths.d': not readable by this user"
	# auth.d too: a download reads it for credentials.
	run rkt_member --debug --insecure-options=image,http fetch http://localhost:1/evil.aci
	assert_output_contains "skipping configuration directory '$RKT_LOCAL_CONFIG_DIR/auth.d': not readable by this user"
	# She fetches, and removes what she stored herself (as rkt 1.30's members of group rkt did).
	run rkt_member --insecure-options=image fetch "$RKT_TEST_DIR/evil.aci"
	assert_status 0
	run rkt_member image rm "$(image_id evil.aci)"
	assert_status 0
	assert_output_contains "successfully removed aci for image"
	# Without --debug nothing is said.
	run rkt_member image list --no-legend
	assert_status 0
	[[ "$output" != *skipping* ]] || fail "$output"
	# A file she cannot read inside a directory she can is still an error, not passed over.
	chmod 0755 "$RKT_SYSTEM_CONFIG_DIR"
	echo '{"rktKind":"paths","rktVersion":"v1"}' >"$RKT_SYSTEM_CONFIG_DIR/paths.d/data.json"
	chmod 0600 "$RKT_SYSTEM_CONFIG_DIR/paths.d/data.json"
	run rkt_member image list --no-legend
	assert_status 254
	assert_output_contains "$RKT_SYSTEM_CONFIG_DIR/paths.d/data.json"
}
