#!/usr/bin/env bats
# App settings and isolation, each observed from inside the pod: environment, volumes, users, event
# handlers, isolators (capabilities, no_new_privs, seccomp, resources, sysctl), kernel paths, read-only
# rootfs, pod files, shared namespaces, and `rkt enter` confined like the app. Apps write what they see into
# a host volume (/out); resource limits are read back with the pod's own systemctl, since the test host
# cannot enforce them (TESTHOST.md). Runs in the systemd test host (tests/functional/run.sh).

load helpers

setup() {
	rkt_setup
	require_systemd
	require_root
	[ -x /bin/busybox ] || fail "/bin/busybox not found (busybox-static)"
	OUT=$RKT_TEST_DIR/out
	mkdir -p "$OUT"
	chmod 0777 "$OUT"
	BG_PID=
	MDS_PID=
	UUID=
	mkimage bb '{}'
	BB=$RKT_TEST_DIR/bb.aci
}

teardown() {
	# $BG_PID is the shell around rkt: the pod itself is stopped through rkt.
	if [ -n "$BG_PID" ]; then
		[ -z "$UUID" ] || rkt stop --force "$UUID" >/dev/null 2>&1 || true
		wait_for 30 sh -c "! kill -0 $BG_PID 2>/dev/null" || kill -9 "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
	if [ -n "$MDS_PID" ]; then
		kill "$MDS_PID" 2>/dev/null || true
		wait "$MDS_PID" 2>/dev/null || true
	fi
	rkt gc --grace-period=0s >/dev/null 2>&1 || true
	rkt_teardown
}

# mkimage NAME APP_JSON [MANIFEST_EXTRA_JSON] - $RKT_TEST_DIR/NAME.aci: busybox with every applet, /etc/passwd
# and /etc/group of users root, user (1000) and nobody (65534), /owned owned by 4242:4343, and an app section
# of exec /bin/sh -c 'exit 0', user and group 0, merged with APP_JSON.
mkimage() {
	local name=$1 app=$2 extra=${3:-'{}'} d=$RKT_TEST_DIR/img-$1 a
	mkdir -p "$d/rootfs/bin" "$d/rootfs/etc" "$d/rootfs/tmp" "$d/rootfs/home/user"
	chmod 1777 "$d/rootfs/tmp"
	cp /bin/busybox "$d/rootfs/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$d/rootfs/bin/$a" ] || ln -s busybox "$d/rootfs/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:A User:/home/user:/bin/ash\nnobody:x:65534:65534::/:/bin/false\n' \
		>"$d/rootfs/etc/passwd"
	printf 'root:x:0:\nusers:x:1000:\nextra:x:1234:\nnogroup:x:65534:\n' >"$d/rootfs/etc/group"
	touch "$d/rootfs/owned"
	chown 4242:4343 "$d/rootfs/owned"
	jq -n --arg name "example.com/$name" --argjson app "$app" --argjson extra "$extra" \
		'{acKind: "ImageManifest", acVersion: "0.8.11", name: $name,
		  labels: [{name: "os", value: "linux"}, {name: "arch", value: "amd64"}],
		  app: ({exec: ["/bin/sh", "-c", "exit 0"], user: "0", group: "0"} + $app)} + $extra' >"$d/manifest"
	tar -C "$d" -cf "$RKT_TEST_DIR/$name.aci" manifest rootfs
}

