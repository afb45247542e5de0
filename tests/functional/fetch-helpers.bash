# shellcheck shell=bash disable=SC2154 # $output, $status and $lines come from bats' `run`
# Shared by fetch.bats and trust.bats: a throwaway CA and server certificate (openssl), OpenPGP keys
# made for the test (gpg --quick-gen-key), and an HTTPS (443) + HTTP (80) server on loopback
# (tests/helpers/httpd.py) serving $SRV. Needs root (the ports; a private mount namespace per rkt call
# to add the test CA to the system bundle) — the functional tests run as root in the test host.
#
# In a .bats file:   load helpers; load fetch-helpers
#   setup_file()    { fetch_setup_file; }
#   teardown_file() { fetch_teardown_file; }
#   setup()         { rkt_setup; fetch_setup; }

MKACI="$RKT_SRCDIR/tests/helpers/mkaci.py"
HTTPD="$RKT_SRCDIR/tests/helpers/httpd.py"
SYSTEM_BUNDLE=/etc/ssl/certs/ca-certificates.crt

fetch_setup_file() {
	export SHARED=$BATS_FILE_TMPDIR
	export SRV=$SHARED/srv GPGHOME=$SHARED/gnupg PKI=$SHARED/pki KEYS=$SHARED/keys
	export HTTPD_LOG=$SHARED/httpd.log BUNDLE=$SHARED/pki/bundle.crt
	mkdir -p "$SRV" "$PKI" "$KEYS"
	mkdir -m 0700 "$GPGHOME"
	make_pki
	make_key signer "Test Signer <signer@example.com>"
	make_key other "Other Signer <other@example.com>"
	make_expired_key expired "Expired Signer <expired@example.com>"
	make_key revoked "Revoked Signer <revoked@example.com>"
	start_httpd
}

fetch_teardown_file() {
	if [ -f "$SHARED/httpd.ready" ]; then
		kill "$(cat "$SHARED/httpd.ready")" 2>/dev/null || true
	fi
	gpgconf --homedir "$GPGHOME" --kill all 2>/dev/null || true
}

# Per test: no rules, an empty request log.
fetch_setup() {
	echo '{}' >"$SRV/.rules.json"
	rm -f "$SRV/ac-discovery.html"
	: >"$HTTPD_LOG"
}

make_pki() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=rkt test CA" -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
		-keyout "$PKI/server.key" -out "$PKI/server.csr" 2>/dev/null
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$PKI/ext.cnf"
	openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
		-days 2 -extfile "$PKI/ext.cnf" -out "$PKI/server.crt" 2>/dev/null
	cat "$SYSTEM_BUNDLE" "$PKI/ca.crt" >"$BUNDLE"
}

gpgh() {
	gpg --homedir "$GPGHOME" --batch --quiet --no-tty --pinentry-mode loopback --passphrase '' "$@"
}

# make_key NAME UID - a signing key; $KEYS/NAME.fpr (lowercase), $KEYS/NAME.asc (public, armored).
make_key() {
	gpgh --quick-gen-key "$2" ed25519 sign 1y 2>/dev/null
	gpgh --with-colons --list-keys "$2" | awk -F: '$1 == "fpr" { print tolower($10); exit }' >"$KEYS/$1.fpr"
	gpgh --armor --export "$(cat "$KEYS/$1.fpr")" >"$KEYS/$1.asc"
}

# make_expired_key NAME UID - a key made (and used) in 2020 that expired a day later.
make_expired_key() {
	gpgh --faked-system-time 20200101T000000 --quick-gen-key "$2" ed25519 sign 1d 2>/dev/null
	gpgh --with-colons --list-keys "$2" | awk -F: '$1 == "fpr" { print tolower($10); exit }' >"$KEYS/$1.fpr"
	gpgh --armor --export "$(cat "$KEYS/$1.fpr")" >"$KEYS/$1.asc"
}

# revoke_key NAME - imports the key's revocation certificate; $KEYS/NAME.asc then holds the revoked key.
revoke_key() {
	local fpr
	fpr=$(cat "$KEYS/$1.fpr")
	sed 's/^:-----BEGIN/-----BEGIN/' "$GPGHOME/openpgp-revocs.d/${fpr^^}.rev" | gpgh --import 2>/dev/null
	gpgh --armor --export "$fpr" >"$KEYS/$1.asc"
}

# sign KEY FILE [SIG] - a detached armored signature (default FILE minus .aci plus .aci.asc).
sign() {
	local sig=${3:-${2%.aci}.aci.asc} extra=()
	[ "$1" = expired ] && extra=(--faked-system-time 20200101T010000)
	gpgh "${extra[@]}" --yes --local-user "$(cat "$KEYS/$1.fpr")" --armor --detach-sign -o "$sig" "$2"
}

