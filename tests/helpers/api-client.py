#!/usr/bin/env python3
"""A gRPC client of rkt api-service for the functional tests (tests/functional/api.bats).

The stubs are generated from src/api/api.proto at run time with grpc_tools (Debian's python3-grpc-tools),
so the tests speak exactly the wire contract the server is built from, through a real gRPC stack.

    api-client.py ADDR info
    api-client.py ADDR list-pods [--detail] [--filter JSON]...   (a PodFilter as protobuf JSON)
    api-client.py ADDR inspect-pod ID
    api-client.py ADDR list-images [--detail] [--filter JSON]...
    api-client.py ADDR inspect-image ID
    api-client.py ADDR events [--filter JSON] [--count N] [--timeout S] [--ready FILE]
    api-client.py ADDR logs ID [--app NAME] [--lines N] [--follow] [--timeout S]
    api-client.py ADDR raw METHOD HEX   (a request of arbitrary bytes, for bad-request tests)

Replies are printed as one JSON object per line (events: one per event). A gRPC error prints
"error: CODE: details" on stderr and exits 3.
"""
import argparse
import json
import os
import sys
import tempfile

import grpc
from google.protobuf import json_format
from grpc_tools import protoc

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "api")


def load_stubs():
    out = tempfile.mkdtemp(prefix="rkt-api-stubs.")
    proto = os.path.join(SRC, "api.proto")
    include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    rc = protoc.main(["protoc", "-I" + SRC, "-I" + include, "--python_out=" + out,
                      "--grpc_python_out=" + out, proto])
    if rc != 0:
        sys.exit("protoc failed on " + proto)
    sys.path.insert(0, out)
    import api_pb2
    import api_pb2_grpc
    return api_pb2, api_pb2_grpc


def show(msg):
    print(json.dumps(json_format.MessageToDict(msg, preserving_proto_field_name=True), sort_keys=True),
          flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("addr")
    p.add_argument("cmd")
    p.add_argument("args", nargs="*")
    p.add_argument("--detail", action="store_true")
    p.add_argument("--filter", action="append", default=[])
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--ready")
    p.add_argument("--app", default="")
    p.add_argument("--lines", type=int, default=0)
    p.add_argument("--follow", action="store_true")
    a = p.parse_args()
    pb, pbg = load_stubs()
    channel = grpc.insecure_channel(a.addr)
    stub = pbg.PublicAPIStub(channel)
    t = a.timeout
    try:
        if a.cmd == "info":
            show(stub.GetInfo(pb.GetInfoRequest(), timeout=t))
        elif a.cmd == "list-pods":
            req = pb.ListPodsRequest(detail=a.detail)
            for f in a.filter:
                json_format.Parse(f, req.filters.add())
            show(stub.ListPods(req, timeout=t))
        elif a.cmd == "inspect-pod":
            show(stub.InspectPod(pb.InspectPodRequest(id=a.args[0]), timeout=t))
        elif a.cmd == "list-images":
            req = pb.ListImagesRequest(detail=a.detail)
            for f in a.filter:
                json_format.Parse(f, req.filters.add())
            show(stub.ListImages(req, timeout=t))
        elif a.cmd == "inspect-image":
            show(stub.InspectImage(pb.InspectImageRequest(id=a.args[0]), timeout=t))
        elif a.cmd == "events":
            req = pb.ListenEventsRequest()
            if a.filter:
                json_format.Parse(a.filter[0], req.filter)
            seen = 0
            for reply in stub.ListenEvents(req, timeout=t):
                if a.ready:
                    # The first (empty) reply: the server has taken its snapshot.
                    open(a.ready, "w").close()
                    a.ready = None
                for e in reply.events:
                    show(e)
                    seen += 1
                if a.count and seen >= a.count:
                    break
        elif a.cmd == "logs":
            req = pb.GetLogsRequest(pod_id=a.args[0], app_name=a.app, lines=a.lines, follow=a.follow)
            for reply in stub.GetLogs(req, timeout=t):
                for line in reply.lines:
                    print(line, flush=True)
                if a.count and a.follow:
                    a.count -= len(reply.lines)
                    if a.count <= 0:
                        break
        elif a.cmd == "raw":
            call = channel.unary_unary("/v1alpha.PublicAPI/" + a.args[0],
                                       request_serializer=lambda b: b,
                                       response_deserializer=lambda b: b)
            reply = call(bytes.fromhex(a.args[1]), timeout=t)
            print(reply.hex())
        else:
            sys.exit("unknown command " + a.cmd)
    except grpc.RpcError as e:
        print("error: %s: %s" % (e.code().name, e.details()), file=sys.stderr)
        sys.exit(3)


if __name__ == "__main__":
    main()