# run_app [POD_FLAGS...] IMAGE [APP_FLAGS...] -- SCRIPT: runs SCRIPT (sh -c) in an app of IMAGE with the
# host directory $OUT at /out, on the host's network. Sets $status and $output.
run_app() {
	local pod=() app=()
	while [ "$#" -gt 0 ] && [[ $1 != *.aci ]]; do
		pod+=("$1")
		shift
	done
	local image=$1
	shift
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
		app+=("$1")
		shift
	done
	shift
	run rkt --insecure-options=image run --net=host --uuid-file-save="$RKT_TEST_DIR/uuid" \
		--volume "out,kind=host,source=$OUT" "${pod[@]}" \
		"$image" --mount volume=out,target=/out "${app[@]}" --exec /bin/sh -- -c "$1"
	output=${output//$'\r'/}
}

# start_pod [POD_FLAGS...] IMAGE [APP_FLAGS...]: a pod whose app sleeps, in the background, until it is
# running; sets UUID and LEADER (the pod's PID 1).
start_pod() {
	rm -f "$RKT_TEST_DIR/uuid"
	rkt --insecure-options=image run --net=host --uuid-file-save="$RKT_TEST_DIR/uuid" "$@" \
		--exec /bin/sleep -- 300 >"$RKT_TEST_DIR/pod.log" 2>&1 &
	BG_PID=$!
	wait_for 30 test -s "$RKT_TEST_DIR/uuid" || fail "no pod: $(cat "$RKT_TEST_DIR/pod.log")"
	UUID=$(cat "$RKT_TEST_DIR/uuid")
	wait_for 30 sh -c "rkt_pod_dir=\$(ls -d '$RKT_DATA_DIR'/pods/run/$UUID 2>/dev/null) && test -L \"\$rkt_pod_dir/stage1/rootfs/rkt/supervisor-status\"" ||
		fail "pod did not start: $(cat "$RKT_TEST_DIR/pod.log")"
	LEADER=$(machinectl show "rkt-$UUID" -p Leader --value)
	[ -n "$LEADER" ] || fail "no leader for rkt-$UUID"
}

# pod_systemctl ARGS... - the pod's own systemctl, inside the pod.
pod_systemctl() {
	nsenter -t "$LEADER" -m -r -w -p /usr/bin/systemctl "$@"
}

# app_pid COMM - the PID (on the host) of the app process called COMM: a child of the pod's PID 1.
app_pid() {
	local c
	for c in $(cat /proc/"$LEADER"/task/*/children); do
		if [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$1" ]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# status_field FIELD [FILE] - a field of a /proc/PID/status text, blanks squeezed.
status_field() {
	awk -v f="$1:" '$1 == f { $1 = ""; print }' "${2:-/dev/stdin}" | tr -s ' \t' ' ' | sed 's/^ //; s/ $//'
}

@test "isolation: environment: defaults, AC_APP_NAME, container=rkt, --inherit-env < image < --set-env-file < --set-env < --environment" {
	mkimage envimg '{"environment": [{"name": "FROM_IMAGE", "value": "image"}, {"name": "OVER_FILE", "value": "image"},
		{"name": "OVER_INHERIT", "value": "image"}]}'
	printf 'OVER_FILE=file\nOVER_SET=file\nFROM_FILE=file\n' >"$RKT_TEST_DIR/env"
	OVER_INHERIT=parent FROM_PARENT=parent OVER_SET=parent \
		run_app --inherit-env --set-env-file="$RKT_TEST_DIR/env" --set-env=OVER_SET=set --set-env=OVER_APP=set \
		"$RKT_TEST_DIR/envimg.aci" --environment=OVER_APP=app -- 'env > /out/env'
	assert_status 0
	local e=$OUT/env
	grep -qx 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$e" || grep -qx "PATH=$PATH" "$e"
	grep -qx 'FROM_IMAGE=image' "$e"
	grep -qx 'OVER_INHERIT=image' "$e" # the image beats the parent
	grep -qx 'FROM_PARENT=parent' "$e"
	grep -qx 'OVER_FILE=file' "$e"
	grep -qx 'FROM_FILE=file' "$e"
	grep -qx 'OVER_SET=set' "$e"
	grep -qx 'OVER_APP=app' "$e"
	grep -qx 'AC_APP_NAME=envimg' "$e"
	grep -qx 'container=rkt' "$e"
	grep -qx 'HOME=/root' "$e"
	grep -qx 'USER=root' "$e"
	grep -qx 'LOGNAME=root' "$e"
	grep -qx 'SHELL=/bin/sh' "$e"
	! grep -q '^AC_METADATA_URL=' "$e" || fail "AC_METADATA_URL is set without --mds-register: $(cat "$e")"

	# without --inherit-env nothing of the parent's comes through
	FROM_PARENT=parent run_app "$BB" -- 'env > /out/env2'
	assert_status 0
	! grep -q '^FROM_PARENT=' "$OUT/env2" || fail "the parent's environment came through without --inherit-env"
	grep -qx 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$OUT/env2"
}

@test "isolation: AC_METADATA_URL with --mds-register: the host's loopback on --net=host, port 18112, the pod's token" {
	"$RKT" metadata-service >"$RKT_TEST_DIR/mds.log" 2>&1 &
	MDS_PID=$!
	wait_for 10 test -S /run/rkt/metadata-svc.sock || fail "no metadata service: $(cat "$RKT_TEST_DIR/mds.log")"
	run_app --mds-register "$BB" -- 'echo "$AC_METADATA_URL" > /out/url'
	assert_status 0
	[[ $(cat "$OUT/url") =~ ^http://127\.0\.0\.1:18112/[0-9a-zA-Z_-]{16,}$ ]] || fail "AC_METADATA_URL: $(cat "$OUT/url")"
}

@test "isolation: host volumes: read-write and readOnly, at the mount point, listed in /proc/self/mountinfo" {
	mkdir -p "$RKT_TEST_DIR/rw" "$RKT_TEST_DIR/ro"
	echo host-data >"$RKT_TEST_DIR/ro/file"
	run_app --volume "rw,kind=host,source=$RKT_TEST_DIR/rw" --volume "ro,kind=host,source=$RKT_TEST_DIR/ro,readOnly=true" \
		"$BB" --mount volume=rw,target=/data/rw --mount volume=ro,target=/data/ro -- \
		'grep -E " /data/(rw|ro) " /proc/self/mountinfo > /out/mounts; echo written > /data/rw/new;
		 cat /data/ro/file > /out/ro-content; if echo x > /data/ro/x; then echo ro-writable > /out/ro; fi; exit 0'
	assert_status 0
	[ "$(cat "$RKT_TEST_DIR/rw/new")" = written ]
	[ "$(cat "$OUT/ro-content")" = host-data ]
	[ ! -e "$OUT/ro" ]
	[ ! -e "$RKT_TEST_DIR/ro/x" ]
	grep -q ' /data/rw rw[, ]' "$OUT/mounts"
	grep -q ' /data/ro ro[, ]' "$OUT/mounts"
}

@test "isolation: host volumes: a missing source fails the run with rkt 1.30's message and status 1, no app started" {
	run_app --volume "gone,kind=host,source=$RKT_TEST_DIR/does/not/exist" "$BB" --mount volume=gone,target=/gone -- \
		'touch /out/started'
	assert_status 1
	assert_output_contains "Failed to stat $RKT_TEST_DIR/does/not/exist: No such file or directory (volume 'gone': "
	[ ! -e "$OUT/started" ]
}

@test "isolation: host volumes are mounted parents first, whatever their order on the command line" {
	mkdir -p "$RKT_TEST_DIR/outer" "$RKT_TEST_DIR/inner"
	echo outer >"$RKT_TEST_DIR/outer/o"
	echo inner >"$RKT_TEST_DIR/inner/i"
	run_app --volume "outer,kind=host,source=$RKT_TEST_DIR/outer" --volume "inner,kind=host,source=$RKT_TEST_DIR/inner" \
		"$BB" --mount volume=inner,target=/data/sub/inner --mount volume=outer,target=/data/sub -- \
		'cat /data/sub/o /data/sub/inner/i > /out/both'
	assert_status 0
	[ "$(tr '\n' ' ' <"$OUT/both")" = "outer inner " ]
}

@test "isolation: host volumes: recursive (the default) brings the mounts below the source, recursive=false does not" {
	mkdir -p "$RKT_TEST_DIR/rec/sub"
	mount -t tmpfs tmpfs "$RKT_TEST_DIR/rec/sub"
	echo below >"$RKT_TEST_DIR/rec/sub/file"
	run_app --volume "rec,kind=host,source=$RKT_TEST_DIR/rec" --volume "flat,kind=host,source=$RKT_TEST_DIR/rec,recursive=false" \
		"$BB" --mount volume=rec,target=/rec --mount volume=flat,target=/flat -- \
		'cat /rec/sub/file > /out/rec 2>&1; cat /flat/sub/file > /out/flat 2>&1; exit 0'
	umount "$RKT_TEST_DIR/rec/sub"
	assert_status 0
	[ "$(cat "$OUT/rec")" = below ]
	[ "$(cat "$OUT/flat")" != below ]
}

@test "isolation: empty volumes: mode, uid and gid; two apps mounting one share the same directory" {
	mkimage writer '{}'
	mkimage reader '{}'
	run rkt --insecure-options=image run --net=host --uuid-file-save="$RKT_TEST_DIR/uuid" \
		--volume "out,kind=host,source=$OUT" --volume shared,kind=empty,mode=0750,uid=1000,gid=1234 \
		"$RKT_TEST_DIR/writer.aci" --mount volume=shared,target=/shared --mount volume=out,target=/out \
		--exec /bin/sh -- -c 'stat -c "%a %u %g" /shared > /out/perms; echo from-writer > /shared/file' --- \
		"$RKT_TEST_DIR/reader.aci" --mount volume=shared,target=/vol --mount volume=out,target=/out \
		--exec /bin/sh -- -c 'for i in $(seq 100); do [ -e /vol/file ] && break; sleep 0.1; done; cat /vol/file > /out/read'
	assert_status 0
	[ "$(cat "$OUT/perms")" = "750 1000 1234" ]
	[ "$(cat "$OUT/read")" = from-writer ]
	local uuid
	uuid=$(cat "$RKT_TEST_DIR/uuid")
	[ "$(cat "$RKT_DATA_DIR"/pods/*/"$uuid"/sharedVolumes/shared/file)" = from-writer ]
}

@test "isolation: image mountPoints are filled from the pod volume of that name, or from an implicit empty volume" {
	mkimage mp '{"mountPoints": [{"name": "data", "path": "/var/data", "readOnly": true},
		{"name": "cache", "path": "/var/cache"}]}'
	mkdir -p "$RKT_TEST_DIR/data"
	echo data >"$RKT_TEST_DIR/data/file"
	run_app --volume "data,kind=host,source=$RKT_TEST_DIR/data" "$RKT_TEST_DIR/mp.aci" -- \
		'grep -E " /var/(data|cache) " /proc/self/mountinfo > /out/mounts; cat /var/data/file > /out/data;
		 echo x > /var/cache/x && echo cache-ok > /out/cache'
	assert_status 0
	assert_output_contains "no volume for mount point '/var/cache'"
	[ "$(cat "$OUT/data")" = data ]
	[ "$(cat "$OUT/cache")" = cache-ok ]
	grep -q ' /var/data ro[, ]' "$OUT/mounts" # the mountPoint's readOnly
	grep -q ' /var/cache rw[, ]' "$OUT/mounts"
	compgen -G "$RKT_DATA_DIR/pods/*/$(cat "$RKT_TEST_DIR/uuid")/sharedVolumes/mp-cache/x" >/dev/null ||
		fail "no /var/cache/x in the pod's shared volume"
}

