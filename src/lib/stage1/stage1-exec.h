/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "pod.h"

/* Running a pod's stage1 entrypoints from the host (run, run-prepared, enter, stop, gc).
 *
 * The pod's own stage1/rootfs is no place to run host code from: the pod's root writes it (the overlay's
 * upper dir, or the copy of a --private-users pod), and a planted /gc would run as host root at the next
 * `rkt gc`. So the entrypoints come from the read-only tree store, the stage1 tree recorded at prepare
 * (stage1TreeStoreID): <data dir>/cas/tree/<id>/rootfs, a complete tree (its "rendered" marker present),
 * resolved inside that rootfs (openat2 RESOLVE_IN_ROOT), a regular file owned by root and writable by
 * nobody else, and executed through the fd that was checked, so that nothing can be swapped in between.
 *
 * The tree's content hash is not recomputed here. It would guard against nothing the pod can do: the tree
 * store is host root's alone (0750, outside every pod's view), an overlay never writes its lower dir, and
 * a pod that is a copy (--no-overlay, --private-users) was extracted from the image's blob, sharing no inode
 * with the tree. And it costs: hashing our 21 MB stage1 tree takes about 90 ms with a warm page cache
 * (more from disk), which every `rkt enter` and `rkt stop` would pay and `rkt gc` once per pod, where the
 * design keeps stage1 re-hashing out of the pod lifecycle; `rkt image verify` checks (and repairs) it on
 * demand. */

/* A tree ID as the store names trees: "deps-sha512-" and 128 lower-case hex digits (one path component,
 * no "." or ".."). The ID read from a pod directory is checked with this before it is used in a path. */
bool stage1_tree_id_valid(const char *id);
/* The pod's stage1TreeStoreID (in the pod directory pod_path): one line, a valid tree ID and nothing else.
 * -EBADMSG for anything else, -ENOENT when the pod records none. */
int stage1_read_tree_id(const char *pod_path, char **ret);

/* Opens the pod's entrypoint `which` (an annotation, STAGE1_GC…) from its stage1 tree in the store.
 * *ret_fd is O_RDONLY|O_CLOEXEC, for stage1_exec_fd(); *ret_path names it for messages and argv[0];
 * *ret_version (unless NULL) is the tree's stage1 interface version, from the same read of its manifest
 * (the pod's stage1/manifest is never consulted: the pod writes it).
 * Errors, with a message naming the pod: -ENOENT when the tree is not (or no longer, or not completely) in
 * the store; -ENODATA when the stage1 image names no such entrypoint; -EBADMSG for a tree ID that is not
 * one; -EPERM for an entrypoint that is not a root-owned executable regular file writable only by root. */
int pod_stage1_entrypoint_open(const Pod *p, const char *which, int *ret_fd, char **ret_path,
                               int *ret_version, RktError **reterr);

/* execveat(fd, "", argv, envp, AT_EMPTY_PATH). A script (#!) reads itself back through /dev/fd/N, which
 * a close-on-exec fd does not survive: then FD_CLOEXEC is cleared and the exec tried again. Returns only
 * on failure, a negative errno. */
int stage1_exec_fd(int fd, char *const *argv, char *const *envp);

/* Socket activation: at most this many sockets are passed on. */
#define STAGE1_LISTEN_FDS_MAX 32
/* The sockets systemd passed to this process (LISTEN_FDS, fds 3 to 3+n-1, when LISTEN_PID names us: rkt
 * run started by a socket unit), made inheritable for the exec that passes them on (stage0 to stage1's
 * init, in the same process, so that LISTEN_PID stays true). Returns n; 0, with LISTEN_PID, LISTEN_FDS and
 * LISTEN_FDNAMES removed from the environment, when there are none for us. -EBADF when one of them is not a
 * socket (a directory fd would be a way out of the pod), -E2BIG for more than STAGE1_LISTEN_FDS_MAX. */
int stage1_listen_fds_inherit(void);
/* What an error of stage1_listen_fds_inherit() means, for a message. */
const char *stage1_listen_fds_strerror(int r);
