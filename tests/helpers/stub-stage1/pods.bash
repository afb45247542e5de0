# shellcheck shell=bash
# Pods made by hand in every state, for testing the pod verbs without `rkt run`: the directory layout
# stage0 and stage1 leave behind (see stage1-nspawn/README.md), with this directory's stub stage1.
#
#   source tests/helpers/stub-stage1/pods.bash
#   mkpod DATA_DIR STATE UUID [APP[=EXIT_CODE]]...
#
# STATE: embryo, preparing (prepare/ + lock held), aborted (prepare/, no lock), prepared, running (run/ +
# lock held by a holder process, "ppid" = the holder, whose only child is the pod's "PID 1"), exited
# (run/, no lock, "ppid" of a process that is gone, exit codes in stage1/rootfs/rkt/status), exited-garbage,
# garbage. Apps default to one app "app"; app NAME runs image example.com/NAME, version 1.0.
# Holders are recorded in $MKPOD_HOLDERS (one "PID" per line) for mkpod_kill_holders.
# MKPOD_NO_STAGE1=1 leaves out the stage1 (manifest and entrypoints), for quick bulk pods. The stub stage1's
# entrypoints are also put into DATA_DIR's tree store (mkpod_stub_tree): stage0 runs them from there only.

: "${MKPOD_STUB_DIR:=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)}"

# A deterministic fake image ID for an app name: "sha512-" + 128 hex.
mkpod_image_id() {
	local h
	h=$(printf '%s' "$1" | sha512sum)
	printf 'sha512-%s' "${h%% *}"
}

# The stub stage1's tree ID: "deps-" + a fake image ID, as the store names trees.
mkpod_stub_tree_id() {
	printf 'deps-%s' "$(mkpod_image_id stage1-stub)"
}

# mkpod_stub_tree DATA_DIR - the stub stage1 as a rendered tree of DATA_DIR's store (manifest, rootfs/ and
# the "rendered" marker, owned by root), where stage0 runs a pod's entrypoints from.
mkpod_stub_tree() {
	local tree
	tree=$1/cas/tree/$(mkpod_stub_tree_id)
	[ -f "$tree/rendered" ] && return 0
	mkdir -p "$tree/rootfs"
	cp "$MKPOD_STUB_DIR/manifest" "$tree/manifest"
	cp -p "$MKPOD_STUB_DIR"/rootfs/* "$tree/rootfs/"
	chmod -R go-w "$tree"
	printf '{"images":["%s"]}' "$(mkpod_image_id stage1-stub)" >"$tree/rendered"
}

mkpod_state_dir() {
	case $1 in
	embryo) echo embryo ;;
	preparing | aborted) echo prepare ;;
	prepared) echo prepared ;;
	running | exited) echo run ;;
	exited-garbage) echo exited-garbage ;;
	garbage) echo garbage ;;
	*) return 1 ;;
	esac
}

# mkpod_hold DIR [PIDFILE] - holds DIR's lock from a background process (as stage1 holds RKT_LOCK_FD) until
# killed, and waits until it holds it. The holder is flock(1) running sleep: the holder's pid goes to
# PIDFILE (as "ppid"), sleep is its only child.
mkpod_hold() {
	local dir=$1 pidfile=${2:-} pid
	flock -x -o "$dir" sleep 100000 </dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	echo "$pid" >>"${MKPOD_HOLDERS:-/dev/null}"
	[ -z "$pidfile" ] || echo "$pid" >"$pidfile"
	for _ in $(seq 100); do
		flock -n -s "$dir" true 2>/dev/null || return 0
		sleep 0.05
	done
	echo "mkpod: lock on $dir not taken" >&2
	return 1
}

mkpod_kill_holders() {
	local pid
	[ -f "${MKPOD_HOLDERS:-}" ] || return 0
	while read -r pid; do
		pkill -KILL -P "$pid" 2>/dev/null || true
		kill -KILL "$pid" 2>/dev/null || true
	done <"$MKPOD_HOLDERS"
	rm -f "$MKPOD_HOLDERS"
}

mkpod() {
	local data=$1 state=$2 uuid=$3
	shift 3
	local apps=("$@") sdir dir a name
	[ ${#apps[@]} -gt 0 ] || apps=(app)
	sdir=$(mkpod_state_dir "$state") || { echo "mkpod: unknown state '$state'" >&2; return 1; }
	dir=$data/pods/$sdir/$uuid
	mkdir -p "$dir"
	chmod 0750 "$data/pods" "$data/pods/$sdir" "$dir"

	# The pod manifest: one app per name, images example.com/NAME:1.0.
	{
		printf '{"acVersion":"0.8.11","acKind":"PodManifest","apps":['
		local sep=""
		for a in "${apps[@]}"; do
			name=${a%%=*}
			printf '%s{"name":"%s","image":{"name":"example.com/%s","id":"%s","labels":[{"name":"version","value":"1.0"}]},"app":{"exec":["/bin/%s"],"user":"0","group":"0"}}' \
				"$sep" "$name" "$name" "$(mkpod_image_id "$name")" "$name"
			sep=,
		done
		printf '],"volumes":[],"isolators":[],"annotations":[],"ports":[]}\n'
	} >"$dir/pod"
	for a in "${apps[@]}"; do
		name=${a%%=*}
		mkdir -p "$dir/appsinfo/$name"
		printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/%s","labels":[{"name":"version","value":"1.0"},{"name":"os","value":"linux"}]}\n' \
			"$name" >"$dir/appsinfo/$name/manifest"
		echo "deps-$(mkpod_image_id "$name")" >"$dir/appsinfo/$name/treeStoreID"
	done
	[ "$state" = preparing ] || [ "$state" = embryo ] || : >"$dir/pod-created"
	if [ "${MKPOD_NO_STAGE1:-0}" != 1 ]; then
		mkdir -p "$dir/stage1/rootfs"
		cp "$MKPOD_STUB_DIR/manifest" "$dir/stage1/manifest"
		cp -p "$MKPOD_STUB_DIR"/rootfs/* "$dir/stage1/rootfs/"
		mkpod_stub_tree "$data"
		printf '%s\n' "$(mkpod_stub_tree_id)" >"$dir/stage1TreeStoreID"
		printf '%s\n' "$(mkpod_image_id stage1-stub)" >"$dir/stage1ID"
	fi

	case $state in
	running)
		mkpod_hold "$dir" "$dir/ppid"
		;;
	preparing)
		mkpod_hold "$dir"
		;;
	exited | exited-garbage | garbage)
		if [ "$state" != garbage ]; then
			echo 2147483646 >"$dir/ppid" # nothing runs there any more
		fi
		for a in "${apps[@]}"; do
			case $a in
			*=*)
				mkdir -p "$dir/stage1/rootfs/rkt/status"
				echo "${a#*=}" >"$dir/stage1/rootfs/rkt/status/${a%%=*}"
				;;
			esac
		done
		;;
	esac
}
