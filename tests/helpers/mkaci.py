#!/usr/bin/env python3
"""Builds ACI files for rkt's tests: valid images with chosen manifests and files, and hostile or broken
ones for the error paths.

  mkaci.py OUT.aci --name example.com/app [--label version=1.0] [--no-label os] [--file PATH=CONTENT] [--dir SRC]
           [--dep NAME[,label=value...]] [--dep-id ID] [--whitelist /PATH] [--exec "/bin/sh -c 'echo hi'"]
           [--port NAME:PROTOCOL:PORT[:COUNT][:socket-activated]] [--mount-point NAME:PATH[:ro]]
           [--compress none|gzip|bzip2|xz|zstd] [--evil KIND]

KIND is one of: dotdot, absolute, symlink-escape, hardlink-escape, two-manifests, no-manifest,
manifest-not-json, no-rootfs, stray-top-level, truncated, garbage, dir-then-file, file-then-below,
control-bytes (a homepage annotation holding terminal control sequences: ESC, BEL, C1 CSI).
"""
import argparse
import bz2
import gzip
import io
import json
import lzma
import os
import shlex
import subprocess
import sys
import tarfile


def add_bytes(tar, name, data, mode=0o644, kind=tarfile.REGTYPE, linkname=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.mtime = 1500000000
    info.linkname = linkname
    if kind == tarfile.REGTYPE:
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    else:
        tar.addfile(info)


def mount_point_json(spec):
    name, path, *ro = spec.split(":")
    return {"name": name, "path": path, "readOnly": ro == ["ro"]}


def port_json(spec):
    name, proto, port, *rest = spec.split(":")
    p = {"name": name, "protocol": proto, "port": int(port)}
    if rest and rest[-1] == "socket-activated":
        p["socketActivated"] = True
        rest.pop()
    if rest:
        p["count"] = int(rest[0])
    return p


def manifest(args):
    m = {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": args.name, "labels": []}
    labels = dict(kv.split("=", 1) for kv in args.label)
    labels.setdefault("os", "linux")
    labels.setdefault("arch", "amd64")
    for name in args.no_label:
        labels.pop(name, None)
    m["labels"] = [{"name": k, "value": v} for k, v in labels.items()]
    if args.exec:
        m["app"] = {"exec": shlex.split(args.exec), "user": "0", "group": "0"}
        if args.port:
            m["app"]["ports"] = [port_json(p) for p in args.port]
        if args.mount_point:
            m["app"]["mountPoints"] = [mount_point_json(mp) for mp in args.mount_point]
    deps = []
    for d in args.dep:
        parts = d.split(",")
        dep = {"imageName": parts[0]}
        if len(parts) > 1:
            dep["labels"] = [{"name": p.split("=", 1)[0], "value": p.split("=", 1)[1]} for p in parts[1:]]
        deps.append(dep)
    for d in args.dep_id:
        name, image_id = d.split("=", 1)
        deps.append({"imageName": name, "imageID": image_id})
    if deps:
        m["dependencies"] = deps
    if args.whitelist:
        m["pathWhitelist"] = args.whitelist
    if args.evil == "control-bytes":
        m["annotations"] = [{"name": "homepage", "value": "\x1b]0;pwned\x07\u009b2J\x1bc"}]
    return json.dumps(m).encode()


def build_tar(args):
    buf = io.BytesIO()
    evil = args.evil
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        if evil != "no-manifest":
            add_bytes(tar, "manifest", b"{not json" if evil == "manifest-not-json" else manifest(args))
        if evil == "two-manifests":
            add_bytes(tar, "manifest", manifest(args))
        if evil != "no-rootfs":
            add_bytes(tar, "rootfs", b"", mode=0o755, kind=tarfile.DIRTYPE)
            if args.dir:
                # The directory's contents go under rootfs/ (rootfs itself is already there).
                for entry in sorted(os.listdir(args.dir)):
                    tar.add(os.path.join(args.dir, entry), arcname="rootfs/" + entry, recursive=True)
            for f in args.file:
                path, content = f.split("=", 1)
                parts = path.strip("/").split("/")
                for i in range(1, len(parts)):
                    d = "rootfs/" + "/".join(parts[:i])
                    try:
                        tar.getmember(d)
                    except KeyError:
                        add_bytes(tar, d, b"", mode=0o755, kind=tarfile.DIRTYPE)
                add_bytes(tar, "rootfs/" + path.strip("/"), content.encode())
        if evil == "truncated":
            add_bytes(tar, "rootfs/payload", os.urandom(65536))
        if evil == "dotdot":
            add_bytes(tar, "rootfs/../../escaped-dotdot", b"owned")
        elif evil == "absolute":
            add_bytes(tar, "/tmp/escaped-absolute", b"owned")
        elif evil == "symlink-escape":
            add_bytes(tar, "rootfs/link", b"", kind=tarfile.SYMTYPE, linkname="/tmp")
            add_bytes(tar, "rootfs/link/escaped-symlink", b"owned")
        elif evil == "hardlink-escape":
            add_bytes(tar, "rootfs/hl", b"", kind=tarfile.LNKTYPE, linkname="/etc/passwd")
        elif evil == "dir-then-file":
            add_bytes(tar, "rootfs/x", b"", mode=0o755, kind=tarfile.DIRTYPE)
            add_bytes(tar, "rootfs/x", b"file")
        elif evil == "file-then-below":
            add_bytes(tar, "rootfs/f", b"file")
            add_bytes(tar, "rootfs/f/g", b"below")
        elif evil == "stray-top-level":
            add_bytes(tar, "extra", b"stray")
        elif evil == "no-rootfs":
            add_bytes(tar, "other/file", b"x")
    data = buf.getvalue()
    if evil == "truncated":
        data = data[: len(data) // 2]
    elif evil == "garbage":
        data = os.urandom(4096)
    return data


def compress(data, how):
    if how == "gzip":
        return gzip.compress(data)
    if how == "bzip2":
        return bz2.compress(data)
    if how == "xz":
        return lzma.compress(data)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout
    return data


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--name", default="example.com/test")
    p.add_argument("--label", action="append", default=[])
    p.add_argument("--file", action="append", default=[])
    p.add_argument("--dir")
    p.add_argument("--no-label", action="append", default=[], help="leave out a label set by default (os, arch)")
    p.add_argument("--dep", action="append", default=[])
    p.add_argument("--dep-id", action="append", default=[])
    p.add_argument("--whitelist", action="append", default=[])
    p.add_argument("--exec", help="the app's command line, split like a shell does")
    p.add_argument("--port", action="append", default=[], help="a port the app declares: NAME:PROTOCOL:PORT[:COUNT][:socket-activated]")
    p.add_argument("--mount-point", action="append", default=[], help="a mount point the app declares: NAME:PATH[:ro]")
    p.add_argument("--compress", default="none", choices=["none", "gzip", "bzip2", "xz", "zstd"])
    p.add_argument("--evil")
    args = p.parse_args()
    data = compress(build_tar(args), args.compress)
    with open(args.out, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
