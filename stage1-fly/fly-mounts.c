/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fly-mounts.h"
#include "macro.h"

static const char *const host_trees[] = {"/dev", "/proc", "/sys"};

int fly_mount_plan(const FlyVolume *volumes, size_t n_volumes, const char *resolv_conf, const char *hosts,
                   FlyMount **ret, size_t *ret_n) {
        FlyMount *l = calloc(n_volumes + 3 + ELEMENTSOF(host_trees), sizeof(FlyMount));
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
                                    .read_only = volumes[i].read_only};
        if (resolv_conf)
                l[n++] = (FlyMount){.source = resolv_conf, .target = "/etc/resolv.conf", .read_only = true};
        if (hosts)
                l[n++] = (FlyMount){.source = hosts, .target = "/etc/hosts", .read_only = true};
        for (size_t i = 0; i < ELEMENTSOF(host_trees); i++)
                l[n++] = (FlyMount){
                        .source = host_trees[i], .target = host_trees[i], .dir = true, .recursive = true};
        *ret = l;
        *ret_n = n;
        return 0;
}

bool fly_path_in_host_tree(const char *path) {
        for (size_t i = 0; i < ELEMENTSOF(host_trees); i++) {
                size_t l = strlen(host_trees[i]);
                if (strncmp(path, host_trees[i], l) == 0 && (path[l] == 0 || path[l] == '/'))
                        return true;
        }
        return false;
}
