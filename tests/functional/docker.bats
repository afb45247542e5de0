#!/usr/bin/env bats
# docker:// images: fetched from a real registry (Debian's docker-registry) on loopback, pushed by
# tests/helpers/registry-push.py from layers built here, converted into one ACI.

load helpers

PUSH="$RKT_SRCDIR/tests/helpers/registry-push.py"
REG=127.0.0.1:5000
DOCKER_CONFIG='{"Env":["PATH=/bin","GREETING=hello from docker"],"Entrypoint":["/bin/sh","-c"],
 "Cmd":["echo \"$GREETING\"; pwd; id -u; test ! -e /etc/gone && echo gone-is-gone; ls /data; echo x >/cache/x && grep -q \" /cache \" /proc/self/mountinfo && echo cache-is-a-volume"],
 "WorkingDir":"/data","User":"0:0","ExposedPorts":{"80/tcp":{}},"Volumes":{"/cache":{}}}'

# start_registry NAME [AUTH-YAML [DATA]] - a registry on $REG whose access log is $SHARED/NAME.log, storing
# in DATA ($SHARED/NAME-data).
start_registry() {
	local name=$1 auth=${2:-} data=${3:-$SHARED/$1-data}
	cat >"$SHARED/$name.yml" <<-YML
	version: 0.1
	log:
	  level: info
	storage:
	  filesystem:
	    rootdirectory: $data
	http:
	  addr: $REG
	$auth
	YML
	docker-registry serve "$SHARED/$name.yml" >"$SHARED/$name.log" 2>&1 &
	echo $! >"$SHARED/registry.pid"
	# Any answer will do: with token auth, /v2/ answers 401.
	wait_for 20 curl -s -o /dev/null "http://$REG/v2/"
}

stop_registry() {
	[ -f "$SHARED/registry.pid" ] && kill "$(cat "$SHARED/registry.pid")" 2>/dev/null
	rm -f "$SHARED/registry.pid"
	wait_for 20 bash -c "! curl -s -o /dev/null http://$REG/v2/"
}

# blob_gets NAME - how many blob GETs the registry NAME served.
blob_gets() {
	grep -c '"GET /v2/[^ ]*/blobs/sha256:' "$SHARED/$1.log" || true
}

setup_file() {
	export SHARED=$BATS_FILE_TMPDIR
	# The package's own service listens on :5000; the tests run registries of their own there.
	systemctl stop docker-registry.service 2>/dev/null || true
	local l=$SHARED/layers
	mkdir -p "$l/base/bin" "$l/base/etc" "$l/base/data/old" "$l/top/etc" "$l/top/data" "$l/other"
	cp /bin/busybox "$l/base/bin/busybox"
	for t in sh echo pwd id test ls cat grep; do ln -s busybox "$l/base/bin/$t"; done
	echo gone >"$l/base/etc/gone"
	echo old >"$l/base/data/old/file"
	: >"$l/top/etc/.wh.gone"
	: >"$l/top/data/.wh..wh..opq"
	echo new >"$l/top/data/new"
	echo other >"$l/other/other"
	tar -C "$l/base" -czf "$SHARED/base.tgz" .
	tar -C "$l/top" -cf "$SHARED/top.tar" .
	tar -C "$l/other" -czf "$SHARED/other.tgz" .
	start_registry plain
	python3 "$PUSH" "$REG" test/app 1.0 --layer "$SHARED/base.tgz" --layer "$SHARED/top.tar" --config "$DOCKER_CONFIG" >"$SHARED/app.digest"
	python3 "$PUSH" "$REG" test/oci 2.0 --oci --layer "$SHARED/base.tgz" --layer "$SHARED/top.tar" --config "$DOCKER_CONFIG" >"$SHARED/oci.digest"
	python3 "$PUSH" "$REG" test/oci arm --oci --arch arm64 --layer "$SHARED/other.tgz" >"$SHARED/arm.digest"
	python3 "$PUSH" "$REG" test/oci multi --oci --index "$(cat "$SHARED/arm.digest")=arm64" --index "$(cat "$SHARED/oci.digest")=amd64" >/dev/null
	python3 "$PUSH" "$REG" test/other 1.0 --layer "$SHARED/base.tgz" --layer "$SHARED/other.tgz" --config '{"Cmd":["/bin/cat","/other"]}' >/dev/null
}