@test "isolation: users and groups by name, number and path; supplementary groups; unknown names are errors" {
	run_app "$BB" --user=user --group=users --supplementary-gids=1234,4321 -- 'id -u > /out/id; id -g >> /out/id; id -G >> /out/id'
	assert_status 0
	[ "$(sed -n 1p "$OUT/id")" = 1000 ]
	[ "$(sed -n 2p "$OUT/id")" = 1000 ]
	[ "$(sed -n 3p "$OUT/id")" = "1000 1234 4321" ]

	run_app "$BB" --user=2000 --group=3000 -- 'id -u > /out/id2; id -g >> /out/id2'
	assert_status 0
	[ "$(tr '\n' ' ' <"$OUT/id2")" = "2000 3000 " ]

	run_app "$BB" --user=/owned --group=/owned -- 'id -u > /out/id3; id -g >> /out/id3'
	assert_status 0
	[ "$(tr '\n' ' ' <"$OUT/id3")" = "4242 4343 " ]

	run_app "$BB" --user=no-such-user -- 'true'
	assert_status 254
	assert_output_contains "\"no-such-user\" user not found in the image's /etc/passwd"
	run_app "$BB" --group=no-such-group -- 'true'
	assert_status 254
	assert_output_contains "\"no-such-group\" group not found in the image's /etc/group"
	run_app "$BB" --user=/no/such/file -- 'true'
	assert_status 254
	assert_output_contains "user '/no/such/file': unable to stat file \"/no/such/file\": no such file or directory"
}

