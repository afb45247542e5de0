#!/usr/bin/env bats
# rkt api-service: rkt 1.30's read-only gRPC API, asked by a real gRPC client (tests/helpers/api-client.py,
# Python grpcio with stubs generated from src/api/api.proto at test time) about real pods in the booted
# test host, started directly with --listen and socket-activated through units/rkt-api.{socket,service}.

load helpers

API_PORT=15442

setup() {
	rkt_setup
	require_systemd
	API_PID=
	UNITS=
	busybox_rootfs "$RKT_TEST_DIR/bb" sh sleep echo true
	python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/bb.aci" --name example.com/api-busybox \
		--label version=2.1 --dir "$RKT_TEST_DIR/bb" --exec "/bin/true"
	BB="$RKT_TEST_DIR/bb.aci"
}

teardown() {
	if [ -n "$API_PID" ]; then
		kill "$API_PID" 2>/dev/null || true
		wait "$API_PID" 2>/dev/null || true
	fi
	if [ -n "$UNITS" ]; then
		systemctl stop rkt-api.socket rkt-api.service 2>/dev/null || true
		rm -f /run/systemd/system/rkt-api.socket /run/systemd/system/rkt-api.service
		rm -rf /run/rkt-api-test
		systemctl daemon-reload
		systemctl reset-failed rkt-api.socket rkt-api.service 2>/dev/null || true
	fi
	rkt gc --grace-period=0s >/dev/null 2>&1 || true
	rkt_teardown
}

# api CMD ARGS... - the gRPC client against the service of this test.
api() {
	python3 "$RKT_SRCDIR/tests/helpers/api-client.py" "127.0.0.1:$API_PORT" "$@"
}

# start_api - rkt api-service on 127.0.0.1:$API_PORT with this test's directories, once it says
# it is running.
start_api() {
	# The binary itself, not the rkt() wrapper, so that $! is the service's PID.
	"$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
		--system-config="$RKT_SYSTEM_CONFIG_DIR" api-service --listen="127.0.0.1:$API_PORT" \
		</dev/null >"$RKT_TEST_DIR/api.log" 2>&1 3>&- &
	API_PID=$!
	wait_for 10 grep -q "API service running" "$RKT_TEST_DIR/api.log" ||
		fail "not running: $(cat "$RKT_TEST_DIR/api.log")"
}

run_pod() {
	rkt --insecure-options=image run --net=host "$@"
}

# start_sleeper - a running pod (sleep 300); sets uuid once stage1 has started it.
start_sleeper() {
	run_pod --uuid-file-save="$RKT_TEST_DIR/sleeper" "$BB" --name sleeper --exec /bin/sleep -- 300 \
		</dev/null >/dev/null 2>&1 3>&- &
	wait_for 30 test -s "$RKT_TEST_DIR/sleeper"
	sleeper=$(cat "$RKT_TEST_DIR/sleeper")
	wait_for 30 pod_is_running "$sleeper"
}

pod_is_running() {
	rkt status "$1" 2>/dev/null | grep -q '^state=running' && rkt status "$1" | grep -q '^pid='
}

@test "api-service: GetInfo reports rkt's versions and the global flags it runs with" {
	start_api
	run api info
	assert_status 0
	[ "$(jq -r .info.api_version <<<"$output")" = 1.0.0-alpha ] || fail "$output"
	[ "$(jq -r .info.rkt_version <<<"$output")" = "$("$RKT" version | sed -n 's/^rkt Version: //p')" ] ||
		fail "$output"
	[ "$(jq -r .info.global_flags.dir <<<"$output")" = "$(realpath "$RKT_DATA_DIR")" ] || fail "$output"
	[ "$(jq -r .info.global_flags.local_config_dir <<<"$output")" = "$RKT_LOCAL_CONFIG_DIR" ] || fail "$output"
	[ "$(jq -r .info.global_flags.insecure_flags <<<"$output")" = none ] || fail "$output"
	# SIGINT ends it with status 0.
	kill -INT "$API_PID"
	wait "$API_PID"
	API_PID=
	grep -q "API service exiting" "$RKT_TEST_DIR/api.log"
}

