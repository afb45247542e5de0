#!/bin/sh
# build-aci.sh OUT.aci - packs the stub stage1 (manifest + rootfs/ of this directory) into an
# uncompressed ACI, for tests of rkt run/prepare that need a stage1 image without systemd-nspawn.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUT.aci" >&2; exit 2; }
here=$(cd -- "$(dirname -- "$0")" && pwd -P)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1500000000 \
	-C "$here" -cf "$1" manifest rootfs
