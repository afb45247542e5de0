/* SPDX-License-Identifier: Apache-2.0 */
/* What an app's volumes cover, for the files stage1 would otherwise bind over the app's own (/etc/hosts,
 * /etc/resolv.conf): a volume the user mounted there wins, as it did in rkt 1.30. */
#include <stdio.h>
#include <stdlib.h>

#include "app-volumes.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include "stage1-isolation.h"
#include "util.h"

static bool same_path(const char *a, const char *b) {
        _cleanup_free_ char *na = path_normalize_inside(a), *nb = path_normalize_inside(b);

        return na && nb && streq(na, nb);
}

int stage1_app_has_volume_at(int s1fd, const AppcPodManifest *pod, const AppcRuntimeApp *ra, const char *path) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *im = NULL;
        _cleanup_error_ RktError *error = NULL;
        _cleanup_free_ char *mpath = NULL, *json = NULL;
        Stage1Mount *mounts = NULL;
        const AppcApp *app = ra->app;
        size_t n = 0, size;
        int r, found = 0;

        /* The runtime app's own mounts need no manifest. */
        for (size_t i = 0; i < ra->n_mounts; i++)
                if (ra->mounts[i].path && same_path(ra->mounts[i].path, path))
                        return 1;
        if (!app) {
                if (asprintf(&mpath, "opt/stage2/%s/manifest", ra->name) < 0)
                        return -ENOMEM;
                r = read_full_file_at(s1fd, mpath, &json, &size);
                if (r < 0)
                        return r;
                r = appc_image_manifest_parse(json, size, &im, &error);
                if (r < 0)
                        return r;
                app = im->app;
        }
        if (!app)
                return 0;
        r = stage1_app_mounts(ra, app, pod->volumes, pod->n_volumes, true, &mounts, &n, &error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && !found; i++)
                found = same_path(mounts[i].path, path);
        stage1_mounts_free(mounts, n);
        return found;
}
