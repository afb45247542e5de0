/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The isolation work of stage1's init, on the host: it reads the syscall groups of the stage1 image,
 * validates and writes the pod's sysctls (rkt/sysctl), makes the pod's shared volumes and mounts the apps'
 * volumes (in a mount namespace of its own, each target resolved inside the app's rootfs through file
 * descriptors as it is mounted, never following a symlink out), collects the capabilities,
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
        char *pod_dir;         /* absolute */
        char **device_allow;   /* the apps' device volumes (DeviceAllow= entries), for the pod's scope */
        uint64_t capabilities; /* the union of the apps' bounding sets */
} PodIsolation;

/* cwd is the pod dir, s1fd its stage1 rootfs. */
int pod_isolation_init(PodIsolation *pi, int s1fd, const AppcPodManifest *pod, const InitIsolationArgs *a,
                       RktError **reterr);
void pod_isolation_done(PodIsolation *pi);
/* Moves us into a mount namespace of the pod's own (the host's mounts its slaves: the volumes mounted there
 * stay there, and go with it when the pod ends), reopens *s1fd (POD_STAGE1_ROOTFS of the cwd) there; the
 * host's namespace in *ret_host_ns. nspawn, our child, starts from it and binds the stage1 rootfs with what
 * is mounted below it. After the network is set up (its namespace is mounted on the host). */
int pod_mount_namespace_enter(int *s1fd, int *ret_host_ns, RktError **reterr);
/* Back to the host's mount namespace (to tear the network down there), cwd podfd (opened on the host); a
 * warning when that fails. Nothing when host_ns is -1 (we never left it). */
void pod_mount_namespace_leave(int host_ns, int podfd);
/* "CAP_A,CAP_B": the pod's capabilities for nspawn's --capability=; NULL when nothing is restricted. */
int pod_isolation_nspawn_capabilities(const PodIsolation *pi, char **ret);

typedef struct AppIsolation {
        Stage1Isolation isolation;
        bool read_only_rootfs;
        char **writable_paths; /* inside the app, resolved: the read-write volumes */
        char **device_allow;   /* its device volumes, with protect_paths: DeviceAllow= entries */
        bool own_sys;          /* a volume at /sys or below it: the app gets no sysfs (rkt 1.30) */
} AppIsolation;
void app_isolation_done(AppIsolation *ai);

/* The isolation of app (the effective app section of ra) and its volumes: shared volumes made, the volumes
 * mounted in the app's rootfs (rootfd, opened in the pod's mount namespace), in order, each target resolved
 * when it is mounted (stage1_mount_volume()). Ignored isolators are reported as warnings. */
int app_isolation_plan(PodIsolation *pi, int rootfd, const AppcPodManifest *pod, const AppcRuntimeApp *ra,
                       const AppcApp *app, uid_t uid, AppIsolation *ret, RktError **reterr);

/* Writes rkt/confine/<app>. */
int app_isolation_write_confinement(int s1fd, const char *app, uid_t uid, gid_t gid, const gid_t *groups,
                                    size_t n_groups, const AppIsolation *ai, RktError **reterr);