teardown_file() {
	stop_token
	stop_registry
}

dfetch() {
	rkt --insecure-options=image,http fetch "$@"
}

@test "docker: without --insecure-options=image the fetch is refused, as rkt did" {
	run rkt --insecure-options=http fetch docker://$REG/test/app:1.0
	assert_status 254
	assert_output_contains "image 'docker://$REG/test/app:1.0': signature verification for docker images is not supported (try --insecure-options=image)"
	run rkt --insecure-options=image fetch docker://$REG/test/app:1.0
	assert_status 254
	assert_output_contains "https://$REG/v2/test/app/manifests/1.0"
	# The registry speaks plain HTTP: the TLS failure says which option makes rkt speak it too.
	assert_output_contains "--insecure-options=http"
	[ "$(rkt image list --format=json | jq length)" -eq 0 ]
}

@test "docker: fetch converts a schema 2 image; image list shows its name and labels; run prints the app's output" {
	require_systemd
	run dfetch docker://$REG/test/app:1.0
	assert_status 0
	id=${lines[-1]}
	[[ $id == sha512-* ]] || fail "$output"
	[ "$(rkt image list --format=json | jq -r '.[0].name')" = "127.0.0.1_5000/test/app:1.0" ]
	m=$(rkt image cat-manifest "$id")
	[ "$(jq -r '.labels[] | select(.name == "os") | .value' <<<"$m")" = linux ]
	[ "$(jq -r '.labels[] | select(.name == "arch") | .value' <<<"$m")" = amd64 ]
	[ "$(jq -r '.app.ports[0].name' <<<"$m")" = 80-tcp ]
	[ "$(jq -r '.app.workingDirectory' <<<"$m")" = /data ]
	[ "$(jq -r '.app.mountPoints[0].name + " " + .app.mountPoints[0].path' <<<"$m")" = "volume-cache /cache" ]
	[ "$(jq -r '.annotations[] | select(.name == "appc.io/docker/manifesthash") | .value' <<<"$m")" = "$(cat "$SHARED/app.digest")" ]

	run rkt --insecure-options=image,http run --net=host docker://$REG/test/app:1.0
	assert_status 0
	assert_output_contains "hello from docker"
	assert_output_contains "gone-is-gone"
	assert_output_contains "new"
	assert_output_contains "cache-is-a-volume"
	[[ $output != *"]: old"* ]] || fail "the opaque whiteout did not hide /data/old: $output"
	# The store remembers the reference: no manifest is asked for under --pull-policy=new (run's default).
	n=$(grep -c 'GET /v2/test/app/manifests' "$SHARED/plain.log")
	run rkt --insecure-options=image,http prepare docker://$REG/test/app:1.0
	assert_status 0
	[ "$(grep -c 'GET /v2/test/app/manifests' "$SHARED/plain.log")" -eq "$n" ]
}

