#!/usr/bin/env bats
# rkt metadata-service: registration on /run/rkt/metadata-svc.sock, the appc API on TCP for apps, started
# directly and socket-activated through units/rkt-metadata.{socket,service}. Pods are registered the way
# stage0 does it (plain HTTP on the unix socket, as documented in src/lib/mds/mds-client.h), then every endpoint
# is asked with curl as an app would; the ACE validator's own metadata checks run against it too.

load helpers

MDS_SOCK=/run/rkt/metadata-svc.sock

setup() {
	rkt_setup
	MDS_PID=
	UNITS=
	UUID=$(cat /proc/sys/kernel/random/uuid)
	TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	ID_MAIN=sha512-$(printf '%0128d' 1)
	ID_SIDE=sha512-$(printf '%0128d' 2)
	write_manifests
}

teardown() {
	if [ -n "$MDS_PID" ]; then
		kill "$MDS_PID" 2>/dev/null || true
		wait "$MDS_PID" 2>/dev/null || true
	fi
	if [ -n "$UNITS" ]; then
		systemctl stop rkt-metadata.socket rkt-metadata.service 2>/dev/null || true
		rm -f /run/systemd/system/rkt-metadata.socket /run/systemd/system/rkt-metadata.service
		rm -rf /run/rkt-metadata-test
		systemctl daemon-reload
		systemctl reset-failed rkt-metadata.socket rkt-metadata.service 2>/dev/null || true
	fi
	rkt_teardown
}

