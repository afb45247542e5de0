#!/bin/bash
# TAP: the Debian package on a clean host. Boots a test host (tests/testhost/testhost.sh) that sees nothing
# of the build tree, installs $RKT_DEB with `apt-get install ./rkt_….deb` (offline: every Depends is in the
# test host's root, tests/testhost/packages), and checks what a user gets: rkt, the groups and tmpfiles,
# the gc timer, man pages, bash completion, a demo pod registered with machined, and `apt-get remove`
# leaving a running pod running with a warning.
set -uo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
th=$here/../testhost/testhost.sh
deb=${RKT_DEB:-}
if [ -z "$deb" ]; then
	echo "1..0 # SKIP RKT_DEB names no .deb (build it with 'make deb')"
	exit 0
fi
if [ ! -f "$deb" ]; then
	printf '1..1\nnot ok 1 - the package %s was built (make deb)\n' "$deb"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root (a test host)"; exit 0; }
name=rkt-deb-$$
n=0
echo "1..19"
# lintian on the build's .changes (the .deb and its build info), overrides in dist/debian/rkt.lintian-overrides.
changes=$(ls "$(dirname -- "$deb")"/rkt_*.changes 2>/dev/null | head -1)
if ! command -v lintian >/dev/null; then
	echo "ok $((n += 1)) # SKIP lintian is not installed (dist/scripts/install-deps.sh installs it)"
elif out=$(lintian --fail-on error,warning --pedantic -I "${changes:-$deb}" 2>&1); then
	echo "ok $((n += 1)) - lintian is clean (with the explained overrides)"
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'
else
	echo "not ok $((n += 1)) - lintian is clean (with the explained overrides)"
	printf '%s\n' "$out" | sed 's/^/# /'
fi
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/# /'; }
# rkt loads some libraries with dlopen() (src/shared/dl.c), which dpkg-shlibdeps cannot see in its ELF
# dependencies: Depends must name the package of each SONAME the build compiled in (config.h).
depends=$(dpkg-deb -f "$deb" Depends)
depends_names=" $(printf '%s\n' "$depends" | tr ',|' '\n\n' | sed 's/(.*//; s/ //g' | paste -sd' ') "
config_h=$(dirname -- "$deb")/config.h
missing=
while read -r so; do
	owner=$(dpkg -S "*/$so" 2>/dev/null | head -1 | cut -d: -f1)
	[[ -n $owner && $depends_names == *" $owner "* ]] || missing+=" $so(${owner:-?})"
done < <(sed -n 's/^#define LIB[A-Z0-9]*_SONAME "\(.*\)"$/\1/p' "$config_h" 2>/dev/null)
if [ -s "$config_h" ] && [ -z "$missing" ]; then
	ok "Depends names the package of every library rkt loads with dlopen()"
else
	not_ok "Depends names the package of every library rkt loads with dlopen()" \
		"config.h: $config_h; missing:$missing; Depends: $depends"
fi
# check DESCRIPTION SHELL-COMMAND: runs the command in the test host (as root, cwd /), output shown on failure.
check() {
	local out
	if out=$(cd / && bash "$th" exec "$name" bash -c "$2" 2>&1); then ok "$1"; else not_ok "$1" "$out"; fi
	last=$out
}
stop() { bash "$th" stop "$name" >/dev/null 2>&1 || true; }
trap stop EXIT

if ! bash "$th" start "$name" 2>"${TMPDIR:-/tmp}/$name.log"; then
	echo "Bail out! test host: $(tail -n 1 "${TMPDIR:-/tmp}/$name.log")"
	exit 1
fi
# The host's /tmp is a directory of ours (testhost.sh binds its scratch dir there): hand it the package.
scratch=$(cat "${RKT_TESTHOST_RUNDIR:-/run/rkt-testhost}/$name/scratch")
cp -- "$deb" "$scratch/tmp/" && chmod 0644 "$scratch/tmp/$(basename -- "$deb")"
pkg=/tmp/$(basename -- "$deb")

check "apt-get install ./$(basename -- "$deb") (offline)" \
	"! command -v rkt && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $pkg"