@test "isolation: user and group root are 0 in an image without /etc/passwd and /etc/group" {
	mkimage nopw '{"user": "root", "group": "root"}'
	rm "$RKT_TEST_DIR/img-nopw/rootfs/etc/passwd" "$RKT_TEST_DIR/img-nopw/rootfs/etc/group"
	tar -C "$RKT_TEST_DIR/img-nopw" -cf "$RKT_TEST_DIR/nopw.aci" manifest rootfs
	run_app "$RKT_TEST_DIR/nopw.aci" -- 'id -u > /out/id; id -g >> /out/id'
	assert_status 0
	[ "$(tr '\n' ' ' <"$OUT/id")" = "0 0 " ]
	run_app "$RKT_TEST_DIR/nopw.aci" --user=user -- 'true'
	assert_status 254
	assert_output_contains "\"user\" user not found in the image's /etc/passwd"
}

@test "isolation: pre-start and post-stop run in order around the app, in its rootfs, with its environment, as root" {
	mkimage eh '{"user": "user", "group": "users", "environment": [{"name": "EH", "value": "env"}],
		"mountPoints": [{"name": "out", "path": "/out"}],
		"eventHandlers": [
		  {"name": "pre-start", "exec": ["/bin/sh", "-c", "echo pre $EH $(id -u) $(ls /tmp/app-ran 2>/dev/null) >> /out/log; touch /tmp/pre-ran"]},
		  {"name": "post-stop", "exec": ["sh", "-c", "echo post $EH $(id -u) $(ls /tmp/pre-ran /tmp/app-ran) >> /out/log"]}]}'
	# The root handlers and the app (1000) write one log: it exists, writable by all, before they run.
	install -m 0666 /dev/null "$OUT/log"
	run rkt --insecure-options=image run --net=host --volume "out,kind=host,source=$OUT" "$RKT_TEST_DIR/eh.aci" \
		--exec /bin/sh -- -c 'echo app $EH $(id -u) $(ls /tmp/pre-ran) >> /out/log; touch /tmp/app-ran'
	assert_status 0
	run cat "$OUT/log"
	# The handlers run as root whatever the app's user, as rkt 1.30 ran them (PermissionsStartOnly=).
	[ "${lines[0]}" = "pre env 0" ] || fail "pre-start: ${lines[0]}"
	[ "${lines[1]}" = "app env 1000 /tmp/pre-ran" ] || fail "app: ${lines[1]}"
	[ "${lines[2]}" = "post env 0 /tmp/app-ran /tmp/pre-ran" ] || fail "post-stop: ${lines[2]}"

	# a failing pre-start keeps the app from running and fails the pod
	mkimage ehfail '{"eventHandlers": [{"name": "pre-start", "exec": ["/bin/sh", "-c", "exit 3"]}]}'
	run_app "$RKT_TEST_DIR/ehfail.aci" -- 'touch /out/app-ran'
	[ "$status" -ne 0 ]
	[ ! -e "$OUT/app-ran" ]
}

