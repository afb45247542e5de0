#!/usr/bin/env bats
# Fetching over HTTP(S) and by appc discovery, with signature verification against the trust store,
# against a real server on loopback (tests/helpers/httpd.py) with a throwaway CA.

load helpers
load fetch-helpers

setup_file() {
	fetch_setup_file
}

teardown_file() {
	fetch_teardown_file
}

setup() {
	rkt_setup
	fetch_setup
}

# fetch_ok ARGS... - rkt fetch that must succeed; $id is the full image ID, $err its stderr.
fetch_ok() {
	local out
	out=$(rkt fetch --full "$@" 2>"$RKT_TEST_DIR/stderr") || fail "rkt fetch $* failed: $(cat "$RKT_TEST_DIR/stderr")"
	id=$out
	err=$(cat "$RKT_TEST_DIR/stderr")
	[[ $id == sha512-* ]] || fail "no image ID: '$id'"
}

@test "https URL: a signature by a trusted key is verified and the image stored" {
	publish t1/app.aci localhost/t1 --label version=1.0
	trust_key signer localhost/t1
	fetch_ok https://localhost/t1/app.aci
	[[ $err == *"signature verified for 'localhost/t1'"*"Test Signer <signer@example.com>"* ]] || fail "$err"
	[ "$(image_count)" -eq 1 ]
	[ "$(rkt_system_cas image list --format=json | jq -r '.[0].name')" = localhost/t1:1.0 ]
	# The record remembers the URL: with --pull-policy=new the server is not asked again.
	: >"$HTTPD_LOG"
	run rkt fetch --pull-policy=new https://localhost/t1/app.aci
	assert_status 0
	[ "$(requests /t1/app.aci)" -eq 0 ]
	[ "$(requests /t1/app.aci.asc)" -eq 0 ]
}

@test "discovery: a name with labels is found through ac-discovery meta tags, walking up the path" {
	publish localhost/t2/app-1.0-linux-amd64.aci localhost/t2/app --label version=1.0
	publish localhost/t2/app-2.0-linux-amd64.aci localhost/t2/app --label version=2.0
	# Only the host's page has tags: localhost/t2/app and localhost/t2 answer 404.
	discovery_page "" "https://localhost/{name}-{version}-{os}-{arch}.{ext}"
	trust_key signer localhost/t2
	fetch_ok localhost/t2/app:2.0
	[ "$(rkt_system_cas image list --format=json | jq -r '.[0].name')" = localhost/t2/app:2.0 ]
	rkt_system_cas image cat-manifest "$id" | jq -e '.labels[] | select(.name == "version" and .value == "2.0")'
	[ "$(requests /t2/app)" -eq 1 ]
	[ "$(requests /t2)" -eq 1 ]
	[ "$(requests /)" -eq 1 ]
	[ "$(requests /localhost/t2/app-2.0-linux-amd64.aci 200)" -eq 1 ]
	# With os and arch given explicitly, and the version label spelled out.
	fetch_ok localhost/t2/app,version=1.0,os=linux,arch=amd64
	[ "$(image_count)" -eq 2 ]
}

@test "discovery: --pull-policy new uses the store, never refuses what is missing, update asks again" {
	publish t3/app-1.0.aci localhost/t3 --label version=1.0
	discovery_page t3 "https://localhost/t3/app-{version}.{ext}"
	trust_key signer localhost/t3
	run rkt fetch --pull-policy=never localhost/t3:1.0
	assert_status 254
	assert_output_contains "image 'localhost/t3:1.0': not in the store (--pull-policy=never)"
	fetch_ok --pull-policy=new localhost/t3:1.0
	: >"$HTTPD_LOG"
	fetch_ok --pull-policy=new localhost/t3:1.0
	fetch_ok --pull-policy=never localhost/t3:1.0
	[ "$(jq -s length "$HTTPD_LOG")" -eq 0 ]
	fetch_ok localhost/t3:1.0
	[ "$(requests /t3)" -eq 1 ]
}

@test "discovery: a version the image does not carry is refused" {
	publish t4/app.aci localhost/t4 --label version=1.2.0
	discovery_page t4 "https://localhost/t4/app.{ext}"
	trust_key signer localhost/t4
	run rkt fetch localhost/t4:2.0
	assert_status 254
	assert_output_contains 'requested value for label "version": "2.0" differs from fetched aci label value: "1.2.0"'
	assert_store_empty
}

