/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "stage1-contract.h"
#include "uid-range.h"

/* A pod is a directory under <data dir>/pods/<state dir>/<uuid>; its state is the directory it is in plus
 * whether its lock is held (rkt 1.30's pod lifecycle):
 *
 *   state dir        locked (exclusive flock on the pod dir)   not locked
 *   embryo           (transient)                                (transient)
 *   prepare          preparing                                  aborted prepare
 *   prepared         -                                          prepared
 *   run              running                                    exited
 *   exited-garbage   exited deleting                            exited garbage
 *   garbage          deleting                                   garbage
 *
 * Moves between states are rename(2)s of the whole directory; the running stage1 holds the lock through
 * the fd it inherited in RKT_LOCK_FD, so a pod whose stage1 died (kill -9) reads as exited at once. */

typedef enum PodState {
        POD_EMBRYO,
        POD_PREPARING,
        POD_ABORTED_PREPARE,
        POD_PREPARED,
        POD_RUNNING,
        POD_EXITED,
        POD_EXITED_DELETING,
        POD_EXITED_GARBAGE,
        POD_DELETING,
        POD_GARBAGE,
        _POD_STATE_MAX,
} PodState;

/* "running", "exited", "aborted prepare"… as rkt list prints them. */
const char *pod_state_to_string(PodState s);

typedef struct Pod {
        char uuid[37];  /* lower-case, with dashes */
        char *data_dir; /* --dir */
        char *path;     /* absolute path of the pod directory (changes with the state) */
        PodState state;
        int lock_fd; /* >= 0 while this process holds the pod's exclusive lock */
} Pod;

Pod *pod_free(Pod *p); /* closes the lock fd (releasing the lock) */
DEFINE_TRIVIAL_CLEANUP_FUNC(Pod *, pod_free);

/* Creates a new pod with a random UUID: mkdir embryo/<uuid>, lock it, rename to prepare/<uuid>.
 * The returned pod is POD_PREPARING and holds the lock. */
int pod_new(const char *data_dir, Pod **ret, RktError **reterr);
/* preparing -> prepared (releases the lock). */
int pod_mark_prepared(Pod *p, RktError **reterr);
/* preparing -> running (keeps the lock), or prepared -> running (takes the lock first; fails with -EBUSY
 * when another process holds it). */
int pod_mark_running(Pod *p, RktError **reterr);
/* The lock fd with FD_CLOEXEC cleared, for stage1's RKT_LOCK_FD. */
int pod_lock_fd_for_exec(Pod *p);

/* Finds a pod by UUID or by an unambiguous, case-insensitive prefix, in any state; fills state (probing
 * the lock without taking it). Errors: "no matches found for 'X'", "ambiguous uuid 'X': N matches". */
int pod_open(const char *data_dir, const char *uuid_prefix, Pod **ret, RktError **reterr);
/* Reads a UUID from a --uuid-file and opens that pod. */
int pod_open_uuid_file(const char *data_dir, const char *uuid_file, Pod **ret, RktError **reterr);
/* All pods, in all state dirs. */
int pod_list(const char *data_dir, Pod ***ret, size_t *ret_n, RktError **reterr);
void pods_free(Pod **l, size_t n);
/* Re-reads where the pod is and in which state (it may have moved since it was opened). */
int pod_refresh(Pod *p);

/* Files of the pod, relative to its directory, and the entrypoints' annotations: stage1-contract.h. */

/* Times in µs since the epoch; 0 when unknown (not started). */
uint64_t pod_created_time(const Pod *p);
uint64_t pod_started_time(const Pod *p);
/* The pod's PID 1 (from "pid", or the single child of "ppid": pod_process_leader()); -ESRCH when not
 * known yet, -EAGAIN while nspawn still has several children. */
int pod_pid(const Pod *p, pid_t *ret);
/* The exit code stage1 recorded for app (stage1/rootfs/rkt/status/<app>, read through the overlay's
 * upper dir when the stage1 overlay is not mounted); -ENOENT when the app has not exited. */
int pod_app_exit_code(const Pod *p, const char *app, int *ret);

/* --- additions for the inspecting and cleaning verbs (list, status, stop, rm, gc, enter) --- */

/* exited, exited garbage, exited deleting, deleting, garbage: the pod ran (or never will). */
bool pod_state_is_after_run(PodState s);
/* What `rkt status --wait` waits for: exited (also as garbage), aborted prepare, garbage. */
bool pod_state_is_finished(PodState s);

/* Reads a UUID (or prefix) from a --uuid-file, surrounding white space removed. */
int pod_read_uuid_file(const char *path, char **ret, RktError **reterr);

/* Takes the pod's exclusive lock (wait: block until it is free; otherwise -EWOULDBLOCK when held) and
 * refreshes the state (garbage -> deleting…). -ENOENT when the pod is gone meanwhile. */
int pod_lock(Pod *p, bool wait, RktError **reterr);

/* gc and rm: exited -> exited garbage; aborted prepare or prepared -> garbage (a prepared pod only while
 * nobody holds its lock, i.e. no run-prepared is taking it: -EBUSY). Return 1 when this process moved the
 * pod, 0 when another one moved it first (the rename lost the race: the pod's new place and state are
 * re-read), negative on errors. */
int pod_to_exited_garbage(Pod *p, RktError **reterr);
int pod_to_garbage(Pod *p, RktError **reterr);

/* ctime of the pod directory in µs: when gc/rm moved it (the rename sets it); 0 when unknown. */
uint64_t pod_dir_ctime(const Pod *p);
/* The "pid" file, else the "ppid" file, as `rkt status` prints it (the stage1 process, not the pod's
 * PID 1); -ENOENT when stage1 wrote neither. */
int pod_stage1_pid(const Pod *p, pid_t *ret);
/* Reads a file of the pod (relative to its directory): a regular file, not a symlink, at most
 * POD_FILE_MAX bytes (-EFBIG). */
#define POD_FILE_MAX (16 * 1024 * 1024)
int pod_read_file(const Pod *p, const char *name, char **ret, size_t *ret_size);
/* The pod's user namespace range (POD_PRIVATE_USERS): 1 and *ret when it has one, 0 when not. */
int pod_private_users(const Pod *p, UidRange *ret);
/* stage1/rootfs/rkt/supervisor-status is a symlink to "ready". */
bool pod_supervisor_ready(const Pod *p);

/* The entrypoints are run from the tree store, never from the pod, and the stage1 interface version is read
 * from there with them: stage1-exec.h. */

/* Mounts the stage1 overlay again (lower: the tree store's <stage1TreeStoreID>/rootfs) when the pod uses
 * one and it is not mounted (after a reboot), so that stage1's gc entrypoint can run. *ret_mounted tells
 * whether a mount was made; pod_unmount_all() undoes it. */
int pod_mount_stage1(const Pod *p, bool *ret_mounted, RktError **reterr);
/* Unmounts every mount at or below the pod directory (from /proc/self/mountinfo), deepest first; shared
 * mounts are made private first so that the unmounts do not propagate; a busy mount is detached lazily.
 * -EBUSY when mounts remain. */
int pod_unmount_all(const Pod *p, RktError **reterr);
/* Removes the pod directory (stage1 rootfs and overlay dirs first, the manifest last, so that a failure
 * leaves a pod that gc retries). Never descends into another mount: fails with -EBUSY when anything is
 * still mounted below the pod. The caller holds the lock. */
int pod_remove(Pod *p, RktError **reterr);