@test "api-service: ListPods and InspectPod report running, exited and prepared pods as rkt status does" {
	start_api
	run api list-pods
	assert_status 0
	[ "$output" = "{}" ] || fail "pods before any ran: $output"

	run rkt --insecure-options=image prepare "$BB" --name prep
	assert_status 0
	prepared=${lines[-1]}
	run run_pod --uuid-file-save="$RKT_TEST_DIR/exited" "$BB" --name ex --exec /bin/sh -- -c "exit 3"
	assert_status 3
	exited=$(cat "$RKT_TEST_DIR/exited")
	start_sleeper

	run api list-pods
	assert_status 0
	[ "$(jq '.pods | length' <<<"$output")" = 3 ] || fail "$output"
	[ "$(jq -r --arg u "$prepared" '.pods[] | select(.id == $u) | .state' <<<"$output")" = POD_STATE_PREPARED ] ||
		fail "$output"
	[ "$(jq -r --arg u "$exited" '.pods[] | select(.id == $u) | .state' <<<"$output")" = POD_STATE_EXITED ] ||
		fail "$output"
	[ "$(jq -r --arg u "$sleeper" '.pods[] | select(.id == $u) | .state' <<<"$output")" = POD_STATE_RUNNING ] ||
		fail "$output"
	[ "$(jq '[.pods[] | select(.manifest)] | length' <<<"$output")" = 0 ] || fail "manifest without detail"

	# The running pod: stage1's PID as rkt status shows it, its cgroup, its app running.
	run api inspect-pod "$sleeper"
	assert_status 0
	pod=$output
	[ "$(jq -r .pod.pid <<<"$pod")" = "$(rkt status "$sleeper" | sed -n 's/^pid=//p')" ] || fail "$pod"
	# systemd's escaping of the machine name in the scope's name: '-' is \x2d
	scope=$(printf 'machine-rkt-%s.scope' "$sleeper" | sed 's/-/\\x2d/g; s/^machine\\x2d/machine-/')
	[[ "$(jq -r .pod.cgroup <<<"$pod")" == */"$scope" ]] || fail "$pod, want .../$scope"
	[ "$(jq -r '.pod.apps[0].name + " " + .pod.apps[0].state' <<<"$pod")" = "sleeper APP_STATE_RUNNING" ] ||
		fail "$pod"
	[ "$(jq -r .pod.apps[0].image.name <<<"$pod")" = example.com/api-busybox ] || fail "$pod"
	[ "$(jq -r .pod.apps[0].image.version <<<"$pod")" = 2.1 ] || fail "$pod"
	image_id=$(rkt image list --fields=id,name --full --no-legend | awk '$2 ~ /api-busybox/ { print $1 }')
	[ "$(jq -r .pod.apps[0].image.id <<<"$pod")" = "$image_id" ] || fail "$pod, image $image_id"
	[ "$(jq -r .pod.manifest <<<"$pod" | base64 -d)" = "$(cat "$RKT_DATA_DIR/pods/run/$sleeper/pod")" ] ||
		fail "manifest differs"
	created=$(rkt status "$sleeper" | sed -n 's/^created=//p')
	[ "$(jq -r .pod.created_at <<<"$pod")" -gt 0 ] || fail "$pod"
	[ -n "$created" ]

	# The exited pod: its app's exit status; no cgroup.
	run api inspect-pod "$exited"
	assert_status 0
	[ "$(jq -r '.pod.apps[0].state + " " + (.pod.apps[0].exit_code | tostring)' <<<"$output")" = \
		"APP_STATE_EXITED 3" ] || fail "$output"
	[ "$(jq -r '.pod.cgroup // ""' <<<"$output")" = "" ] || fail "$output"
	[ "$(jq -r .pod.started_at <<<"$output")" -ge "$(jq -r .pod.created_at <<<"$output")" ] || fail "$output"

	# The prepared pod: apps known, not started.
	run api inspect-pod "$prepared"
	assert_status 0
	[ "$(jq -r '.pod.apps[0].name' <<<"$output")" = prep ] || fail "$output"
	[ "$(jq -r '.pod.started_at // 0' <<<"$output")" = 0 ] || fail "$output"
	[ "$(jq -r '.pod.pid' <<<"$output")" = -1 ] || fail "$output"

	# Filters: by state (any of), by app name (all of); filters are OR-ed.
	run api list-pods --filter '{"states":["POD_STATE_RUNNING","POD_STATE_PREPARED"]}'
	[ "$(jq -r '[.pods[].id] | sort | join(" ")' <<<"$output")" = "$(printf '%s\n' "$prepared" "$sleeper" |
		sort | tr '\n' ' ' | sed 's/ $//')" ] || fail "$output"
	run api list-pods --filter '{"app_names":["ex"]}' --filter '{"ids":["'"$prepared"'"]}' --detail
	[ "$(jq '.pods | length' <<<"$output")" = 2 ] || fail "$output"
	[ "$(jq '[.pods[] | select(.manifest)] | length' <<<"$output")" = 2 ] || fail "no manifest with detail"
	run api list-pods --filter "$(jq -c '{cgroups: [.pod.cgroup]}' <<<"$pod")"
	[ "$(jq -r '.pods[0].id' <<<"$output")" = "$sleeper" ] || fail "$output"
	run api list-pods --filter '{"app_names":["ex","sleeper"]}'
	[ "$output" = "{}" ] || fail "$output"

	# A pod gc marked is garbage, with the time it was marked.
	run rkt gc --mark-only
	assert_status 0
	run api inspect-pod "$exited"
	[ "$(jq -r .pod.state <<<"$output")" = POD_STATE_GARBAGE ] || fail "$output"
	[ "$(jq -r .pod.gc_marked_at <<<"$output")" -gt 0 ] || fail "$output"
}