@test "docker: an OCI index picks the host's image; layers shared with another image are not downloaded again" {
	run dfetch docker://$REG/test/oci:multi
	assert_status 0
	[ "$(rkt image list --format=json | jq -r '.[0].name')" = "127.0.0.1_5000/test/oci:multi" ]
	rkt image extract --rootfs-only "${lines[-1]}" "$RKT_TEST_DIR/x"
	[ -f "$RKT_TEST_DIR/x/data/new" ]
	[ ! -e "$RKT_TEST_DIR/x/etc/gone" ]
	[ ! -e "$RKT_TEST_DIR/x/other" ]
	before=$(blob_gets plain)
	# test/other shares the base layer: only its config and its own layer come over the wire.
	run dfetch docker://$REG/test/other:1.0
	assert_status 0
	[ "$(( $(blob_gets plain) - before ))" -eq 2 ] || fail "blob GETs: $(( $(blob_gets plain) - before ))"
	# An unchanged manifest under --pull-policy=update reuses the image without fetching any blob.
	before=$(blob_gets plain)
	run dfetch --pull-policy=update docker://$REG/test/other:1.0
	assert_status 0
	[ "$(blob_gets plain)" -eq "$before" ]
	[ "$(find "$RKT_DATA_DIR/cas/docker/blobs/sha256" -type f | wc -l)" -eq 3 ]
	# gc keeps the layers the stored images were made of, and drops them with the images.
	rkt image gc >/dev/null
	[ "$(find "$RKT_DATA_DIR/cas/docker/blobs/sha256" -type f | wc -l)" -eq 3 ]
	for i in $(rkt image list --format=json | jq -r '.[].id'); do rkt image rm "$i" >/dev/null; done
	rkt image gc --grace-period=0s >/dev/null
	[ "$(find "$RKT_DATA_DIR/cas/docker/blobs/sha256" -type f | wc -l)" -eq 0 ]
}

@test "docker: a blob whose content does not match its digest fails the fetch and leaves the store as it was" {
	python3 "$PUSH" "$REG" test/bad 1.0 --layer "$SHARED/other.tgz" >/dev/null
	digest=$(tar -tzf "$SHARED/other.tgz" >/dev/null && sha256sum "$SHARED/other.tgz" | cut -d' ' -f1)
	data="$SHARED/plain-data/docker/registry/v2/blobs/sha256/${digest:0:2}/$digest/data"
	[ -f "$data" ] || fail "no blob at $data"
	cp "$data" "$SHARED/saved"
	printf 'X' | dd of="$data" bs=1 seek=20 conv=notrunc 2>/dev/null
	run dfetch docker://$REG/test/bad:1.0
	cp "$SHARED/saved" "$data"
	assert_status 254
	assert_output_contains "layer 'sha256:$digest': digest mismatch"
	[ "${#lines[@]}" -eq 1 ] || fail "not one line: $output"
	[ "$(rkt image list --format=json | jq length)" -eq 0 ]
	[ -z "$(find "$RKT_DATA_DIR/cas" -path '*blobs*' -type f)" ] || fail "left: $(find "$RKT_DATA_DIR/cas" -type f)"
	[ -z "$(find "$RKT_DATA_DIR/cas/remote" "$RKT_DATA_DIR/cas/tmp" -type f 2>/dev/null)" ] || fail "records or temp files left"
}

@test "docker: a layer left partly downloaded is resumed with a range request; wrong bytes in one come again whole" {
	local digest size blobs
	digest=$(sha256sum "$SHARED/base.tgz" | cut -d' ' -f1)
	size=$(stat -c %s "$SHARED/base.tgz")
	blobs=$RKT_DATA_DIR/cas/docker/blobs/sha256
	rkt image list >/dev/null
	install -d -m 0700 "$RKT_DATA_DIR/cas/docker" "$RKT_DATA_DIR/cas/docker/blobs" "$blobs"
	head -c $((size / 2)) "$SHARED/base.tgz" >"$blobs/.partial-$digest"
	run dfetch docker://$REG/test/app:1.0
	assert_status 0
	grep -q "\"GET /v2/test/app/blobs/sha256:$digest HTTP/1.1\" 206 " "$SHARED/plain.log" ||
		fail "no range request: $(grep "$digest" "$SHARED/plain.log")"
	[ ! -e "$blobs/.partial-$digest" ] || fail "the partial file was left"
	cmp "$blobs/$digest" "$SHARED/base.tgz"
	id=${lines[-1]}

	# The first half wrong: the whole fails its digest check, and the layer is downloaded again, whole.
	rkt image rm "$id" >/dev/null
	rkt image gc --grace-period=0s >/dev/null
	[ ! -e "$blobs/$digest" ] || fail "gc left the layer"
	head -c $((size / 2)) /dev/zero >"$blobs/.partial-$digest"
	run dfetch docker://$REG/test/app:1.0
	assert_status 0
	[ "$(grep -c "\"GET /v2/test/app/blobs/sha256:$digest HTTP/1.1\" 206 " "$SHARED/plain.log")" -eq 2 ] ||
		fail "the wrong partial file was not resumed first: $(grep "$digest" "$SHARED/plain.log")"
	cmp "$blobs/$digest" "$SHARED/base.tgz"
	[ ! -e "$blobs/.partial-$digest" ] || fail "the partial file was left"
	rkt image extract --rootfs-only "${lines[-1]}" "$RKT_TEST_DIR/x"
	[ "$(cat "$RKT_TEST_DIR/x/data/new")" = new ]
}

