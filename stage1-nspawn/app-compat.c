/* SPDX-License-Identifier: Apache-2.0 */
/* Where an app's setup follows rkt 1.30 in ways the other files need not know about: what its volumes
 * cover (a volume the user mounted at /etc/hosts, /etc/resolv.conf or /etc/hostname wins over the file
 * stage1 would bind there), its /etc/mtab and /etc/hostname, and the record of its executable that
 * /reaper reads to say why it could not be run. */
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include "app-compat.h"
#include "error.h"
#include "fd-util.h"
#include "fs.h"
#include "path.h"
#include "stage1-app.h"
#include "stage1-common.h"
#include "stage1-isolation.h"
#include "util.h"

static bool same_path(const char *a, const char *b) {
        _cleanup_free_ char *na = path_normalize_inside(a), *nb = path_normalize_inside(b);

        return na && nb && streq(na, nb);
}

int stage1_app_has_volume_at(int s1fd, const AppcPodManifest *pod, const AppcRuntimeApp *ra,
                             const char *path) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *im = NULL;
        _cleanup_error_ RktError *error = NULL;
        Stage1Mount *mounts = NULL;
        const AppcApp *app = ra->app;
        size_t n = 0;
        int r, found = 0;

        /* The runtime app's own mounts need no manifest. */
        for (size_t i = 0; i < ra->n_mounts; i++)
                if (ra->mounts[i].path && same_path(ra->mounts[i].path, path))
                        return 1;
        if (!app) {
                r = stage2_manifest_load(s1fd, ra->name, &im, NULL);
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

int stage1_write_exec_record(int s1fd, const char *app, const char *exec0) {
        _cleanup_free_ char *path = NULL;

        if (asprintf(&path, "rkt/exec/%s", app) < 0)
                return -ENOMEM;
        if (mkdirat(s1fd, "rkt/exec", 0755) < 0 && errno != EEXIST)
                return negative_errno();
        return stage1_write_file_at(s1fd, path, exec0, 0644);
}

int stage1_app_ensure_mtab(int rootfd) {
        _cleanup_close_ int etc = stage1_open_in_root(rootfd, "etc", O_PATH | O_DIRECTORY);

        if (etc < 0) {
                /* An image without /etc gets one, as it gets /etc/hosts and /etc/resolv.conf. */
                if (etc != -ENOENT)
                        return etc;
                if (mkdirat(rootfd, "etc", 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                etc = stage1_open_in_root(rootfd, "etc", O_PATH | O_DIRECTORY);
                if (etc < 0)
                        return etc;
        }
        /* symlinkat() never follows the last component: whatever the image has at /etc/mtab stays. */
        if (symlinkat("../proc/self/mounts", etc, "mtab") < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}

int stage1_app_hostname_mount_point(int s1fd, int rootfd, const AppcPodManifest *pod,
                                    const AppcRuntimeApp *ra) {
        _cleanup_close_ int fd = -1;
        int r;

        r = stage1_app_has_volume_at(s1fd, pod, ra, "/etc/hostname");
        if (r != 0)
                return r < 0 ? r : 0;
        r = stage1_mount_target(rootfd, "/etc/hostname", false, &fd);
        if (r == -ENOLINK || r == -EISDIR || r == -ENOTDIR)
                return 0;
        return r < 0 ? r : 1;
}