@test "api-service: ListImages and InspectImage report the store as rkt image list does" {
	start_api
	run api list-images
	assert_status 0
	[ "$output" = "{}" ] || fail "$output"
	run rkt --insecure-options=image fetch --full "$BB"
	assert_status 0
	id=${lines[-1]}
	run api list-images
	assert_status 0
	[ "$(jq -r '.images[0].id' <<<"$output")" = "$id" ] || fail "$output"
	[ "$(jq -r '.images[0].name + ":" + .images[0].version' <<<"$output")" = example.com/api-busybox:2.1 ] ||
		fail "$output"
	[ "$(jq -r '.images[0].size' <<<"$output")" = "$(rkt image list --fields=size --full --no-legend)" ] ||
		fail "$output"
	[ "$(jq -r '.images[0].manifest // ""' <<<"$output")" = "" ] || fail "manifest without detail"
	run api inspect-image "$id"
	assert_status 0
	[ "$(jq -r .image.manifest <<<"$output" | base64 -d)" = "$(rkt image cat-manifest "$id")" ] ||
		[ "$(jq -r .image.manifest <<<"$output" | base64 -d | jq -c .)" = "$(rkt image cat-manifest "$id" | jq -c .)" ] ||
		fail "manifest differs: $output"
	[ "$(jq -r '.image.labels[] | select(.Key == "version") | .value' <<<"$output")" = 2.1 ] || fail "$output"
	run api list-images --filter '{"base_names":["api-busybox"]}'
	[ "$(jq '.images | length' <<<"$output")" = 1 ] || fail "$output"
	run api list-images --filter '{"prefixes":["example.org/"]}'
	[ "$output" = "{}" ] || fail "$output"
}

