#!/bin/bash
# leaks.sh DATA_DIR - report what rkt pods left on this host: one line per leak on stdout, exit 1 when
# there is any, 0 when the host is clean.
#
# Meant for a quiet moment (no pod running, no rkt command in flight), inside the test host or on a
# systemd host used for nothing else: it looks at host-wide state (network namespaces, veths, CNI
# leases, iptables, machines, cgroups) by the names rkt and CNI give them, and at DATA_DIR for mounts
# and file locks.
#
#   mount     a mount point below DATA_DIR (pod overlays, binds)
#   netns     a network namespace named rkt-* (stage1's, one per pod)
#   veth      a veth interface (CNI's ptp/bridge host side)
#   lease     a host-local IPAM lease file under /var/lib/cni/networks
#   iptables  a nat chain named CNI-* (masquerade) or RKT-PFWD-* (port forwarding)
#   machine   a machined machine named rkt-*
#   cgroup    a cgroup named for a pod (machine-rkt\x2d<uuid>.scope)
#   process   a systemd-nspawn, stage1 init or pod systemd still running
#   lock      a flock or POSIX lock held on a file or directory below DATA_DIR
set -uo pipefail

dir=${1:?usage: leaks.sh DATA_DIR}
dir=$(cd -- "$dir" && pwd -P) || exit 2
found=0

leak() {
	printf 'leak: %s: %s\n' "$1" "$2"
	found=1
}

# Mounts (mountinfo escapes blanks as \040; the data dirs used here have none).
while IFS= read -r m; do
	case $m in "$dir"/*) leak mount "$m" ;; esac
done < <(awk '{ print $5 }' /proc/self/mountinfo)

if command -v ip >/dev/null; then
	while read -r ns _; do
		case $ns in rkt-*) leak netns "$ns" ;; esac
	done < <(ip netns list 2>/dev/null)
	while IFS= read -r l; do
		leak veth "$l"
	done < <(ip -o link show type veth 2>/dev/null | awk -F': ' '{ print $2 }')
fi

if [ -d /var/lib/cni/networks ]; then
	while IFS= read -r f; do
		leak lease "$f ($(head -c 80 "$f" | tr '\n\r' '  '))"
	done < <(find /var/lib/cni/networks -type f ! -name 'last_reserved_ip*' ! -name lock 2>/dev/null)
fi

if command -v iptables >/dev/null; then
	while read -r _ chain; do
		case $chain in CNI-* | RKT-*) leak iptables "nat chain $chain" ;; esac
	done < <(iptables -w -t nat -S 2>/dev/null | grep '^-N ')
fi

if command -v machinectl >/dev/null; then
	while read -r name _; do
		case $name in rkt-*) leak machine "$name" ;; esac
	done < <(machinectl list --no-legend 2>/dev/null)
fi

while IFS= read -r cg; do
	leak cgroup "$cg"
done < <(find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name 'machine-rkt*' 2>/dev/null)

# Processes: nspawn of a pod, stage1's init (run from a pod's stage1 rootfs), a pod's systemd.
while read -r pid args; do
	case $args in
	*systemd-nspawn*--machine=rkt-* | */stage1/rootfs/init* | *"$dir"/*) leak process "$pid $args" ;;
	esac
done < <(ps -eo pid=,args= 2>/dev/null | awk '!/leaks\.sh|ps -eo/')

# Locks on anything below the data dir (/proc/locks: "N: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE ...").
# The kernel lists only locks whose owner is alive and in our PID namespace: a lock left on an open file
# description whose locker exited is not seen here (the process holding it is, above, when it is rkt's).
declare -A inodes=()
while read -r ino path; do
	inodes[$ino]=$path
done < <(find "$dir" -xdev -printf '%i %p\n' 2>/dev/null)
while read -r _ type _ mode pid devino _; do
	ino=${devino##*:}
	[ -n "${inodes[$ino]:-}" ] || continue
	leak lock "$type $mode by pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | head -c 120)) on ${inodes[$ino]}"
done < <(grep -v -- '->' /proc/locks)

exit "$found"
