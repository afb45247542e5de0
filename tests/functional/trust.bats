#!/usr/bin/env bats
# rkt trust: adding keys (files, URLs, discovery), reviewing fingerprints, listing and removing, and how
# the trust store's layout (prefixes, root.d, system vs local, masks) decides what verifies an image.

load helpers
load fetch-helpers

setup_file() {
	fetch_setup_file
	revoke_key revoked
}

teardown_file() {
	fetch_teardown_file
}

setup() {
	rkt_setup
	fetch_setup
}

fpr() {
	cat "$KEYS/$1.fpr"
}

# signed_aci NAME KEY - an ACI named NAME in the test dir, signed by KEY; prints its path.
signed_aci() {
	local f
	f=$RKT_TEST_DIR/$(echo "$1" | tr / _).aci
	mkaci "$f" --name "$1"
	sign "$2" "$f"
	echo "$f"
}

# on_tty ANSWER CMD... - runs CMD on a pseudo-terminal, typing ANSWER; output in $RKT_TEST_DIR/tty.out.
on_tty() {
	local answer=$1
	shift
	printf '#!/bin/sh\nexec' >"$RKT_TEST_DIR/tty.sh"
	printf ' %q' "$@" >>"$RKT_TEST_DIR/tty.sh"
	chmod +x "$RKT_TEST_DIR/tty.sh"
	printf '%s\n' "$answer" | script -qec "$RKT_TEST_DIR/tty.sh" /dev/null >"$RKT_TEST_DIR/tty.out" 2>&1
}

@test "trust --prefix KEYFILE stores the key under prefix.d, named by its fingerprint" {
	run rkt trust --prefix=localhost/app --skip-fingerprint-review "$KEYS/signer.asc"
	assert_status 0
	f=$RKT_LOCAL_CONFIG_DIR/trustedkeys/prefix.d/localhost/app/$(fpr signer)
	assert_output_contains "Prefix: \"localhost/app\""
	assert_output_contains "GPG key fingerprint is: $(fpr signer | tr a-f A-F | sed 's/..../& /g; s/ $//' | sed 's/\(\([^ ]* \)\{5\}\)/\1 /')"
	assert_output_contains "Test Signer <signer@example.com>"
	assert_output_contains "Trusting \"$KEYS/signer.asc\" for prefix \"localhost/app\" without fingerprint review."
	assert_output_contains "Added key for prefix \"localhost/app\" at \"$f\""
	[ "$(stat -c %a "$f")" = 644 ]
	grep -q -- '-----BEGIN PGP PUBLIC KEY BLOCK-----' "$f"
	# The key now verifies images named localhost/app (and below), not others.
	run rkt fetch "$(signed_aci localhost/app signer)"
	assert_status 0
	run rkt fetch "$(signed_aci localhost/app/worker signer)"
	assert_status 0
	run rkt fetch "$(signed_aci localhost/application signer)"
	assert_status 254
	assert_output_contains "which is trusted for prefix 'localhost/app' but not for 'localhost/application'"
}

@test "the fingerprint must be confirmed on a terminal unless --skip-fingerprint-review" {
	run rkt trust --prefix=localhost/app "$KEYS/signer.asc"
	assert_status 254
	assert_output_contains "stdin or stderr is not a terminal"
	assert_output_contains "--skip-fingerprint-review"
	[ ! -e "$RKT_LOCAL_CONFIG_DIR/trustedkeys" ] || [ -z "$(find "$RKT_LOCAL_CONFIG_DIR/trustedkeys" -type f)" ]
	base=("$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" --system-config="$RKT_SYSTEM_CONFIG_DIR")
	on_tty no "${base[@]}" trust --prefix=localhost/app "$KEYS/signer.asc"
	grep -q "Are you sure you want to trust this key (yes/no)?" "$RKT_TEST_DIR/tty.out"
	grep -q "Not trusting" "$RKT_TEST_DIR/tty.out"
	[ ! -e "$RKT_LOCAL_CONFIG_DIR/trustedkeys/prefix.d/localhost/app/$(fpr signer)" ]
	on_tty yes "${base[@]}" trust --prefix=localhost/app "$KEYS/signer.asc"
	grep -q "after fingerprint review" "$RKT_TEST_DIR/tty.out" || fail "$(cat "$RKT_TEST_DIR/tty.out")"
	[ -s "$RKT_LOCAL_CONFIG_DIR/trustedkeys/prefix.d/localhost/app/$(fpr signer)" ]
}