@test "docker: layers downloaded one at a time or several at once make the same tree" {
	local n id
	for n in 1 8; do
		export RKT_DOCKER_PARALLEL_LAYERS=$n
		run dfetch docker://$REG/test/other:1.0
		unset RKT_DOCKER_PARALLEL_LAYERS
		assert_status 0
		id=${lines[-1]}
		[ "$(find "$RKT_DATA_DIR/cas/docker/blobs/sha256" -type f | wc -l)" -eq 2 ]
		rkt image extract --rootfs-only "$id" "$RKT_TEST_DIR/x$n"
		rkt image rm "$id" >/dev/null
		rkt image gc --grace-period=0s >/dev/null
		[ -z "$(find "$RKT_DATA_DIR/cas/docker/blobs/sha256" -type f)" ] || fail "gc left layers"
	done
	diff -r "$RKT_TEST_DIR/x1" "$RKT_TEST_DIR/x8"
	[ "$(cat "$RKT_TEST_DIR/x8/other")" = other ]
}

@test "docker: a layer a manifest lists twice is downloaded once and applied twice" {
	local before
	python3 "$PUSH" "$REG" test/dup 1.0 --layer "$SHARED/other.tgz" --layer "$SHARED/top.tar" --layer "$SHARED/other.tgz" \
		--config '{"Cmd":["/bin/cat","/other"]}' >/dev/null
	before=$(blob_gets plain)
	run dfetch docker://$REG/test/dup:1.0
	assert_status 0
	# The config and two distinct layers.
	[ "$(( $(blob_gets plain) - before ))" -eq 3 ] || fail "blob GETs: $(( $(blob_gets plain) - before ))"
	rkt image extract --rootfs-only "${lines[-1]}" "$RKT_TEST_DIR/x"
	[ "$(cat "$RKT_TEST_DIR/x/other")" = other ]
	[ "$(cat "$RKT_TEST_DIR/x/data/new")" = new ]
}

@test "docker: a registry with basic auth takes the dockerAuth credentials from auth.d" {
	stop_registry
	htpasswd -Bbc "$SHARED/htpasswd" user secret >/dev/null
	start_registry auth "$(printf 'auth:\n  htpasswd:\n    realm: test\n    path: %s' "$SHARED/htpasswd")"
	python3 "$PUSH" "$REG" test/private 1.0 --user user:secret --layer "$SHARED/other.tgz" --config '{"Cmd":["/bin/cat","/other"]}' >/dev/null
	run dfetch docker://$REG/test/private:1.0
	assert_status 254
	assert_output_contains "registry '$REG' needs credentials: configure them in a 'dockerAuth' file in auth.d"
	mkdir -p "$RKT_LOCAL_CONFIG_DIR/auth.d"
	cat >"$RKT_LOCAL_CONFIG_DIR/auth.d/docker.json" <<-JSON
	{"rktKind":"dockerAuth","rktVersion":"v1","registries":["$REG"],"credentials":{"user":"user","password":"wrong"}}
	JSON
	run dfetch docker://$REG/test/private:1.0
	assert_status 254
	assert_output_contains "the dockerAuth credentials were refused"
	sed -i 's/"wrong"/"secret"/' "$RKT_LOCAL_CONFIG_DIR/auth.d/docker.json"
	run dfetch docker://$REG/test/private:1.0
	assert_status 0
	[ "$(rkt image list --format=json | jq -r '.[0].name')" = "127.0.0.1_5000/test/private:1.0" ]
	stop_registry
	start_registry plain
}