@test "isolation: capabilities: appc's default bounding set, --caps-retain, --caps-remove, --insecure-options=capabilities" {
	# CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD
	# AUDIT_WRITE SETFCAP
	run_app "$BB" -- 'grep CapBnd /proc/self/status > /out/default'
	assert_status 0
	[ "$(awk '{print $2}' "$OUT/default")" = 00000000a80425fb ]

	run_app "$BB" --caps-retain=CAP_NET_ADMIN,CAP_CHOWN -- 'grep CapBnd /proc/self/status > /out/retain'
	assert_status 0
	[ "$(awk '{print $2}' "$OUT/retain")" = 0000000000001001 ]

	run_app "$BB" --caps-remove=CAP_CHOWN -- 'grep CapBnd /proc/self/status > /out/remove; touch /tmp/f; chown 1 /tmp/f 2> /out/chown; exit 0'
	assert_status 0
	[ "$(awk '{print $2}' "$OUT/remove")" = 00000000a80425fa ]
	grep -q "Operation not permitted" "$OUT/chown"

	run_app --insecure-options=image,capabilities "$BB" -- 'grep CapBnd /proc/self/status > /out/all'
	assert_status 0
	[ "$(awk '{print $2}' "$OUT/all")" != 00000000a80425fb ]
	# CAP_SYS_ADMIN (bit 21) is nspawn's, and with the restriction lifted the app's too
	(( 0x$(awk '{print $2}' "$OUT/all") & (1 << 21) ))
}

@test "isolation: no_new_privileges: the isolator, and forced for a filtered app that is not root" {
	run_app "$BB" -- 'grep NoNewPrivs /proc/self/status > /out/root'
	assert_status 0
	[ "$(awk '{print $2}' "$OUT/root")" = 0 ]

	mkimage nnp '{"isolators": [{"name": "os/linux/no-new-privileges", "value": true}]}'
	run_app "$RKT_TEST_DIR/nnp.aci" -- 'grep NoNewPrivs /proc/self/status > /out/nnp'
	assert_status 0
	[ "$(awk '{print $2}' "$OUT/nnp")" = 1 ]

	run_app "$BB" --user=1000 -- 'grep NoNewPrivs /proc/self/status > /out/user'
	assert_status 0
	[ "$(awk '{print $2}' "$OUT/user")" = 1 ]
}

@test "isolation: seccomp: rkt's default whitelist kills a call outside it; --seccomp remove/retain with errno; --insecure-options=seccomp" {
	# sethostname is not in the default whitelist: the process is killed (SIGSYS), not refused (EPERM)
	run_app "$BB" -- 'grep "^Seccomp:" /proc/self/status > /out/mode; hostname evil; echo $? > /out/hostname'
	[ "$(awk '{print $2}' "$OUT/mode")" = 2 ]
	[ "$(cat "$OUT/hostname")" = 159 ]

	run_app "$BB" --seccomp=mode=remove,errno=ENOTSUP,mkdir,rmdir -- 'mkdir /tmp/d 2> /out/mkdir; echo $? >> /out/mkdir; hostname evil 2>/dev/null; echo $? > /out/hostname2'
	assert_status 0
	grep -qi "not supported" "$OUT/mkdir"
	[ "$(cat "$OUT/hostname2")" = 1 ] # a remove set filters nothing else: EPERM for lack of CAP_SYS_ADMIN

	run_app "$BB" --seccomp=mode=retain,errno=EACCES,@rkt/default-whitelist -- 'hostname evil 2> /out/hostname3; echo $? >> /out/hostname3'
	assert_status 0
	grep -q "Permission denied" "$OUT/hostname3"

	run_app --insecure-options=image,seccomp "$BB" -- 'hostname evil 2>/dev/null; echo $? > /out/hostname4'
	assert_status 0
	[ "$(cat "$OUT/hostname4")" = 1 ]
}

