#!/usr/bin/env python3
"""A small HTTP(S) server for rkt's fetch tests: serves files from a root directory with the behaviour
real servers show, and the misbehaviour the tests need, chosen per path in ROOT/.rules.json (read again
on every request, so a test changes it while the server runs).

  httpd.py --root DIR [--https-port 443 --cert CERT --key KEY] [--http-port 80] --log LOG --ready FILE

Every response is logged to LOG as one JSON line: method, path, query, status, bytes (of the body sent),
and the request's Range / If-None-Match / If-Range headers and whether it carried Authorization.

Files: GET /a/b.aci serves ROOT/a/b.aci with a strong ETag, Last-Modified, Accept-Ranges: bytes; it
answers If-None-Match with 304 and Range (with If-Range) with 206. GET /a?ac-discovery=1 serves
ROOT/a/ac-discovery.html (the page for the host itself: ROOT/ac-discovery.html).

Rules (keys of a path's entry in .rules.json):
  max_age N           Cache-Control: max-age=N
  no_validators       no ETag, no Last-Modified
  no_ranges           ignore Range (always 200, no Accept-Ranges)
  drop_after N        send the headers and N bytes of the body, then close the connection
  drop_times K        ... only for the first K requests of that path (default: always)
  stall_after N       send the headers and N bytes, then send nothing (until the client goes)
  stall_times K       ... only for the first K requests
  trickle_every S     send the headers, then one byte of the body every S seconds (until the client goes)
  silent              read the request and answer nothing at all (until the client goes)
  status CODE         answer CODE with an empty body; status_times K: only the first K requests
  auth "basic:USER:PASSWORD" | "bearer:TOKEN"   401 unless the request carries these credentials
  redirect URL        302 to URL
"""
import argparse
import base64
import email.utils
import hashlib
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counters = {}
counters_lock = threading.Lock()
log_lock = threading.Lock()


