#!/bin/bash
# From a fresh Debian 12 machine to a working rkt: installs the build dependencies, builds, installs
# under /usr/local and runs a demo pod from a busybox image made here. Run as root from the source tree.
# On a systemd host the pod registers with machined; where PID 1 is not systemd (containers, some CI
# machines) stage1 falls back to --register=no --keep-unit with one warning.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash dist/scripts/install-deps.sh
apt-get install -y -q --no-install-recommends busybox-static >/dev/null
./autogen.sh >/dev/null
mkdir -p build
(cd build && ../configure --prefix=/usr/local --sysconfdir=/etc --localstatedir=/var >/dev/null)
make -C build -j"$(nproc)" >/dev/null
make -C build install >/dev/null
getent group rkt >/dev/null || groupadd --system rkt
getent group rkt-admin >/dev/null || groupadd --system rkt-admin
systemd-tmpfiles --create /usr/local/lib/tmpfiles.d/rkt.conf 2>/dev/null || true

set -x
rkt version
rkt help
# A demo image: busybox packed as an ACI (an uncompressed tar of manifest + rootfs/).
demo=$(mktemp -d)
mkdir -p "$demo/rootfs/bin"
cp /bin/busybox "$demo/rootfs/bin/busybox"
ln -s busybox "$demo/rootfs/bin/sh"
cat >"$demo/manifest" <<'JSON'
{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/busybox","labels":[{"name":"version","value":"1.35"},{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}],"app":{"exec":["/bin/sh","-c","echo hello from rkt"],"user":"0","group":"0"}}
JSON
tar -C "$demo" -czf "$demo/busybox.aci" manifest rootfs
rkt --insecure-options=image fetch "$demo/busybox.aci"
rkt image list
rkt image cat-manifest example.com/busybox:1.35
set +x
# systemd-nspawn wants a D-Bus system bus; a machine whose PID 1 is not systemd may have none running.
if [ ! -d /run/systemd/system ] && [ ! -S /run/dbus/system_bus_socket ]; then
        mkdir -p /run/dbus
        dbus-daemon --system --fork
fi
set -x
# The demo pod: prints its line and exits; rkt exits with the app's status.
rkt run --net=host example.com/busybox:1.35
rkt list
rkt gc --grace-period=0s
rm -rf "$demo"
