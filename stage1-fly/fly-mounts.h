/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What stage1-fly's run mounts in the app's rootfs, and in which order: a pure function of the app's
 * volumes and DNS files, so that unit tests cover it without root. */

#include <stdbool.h>
#include <stddef.h>

#include "stage1-app.h"

/* One mount in the app's rootfs (target resolved in the rootfs by run, when it is mounted). */
typedef Stage1MountSpec FlyMount;

/* A volume mount of the app (stage1_app_mounts(), its source made a host path: the host volume's, or the
 * pod's directory of an empty volume). */
typedef struct FlyVolume {
        const char *name;
        const char *source;
        const char *target;
        bool dir;
        bool read_only;
        bool recursive;
        bool fill; /* an implicit volume: starts with the image's files at target */
} FlyVolume;

/* The mounts, in order: a tmpfs on /tmp; the volumes; /etc/resolv.conf and /etc/hosts from resolv_conf and
 * hosts (read-only; NULL: the image's own file stays); then the host's /dev, /proc and /sys, recursively.
 * The host's trees come last so that no mount point is ever made in them: run refuses a volume whose mount
 * point resolves below them (fly_path_in_host_tree()). ret is a new array of n_volumes + 6 entries at most,
 * its strings borrowed. */
int fly_mount_plan(const FlyVolume *volumes, size_t n_volumes, const char *resolv_conf, const char *hosts,
                   FlyMount **ret, size_t *ret_n);

/* /dev, /proc and /sys: the trees the app shares with the host, in which no volume may be mounted. */
extern char *const fly_host_trees[];
/* Is path (absolute inside the app, symlinks resolved) one of them or below one? */
bool fly_path_in_host_tree(const char *path);
