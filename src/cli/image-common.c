/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <sys/stat.h>

#include "aci-extract.h"
#include "fs.h"
#include "image-common.h"
#include "log.h"
#include "pod-refs.h"

int image_store_open(const CliArgs *a, unsigned flags, Store **ret) {
        _cleanup_error_ RktError *err = NULL;
        int r = store_open(a->globals->dir, flags, ret, &err);

        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        return 0;
}

int image_resolve(Store *s, const char *ref, char **ret_id) {
        _cleanup_error_ RktError *err = NULL;
        int r = store_resolve(s, ref, ret_id, &err);

        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        return 0;
}

int image_open_resolved(const CliArgs *a, unsigned flags, const char *ref, Store **ret_store,
                        char **ret_id) {
        _cleanup_(store_closep) Store *s = NULL;
        int r = image_store_open(a, flags, &s);

        if (r >= 0)
                r = image_resolve(s, ref, ret_id);
        if (r < 0)
                return r;
        *ret_store = TAKE_PTR(s);
        return 0;
}

int image_store_open_for_removal(const CliArgs *a, Store **ret_store, char ***ret_pod_images,
                                 char ***ret_pod_trees) {
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_error_ RktError *err = NULL;
        int r = image_store_open(a, STORE_WRITABLE | STORE_EXCLUSIVE, &s);

        if (r < 0)
                return r;
        r = pod_refs_collect(a->globals->dir, ret_pod_images, ret_pod_trees, &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        *ret_store = TAKE_PTR(s);
        return 0;
}

int image_target_dir(const char *dir, bool overwrite, int *ret_fd) {
        struct stat st;
        int fd;

        if (lstat(dir, &st) == 0) {
                if (!overwrite)
                        return log_error_errno(-EEXIST,
                                               "'%s' already exists; pass --overwrite to replace it", dir);
                if (!S_ISDIR(st.st_mode))
                        return log_error_errno(-ENOTDIR, "'%s' exists and is not a directory", dir);
                _cleanup_free_ char *busy = NULL;
                int r = rm_rf_at_full(AT_FDCWD, dir, NULL, &busy);
                if (r == -EBUSY && busy)
                        return log_error_errno(
                                r, "cannot remove '%s': '%s' is a mount point (unmount it first)", dir,
                                busy);
                if (r < 0)
                        return log_error_errno(r, "cannot remove '%s': %m", dir);
        }
        if (mkdir(dir, 0755) < 0)
                return log_error_errno(negative_errno(), "cannot create '%s': %m", dir);
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(negative_errno(), "cannot open '%s': %m", dir);
        *ret_fd = fd;
        return 0;
}

enum { OPT_ROOTFS_ONLY = 1, OPT_OVERWRITE };

const Option image_extract_options[] = {
        {"overwrite", 0, OPT_OVERWRITE, OPTION_BOOL, NULL, "false",
         "overwrite the output directory if it exists"},
        {"rootfs-only", 0, OPT_ROOTFS_ONLY, OPTION_BOOL, NULL, "false",
         "extract the image's rootfs only, without its manifest"},
        {},
};

int image_extract_to_dir(CliArgs *a, bool render) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_free_ char *id = NULL;
        _cleanup_close_ int dirfd = -1, blob = -1;
        bool overwrite, rootfs_only;
        int r;

        if ((r = option_bool(a, OPT_OVERWRITE, false, &overwrite)) < 0 ||
            (r = option_bool(a, OPT_ROOTFS_ONLY, false, &rootfs_only)) < 0)
                return r;
        r = image_open_resolved(a, 0, a->args[0], &s, &id);
        if (r < 0)
                return r;
        r = image_target_dir(a->args[1], overwrite, &dirfd);
        if (r < 0)
                return r;
        if (render)
                r = store_render(s, id, dirfd, rootfs_only, &err);
        else {
                blob = store_open_blob(s, id, &err);
                r = blob < 0 ? blob
                             : aci_extract_fd(blob, dirfd,
                                              (rootfs_only ? ACI_EXTRACT_ROOTFS_ONLY : 0) |
                                                      (geteuid() == 0 ? 0 : ACI_EXTRACT_NO_OWNERS),
                                              NULL, NULL, &err);
        }
        if (r < 0) {
                /* Leave nothing half-made behind. */
                (void) rm_rf_at(AT_FDCWD, a->args[1]);
                return log_error_errno(r, "image '%s': %s", a->args[0], rkt_error_message(err, r));
        }
        return 0;
}