@test "api-service: ListenEvents streams a pod's start and exit and an image's import" {
	start_api
	# Six events: the busybox image and stage1 imported (the first run of a fresh store), the pod and
	# its app started and exited.
	api events --count 6 --timeout 60 --ready "$RKT_TEST_DIR/ready" \
		--filter '{"types":["EVENT_TYPE_IMAGE_IMPORTED","EVENT_TYPE_POD_STARTED","EVENT_TYPE_APP_STARTED","EVENT_TYPE_POD_EXITED","EVENT_TYPE_APP_EXITED"]}' \
		</dev/null >"$RKT_TEST_DIR/events" 2>"$RKT_TEST_DIR/events.err" 3>&- &
	client=$!
	wait_for 10 test -e "$RKT_TEST_DIR/ready" || fail "no stream: $(cat "$RKT_TEST_DIR/events.err")"
	run run_pod --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" --name ev --exec /bin/sh -- -c "sleep 1; exit 4"
	assert_status 4
	uuid=$(cat "$RKT_TEST_DIR/uuid")
	wait "$client" || fail "client: $(cat "$RKT_TEST_DIR/events.err")"
	ev=$(cat "$RKT_TEST_DIR/events")
	[ "$(jq -r 'select(.type == "EVENT_TYPE_IMAGE_IMPORTED") | .from' <<<"$ev" | sort | tr '\n' ' ')" = \
		"coreos.com/rkt/stage1-nspawn example.com/api-busybox " ] || fail "$ev"
	[ "$(jq -r 'select(.type == "EVENT_TYPE_POD_STARTED") | .id' <<<"$ev")" = "$uuid" ] || fail "$ev"
	[ "$(jq -r 'select(.type == "EVENT_TYPE_APP_STARTED") | .from' <<<"$ev")" = ev ] || fail "$ev"
	[ "$(jq -r 'select(.type == "EVENT_TYPE_POD_EXITED") | .id' <<<"$ev")" = "$uuid" ] || fail "$ev"
	[ "$(jq -r 'select(.type == "EVENT_TYPE_APP_EXITED") | .data[0].Key + "=" + .data[0].value' <<<"$ev")" = \
		exit_code=4 ] || fail "$ev"
	# In order: started before exited.
	[ "$(jq -r .type <<<"$ev" | grep -n POD_ | cut -d: -f2 | tr '\n' ' ')" = \
		"EVENT_TYPE_POD_STARTED EVENT_TYPE_POD_EXITED " ] || fail "$ev"
}

@test "api-service: GetLogs reads an exited pod's journal, per app and the last lines" {
	start_api
	run run_pod --uuid-file-save="$RKT_TEST_DIR/uuid" \
		"$BB" --name one --exec /bin/sh -- -c "echo first-line; echo second-line; echo third-line" --- \
		"$BB" --name two --exec /bin/sh -- -c "echo from-two" ---
	assert_status 0
	uuid=$(cat "$RKT_TEST_DIR/uuid")
	run api logs "$uuid"
	assert_status 0
	assert_output_contains "first-line"
	assert_output_contains "from-two"
	run api logs "$uuid" --app one
	assert_status 0
	assert_output_contains "third-line"
	[[ $output != *from-two* ]] || fail "app two's line in app one's logs: $output"
	run api logs "$uuid" --app one --lines 1
	assert_status 0
	[ "${#lines[@]}" -eq 1 ] || fail "$output"
	[[ ${lines[0]} =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\ third-line$ ]] || fail "$output"
}

@test "api-service: GetLogs with follow streams a running pod's new lines" {
	start_api
	run_pod --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" --name tick --exec /bin/sh -- -c \
		'i=0; while [ $i -lt 300 ]; do echo tick-$i; i=$((i + 1)); sleep 0.2; done' \
		</dev/null >/dev/null 2>&1 3>&- &
	wait_for 30 test -s "$RKT_TEST_DIR/uuid"
	uuid=$(cat "$RKT_TEST_DIR/uuid")
	wait_for 30 pod_is_running "$uuid"
	run api logs "$uuid" --app tick --follow --count 10 --timeout 60
	assert_status 0
	[ "${#lines[@]}" -ge 10 ] || fail "$output"
	assert_output_contains "tick-"
	rkt stop --force "$uuid" >/dev/null 2>&1 || true
}

