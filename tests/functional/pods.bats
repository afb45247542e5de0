#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr comes from bats' `run --separate-stderr`
# Pods: list, status, stop, rm, gc, cat-manifest and enter, on pods built by hand in every state
# (tests/helpers/stub-stage1/pods.bash) with a stub stage1 whose entrypoints log how they were called.

load helpers

bats_require_minimum_version 1.5.0

source "$RKT_SRCDIR/tests/helpers/stub-stage1/pods.bash"

U1=11111111-aaaa-4bbb-8ccc-000000000001
U2=22222222-aaaa-4bbb-8ccc-000000000002
U3=33333333-aaaa-4bbb-8ccc-000000000003
U4=44444444-aaaa-4bbb-8ccc-000000000004
AGO='(now|[0-9]+ seconds? ago)'

setup() {
	rkt_setup
	export MKPOD_HOLDERS=$RKT_TEST_DIR/holders
	export RKT_STUB_LOG=$RKT_TEST_DIR/stub.log
	: >"$RKT_STUB_LOG"
	DATA=$(cd -- "$RKT_DATA_DIR" && pwd -P)
}

teardown() {
	mkpod_kill_holders
	rkt_teardown
}

# pod_path STATE_DIR UUID - where the pod lives (canonical, as stage1 sees its cwd).
pod_path() {
	echo "$DATA/pods/$1/$2"
}

# wait_older_than PATH SECONDS - wait until PATH's ctime (what gc's grace periods count from) lies more than
# SECONDS in the past.
wait_older_than() {
	local ctime
	ctime=$(stat -c %.9Z "$1" | tr -d .) || return 1
	wait_for $(($2 + 10)) sh -c "[ \$(date +%s%N) -gt $((ctime + $2 * 1000000000)) ]" ||
		fail "'$1' did not age $2 s"
}

# state_of UUID - the state `rkt status` reports.
state_of() {
	rkt status "$1" 2>/dev/null | sed -n 's/^state=//p'
}

# assert_line_exact LINE - $output has LINE as a whole line.
assert_line_exact() {
	grep -qxF -- "$1" <<<"$output" || fail "expected a line '$1' in: $output"
}

refute_line_exact() {
	! grep -qxF -- "$1" <<<"$output" || fail "did not expect a line '$1' in: $output"
}

# column_of TEXT LINE - the display column (tabs expanded every 8) where TEXT starts in LINE.
column_of() {
	local expanded
	expanded=$(printf '%s\n' "$2" | expand -t 8)
	expanded=${expanded%%"$1"*}
	echo "${#expanded}"
}

# ---------------------------------------------------------------------------------------------------------
# list

@test "list: one row per app, pod columns on the first row only, aligned like rkt's tabwriter" {
	mkpod "$DATA" exited "$U1" web=0 db=3
	mkpod "$DATA" running "$U2" api
	mkpod "$DATA" prepared "$U3" worker
	run --separate-stderr rkt list
	assert_status 0
	[ "${#lines[@]}" -eq 5 ] || fail "want a header and 4 rows: $output"
	[ "$(printf '%s' "${lines[0]}" | tr -s '\t' ' ')" = "UUID APP IMAGE NAME STATE CREATED STARTED NETWORKS" ] ||
		fail "header: ${lines[0]}"
	# Sorted by UUID; short UUIDs; the second app of a pod has empty pod columns.
	[[ ${lines[1]} =~ ^11111111$'\t'+web$'\t'+example.com/web:1.0$'\t'+exited$'\t'+$AGO$'\t'+$AGO$'\t'*$ ]] ||
		fail "row 1: '${lines[1]}'"
	[[ ${lines[2]} =~ ^$'\t'+db$'\t'+example.com/db:1.0$'\t'+$ ]] || fail "row 2: '${lines[2]}'"
	[[ ${lines[3]} =~ ^22222222$'\t'+api$'\t'+example.com/api:1.0$'\t'+running$'\t'+$AGO$'\t'+$AGO$'\t'*$ ]] ||
		fail "row 3: '${lines[3]}'"
	# A prepared pod has not started: STARTED is empty.
	[[ ${lines[4]} =~ ^33333333$'\t'+worker$'\t'+example.com/worker:1.0$'\t'+prepared$'\t'+$AGO$'\t'+$ ]] ||
		fail "row 4: '${lines[4]}'"
	# Columns line up.
	local c
	c=$(column_of STATE "${lines[0]}")
	[ "$(column_of exited "${lines[1]}")" -eq "$c" ]
	[ "$(column_of running "${lines[3]}")" -eq "$c" ]
	[ "$(column_of prepared "${lines[4]}")" -eq "$c" ]
	[ "$(column_of example.com/db "${lines[2]}")" -eq "$(column_of "IMAGE NAME" "${lines[0]}")" ]
}