start_httpd() {
	python3 "$HTTPD" --root "$SRV" --https-port 443 --http-port 80 --cert "$PKI/server.crt" \
		--key "$PKI/server.key" --log "$HTTPD_LOG" --ready "$SHARED/httpd.ready" \
		>"$SHARED/httpd.out" 2>&1 3>&- &
	wait_for 10 test -s "$SHARED/httpd.ready" || fail "the test server did not start"
}

# rkt with the test CA added to the system's CA bundle (in a private mount namespace).
rkt() {
	unshare -m --propagation private -- sh -c 'mount --bind "$1" /etc/ssl/certs/ca-certificates.crt && shift && exec "$@"' \
		sh "$BUNDLE" "$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
		--system-config="$RKT_SYSTEM_CONFIG_DIR" "$@"
}

# rkt_system_cas ARGS... - rkt trusting only the system's CAs (not the test CA).
rkt_system_cas() {
	"$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
		--system-config="$RKT_SYSTEM_CONFIG_DIR" "$@"
}

mkaci() {
	python3 "$MKACI" "$@"
}

# publish PATH NAME [mkaci args...] - an ACI at $SRV/PATH named NAME, signed by signer.
publish() {
	local path=$1 name=$2
	shift 2
	mkdir -p "$(dirname "$SRV/$path")"
	mkaci "$SRV/$path" --name "$name" "$@"
	sign signer "$SRV/$path"
}

# trust_key KEY PREFIX [system] - puts KEY's public key into the local (or system) trust store for PREFIX
# ("" for root.d), as an administrator would.
trust_key() {
	local top=$RKT_LOCAL_CONFIG_DIR dir
	[ "${3:-}" = system ] && top=$RKT_SYSTEM_CONFIG_DIR
	if [ -n "$2" ]; then dir=$top/trustedkeys/prefix.d/$2; else dir=$top/trustedkeys/root.d; fi
	mkdir -p "$dir"
	cp "$KEYS/$1.asc" "$dir/$(cat "$KEYS/$1.fpr")"
}

# rules JSON - the server's per-path rules.
rules() {
	printf '%s\n' "$1" >"$SRV/.rules.json"
}

# served_bytes PATH - body bytes the server sent for PATH (all requests of this test).
served_bytes() {
	jq -s --arg p "$1" '[.[] | select(.path == $p) | .bytes] | add // 0' "$HTTPD_LOG"
}

# requests PATH [STATUS] - how many requests for PATH (with that status) the server saw.
requests() {
	if [ -n "${2:-}" ]; then
		jq -s --arg p "$1" --argjson s "$2" '[.[] | select(.path == $p and .status == $s)] | length' "$HTTPD_LOG"
	else
		jq -s --arg p "$1" '[.[] | select(.path == $p)] | length' "$HTTPD_LOG"
	fi
}

image_count() {
	rkt_system_cas image list --format=json | jq length
}

# assert_store_unchanged - no image, no blob, no remote record, no download left behind.
assert_store_empty() {
	local cas=$RKT_DATA_DIR/cas
	[ "$(image_count)" -eq 0 ] || fail "the store has images: $(rkt_system_cas image list)"
	[ -z "$(find "$cas/blob" "$cas/images" -type f 2>/dev/null)" ] || fail "blobs left: $(find "$cas" -type f)"
	[ -z "$(find "$cas/remote" -type f 2>/dev/null)" ] || fail "remote records left"
	[ -z "$(find "$cas/tmp" -type f 2>/dev/null)" ] || fail "downloads left: $(find "$cas/tmp" -type f)"
}

# discovery_page DIR TEMPLATE [PUBKEYS_URL] - an ac-discovery page at $SRV/DIR (DIR "" for the host).
discovery_page() {
	local dir=$SRV/$1
	mkdir -p "$dir"
	{
		echo '<!DOCTYPE html><html><head>'
		echo '<!-- <meta name="ac-discovery" content="localhost https://localhost/nope/{name}.{ext}"> -->'
		echo "<meta name=\"ac-discovery\" content=\"localhost $2\">"
		[ -n "${3:-}" ] && echo "<meta name='ac-discovery-pubkeys' content='localhost $3'>"
		echo '</head><body>discovery</body></html>'
	} >"$dir/ac-discovery.html"
}

# bigdir BYTES - a directory holding one file of BYTES random bytes (for mkaci --dir): an image
# large enough that a transfer can be cut in the middle.
bigdir() {
	local d=$RKT_TEST_DIR/big-$1
	mkdir -p "$d"
	head -c "$1" /dev/urandom >"$d/payload"
	echo "$d"
}