@test "trust refuses implicit unbounded trust, --prefix with --root, URL schemes in --prefix" {
	run rkt trust "$KEYS/signer.asc"
	assert_status 254
	assert_output_contains "aborting due to implicit unbounded trust"
	assert_output_contains "rkt trust --root PUBKEY"
	run rkt trust --root --prefix=localhost/app "$KEYS/signer.asc"
	assert_status 254
	assert_output_contains "--root and --prefix usage mutually exclusive"
	run rkt trust --prefix=https://localhost/app "$KEYS/signer.asc"
	assert_status 254
	assert_output_contains "--prefix must not contain a URL scheme, omit https://"
	run rkt trust --root
	assert_status 254
	assert_output_contains "--root needs the key"
	run rkt trust --prefix=localhost/app --skip-fingerprint-review "$RKT_TEST_DIR/missing.asc"
	assert_status 254
	assert_output_contains "key '$RKT_TEST_DIR/missing.asc': cannot read it"
	echo "not a key" >"$RKT_TEST_DIR/junk.asc"
	run rkt trust --prefix=localhost/app --skip-fingerprint-review "$RKT_TEST_DIR/junk.asc"
	assert_status 254
	assert_output_contains "key '$RKT_TEST_DIR/junk.asc'"
	[ -z "$(find "$RKT_LOCAL_CONFIG_DIR" -type f)" ]
}

@test "trust --root trusts a key for every image" {
	run rkt trust --root --skip-fingerprint-review "$KEYS/other.asc"
	assert_status 0
	assert_output_contains "Added root key at \"$RKT_LOCAL_CONFIG_DIR/trustedkeys/root.d/$(fpr other)\""
	run rkt fetch "$(signed_aci example.com/anything other)"
	assert_status 0
	run rkt fetch "$(signed_aci localhost/else other)"
	assert_status 0
}

@test "trust --prefix without a key discovers it through ac-discovery-pubkeys" {
	mkdir -p "$SRV/disc"
	cp "$KEYS/signer.asc" "$SRV/disc/keys.asc"
	discovery_page disc "https://localhost/disc/{name}.{ext}" "https://localhost/disc/keys.asc"
	run rkt trust --prefix=localhost/disc --skip-fingerprint-review
	assert_status 0
	assert_output_contains "Key: \"https://localhost/disc/keys.asc\""
	assert_output_contains "Added key for prefix \"localhost/disc\""
	[ -s "$RKT_LOCAL_CONFIG_DIR/trustedkeys/prefix.d/localhost/disc/$(fpr signer)" ]
	run rkt trust --prefix=localhost/nodisc --skip-fingerprint-review
	assert_status 254
	assert_output_contains "error determining key location: discovery found no public keys for 'localhost/nodisc'"
}

@test "key URLs: https is fine, plain http needs --insecure-allow-http" {
	cp "$KEYS/signer.asc" "$SRV/k.asc"
	run rkt trust --prefix=localhost/a --skip-fingerprint-review http://localhost/k.asc
	assert_status 254
	assert_output_contains "--insecure-allow-http is required for http URLs"
	run rkt trust --prefix=localhost/a --skip-fingerprint-review --insecure-allow-http http://localhost/k.asc
	assert_status 0
	run rkt trust --prefix=localhost/b --skip-fingerprint-review https://localhost/k.asc
	assert_status 0
	[ -s "$RKT_LOCAL_CONFIG_DIR/trustedkeys/prefix.d/localhost/b/$(fpr signer)" ]
	run rkt_system_cas trust --prefix=localhost/c --skip-fingerprint-review https://localhost/k.asc
	assert_status 254
	assert_output_contains "TLS certificate verification failed"
}

@test "trust --list shows prefix, fingerprint, status, user ID and file, as a table and as JSON" {
	rkt trust --prefix=localhost/app --skip-fingerprint-review "$KEYS/signer.asc" >/dev/null
	rkt trust --root --skip-fingerprint-review "$KEYS/other.asc" >/dev/null
	trust_key revoked localhost/old system
	run rkt trust --list
	assert_status 0
	[[ ${lines[0]} == PREFIX*FINGERPRINT*STATUS*"USER ID"*FILE ]] || fail "${lines[0]}"
	assert_output_contains "localhost/app"
	assert_output_contains "$(fpr signer)"
	assert_output_contains "Test Signer <signer@example.com>"
	assert_output_contains "(root)"
	assert_output_contains "revoked"
	run rkt trust --list --format=json
	assert_status 0
	[ "$(echo "$output" | jq length)" -eq 3 ]
	echo "$output" | jq -e --arg f "$(fpr signer)" \
		'.[] | select(.fingerprint == $f) | .prefix == "localhost/app" and .status == "trusted" and .userIds == ["Test Signer <signer@example.com>"] and (.file | endswith($f))'
	echo "$output" | jq -e '.[] | select(.prefix == null) | .status == "trusted"'
	echo "$output" | jq -e '.[] | select(.prefix == "localhost/old") | .status == "revoked" and .system'
	# --prefix lists the keys that verify images of that name.
	run rkt trust --list --no-legend --prefix=localhost/app/x
	assert_status 0
	[ "${#lines[@]}" -eq 2 ]
}