# A pod of two apps without pod annotations (served as [], the ACE validator's trap), the main app's image
# annotations partly overridden by the pod.
write_manifests() {
	cat >"$RKT_TEST_DIR/pod.json" <<-EOF
		{"acVersion":"0.8.11","acKind":"PodManifest","apps":[
		 {"name":"main","image":{"name":"example.com/main","id":"$ID_MAIN"},
		  "annotations":[{"name":"lorem","value":"dolor"},{"name":"extra","value":"x"}]},
		 {"name":"side","image":{"name":"example.com/side","id":"$ID_SIDE"}}]}
	EOF
	cat >"$RKT_TEST_DIR/pod-annotated.json" <<-EOF
		{"acVersion":"0.8.11","acKind":"PodManifest","apps":[
		 {"name":"main","image":{"name":"example.com/main","id":"$ID_MAIN"}}],
		 "annotations":[{"name":"example.com/owner","value":"ops"},{"name":"zeta","value":"1"}]}
	EOF
	cat >"$RKT_TEST_DIR/main.json" <<-'EOF'
		{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/main",
		 "app":{"exec":["/bin/main"],"user":"0","group":"0"},
		 "annotations":[{"name":"created","value":"2015-01-01T00:00:00Z"},{"name":"lorem","value":"ipsum"},
		  {"name":"homepage","value":"https://example.com/main"}]}
	EOF
	cat >"$RKT_TEST_DIR/side.json" <<-'EOF'
		{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/side"}
	EOF
}

# start_mds [ARGS...] - rkt metadata-service in the background; waits until both sockets answer.
start_mds() {
	local port=18112 a
	for a in "$@"; do
		case $a in --listen-port=*) port=${a#--listen-port=} ;; esac
	done
	"$RKT" metadata-service "$@" >>"$RKT_TEST_DIR/mds.log" 2>&1 &
	MDS_PID=$!
	wait_for 10 test -S "$MDS_SOCK" || fail "no socket at $MDS_SOCK: $(cat "$RKT_TEST_DIR/mds.log")"
	wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$port/" || fail "nothing on port $port"
	MDS_URL=http://127.0.0.1:$port/$TOKEN
}

stop_mds() {
	kill -TERM "$MDS_PID"
	local rc=0
	wait "$MDS_PID" || rc=$?
	MDS_PID=
	[ "$rc" -eq 0 ] || fail "metadata-service exited with $rc: $(cat "$RKT_TEST_DIR/mds.log")"
}

# reg METHOD PATH [FILE] - a request on the registration socket; sets code and body.
reg() {
	local data=()
	[ $# -lt 3 ] || data=(-H 'Content-Type: application/json' --data-binary "@$3")
	code=$(curl -sS --unix-socket "$MDS_SOCK" -X "$1" "${data[@]}" -o "$RKT_TEST_DIR/body" -w '%{http_code}' \
		"http://localhost$2")
	body=$(cat "$RKT_TEST_DIR/body")
}

register_pod() { # [POD_MANIFEST]
	reg PUT "/pods/$UUID?token=$TOKEN&ip=172.16.28.2" "${1:-$RKT_TEST_DIR/pod.json}"
	[ "$code" = 200 ] || fail "registering the pod: $code $body"
	reg PUT "/pods/$UUID/main" "$RKT_TEST_DIR/main.json"
	[ "$code" = 200 ] || fail "registering app main: $code $body"
	if [ -z "${1:-}" ]; then
		reg PUT "/pods/$UUID/side" "$RKT_TEST_DIR/side.json"
		[ "$code" = 200 ] || fail "registering app side: $code $body"
	fi
}

# mds METHOD PATH [CURL ARGS...] - an app's request under $MDS_URL/acMetadata/v1; sets code, ctype, body
# ($RKT_TEST_DIR/body has the exact bytes).
mds() {
	local method=$1 path=$2 meta
	shift 2
	meta=$(curl -sS -X "$method" -H 'Metadata-Flavor: AppContainer' -o "$RKT_TEST_DIR/body" \
		-w '%{http_code} %{content_type}' "$@" "$MDS_URL/acMetadata/v1$path")
	code=${meta%% *}
	ctype=${meta#* }
	body=$(cat "$RKT_TEST_DIR/body")
}

# expect CODE CONTENT_TYPE [BODY] - what the last mds call got; BODY is compared byte for byte.
expect() {
	[ "$code" = "$1" ] || fail "expected status $1, got $code ($body)"
	[ "$ctype" = "$2" ] || fail "expected Content-Type '$2', got '$ctype'"
	if [ $# -ge 3 ]; then
		printf '%s' "$3" | cmp -s - "$RKT_TEST_DIR/body" || fail "expected body '$3', got '$body'"
	fi
}

@test "metadata-service: refuses to run unprivileged" {
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$RKT" metadata-service
	assert_status 254
	assert_output_contains "cannot run as unprivileged user"
}

@test "metadata-service: rejects a bad --listen-port" {
	require_root
	run "$RKT" metadata-service --listen-port=70000
	assert_status 254
	assert_output_contains "invalid argument '70000' for --listen-port"
	[ ! -e "$MDS_SOCK" ] || fail "socket left behind"
}

@test "metadata-service: a registered pod is served on every endpoint, with rkt's status codes and types" {
	require_root
	start_mds
	[ "$(stat -c '%a %U %G' "$MDS_SOCK")" = "600 root root" ] || fail "socket: $(stat -c '%a %U %G' "$MDS_SOCK")"
	register_pod

	mds GET /pod/uuid
	expect 200 "text/plain; charset=us-ascii" "$UUID"
	mds GET /pod/annotations
	expect 200 application/json "[]"
	mds GET /pod/manifest
	expect 200 application/json
	[ "$(jq -c '.annotations' <<<"$body")" = "[]" ] || fail "manifest annotations: $body"
	[ "$(jq -r '[.apps[].image.id] | join(" ")' <<<"$body")" = "$ID_MAIN $ID_SIDE" ] || fail "manifest: $body"
	[ "$(jq -r '.acKind' <<<"$body")" = PodManifest ] || fail "manifest: $body"

	mds GET /apps/main/image/id
	expect 200 "text/plain; charset=us-ascii" "$ID_MAIN"
	mds GET /apps/side/image/id
	expect 200 "text/plain; charset=us-ascii" "$ID_SIDE"
	mds GET /apps/main/image/manifest
	expect 200 application/json
	[ "$(jq -c '.app.exec' <<<"$body")" = '["/bin/main"]' ] || fail "image manifest: $body"
	# The image's order; lorem replaced in place by the pod's value, extra appended.
	mds GET /apps/main/annotations
	expect 200 application/json '[{"name":"created","value":"2015-01-01T00:00:00Z"},{"name":"lorem","value":"dolor"},{"name":"homepage","value":"https://example.com/main"},{"name":"extra","value":"x"}]'
	mds GET /apps/side/annotations
	expect 200 application/json "[]"
	mds GET /apps/main/annotations/lorem
	expect 200 "text/plain; charset=us-ascii" "dolor"
	mds GET /apps/main/annotations/nope
	[ "$code" = 404 ] || fail "missing app annotation: $code"

	# Unknown app: 404; unknown token: 401 (rkt 1.30); unknown path: 404; wrong method: 405.
	mds GET /apps/nope/image/id
	[ "$code" = 404 ] || fail "unknown app: $code"
	MDS_URL=${MDS_URL%/*}/not-$TOKEN mds GET /pod/uuid
	[ "$code" = 401 ] || fail "unknown token: $code"
	MDS_URL=${MDS_URL%/*}/not-$TOKEN mds GET /apps/main/image/manifest
	[ "$code" = 401 ] || fail "unknown token: $code"
	mds GET /pod/nothing
	[ "$code" = 404 ] || fail "unknown path: $code"
	mds POST /pod/uuid
	[ "$code" = 405 ] || fail "POST on a GET endpoint: $code"

	# The token never reaches the log; registrations do.
	grep -q "PUT /pods/$UUID - 200" "$RKT_TEST_DIR/mds.log" || fail "log: $(cat "$RKT_TEST_DIR/mds.log")"
	! grep -q "$TOKEN" "$RKT_TEST_DIR/mds.log" || fail "the token is in the log"

	# Unregistered: gone.
	reg DELETE "/pods/$UUID"
	[ "$code" = 200 ] || fail "unregister: $code $body"
	mds GET /pod/uuid
	[ "$code" = 401 ] || fail "after unregistering: $code"
	mds GET /apps/main/image/id
	[ "$code" = 401 ] || fail "after unregistering: $code"
	reg DELETE "/pods/$UUID"
	[ "$code" = 404 ] || fail "second unregister: $code"

	stop_mds
	[ ! -e "$MDS_SOCK" ] || fail "the socket outlived the service"
}

@test "metadata-service: pod annotations are served in order, one by one too" {
	require_root
	start_mds --listen-port=18119
	register_pod "$RKT_TEST_DIR/pod-annotated.json"
	mds GET /pod/annotations
	expect 200 application/json '[{"name":"example.com/owner","value":"ops"},{"name":"zeta","value":"1"}]'
	mds GET /pod/annotations/example.com/owner
	expect 200 "text/plain; charset=us-ascii" "ops"
	mds GET /pod/annotations/nope
	[ "$code" = 404 ] || fail "missing pod annotation: $code"
	# --listen-port moved the apps' side.
	run curl -s -o /dev/null "http://127.0.0.1:18112/"
	[ "$status" -ne 0 ] || fail "something still listens on 18112"
}

@test "metadata-service: HMAC signatures verify, tampered ones do not, and the key changes per start" {
	require_root
	start_mds
	register_pod
	local content="Old MacDonald Had A Farm" sig

	mds POST /pod/hmac/sign --data-urlencode "content=$content"
	expect 200 "text/plain; charset=us-ascii"
	sig=$body
	[[ $sig =~ ^[A-Za-z0-9+/]{86}==$ ]] || fail "not base64 of 64 bytes: $sig"

	mds POST /pod/hmac/verify --data-urlencode "content=$content" --data-urlencode "uuid=$UUID" \
		--data-urlencode "signature=$sig"
	expect 200 "text/plain; charset=us-ascii"
	# '+' in a form is a space, as Go's url.Values.Encode writes it.
	mds POST /pod/hmac/verify --data "content=Old+MacDonald+Had+A+Farm&uuid=$UUID" \
		--data-urlencode "signature=$sig"
	expect 200 "text/plain; charset=us-ascii"
	# Tampered content, signature or signer.
	mds POST /pod/hmac/verify --data-urlencode "content=$content!" --data-urlencode "uuid=$UUID" \
		--data-urlencode "signature=$sig"
	expect 403 "text/plain; charset=us-ascii"
	mds POST /pod/hmac/verify --data-urlencode "content=$content" --data-urlencode "uuid=$UUID" \
		--data-urlencode "signature=$(tr 'A-Za-z' 'B-ZAb-za' <<<"$sig")"
	expect 403 "text/plain; charset=us-ascii"
	mds POST /pod/hmac/verify --data-urlencode "content=$content" \
		--data-urlencode "uuid=$(cat /proc/sys/kernel/random/uuid)" --data-urlencode "signature=$sig"
	expect 403 "text/plain; charset=us-ascii"
	# Malformed requests.
	mds POST /pod/hmac/verify --data-urlencode "content=$content" --data-urlencode "uuid=$UUID" \
		--data-urlencode "signature=not base64!"
	[ "$code" = 400 ] || fail "corrupt signature: $code"
	mds POST /pod/hmac/verify --data-urlencode "content=$content" --data-urlencode "signature=$sig"
	[ "$code" = 400 ] || fail "no uuid: $code"
	mds POST /pod/hmac/sign --data-urlencode "other=x"
	[ "$code" = 400 ] || fail "sign without content: $code"
	MDS_URL=${MDS_URL%/*}/not-$TOKEN mds POST /pod/hmac/sign --data-urlencode "content=$content"
	[ "$code" = 401 ] || fail "sign with an unknown token: $code"

	# A new start draws a new key: the old signature no longer verifies.
	stop_mds
	start_mds
	register_pod
	mds POST /pod/hmac/verify --data-urlencode "content=$content" --data-urlencode "uuid=$UUID" \
		--data-urlencode "signature=$sig"
	expect 403 "text/plain; charset=us-ascii"
}

@test "metadata-service: registration refuses bad requests with rkt's codes" {
	require_root
	start_mds
	reg PUT "/pods/$UUID" "$RKT_TEST_DIR/pod.json"
	[ "$code" = 400 ] && [[ $body == *token* ]] || fail "no token: $code $body"
	reg PUT "/pods/not-a-uuid?token=$TOKEN" "$RKT_TEST_DIR/pod.json"
	[ "$code" = 400 ] || fail "bad uuid: $code $body"
	reg PUT "/pods/$UUID?token=$TOKEN" "$RKT_TEST_DIR/main.json"
	[ "$code" = 400 ] && [[ $body == *"pod manifest"* ]] || fail "image manifest as pod manifest: $code $body"
	reg PUT "/pods/$UUID/main" "$RKT_TEST_DIR/main.json"
	[ "$code" = 404 ] || fail "app of an unregistered pod: $code $body"
	register_pod
	reg PUT "/pods/$UUID/other" "$RKT_TEST_DIR/main.json"
	[ "$code" = 400 ] && [[ $body == *"has no app 'other'"* ]] || fail "app not in the pod: $code $body"
	reg PUT "/pods/$(cat /proc/sys/kernel/random/uuid)?token=$TOKEN" "$RKT_TEST_DIR/pod.json"
	[ "$code" = 409 ] || fail "token of another pod: $code $body"
	reg GET "/pods/$UUID"
	[ "$code" = 405 ] || fail "GET on the registration socket: $code"

	# A second service cannot take over the socket of a running one.
	run "$RKT" metadata-service --listen-port=18118
	assert_status 254
	assert_output_contains "already answers"
	mds GET /pod/uuid
	expect 200 "text/plain; charset=us-ascii" "$UUID"
}

@test "metadata-service: the ACE validator's metadata checks pass against it" {
	require_root
	local check=$RKT_BUILDDIR/tests/ace-metadata-check
	[ -x "$check" ] || skip "tests/ace-metadata-check not built ('make check' builds it from golang-github-appc-spec-dev)"
	start_mds
	register_pod
	run env AC_METADATA_URL="$MDS_URL" "$check"
	echo "$output"
	assert_status 0
	assert_output_contains "metadata OK"

	reg PUT "/pods/$UUID?token=$TOKEN" "$RKT_TEST_DIR/pod-annotated.json"
	[ "$code" = 200 ] || fail "re-registering: $code $body"
	reg PUT "/pods/$UUID/main" "$RKT_TEST_DIR/main.json"
	run env AC_METADATA_URL="$MDS_URL" "$check"
	echo "$output"
	assert_status 0

	# The check can fail: an app registered without its image manifest is a 404 to it.
	reg PUT "/pods/$UUID?token=$TOKEN" "$RKT_TEST_DIR/pod.json"
	reg PUT "/pods/$UUID/main" "$RKT_TEST_DIR/main.json"
	run env AC_METADATA_URL="$MDS_URL" "$check"
	echo "$output"
	assert_status 1
	assert_output_contains "apps/side/image/manifest failed with 404"
}

# mkbox - $RKT_TEST_DIR/box.aci: busybox (sh, wget, nc and the tools of /bin/attack, which is
# tests/helpers/mds-attack.sh), app "box".
mkbox() {
	mkdir -p "$RKT_TEST_DIR/box/bin" "$RKT_TEST_DIR/box/etc" "$RKT_TEST_DIR/box/tmp"
	cp /bin/busybox "$RKT_TEST_DIR/box/bin/busybox"
	for t in sh cat wget ip nc head tail tr sed sleep; do ln -s busybox "$RKT_TEST_DIR/box/bin/$t"; done
	cp "$RKT_SRCDIR/tests/helpers/mds-attack.sh" "$RKT_TEST_DIR/box/bin/attack"
	echo "root:x:0:0:root:/root:/bin/sh" >"$RKT_TEST_DIR/box/etc/passwd"
	echo "root:x:0:" >"$RKT_TEST_DIR/box/etc/group"
	python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/box.aci" --name example.com/box \
		--label version=1 --dir "$RKT_TEST_DIR/box" --exec /bin/true
}

@test "metadata-service: a pod on the default network reads its own UUID and app image through AC_METADATA_URL" {
	require_root
	require_systemd
	start_mds
	mkbox
	run rkt --insecure-options=image run --net=default --mds-register --uuid-file-save="$RKT_TEST_DIR/uuid" \
		"$RKT_TEST_DIR/box.aci" --exec /bin/sh -- -c '
		echo "$AC_METADATA_URL" >/tmp/url
		ip route | grep "^default" >/tmp/route
		wget -q -O /tmp/uuid --header "Metadata-Flavor: AppContainer" "$AC_METADATA_URL/acMetadata/v1/pod/uuid" &&
		wget -q -O /tmp/manifest --header "Metadata-Flavor: AppContainer" \
			"$AC_METADATA_URL/acMetadata/v1/apps/box/image/manifest"'
	echo "$output"
	assert_status 0
	uuid=$(cat "$RKT_TEST_DIR/uuid")
	root=$RKT_DATA_DIR/pods/run/$uuid/stage1/rootfs/opt/stage2/box/rootfs
	# The host's address on the pod's network (the pod's gateway), the service's port, the pod's token.
	gw=$(awk '{ print $3 }' "$root/tmp/route")
	[[ $(cat "$root/tmp/url") =~ ^http://$gw:18112/[0-9a-zA-Z_-]{16,}$ ]] || fail "AC_METADATA_URL: $(cat "$root/tmp/url"), gateway $gw"
	[ "$(cat "$root/tmp/uuid")" = "$uuid" ] || fail "the pod read '$(cat "$root/tmp/uuid")' as its UUID, not $uuid"
	[ "$(jq -r .name "$root/tmp/manifest")" = example.com/box ]

	# --net=none has no way to the service.
	run rkt --insecure-options=image run --net=none --mds-register "$RKT_TEST_DIR/box.aci"
	assert_status 254
	assert_output_contains "--mds-register needs a network"
}

@test "metadata-service: socket-activated by rkt-metadata.socket" {
	require_root
	require_systemd
	UNITS=1
	cp "$RKT_SRCDIR/units/rkt-metadata.socket" /run/systemd/system/
	# The unit's sandbox hides /tmp and /home (PrivateTmp=, ProtectHome=), where a build tree may live:
	# run a copy of the binary from /run, as an installed rkt would run from /usr/bin.
	install -D -m 0755 "$RKT" /run/rkt-metadata-test/rkt
	sed "s|^ExecStart=rkt |ExecStart=/run/rkt-metadata-test/rkt |" "$RKT_SRCDIR/units/rkt-metadata.service" \
		>/run/systemd/system/rkt-metadata.service
	grep -q "^ExecStart=/run/rkt-metadata-test/rkt metadata-service" /run/systemd/system/rkt-metadata.service
	systemctl daemon-reload
	systemctl start rkt-metadata.socket

	[ -S "$MDS_SOCK" ] || fail "no socket"
	[ "$(stat -c '%a %U' "$MDS_SOCK")" = "600 root" ] || fail "socket: $(stat -c '%a %U' "$MDS_SOCK")"
	run systemctl is-active rkt-metadata.service
	[ "$output" = inactive ] || fail "service started before anyone asked: $output"

	# The first registration starts the service, which takes both sockets from systemd.
	register_pod
	[ "$(systemctl is-active rkt-metadata.service)" = active ] || fail "service not active"
	MDS_URL=http://127.0.0.1:18112/$TOKEN
	mds GET /pod/uuid
	expect 200 "text/plain; charset=us-ascii" "$UUID"
	mds GET /apps/main/image/id
	expect 200 "text/plain; charset=us-ascii" "$ID_MAIN"
	wait_for 5 journal_has "socket-activated, 2 sockets from systemd" ||
		fail "journal: $(journalctl -u rkt-metadata.service --no-pager -o cat)"
	wait_for 5 journal_has "PUT /pods/$UUID - 200" || fail "registration not logged"

	# An app's request alone starts it too (registrations do not survive a restart: 401).
	systemctl kill rkt-metadata.service
	wait_for 5 service_inactive || fail "service did not stop: $(systemctl is-active rkt-metadata.service)"
	[ -S "$MDS_SOCK" ] || fail "the socket went with the service"
	mds GET /pod/uuid
	[ "$code" = 401 ] || fail "after a restart: $code $body"
	[ "$(systemctl is-active rkt-metadata.service)" = active ] || fail "not activated by the TCP socket"

	# Stopping the service stops its socket (PartOf=), which removes the socket file.
	systemctl stop rkt-metadata.service
	[ "$(systemctl is-active rkt-metadata.socket)" = inactive ] || fail "socket still active"
	[ ! -e "$MDS_SOCK" ] || fail "RemoveOnStop did not remove the socket"
}

# pod_b - a pod on the default network that signs "from-b" and exits, staying registered until it is
# collected; sets b_uuid, b_url (its AC_METADATA_URL) and b_sig.
pod_b() {
	run rkt --insecure-options=image run --net=default --mds-register --uuid-file-save="$RKT_TEST_DIR/b-uuid" \
		"$RKT_TEST_DIR/box.aci" --exec /bin/sh -- -c '
		echo "$AC_METADATA_URL" >/tmp/url
		wget -q -O /tmp/sig --header "Metadata-Flavor: AppContainer" --post-data content=from-b \
			"$AC_METADATA_URL/acMetadata/v1/pod/hmac/sign"'
	echo "$output"
	assert_status 0
	b_uuid=$(cat "$RKT_TEST_DIR/b-uuid")
	local root=$RKT_DATA_DIR/pods/run/$b_uuid/stage1/rootfs/opt/stage2/box/rootfs
	b_url=$(cat "$root/tmp/url")
	b_sig=$(cat "$root/tmp/sig")
	[[ $b_sig =~ ^[A-Za-z0-9+/]{86}==$ ]] || fail "pod B's signature: $b_sig"
}

# pod_b_intact - pod B is still registered, and still itself (asked on the host's loopback: the pod's
# network went when it exited).
pod_b_intact() {
	run curl -sS -H 'Metadata-Flavor: AppContainer' "http://127.0.0.1:18112/${b_url##*/}/acMetadata/v1/pod/uuid"
	[ "$output" = "$b_uuid" ] || fail "pod B's registration was changed: $output"
}

# results ROOT NAME=STATUS[|STATUS]... - the lines /bin/attack wrote in the app's ROOT, each one as expected
# (one of the statuses given).
results() {
	local root=$1 want got
	shift
	cat "$root/tmp/results"
	for want in "$@"; do
		got=$(awk -v n="${want%%=*}" '$1 == n { print $2 }' "$root/tmp/results")
		case "|${want#*=}|" in
		*"|$got|"*) ;;
		*) fail "${want%%=*}: got '$got', want '${want#*=}'" ;;
		esac
	done
}

# An oversized request is answered (431, 413) and its connection closed while the client is still
# sending: the reset that the rest of the request meets may discard the answer before the client reads
# it. Either way the request was refused; own_uuid_after shows that the service still serves.
HUGE=('huge_header=431|none' 'huge_body=413|none')

@test "metadata-service: a pod reads and signs as itself only, and reaches no registration" {
	require_root
	require_systemd
	start_mds
	mkbox
	pod_b
	# Neither the registration socket nor its directory is open to anyone but root.
	[ "$(stat -c '%a %U' /run/rkt)" = "755 root" ] || fail "/run/rkt: $(stat -c '%a %U' /run/rkt)"
	run setpriv --reuid=65534 --regid=65534 --clear-groups curl -sS --unix-socket "$MDS_SOCK" \
		-X DELETE "http://localhost/pods/$b_uuid"
	[ "$status" -eq 7 ] || fail "an unprivileged user reached it: $status $output"
	pod_b_intact

	run rkt --insecure-options=image run --net=default --mds-register --uuid-file-save="$RKT_TEST_DIR/a-uuid" \
		--set-env=B_UUID="$b_uuid" --set-env=B_SIG="$b_sig" "$RKT_TEST_DIR/box.aci" --exec /bin/attack -- /tmp/results
	echo "$output"
	assert_status 0
	a_uuid=$(cat "$RKT_TEST_DIR/a-uuid")
	root=$RKT_DATA_DIR/pods/run/$a_uuid/stage1/rootfs/opt/stage2/box/rootfs
	results "$root" own_uuid=200 b_uuid_as_token=401 b_manifest_as_token=401 b_annotations_as_token=401 \
		no_token=404 wrong_token=401 climb=404 sign=200 sign_as_b=401 verify_own_as_b=403 verify_b_as_own=403 \
		verify_b_as_b=200 register=404 unregister=404 unregister_token=404 socket=absent garbage=none \
		own_uuid_after=200 "${HUGE[@]}"
	[ "$(tail -n 1 "$root/tmp/resp.own_uuid")" = "$a_uuid" ] || fail "pod A read $(tail -n 1 "$root/tmp/resp.own_uuid")"
	pod_b_intact

	# A pod on the host's network, not registered: it reaches the port and gets nothing.
	run rkt --insecure-options=image run --net=host --uuid-file-save="$RKT_TEST_DIR/c-uuid" \
		--set-env=B_UUID="$b_uuid" --set-env=B_SIG="$b_sig" "$RKT_TEST_DIR/box.aci" --exec /bin/attack -- /tmp/results
	echo "$output"
	assert_status 0
	root=$RKT_DATA_DIR/pods/run/$(cat "$RKT_TEST_DIR/c-uuid")/stage1/rootfs/opt/stage2/box/rootfs
	results "$root" own_uuid=401 b_uuid_as_token=401 b_manifest_as_token=401 no_token=404 sign=401 \
		sign_as_b=401 verify_b_as_b=200 register=404 unregister=404 socket=absent "${HUGE[@]}"
	pod_b_intact
	kill -0 "$MDS_PID" || fail "the service died"
}

@test "metadata-service: a pod holding connections starves neither other pods nor registrations" {
	require_root
	require_systemd
	start_mds
	mkbox
	pod_b
	# Pod A opens idle connections until the service closes its next one unanswered, then waits.
	rkt --insecure-options=image run --net=default --mds-register --uuid-file-save="$RKT_TEST_DIR/a-uuid" \
		"$RKT_TEST_DIR/box.aci" --exec /bin/sh -- -c '
		u=${AC_METADATA_URL#http://}; u=${u%%/*}
		i=0
		while [ $i -lt 100 ]; do
			i=$((i + 1))
			sleep 300 | nc "${u%:*}" "${u#*:}" >/dev/null 2>&1 &
			if [ $i -gt 16 ] && ! printf "GET / HTTP/1.0\r\n\r\n" | nc "${u%:*}" "${u#*:}" | grep -q HTTP; then
				echo "$i" >/tmp/limited
				break
			fi
		done
		touch /tmp/holding
		sleep 300' </dev/null >"$RKT_TEST_DIR/a.log" 2>&1 3>&- &
	wait_for 30 test -s "$RKT_TEST_DIR/a-uuid" || fail "pod A did not start: $(cat "$RKT_TEST_DIR/a.log")"
	a_uuid=$(cat "$RKT_TEST_DIR/a-uuid")
	root=$RKT_DATA_DIR/pods/run/$a_uuid/stage1/rootfs/opt/stage2/box/rootfs
	wait_for 60 test -e "$root/tmp/holding" || fail "pod A never got going: $(cat "$RKT_TEST_DIR/a.log")"
	[ -s "$root/tmp/limited" ] || fail "pod A opened 100 connections and was never refused"
	# Pod B (the host's address on the bridge) and root's registrations are still served.
	pod_b_intact
	register_pod
	mds GET /pod/uuid
	expect 200 "text/plain; charset=us-ascii" "$UUID"
	rkt stop --force "$a_uuid" >/dev/null
	kill -0 "$MDS_PID" || fail "the service died"
}

journal_has() {
	journalctl -u rkt-metadata.service --no-pager -o cat | grep -qF -- "$1"
}

service_inactive() {
	[ "$(systemctl is-active rkt-metadata.service)" = inactive ]
}
