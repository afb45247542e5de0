#!/bin/bash
# testhost.sh - boot a throw-away Debian "test host" with systemd as PID 1 inside
# systemd-nspawn, and run commands in it.
#
# The functional tests need a real systemd PID 1 (machined, journald, systemctl,
# nested systemd-nspawn pods, CNI).  On machines whose PID 1 is not systemd
# (the development VMs and CI) they run inside such a test host instead.
# See tests/testhost/README.md for the interface.
#
# Usage: testhost.sh build | root | start NAME | exec NAME CMD... | stop NAME | run CMD...
#
# Everything the harness itself prints goes to stderr; stdout belongs to CMD.
# Harness failures exit with status 125.

set -euo pipefail

SELF=$(readlink -f -- "${BASH_SOURCE[0]}")
HERE=$(dirname -- "$SELF")

CACHE=${RKT_TESTHOST_CACHE:-/var/tmp/rkt-testhost}
CACHE_KEEP=${RKT_TESTHOST_CACHE_KEEP:-2}
RUN_BASE=${RKT_TESTHOST_RUNDIR:-/run/rkt-testhost}
SUITE=${RKT_TESTHOST_SUITE:-bookworm}
MIRROR=${RKT_TESTHOST_MIRROR:-http://deb.debian.org/debian}
PACKAGES_FILE=$HERE/packages
BOOT_TIMEOUT=${RKT_TESTHOST_BOOT_TIMEOUT:-120}
STOP_TIMEOUT=${RKT_TESTHOST_STOP_TIMEOUT:-60}
CGROUP_MODE=${RKT_TESTHOST_CGROUP:-hybrid}
HOST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Bump to force a rebuild when something outside this file and the package list changes.
RECIPE_VERSION=1

log() { printf 'testhost: %s\n' "$*" >&2; }

die() {
	log "error: $*"
	# `run` collects the reason of a failed build/start to report it (TAP "Bail out!").
	if [ -n "${_TESTHOST_ERRFILE:-}" ]; then
		printf '%s\n' "$*" >>"$_TESTHOST_ERRFILE" || true
	fi
	exit 125
}

usage() {
	cat >&2 <<'EOF'
usage: testhost.sh COMMAND [ARGS...]

  build            build (or reuse) the cached test host root
  root             print the path of the cached root for the current recipe
  start NAME       boot a test host called NAME (builds the root if needed)
  exec NAME CMD... run CMD inside the running test host NAME
  stop NAME        power off test host NAME and clean up (idempotent)
  run CMD...       build + start + exec CMD + stop; exits with CMD's status

Environment:
  RKT_TESTHOST_CACHE        cache directory (default /var/tmp/rkt-testhost)
  RKT_TESTHOST_CACHE_KEEP   roots of other package lists kept besides the current one (default 2)
  RKT_TESTHOST_RUNDIR       state directory (default /run/rkt-testhost)
  RKT_TESTHOST_BINDS        space-separated absolute paths bind-mounted at the same path
  RKT_TESTHOST_ENV          extra variable names passed through by exec/run
  RKT_TESTHOST_MIRROR       Debian mirror (default http://deb.debian.org/debian)
  RKT_TESTHOST_SUITE        Debian suite (default bookworm)
  RKT_TESTHOST_BOOT_TIMEOUT seconds to wait for boot (default 120)
  RKT_TESTHOST_STOP_TIMEOUT seconds to wait for poweroff (default 60)
  RKT_TESTHOST_CGROUP       hybrid (default: cgroup v1 controllers, name=systemd and an empty
                            cgroup2, as this machine) or unified (cgroup2 only, as Debian 12 boots)
  RKT_TESTHOST_TAP_BAILOUT  if 1, `run` prints "Bail out! REASON" on stdout when the
                            host cannot be built or booted
EOF
}

need_root() {
	[ "$(id -u)" -eq 0 ] || die "must run as root"
}

# ---------------------------------------------------------------------------
# Recipe.  The hash of the package list, the suite, RECIPE_VERSION and the text
# of recipe_customize names the cached root, so changing any of them rebuilds it.

package_list() {
	sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$PACKAGES_FILE"
}

# Runs once on the freshly debootstrapped root ($1), before it is published.
recipe_customize() {
	local root=$1 unit

	echo rkt-testhost >"$root/etc/hostname"
	cat >"$root/etc/hosts" <<'EOF'
127.0.0.1	localhost
127.0.1.1	rkt-testhost
::1		localhost ip6-localhost ip6-loopback
EOF

	# Nothing may wait on a console, on the network or do periodic work during tests.
	for unit in console-getty.service getty@tty1.service getty-static.service \
		serial-getty@.service container-getty@.service \
		systemd-networkd-wait-online.service systemd-time-wait-sync.service \
		systemd-timesyncd.service \
		apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
		e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer; do
		ln -sfn /dev/null "$root/etc/systemd/system/$unit"
	done

	# Keep the journal in memory: the host's root is a throw-away overlay anyway.
	mkdir -p "$root/etc/systemd/journald.conf.d"
	printf '[Journal]\nStorage=volatile\n' >"$root/etc/systemd/journald.conf.d/testhost.conf"

	# Make the root smaller; apt is not used inside.
	rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
}

recipe_hash() {
	{
		printf 'version=%s\nsuite=%s\n' "$RECIPE_VERSION" "$SUITE"
		package_list
		declare -f recipe_customize
	} | sha256sum | cut -c1-16
}

root_dir() {
	printf '%s/%s/root\n' "$CACHE" "$(recipe_hash)"
}

# Unmount everything mounted at or below $1 (deepest first).
umount_under() {
	local dir=$1 m
	[ -e "$dir" ] || return 0
	dir=$(readlink -f -- "$dir")
	findmnt -rn -o TARGET | awk -v d="$dir" '$0 == d || index($0, d "/") == 1' | sort -r |
		while IFS= read -r m; do
			# findmnt -r escapes blanks as \x20
			umount -l -- "$(printf '%b' "$m")" 2>/dev/null || true
		done
}

remove_tree() {
	umount_under "$1"
	rm -rf --one-file-system -- "$1"
}

# Roots used by running test hosts must not be removed.
root_in_use() {
	local f
	for f in "$RUN_BASE"/*/root; do
		[ -f "$f" ] || continue
		[ "$(cat -- "$f")" = "$1" ] && return 0
	done
	return 1
}

cmd_build() {
	need_root
	local hash final tmp lockfd d start
	for t in debootstrap systemd-nspawn nsenter flock findmnt; do
		command -v "$t" >/dev/null || die "$t not found (apt-get install debootstrap systemd-container util-linux)"
	done
	[ -f "$PACKAGES_FILE" ] || die "missing $PACKAGES_FILE"

	hash=$(recipe_hash)
	final=$CACHE/$hash
	mkdir -p -- "$CACHE"
	exec {lockfd}>"$CACHE/.lock"
	flock "$lockfd"

	# Leftovers of interrupted builds and removals (we hold the lock, so nobody is using them).
	for d in "$CACHE"/.build-* "$CACHE"/.old-*; do
		[ -e "$d" ] || continue
		log "removing stale partial build $d"
		remove_tree "$d"
	done

	if [ -d "$final/root" ]; then
		log "using cached root $final/root"
	else
		start=$SECONDS
		tmp=$(mktemp -d "$CACHE/.build-$hash.XXXXXX")
		# shellcheck disable=SC2064 # expand now
		trap "remove_tree '$tmp'" EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		log "building test host root ($SUITE, recipe $hash) in $tmp; log: $tmp/debootstrap.log"
		if ! debootstrap --variant=minbase --include="$(package_list | paste -sd, -)" \
			"$SUITE" "$tmp/root" "$MIRROR" >"$tmp/debootstrap.log" 2>&1; then
			tail -n 30 "$tmp/debootstrap.log" >&2 || true
			die "debootstrap failed"
		fi
		umount_under "$tmp/root"
		recipe_customize "$tmp/root"
		package_list >"$tmp/packages"
		mv -T -- "$tmp" "$final" # atomic publish: $final/root is complete or absent
		trap - EXIT INT TERM
		log "built $final/root in $((SECONDS - start)) s"
	fi

	# Remove roots of older recipes, but keep the most recently used few: work trees of different
	# revisions (and their package lists) take turns on one machine without rebuilding each time.
	touch -- "$final"
	local kept=0
	while IFS= read -r d; do
		[ -d "$d" ] || continue
		[[ $(basename -- "$d") =~ ^[0-9a-f]{16}$ ]] || continue
		[ "$d" = "$final" ] && continue
		kept=$((kept + 1))
		[ "$kept" -le "$CACHE_KEEP" ] && continue
		if root_in_use "$d/root"; then
			log "keeping old root $d (in use by a running test host)"
			continue
		fi
		log "removing old root $d"
		# Out of the way first, so that a removal cut short never leaves a recipe dir without its root.
		mv -T -- "$d" "$CACHE/.old-$(basename -- "$d")" && remove_tree "$CACHE/.old-$(basename -- "$d")"
	done < <(ls -1dt -- "$CACHE"/*)
	exec {lockfd}>&-
}

# ---------------------------------------------------------------------------
# Host lifecycle

check_name() {
	[[ ${1:-} =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$ ]] || die "invalid test host name '${1:-}'"
}

# cgroup directories a test host NAME is started from (see TESTHOST.md step 4).
cgroup_dirs() {
	local name=$1
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo "/sys/fs/cgroup/$name" # unified (cgroup2 only)
	else
		[ -d /sys/fs/cgroup/systemd ] && echo "/sys/fs/cgroup/systemd/$name"
		if [ -d /sys/fs/cgroup/unified ] && [ "$(stat -fc %T /sys/fs/cgroup/unified)" = cgroup2fs ]; then
			echo "/sys/fs/cgroup/unified/$name"
		fi
	fi
}

# env(1) arguments: the environment nspawn boots the test host with, for the hierarchy asked for
# (RKT_TESTHOST_CGROUP).
# nspawn gives a container the host's layout unless told otherwise: a hybrid host's layout needs a machine
# with v1 hierarchies; a unified one (SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1) needs a cgroup2 hierarchy, which a
# hybrid machine has at /sys/fs/cgroup/unified (without controllers where the kernel binds them to v1).
cgroup_mode_env() {
	local outer
	outer=$(stat -fc %T /sys/fs/cgroup)
	case $CGROUP_MODE in
	hybrid)
		[ "$outer" != cgroup2fs ] || die "RKT_TESTHOST_CGROUP=hybrid: this machine has the unified cgroup hierarchy only"
		echo -u SYSTEMD_NSPAWN_UNIFIED_HIERARCHY -u UNIFIED_CGROUP_HIERARCHY
		;;
	unified)
		[ "$outer" = cgroup2fs ] || [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] ||
			die "RKT_TESTHOST_CGROUP=unified: this machine has no cgroup2 hierarchy"
		echo SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1
		;;
	*) die "RKT_TESTHOST_CGROUP: '$CGROUP_MODE' is not hybrid or unified" ;;
	esac
}

# The hierarchy a booted host NAME (leader $1) has: unified or hybrid.
booted_cgroup_mode() {
	case $(in_host "$1" stat -fc %T /sys/fs/cgroup) in
	cgroup2fs) echo unified ;;
	tmpfs) echo hybrid ;;
	*) echo unknown ;;
	esac
}

# Is $1 a live (not zombie) systemd-nspawn process?
nspawn_alive() {
	local pid=$1 stat
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ] || return 1
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd-nspawn ]
}

pid_alive() {
	local stat
	[ -n "$1" ] && stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# The container's PID 1: the child of nspawn living in another PID namespace.
find_leader() {
	local nspawn=$1 c mine
	local -a kids
	mine=$(readlink /proc/self/ns/pid)
	mapfile -t kids < <(cat /proc/"$nspawn"/task/*/children 2>/dev/null | tr -s ' ' '\n')
	for c in "${kids[@]}"; do
		[ -n "$c" ] || continue
		if [ "$(readlink "/proc/$c/ns/pid" 2>/dev/null)" != "$mine" ] &&
			[ -n "$(readlink "/proc/$c/ns/pid" 2>/dev/null)" ]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

in_host() {
	local leader=$1
	shift
	timeout 20 nsenter -t "$leader" -a -- /usr/bin/env -i PATH="$HOST_PATH" "$@"
}

cmd_start() {
	need_root
	local name=${1:-} rundir root scratch cg p leader nspawn state deadline why lockfd mode
	local -a cgs binds args mode_env
	check_name "$name"
	rundir=$RUN_BASE/$name
	[ ! -e "$rundir" ] || die "test host $name exists ($rundir); stop it first"
	read -r -a mode_env <<<"$(cgroup_mode_env)"
	[ "${#mode_env[@]}" -gt 0 ] || exit 125

	if [ "${_TESTHOST_BUILT:-}" != 1 ]; then
		"$BASH" "$SELF" build
	fi
	# Every systemd (the host's and each pod's) takes inotify instances; the kernel's default of 128
	# per user runs out with a few dozen pods ("Too many open files" at boot).
	local v
	for v in max_user_instances:8192 max_user_watches:1048576; do
		if [ "$(cat "/proc/sys/fs/inotify/${v%%:*}")" -lt "${v#*:}" ]; then
			echo "${v#*:}" >"/proc/sys/fs/inotify/${v%%:*}" || true
		fi
	done
	root=$(root_dir)
	mkdir -p -- "$rundir"
	# Claimed under the cache lock: a build of another recipe removes only roots nobody has claimed.
	exec {lockfd}>"$CACHE/.lock"
	flock "$lockfd"
	[ -d "$root" ] || die "no cached root at $root"
	printf '%s\n' "$root" >"$rundir/root"
	exec {lockfd}>&-

	read -r -a binds <<<"${RKT_TESTHOST_BINDS:-}"
	for p in "${binds[@]}"; do
		[[ $p == /* ]] || die "RKT_TESTHOST_BINDS: '$p' is not an absolute path"
		[ -e "$p" ] || die "RKT_TESTHOST_BINDS: '$p' does not exist"
		[[ $p != *:* ]] || die "RKT_TESTHOST_BINDS: '$p' contains ':'"
	done

	# Both hierarchies in either mode on a hybrid machine: nspawn makes its payload and supervisor cgroups
	# beside its own one in name=systemd and in cgroup2 (a unified host's tree is the cgroup2 one), and
	# two hosts started from the same cgroup would share them.
	mapfile -t cgs < <(cgroup_dirs "$name")
	[ "${#cgs[@]}" -gt 0 ] || die "no usable cgroup hierarchy under /sys/fs/cgroup"

	printf '%s\n' "${cgs[@]}" >"$rundir/cgroups"

	# /tmp and /var/tmp of the host live on disk, not in the overlay's tmpfs:
	# tests put pods, images and overlay upper dirs there.
	scratch=$CACHE/scratch/$name
	printf '%s\n' "$scratch" >"$rundir/scratch"
	remove_tree "$scratch"
	mkdir -p -- "$scratch/tmp" "$scratch/var-tmp"
	chmod 1777 "$scratch/tmp" "$scratch/var-tmp"

	for cg in "${cgs[@]}"; do
		mkdir -p -- "$cg"
	done

	# bpf(): the test host's systemd applies device policies (DevicePolicy=, DeviceAllow=) on cgroup2 with
	# BPF programs, as a real host's does; nspawn's filter would refuse it the call.
	args=(-q -D "$root" --boot --volatile=overlay --keep-unit --register=no -M "$name"
		--capability=all --system-call-filter=bpf --private-network --console=read-only
		--bind="$scratch/tmp:/tmp" --bind="$scratch/var-tmp:/var/tmp")
	for p in "${binds[@]}"; do
		args+=(--bind="$p")
	done

	log "booting $name ($CGROUP_MODE cgroup hierarchy) from $root"
	echo "$CGROUP_MODE" >"$rundir/cgroup-mode"
	(
		# A private cgroup per host: with --keep-unit and no systemd PID 1, nspawn puts
		# the container under the caller's cgroup.
		for cg in "${cgs[@]}"; do
			echo "$BASHPID" >"$cg/cgroup.procs"
		done
		exec env "${mode_env[@]}" setsid systemd-nspawn "${args[@]}" </dev/null >"$rundir/log" 2>&1
	) </dev/null >/dev/null 2>&1 &
	nspawn=$!
	# Wait for the subshell to exec nspawn (through env and setsid), so the recorded pid is nspawn's. Until
	# then its name is this script's: "bash" when run as `bash testhost.sh`, but "testhost.sh" when run by
	# its path, so wait for nspawn's name rather than for the end of a list of others (the boot loop below
	# takes any other name for a dead nspawn).
	for _ in $(seq 200); do
		[ -e "/proc/$nspawn" ] || break
		[ "$(cat "/proc/$nspawn/comm" 2>/dev/null)" != systemd-nspawn ] || break
		sleep 0.05
	done
	echo "$nspawn" >"$rundir/pid"

	deadline=$((SECONDS + BOOT_TIMEOUT))
	leader=
	state=
	while [ "$SECONDS" -lt "$deadline" ]; do
		nspawn_alive "$nspawn" || break
		if [ -z "$leader" ]; then
			leader=$(find_leader "$nspawn") || leader=
			[ -n "$leader" ] && echo "$leader" >"$rundir/leader"
		fi
		if [ -n "$leader" ]; then
			state=$(in_host "$leader" systemctl is-system-running 2>/dev/null) || true
			case $state in
			running | degraded) break ;;
			maintenance | stopping | offline) [ "$state" = offline ] || break ;;
			esac
		fi
		sleep 0.2
	done

	case $state in
	running | degraded) ;;
	*)
		if ! nspawn_alive "$nspawn"; then
			why="systemd-nspawn exited before the system was up (state '${state:-none}')"
		elif [ "$SECONDS" -ge "$deadline" ]; then
			why="did not reach running/degraded within ${BOOT_TIMEOUT}s (state '${state:-none}')"
		else
			why="boot failed (state '$state')"
		fi
		log "test host $name did not boot (state '${state:-none}'); boot log:"
		sed 's/^/  | /' "$rundir/log" >&2 2>/dev/null || true
		if [ -n "$leader" ] && pid_alive "$leader"; then
			in_host "$leader" systemctl list-jobs --no-pager >&2 2>&1 || true
			in_host "$leader" systemctl --failed --no-pager >&2 2>&1 || true
		fi
		"$BASH" "$SELF" stop "$name" || true
		die "test host $name: $why"
		;;
	esac
	mode=$(booted_cgroup_mode "$leader")
	if [ "$mode" != "$CGROUP_MODE" ]; then
		"$BASH" "$SELF" stop "$name" || true
		die "test host $name booted with a $mode cgroup hierarchy, not $CGROUP_MODE"
	fi
	if [ "$state" = degraded ]; then
		log "test host $name is degraded; failed units:"
		in_host "$leader" systemctl --failed --no-pager --plain --no-legend >&2 2>&1 || true
	fi
	log "test host $name is $state (nspawn pid $nspawn, leader pid $leader)"
}

cmd_exec() {
	local name=${1:-} rundir leader kv n
	local -a envargs
	check_name "$name"
	shift
	[ $# -gt 0 ] || die "exec: no command given"
	rundir=$RUN_BASE/$name
	leader=$(cat "$rundir/leader" 2>/dev/null) || die "test host $name is not running"
	pid_alive "$leader" || die "test host $name is not running (leader $leader gone)"

	envargs=(PATH="$HOST_PATH" HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}")
	while IFS= read -r -d '' kv; do
		n=${kv%%=*}
		case $n in
		RKT | RKT_* | BATS_*) envargs+=("$kv") ;;
		*)
			case " ${RKT_TESTHOST_ENV:-} " in *" $n "*) envargs+=("$kv") ;; esac
			;;
		esac
	done < <(env -0)

	# nsenter alone would leave CMD outside the host's cgroup tree; `systemd-run --scope`
	# moves it into a transient scope while keeping stdio, cwd, environment and the
	# exit status (it execs CMD).
	# shellcheck disable=SC2016 # expanded by the inner shell
	exec nsenter -t "$leader" -a -- /usr/bin/env -i "${envargs[@]}" /bin/sh -c '
		dir=$1; shift
		if ! cd -- "$dir" 2>/dev/null; then
			echo "testhost: warning: $dir does not exist in the test host, running in /" >&2
			cd /
		fi
		exec systemd-run --scope --quiet --collect -- "$@"' testhost-exec "$PWD" "$@"
}

cmd_stop() {
	need_root
	local name=${1:-} rundir nspawn leader deadline next cg scratch p
	local -a cgs
	check_name "$name"
	rundir=$RUN_BASE/$name
	nspawn=$(cat "$rundir/pid" 2>/dev/null) || nspawn=
	leader=$(cat "$rundir/leader" 2>/dev/null) || leader=

	if nspawn_alive "$nspawn"; then
		[ -n "$leader" ] && pid_alive "$leader" || leader=$(find_leader "$nspawn") || leader=
		log "powering off $name"
		deadline=$((SECONDS + STOP_TIMEOUT))
		next=0
		while nspawn_alive "$nspawn" && [ "$SECONDS" -lt "$deadline" ]; do
			# Repeat: PID 1 of a namespace drops signals it has no handler for yet
			# (early boot), and nspawn ignores SIGTERM until it has set up.
			if [ "$SECONDS" -ge "$next" ]; then
				if [ -n "$leader" ] && pid_alive "$leader"; then
					kill -s RTMIN+4 "$leader" 2>/dev/null || true # systemd: poweroff
				else
					kill -s TERM "$nspawn" 2>/dev/null || true
				fi
				next=$((SECONDS + 5))
			fi
			sleep 0.1
		done
		if nspawn_alive "$nspawn"; then
			log "$name did not power off within ${STOP_TIMEOUT}s; killing it"
			kill -s KILL "$nspawn" 2>/dev/null || true
		fi
	fi

	if [ -f "$rundir/cgroups" ]; then
		mapfile -t cgs <"$rundir/cgroups"
	else
		mapfile -t cgs < <(cgroup_dirs "$name")
	fi
	for cg in "${cgs[@]}"; do
		[ -d "$cg" ] || continue
		# Kill whatever is left (it can only belong to this host), then remove the tree.
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			p=$(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
			[ -z "$p" ] && break
			# shellcheck disable=SC2086
			kill -s KILL $p 2>/dev/null || true
			sleep 0.2
		done
		find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
		[ ! -d "$cg" ] || log "warning: could not remove cgroup $cg"
	done

	scratch=$(cat "$rundir/scratch" 2>/dev/null) || scratch=$CACHE/scratch/$name
	remove_tree "$scratch"
	# nspawn leaves its propagation directory behind where /run is not a tmpfs (it refuses to remove
	# trees on disk file systems).
	remove_tree "/run/systemd/nspawn/propagate/$name"
	rm -rf -- "$rundir"
}

# EXIT trap of `run`: always power the host off; report setup failures.
run_cleanup() {
	local rc=$? reason
	trap - EXIT INT TERM
	"$BASH" "$SELF" stop "$_RUN_NAME" || true
	# nspawn is our child (see cmd_run): reap it.
	if [ -n "${_RUN_NSPAWN:-}" ] && ! nspawn_alive "$_RUN_NSPAWN"; then
		wait "$_RUN_NSPAWN" 2>/dev/null || true
	fi
	if [ "$_RUN_PHASE" = setup ]; then
		reason=$(tail -n 1 "$_TESTHOST_ERRFILE" 2>/dev/null) || true
		reason=${reason:-the test host could not be built or booted (exit status $rc)}
		if [ "${RKT_TESTHOST_TAP_BAILOUT:-}" = 1 ]; then
			printf 'Bail out! test host: %s\n' "$reason"
		fi
		rc=125
	fi
	rm -f -- "$_TESTHOST_ERRFILE"
	exit "$rc"
}

cmd_run() {
	need_root
	[ $# -gt 0 ] || die "run: no command given"
	local rc=0
	_RUN_NAME=rkt-testhost-$$
	_RUN_PHASE=setup
	_RUN_NSPAWN=
	_TESTHOST_ERRFILE=$(mktemp)
	export _TESTHOST_ERRFILE
	trap run_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	"$BASH" "$SELF" build
	# Started in this process, not a child one: nspawn stays our child and is reaped
	# by us (on the development VMs PID 1 reaps orphans only lazily).
	_TESTHOST_BUILT=1 cmd_start "$_RUN_NAME"
	_RUN_NSPAWN=$(cat "$RUN_BASE/$_RUN_NAME/pid")
	_RUN_PHASE=running
	# In the background with `wait`, so that INT/TERM are handled at once (the trap
	# powers the host off, which ends CMD); `<&0` keeps stdin (not /dev/null).
	"$BASH" "$SELF" exec "$_RUN_NAME" "$@" <&0 &
	wait "$!" || rc=$?
	exit "$rc"
}

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case $cmd in
	build) cmd_build "$@" ;;
	root) root_dir ;;
	start) cmd_start "$@" ;;
	exec) cmd_exec "$@" ;;
	stop) cmd_stop "$@" ;;
	run) cmd_run "$@" ;;
	-h | --help | help) usage ;;
	*)
		usage
		exit 2
		;;
	esac
}

main "$@"
