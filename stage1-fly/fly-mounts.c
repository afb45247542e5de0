/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fly-mounts.h"
#include "macro.h"
#include "stage1-app.h"

char *const fly_host_trees[] = {(char *) "/dev", (char *) "/proc", (char *) "/sys", NULL};
#define N_HOST_TREES 3

int fly_mount_plan(const FlyVolume *volumes, size_t n_volumes, const char *resolv_conf, const char *hosts,
                   FlyMount **ret, size_t *ret_n) {
        FlyMount *l = calloc(n_volumes + 3 + N_HOST_TREES, sizeof(FlyMount));
        size_t n = 0;

        if (!l)
                return -ENOMEM;
        /* A private /tmp first: volumes below it are mounted into it, not into the image's. */
        l[n++] = (FlyMount){.target = "/tmp", .dir = true};
        for (size_t i = 0; i < n_volumes; i++)
                l[n++] = (FlyMount){.volume = volumes[i].name,
                                    .source = volumes[i].source,
                                    .target = volumes[i].target,
                                    .dir = volumes[i].dir,
                                    .recursive = volumes[i].recursive,
                                    .read_only = volumes[i].read_only,
                                    .fill = volumes[i].fill};
        if (resolv_conf)
                l[n++] = (FlyMount){.source = resolv_conf, .target = "/etc/resolv.conf", .read_only = true};
        if (hosts)
                l[n++] = (FlyMount){.source = hosts, .target = "/etc/hosts", .read_only = true};
        for (size_t i = 0; i < N_HOST_TREES; i++)
                l[n++] = (FlyMount){.source = fly_host_trees[i],
                                    .target = fly_host_trees[i],
                                    .dir = true,
                                    .recursive = true};
        *ret = l;
        *ret_n = n;
        return 0;
}

bool fly_path_in_host_tree(const char *path) {
        return stage1_path_in_trees(path, fly_host_trees);
}