@test "a tampered image is refused: image was modified or signature does not match" {
	publish t5/app.aci localhost/t5
	trust_key signer localhost/t5
	# Re-make the image (other content) without signing it again.
	mkaci "$SRV/t5/app.aci" --name localhost/t5 --file /etc/evil=1
	run rkt fetch https://localhost/t5/app.aci
	assert_status 254
	assert_output_contains "image 'https://localhost/t5/app.aci': image was modified or signature does not match"
	assert_store_empty
}

@test "a signature by an untrusted key names the key and the rkt trust command" {
	mkaci "$SRV/t6.aci" --name localhost/t6
	sign other "$SRV/t6.aci"
	trust_key signer localhost/t6
	run rkt fetch https://localhost/t6.aci
	assert_status 254
	assert_output_contains "openpgp: signature made by unknown entity: "
	assert_output_contains "signature made by unknown key $(cat "$KEYS/other.fpr")"
	assert_output_contains "rkt trust --prefix=localhost/t6"
	assert_store_empty
	# By name, the signer is known to be wrong before the image is downloaded.
	discovery_page t6 "https://localhost/t6.{ext}"
	: >"$HTTPD_LOG"
	run rkt fetch localhost/t6
	assert_status 254
	assert_output_contains "image: searching for app image localhost/t6"
	assert_output_contains "signature made by unknown key $(cat "$KEYS/other.fpr")"
	[ "$(requests /t6.aci)" -eq 0 ]
	assert_store_empty
}

@test "a key trusted for another prefix does not verify the image" {
	publish t7/app.aci localhost/t7/app
	trust_key signer localhost/t7/other
	trust_key signer localhost/t7/application
	run rkt fetch https://localhost/t7/app.aci
	assert_status 254
	assert_output_contains "signature made by key $(cat "$KEYS/signer.fpr"), which is trusted for prefix 'localhost/t7/application, localhost/t7/other' but not for 'localhost/t7/app'"
	assert_output_contains "rkt trust --prefix=localhost/t7/app"
	assert_store_empty
	# An ancestor prefix covers the name.
	trust_key signer localhost/t7
	fetch_ok https://localhost/t7/app.aci
}

@test "a signature by an expired key is refused" {
	mkaci "$SRV/t8.aci" --name localhost/t8
	sign expired "$SRV/t8.aci"
	trust_key expired localhost/t8
	run rkt fetch https://localhost/t8.aci
	assert_status 254
	assert_output_contains "the signing key $(cat "$KEYS/expired.fpr")"
	assert_output_contains "expired on 2020-01-02"
	assert_store_empty
}

@test "a signature by a revoked key is refused" {
	mkaci "$SRV/t9.aci" --name localhost/t9
	sign revoked "$SRV/t9.aci"
	revoke_key revoked
	trust_key revoked localhost/t9
	run rkt fetch https://localhost/t9.aci
	assert_status 254
	assert_output_contains "the signing key $(cat "$KEYS/revoked.fpr")"
	assert_output_contains "has been revoked"
	assert_store_empty
}

@test "a missing signature is refused; --insecure-options=image fetches without one" {
	mkaci "$SRV/t10.aci" --name localhost/t10
	trust_key signer localhost/t10
	run rkt fetch https://localhost/t10.aci
	assert_status 254
	assert_output_contains "no signature at 'https://localhost/t10.aci.asc' (bad HTTP status code: 404 (Not Found)"
	assert_output_contains "--insecure-options=image"
	assert_store_empty
	[ "$(requests /t10.aci)" -eq 0 ]
	fetch_ok --insecure-options=image https://localhost/t10.aci
	# What came in unverified is not handed out by a fetch that verifies, not even with --pull-policy=new.
	run rkt fetch --pull-policy=new https://localhost/t10.aci
	assert_status 254
	assert_output_contains "no signature at 'https://localhost/t10.aci.asc'"
}

@test "TLS: a server certificate from an unknown CA is refused; --insecure-options=tls skips the check" {
	publish t11.aci localhost/t11
	trust_key signer localhost/t11
	run rkt_system_cas fetch https://localhost/t11.aci
	assert_status 254
	assert_output_contains "TLS certificate verification failed for 'https://localhost/t11.aci.asc'"
	assert_output_contains "--insecure-options=tls"
	assert_store_empty
	run rkt_system_cas --insecure-options=tls fetch https://localhost/t11.aci
	assert_status 0
	assert_output_contains "warning: TLS verification has been disabled"
}