@test "isolation: resource limits reach the app's unit: MemoryMax, CPUQuota, CPUWeight, OOMScoreAdjust (configured, not enforced in the test host)" {
	start_pod "$BB" --memory=256M --cpu=250m --cpu-shares=512 --oom-score-adj=200
	run pod_systemctl show -p MemoryMax -p CPUQuotaPerSecUSec -p CPUWeight -p OOMScoreAdjust bb.service
	assert_status 0
	assert_output_contains "MemoryMax=256000000"
	assert_output_contains "CPUQuotaPerSecUSec=250ms"
	assert_output_contains "CPUWeight=50"
	assert_output_contains "OOMScoreAdjust=200"
	local pid
	pid=$(app_pid sleep)
	[ "$(cat "/proc/$pid/oom_score_adj")" = 200 ]

	# and nothing when nothing is asked
	rkt stop "$UUID" >/dev/null
	wait "$BG_PID" || true
	BG_PID=
	start_pod "$BB"
	run pod_systemctl show -p MemoryMax -p CPUQuotaPerSecUSec bb.service
	assert_output_contains "MemoryMax=infinity"
	assert_output_contains "CPUQuotaPerSecUSec=infinity"
}

@test "isolation: the pod's os/unix/sysctl is set in its own namespaces before the apps start; host sysctls are refused" {
	local id
	run rkt --insecure-options=image fetch "$BB"
	assert_status 0
	id=${lines[-1]}
	jq -n --arg id "$id" --arg out "$OUT" '{acKind: "PodManifest", acVersion: "0.8.11",
		apps: [{name: "sys", image: {id: $id},
		        app: {exec: ["/bin/sh", "-c", "cat /proc/sys/kernel/shmmni /proc/sys/net/ipv4/ip_forward > /out/sysctl"],
		              user: "0", group: "0"},
		        mounts: [{volume: "out", path: "/out"}]}],
		volumes: [{name: "out", kind: "host", source: $out}],
		isolators: [{name: "os/unix/sysctl", value: {"kernel.shmmni": "1234", "net.ipv4.ip_forward": "1"}}]}' \
		>"$RKT_TEST_DIR/pod.json"
	local host_shmmni
	host_shmmni=$(cat /proc/sys/kernel/shmmni)
	run rkt run --net=none --pod-manifest="$RKT_TEST_DIR/pod.json"
	assert_status 0
	[ "$(sed -n 1p "$OUT/sysctl")" = 1234 ]
	[ "$(sed -n 2p "$OUT/sysctl")" = 1 ]
	[ "$(cat /proc/sys/kernel/shmmni)" = "$host_shmmni" ]

	# net.* with the host's network, or a sysctl of no namespace, would change the host
	run rkt run --net=host --pod-manifest="$RKT_TEST_DIR/pod.json"
	assert_status 254
	assert_output_contains "'net.ipv4.ip_forward' would change the host's network settings"
	jq '.isolators[0].value = {"vm.swappiness": "1"}' "$RKT_TEST_DIR/pod.json" >"$RKT_TEST_DIR/pod2.json"
	run rkt run --net=none --pod-manifest="$RKT_TEST_DIR/pod2.json"
	assert_status 254
	assert_output_contains "'vm.swappiness' is not in a namespace of the pod"
}

@test "isolation: kernel paths: /proc/sys and /sys read-only, /proc/kallsyms and /sys/firmware hidden, devices closed; --insecure-options=paths" {
	[ -n "$(head -c 16 /proc/kallsyms)" ] || fail "this kernel has no /proc/kallsyms to hide"
	run_app "$BB" -- 'grep -E " /proc/sys | /proc/bus | /proc/kallsyms | /sys | /sys/firmware | /sys/fs " /proc/self/mountinfo > /out/mounts;
		if echo 1 > /proc/sys/kernel/shm_rmid_forced; then echo writable > /out/procsys; fi; ls /sys/fs > /out/sysfs 2>&1;
		cat /proc/kallsyms > /out/kallsyms; exit 0'
	assert_status 0
	grep -q ' /proc/sys ro[, ]' "$OUT/mounts"
	grep -q ' /sys ro[, ]' "$OUT/mounts"
	grep -q ' /proc/kallsyms ' "$OUT/mounts"
	grep -q ' /sys/firmware ' "$OUT/mounts"
	[ ! -e "$OUT/procsys" ]
	[ ! -s "$OUT/sysfs" ]    # an empty, inaccessible directory
	[ ! -s "$OUT/kallsyms" ] # an empty, inaccessible file

	start_pod "$BB"
	run pod_systemctl show -p DevicePolicy bb.service
	[ "$output" = DevicePolicy=closed ]
	rkt stop "$UUID" >/dev/null
	wait "$BG_PID" || true
	BG_PID=

	run_app --insecure-options=image,paths "$BB" -- 'grep -E " /proc/sys | /sys/firmware " /proc/self/mountinfo > /out/mounts2; exit 0'
	assert_status 0
	[ ! -s "$OUT/mounts2" ]
}

