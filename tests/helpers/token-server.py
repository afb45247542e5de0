#!/usr/bin/env python3
"""A Docker registry token server for rkt's docker:// tests: it issues the JWTs that the registry's
`auth: token:` configuration accepts (RS256, signed with KEY, whose certificate CERT is the registry's
rootcertbundle; the header names the key both by its libtrust key ID and by an x5c chain).

  token-server.py --port 5001 --key KEY --cert CERT --issuer ISS --service SVC --log LOG --ready FILE
                  [--user USER:PASSWORD] [--mode-file FILE]

GET /token?service=SVC&scope=repository:NAME:pull[,push]... answers {"token": ..., "expires_in": 300}.
Only pull is ever granted, and only for repository scopes. With --user, the request must carry these
Basic credentials: other credentials are refused with 401, and a request without any gets a token that
grants nothing (as Docker Hub answers an anonymous request for a private repository). Without --user,
anyone gets pull.

Every request is logged to LOG as one JSON line: host (the Host header), query, the user of the Basic
credentials it carried (null: none) and the status. Passwords are never logged.

MODE-FILE (read again on every request; missing or empty: normal) makes the server misbehave:
  notjson      200 with a body that is not JSON
  huge         200 with a JSON body of 8 MiB
  control      200 with a token that holds a CR LF and a header line
  silent       read the request and answer nothing at all (until the client goes)
"""
import argparse
import base64
import hashlib
import json
import os
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log_lock = threading.Lock()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def libtrust_key_id(der_spki):
    """The key ID the registry gives a trusted key: the first 240 bits of the SHA-256 of its DER
    SubjectPublicKeyInfo, base32, in groups of four joined by ':'."""
    s = base64.b32encode(hashlib.sha256(der_spki).digest()[:30]).decode()
    return ":".join(s[i:i + 4] for i in range(0, len(s), 4))


class Signer:
    def __init__(self, key, cert):
        self.key = key
        der = openssl("x509", "-in", cert, "-outform", "DER")
        spki = openssl("x509", "-in", cert, "-noout", "-pubkey")
        spki = openssl("pkey", "-pubin", "-outform", "DER", data=spki)
        self.header = {"typ": "JWT", "alg": "RS256", "kid": libtrust_key_id(spki),
                       "x5c": [base64.b64encode(der).decode()]}

    def sign(self, claims):
        signing_input = (b64url(json.dumps(self.header).encode()) + "." +
                         b64url(json.dumps(claims).encode()))
        sig = openssl("dgst", "-sha256", "-sign", self.key, data=signing_input.encode())
        return signing_input + "." + b64url(sig)


def grants(scopes):
    """pull, and only pull, for each repository scope."""
    out = []
    for scope in scopes:
        parts = scope.split(":")
        if len(parts) >= 3 and parts[0] == "repository" and "pull" in parts[-1].split(","):
            out.append({"type": "repository", "name": ":".join(parts[1:-1]), "actions": ["pull"]})
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "rkt-test-token-server"

    def log_message(self, fmt, *args):
        pass

    def record(self, user, status):
        entry = {"host": self.headers.get("Host"), "query": urllib.parse.urlsplit(self.path).query,
                 "user": user, "status": status}
        with log_lock, open(self.server.args.log, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def answer(self, status, body, user, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        # logged first: a client may well hang up on a huge body
        self.record(user, status)
        self.wfile.write(body)

    def mode(self):
        try:
            with open(self.server.args.mode_file) as f:
                return f.read().strip()
        except (TypeError, OSError):
            return ""

    def do_GET(self):
        args = self.server.args
        user = password = None
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("basic "):
            try:
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                user = "<garbage>"
        mode = self.mode()
        if mode == "silent":
            self.record(user, 0)
            self.connection.settimeout(None)
            while self.rfile.read1(4096):
                pass
            return
        if mode == "notjson":
            return self.answer(200, b"<html>not a token</html>", user)
        if mode == "huge":
            return self.answer(200, b'{"token":"' + b"a" * (8 << 20) + b'"}', user)
        if mode == "control":
            return self.answer(200, json.dumps({"token": "abc\r\nX-Evil: 1"}).encode(), user)

        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        if q.get("service") != [args.service]:
            return self.answer(400, b'{"details":"wrong service"}', user)
        access = grants(q.get("scope", []))
        if args.user:
            if user is None:
                access = []
            elif f"{user}:{password}" != args.user:
                return self.answer(401, b'{"details":"incorrect username or password"}', user,
                                   [("WWW-Authenticate", 'Basic realm="token"')])
        now = int(time.time())
        claims = {"iss": args.issuer, "sub": user or "", "aud": args.service, "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": b64url(os.urandom(12)), "access": access}
        token = self.server.signer.sign(claims)
        self.answer(200, json.dumps({"token": token, "expires_in": 300}).encode(), user)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--issuer", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--user")
    p.add_argument("--mode-file")
    p.add_argument("--log", required=True)
    p.add_argument("--ready", required=True)
    args = p.parse_args()
    srv = Server((args.listen, args.port), Handler)
    srv.args = args
    srv.signer = Signer(args.key, args.cert)
    with open(args.ready, "w") as f:
        f.write(str(os.getpid()))
    srv.serve_forever()


if __name__ == "__main__":
    main()