@test "api-service: bad requests get gRPC errors and the service keeps serving" {
	start_api
	run api raw Nope 00
	assert_status 3
	assert_output_contains "UNIMPLEMENTED"
	run api raw ListPods ffffffff
	assert_status 3
	assert_output_contains "INVALID_ARGUMENT"
	run api inspect-pod ../../etc
	assert_status 3
	assert_output_contains "INVALID_ARGUMENT"
	run api inspect-pod 01234567-89ab-cdef-0123-456789abcdef
	assert_status 3
	assert_output_contains "NOT_FOUND"
	run api inspect-image sha512-nothex
	assert_status 3
	assert_output_contains "INVALID_ARGUMENT"
	run api logs 01234567-89ab-cdef-0123-456789abcdef --app 'bad name!'
	assert_status 3
	assert_output_contains "INVALID_ARGUMENT"
	big=$(head -c 70000 /dev/zero | tr '\0' a)
	run api list-pods --filter '{"ids":["'"$big"'"]}'
	assert_status 3
	assert_output_contains "RESOURCE_EXHAUSTED"
	# Not HTTP/2 at all, and a connection that just goes away.
	run curl -sS --max-time 5 "http://127.0.0.1:$API_PORT/"
	[ "$status" -ne 0 ] || fail "plain HTTP/1 got an answer: $output"
	run api info
	assert_status 0
	kill -0 "$API_PID" || fail "the service died"
}

@test "api-service: rkt-api.socket starts the service, which exits when idle and starts again" {
	require_root
	UNITS=1
	install -D -m 0755 "$RKT" /run/rkt-api-test/rkt
	cp "$RKT_SRCDIR/units/rkt-api.socket" /run/systemd/system/
	sed -e "s|^ExecStart=rkt api-service --idle-timeout=60s|ExecStart=/run/rkt-api-test/rkt --dir=$RKT_DATA_DIR api-service --idle-timeout=2s|" \
		"$RKT_SRCDIR/units/rkt-api.service" >/run/systemd/system/rkt-api.service
	grep -q "^ExecStart=/run/rkt-api-test/rkt --dir=.* api-service --idle-timeout=2s" /run/systemd/system/rkt-api.service
	systemctl daemon-reload
	systemctl start rkt-api.socket
	run systemctl is-active rkt-api.service
	[ "$output" = inactive ] || fail "service started before anyone asked: $output"

	run python3 "$RKT_SRCDIR/tests/helpers/api-client.py" 127.0.0.1:15441 info
	assert_status 0
	[ "$(jq -r .info.global_flags.dir <<<"$output")" = "$(realpath "$RKT_DATA_DIR")" ] || fail "$output"
	journalctl -u rkt-api.service --no-pager -o cat | grep -q "API service running" ||
		wait_for 5 sh -c 'journalctl -u rkt-api.service --no-pager -o cat | grep -q "API service running"' ||
		fail "journal: $(journalctl -u rkt-api.service --no-pager -o cat)"

	# Idle: the service goes, the socket stays, and the next call starts it again.
	wait_for 20 sh -c '! systemctl is-active -q rkt-api.service' || fail "still running when idle"
	[ "$(systemctl is-active rkt-api.socket)" = active ] || fail "socket gone"
	run python3 "$RKT_SRCDIR/tests/helpers/api-client.py" "[::1]:15441" list-pods
	assert_status 0
	[ "$(systemctl is-active rkt-api.service)" = active ] || fail "not started again"
}

