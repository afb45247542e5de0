/* SPDX-License-Identifier: Apache-2.0 */
/* Removing images and trees, and the garbage collection of the store. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aci-extract.h"
#include "aci-read.h"
#include "cleanup.h"
#include "fs.h"
#include "format.h"
#include "image-deps.h"
#include "image-ref.h"
#include "lock.h"
#include "path.h"
#include "store.h"
#include "store-internal.h"
#include "strv.h"
#include "tree-hash.h"

/* --- removal and gc --- */

typedef struct TreeRemoveState {
        const char *id; /* only trees holding this image (NULL: all); never those in keep */
        char *const *keep;
        char ***removed;
        int error;
} TreeRemoveState;

static int tree_remove_one(Store *s, const char *tree_id, void *userdata) {
        TreeRemoveState *st = userdata;
        _cleanup_strv_free_ char **images = NULL;
        _cleanup_free_ char *p = NULL, *aside = NULL;
        int r;

        if (strv_contains(st->keep, tree_id))
                return 0;
        if (st->id && (store_read_tree_marker(s->dir_fd, tree_id, &images, NULL, NULL) < 0 ||
                       !strv_contains(images, st->id)))
                return 0;
        if (asprintf(&p, "tree/%s", tree_id) < 0 ||
            asprintf(&aside, "tree/.rm-%s-%d", tree_id, (int) getpid()) < 0)
                return -ENOMEM;
        /* Out of its name first, in one step: a removal killed halfway must not leave a tree that still
         * looks complete (its marker there, files gone); gc sweeps what is left aside. */
        r = renameat(s->dir_fd, p, s->dir_fd, aside) < 0 ? negative_errno() : 0;
        if (r >= 0) {
                (void) fsync_directory_of(s->dir_fd, p);
                r = rm_rf_at(s->dir_fd, aside);
        }
        if (r < 0 && st->error == 0)
                st->error = r;
        if (r >= 0 && st->removed)
                (void) strv_extend(st->removed, tree_id);
        return 0;
}

int store_remove(Store *s, const char *id, char *const *keep_trees, RktError **reterr) {
        _cleanup_free_ char *rpath = store_record_path(id), *bpath = store_blob_path("blob", id),
                            *mpath = store_blob_path("manifest", id);
        _cleanup_close_ int lockfd = -1;
        TreeRemoveState st = {.id = id, .keep = keep_trees};

        if (!rpath || !bpath || !mpath)
                return -ENOMEM;
        if (!s->writable)
                return rkt_error_set(reterr, -EROFS, "the store is open read-only");
        store_manifest_forget(s, id);
        lockfd = store_lock_image(s, id, LOCK_EX);
        if (lockfd < 0)
                return rkt_error_set(reterr, lockfd, "cannot lock image '%s': %s", id, strerror(-lockfd));
        if (unlinkat(s->dir_fd, rpath, 0) < 0) {
                if (errno == ENOENT)
                        return rkt_error_set(reterr, -ENOENT, "image '%s' is not in the store", id);
                /* The store's directories are sticky (docs/security.md): a member of group rkt removes
                 * only the images she stored herself. */
                if (errno == EPERM && geteuid() != 0)
                        return rkt_error_set(reterr, -EPERM,
                                             "removing image '%s': %m: another user stored it, and only "
                                             "that user or root may remove it",
                                             id);
                return rkt_error_set(reterr, negative_errno(), "removing image '%s': %m", id);
        }
        (void) fsync_directory_of(s->dir_fd, rpath);
        /* The image is gone; what follows only frees space, and gc finishes it after a crash. */
        (void) unlinkat(s->dir_fd, mpath, 0);
        (void) unlinkat(s->dir_fd, bpath, 0);
        (void) store_for_each_tree(s, tree_remove_one, &st);
        return 0;
}

