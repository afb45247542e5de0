/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Helpers shared by the stage1 entrypoints (init, enter, stop, gc). */

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "macro.h"
#include "net-options.h"
#include "stage1-contract.h"

/* The files of the pod directory (the entrypoints' working directory): stage1-contract.h. */

/* Exit status of an entrypoint that failed (rkt's own error status). */
#define STAGE1_EXIT_FAILURE 254

/* A UUID as rkt writes it: 8-4-4-4-12 lower-case hex digits. */
bool stage1_uuid_valid(const char *s);
/* The pod's machine ID (the UUID without dashes, 32 hex digits + NUL). */
void stage1_machine_id(const char *uuid, char ret[static 33]);
/* The pod's machine name, read from the pod directory (the current directory): its name when it has one
 * (rkt run --name, the file "name"), else rkt-<uuid>. */
int stage1_machine_name(const char *uuid, char **ret);
/* The scope machined makes for the pod: machine-<machine name, dashes as \x2d>.scope. */
int stage1_scope_name(const char *uuid, char **ret);

/* Opens path inside the tree at rootfd as if rootfd were "/": absolute symlinks and ".." stay inside
 * (openat2 RESOLVE_IN_ROOT). For reading app images, which are not trusted. */
int stage1_open_in_root(int rootfd, const char *path, int flags);
/* What stage1_open_in_root() does without openat2 (Linux < 5.6, valgrind); exposed for the tests. */
int stage1_open_in_root_walk(int rootfd, const char *path, int flags);
/* Reads a whole (small) file inside the tree at rootfd, the same way. */
int stage1_read_in_root(int rootfd, const char *path, char **ret);

/* Replaces dirfd/path with text: a temporary file renamed over it, so that readers see the old or the
 * new content. No fsync: this is per-run state of a pod that does not survive a crash anyway. */
int stage1_write_file_at(int dirfd, const char *path, const char *text, mode_t mode);
/* Makes dirfd/path a symlink to target, replacing what is there. */
int stage1_symlink_at(int dirfd, const char *target, const char *path);

/* Closes every fd but stdio and the pod's lock (RKT_LOCK_FD, when set), before an exec: nothing that
 * stage0's caller or we hold reaches nspawn (which hands what it inherits to the pod's PID 1) or an app. */
int stage1_close_fds_but_lock(void);
/* The same, and keeps fds 3 to 3+n_listen-1 too: the sockets of socket activation. */
int stage1_close_fds_but_lock_and_listen(int n_listen);

/* The stop entrypoint's command line, "[--force] UUID", the same for every flavour. Logs what is wrong and
 * returns -EINVAL. */
int stage1_stop_args(int argc, char **argv, bool *ret_force);

/* The whole main() of a stop entrypoint: sets the log prefix, parses "[--force] UUID" and runs stop; a
 * failure is logged as error_prefix followed by its message. Returns the exit status. */
int stage1_stop_main(int argc, char **argv, int (*stop)(bool force, RktError **reterr),
                     const char *error_prefix);

/* A boolean flag of stage0's, bare or "--NAME=BOOL" as stage0 (pflag) may write it. */
int stage1_flag_bool(const char *name, const char *v, bool *ret, RktError **reterr);

/* The end of a run entrypoint's command line, after its flags: the DNS flags checked together
 * (net_dns_config_finish()) and exactly one argument left, the pod's UUID (*ret_uuid points into argv). */
int stage1_run_args_finish(int argc, char **argv, NetDnsConfig *dns, const char **ret_uuid,
                           RktError **reterr);

/* The main() of a run entrypoint around its parse and run, which share args: sets the log prefix, turns on
 * debug messages when parse set *debug, and returns the exit status: run's (the pod's) or, on failure,
 * STAGE1_EXIT_FAILURE with the error logged (1 for a host volume's missing source, as in rkt 1.30). */
int stage1_run_main(int argc, char **argv, void *args, const bool *debug,
                    int (*parse)(int argc, char **argv, void *args, RktError **reterr),
                    int (*run)(const void *args, RktError **reterr));

/* The gc entrypoint's start, the same for every flavour: sets the log prefix and parses
 * "[--debug[=BOOL]] [--local-config=DIR] UUID" (--debug turns on debug messages). Logs what is wrong and
 * returns -EINVAL; *ret_uuid points into argv. */
int stage1_gc_args(int argc, char **argv, const char **ret_uuid);

/* Asks machined to terminate the machine rkt-<uuid>: what is left in its scope is killed and the machine is
 * forgotten. For a pod whose nspawn was killed: machined can keep a machine whose registration was under
 * way when nspawn died. 0 when there is no such machine (or no machined). */
int stage1_terminate_machine(const char *uuid);
/* PID 1 is systemd (it made /run/systemd/system/). */
bool stage1_systemd_booted(void);
/* The unit a cgroup path belongs to: the first name below the slices ("/system.slice/x.service/y" ->
 * "x.service"). -ENXIO when there is none ("/", a slice). */
int stage1_cgroup_unit(const char *cgroup_path, char **ret);
/* The unit we run in, from /proc/self/cgroup: the line of the hierarchy systemd tracks units in. */
int stage1_own_unit(char **ret);
/* Sends message to $NOTIFY_SOCKET (a path or an abstract "@name"): 1 when sent, 0 without NOTIFY_SOCKET. */
int stage1_notify(const char *message);

/* The cgroup hierarchies that matter for placing and finding a pod: the unified one (cgroup2) and, on
 * hybrid and legacy hosts, systemd's named v1 hierarchy. */
typedef struct CgroupHierarchy {
        const char *mount; /* "/sys/fs/cgroup", "/sys/fs/cgroup/unified" or "/sys/fs/cgroup/systemd" */
        bool unified;
} CgroupHierarchy;
/* Fills up to 2 entries, returns how many. */
int stage1_cgroup_hierarchies(CgroupHierarchy ret[static 2]);
/* The host has the unified hierarchy only (cgroup2 at /sys/fs/cgroup, no v1 tree). */
bool stage1_cgroup_unified(void);
/* The path of the cgroup in /proc/<pid>/cgroup text: the "0::" line of the unified hierarchy, or the
 * "name=systemd" line. -ENOENT when there is none. */
int stage1_cgroup_parse(const char *proc_pid_cgroup, bool unified, char **ret);
/* The same for a running process (0: ourselves). */
int stage1_cgroup_of_pid(pid_t pid, bool unified, char **ret);

/* The arguments of the enter entrypoints: --pid=PID --appname=APP [--] CMD [ARGS…]. CMD and what follows it
 * are CMD's own (no option of ours after it). */
int stage1_enter_parse_args(int argc, char **argv, pid_t *ret_pid, const char **ret_app, char ***ret_cmd,
                            RktError **reterr);
