#!/usr/bin/env bats
# rkt 1.30's command line as scripts and orchestrators drive it: Nomad's rkt driver command lines
# replayed as the driver builds them, the deprecated flags rkt 1.30 still accepted, and the stderr lines and
# error texts scripts read.

load helpers

MKACI="$RKT_SRCDIR/tests/helpers/mkaci.py"

setup() {
	rkt_setup
	require_root
	APP=$RKT_TEST_DIR/app.aci
	python3 "$MKACI" "$APP" --name example.com/compat-app --label version=1.0 --label os=linux \
		--label arch="$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')" \
		--exec "/bin/true" --port http:tcp:80 >/dev/null
}

teardown() {
	rkt_teardown
}

# manifest_field UUID PYTHON-EXPR - a field of the pod manifest (m), printed by python.
manifest_field() {
	rkt cat-manifest "$1" | python3 -c "import json, sys; m = json.load(sys.stdin); print($2)"
}

@test "Nomad's prepare command line, pod flags after the image, runs unchanged" {
	mkdir -p "$RKT_TEST_DIR"/alloc/{alloc,local,secrets}
	run rkt --insecure-options=all --debug=false prepare --no-overlay=false \
		--volume=a1-web-alloc,kind=host,source="$RKT_TEST_DIR/alloc/alloc" \
		--mount=volume=a1-web-alloc,target=/alloc \
		--volume=a1-web-local,kind=host,source="$RKT_TEST_DIR/alloc/local" \
		--mount=volume=a1-web-local,target=/local \
		--volume=a1-web-secrets,kind=host,source="$RKT_TEST_DIR/alloc/secrets",readOnly=true \
		--mount=volume=a1-web-secrets,target=/secrets \
		--set-env=NOMAD_TASK_NAME=web "$APP" --exec=/bin/sh --memory=268435456 --cpu=500m \
		--port=http:8080 --user=0 --group=0 -- -c 'echo hi'
	assert_status 0
	uuid=${lines[${#lines[@]} - 1]}
	[[ $uuid =~ ^[0-9a-f-]{36}$ ]] || fail "no UUID last on stdout: $output"
	run manifest_field "$uuid" 'm["ports"]'
	assert_output_contains "'name': 'http', 'hostPort': 8080"
	run manifest_field "$uuid" 'm["apps"][0]["app"]["exec"]'
	assert_output_contains "['/bin/sh', '-c', 'echo hi']"
	run manifest_field "$uuid" 'm["apps"][0]["app"]["isolators"]'
	assert_output_contains "'limit': '268435456'"
	assert_output_contains "'limit': '500m'"
	run manifest_field "$uuid" '[v["name"] for v in m["volumes"]]'
	assert_output_contains "a1-web-secrets"
}

@test "Nomad's task lifecycle: prepare, run-prepared on the default network, status, cat-manifest, rm" {
	mkdir -p "$RKT_TEST_DIR/alloc"
	busybox_rootfs "$RKT_TEST_DIR/bb" sh cat
	python3 "$MKACI" "$RKT_TEST_DIR/task.aci" --name example.com/nomad-task --label version=1.0 \
		--label os=linux --label arch="$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')" \
		--dir "$RKT_TEST_DIR/bb" --exec "/bin/true" --port http:tcp:80 >/dev/null
	# the driver reads the UUID from prepare's stdout
	# shellcheck disable=SC2016 # expanded by the task's shell
	run rkt --insecure-options=all --debug=false prepare \
		--volume=t-alloc,kind=host,source="$RKT_TEST_DIR/alloc" --mount=volume=t-alloc,target=/alloc \
		--set-env=NOMAD_TASK_NAME=web "$RKT_TEST_DIR/task.aci" --exec=/bin/sh --memory=268435456 \
		--cpu=500m --port=http:18080 -- -c 'echo "$NOMAD_TASK_NAME" >/alloc/ran; exit 3'
	assert_status 0
	uuid=${lines[${#lines[@]} - 1]}
	[[ $uuid =~ ^[0-9a-f-]{36}$ ]] || fail "no UUID last on stdout: $output"
	# run-prepared under the driver's executor: its status is the task's
	run rkt --insecure-options=all --debug=false run-prepared --dns=host "$uuid"
	assert_status 3
	[ "$(cat "$RKT_TEST_DIR/alloc/ran")" = web ] || fail "the task did not run"
	local json
	json=$(rkt status --format=json "$uuid")
	[ "$(jq -r .state <<<"$json")" = exited ] || fail "status: $json"
	[ "$(jq -c '[.apps[].exit_code]' <<<"$json")" = "[3]" ] || fail "status: $json"
	# the driver maps port names to ports through cat-manifest
	run manifest_field "$uuid" 'm["ports"]'
	assert_output_contains "'name': 'http', 'hostPort': 18080"
	run rkt rm "$uuid"
	assert_status 0
	run rkt status "$uuid"
	assert_status 254
}

@test "every pod-level flag may follow an image; --quiet there still prints only the UUID" {
	run --separate-stderr rkt --insecure-options=image prepare "$APP" --set-env=A=B --port=http:8081 \
		--volume=v,kind=empty --mount=volume=v,target=/v --quiet
	assert_status 0
	[ "${#lines[@]}" -eq 1 ] || fail "expected only the UUID: $output"
	[ -z "$stderr" ] || fail "--quiet after the image printed: $stderr"
	run manifest_field "${lines[0]}" 'm["apps"][0]["app"]["environment"]'
	assert_output_contains "'name': 'A', 'value': 'B'"
}

@test "a per-app flag before any image says it must follow an image" {
	run rkt --insecure-options=image prepare --memory=1G "$APP"
	assert_status 254
	assert_output_contains "--memory must follow an image"
	run rkt --insecure-options=image run --exec=/bin/true "$APP"
	assert_status 254
	assert_output_contains "--exec must follow an image"
	[[ $output != *"unknown flag"* ]] || fail "$output"
}

@test "--no-store and --store-only are deprecated aliases of --pull-policy" {
	run rkt --insecure-options=image fetch --no-store "$APP"
	assert_status 0
	assert_output_contains "Flag --no-store has been deprecated, please use --pull-policy=update"
	# Before the verb, as rkt 1.30 (cobra) accepted the verb's flags too.
	run rkt --store-only --insecure-options=image fetch "$APP"
	assert_status 0
	assert_output_contains "Flag --store-only has been deprecated, please use --pull-policy=never"
	run rkt --insecure-options=image prepare --store-only example.com/compat-nothere:1.0
	assert_status 254
	assert_output_contains "--pull-policy=never"
	run rkt help fetch
	[[ $output != *"--no-store"* ]] || fail "a deprecated flag is in the help: $output"
}

@test "--cap-retain and --cap-remove are deprecated aliases of --caps-*" {
	run rkt --insecure-options=image prepare "$APP" --cap-retain=CAP_CHOWN
	assert_status 0
	assert_output_contains "Flag --cap-retain has been deprecated, use --caps-retain instead"
	uuid=${lines[${#lines[@]} - 1]}
	run manifest_field "$uuid" 'm["apps"][0]["app"]["isolators"]'
	assert_output_contains "os/linux/capabilities-retain-set"
	assert_output_contains "CAP_CHOWN"
}

@test "--ipc takes auto, private and parent only" {
	run rkt --insecure-options=image run --ipc=bogus "$APP"
	assert_status 254
	assert_output_contains "--ipc 'bogus': must be auto, private or parent"
}

@test "per-app --signature names the image's signature file" {
	run rkt prepare "$APP" --signature="$RKT_TEST_DIR/nosuch.asc"
	assert_status 254
	assert_output_contains "nosuch.asc"
}

@test "the image lines of rkt 1.30 on stderr" {
	run rkt --insecure-options=image fetch "$APP"
	assert_status 0
	assert_output_contains "image: using image from file $APP"
	id=${lines[${#lines[@]} - 1]}
	run rkt --insecure-options=image prepare "$id"
	assert_status 0
	[[ $output != *"with hash"* ]] || fail "the hash line without --debug: $output"
	run rkt --debug --insecure-options=image prepare "$id"
	assert_status 0
	assert_output_contains "image: using image from the store with hash sha512-"
	run rkt --insecure-options=image prepare example.com/compat-app:1.0
	assert_status 0
	assert_output_contains "image: using image from local store for image name example.com/compat-app:1.0"
}

@test "rkt 1.30's error texts come first" {
	run rkt rm 0f746094-3438-42bc-ab37-3cf85f132e60
	assert_status 254
	assert_output_contains 'no matches found for "0f746094-3438-42bc-ab37-3cf85f132e60"'
	run rkt image cat-manifest sha512-12341234
	assert_status 254
	assert_output_contains "no image IDs found"
	printf '{"acVersion":"0.8.11","acKind":"PodManifest","apps":[]}' >"$RKT_TEST_DIR/pod.json"
	run rkt prepare --pod-manifest="$RKT_TEST_DIR/pod.json"
	assert_status 254
	assert_output_contains "pod must contain at least one application"
	run rkt --insecure-options=image prepare --pod-manifest="$RKT_TEST_DIR/pod.json" "$APP"
	assert_status 254
	assert_output_contains "conflicting flags set with --pod-manifest (see --help)"
}

@test "root's fetch renders the image into the tree store; image rm ID NAME removes it once" {
	run --separate-stderr rkt --insecure-options=image fetch "$APP"
	assert_status 0
	id=${lines[0]}
	run grep -l "sha512-" "$RKT_DATA_DIR"/cas/tree/*/rendered
	assert_status 0
	run rkt image rm "$id" example.com/compat-app:1.0
	assert_status 0
	assert_output_contains "1 image(s) successfully removed"
}

@test "rkt 1.30's words: unsigned local image, short image ID, pod manifest with --debug" {
	run rkt fetch "$APP"
	assert_status 254
	assert_output_contains "error opening signature file: no signature found at '$APP.asc'"
	run rkt image cat-manifest sha512-a
	assert_status 254
	assert_output_contains "image ID too short"
	run rkt --debug --insecure-options=image prepare "$APP"
	assert_status 0
	assert_output_contains "Writing pod manifest"
}

@test "a root-only verb run by a user says so before it looks at its arguments" {
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$RKT" --dir="$RKT_DATA_DIR" enter
	assert_status 254
	assert_output_contains "cannot run as unprivileged user"
	[[ $output != *"missing argument"* ]] || fail "the arguments were looked at first: $output"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$RKT" enter --help
	assert_status 0
}