void store_gc_result_done(StoreGcResult *r) {
        r->removed_images = strv_free(r->removed_images);
        r->removed_trees = strv_free(r->removed_trees);
}

/* Removes every entry of dir (relative to the store) for which keep() is false. */
static int sweep_dir(Store *s, const char *dir, bool (*keep)(Store *s, const char *name)) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r = opendir_at(s->dir_fd, dir, &d);

        if (r < 0 || !d)
                return r;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (keep && keep(s, de->d_name))
                        continue;
                (void) rm_rf_at(dirfd(d), de->d_name);
        }
        return 0;
}

static bool has_record(Store *s, const char *name) {
        _cleanup_free_ char *p = NULL;
        if (!store_id_valid(name))
                return false;
        p = store_record_path(name);
        return p && faccessat(s->dir_fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static bool file_cache_valid(Store *s, const char *name) {
        _cleanup_free_ char *p = NULL, *text = NULL, *id = NULL;
        size_t size = 0;

        if (asprintf(&p, "files/%s", name) < 0 || read_full_file_at(s->dir_fd, p, &text, &size) < 0)
                return false;
        return store_file_cache_id(text, size, p, &id) >= 0 && has_record(s, id);
}

static bool is_complete_tree(Store *s, const char *name) {
        return name[0] != '.' && store_read_tree_marker(s->dir_fd, name, NULL, NULL, NULL) == 0;
}

static int sweep_orphans(Store *s, const char *kind) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        _cleanup_free_ char *top = NULL;
        int r;

        if (asprintf(&top, "%s/sha512", kind) < 0)
                return -ENOMEM;
        r = opendir_at(s->dir_fd, top, &d);
        if (r < 0 || !d)
                return r;
        while ((de = readdir(d))) {
                _cleanup_free_ char *sub = NULL;
                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&sub, "%s/%s", top, de->d_name) < 0)
                        return -ENOMEM;
                (void) sweep_dir(s, sub, has_record);
        }
        return 0;
}

int store_gc(Store *s, uint64_t cutoff, char *const *keep_ids, char *const *keep_trees, StoreGcResult *ret,
             RktError **reterr) {
        StoreGcResult res = {};
        ImageRecord **l = NULL;
        size_t n = 0;
        TreeRemoveState st = {.keep = keep_trees, .removed = &res.removed_trees};
        int r;

        if (!s->writable || s->lock_fd < 0)
                return rkt_error_set(reterr, -EROFS, "gc needs the store opened for writing");
        res.removed_images = calloc(1, sizeof(char *));
        res.removed_trees = calloc(1, sizeof(char *));
        if (!res.removed_images || !res.removed_trees) {
                store_gc_result_done(&res);
                return -ENOMEM;
        }
        /* Leftovers of imports and renders that were killed, and what root moved out of the way. */
        (void) sweep_dir(s, "tmp", NULL);
        (void) store_sweep_untrusted(s);
        (void) sweep_dir(s, "tree", is_complete_tree);

        r = store_list(s, &l, &n, reterr);
        if (r < 0) {
                store_gc_result_done(&res);
                return r;
        }
        for (size_t i = 0; i < n; i++) {
                if (l[i]->last_used >= cutoff || strv_contains(keep_ids, l[i]->id))
                        continue;
                if (store_remove(s, l[i]->id, keep_trees, reterr) >= 0)
                        (void) strv_extend(&res.removed_images, l[i]->id);
        }
        image_records_free(l, n);

        (void) store_for_each_tree(s, tree_remove_one, &st);
        /* Blobs and manifests whose record never got written (a crash between the two). */
        (void) sweep_orphans(s, "blob");
        (void) sweep_orphans(s, "manifest");
        (void) sweep_dir(s, "imagelocks", has_record);
        (void) sweep_dir(s, "files", file_cache_valid);
        (void) store_remote_gc(s);
        (void) sweep_dir(s, "treelocks", is_complete_tree);
        *ret = res;
        return 0;
}
