# shellcheck shell=bash
# Shared by tests/stress/crash.sh and soak.sh: locating the build, booting a test host when PID 1 is not
# systemd, making the test images, the rkt command line and the after-the-fact checks.
#
# Environment: RKT (the rkt binary, default BUILDDIR/rkt), RKT_BUILDDIR (default: the current directory
# when it is a configured build tree, else SRCDIR/build), TMPDIR (where the work directory goes).

stress_here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
srcdir=$(cd -- "$stress_here/../.." && pwd -P)
if [ -n "${RKT_BUILDDIR:-}" ]; then
	builddir=$RKT_BUILDDIR
elif [ -f ./config.status ]; then
	builddir=$(pwd -P)
else
	builddir=$srcdir/build
fi
builddir=$(cd -- "$builddir" && pwd -P) || {
	echo "no build directory $builddir" >&2
	exit 2
}
RKT=${RKT:-$builddir/rkt}
export RKT RKT_BUILDDIR=$builddir

# in_testhost SCRIPT ARGS... - re-runs SCRIPT inside a throw-away test host when PID 1 is not systemd
# (returns when already on a systemd host; otherwise exits with SCRIPT's status).
in_testhost() {
	local script=$1
	shift
	if [ -d /run/systemd/system ] && [ "$(cat /proc/1/comm)" = systemd ]; then
		return 0
	fi
	[ "$(id -u)" -eq 0 ] || {
		echo "PID 1 is not systemd and the test host needs root" >&2
		exit 2
	}
	local binds=$srcdir
	case $builddir in "$srcdir" | "$srcdir"/*) ;; *) binds+=" $builddir" ;; esac
	cd -- "$builddir" || exit 2
	RKT_TESTHOST_BINDS="$binds${RKT_TESTHOST_BINDS:+ $RKT_TESTHOST_BINDS}" \
		exec bash "$srcdir/tests/testhost/testhost.sh" run bash "$script" "$@"
}

# now_ms - milliseconds since the epoch.
now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# make_images WORKDIR MB - WORKDIR/bb.aci (busybox, tiny) and WORKDIR/big.aci (busybox + MB MiB of random
# data, gzip: about as large compressed as uncompressed).
make_images() {
	local w=$1 mb=$2 t
	for t in bb big; do
		mkdir -p "$w/$t/bin" "$w/$t/etc"
		cp /bin/busybox "$w/$t/bin/busybox"
		for b in sh sleep true cat test; do ln -sf busybox "$w/$t/bin/$b"; done
		echo "root:x:0:0:root:/root:/bin/sh" >"$w/$t/etc/passwd"
		echo "root:x:0:" >"$w/$t/etc/group"
	done
	head -c "$((mb * 1024 * 1024))" /dev/urandom >"$w/big/big"
	python3 "$srcdir/tests/helpers/mkaci.py" "$w/bb.aci" --name example.com/stress-bb --dir "$w/bb" \
		--exec "/bin/true"
	python3 "$srcdir/tests/helpers/mkaci.py" "$w/big.aci" --name example.com/stress-big --dir "$w/big" \
		--compress gzip --exec "/bin/true"
	rm -rf "$w/bb" "$w/big"
}