# Token auth: the registry answers 401 with a Bearer challenge naming the token server of
# tests/helpers/token-server.py, which signs its JWTs with a key whose certificate the registry trusts.
TOKEN_SERVER="$RKT_SRCDIR/tests/helpers/token-server.py"

# start_token HOST [ARGS...] - a token server on HOST:5001 (ARGS: --user USER:PASSWORD) logging its
# requests to $SHARED/tokens.log and misbehaving as $SHARED/tokens.mode says; and the registry on $REG
# (its access log $SHARED/token.log), its realm http://HOST:5001/token, serving what setup_file pushed.
start_token() {
	local host=$1
	shift
	stop_registry
	stop_token
	if [ ! -f "$SHARED/token.crt" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=test-token-issuer -days 2 \
			-keyout "$SHARED/token.key" -out "$SHARED/token.crt" 2>/dev/null
	fi
	: >"$SHARED/tokens.log"
	rm -f "$SHARED/tokens.mode" "$SHARED/tokens.ready"
	python3 "$TOKEN_SERVER" --listen "$host" --port 5001 --key "$SHARED/token.key" --cert "$SHARED/token.crt" \
		--issuer test-issuer --service test-registry --log "$SHARED/tokens.log" \
		--mode-file "$SHARED/tokens.mode" --ready "$SHARED/tokens.ready" "$@" >"$SHARED/tokens.out" 2>&1 &
	echo $! >"$SHARED/tokens.pid"
	wait_for 20 test -s "$SHARED/tokens.ready"
	start_registry token "$(printf 'auth:\n  token:\n    realm: http://%s:5001/token\n    service: test-registry\n    issuer: test-issuer\n    rootcertbundle: %s' \
		"$host" "$SHARED/token.crt")" "$SHARED/plain-data"
}

stop_token() {
	[ -f "$SHARED/tokens.pid" ] && kill "$(cat "$SHARED/tokens.pid")" 2>/dev/null
	rm -f "$SHARED/tokens.pid"
}

# docker_auth REGISTRIES-JSON PASSWORD - the dockerAuth file of auth.d, for user "user".
docker_auth() {
	mkdir -p "$RKT_LOCAL_CONFIG_DIR/auth.d"
	cat >"$RKT_LOCAL_CONFIG_DIR/auth.d/docker.json" <<-JSON
	{"rktKind":"dockerAuth","rktVersion":"v1","registries":$1,"credentials":{"user":"user","password":"$2"}}
	JSON
}

# token_users - the user of each request the token server got, one a line ("null": no credentials).
token_users() {
	jq -r '.user' "$SHARED/tokens.log" | sort -u | tr '\n' ' '
}

assert_store_empty() {
	[ "$(rkt image list --format=json | jq length)" -eq 0 ] || fail "images stored: $(rkt image list)"
	[ -z "$(find "$RKT_DATA_DIR/cas" -path '*blobs*' -type f 2>/dev/null)" ] || fail "layers left"
}

@test "docker: token auth: an anonymous pull gets its token from the registry's token server" {
	start_token 127.0.0.1
	run dfetch docker://$REG/test/app:1.0
	assert_status 0
	[[ ${lines[-1]} == sha512-* ]] || fail "$output"
	[ "$(rkt image list --format=json | jq -r '.[0].name')" = "127.0.0.1_5000/test/app:1.0" ]
	# The registry refused the manifest without a token, then served it to the bearer of one.
	grep -q '"GET /v2/test/app/manifests/1.0 HTTP/1.1" 401 ' "$SHARED/token.log" || fail "no 401"
	grep -q '"GET /v2/test/app/manifests/1.0 HTTP/1.1" 200 ' "$SHARED/token.log" || fail "no 200"
	[ "$(token_users)" = "null " ] || fail "token requests: $(cat "$SHARED/tokens.log")"
	[ "$(jq -r 'select(.status == 200) | .query' "$SHARED/tokens.log" | sort -u)" = \
		"scope=repository%3Atest%2Fapp%3Apull&service=test-registry" ] || fail "$(cat "$SHARED/tokens.log")"
}

@test "docker: token auth: the dockerAuth credentials go to the token server; missing or wrong ones fail cleanly" {
	start_token 127.0.0.1 --user user:secret
	# No credentials: the token grants nothing, and the registry refuses it.
	run dfetch docker://$REG/test/app:1.0
	assert_status 254
	assert_one_error_line
	assert_output_contains "bad HTTP status code: 401 (Unauthorized) from 'http://$REG/v2/test/app/manifests/1.0'; credentials go in a 'dockerAuth' file in auth.d"
	assert_store_empty
	[ "$(token_users)" = "null " ] || fail "token requests: $(cat "$SHARED/tokens.log")"

	docker_auth "[\"$REG\"]" wrong
	run dfetch docker://$REG/test/app:1.0
	assert_status 254
	assert_one_error_line
	assert_output_contains "the token server 'http://127.0.0.1:5001/token' refused the dockerAuth credentials for '$REG'"
	assert_store_empty

	# The token server is on the registry's host (another port): the credentials go to it.
	docker_auth "[\"$REG\"]" secret
	: >"$SHARED/tokens.log"
	run dfetch docker://$REG/test/app:1.0
	assert_status 0
	[ "$(rkt image list --format=json | jq -r '.[0].name')" = "127.0.0.1_5000/test/app:1.0" ]
	[ "$(token_users)" = "user " ] || fail "token requests: $(cat "$SHARED/tokens.log")"
}

@test "docker: token auth: a hostile token server fails the fetch with one line and leaves the store as it was" {
	local mode expect
	start_token 127.0.0.1
	for mode in notjson huge control silent; do
		case $mode in
		notjson) expect="the token server 'http://127.0.0.1:5001/token': the answer is not valid JSON" ;;
		huge) expect="the token server 'http://127.0.0.1:5001/token': the answer from 'http://127.0.0.1:5001/token?" ;;
		control) expect="the token server 'http://127.0.0.1:5001/token': token: must not contain control characters" ;;
		silent) expect="stalled: no data for 2 s" ;;
		esac
		echo "$mode" >"$SHARED/tokens.mode"
		# The silent server never answers: the stall timeout ends the fetch (timeout is only a backstop).
		run timeout 120 "$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
			--system-config="$RKT_SYSTEM_CONFIG_DIR" --stall-timeout=2s \
			--insecure-options=image,http fetch docker://$REG/test/app:1.0
		assert_status 254
		assert_one_error_line
		assert_output_contains "$expect"
		[[ $output != *X-Evil* ]] || fail "the token's bytes reached the message: $output"
		assert_store_empty
	done
	[ "$(jq -s 'length' "$SHARED/tokens.log")" -eq 4 ] || fail "token requests: $(cat "$SHARED/tokens.log")"
}

@test "docker: token auth: a registry's credentials do not go to a token server on another host" {
	# The realm is on 127.0.0.2, another host than the registry's 127.0.0.1.
	start_token 127.0.0.2 --user user:secret
	docker_auth "[\"$REG\"]" secret
	run dfetch docker://$REG/test/app:1.0
	assert_status 254
	assert_one_error_line
	assert_output_contains "the dockerAuth credentials for '$REG' were not sent to its token server on another host, '127.0.0.2:5001'"
	assert_store_empty
	[ "$(token_users)" = "null " ] || fail "credentials went to the foreign realm: $(cat "$SHARED/tokens.log")"

	# Named among the registries of the credentials, the token server's host gets them.
	docker_auth "[\"$REG\", \"127.0.0.2:5001\"]" secret
	: >"$SHARED/tokens.log"
	run dfetch docker://$REG/test/app:1.0
	assert_status 0
	[ "$(token_users)" = "user " ] || fail "token requests: $(cat "$SHARED/tokens.log")"
}