@test "a plain http URL the user names is fetched and verified; a redirect to plain http needs --insecure-options=http" {
	publish t12.aci localhost/t12
	trust_key signer localhost/t12
	rules '{"/t12r.aci.asc": {"redirect": "http://localhost/t12.aci.asc"}}'
	cp "$SRV/t12.aci" "$SRV/t12r.aci"
	run rkt fetch https://localhost/t12r.aci
	assert_status 254
	assert_output_contains "refusing the redirect to plain HTTP 'http://localhost/t12.aci.asc'"
	assert_store_empty
	fetch_ok http://localhost/t12.aci
	# A redirect between https URLs is followed.
	rules '{"/moved.aci": {"redirect": "https://localhost/t12.aci"}, "/moved.aci.asc": {"redirect": "/t12.aci.asc"}}'
	fetch_ok https://localhost/moved.aci
}

@test "HTTP 404 for the image names the URL and the status" {
	mkaci "$RKT_TEST_DIR/x.aci" --name localhost/t13
	sign signer "$RKT_TEST_DIR/x.aci" "$SRV/t13.aci.asc"
	trust_key signer localhost/t13
	run rkt fetch https://localhost/t13.aci
	assert_status 254
	assert_output_contains "image 'https://localhost/t13.aci': bad HTTP status code: 404 (Not Found) from 'https://localhost/t13.aci'"
	assert_store_empty
}

@test "ETag: revalidation answered 304 does not download the image again" {
	publish t14.aci localhost/t14 --dir "$(bigdir 300000)"
	trust_key signer localhost/t14
	size=$(stat -c %s "$SRV/t14.aci")
	fetch_ok https://localhost/t14.aci
	first=$id
	fetch_ok https://localhost/t14.aci
	[ "$id" = "$first" ]
	[ "$(requests /t14.aci 304)" -eq 1 ] || fail "$(cat "$HTTPD_LOG")"
	[ "$(served_bytes /t14.aci)" -eq "$size" ]
	jq -s -e '[.[] | select(.path == "/t14.aci" and .status == 304)][0].if_none_match != null' "$HTTPD_LOG"
	# A changed image is downloaded again.
	publish t14.aci localhost/t14 --label version=2
	fetch_ok https://localhost/t14.aci
	[ "$id" != "$first" ]
	[ "$(image_count)" -eq 2 ]
}

@test "Cache-Control max-age: within it the server is not asked at all" {
	publish t15.aci localhost/t15
	trust_key signer localhost/t15
	rules '{"/t15.aci": {"max_age": 3600}}'
	run rkt --debug fetch https://localhost/t15.aci
	assert_status 0
	assert_output_contains "image: fetching image from https://localhost/t15.aci"
	: >"$HTTPD_LOG"
	run rkt --debug fetch https://localhost/t15.aci
	assert_status 0
	assert_output_contains "image: image for https://localhost/t15.aci isn't expired, not fetching."
	[ "$(jq -s length "$HTTPD_LOG")" -eq 0 ] || fail "$(cat "$HTTPD_LOG")"
	# max-age 0 (or none): asked every time.
	publish t15b.aci localhost/t15
	rules '{"/t15b.aci": {"max_age": 0}}'
	fetch_ok https://localhost/t15b.aci
	fetch_ok https://localhost/t15b.aci
	[ "$(requests /t15b.aci)" -eq 2 ]
}

@test "a connection dropped mid-transfer is resumed where it stopped" {
	publish t16.aci localhost/t16 --dir "$(bigdir 600000)"
	trust_key signer localhost/t16
	size=$(stat -c %s "$SRV/t16.aci")
	rules '{"/t16.aci": {"drop_after": 200000, "drop_times": 2}}'
	fetch_ok https://localhost/t16.aci
	[ "$(requests /t16.aci)" -eq 3 ]
	[ "$(jq -s '[.[] | select(.path == "/t16.aci" and .status == 206)] | length' "$HTTPD_LOG")" -eq 2 ]
	jq -s -e '[.[] | select(.path == "/t16.aci")][1].range == "bytes=200000-"' "$HTTPD_LOG"
	[ "$(served_bytes /t16.aci)" -eq "$size" ]
	[ "$(rkt_system_cas image list --format=json | jq -r '.[0].name')" = localhost/t16 ]
}

