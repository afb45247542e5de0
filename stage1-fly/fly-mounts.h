/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What stage1-fly's run mounts in the app's rootfs, and in which order: a pure function of the app's
 * volumes and DNS files, so that unit tests cover it without root. */

#include <stdbool.h>
#include <stddef.h>

/* One mount in the app's rootfs. Strings are borrowed from the inputs (or static). */
typedef struct FlyMount {
        const char *volume; /* the volume's name; NULL for the mounts every fly app gets */
        const char *source; /* a host path; NULL: a fresh tmpfs */
        const char *target; /* inside the app, as the manifest gives it (resolved in the rootfs by run) */
        bool dir;           /* the mount point is a directory (else a file) */
        bool recursive;     /* the source's submounts come along (MS_REC) */
        bool read_only;     /* read-only once mounted (recursively when recursive) */
} FlyMount;

/* A volume mount of the app (stage1_app_mounts(), its source made a host path: the host volume's, or the
 * pod's directory of an empty volume). */
typedef struct FlyVolume {
        const char *name;
        const char *source;
        const char *target;
        bool dir;
        bool read_only;
        bool recursive;
} FlyVolume;

/* The mounts, in order: a tmpfs on /tmp; the volumes; /etc/resolv.conf and /etc/hosts from resolv_conf and
 * hosts (read-only; NULL: the image's own file stays); then the host's /dev, /proc and /sys, recursively.
 * The host's trees come last so that no mount point is ever made in them: run refuses a volume whose mount
 * point resolves below them (fly_path_in_host_tree()). ret is a new array of n_volumes + 6 entries at most,
 * its strings borrowed. */
int fly_mount_plan(const FlyVolume *volumes, size_t n_volumes, const char *resolv_conf, const char *hosts,
                   FlyMount **ret, size_t *ret_n);

/* Is path (absolute inside the app, symlinks resolved) /dev, /proc, /sys or below one of them: a tree the
 * app shares with the host? */
bool fly_path_in_host_tree(const char *path);
