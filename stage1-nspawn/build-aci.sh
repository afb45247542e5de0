#!/bin/bash
# build-aci.sh - assembles the stage1-nspawn ACI (an uncompressed tar of manifest + rootfs/) from the
# host's systemd, its shared-library closure, the static units and our entrypoint binaries.
#
#   build-aci.sh inputs                      print the host files the image is made of, one per line
#                                            with size and mtime (make's change detection)
#   build-aci.sh build OUT MANIFEST SRCDIR VERSION BIN...
#                                            write OUT (atomically); SRCDIR is stage1-nspawn/ of the source
#                                            tree (units/, journald.conf); BIN are our binaries, installed
#                                            at the root of the stage1 tree under their own names
#
# Environment: STRIP (default "strip"; empty: do not strip our binaries).
#
# The tree is merged-/usr (lib, lib64, bin, sbin are symlinks into usr/), holds only what the pod's
# systemd needs to boot, run the app units, log to its journal and exit, and is reproducible: GNU tar
# with sorted names, mtime 0 and numeric root ownership.
set -euo pipefail

# The systemd pieces the pod runs: its init, journald, systemd-shutdown (what PID 1 executes to end the
# container with its exit status) and systemctl (to look into a running pod, and for the app verbs of
# mutable pods later; 1.3 MB, no libraries of its own).
HOST_BINARIES=(
	/lib/systemd/systemd
	/lib/systemd/systemd-journald
	/lib/systemd/systemd-shutdown
	/bin/systemctl
)

die() {
	printf 'build-aci.sh: %s\n' "$*" >&2
	exit 1
}