@test "a server that keeps dropping the connection without validators fails cleanly" {
	publish t17.aci localhost/t17 --dir "$(bigdir 300000)"
	trust_key signer localhost/t17
	size=$(stat -c %s "$SRV/t17.aci")
	rules '{"/t17.aci": {"drop_after": 1000, "no_validators": true, "no_ranges": true}}'
	run rkt fetch https://localhost/t17.aci
	assert_status 254
	assert_output_contains "the connection to 'https://localhost/t17.aci' was closed after 1000 of $size bytes (5 attempts)"
	assert_store_empty
}

@test "a stalled transfer times out with a clear message; the next fetch resumes the partial download" {
	publish t18.aci localhost/t18 --dir "$(bigdir 300000)"
	trust_key signer localhost/t18
	size=$(stat -c %s "$SRV/t18.aci")
	rules '{"/t18.aci": {"stall_after": 100000, "stall_times": 1}}'
	SECONDS=0
	run rkt fetch --stall-timeout=1s https://localhost/t18.aci
	assert_status 254
	assert_output_contains "the transfer from 'https://localhost/t18.aci' stalled: no data for 1 s (after 100000 of $size bytes)"
	# Well before the default stall timeout (30 s): the flag took effect. Not a speed bound.
	[ "$SECONDS" -lt 30 ] || fail "took $SECONDS s"
	[ "$(image_count)" -eq 0 ]
	# The partial download stays for a resume.
	fetch_ok https://localhost/t18.aci
	[[ $err == *"resumed the download of 'https://localhost/t18.aci' at byte 100000"* ]] || fail "$err"
	jq -s -e '[.[] | select(.path == "/t18.aci")][1] | .range == "bytes=100000-" and .status == 206' "$HTTPD_LOG"
	[ "$(served_bytes /t18.aci)" -eq "$size" ]
	[ -z "$(find "$RKT_DATA_DIR/cas/tmp" -type f)" ]
}

@test "auth.d: basic credentials are sent to their domain over https, and never printed" {
	publish t19.aci localhost/t19
	trust_key signer localhost/t19
	rules '{"/t19.aci": {"auth": "basic:alice:s3cr3t-pw"}, "/t19.aci.asc": {"auth": "basic:alice:s3cr3t-pw"}}'
	run rkt fetch https://localhost/t19.aci
	assert_status 254
	assert_output_contains "bad HTTP status code: 401 (Unauthorized) from 'https://localhost/t19.aci.asc'"
	mkdir -p "$RKT_LOCAL_CONFIG_DIR/auth.d"
	cat >"$RKT_LOCAL_CONFIG_DIR/auth.d/test.json" <<-'EOF'
		{"rktKind": "auth", "rktVersion": "v1", "domains": ["localhost"], "type": "basic",
		 "credentials": {"user": "alice", "password": "s3cr3t-pw"}}
	EOF
	run rkt --debug fetch https://localhost/t19.aci
	assert_status 0
	[[ $output != *s3cr3t* ]] || fail "the password was printed: $output"
	# Another port is another domain: no credentials go there.
	[ "$(jq -s '[.[] | select(.authorization)] | length' "$HTTPD_LOG")" -eq 2 ]
}

@test "auth.d: oauth bearer tokens; the user config overrides the local one" {
	publish t20.aci localhost/t20
	trust_key signer localhost/t20
	rules '{"/t20.aci": {"auth": "bearer:tok-123"}, "/t20.aci.asc": {"auth": "bearer:tok-123"}}'
	mkdir -p "$RKT_LOCAL_CONFIG_DIR/auth.d" "$RKT_TEST_DIR/user/auth.d"
	echo '{"rktKind": "auth", "rktVersion": "v1", "domains": ["localhost"], "type": "oauth", "credentials": {"token": "wrong"}}' \
		>"$RKT_LOCAL_CONFIG_DIR/auth.d/a.json"
	run rkt fetch https://localhost/t20.aci
	assert_status 254
	assert_output_contains "bad HTTP status code: 401 (Unauthorized)"
	[[ $output != *wrong* ]]
	echo '{"rktKind": "auth", "rktVersion": "v1", "domains": ["localhost"], "type": "oauth", "credentials": {"token": "tok-123"}}' \
		>"$RKT_TEST_DIR/user/auth.d/b.json"
	run rkt --user-config="$RKT_TEST_DIR/user" fetch https://localhost/t20.aci
	assert_status 0
	[[ $output != *tok-123* ]]
	# A broken auth file is an error naming the file, not its content.
	echo '{"rktKind": "auth", "rktVersion": "v1", "domains": ["localhost"], "type": "basic", "credentials": {"user": "u"}}' \
		>"$RKT_LOCAL_CONFIG_DIR/auth.d/c.json"
	run rkt fetch --pull-policy=update https://localhost/t20.aci
	assert_status 254
	assert_output_contains "auth configuration '$RKT_LOCAL_CONFIG_DIR/auth.d/c.json': password not specified"
}

