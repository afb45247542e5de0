/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What stage0 and stage1 agree on (stage1-nspawn/README.md describes the contract): the files of the pod
 * directory, the annotations that name a stage1 image's entrypoints, where the apps' trees are inside the
 * stage1 rootfs, how the pids stage1 records are read back, and the run entrypoint's command line.
 * stage0 (src/lib/pod, src/cli) and both stage1 flavours use these and spell none of it out again. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "appc.h"
#include "error.h"

/* --- files of the pod directory, relative to it (stage1's working directory) --- */

#define POD_MANIFEST "pod"
#define POD_CREATED "pod-created"
#define POD_STAGE1_MANIFEST "stage1/manifest"
#define POD_STAGE1_ROOTFS "stage1/rootfs"
#define POD_STAGE1_TREE "stage1TreeStoreID"
#define POD_STAGE1_ID "stage1ID"
/* --private-users: the pod's UID range, "SHIFT:COUNT"; its files belong to the range. */
#define POD_PRIVATE_USERS "private-users-prepared"
/* Written by prepare when the pod's roots are overlays over the tree store (absent: they are copies). */
#define POD_OVERLAY_MARKER "overlay-prepared"
/* stage1-nspawn: systemd-nspawn's pid; the pod's PID 1 is its only child. */
#define POD_PPID "ppid"
/* stage1-fly: the app's process, and its process group. */
#define POD_PID "pid"
#define POD_PGID "pgid"
/* The pod's cgroup below the one stage1 started in. */
#define POD_SUBCGROUP "subcgroup"
/* Each app's confinement (stage1-isolation.h) for enter, kept out of the pod's reach. */
#define POD_CONFINE_DIR "confine"
#define POD_NET_INFO "net-info.json"
/* In the stage1 rootfs: each app's exit status, by app name. */
#define POD_APP_STATUS_DIR "rkt/status"

/* --- the stage1 image's entrypoints, by annotation of its manifest --- */

#define STAGE1_RUN "coreos.com/rkt/stage1/run"
#define STAGE1_ENTER "coreos.com/rkt/stage1/enter"
#define STAGE1_GC "coreos.com/rkt/stage1/gc"
#define STAGE1_STOP "coreos.com/rkt/stage1/stop"
/* The interface version the image implements; 1 when not given (as rkt 1.30). */
#define STAGE1_INTERFACE_VERSION "coreos.com/rkt/stage1/interface-version"

/* The value of annotation name in the JSON text of a stage1 image manifest (the tree store's copy: the pod's
 * stage1/manifest is the pod's to write) and, when ret_version is not NULL, the image's interface version
 * (STAGE1_INTERFACE_VERSION; 1 when not given or not a number from 1 to INT_MAX), from one parse. -ENODATA
 * when it has no such annotation, -EBADMSG when the text is not JSON. */
int stage1_manifest_entrypoint(const char *json, const char *name, char **ret, int *ret_version);

/* --- the apps inside the stage1 rootfs --- */

/* Each app's image manifest and tree: <STAGE2_DIR>/<app>/manifest and <STAGE2_DIR>/<app>/rootfs,
 * relative to the stage1 rootfs. */
#define STAGE2_DIR "opt/stage2"
#define STAGE2_MANIFEST "manifest"
#define STAGE2_ROOTFS "rootfs"

/* "[PREFIX/]opt/stage2/APP/WHAT": PREFIX NULL for a path relative to the stage1 rootfs, POD_STAGE1_ROOTFS
 * for one relative to the pod directory; WHAT is STAGE2_MANIFEST or STAGE2_ROOTFS. app must be a valid
 * app name (an AC name: no '/', no ".."). */
int stage2_path(const char *prefix, const char *app, const char *what, char **ret);

/* The image manifest of app as the pod holds it, from the stage1 rootfs s1fd (which the pod writes):
 * resolved inside s1fd (openat2 RESOLVE_IN_ROOT), a regular file of at most STAGE2_MANIFEST_MAX bytes.
 * Errors name the app and the file: "app 'A': reading its image manifest
 * stage1/rootfs/opt/stage2/A/manifest: CAUSE". reterr may be NULL. */
#define STAGE2_MANIFEST_MAX (4 * 1024 * 1024)
int stage2_manifest_read(int s1fd, const char *app, char **ret, size_t *ret_size, RktError **reterr);
/* The same, parsed and validated ("app 'A': image manifest: CAUSE" when it is not one). */
int stage2_manifest_load(int s1fd, const char *app, AppcImageManifest **ret, RktError **reterr);

/* --- pids --- */

/* A pid in decimal, nothing else (positive, fits pid_t). -EINVAL otherwise. */
int stage1_parse_pid(const char *s, pid_t *ret);
/* Reads a pid file as stage1 writes them ("%d\n"): a regular file of a few bytes, the pid and at most one
 * newline. -EBADMSG for anything else; -ENOENT when there is none. */
int stage1_read_pid_at(int dirfd, const char *path, pid_t *ret);

/* The children of pid, from /proc/<pid>/task/<tid>/children of all its threads (by scanning /proc/<pid>/stat
 * on kernels without those files). */
int pod_process_children(pid_t pid, pid_t **ret, size_t *ret_n);
/* The pod's PID 1: systemd-nspawn's only child. -ESRCH while there is none (nspawn starting or gone),
 * -EAGAIN while there are several (nspawn's helpers at start). */
int pod_process_leader(pid_t nspawn, pid_t *ret);

/* --- the run entrypoint's command line --- */

/* What stage0 tells the run entrypoint (rkt 1.30's flags, as both flavours parse them). */
typedef struct Stage1RunArgs {
        const char *entrypoint; /* argv[0]: the entrypoint's path */
        const char *uuid;       /* the last argument */
        bool debug;
        const char *net; /* the --net value, checked and joined (net_list_format()) */
        bool interactive;
        const char *local_config;
        const char *private_users; /* "--private-users=SHIFT:COUNT" (NULL: no user namespace) */
        const char *hostname;      /* NULL: stage1's default */
        const char *ipc;           /* the --ipc value for a stage1 of interface 6 or later; NULL: none */
        const char *system_config; /* NULL: stage1's default */
        char *const *net_plugin_dirs;
        char *const *dns_args; /* "--dns=…", "--hosts-entry=…", … as the user gave them */
        bool disable_capabilities, disable_paths, disable_seccomp; /* --insecure-options */
        const char *mds_token; /* NULL: the pod is not registered with the metadata service */
} Stage1RunArgs;

/* The argument vector of the run entrypoint, in rkt 1.30's order. A pure function of a. */
int stage1_run_argv(const Stage1RunArgs *a, char ***ret);