@test "trust --remove removes local keys and masks system keys" {
	rkt trust --prefix=localhost/app --skip-fingerprint-review "$KEYS/signer.asc" >/dev/null
	trust_key signer localhost/sys system
	img=$(signed_aci localhost/sys/app signer)
	run rkt fetch "$img"
	assert_status 0
	run rkt trust --remove "$(fpr signer | tr a-f A-F | sed 's/..../& /g')"
	assert_status 0
	assert_output_contains "Removed key $(fpr signer) from \"$RKT_LOCAL_CONFIG_DIR/trustedkeys/prefix.d/localhost/app/$(fpr signer)\""
	mask=$RKT_LOCAL_CONFIG_DIR/trustedkeys/prefix.d/localhost/sys/$(fpr signer)
	assert_output_contains "Masked system key $(fpr signer) with \"$mask\""
	[ -f "$mask" ]
	[ ! -s "$mask" ]
	[ -s "$RKT_SYSTEM_CONFIG_DIR/trustedkeys/prefix.d/localhost/sys/$(fpr signer)" ]
	rkt_system_cas image rm "$(rkt_system_cas image list --no-legend --full | awk '{print $1}')" >/dev/null
	run rkt fetch "$img"
	assert_status 254
	assert_output_contains "signature made by key $(fpr signer), which is trusted for prefix 'localhost/sys'"
	run rkt trust --list --format=json
	echo "$output" | jq -e '.[0].status == "masked"'
	run rkt trust --remove "$(fpr other)"
	assert_status 254
	assert_output_contains "no trusted key with fingerprint $(fpr other)"
	run rkt trust --remove nothex
	assert_status 254
	assert_output_contains "not a key fingerprint"
}

@test "a local key file trusts a key the system also has; scopes of --remove" {
	trust_key signer localhost/s system
	trust_key signer localhost/s
	trust_key signer ""
	run rkt trust --remove "$(fpr signer)" --root
	assert_status 0
	assert_output_contains "Removed key $(fpr signer) from \"$RKT_LOCAL_CONFIG_DIR/trustedkeys/root.d/$(fpr signer)\""
	[ -s "$RKT_LOCAL_CONFIG_DIR/trustedkeys/prefix.d/localhost/s/$(fpr signer)" ]
	run rkt fetch "$(signed_aci localhost/s signer)"
	assert_status 0
	run rkt trust --remove "$(fpr signer)" --prefix=localhost/s
	assert_status 0
	assert_output_contains "Removed key"
	assert_output_contains "Masked system key"
}

@test "expired and revoked keys are not trusted" {
	run rkt trust --prefix=localhost/app --skip-fingerprint-review "$KEYS/expired.asc"
	assert_status 254
	assert_output_contains "key $(fpr expired) has expired: not trusting it"
	run rkt trust --prefix=localhost/app --skip-fingerprint-review "$KEYS/revoked.asc"
	assert_status 254
	assert_output_contains "key $(fpr revoked) has been revoked: not trusting it"
	[ -z "$(find "$RKT_LOCAL_CONFIG_DIR" -type f)" ]
}

@test "a key file with several keys adds each under its own fingerprint" {
	cat "$KEYS/signer.asc" "$KEYS/other.asc" >"$RKT_TEST_DIR/two.asc"
	run rkt trust --prefix=localhost/two --skip-fingerprint-review "$RKT_TEST_DIR/two.asc"
	assert_status 0
	d=$RKT_LOCAL_CONFIG_DIR/trustedkeys/prefix.d/localhost/two
	[ -s "$d/$(fpr signer)" ]
	[ -s "$d/$(fpr other)" ]
	# Each file holds its key alone.
	mkdir -m 0700 "$RKT_TEST_DIR/g"
	run gpg --homedir "$RKT_TEST_DIR/g" --batch --show-keys "$d/$(fpr signer)"
	assert_output_contains "Test Signer"
	[[ $output != *Other* ]]
}

@test "a trusted key file that holds another key than its name says is refused" {
	d=$RKT_LOCAL_CONFIG_DIR/trustedkeys/prefix.d/localhost/bad
	mkdir -p "$d"
	cat "$KEYS/signer.asc" "$KEYS/other.asc" >"$d/$(fpr signer)"
	run rkt fetch "$(signed_aci localhost/bad signer)"
	assert_status 254
	assert_output_contains "trusted key file '$d/$(fpr signer)' does not hold exactly the key its name says"
	cp "$KEYS/other.asc" "$d/$(fpr signer)"
	run rkt fetch "$(signed_aci localhost/bad signer)"
	assert_status 254
	assert_output_contains "does not hold exactly the key its name says (it holds $(fpr other))"
}