# devnum NODE - "MAJOR:MINOR" of a device node, as DeviceAllow= takes it (/dev/char/MAJOR:MINOR).
devnum() {
	printf '%d:%d' "0x$(stat -c %t "$1")" "0x$(stat -c %T "$1")"
}

@test "isolation: device volumes: the node works in the app, which gets DeviceAllow= rw (r when readOnly), and so does the pod's scope" {
	run_app --volume "zero,kind=host,source=/dev/zero" "$BB" --mount volume=zero,target=/mnt/zero -- \
		'echo x > /mnt/zero && head -c 3 /mnt/zero | wc -c > /out/zero'
	assert_status 0
	[ "$(cat "$OUT/zero")" = 3 ]
	# without the volume the app has no such device
	run_app "$BB" -- 'head -c 3 /mnt/zero > /out/nozero 2>&1; echo $? > /out/nozero-status; exit 0'
	assert_status 0
	[ "$(cat "$OUT/nozero-status")" != 0 ]
	grep -q "No such file" "$OUT/nozero"

	start_pod --volume "zero,kind=host,source=/dev/zero" --volume "full,kind=host,source=/dev/full,readOnly=true" \
		"$BB" --mount volume=zero,target=/mnt/zero --mount volume=full,target=/mnt/full
	run pod_systemctl show -p DevicePolicy -p DeviceAllow bb.service
	assert_output_contains "DevicePolicy=closed"
	assert_output_contains "/dev/char/$(devnum /dev/zero) rw"
	assert_output_contains "/dev/char/$(devnum /dev/full) r"
	[[ $output != *"/dev/char/$(devnum /dev/full) rw"* ]] || fail "the read-only device is writable: $output"
	run systemctl show -p DeviceAllow "machine-$(systemd-escape "rkt-$UUID").scope"
	assert_output_contains "/dev/char/$(devnum /dev/zero) rw"
	assert_output_contains "/dev/char/$(devnum /dev/full) r"
	rkt stop "$UUID" >/dev/null
	wait "$BG_PID" || true
	BG_PID=
}

@test "isolation: --readonly-rootfs: the rootfs is read-only, read-write volumes and /dev stay writable" {
	run_app "$BB" --readonly-rootfs=true -- 'touch /newfile 2> /out/root; echo x > /out/vol && echo vol-ok >> /out/vol; echo x > /dev/null && echo dev-ok > /out/dev; exit 0'
	assert_status 0
	grep -q "Read-only file system" "$OUT/root"
	grep -q vol-ok "$OUT/vol"
	[ "$(cat "$OUT/dev")" = dev-ok ]
	run_app "$BB" -- 'touch /newfile && echo rw > /out/rw'
	assert_status 0
	[ "$(cat "$OUT/rw")" = rw ]
}

@test "isolation: pod files: /etc/hosts has localhost and the pod's hostname, rkt-<uuid> or --hostname" {
	run_app "$BB" -- 'hostname > /out/hostname; cat /etc/hosts > /out/hosts'
	assert_status 0
	local uuid
	uuid=$(cat "$RKT_TEST_DIR/uuid")
	[ "$(cat "$OUT/hostname")" = "rkt-$uuid" ]
	grep -q '^127\.0\.0\.1.*localhost' "$OUT/hosts"
	grep -q "rkt-$uuid" "$OUT/hosts"

	run_app --hostname=isolated "$BB" -- 'hostname > /out/hostname2; cat /etc/hosts > /out/hosts2'
	assert_status 0
	[ "$(cat "$OUT/hostname2")" = isolated ]
	grep -q isolated "$OUT/hosts2"
}

@test "isolation: pod files: /etc/hostname is the pod's hostname, 0644 and read-only, made when the image has none; a volume there wins" {
	run_app "$BB" -- 'cat /etc/hostname > /out/hn; stat -c %a /etc/hostname > /out/mode; echo x 2>/out/w >/etc/hostname; exit 0'
	assert_status 0
	[ "$(cat "$OUT/hn")" = "rkt-$(cat "$RKT_TEST_DIR/uuid")" ]
	[ "$(cat "$OUT/mode")" = 644 ]
	grep -q "Read-only file system" "$OUT/w"
	[ ! -e "$RKT_TEST_DIR/img-bb/rootfs/etc/hostname" ] # the image has none

	run_app --hostname=named "$BB" -- 'cat /etc/hostname > /out/hn2'
	assert_status 0
	[ "$(cat "$OUT/hn2")" = named ]

	echo from-volume >"$RKT_TEST_DIR/hn"
	run_app --volume "hn,kind=host,source=$RKT_TEST_DIR/hn" "$BB" --mount volume=hn,target=/etc/hostname -- \
		'cat /etc/hostname > /out/hn3'
	assert_status 0
	[ "$(cat "$OUT/hn3")" = from-volume ]
}