# The pod directory is hostile: the pod's root writes everything below stage1/rootfs (its journal, its
# apps' exit statuses), and a planted manifest or net-info.json stands for any file that is not what rkt
# wrote. None of it may make the service read outside the pod directory, block, crash or leak.
@test "api-service: hostile pod-directory files do not lead it out of the pod, hang or crash it" {
	require_root
	start_api
	run run_pod --uuid-file-save="$RKT_TEST_DIR/uuid" "$BB" --name app --exec /bin/sh -- -c "echo pod-line"
	assert_status 0
	uuid=$(cat "$RKT_TEST_DIR/uuid")
	pd=$RKT_DATA_DIR/pods/run/$uuid
	jdir=$(find "$pd/stage1/rootfs/var/log/journal" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	[ -n "$jdir" ] || fail "the pod has no journal directory"

	# The host's journal, with a line the pod never wrote, linked in as files and as a machine-id dir.
	echo "host-secret-$uuid" | systemd-cat -t api-attack
	journalctl --sync
	wait_for 10 sh -c "journalctl -t api-attack --no-pager -o cat | grep -q host-secret-$uuid" ||
		fail "the host's journal does not have the line"
	local n=0 f d
	while read -r f; do
		n=$((n + 1))
		ln -s "$f" "$jdir/evil-$n.journal"
	done < <(find /var/log/journal /run/log/journal -name '*.journal' 2>/dev/null)
	[ "$n" -gt 0 ] || fail "no host journal file to link"
	# Named like machine-id directories, which is what sd-journal enters.
	n=0
	for d in /var/log/journal /run/log/journal; do
		n=$((n + 1))
		[ ! -d "$d" ] || ln -s "$d/$(cat /etc/machine-id)" "$pd/stage1/rootfs/var/log/journal/$(printf '%032d' "$n")"
	done
	mkfifo "$jdir/fifo.journal"
	truncate -s 1G "$jdir/huge.journal"

	run api logs "$uuid" --timeout 20
	assert_status 0
	assert_output_contains "pod-line"
	[[ $output != *host-secret* ]] || fail "GetLogs read the host's journal: $output"

	# A manifest and a net-info.json leading out of the pod directory, to files that would parse.
	jq -c '.annotations = [{"name":"outside","value":"host-file"}]' "$pd/pod" >"$RKT_TEST_DIR/outside-pod"
	echo '[{"netName":"outside-net","ip":"10.9.9.9","ifName":"eth0"}]' >"$RKT_TEST_DIR/outside-net"
	mv "$pd/pod" "$RKT_TEST_DIR/pod.orig"
	ln -s "$RKT_TEST_DIR/outside-pod" "$pd/pod"
	ln -s "$RKT_TEST_DIR/outside-net" "$pd/net-info.json"
	# An app status through a symlink and a FIFO in place of one.
	mkdir -p "$pd/stage1/rootfs/rkt/status"
	rm -f "$pd/stage1/rootfs/rkt/status/app"
	mkfifo "$pd/stage1/rootfs/rkt/status/app"
	run api inspect-pod "$uuid" --timeout 20
	assert_status 0
	[[ $output != *host-file* && $output != *outside-net* ]] || fail "read a file outside the pod: $output"
	run api list-pods --detail --timeout 20
	assert_status 0
	[[ $output != *host-file* && $output != *outside-net* ]] || fail "read a file outside the pod: $output"

	# Garbage in their place, and a net-info.json far over any bound.
	rm -f "$pd/pod" "$pd/net-info.json" "$pd/stage1/rootfs/rkt/status/app"
	printf '{"acKind":"PodManifest",' >"$pd/pod"
	truncate -s 2G "$pd/net-info.json"
	ln -s /etc/shadow "$pd/stage1/rootfs/rkt/status/app"
	run api inspect-pod "$uuid" --timeout 20
	assert_status 0
	[ "$(jq -r .pod.id <<<"$output")" = "$uuid" ] || fail "$output"
	run api list-pods --timeout 20
	assert_status 0

	# Still serving, and no descriptor left behind by the requests above.
	local fds
	fds=$(find "/proc/$API_PID/fd" -mindepth 1 | wc -l)
	for n in 1 2 3 4 5 6 7 8; do api logs "$uuid" --timeout 20 >/dev/null; done
	[ "$(find "/proc/$API_PID/fd" -mindepth 1 | wc -l)" -eq "$fds" ] ||
		fail "descriptors: $fds before, $(find "/proc/$API_PID/fd" -mindepth 1 | wc -l) after"
	run api info
	assert_status 0
	kill -0 "$API_PID" || fail "the service died"
	rm -f "$pd/pod"
	mv "$RKT_TEST_DIR/pod.orig" "$pd/pod"
}
