/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fs.h"
#include "path.h"
#include "pod-prepare.h"
#include "stage1-contract.h"

static int pod_fd(const Pod *p) {
        return open(p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* The pod's files are not synced one by one: a pod that is to outlive a power loss (a prepared one) is
 * synced as a whole when it is marked prepared; a running one does not outlive a boot. */
static int write_text(int dirfd, const char *path, const char *text) {
        return write_file_replace_at(dirfd, path, text, strlen(text), 0640);
}

static int mkdirs_at(int dirfd, const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (char *sl = strchr(p + 1, '/');; sl = strchr(sl + 1, '/')) {
                if (sl)
                        *sl = 0;
                if (mkdirat(dirfd, p, mode) < 0 && errno != EEXIST)
                        return negative_errno();
                if (!sl)
                        break;
                *sl = '/';
        }
        return 0;
}

/* Mounts tree_dir/rootfs at target (below the pod) with upper and work dirs in overlay/<tree>/…[/<app>]. */
static int mount_overlay(const Pod *p, int podfd, const char *tree_dir, const char *tree_id, const char *app,
                         const char *target) {
        _cleanup_free_ char *upper = NULL, *work = NULL, *opts = NULL, *abs_target = NULL;
        int r;

        if (asprintf(&upper, "overlay/%s/upper%s%s", tree_id, app ? "/" : "", strempty(app)) < 0 ||
            asprintf(&work, "overlay/%s/work%s%s", tree_id, app ? "/" : "", strempty(app)) < 0)
                return -ENOMEM;
        if ((r = mkdirs_at(podfd, upper, 0755)) < 0 || (r = mkdirs_at(podfd, work, 0700)) < 0)
                return r;
        if (asprintf(&opts, "lowerdir=%s/rootfs,upperdir=%s/%s,workdir=%s/%s", tree_dir, p->path, upper,
                     p->path, work) < 0)
                return -ENOMEM;
        abs_target = path_join(p->path, target);
        if (!abs_target)
                return -ENOMEM;
        if (mount("overlay", abs_target, "overlay", 0, opts) < 0)
                return negative_errno();
        return 0;
}

static bool is_mounted(const char *path) {
        _cleanup_free_ char *parent = path_dirname(path);
        struct stat a, b;

        /* Every overlay mount gets a device number of its own. */
        return parent && stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

static int render_copy(Store *s, const char *id, int podfd, const char *target, bool rootfs_only,
                       RktError **reterr) {
        _cleanup_close_ int fd = -1;
        int r = mkdirs_at(podfd, target, 0755);

        if (r < 0)
                return rkt_error_set(reterr, r, "creating '%s': %s", target, strerror(-r));
        fd = openat(podfd, target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return rkt_error_set(reterr, negative_errno(), "opening '%s': %m", target);
        return store_render(s, id, fd, rootfs_only, reterr);
}

static int prepare_stage1(Pod *p, int podfd, Store *s, const char *stage1_id, bool *overlay,
                          RktError **reterr) {
        _cleanup_free_ char *tree_id = NULL, *tree_dir = NULL;
        const char *manifest;
        size_t size;
        int r;

        r = store_render_tree(s, stage1_id, &tree_id, &tree_dir, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "stage1");
        if ((r = write_text(podfd, POD_STAGE1_ID, stage1_id)) < 0 ||
            (r = write_text(podfd, POD_STAGE1_TREE, tree_id)) < 0 ||
            (r = mkdirs_at(podfd, POD_STAGE1_ROOTFS, 0755)) < 0)
                return rkt_error_set(reterr, r, "writing the pod directory: %s", strerror(-r));
        r = store_manifest_text(s, stage1_id, &manifest, &size, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "stage1");
        r = write_file_replace_at(podfd, POD_STAGE1_MANIFEST, manifest, size, 0644);
        if (r < 0)
                return rkt_error_set(reterr, r, "copying the stage1 manifest: %s", strerror(-r));
        if (*overlay) {
                r = mount_overlay(p, podfd, tree_dir, tree_id, NULL, POD_STAGE1_ROOTFS);
                if (r == -EINVAL || r == -ENODEV || r == -EOPNOTSUPP) {
                        /* This file system cannot hold overlay upper dirs: copy instead, and leave no
                         * upper dir that would say otherwise. */
                        *overlay = false;
                        (void) rm_rf_at(podfd, "overlay");
                        if (mkdirat(podfd, "overlay", 0700) < 0 && errno != EEXIST)
                                return rkt_error_set(reterr, negative_errno(),
                                                     "writing the pod directory: %m");
                } else if (r < 0)
                        return rkt_error_set(reterr, r, "mounting the stage1 overlay: %s", strerror(-r));
        }
        if (!*overlay)
                return render_copy(s, stage1_id, podfd, "stage1", false, reterr);
        return 0;
}

static int prepare_app(Pod *p, int podfd, Store *s, const AppcRuntimeApp *ra, bool overlay,
                       RktError **reterr) {
        _cleanup_free_ char *tree_id = NULL, *tree_dir = NULL, *root = NULL, *mpath = NULL, *info = NULL,
                            *info_manifest = NULL, *info_tree = NULL;
        const char *manifest;
        size_t size;
        int r;

        if (stage2_path(POD_STAGE1_ROOTFS, ra->name, STAGE2_ROOTFS, &root) < 0 ||
            stage2_path(POD_STAGE1_ROOTFS, ra->name, STAGE2_MANIFEST, &mpath) < 0 ||
            asprintf(&info, "appsinfo/%s", ra->name) < 0 ||
            asprintf(&info_manifest, "%s/manifest", info) < 0 ||
            asprintf(&info_tree, "%s/treeStoreID", info) < 0)
                return -ENOMEM;
        r = store_render_tree(s, ra->image.id, &tree_id, &tree_dir, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "app '%s'", ra->name);
        if ((r = mkdirs_at(podfd, root, 0755)) < 0 || (r = mkdirs_at(podfd, info, 0755)) < 0)
                return rkt_error_set(reterr, r, "app '%s': creating its directories: %s", ra->name,
                                     strerror(-r));
        r = store_manifest_text(s, ra->image.id, &manifest, &size, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "app '%s'", ra->name);
        if ((r = write_file_replace_at(podfd, mpath, manifest, size, 0644)) < 0 ||
            (r = write_file_replace_at(podfd, info_manifest, manifest, size, 0644)) < 0 ||
            (r = write_text(podfd, info_tree, tree_id)) < 0)
                return rkt_error_set(reterr, r, "app '%s': writing its manifests: %s", ra->name,
                                     strerror(-r));
        if (!overlay)
                return render_copy(s, ra->image.id, podfd, root, true, reterr);
        r = mount_overlay(p, podfd, tree_dir, tree_id, ra->name, root);
        if (r < 0)
                return rkt_error_set(reterr, r, "app '%s': mounting its overlay: %s", ra->name,
                                     strerror(-r));
        return 0;
}

/* Members of the data directory's group may read a pod's state (rkt list, rkt status), but nothing of
 * its file systems: the apps' roots and the overlay upper dirs hold world-writable directories (/tmp)
 * that anyone who can reach them could write into. Root alone (and the pod's own root) passes here. */
static int seal_pod(int podfd, RktError **reterr) {
        static const char *const private_dirs[] = {"overlay", POD_STAGE1_ROOTFS "/" STAGE2_DIR};

        for (size_t i = 0; i < ELEMENTSOF(private_dirs); i++) {
                _cleanup_close_ int fd = -1;
                if (mkdirs_at(podfd, private_dirs[i], 0700) < 0 ||
                    (fd = openat(podfd, private_dirs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) <
                            0 ||
                    fchmod(fd, 0700) < 0)
                        return rkt_error_set(reterr, negative_errno(), "making '%s' private: %m",
                                             private_dirs[i]);
        }
        return 0;
}

/* The pod's files to owners of its user namespace range: overlayfs would keep the tree store's owners. */
static int shift_pod(int podfd, const UidRange *range, RktError **reterr) {
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd =
                openat(podfd, POD_STAGE1_ROOTFS, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int r = fd < 0 ? negative_errno() : uid_range_chown_tree(fd, range);

        if (r == -ERANGE)
                return rkt_error_set(reterr, r,
                                     "an image has a file whose owner or group is %" PRIu32
                                     " or above, which a user namespace cannot map",
                                     range->count);
        if (r < 0)
                return rkt_error_set(reterr, r, "giving the pod's files to its user namespace: %s",
                                     strerror(-r));
        r = uid_range_format(range, &text);
        if (r >= 0)
                r = write_text(podfd, POD_PRIVATE_USERS, text);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing the pod directory: %s", strerror(-r));
        return 0;
}

static int check_app_image(Store *s, const AppcRuntimeApp *ra, RktError **reterr) {
        const AppcImageManifest *im;
        const char *os, *arch, *problem = NULL;
        int r;

        r = store_manifest(s, ra->image.id, &im, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "app '%s'", ra->name);
        os = appc_kv_get(im->labels, im->n_labels, "os");
        arch = appc_kv_get(im->labels, im->n_labels, "arch");
        if (!os)
                problem = "missing os label in the image manifest";
        else if (!arch)
                problem = "missing arch label in the image manifest";
        if (problem)
                return rkt_error_set(reterr, -EINVAL, "%s: app '%s', image '%s' (%.19s)", problem, ra->name,
                                     im->name, ra->image.id);
        /* The manifest's parser has checked the arch against the os. */
        if (!streq(os, "linux"))
                return rkt_error_set(reterr, -EINVAL,
                                     "bad os \"%s\" (must be one of: [linux]): app '%s', image '%s' (%.19s)",
                                     os, ra->name, im->name, ra->image.id);
        return 0;
}

int pod_check_app_images(Store *s, const AppcPodManifest *m, RktError **reterr) {
        for (size_t i = 0; i < m->n_apps; i++) {
                int r = check_app_image(s, &m->apps[i], reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

int pod_prepare(Pod *p, Store *s, const char *stage1_id, const AppcPodManifest *m, bool overlay,
                const UidRange *private_users, bool *ret_overlay, RktError **reterr) {
        _cleanup_free_ char *json = NULL;
        _cleanup_close_ int podfd = pod_fd(p);
        int r;

        if (podfd < 0)
                return rkt_error_set(reterr, negative_errno(), "opening pod directory '%s': %m", p->path);
        if (private_users)
                overlay = false;
        r = write_text(podfd, POD_CREATED, "");
        if (r < 0)
                return rkt_error_set(reterr, r, "writing the pod directory: %s", strerror(-r));
        if (mkdirat(podfd, "overlay", 0700) < 0 && errno != EEXIST)
                return rkt_error_set(reterr, negative_errno(), "writing the pod directory: %m");
        r = prepare_stage1(p, podfd, s, stage1_id, &overlay, reterr);
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_apps; i++) {
                r = prepare_app(p, podfd, s, &m->apps[i], overlay, reterr);
                if (r < 0)
                        return r;
                (void) store_touch(s, m->apps[i].image.id, NULL);
        }
        (void) store_touch(s, stage1_id, NULL);
        r = seal_pod(podfd, reterr);
        if (r < 0)
                return r;
        if (private_users && (r = shift_pod(podfd, private_users, reterr)) < 0)
                return r;
        if (overlay && (r = write_text(podfd, POD_OVERLAY_MARKER, "")) < 0)
                return rkt_error_set(reterr, r, "writing the pod directory: %s", strerror(-r));
        r = appc_pod_manifest_to_json(m, &json, reterr);
        if (r < 0)
                return r;
        r = write_text(podfd, POD_MANIFEST, json);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing the pod manifest: %s", strerror(-r));
        if (ret_overlay)
                *ret_overlay = overlay;
        return 0;
}

static int read_line_at(int dirfd, const char *path, char **ret) {
        int r = read_full_file_at(dirfd, path, ret, NULL);
        if (r >= 0)
                (*ret)[strcspn(*ret, "\n")] = 0;
        return r;
}

/* The tree the pod was prepared with (its ID in the pod file tree_file), when it is still complete in the
 * store: `rkt image rm` keeps the trees of pods, but the image itself may be gone, as in rkt 1.30. Else the
 * image rendered again (gc took the tree). */
static int pod_tree(const Pod *p, int podfd, Store *s, const char *image_id, const char *tree_file,
                    char **ret_tree, char **ret_dir, RktError **reterr) {
        _cleanup_free_ char *tree = NULL, *dir = NULL, *marker = NULL;
        const char *hex;

        if (read_line_at(podfd, tree_file, &tree) >= 0 && (hex = startswith(tree, "deps-sha512-")) && *hex &&
            strspn(hex, "0123456789abcdef") == strlen(hex) &&
            asprintf(&dir, "%s/cas/tree/%s", p->data_dir, tree) >= 0 &&
            asprintf(&marker, "%s/rendered", dir) >= 0 && access(marker, F_OK) == 0) {
                *ret_tree = TAKE_PTR(tree);
                *ret_dir = TAKE_PTR(dir);
                return 0;
        }
        return store_render_tree(s, image_id, ret_tree, ret_dir, reterr);
}

int pod_remount(Pod *p, Store *s, RktError **reterr) {
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        _cleanup_free_ char *text = NULL, *s1 = NULL, *s1tree = NULL, *s1dir = NULL, *abs = NULL;
        _cleanup_close_ int podfd = pod_fd(p);
        size_t size;
        int r;

        if (podfd < 0)
                return rkt_error_set(reterr, negative_errno(), "opening pod directory '%s': %m", p->path);
        if (faccessat(podfd, POD_OVERLAY_MARKER, F_OK, 0) < 0)
                return 0; /* a copied pod has nothing to mount */
        abs = path_join(p->path, POD_STAGE1_ROOTFS);
        if (!abs)
                return -ENOMEM;
        if (is_mounted(abs))
                return 0;
        if ((r = read_line_at(podfd, POD_STAGE1_ID, &s1)) < 0 ||
            (r = read_full_file_at(podfd, POD_MANIFEST, &text, &size)) < 0)
                return rkt_error_set(reterr, r, "reading pod '%s': %s", p->uuid, strerror(-r));
        r = appc_pod_manifest_parse(text, size, &m, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "pod '%s'", p->uuid);
        /* Rendering again is a no-op when the trees are there, and brings them back when gc took them. */
        r = pod_tree(p, podfd, s, s1, POD_STAGE1_TREE, &s1tree, &s1dir, reterr);
        if (r < 0)
                return r;
        r = mount_overlay(p, podfd, s1dir, s1tree, NULL, POD_STAGE1_ROOTFS);
        if (r < 0)
                return rkt_error_set(reterr, r, "mounting the stage1 overlay: %s", strerror(-r));
        for (size_t i = 0; i < m->n_apps; i++) {
                _cleanup_free_ char *tree = NULL, *dir = NULL, *root = NULL, *info = NULL;
                if (stage2_path(POD_STAGE1_ROOTFS, m->apps[i].name, STAGE2_ROOTFS, &root) < 0 ||
                    asprintf(&info, "appsinfo/%s/treeStoreID", m->apps[i].name) < 0)
                        return -ENOMEM;
                r = pod_tree(p, podfd, s, m->apps[i].image.id, info, &tree, &dir, reterr);
                if (r < 0)
                        return r;
                r = mount_overlay(p, podfd, dir, tree, m->apps[i].name, root);
                if (r < 0)
                        return rkt_error_set(reterr, r, "app '%s': mounting its overlay: %s",
                                             m->apps[i].name, strerror(-r));
        }
        return 0;
}