@test "a progress bar is drawn on a terminal, nothing on a pipe" {
	publish t21.aci localhost/t21 --dir "$(bigdir 300000)"
	trust_key signer localhost/t21
	run rkt fetch https://localhost/t21.aci
	assert_status 0
	[[ $output != *Downloading* ]] || fail "progress on a pipe: $output"
	printf '#!/bin/sh\nexec unshare -m --propagation private -- sh -c '\''mount --bind "$1" /etc/ssl/certs/ca-certificates.crt && shift && exec "$@"'\'' sh "%s" "%s" --dir="%s" --local-config="%s" --system-config="%s" fetch --pull-policy=update https://localhost/t21.aci\n' \
		"$BUNDLE" "$RKT" "$RKT_DATA_DIR" "$RKT_LOCAL_CONFIG_DIR" "$RKT_SYSTEM_CONFIG_DIR" >"$RKT_TEST_DIR/tty.sh"
	chmod +x "$RKT_TEST_DIR/tty.sh"
	rules '{"/t21.aci": {"no_validators": true}}'
	script -qec "$RKT_TEST_DIR/tty.sh" "$RKT_TEST_DIR/typescript" >/dev/null
	grep -a -q 'Downloading ACI: \[' "$RKT_TEST_DIR/typescript" || fail "no bar: $(cat -v "$RKT_TEST_DIR/typescript")"
	grep -a -q '[0-9] [kMG]B/s' "$RKT_TEST_DIR/typescript" || fail "no rate: $(cat -v "$RKT_TEST_DIR/typescript")"
}

@test "a deferred signature (HTTP 202) is fetched again after the image" {
	publish t22.aci localhost/t22
	trust_key signer localhost/t22
	rules '{"/t22.aci.asc": {"status": 202, "status_times": 1}}'
	fetch_ok https://localhost/t22.aci
	[ "$(requests /t22.aci.asc)" -eq 2 ]
	[[ $err == *"server requested deferring the signature download"* ]]
}

@test "discovery: keys from ac-discovery-pubkeys are trusted with --trust-keys-from-https" {
	publish t23/app.aci localhost/t23
	cp "$KEYS/signer.asc" "$SRV/t23/pubkeys.gpg"
	discovery_page t23 "https://localhost/t23/app.{ext}" "https://localhost/t23/pubkeys.gpg"
	run rkt fetch localhost/t23
	assert_status 254
	assert_output_contains "key $(cat "$KEYS/signer.fpr") for prefix 'localhost/t23' is offered at 'https://localhost/t23/pubkeys.gpg'"
	assert_output_contains "signature made by unknown key $(cat "$KEYS/signer.fpr")"
	assert_store_empty
	run rkt --trust-keys-from-https fetch localhost/t23
	assert_status 0
	assert_output_contains "Added key for prefix \"localhost/t23\""
	[ -s "$RKT_LOCAL_CONFIG_DIR/trustedkeys/prefix.d/localhost/t23/$(cat "$KEYS/signer.fpr")" ]
}

@test "discovery failures say what each level of the name answered" {
	run rkt fetch localhost/t24/nothing/here
	assert_status 254
	assert_output_contains "discovery found no image for 'localhost/t24/nothing/here'"
	assert_output_contains "https://localhost/t24/nothing/here?ac-discovery=1"
	assert_output_contains "bad HTTP status code: 404"
}

@test "a local file with a valid signature by a trusted key is accepted; by an untrusted key refused" {
	mkaci "$RKT_TEST_DIR/l.aci" --name localhost/t25
	sign signer "$RKT_TEST_DIR/l.aci"
	run rkt fetch "$RKT_TEST_DIR/l.aci"
	assert_status 254
	assert_output_contains "signature made by unknown key $(cat "$KEYS/signer.fpr")"
	assert_store_empty
	trust_key signer localhost/t25
	fetch_ok "$RKT_TEST_DIR/l.aci"
	# --signature names another signature file.
	mv "$RKT_TEST_DIR/l.aci.asc" "$RKT_TEST_DIR/sig"
	run rkt fetch "$RKT_TEST_DIR/l.aci"
	assert_status 254
	fetch_ok --signature="$RKT_TEST_DIR/sig" "$RKT_TEST_DIR/l.aci"
}