check "rkt version" "rkt version | grep -q '^rkt Version: '"
check "groups rkt and rkt-admin exist" "getent group rkt && getent group rkt-admin"
check "systemd-tmpfiles --create succeeds; /var/lib/rkt belongs to group rkt" \
	"systemd-tmpfiles --create && [ \"\$(stat -c %G /var/lib/rkt /etc/rkt | paste -sd' ')\" = 'rkt rkt-admin' ]"
check "rkt-gc.timer is enabled and active" \
	"[ \"\$(systemctl is-enabled rkt-gc.timer)\" = enabled ] && systemctl is-active rkt-gc.timer"
check "rkt-metadata.socket is not enabled" "! systemctl is-enabled rkt-metadata.socket"
check "man -w rkt-run and rkt-image-list" "man -w rkt-run && man -w rkt-image-list && man -w rkt"
# A login shell reads /etc/profile.d/bash_completion.sh, which loads a command's completion on first use.
check "bash -lic 'complete -p rkt' (bash-completion loads it on demand)" \
	"bash -lic '_completion_loader rkt; complete -p rkt' 2>&1 | grep -x 'complete -F _rkt rkt'"
check "completion of 'rkt image l<TAB>' is 'list'" \
	"bash -c 'source /usr/share/bash-completion/completions/rkt; COMP_WORDS=(rkt image l); COMP_CWORD=2; _rkt;
		[ \"\${COMPREPLY[*]}\" = list ]'"
check "stage1 images are where rkt looks" \
	"ls /usr/lib/rkt/stage1-images/stage1-nspawn.aci /usr/lib/rkt/stage1-images/stage1-fly.aci"
# The demo of the README: busybox made an ACI on the spot.
check "the demo pod prints 'hello from rkt'" '
	set -e; d=$(mktemp -d); mkdir -p $d/rootfs/bin; cp /bin/busybox $d/rootfs/bin/; ln -s busybox $d/rootfs/bin/sh
	echo '"'"'{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/busybox","labels":[{"name":"version","value":"1.35"},{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}],"app":{"exec":["/bin/sh","-c","echo hello from rkt"],"user":"0","group":"0"}}'"'"' >$d/manifest
	tar -C $d -czf /tmp/busybox.aci manifest rootfs
	rkt --insecure-options=image fetch /tmp/busybox.aci
	rkt run --net=host example.com/busybox:1.35 | tee /dev/stderr | grep -q "hello from rkt"'
check "a running pod is a machined machine" '
	systemd-run --unit=demo-pod rkt run --net=host --uuid-file-save=/tmp/pod.uuid example.com/busybox:1.35 \
		--exec /bin/sh -- -c "sleep 600"
	for i in $(seq 100); do
		[ -s /tmp/pod.uuid ] && machinectl show "rkt-$(cat /tmp/pod.uuid)" -p State 2>/dev/null | grep -q running && exit 0
		sleep 0.2
	done
	machinectl list; exit 1'
check "completion offers the running pod's UUID" \
	"[ -s /tmp/pod.uuid ] && bash -c 'source /usr/share/bash-completion/completions/rkt; COMP_WORDS=(rkt status \"\"); COMP_CWORD=2; _rkt;
		[[ \" \${COMPREPLY[*]} \" == *\" \$(cat /tmp/pod.uuid) \"* ]]'"
check "apt-get remove with a pod running warns and names the pod" \
	"DEBIAN_FRONTEND=noninteractive apt-get remove -y -q rkt 2>&1 | tee /dev/stderr |
		grep -F \"keep running after rkt is removed: \$(cat /tmp/pod.uuid)\""
check "the pod keeps running after the removal" \
	"! command -v rkt && machinectl show rkt-\$(cat /tmp/pod.uuid) -p State | grep -qx State=running &&
		systemctl is-active demo-pod.service"
check "the gc timer is gone with the package" "! systemctl is-active rkt-gc.timer"
check "apt-get purge keeps the images and pods of /var/lib/rkt" \
	"machinectl poweroff rkt-\$(cat /tmp/pod.uuid); DEBIAN_FRONTEND=noninteractive apt-get purge -y -q rkt 2>&1 |
		grep -q 'kept /var/lib/rkt' && ls /var/lib/rkt/cas/images | grep -q . && getent group rkt"
exit 0