@test "list: embryos and never-run garbage are not listed, exited garbage and aborted prepares are" {
	mkpod "$DATA" embryo "$U1"
	mkpod "$DATA" garbage "$U2"
	mkpod "$DATA" exited-garbage "$U3"
	mkpod "$DATA" aborted "$U4"
	run rkt list --no-legend
	assert_status 0
	[ "${#lines[@]}" -eq 2 ] || fail "$output"
	[[ ${lines[0]} == 33333333* ]] && [[ ${lines[0]} == *"exited garbage"* ]] || fail "${lines[0]}"
	[[ ${lines[1]} == 44444444* ]] && [[ ${lines[1]} == *"aborted prepare"* ]] || fail "${lines[1]}"
}

@test "list --full: whole UUIDs, image IDs and absolute times" {
	mkpod "$DATA" exited "$U1" web=0
	run --separate-stderr rkt list --full
	assert_status 0
	[ "$(printf '%s' "${lines[0]}" | tr -s '\t' ' ')" = "UUID APP IMAGE NAME IMAGE ID STATE CREATED STARTED NETWORKS" ]
	local id
	id=$(mkpod_image_id web)
	[[ ${lines[1]} == "$U1"$'\t'* ]] || fail "${lines[1]}"
	[[ ${lines[1]} == *$'\t'"${id:0:19}"$'\t'* ]] || fail "no 19-character image ID in: ${lines[1]}"
	local t=$'\t'
	local times="${t}exited${t}+[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ [-+][0-9]{4} [A-Z]+${t}+[0-9]{4}-"
	[[ ${lines[1]} =~ $times ]] || fail "times: ${lines[1]}"
}

@test "list --no-legend prints rows only; an empty data dir lists nothing" {
	run rkt list --no-legend
	assert_status 0
	[ -z "$output" ]
	run rkt list
	assert_status 0
	[ "${#lines[@]}" -eq 1 ]
	mkpod "$DATA" exited "$U1" web=0
	run rkt list --no-legend
	[ "${#lines[@]}" -eq 1 ] && [[ ${lines[0]} == 11111111* ]] || fail "$output"
}

@test "list shows the networks of running and exited pods from net-info.json" {
	mkpod "$DATA" running "$U1" web
	cat >"$(pod_path run "$U1")/net-info.json" <<-'EOF'
		[{"netName":"default","netConf":"net/99-default.conf","pluginPath":"/usr/lib/cni/ptp","ifName":"eth0","ip":"172.16.28.7","args":"","mask":"255.255.255.0"},
		 {"netName":"lan","netConf":"net/lan.conf","pluginPath":"/usr/lib/cni/bridge","ifName":"eth1","ip":"10.1.0.2","args":"","mask":"255.255.0.0"}]
	EOF
	run rkt list --no-legend
	[[ ${lines[0]} == *$'\t'"default:ip4=172.16.28.7, lan:ip4=10.1.0.2" ]] || fail "$output"
	run rkt list --format=json
	assert_status 0
	[ "$(jq -r '.[0].networks[0].ip' <<<"$output")" = 172.16.28.7 ]
	[ "$(jq -r '.[0].networks[1].netName' <<<"$output")" = lan ]
	[ "$(jq -r '.[0].networks[0] | keys_unsorted | join(",")' <<<"$output")" = "netName,netConf,pluginPath,ifName,ip,args,mask" ]
	run rkt status "$U1"
	assert_line_exact "networks=default:ip4=172.16.28.7, lan:ip4=10.1.0.2"
}

@test "a net-info.json of the wrong shape is a warning naming the file and the field, and no networks" {
	mkpod "$DATA" running "$U1" web
	echo '[{"netName":"default","ip":7}]' >"$(pod_path run "$U1")/net-info.json"
	run --separate-stderr rkt list --no-legend
	assert_status 0
	[[ $stderr == *"pod $U1: net-info.json: field '[0].ip': must be a string, not an integer"* ]] || fail "$stderr"
	[ "${#lines[@]}" -eq 1 ] && [[ ${lines[0]} == 11111111* ]] || fail "$output"
	run --separate-stderr rkt status "$U1"
	assert_status 0
	assert_line_exact "networks="
}

