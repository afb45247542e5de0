/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The systemd-nspawn command line and environment that stage1's init execs, as pure functions. */

#include <stdbool.h>

#include "macro.h"
#include "uid-range.h"

#define NSPAWN_PATH "/usr/bin/systemd-nspawn"

/* A host file bound into the stage1's own tree (destination inside the stage1 rootfs, which no app can
 * write). Never a path in an app's rootfs: nspawn would resolve it again, after the mounts before it, where
 * the app's content could redirect it (init mounts the apps' volumes itself, through file descriptors). */
typedef struct NspawnBind {
        const char *source;
        const char *destination;
        bool read_only;
        bool recursive; /* rbind: the mounts below source come along */
} NspawnBind;

typedef struct NspawnOptions {
        const char *uuid;         /* the pod's UUID, lower case with dashes */
        const char *machine_name; /* the pod's name (rkt run --name); NULL: rkt-<uuid> */
        const char *directory;    /* the stage1 rootfs, relative to the pod dir ("stage1/rootfs") */
        bool debug;            /* nspawn and the pod's systemd talk: status lines and logs on the console */
        bool register_machine; /* register with machined (machinectl, journalctl -M) */
        bool keep_unit;        /* stay in the caller's unit (a service, or no systemd to make a scope) */
        bool private_network;  /* --net=none: only a loopback device */
        /* CNI networks: the namespace stage1 made, NULL otherwise. Not passed to nspawn with private_users:
         * nspawn is then started inside it. */
        const char *network_namespace_path;
        bool interactive;      /* the console is the terminal, input included */
        bool all_capabilities; /* --disable-capabilities-restriction */
        bool share_ipc;        /* --ipc=parent: the pod stays in the host's IPC namespace */
        /* The host's resolv.conf for the apps, bound read-only into the stage1 (source NULL: none). */
        NspawnBind host_resolv_conf;
        /* Capabilities the pod needs beyond nspawn's default set, because an app retains them: "CAP_A,CAP_B"
         * (NULL: none). */
        const char *capabilities;
        /* DeviceAllow= entries for the pod's scope (--property=), whose device policy is closed: the devices
         * of the apps' volumes. */
        char *const *device_allow;
        /* Where nspawn sends its readiness (NOTIFY_SOCKET): init's relay to the service manager, NULL to
         * leave the caller's. */
        const char *notify_socket;
        /* --private-users: the pod's user namespace range, NULL for none. */
        const UidRange *private_users;
        /* The host has the unified cgroup hierarchy only (cgroup2 at /sys/fs/cgroup). */
        bool cgroup_unified;
} NspawnOptions;

/* argv for execv(), argv[0] = NSPAWN_PATH. -EINVAL without uuid or directory, or with a host_resolv_conf
 * whose paths are relative. */
int nspawn_argv(const NspawnOptions *o, char ***ret);
/* The environment for nspawn: environ with SYSTEMD_NSPAWN_CONTAINER_SERVICE=rkt (machinectl's SERVICE
 * column) and, unless debugging, SYSTEMD_LOG_LEVEL=err (nspawn's warnings about the host are not the
 * user's business) and NOTIFY_SOCKET (notify_socket) set, replacing what environ has; on a unified
 * host SYSTEMD_NSPAWN_USE_CGNS=0 (see nspawn-args.c). */
int nspawn_environment(const NspawnOptions *o, char *const *environ_in, char ***ret);
