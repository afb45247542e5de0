#!/usr/bin/env python3
"""Pushes an image to a Docker registry (HTTP API v2) for the docker:// tests.

  registry-push.py REGISTRY REPO TAG --layer FILE [--layer FILE ...] [--config JSON] [--oci] [--arch ARCH]
      pushes each layer file as given (a tar or a gzip tar, monolithic upload), an image config made from
      --config (the "config" object of a Docker image config: Env, Entrypoint, Cmd, ...) and a schema 2
      (or OCI, with --oci) manifest; prints the manifest's digest.
  registry-push.py REGISTRY REPO TAG --index DIGEST=ARCH [--index ...] [--oci]
      pushes a manifest list (an OCI index with --oci) of manifests already in REPO; prints its digest.
  --user USER:PASSWORD  basic authentication
"""
import argparse
import base64
import gzip
import hashlib
import json
import sys
import urllib.request

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Registry:
    def __init__(self, host, repo, user):
        self.base = "http://%s/v2/%s" % (host, repo)
        self.auth = "Basic " + base64.b64encode(user.encode()).decode() if user else None

    def request(self, method, url, data=None, content_type=None, accept=None):
        rq = urllib.request.Request(url, data=data, method=method)
        if accept:
            rq.add_header("Accept", accept)
        if self.auth:
            rq.add_header("Authorization", self.auth)
        if content_type:
            rq.add_header("Content-Type", content_type)
        return urllib.request.urlopen(rq)

    def blob(self, data):
        d = digest(data)
        with self.request("POST", self.base + "/blobs/uploads/", b"") as r:
            location = r.headers["Location"]
        if location.startswith("/"):
            location = self.base.split("/v2/")[0] + location
        sep = "&" if "?" in location else "?"
        with self.request("PUT", location + sep + "digest=" + d, data, "application/octet-stream"):
            pass
        return d

    def manifest(self, tag, body, media_type):
        data = json.dumps(body, indent=3).encode()
        with self.request("PUT", self.base + "/manifests/" + tag, data, media_type):
            pass
        return digest(data), len(data)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("registry")
    p.add_argument("repo")
    p.add_argument("tag")
    p.add_argument("--layer", action="append", default=[])
    p.add_argument("--config", default="{}")
    p.add_argument("--oci", action="store_true")
    p.add_argument("--arch", default="amd64")
    p.add_argument("--index", action="append", default=[])
    p.add_argument("--user")
    a = p.parse_args()
    reg = Registry(a.registry, a.repo, a.user)

    if a.index:
        entries = []
        for spec in a.index:
            d, arch = spec.split("=")
            # Without Accept the registry offers schema 1, which an OCI manifest cannot become.
            with reg.request("GET", reg.base + "/manifests/" + d, accept=OCI_MANIFEST + "," + DOCKER_MANIFEST) as r:
                body = r.read()
                media_type = r.headers["Content-Type"]
            entries.append({"mediaType": media_type, "digest": d, "size": len(body),
                            "platform": {"os": "linux", "architecture": arch}})
        media_type = OCI_INDEX if a.oci else DOCKER_LIST
        print(reg.manifest(a.tag, {"schemaVersion": 2, "mediaType": media_type, "manifests": entries},
                           media_type)[0])
        return 0

    layers, diff_ids = [], []
    for path in a.layer:
        with open(path, "rb") as f:
            data = f.read()
        gzipped = data[:2] == b"\x1f\x8b"
        diff_ids.append(digest(gzip.decompress(data) if gzipped else data))
        layer_type = (OCI_LAYER_GZIP if gzipped else OCI_LAYER) if a.oci else DOCKER_LAYER
        layers.append({"mediaType": layer_type, "digest": reg.blob(data), "size": len(data)})
    config = json.dumps({"architecture": a.arch, "os": "linux", "created": "2024-01-02T03:04:05Z",
                         "config": json.loads(a.config),
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    body = {"schemaVersion": 2,
            "config": {"mediaType": OCI_CONFIG if a.oci else DOCKER_CONFIG, "digest": reg.blob(config),
                       "size": len(config)},
            "layers": layers}
    media_type = OCI_MANIFEST if a.oci else DOCKER_MANIFEST
    if not a.oci:
        body = {"schemaVersion": 2, "mediaType": media_type, **{k: v for k, v in body.items() if k != "schemaVersion"}}
    print(reg.manifest(a.tag, body, media_type)[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