@test "list --format=json: api/v1 pods with apps, exit codes and times" {
	mkpod "$DATA" exited "$U1" web=0 db=3
	mkpod "$DATA" running "$U2" api
	mkpod "$DATA" prepared "$U3" worker
	run --separate-stderr rkt list --format=json
	assert_status 0
	[ "$(jq length <<<"$output")" -eq 3 ]
	local e='.[] | select(.name == "'$U1'")'
	[ "$(jq -r "$e.state" <<<"$output")" = exited ]
	[ "$(jq -c "$e.app_names" <<<"$output")" = '["web","db"]' ]
	[ "$(jq -c "[$e.apps[] | [.name, .state, .exit_code]]" <<<"$output")" = '[["web","exited",0],["db","exited",3]]' ]
	[ "$(jq -r "$e.apps[0].image_id" <<<"$output")" = "$(mkpod_image_id web)" ]
	# The pod's times in seconds, its apps' in nanoseconds (as rkt 1.30's api/v1 gives them).
	local now created app_created
	now=$(date +%s)
	created=$(jq -r "$e.created_at" <<<"$output")
	app_created=$(jq -r "$e.apps[0].created_at" <<<"$output")
	[ $((now - created)) -ge 0 ] && [ $((now - created)) -lt 60 ] || fail "created_at $created, now $now"
	[ $((app_created / 1000000000)) -eq "$created" ] || fail "app created_at $app_created"
	[ "$(jq -r "$e.started_at" <<<"$output")" -ge "$created" ]
	local r='.[] | select(.name == "'$U2'")'
	[ "$(jq -r "$r.state" <<<"$output")" = running ]
	[ "$(jq -r "$r.apps[0].state" <<<"$output")" = running ]
	[ "$(jq -r "$r.apps[0] | has(\"exit_code\")" <<<"$output")" = false ]
	local p='.[] | select(.name == "'$U3'")'
	[ "$(jq -r "$p.state" <<<"$output")" = prepared ]
	[ "$(jq -r "$p.apps[0].state" <<<"$output")" = created ]
	[ "$(jq -r "$p | has(\"started_at\")" <<<"$output")" = false ]
	run rkt list --format=json-pretty
	assert_status 0
	[ "$(jq length <<<"$output")" -eq 3 ]
	[[ $output == *$'\n\t{\n\t\t"name": '* ]] || fail "not tab-indented: $output"
	run rkt list --format=yaml
	assert_status 254
}

# ---------------------------------------------------------------------------------------------------------
# status

@test "status of an exited pod: key=value lines with pid and per-app exit codes" {
	mkpod "$DATA" exited "$U1" web=0 db=3
	run --separate-stderr rkt status "$U1"
	assert_status 0
	[ "${lines[0]}" = state=exited ]
	[[ ${lines[1]} =~ ^created=[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:.]+\ [-+][0-9]{4}\ [A-Z]+$ ]] || fail "${lines[1]}"
	[[ ${lines[2]} =~ ^started=[0-9]{4}- ]] || fail "${lines[2]}"
	[ "${lines[3]}" = networks= ]
	[ "${lines[4]}" = pid=2147483646 ]
	[ "${lines[5]}" = exited=true ]
	[ "${lines[6]}" = app-web=0 ]
	[ "${lines[7]}" = app-db=3 ]
	[ "${#lines[@]}" -eq 8 ]
}

@test "status of a running pod: not exited, the stage1 pid, no exit codes" {
	mkpod "$DATA" running "$U1" web
	run --separate-stderr rkt status "$U1"
	assert_status 0
	assert_line_exact state=running
	assert_line_exact exited=false
	assert_line_exact "pid=$(cat "$(pod_path run "$U1")/ppid")"
	[[ $output != *app-* ]] || fail "$output"
}

@test "status of prepared and aborted pods: state and creation only" {
	mkpod "$DATA" prepared "$U1"
	mkpod "$DATA" aborted "$U2"
	run --separate-stderr rkt status "$U1"
	assert_status 0
	[ "${lines[0]}" = state=prepared ]
	[[ ${lines[1]} == created=2* ]]
	[ "${#lines[@]}" -eq 2 ] || fail "$output"
	run --separate-stderr rkt status "$U2"
	[ "${lines[0]}" = "state=aborted prepare" ]
	[[ $output != *exited=* ]]
}

@test "status reads exit codes from the stage1 overlay's upper dir when the overlay is not mounted" {
	mkpod "$DATA" exited "$U1" web db
	local d
	d=$(pod_path run "$U1")
	local o
	o=$d/overlay/$(mkpod_stub_tree_id)
	mkdir -p "$o/upper/rkt/status" "$o/work"
	echo 5 >"$o/upper/rkt/status/web"
	echo 0 >"$o/upper/rkt/status/db"
	run rkt status "$U1"
	assert_status 0
	assert_line_exact app-web=5
	assert_line_exact app-db=0
}

@test "status --wait returns when the pod's lock holder dies" {
	mkpod "$DATA" running "$U1" web=0
	local holder
	holder=$(cat "$(pod_path run "$U1")/ppid")
	rkt status --wait "$U1" >"$RKT_TEST_DIR/out" 2>&1 3>&- &
	local waiter=$!
	sleep 0.5
	kill -0 "$waiter" || fail "status --wait returned while the pod runs: $(cat "$RKT_TEST_DIR/out")"
	# The app exits (stage1 records it), the pod's "PID 1" dies, the holder (its stage1) follows, and with
	# it the lock.
	mkdir -p "$(pod_path run "$U1")/stage1/rootfs/rkt/status"
	echo 0 >"$(pod_path run "$U1")/stage1/rootfs/rkt/status/web"
	pkill -KILL -P "$holder"
	kill -KILL "$holder" 2>/dev/null || true
	# It returns on its own (bounded generously: sanitizer and valgrind runs are slow), not at some timeout.
	wait_for 30 sh -c "! kill -0 $waiter 2>/dev/null" || fail "status --wait still waits after the holder died"
	wait "$waiter" || fail "status --wait failed: $(cat "$RKT_TEST_DIR/out")"
	grep -qx state=exited "$RKT_TEST_DIR/out" || fail "$(cat "$RKT_TEST_DIR/out")"
	grep -qx exited=true "$RKT_TEST_DIR/out"
	grep -qx app-web=0 "$RKT_TEST_DIR/out"
}

@test "status --wait=DURATION gives up on a pod that keeps running; --wait=false does not wait" {
	mkpod "$DATA" running "$U1"
	local start
	start=$(date +%s%N)
	run rkt status --wait=1s "$U1"
	assert_status 254
	assert_output_contains "error waiting for pod to finish: context deadline exceeded"
	# It waited the whole second (no upper bound: a slow run under valgrind is not a failure).
	[ $(($(date +%s%N) - start)) -ge 1000000000 ] || fail "gave up after $(($(date +%s%N) - start)) ns"
	run rkt status --wait=false "$U1"
	assert_status 0
	assert_line_exact state=running
	run rkt status --wait=bogus "$U1"
	assert_status 254
}

@test "status --wait-ready waits for stage1's supervisor-status -> ready" {
	mkpod "$DATA" running "$U1"
	local d
	d=$(pod_path run "$U1")
	mkdir -p "$d/stage1/rootfs/rkt"
	run rkt status --wait-ready=300ms "$U1"
	assert_status 254
	assert_output_contains "error waiting for pod readiness: context deadline exceeded"
	(sleep 0.5 && ln -s ready "$d/stage1/rootfs/rkt/supervisor-status") 3>&- &
	run rkt status --wait-ready=10s "$U1"
	assert_status 0
	assert_line_exact state=running
}

@test "status --uuid-file, and an unreadable UUID file exits 1 as rkt 1.30" {
	mkpod "$DATA" exited "$U1" web=7
	printf '%s\n' "$U1" >"$RKT_TEST_DIR/uuid"
	run rkt status --uuid-file="$RKT_TEST_DIR/uuid"
	assert_status 0
	assert_line_exact app-web=7
	run rkt status --uuid-file="$RKT_TEST_DIR/nonexistent"
	assert_status 1
	assert_output_contains "unable to resolve UUID from file"
	run rkt status --uuid-file="$RKT_TEST_DIR/uuid" "$U1"
	assert_status 254
	run rkt status
	assert_status 254
}

@test "status --format=json is the pod's list entry (what Nomad polls)" {
	mkpod "$DATA" exited "$U1" web=0 db=3
	run --separate-stderr rkt status --format=json "$U1"
	assert_status 0
	[ "$(jq -r .name <<<"$output")" = "$U1" ]
	[ "$(jq -r .state <<<"$output")" = exited ]
	[ "$(jq -c '[.apps[].exit_code]' <<<"$output")" = "[0,3]" ]
	local listed
	listed=$(rkt list --format=json | jq -c '.[0]')
	[ "$(jq -c . <<<"$output")" = "$listed" ]
}

# ---------------------------------------------------------------------------------------------------------
# stop

@test "stop runs stage1's stop entrypoint in the pod directory and prints the UUID" {
	mkpod "$DATA" running "$U1"
	run --separate-stderr rkt stop "$U1"
	assert_status 0
	[ "$output" = "\"$U1\"" ] || fail "$output"
	grep -qxF "stop cwd=$(pod_path run "$U1") args=$U1" "$RKT_STUB_LOG" || fail "$(cat "$RKT_STUB_LOG")"
	wait_for 5 sh -c "'$RKT' --dir='$RKT_DATA_DIR' status $U1 | grep -qx state=exited"
}

@test "stop --force passes --force; a prefix names the pod" {
	mkpod "$DATA" running "$U1"
	run rkt stop --force 1111
	assert_status 0
	grep -qxF "stop cwd=$(pod_path run "$U1") args=--force $U1" "$RKT_STUB_LOG" || fail "$(cat "$RKT_STUB_LOG")"
	wait_for 5 sh -c "'$RKT' --dir='$RKT_DATA_DIR' status $U1 | grep -qx state=exited"
}

@test "stop of an exited pod says it is already stopped and succeeds" {
	mkpod "$DATA" exited "$U1"
	run --separate-stderr rkt stop "$U1"
	assert_status 0
	[ "$output" = "pod \"$U1\" is already stopped" ]
	[ ! -s "$RKT_STUB_LOG" ]
}

@test "stop of several pods; a bad UUID fails that one only, with exit 254" {
	mkpod "$DATA" running "$U1"
	mkpod "$DATA" running "$U2"
	mkpod "$DATA" exited "$U3"
	run --separate-stderr rkt stop "$U1" zzzz "$U2" "$U3"
	assert_status 254
	[ "${lines[0]}" = "\"$U1\"" ] && [ "${lines[1]}" = "\"$U2\"" ] || fail "$output"
	[ "${lines[2]}" = "pod \"$U3\" is already stopped" ]
	[[ $stderr == *"stop: cannot get pod: no matches found for \"zzzz\""* ]] || fail "$stderr"
	[[ $stderr == *"failed to stop 1 pod(s)"* ]] || fail "$stderr"
	[ "$(grep -c '^stop ' "$RKT_STUB_LOG")" -eq 2 ]
	wait_for 5 sh -c "'$RKT' --dir='$RKT_DATA_DIR' status $U2 | grep -qx state=exited"
}

@test "stop refuses a prepared pod; a failing stage1 stop fails the verb" {
	mkpod "$DATA" prepared "$U1"
	run rkt stop "$U1"
	assert_status 254
	assert_output_contains "pod \"$U1\" is not running"
	mkpod "$DATA" running "$U2"
	RKT_STUB_STOP_STATUS=3 run rkt stop "$U2"
	assert_status 254
	assert_output_contains "error stopping \"$U2\": exit status 3"
}

@test "stop --uuid-file" {
	mkpod "$DATA" running "$U1"
	echo "$U1" >"$RKT_TEST_DIR/uuid"
	run rkt stop --uuid-file="$RKT_TEST_DIR/uuid"
	assert_status 0
	[ "$output" = "\"$U1\"" ]
}

# ---------------------------------------------------------------------------------------------------------
# rm

@test "rm of an exited pod runs stage1 gc in exited-garbage and removes the pod" {
	mkpod "$DATA" exited "$U1" web=0
	run --separate-stderr rkt rm "$U1"
	assert_status 0
	[ "$output" = "\"$U1\"" ] || fail "$output / $stderr"
	[ ! -e "$(pod_path run "$U1")" ]
	[ ! -e "$(pod_path exited-garbage "$U1")" ]
	grep -qxF "gc cwd=$(pod_path exited-garbage "$U1") args=--local-config=$RKT_LOCAL_CONFIG_DIR $U1" "$RKT_STUB_LOG" ||
		fail "$(cat "$RKT_STUB_LOG")"
	! grep -q gc-error "$RKT_STUB_LOG" || fail "$(cat "$RKT_STUB_LOG")"
	run rkt status "$U1"
	assert_status 254
}

@test "rm of prepared and aborted pods moves them to garbage and removes them without stage1 gc" {
	mkpod "$DATA" prepared "$U1"
	mkpod "$DATA" aborted "$U2"
	run --separate-stderr rkt rm "$U1" "$U2"
	assert_status 0
	[ "${lines[0]}" = "\"$U1\"" ] && [ "${lines[1]}" = "\"$U2\"" ] || fail "$output"
	[[ $stderr == *"moving expired prepared pod \"$U1\" to garbage"* ]] || fail "$stderr"
	[[ $stderr == *"moving failed prepare \"$U2\" to garbage"* ]] || fail "$stderr"
	[ -z "$(ls "$DATA/pods/garbage")" ]
	[ -z "$(ls "$DATA/pods/prepared")" ]
	[ -z "$(ls "$DATA/pods/prepare")" ]
	[ ! -s "$RKT_STUB_LOG" ]
}

@test "rm refuses running and preparing pods and leaves them alone" {
	mkpod "$DATA" running "$U1"
	mkpod "$DATA" preparing "$U2"
	mkpod "$DATA" exited "$U3"
	run --separate-stderr rkt rm "$U1" "$U2" "$U3"
	assert_status 254
	[ "$output" = "\"$U3\"" ] || fail "$output"
	[[ $stderr == *"pod \"$U1\" is currently running"* ]] || fail "$stderr"
	[[ $stderr == *"pod \"$U2\" is currently being prepared"* ]] || fail "$stderr"
	[[ $stderr == *"failed to remove one or more pods"* ]]
	[ -d "$(pod_path run "$U1")" ]
	[ -d "$(pod_path prepare "$U2")" ]
	[ "$(state_of "$U1")" = running ]
}

@test "rm --uuid-file; an unreadable file exits 254" {
	mkpod "$DATA" exited "$U1"
	echo "$U1" >"$RKT_TEST_DIR/uuid"
	run rkt rm --uuid-file="$RKT_TEST_DIR/uuid"
	assert_status 0
	[ ! -e "$(pod_path exited-garbage "$U1")" ]
	run rkt rm --uuid-file="$RKT_TEST_DIR/nonexistent"
	assert_status 254
}

# ---------------------------------------------------------------------------------------------------------
# gc

@test "gc marks exited pods, keeps them for the grace period, removes failed prepares, never touches running pods" {
	mkpod "$DATA" exited "$U1" web=0
	mkpod "$DATA" running "$U2"
	mkpod "$DATA" aborted "$U3"
	mkpod "$DATA" prepared "$U4"
	run --separate-stderr rkt gc
	assert_status 0
	[[ $stderr == *"gc: moving pod \"$U1\" to garbage"* ]] || fail "$stderr"
	[[ $stderr == *"gc: moving failed prepare \"$U3\" to garbage"* ]] || fail "$stderr"
	[[ $stderr == *"gc: pod \"$U1\" not removed: still within grace period (30m0s)"* ]] || fail "$stderr"
	[ "$output" = "Garbage collecting pod \"$U3\"" ] || fail "stdout: $output"
	[ -d "$(pod_path exited-garbage "$U1")" ]
	[ ! -e "$(pod_path run "$U1")" ]
	[ "$(state_of "$U1")" = "exited garbage" ]
	[ ! -e "$(pod_path garbage "$U3")" ]
	[ ! -e "$(pod_path prepare "$U3")" ]
	[ "$(state_of "$U2")" = running ]
	[ -s "$(pod_path run "$U2")/ppid" ]
	[ "$(state_of "$U4")" = prepared ]
	[ ! -s "$RKT_STUB_LOG" ]
	# A second run: still within the grace period.
	run --separate-stderr rkt gc --grace-period=1h
	[[ $stderr == *"pod \"$U1\" not removed: still within grace period (1h0m0s)"* ]] || fail "$stderr"
	[ -d "$(pod_path exited-garbage "$U1")" ]
	# Once the grace period is over, stage1 gc runs (in the pod dir) and the pod goes.
	wait_older_than "$(pod_path exited-garbage "$U1")" 1
	run --separate-stderr rkt gc --grace-period=1s
	assert_status 0
	[ "$output" = "Garbage collecting pod \"$U1\"" ] || fail "$output / $stderr"
	[ ! -e "$(pod_path exited-garbage "$U1")" ]
	grep -qxF "gc cwd=$(pod_path exited-garbage "$U1") args=--local-config=$RKT_LOCAL_CONFIG_DIR $U1" "$RKT_STUB_LOG" ||
		fail "$(cat "$RKT_STUB_LOG")"
	[ "$(state_of "$U2")" = running ]
}

@test "gc --grace-period=0s marks and removes in one run, passing --debug to stage1 with --debug" {
	mkpod "$DATA" exited "$U1"
	run --separate-stderr rkt --debug gc --grace-period=0s
	assert_status 0
	[ "$output" = "Garbage collecting pod \"$U1\"" ] || fail "$output"
	[ ! -e "$(pod_path exited-garbage "$U1")" ]
	grep -qxF "gc cwd=$(pod_path exited-garbage "$U1") args=--debug --local-config=$RKT_LOCAL_CONFIG_DIR $U1" "$RKT_STUB_LOG" ||
		fail "$(cat "$RKT_STUB_LOG")"
}

@test "gc --mark-only moves exited and aborted pods to the garbage and removes nothing" {
	mkpod "$DATA" exited "$U1"
	mkpod "$DATA" aborted "$U2"
	mkpod "$DATA" prepared "$U3"
	mkpod "$DATA" garbage "$U4"
	run --separate-stderr rkt gc --mark-only --grace-period=0s --expire-prepared=0s
	assert_status 0
	[ -z "$output" ] || fail "$output"
	[ -d "$(pod_path exited-garbage "$U1")" ]
	[ -d "$(pod_path garbage "$U2")" ]
	[ -d "$(pod_path prepared "$U3")" ]
	[ -d "$(pod_path garbage "$U4")" ]
}

@test "gc --expire-prepared expires old prepared pods only" {
	mkpod "$DATA" prepared "$U1"
	run --separate-stderr rkt gc
	assert_status 0
	[ -d "$(pod_path prepared "$U1")" ]
	wait_older_than "$(pod_path prepared "$U1")" 1
	run --separate-stderr rkt gc --expire-prepared=1s
	assert_status 0
	[[ $stderr == *"moving expired prepared pod \"$U1\" to garbage"* ]] || fail "$stderr"
	[ "$output" = "Garbage collecting pod \"$U1\"" ]
	[ ! -e "$(pod_path prepared "$U1")" ]
	[ ! -e "$(pod_path garbage "$U1")" ]
}

@test "gc unmounts what is left mounted below a pod, deepest first, and never deletes through a mount" {
	require_root
	mkpod "$DATA" exited "$U1" app
	local d host
	d=$(pod_path run "$U1")
	host=$RKT_TEST_DIR/host-volume
	mkdir -p "$host" "$d/stage1/rootfs/opt/stage2/app/rootfs"
	echo precious >"$host/data"
	# What a pod killed with -9 leaves: its rootfs mounts and a bind-mounted host volume inside them.
	mount -t tmpfs tmpfs "$d/stage1/rootfs/opt/stage2/app/rootfs"
	mkdir "$d/stage1/rootfs/opt/stage2/app/rootfs/data"
	mount --bind "$host" "$d/stage1/rootfs/opt/stage2/app/rootfs/data"
	mount --make-shared "$d/stage1/rootfs/opt/stage2/app/rootfs/data"
	[ "$(findmnt -rn -o TARGET | grep -c "^$d/")" -eq 2 ]
	run --separate-stderr rkt gc --grace-period=0s
	assert_status 0
	[ "$output" = "Garbage collecting pod \"$U1\"" ] || fail "$output / $stderr"
	[ "$(findmnt -rn -o TARGET | grep -c "^$d/\|^$(pod_path exited-garbage "$U1")/")" -eq 0 ] || fail "$(findmnt -rn -o TARGET)"
	[ ! -e "$(pod_path exited-garbage "$U1")" ]
	[ "$(cat "$host/data")" = precious ]
}

@test "gc detaches a busy mount lazily and removes the pod" {
	require_root
	mkpod "$DATA" exited "$U1"
	local d
	d=$(pod_path run "$U1")
	mkdir -p "$d/stage1/rootfs/busy"
	mount -t tmpfs tmpfs "$d/stage1/rootfs/busy"
	(cd "$d/stage1/rootfs/busy" && exec sleep 100000) </dev/null >/dev/null 2>&1 3>&- &
	local busy=$!
	echo "$busy" >>"$MKPOD_HOLDERS"
	# shellcheck disable=SC2016 # expanded by sh
	wait_for 10 sh -c '[ "$(readlink "/proc/$1/cwd")" = "$2" ]' _ "$busy" "$d/stage1/rootfs/busy" ||
		fail "the holder did not enter the mount"
	run umount "$d/stage1/rootfs/busy"
	[ "$status" -ne 0 ] || fail "the mount was not busy"
	run --separate-stderr rkt gc --grace-period=0s
	assert_status 0
	[ ! -e "$(pod_path exited-garbage "$U1")" ] || fail "$stderr"
	! findmnt -rn -o TARGET | grep -q "$U1" || fail "a mount of the pod is left: $(findmnt -rn -o TARGET | grep "$U1")"
}

@test "gc mounts a pod's stage1 overlay again to run its gc entrypoint, then unmounts it" {
	require_root
	mkpod "$DATA" exited "$U1"
	local d tree id
	d=$(pod_path run "$U1")
	# The stage1 as the tree store holds it, and a pod whose stage1/rootfs overlay is gone (a reboot).
	id=$(mkpod_stub_tree_id)
	tree=$DATA/cas/tree/$id/rootfs
	mkdir -p "$d/overlay/$id/upper" "$d/overlay/$id/work"
	rm -r "${d:?}/stage1/rootfs/"*
	# shellcheck disable=SC2016 # expanded by the script
	printf '#!/bin/sh\n"$(dirname "$(readlink -f "$0")")/stub-log" gc "$@" overlay\n' >"$tree/gc"
	run --separate-stderr rkt gc --grace-period=0s
	assert_status 0
	grep -qxF "gc cwd=$(pod_path exited-garbage "$U1") args=--local-config=$RKT_LOCAL_CONFIG_DIR $U1 overlay" "$RKT_STUB_LOG" ||
		fail "$(cat "$RKT_STUB_LOG") / $stderr"
	! findmnt -rn -o TARGET | grep -q "$U1" || fail "a mount of the pod is left: $(findmnt -rn -o TARGET | grep "$U1")"
	[ ! -e "$(pod_path exited-garbage "$U1")" ]
	[ -x "$tree/gc" ]
}

# ---------------------------------------------------------------------------------------------------------
# cat-manifest

@test "cat-manifest prints the pod manifest, tab-indented by default" {
	mkpod "$DATA" exited "$U1" web db
	run --separate-stderr rkt cat-manifest "$U1"
	assert_status 0
	[ "${lines[0]}" = "{" ]
	[ "${lines[1]}" = $'\t"acVersion": "0.8.11",' ] || fail "${lines[1]}"
	[ "$(jq -c . <<<"$output")" = "$(jq -c . "$(pod_path run "$U1")/pod")" ]
	run --separate-stderr rkt cat-manifest --pretty-print=false "$U1"
	assert_status 0
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r '.apps[1].name' <<<"$output")" = db ]
	echo "$U1" >"$RKT_TEST_DIR/uuid"
	run --separate-stderr rkt cat-manifest --uuid-file="$RKT_TEST_DIR/uuid"
	assert_status 0
	[ "$(jq -r '.apps[0].name' <<<"$output")" = web ]
}

# ---------------------------------------------------------------------------------------------------------
# UUID prefixes

@test "UUID prefixes: unambiguous and case-insensitive; ambiguous or unknown ones fail with 254" {
	mkpod "$DATA" exited "$U1"
	mkpod "$DATA" exited 11112222-aaaa-4bbb-8ccc-000000000009
	run rkt status 11111
	assert_status 0
	assert_line_exact state=exited
	run rkt status "$(tr a-f A-F <<<"$U1")"
	assert_status 0
	run rkt status 1111
	assert_status 254
	assert_output_contains "ambiguous uuid '1111': 2 matches"
	run rkt cat-manifest ffff
	assert_status 254
	assert_output_contains "no matches found for \"ffff\""
	run rkt rm 1111
	assert_status 254
	[ -d "$(pod_path run "$U1")" ]
}

# ---------------------------------------------------------------------------------------------------------
# enter

@test "enter execs stage1's enter with the pod's PID 1 and the app, in the pod dir, and returns its status" {
	mkpod "$DATA" running "$U1" web
	local d
	d=$(pod_path run "$U1")
	echo 4321 >"$d/pid"
	RKT_STUB_ENTER_STATUS=7 run --separate-stderr rkt enter "$U1" /bin/ls -l /
	assert_status 7
	grep -qxF "enter cwd=$d args=--pid=4321 --appname=web -- /bin/ls -l /" "$RKT_STUB_LOG" || fail "$(cat "$RKT_STUB_LOG")"
	RKT_STUB_ENTER_EXEC=1 run rkt enter "$U1" -- sh -c 'echo entered; exit 3'
	assert_status 3
	[ "$output" = entered ]
}

@test "enter finds the pod's PID 1 as the only child of ppid" {
	mkpod "$DATA" running "$U1" web
	local holder child
	holder=$(cat "$(pod_path run "$U1")/ppid")
	child=$(pgrep -P "$holder")
	[ -n "$child" ]
	run rkt enter "$U1" true
	assert_status 0
	grep -qxF "enter cwd=$(pod_path run "$U1") args=--pid=$child --appname=web -- true" "$RKT_STUB_LOG" || fail "$(cat "$RKT_STUB_LOG")"
}

@test "enter without a command runs /bin/bash, or /bin/sh when the app has no bash" {
	mkpod "$DATA" running "$U1" web
	local root
	root=$(pod_path run "$U1")/stage1/rootfs/opt/stage2/web/rootfs
	mkdir -p "$root/bin"
	cp /bin/busybox "$root/bin/busybox" 2>/dev/null || cp /bin/true "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	run --separate-stderr rkt enter "$U1"
	assert_status 0
	[[ $stderr == *'enter: no command specified, assuming "/bin/sh"'* ]] || fail "$stderr"
	[[ $(tail -n1 "$RKT_STUB_LOG") == *" -- /bin/sh" ]] || fail "$(cat "$RKT_STUB_LOG")"
	cp "$root/bin/busybox" "$root/bin/bash"
	run --separate-stderr rkt enter "$U1"
	[[ $stderr == *'no command specified, assuming "/bin/bash"'* ]] || fail "$stderr"
	[[ $(tail -n1 "$RKT_STUB_LOG") == *" -- /bin/bash" ]]
}

@test "enter needs --app in a pod of several apps, and a running pod" {
	mkpod "$DATA" running "$U1" web db
	run --separate-stderr rkt enter "$U1" true
	assert_status 254
	[[ $stderr == *"pod contains multiple apps:"*web*db*'specify app using "rkt enter --app= ..."'* ]] || fail "$stderr"
	[ ! -s "$RKT_STUB_LOG" ]
	run rkt enter --app=db "$U1" true
	assert_status 0
	grep -q -- "--appname=db -- true" "$RKT_STUB_LOG"
	run rkt enter --app=nope "$U1" true
	assert_status 254
	mkpod "$DATA" exited "$U2"
	run rkt enter "$U2" true
	assert_status 254
	assert_output_contains "pod \"$U2\" isn't currently running"
}

# ---------------------------------------------------------------------------------------------------------
# privileges

@test "stop, rm, gc and enter refuse unprivileged users; list, status and cat-manifest do not" {
	require_root
	mkpod "$DATA" exited "$U1"
	chmod -R o+rX "$RKT_TEST_DIR"
	local verb
	for verb in "stop $U1" "rm $U1" gc "enter $U1"; do
		# shellcheck disable=SC2086 # the verb and its argument
		run setpriv --reuid=65534 --regid=65534 --clear-groups "$RKT" --dir="$RKT_DATA_DIR" $verb
		assert_status 254
		[ "$output" = "${verb%% *}: cannot run as unprivileged user" ] || fail "$verb: $output"
	done
	[ -d "$(pod_path run "$U1")" ]
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$RKT" --dir="$RKT_DATA_DIR" list --no-legend
	assert_status 0
	[[ $output == 11111111* ]] || fail "$output"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$RKT" --dir="$RKT_DATA_DIR" status "$U1"
	assert_status 0
	assert_line_exact state=exited
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$RKT" --dir="$RKT_DATA_DIR" cat-manifest "$U1"
	assert_status 0
}