# The path a host file gets in the merged-/usr tree.
usr_path() {
	case $1 in
	/lib/* | /lib64/* | /bin/* | /sbin/*) printf '/usr%s\n' "$1" ;;
	*) printf '%s\n' "$1" ;;
	esac
}

# Has the ELF file a PT_INTERP (program interpreter) header, i.e. is it dynamically linked?
file_is_dynamic() {
	LC_ALL=C readelf -lW -- "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}

# The shared-library closure (and ELF interpreter) of the given binaries, as ldd resolves it.
closure() {
	local b
	for b in "$@"; do
		[ -x "$b" ] || die "$b not found"
		# A static binary has no closure (ldd says "not a dynamic executable" and fails).
		file_is_dynamic "$b" || continue
		ldd "$b" | awk '
			$2 == "=>" && $3 ~ /^\// { print $3; next }
			$1 ~ /^\// { print $1 }
			$2 == "=>" && $3 == "not" { print "MISSING " $1 > "/dev/stderr"; exit 1 }'
	done | sort -u
}

host_files() {
	printf '%s\n' "${HOST_BINARIES[@]}"
	closure "${HOST_BINARIES[@]}"
}

cmd_inputs() {
	local f
	host_files | sort -u | while IFS= read -r f; do
		stat -L -c '%n %s %Y' -- "$f"
	done
}

# The reaper needs the MONITOR_* variables of OnSuccess=/OnFailure= units (systemd 250).
check_systemd_version() {
	local v
	v=$("${HOST_BINARIES[0]}" --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')
	[ -n "$v" ] || die "cannot tell the version of ${HOST_BINARIES[0]}"
	[ "$v" -ge 250 ] || die "systemd $v is too old for the stage1 (it needs 250 or later)"
}

cmd_build() {
	[ $# -ge 4 ] || die "usage: build-aci.sh build OUT MANIFEST SRCDIR VERSION BIN..."
	local out=$1 manifest=$2 srcdir=$3 version=$4 tmp root f dest b
	shift 4
	check_systemd_version
	umask 022
	tmp=$(mktemp -d "$out.tmp.XXXXXX")
	# shellcheck disable=SC2064 # expand now: $tmp is local
	trap "rm -rf -- '$tmp'" EXIT
	root=$tmp/rootfs

	mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/usr/lib/systemd/system \
		"$root"/{etc/systemd/system,dev,proc,sys,run,tmp,opt/stage2,rkt/env,rkt/status,var/log/journal}
	chmod 1777 "$root/tmp"
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	ln -s ../run "$root/var/run"

	# The host's systemd and its libraries, at their merged-/usr paths. Libraries are copied under the
	# name the loader looks for (the soname link's target content).
	for f in "${HOST_BINARIES[@]}" $(closure "${HOST_BINARIES[@]}" "$@"); do
		dest=$root$(usr_path "$f")
		[ -e "$dest" ] && continue
		mkdir -p -- "$(dirname -- "$dest")"
		cp -L -- "$f" "$dest"
	done

	# Our entrypoints and helpers, at the root.
	for b in "$@"; do
		dest=$root/$(basename -- "$b")
		cp -- "$b" "$dest"
		chmod 0755 "$dest"
		if [ -n "${STRIP-strip}" ]; then
			"${STRIP-strip}" --strip-unneeded "$dest"
		fi
	done

	for f in "$srcdir"/units/*; do
		cp -- "$f" "$root/usr/lib/systemd/system/"
	done
	mkdir -p "$root/usr/lib/systemd/journald.conf.d"
	cp -- "$srcdir/journald.conf" "$root/usr/lib/systemd/journald.conf.d/rkt-stage1.conf"
	chmod 0644 "$root/usr/lib/systemd/journald.conf.d/rkt-stage1.conf"
	chmod 0644 "$root"/usr/lib/systemd/system/*
	# machinectl reboot sends SIGINT (ctrl-alt-del.target); a pod does not reboot, it powers off.
	ln -s poweroff.target "$root/usr/lib/systemd/system/ctrl-alt-del.target"

	# The syscall groups ("@default", "@clock", ...) of this systemd, which init expands into the apps'
	# SystemCallFilter= and enter's filters: systemd adds @default to every allow list on its own, so enter
	# must know what it holds for the very systemd the pod runs. Names the image's libseccomp cannot resolve
	# are left out ($SYSCALL_KNOWN, built with it): systemd skips them in its own groups, and warns about
	# each one a unit names.
	[ -x "${SYSCALL_KNOWN:-}" ] || die "SYSCALL_KNOWN must name the syscall-known build tool"
	mkdir -p "$root/usr/lib/rkt"
	systemd-analyze syscall-filter 2>/dev/null >"$tmp/syscall-groups" ||
		die "systemd-analyze syscall-filter failed (it comes with systemd)"
	"$SYSCALL_KNOWN" <"$tmp/syscall-groups" >"$root/usr/lib/rkt/syscall-groups" ||
		die "filtering the syscall groups failed"
	grep -q '^@default' "$root/usr/lib/rkt/syscall-groups" || die "systemd-analyze printed no @default group"
	chmod 0644 "$root/usr/lib/rkt/syscall-groups"

	# nspawn --boot refuses a tree without an os-release.
	cat >"$root/usr/lib/os-release" <<-OSREL
		NAME="rkt stage1-nspawn"
		ID=rkt-stage1
		VERSION_ID=$version
		PRETTY_NAME="rkt stage1-nspawn $version"
		HOME_URL="https://github.com/rkt/rkt"
	OSREL
	ln -s ../usr/lib/os-release "$root/etc/os-release"
	# init rewrites these per pod (hostname, machine-id, the apps' users and groups).
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
	printf 'root:x:0:\n' >"$root/etc/group"
	: >"$root/etc/machine-id"

	cp -- "$manifest" "$tmp/manifest"
	chmod 0644 "$tmp/manifest"

	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
		-C "$tmp" -cf "$tmp/out.aci" manifest rootfs
	mv -f -- "$tmp/out.aci" "$out"
}

case ${1:-} in
inputs) cmd_inputs ;;
build)
	shift
	cmd_build "$@"
	;;
*) die "usage: build-aci.sh inputs | build OUT MANIFEST SRCDIR VERSION BIN..." ;;
esac