@test "isolation: the apps of a pod share the network, IPC and UTS namespaces, each app has its own rootfs" {
	mkimage one '{}'
	mkimage two '{}'
	run rkt --insecure-options=image run --net=host --volume "out,kind=host,source=$OUT" \
		"$RKT_TEST_DIR/one.aci" --mount volume=out,target=/out \
		--exec /bin/sh -- -c 'for n in net ipc uts; do readlink /proc/self/ns/$n; done > /out/one; touch /only-in-one' --- \
		"$RKT_TEST_DIR/two.aci" --mount volume=out,target=/out \
		--exec /bin/sh -- -c 'for n in net ipc uts; do readlink /proc/self/ns/$n; done > /out/two; sleep 0.5; ls /only-in-one > /out/two-sees 2>&1; exit 0'
	assert_status 0
	[ -s "$OUT/one" ]
	cmp "$OUT/one" "$OUT/two"
	grep -q "No such file" "$OUT/two-sees"
}

@test "isolation: rkt enter is confined like the app: its cgroup, bounding set, no_new_privs, seccomp filter and user" {
	start_pod "$BB" --user=user --group=users --supplementary-gids=1234 --caps-remove=CAP_CHOWN \
		--seccomp=mode=remove,errno=ENOTSUP,mkdir
	local pid
	pid=$(app_pid sleep)
	[ -n "$pid" ]
	run rkt enter "$UUID" /bin/sh -c 'cat /proc/self/status; echo CGROUP $(grep "^0::" /proc/self/cgroup)'
	assert_status 0
	local f
	for f in Uid Gid Groups CapBnd CapEff CapPrm CapInh CapAmb NoNewPrivs Seccomp; do
		[ "$(status_field "$f" <<<"$output")" = "$(status_field "$f" "/proc/$pid/status")" ] ||
			fail "$f differs: app '$(status_field "$f" "/proc/$pid/status")', entered '$(status_field "$f" <<<"$output")'"
	done
	assert_output_contains "NoNewPrivs:	1"
	assert_output_contains "Seccomp:	2"
	# in the app's cgroup, seen as the app sees it: through the pod's cgroup namespace on hybrid hosts,
	# the host's tree on cgroup2 ones (no cgroup namespace there: docs/cgroups.md)
	local app_cg
	app_cg=$(nsenter -t "$pid" -C grep "^0::" "/proc/$pid/cgroup")
	[[ $app_cg == *"/system.slice/bb.service" ]] || fail "the app's cgroup: '$app_cg'"
	printf '%s\n' "${lines[@]}" | grep -qxF "CGROUP $app_cg" || fail "entered: $output"
	grep -q "/system.slice/bb.service\$" "/proc/$pid/cgroup"

	# what the app cannot do, the entered process cannot do either
	run rkt enter "$UUID" /bin/sh -c 'mkdir /tmp/d'
	[ "$status" -ne 0 ]
	assert_output_contains "not supported"
	run rkt enter "$UUID" /bin/sh -c 'touch /tmp/f && chown 0 /tmp/f'
	[ "$status" -ne 0 ]
	assert_output_contains "Operation not permitted"
	run rkt enter "$UUID" /bin/sh -c 'hostname evil'
	[ "$status" -ne 0 ]
	run rkt enter "$UUID" /bin/sh -c 'cat /proc/1/environ'
	[ "$status" -ne 0 ] # the pod's PID 1 is root's, the entered process is not root
}

@test "isolation: rkt enter runs the command with the app's environment and the caller's TERM (vt100 without one)" {
	start_pod "$BB" --set-env=TERM=app-term --set-env=APPVAR=x
	TERM=dumb run rkt enter "$UUID" /bin/sh -c 'echo "T=$TERM A=$APPVAR"'
	assert_status 0
	assert_output_contains "T=dumb A=x"
	run env -u TERM "$RKT" --dir="$RKT_DATA_DIR" enter "$UUID" /bin/sh -c 'echo "T=$TERM"'
	assert_status 0
	assert_output_contains "T=vt100"
}

@test "isolation: rkt enter of a root app keeps the app's filter: a call outside the whitelist kills it, as it kills the app" {
	start_pod "$BB"
	local pid
	pid=$(app_pid sleep)
	run rkt enter "$UUID" /bin/sh -c 'grep -E "^(CapBnd|Seccomp|NoNewPrivs):" /proc/self/status; hostname evil; echo "hostname=$?"'
	assert_status 0
	[ "$(status_field CapBnd <<<"$output")" = "$(status_field CapBnd "/proc/$pid/status")" ]
	assert_output_contains "NoNewPrivs:	0"
	assert_output_contains "Seccomp:	2"
	assert_output_contains "hostname=159"
	[ "$(hostname)" != evil ]
}
