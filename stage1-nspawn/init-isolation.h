/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The isolation work of stage1's init, on the host: it reads the syscall groups of the stage1 image,
 * validates and writes the pod's sysctls (rkt/sysctl), makes the pod's shared volumes and the apps' mount
 * points (inside their rootfs, never following a symlink out), collects the nspawn binds and capabilities,
 * and writes each app's confinement file (rkt/confine/<app>, what enter applies). What is decided is
 * decided by the pure functions of stage1-isolation.c. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "appc.h"
#include "error.h"
#include "nspawn-args.h"
#include "stage1-isolation.h"

/* Where the stage1 image keeps `systemd-analyze syscall-filter` of its systemd (build-aci.sh). */
#define STAGE1_SYSCALL_GROUPS "usr/lib/rkt/syscall-groups"

typedef struct InitIsolationArgs {
        bool disable_capabilities; /* --disable-capabilities-restriction */
        bool disable_paths;        /* --disable-paths */
        bool disable_seccomp;      /* --disable-seccomp */
        bool private_network;      /* the pod has a network namespace of its own (net.* sysctls are its) */
        const char *metadata_url;  /* AC_METADATA_URL, NULL when the pod is not registered */
        const UidRange *private_users; /* --private-users, NULL without */
} InitIsolationArgs;

typedef struct PodIsolation {
        Stage1SyscallGroups groups;
        Stage1IsolationOptions options;
        bool protect_paths;
        bool sysctl; /* rkt/sysctl was written: the apps start after rkt-sysctl.service */
        const char *metadata_url;
        const UidRange *private_users;
        char *pod_dir; /* absolute */
        NspawnBind *binds;
        size_t n_binds;
        char **strings;        /* what binds point to */
        char **device_allow;   /* the apps' device volumes (DeviceAllow= entries), for the pod's scope */
        uint64_t capabilities; /* the union of the apps' bounding sets */
} PodIsolation;

/* cwd is the pod dir, s1fd its stage1 rootfs. */
int pod_isolation_init(PodIsolation *pi, int s1fd, const AppcPodManifest *pod, const InitIsolationArgs *a,
                       RktError **reterr);
void pod_isolation_done(PodIsolation *pi);
/* "CAP_A,CAP_B": the pod's capabilities for nspawn's --capability=; NULL when nothing is restricted. */
int pod_isolation_nspawn_capabilities(const PodIsolation *pi, char **ret);

typedef struct AppIsolation {
        Stage1Isolation isolation;
        bool read_only_rootfs;
        char **writable_paths; /* inside the app, resolved: the read-write volumes */
        char **device_allow;   /* its device volumes, with protect_paths: DeviceAllow= entries */
} AppIsolation;
void app_isolation_done(AppIsolation *ai);

/* The isolation of app (the effective app section of ra) and its volumes: shared volumes made, mount points
 * made in the app's rootfs (rootfd), binds added to pi. Ignored isolators are reported as warnings. */
int app_isolation_plan(PodIsolation *pi, int rootfd, const AppcPodManifest *pod, const AppcRuntimeApp *ra,
                       const AppcApp *app, uid_t uid, AppIsolation *ret, RktError **reterr);

/* Writes rkt/confine/<app>. */
int app_isolation_write_confinement(int s1fd, const char *app, uid_t uid, gid_t gid, const gid_t *groups,
                                    size_t n_groups, const AppIsolation *ai, RktError **reterr);