def count(path, kind):
    with counters_lock:
        key = (path, kind)
        counters[key] = counters.get(key, 0) + 1
        return counters[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "rkt-test-httpd"

    def log_message(self, fmt, *args):
        pass

    def record(self, status, sent):
        entry = {
            "method": self.command,
            "path": self.url.path,
            "query": self.url.query,
            "status": status,
            "bytes": sent,
            "range": self.headers.get("Range"),
            "if_none_match": self.headers.get("If-None-Match"),
            "if_range": self.headers.get("If-Range"),
            "authorization": self.headers.get("Authorization") is not None,
            "scheme": self.server.scheme,
        }
        with log_lock:
            with open(self.server.args.log, "a") as f:
                f.write(json.dumps(entry) + "\n")

    def rules(self):
        try:
            with open(os.path.join(self.server.args.root, ".rules.json")) as f:
                return json.load(f).get(self.url.path, {})
        except (OSError, ValueError):
            return {}

    def simple(self, status, headers=(), body=b""):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)
        self.record(status, len(body) if self.command != "HEAD" else 0)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.url = urllib.parse.urlsplit(self.path)
        rules = self.rules()
        root = self.server.args.root

        auth = rules.get("auth")
        if auth:
            kind, _, cred = auth.partition(":")
            want = ("Basic " + base64.b64encode(cred.encode()).decode()) if kind == "basic" else "Bearer " + cred
            if self.headers.get("Authorization") != want:
                return self.simple(401, [("WWW-Authenticate", 'Basic realm="test"')], b"unauthorized\n")
        if rules.get("silent"):
            self.wait_for_client_to_go(None)
            return self.record(0, 0)
        if "redirect" in rules:
            return self.simple(302, [("Location", rules["redirect"])])
        if "status" in rules:
            times = rules.get("status_times")
            if times is None or count(self.url.path, "status") <= times:
                return self.simple(int(rules["status"]))

        rel = urllib.parse.unquote(self.url.path).lstrip("/")
        if "ac-discovery=1" in self.url.query.split("&"):
            rel = os.path.join(rel, "ac-discovery.html")
        path = os.path.normpath(os.path.join(root, rel))
        if not path.startswith(os.path.normpath(root) + os.sep) or not os.path.isfile(path):
            return self.simple(404, [("Content-Type", "text/plain")], b"not found\n")
        with open(path, "rb") as f:
            data = f.read()
        st = os.stat(path)
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:32]
        last_modified = email.utils.formatdate(st.st_mtime, usegmt=True)
        headers = []
        validators = not rules.get("no_validators")
        if validators:
            headers += [("ETag", etag), ("Last-Modified", last_modified)]
        if "max_age" in rules:
            headers.append(("Cache-Control", "max-age=%d" % rules["max_age"]))
        ctype = "text/html" if path.endswith(".html") else "application/octet-stream"
        headers.append(("Content-Type", ctype))

        inm = self.headers.get("If-None-Match")
        if validators and inm and inm == etag:
            return self.simple(304, [h for h in headers if h[0] != "Content-Type"])

        status, start = 200, 0
        rng = self.headers.get("Range")
        if not rules.get("no_ranges"):
            headers.append(("Accept-Ranges", "bytes"))
            if rng and rng.startswith("bytes=") and rng.endswith("-"):
                if_range = self.headers.get("If-Range")
                if if_range is None or (validators and if_range in (etag, last_modified)):
                    start = int(rng[len("bytes="):-1])
                    if start >= len(data):
                        return self.simple(416, [("Content-Range", "bytes */%d" % len(data))])
                    status = 206
                    headers.append(("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data))))
        body = data[start:]

        limit = None
        if "trickle_every" in rules:
            limit = ("trickle", float(rules["trickle_every"]))
        if "drop_after" in rules:
            times = rules.get("drop_times")
            if times is None or count(self.url.path, "drop") <= times:
                limit = ("drop", rules["drop_after"])
        if limit is None and "stall_after" in rules:
            times = rules.get("stall_times")
            if times is None or count(self.url.path, "stall") <= times:
                limit = ("stall", rules["stall_after"])

        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD":
            return self.record(status, 0)
        sent = 0
        try:
            if limit is None:
                self.wfile.write(body)
                sent = len(body)
            elif limit[0] == "trickle":
                self.wfile.flush()
                sent = self.wait_for_client_to_go(limit[1], body)
                self.close_connection = True
            else:
                part = body[: limit[1]]
                self.wfile.write(part)
                self.wfile.flush()
                sent = len(part)
                if limit[0] == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                else:
                    # Send nothing more until the client gives up.
                    self.connection.settimeout(1)
                    deadline = time.time() + 600
                    while time.time() < deadline:
                        try:
                            if not self.connection.recv(1):
                                break
                        except socket.timeout:
                            continue
                        except OSError:
                            break
                    self.close_connection = True
        except OSError:
            self.close_connection = True
        self.record(status, sent)


    def wait_for_client_to_go(self, every, body=b""):
        """Sends one byte of body every `every` seconds (None: nothing) until the client closes the
        connection (or 600 s pass); returns the bytes sent."""
        sent = 0
        self.connection.settimeout(every if every is not None else 1)
        deadline = time.time() + 600
        while time.time() < deadline:
            try:
                if not self.connection.recv(1):
                    break
            except socket.timeout:
                if every is not None and sent < len(body):
                    try:
                        self.connection.sendall(body[sent:sent + 1])
                    except OSError:
                        break
                    sent += 1
                continue
            except OSError:
                break
        self.close_connection = True
        return sent


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(args, port, tls):
    srv = Server(("127.0.0.1", port), Handler)
    srv.args = args
    srv.scheme = "https" if tls else "http"
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--https-port", type=int, default=0)
    p.add_argument("--http-port", type=int, default=0)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--log", required=True)
    p.add_argument("--ready", required=True)
    args = p.parse_args()
    if args.https_port:
        serve(args, args.https_port, True)
    if args.http_port:
        serve(args, args.http_port, False)
    with open(args.ready, "w") as f:
        f.write(str(os.getpid()))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
