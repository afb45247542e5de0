#!/bin/bash
# Fetch speed over loopback: `rkt fetch https://…/app.aci` (download + signature check + import, what a
# user waits for) against `curl -o /dev/null` of the same file from the same server in the same run (the
# floor: the transfer alone). The server is a small Python one (sendfile for http, 1 MiB writes for
# https) with a throwaway CA; the image is an uncompressed ACI of random bytes, signed by a throwaway key.
#
#   bench/fetch.sh [RKT_BINARY]      (root: ports 8080/8443 on 127.0.0.1, a private mount namespace to add
#                                     the CA to the system bundle for rkt; needs python3, gpg, openssl, curl)
#   bench/fetch.sh --docker [RKT_BINARY]
#                                    docker:// of a multi-layer image from a local registry against skopeo
#                                    copy (bench/fetch-docker.sh, whose header says more)
#
# Environment: SIZE_MB (default 256), N (best of N, default 3), RKT_BENCH_DIR (default /var/tmp/rkt-bench-fetch).
set -euo pipefail
if [ "${1:-}" = --docker ]; then
        shift
        exec "$(dirname "$(realpath "$0")")/fetch-docker.sh" "$@"
fi
RKT=$(realpath "${1:-$(dirname "$0")/../build/rkt}")
[ -x "$RKT" ] || { echo "no rkt binary at $RKT" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
N=${N:-3}
SIZE_MB=${SIZE_MB:-256}
work=${RKT_BENCH_DIR:-/var/tmp/rkt-bench-fetch}
MKACI=$(dirname "$(realpath "$0")")/../tests/helpers/mkaci.py
mkdir -p "$work/srv" "$work/payload"

# --- the image, its signature, the key in a trust store, a CA and a server certificate ---
if [ ! -f "$work/srv/app.aci" ] || [ "$(stat -c %s "$work/payload/data")" -ne $((SIZE_MB * 1000000)) ]; then
        head -c $((SIZE_MB * 1000000)) /dev/urandom >"$work/payload/data"
        python3 "$MKACI" "$work/srv/app.aci" --name localhost/bench --dir "$work/payload"
        rm -f "$work/srv/app.aci.asc"
fi
export GNUPGHOME=$work/gnupg
if [ ! -d "$GNUPGHOME" ]; then
        mkdir -m 0700 "$GNUPGHOME"
        gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key 'Bench <bench@example.com>' ed25519 sign 1y 2>/dev/null
fi
fpr=$(gpg --batch --with-colons --list-keys bench@example.com 2>/dev/null | awk -F: '$1 == "fpr" { print tolower($10); exit }')
[ -f "$work/srv/app.aci.asc" ] || gpg --batch --quiet --armor --detach-sign -o "$work/srv/app.aci.asc" "$work/srv/app.aci"
mkdir -p "$work/config/trustedkeys/prefix.d/localhost/bench"
gpg --batch --armor --export "$fpr" >"$work/config/trustedkeys/prefix.d/localhost/bench/$fpr"
gpgconf --kill all 2>/dev/null || true
unset GNUPGHOME
if [ ! -f "$work/bundle.crt" ]; then
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj "/CN=bench CA" \
                -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
                -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
        printf 'subjectAltName=DNS:localhost\n' >"$work/ext.cnf"
        openssl x509 -req -in "$work/server.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 30 \
                -extfile "$work/ext.cnf" -out "$work/server.crt" 2>/dev/null
        cat /etc/ssl/certs/ca-certificates.crt "$work/ca.crt" >"$work/bundle.crt"
fi

# --- the server ---
cat >"$work/server.py" <<'PY'
import os, socket, ssl, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
root, cert, key = sys.argv[1:4]
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        path = os.path.join(root, self.path.lstrip("/").split("?")[0])
        if not os.path.isfile(path):
            self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers(); return
        st = os.stat(path)
        self.send_response(200)
        self.send_header("Content-Length", str(st.st_size))
        self.send_header("ETag", '"%x-%x"' % (st.st_size, int(st.st_mtime)))
        self.end_headers()
        with open(path, "rb") as f:
            if isinstance(self.connection, ssl.SSLSocket):
                while True:
                    b = f.read(1 << 20)
                    if not b: break
                    self.wfile.write(b)
            else:
                self.wfile.flush()
                off = 0
                while off < st.st_size:
                    off += os.sendfile(self.connection.fileno(), f.fileno(), off, st.st_size - off)
class S(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
def serve(port, tls):
    s = S(("127.0.0.1", port), H)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(cert, key)
        s.socket = ctx.wrap_socket(s.socket, server_side=True)
    threading.Thread(target=s.serve_forever, daemon=True).start()
serve(8443, True); serve(8080, False)
print("ready", flush=True)
threading.Event().wait()
PY
python3 "$work/server.py" "$work/srv" "$work/server.crt" "$work/server.key" >"$work/server.out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q ready "$work/server.out" 2>/dev/null && break; sleep 0.1; done

# rkt with the bench CA in the system bundle and the bench key trusted.
rkt_ca() {
        unshare -m --propagation private -- sh -c 'mount --bind "$1" /etc/ssl/certs/ca-certificates.crt && shift && exec "$@"' \
                sh "$work/bundle.crt" "$RKT" --dir="$work/store" --local-config="$work/config" \
                --system-config="$work/system" "$@"
}

# best "$@": the best wall time of N runs, the store emptied before each.
best() {
        local b=999999 t s e
        for _ in $(seq "$N"); do
                rm -rf "$work/store"
                s=$(date +%s.%N)
                "$@" >/dev/null 2>"$work/last.err" || { echo "failed: $*: $(cat "$work/last.err")" >&2; exit 1; }
                e=$(date +%s.%N)
                t=$(echo "$e - $s" | bc -l)
                b=$(echo "if ($t < $b) $t else $b" | bc -l)
        done
        printf '%.3f' "$b"
}

size=$(stat -c %s "$work/srv/app.aci")
mb=$(echo "$size / 1000000" | bc -l)
# Warm the page cache so that both sides read the file from memory.
cat "$work/srv/app.aci" >/dev/null
echo "image: $work/srv/app.aci, $(printf '%.0f' "$mb") MB (uncompressed ACI of random bytes), signed; loopback; best of $N"
t_curl_https=$(best curl -sS -o /dev/null --cacert "$work/ca.crt" https://localhost:8443/app.aci)
t_curl_http=$(best curl -sS -o /dev/null http://localhost:8080/app.aci)
t_rkt_https=$(best rkt_ca fetch https://localhost:8443/app.aci)
t_rkt_https_nosig=$(best rkt_ca --insecure-options=image fetch https://localhost:8443/app.aci)
t_rkt_http=$(best rkt_ca --insecure-options=http fetch http://localhost:8080/app.aci)

row() { # label seconds floor-seconds
        printf '%-52s %8.3f s %9.0f MB/s %7.2fx\n' "$1" "$2" "$(echo "$mb / $2" | bc -l)" "$(echo "$2 / $3" | bc -l)"
}
printf '%-52s %10s %14s %8s\n' "" time throughput "vs curl"
row "curl -o /dev/null https://" "$t_curl_https" "$t_curl_https"
row "rkt fetch https:// (download + verify + import)" "$t_rkt_https" "$t_curl_https"
row "rkt fetch https:// --insecure-options=image" "$t_rkt_https_nosig" "$t_curl_https"
row "curl -o /dev/null http://" "$t_curl_http" "$t_curl_http"
row "rkt fetch http:// (download + verify + import)" "$t_rkt_http" "$t_curl_http"
