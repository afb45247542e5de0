/* SPDX-License-Identifier: Apache-2.0 */
/* Rendering images into the tree store: a pod's images with their dependencies, each tree once, verified by
 * its hash. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "aci-extract.h"
#include "aci-read.h"
#include "cleanup.h"
#include "digest.h"
#include "fs.h"
#include "json-table.h"
#include "format.h"
#include "image-deps.h"
#include "image-ref.h"
#include "lock.h"
#include "path.h"
#include "store.h"
#include "store-internal.h"
#include "strv.h"
#include "tree-hash.h"

/* --- rendering --- */

/* One image of a flattened dependency tree, in render order: the image itself first, then each
 * dependency right after the image that needs it, so that the first image providing a path wins. */
typedef struct RenderImage {
        char *id;
        const AppcImageManifest *manifest; /* the store's */
        ssize_t parent;                    /* index of the image that pulled this one in, -1 for the top */
} RenderImage;

typedef struct RenderList {
        RenderImage *items;
        size_t n;
} RenderList;

static void render_list_done(RenderList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->items[i].id);
        free(l->items);
        *l = (RenderList){};
}

static int resolve_dependency(Store *s, const AppcDependency *d, char **ret_id, RktError **reterr) {
        const ImageRef ref = {.name = d->image_name, .labels = d->labels, .n_labels = d->n_labels};
        const char *os = NULL, *arch = NULL;

        if (d->image_id)
                return store_resolve(s, d->image_id, ret_id, reterr);
        /* As fetching resolved it: os and arch default to the host's. */
        (void) appc_host_os_arch(&os, &arch);
        return store_resolve_name(s, &ref, os, arch, d->image_name, ret_id, reterr);
}

static int render_list_add(Store *s, RenderList *l, const char *id, ssize_t parent, unsigned depth,
                           RktError **reterr) {
        const AppcImageManifest *m = NULL;
        RenderImage *n;
        size_t self;
        int r;

        if (depth > DEPENDENCY_DEPTH_MAX)
                return rkt_error_set(reterr, -ELOOP,
                                     "image '%s': dependencies nest deeper than %d (a cycle?)", id,
                                     DEPENDENCY_DEPTH_MAX);
        r = store_read_manifest_parsed(s, id, &m, reterr);
        if (r < 0)
                return r;
        n = realloc(l->items, sizeof(*n) * (l->n + 1));
        if (!n)
                return -ENOMEM;
        l->items = n;
        self = l->n;
        l->items[l->n++] = (RenderImage){strdup(id), m, parent};
        if (!l->items[self].id)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_dependencies; i++) {
                _cleanup_free_ char *dep = NULL;
                r = resolve_dependency(s, &m->dependencies[i], &dep, reterr);
                if (r < 0)
                        return rkt_error_prefix(reterr, r, "dependency '%s' of image '%s'",
                                                m->dependencies[i].image_name, m->name);
                r = render_list_add(s, l, dep, (ssize_t) self, depth + 1, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool whitelisted(char *const *whitelist, const char *path) {
        if (!whitelist || !*whitelist)
                return true;
        STRV_FOREACH(w, whitelist)
        if (streq(*w + (**w == '/'), path))
                return true;
        return false;
}

typedef struct FilterState {
        const RenderList *list;
        size_t index;
        int rootfs_fd;
} FilterState;

static bool render_filter(const char *path, mode_t type, void *userdata) {
        FilterState *st = userdata;
        const RenderImage *img = &st->list->items[st->index];
        struct stat sb;

        /* The image's own whitelist, then that of the nearest image above it that has one. */
        if (type != S_IFDIR) {
                if (!whitelisted(img->manifest->path_whitelist, path))
                        return false;
                for (ssize_t p = img->parent; p >= 0; p = st->list->items[p].parent)
                        if (st->list->items[p].manifest->path_whitelist &&
                            st->list->items[p].manifest->path_whitelist[0]) {
                                if (!whitelisted(st->list->items[p].manifest->path_whitelist, path))
                                        return false;
                                break;
                        }
        }
        /* An image above already provided this path. */
        if (st->index > 0 && fstatat(st->rootfs_fd, path, &sb, AT_SYMLINK_NOFOLLOW) == 0)
                return false;
        return true;
}

static int render_into(Store *s, const RenderList *l, int target_dirfd, bool rootfs_only,
                       RktError **reterr) {
        _cleanup_close_ int rootfs_fd = -1;
        int r;

        if (rootfs_only)
                rootfs_fd = fcntl(target_dirfd, F_DUPFD_CLOEXEC, 3);
        else {
                const char *manifest;
                size_t size;
                if (mkdirat(target_dirfd, "rootfs", 0755) < 0 && errno != EEXIST)
                        return rkt_error_set(reterr, negative_errno(), "creating 'rootfs': %m");
                rootfs_fd = openat(target_dirfd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                r = store_manifest_text(s, l->items[0].id, &manifest, &size, reterr);
                if (r < 0)
                        return r;
                r = write_file_atomic_at(target_dirfd, "manifest", manifest, size, 0644);
                if (r < 0)
                        return rkt_error_set(reterr, r, "writing 'manifest': %s", strerror(-r));
        }
        if (rootfs_fd < 0)
                return rkt_error_set(reterr, negative_errno(), "opening the target: %m");
        for (size_t i = 0; i < l->n; i++) {
                _cleanup_close_ int blob = -1;
                FilterState st = {l, i, rootfs_fd};
                bool plain = i == 0 && !(l->items[0].manifest->path_whitelist &&
                                         l->items[0].manifest->path_whitelist[0]);

                blob = store_open_blob(s, l->items[i].id, reterr);
                if (blob < 0)
                        return blob;
                r = aci_extract_fd(blob, rootfs_fd,
                                   ACI_EXTRACT_ROOTFS_ONLY | (geteuid() == 0 ? 0 : ACI_EXTRACT_NO_OWNERS),
                                   plain ? NULL : render_filter, &st, reterr);
                if (r < 0)
                        return rkt_error_prefix(reterr, r, "rendering image '%s'",
                                                l->items[i].manifest->name);
        }
        return 0;
}

int store_render(Store *s, const char *id, int target_dirfd, bool rootfs_only, RktError **reterr) {
        RenderList l = {};
        int r;

        r = render_list_add(s, &l, id, -1, 0, reterr);
        if (r >= 0)
                r = render_into(s, &l, target_dirfd, rootfs_only, reterr);
        render_list_done(&l);
        return r;
}

/* sha512 of the images' IDs joined by ",". */
static int tree_id_of(const RenderList *l, char **ret) {
        _cleanup_free_ char *joined = NULL;
        char *id = malloc(strlen("deps-sha512-") + DIGEST_HEX_MAX), *p;
        size_t size = 1;

        for (size_t i = 0; i < l->n; i++)
                size += strlen(l->items[i].id) + 1;
        joined = p = malloc(size);
        if (!id || !joined) {
                free(id);
                return -ENOMEM;
        }
        *p = '\0';
        for (size_t i = 0; i < l->n; i++)
                p = stpcpy(i > 0 ? stpcpy(p, ",") : p, l->items[i].id);
        digest_buffer_hex(DIGEST_SHA512, joined, (size_t) (p - joined), stpcpy(id, "deps-sha512-"));
        *ret = id;
        return 0;
}

/* The "rendered" file marks a complete tree and says which images it holds, its size and its digest
 * (tree-hash.h). Written last, after everything it describes is on disk, it is the tree's commit point. */
typedef struct TreeMarker {
        char **images;
        uint64_t size;
        char *hash; /* NULL in a marker that records no digest */
} TreeMarker;

static const JsonField tree_marker_fields[] = {
        JSON_FIELD("images", STRV, TreeMarker, images, .flags = JSON_REQUIRED),
        JSON_FIELD("size", UINT64, TreeMarker, size),
        JSON_FIELD("hash", STRING, TreeMarker, hash, .flags = JSON_OMITEMPTY),
        {},
};

static int tree_marker_validate(const void *p, RktError **reterr) {
        const TreeMarker *m = p;

        STRV_FOREACH(id, m->images)
        if (!store_id_valid(*id))
                return json_fail(reterr, "field 'images': %s is not an image ID", JSON_QUOTE(*id));
        return 0;
}

static const JsonTable tree_marker_table = {
        .size = sizeof(TreeMarker),
        .fields = tree_marker_fields,
        .strict = true,
        .single_line = true,
        .validate = tree_marker_validate,
};

static void tree_marker_done(TreeMarker *m) {
        json_table_done(&tree_marker_table, m);
}

static int write_tree_marker(int treefd, const RenderList *l, const TreeHash *th) {
        _cleanup_(tree_marker_done) TreeMarker m = {.size = th->size};
        _cleanup_free_ char *text = NULL;
        int r;

        for (size_t i = 0; i < l->n; i++)
                if (strv_extend(&m.images, l->items[i].id) < 0)
                        return -ENOMEM;
        m.hash = strdup(th->hash);
        if (!m.hash)
                return -ENOMEM;
        r = json_table_to_text(&tree_marker_table, &m, &text);
        if (r < 0)
                return r;
        return write_file_atomic_at(treefd, "rendered", text, strlen(text), 0640);
}

/* Reads a tree's marker; -ENOENT for an incomplete tree, -EBADMSG for a damaged marker. *ret_hash is NULL
 * for a tree whose marker records no digest. */
int store_read_tree_marker(int casfd, const char *tree_id, char ***ret_images, uint64_t *ret_size,
                           char **ret_hash) {
        _cleanup_free_ char *p = NULL, *text = NULL;
        _cleanup_(tree_marker_done) TreeMarker m = {};
        size_t size = 0;
        int r;

        if (asprintf(&p, "tree/%s/rendered", tree_id) < 0)
                return -ENOMEM;
        r = read_full_file_at(casfd, p, &text, &size);
        if (r < 0)
                return r;
        r = json_table_read(&tree_marker_table, text, size, p, &m, NULL);
        if (r < 0)
                return r;
        if (ret_hash)
                *ret_hash = TAKE_PTR(m.hash);
        if (ret_size)
                *ret_size = m.size;
        if (ret_images) {
                /* a marker of no images reads as an empty list, not NULL */
                if (!m.images && !(m.images = calloc(1, sizeof(char *))))
                        return -ENOMEM;
                *ret_images = TAKE_PTR(m.images);
        }
        return 0;
}

/* The flattened dependency list of id, the ID of its tree and the tree's lock, taken exclusively: renders
 * of the same tree wait for each other, and the second finds the first's result. */
static int tree_open(Store *s, const char *id, RenderList *l, char **ret_tree_id, int *ret_lock,
                     RktError **reterr) {
        _cleanup_free_ char *tree_id = NULL, *lock = NULL;
        int r, fd;

        r = render_list_add(s, l, id, -1, 0, reterr);
        if (r < 0)
                return r;
        r = tree_id_of(l, &tree_id);
        if (r < 0)
                return r;
        if (asprintf(&lock, "treelocks/%s", tree_id) < 0)
                return -ENOMEM;
        fd = lock_path_at(s->dir_fd, lock, LOCK_EX, true);
        if (fd < 0)
                return rkt_error_set(reterr, fd, "cannot lock tree '%s': %s", tree_id, strerror(-fd));
        *ret_tree_id = TAKE_PTR(tree_id);
        *ret_lock = fd;
        return 0;
}

/* Renders l into tree/<tree_id>, with the tree's lock held. The tree is built aside and moved into place
 * whole, marker included; what was there before (an incomplete or damaged tree) is swapped out atomically
 * and removed, so at every instant the tree's name holds either the old or the new tree. */
static int render_tree_locked(Store *s, const RenderList *l, const char *tree_id, RktError **reterr) {
        _cleanup_free_ char *tree_path = NULL, *tmp = NULL;
        _cleanup_close_ int tmpfd = -1;
        TreeHash th;
        int r;

        if (asprintf(&tree_path, "tree/%s", tree_id) < 0 ||
            asprintf(&tmp, "tree/.tmp-%s-%d", tree_id, (int) getpid()) < 0)
                return -ENOMEM;
        (void) rm_rf_at(s->dir_fd, tmp);
        if (mkdirat(s->dir_fd, tmp, 0755) < 0)
                return rkt_error_set(reterr, negative_errno(), "creating '%s/%s': %m", s->cas, tmp);
        tmpfd = openat(s->dir_fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (tmpfd < 0) {
                r = rkt_error_set(reterr, negative_errno(), "opening '%s/%s': %m", s->cas, tmp);
                goto fail;
        }
        r = render_into(s, l, tmpfd, false, reterr);
        if (r < 0)
                goto fail;
        r = tree_hash_at(tmpfd, "rendered", &th);
        if (r >= 0)
                r = write_tree_marker(tmpfd, l, &th);
        if (r >= 0 && syncfs(tmpfd) < 0)
                r = negative_errno();
        if (r >= 0 && renameat(s->dir_fd, tmp, s->dir_fd, tree_path) < 0) {
                r = negative_errno();
                if ((r == -ENOTEMPTY || r == -EEXIST) &&
                    renameat2(s->dir_fd, tmp, s->dir_fd, tree_path, RENAME_EXCHANGE) >= 0)
                        r = 0;
        }
        if (r >= 0)
                r = fsync_directory_of(s->dir_fd, tree_path);
        if (r < 0) {
                rkt_error_set(reterr, r, "storing tree '%s': %s", tree_id, strerror(-r));
                goto fail;
        }
        /* After an exchange, tmp holds the tree that was replaced. */
        (void) rm_rf_at(s->dir_fd, tmp);
        return 0;
fail:
        (void) rm_rf_at(s->dir_fd, tmp);
        return r;
}

static bool tree_usable(Store *s, const char *tree_id) {
        _cleanup_free_ char *manifest = NULL, *rootfs = NULL;
        struct stat st;

        if (asprintf(&manifest, "tree/%s/manifest", tree_id) < 0 ||
            asprintf(&rootfs, "tree/%s/rootfs", tree_id) < 0)
                return false;
        return store_read_tree_marker(s->dir_fd, tree_id, NULL, NULL, NULL) >= 0 &&
               fstatat(s->dir_fd, manifest, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISREG(st.st_mode) &&
               fstatat(s->dir_fd, rootfs, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISDIR(st.st_mode);
}

int store_render_tree(Store *s, const char *id, char **ret_tree_id, char **ret_tree_dir, RktError **reterr) {
        _cleanup_free_ char *tree_id = NULL;
        _cleanup_close_ int lockfd = -1;
        RenderList l = {};
        int r;

        if (!s->writable)
                return rkt_error_set(reterr, -EROFS, "the store is open read-only");
        r = tree_open(s, id, &l, &tree_id, &lockfd, reterr);
        /* A tree without its marker is what an interrupted render left, one without its manifest or rootfs
         * was damaged: either is rendered again. */
        if (r >= 0 && !tree_usable(s, tree_id))
                r = render_tree_locked(s, &l, tree_id, reterr);
        if (r >= 0 && ret_tree_dir) {
                *ret_tree_dir = NULL;
                if (asprintf(ret_tree_dir, "%s/tree/%s", s->cas, tree_id) < 0)
                        r = -ENOMEM;
        }
        if (r >= 0 && ret_tree_id)
                *ret_tree_id = TAKE_PTR(tree_id);
        render_list_done(&l);
        return r < 0 ? r : 0;
}

/* Why tree_id (locked) is not what was rendered, in *ret_cause, or NULL when it is. -ENOENT: never rendered.
 */
static int tree_check(Store *s, const char *tree_id, char **ret_cause) {
        _cleanup_free_ char *tree_path = NULL, *recorded = NULL;
        _cleanup_close_ int fd = -1;
        TreeHash th;
        int r;

        if (asprintf(&tree_path, "tree/%s", tree_id) < 0)
                return -ENOMEM;
        fd = openat(s->dir_fd, tree_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ENOENT : negative_errno();
        r = store_read_tree_marker(s->dir_fd, tree_id, NULL, NULL, &recorded);
        if (r == -ENOENT)
                return (*ret_cause = strdup("the tree is incomplete (no 'rendered' marker)")) ? 0 : -ENOMEM;
        if (r == -EBADMSG)
                return (*ret_cause = strdup("the tree's 'rendered' marker is damaged")) ? 0 : -ENOMEM;
        if (r < 0)
                return r;
        if (!recorded)
                return (*ret_cause = strdup("the tree records no hash to check it against")) ? 0 : -ENOMEM;
        r = tree_hash_at(fd, "rendered", &th);
        if (r < 0)
                return asprintf(ret_cause, "the tree cannot be read: %s", strerror(-r)) < 0 ? -ENOMEM : 0;
        if (!streq(th.hash, recorded))
                return asprintf(ret_cause, "wrong tree hash: %.39s, expected: %.39s", th.hash, recorded) < 0
                               ? -ENOMEM
                               : 0;
        *ret_cause = NULL;
        return 0;
}

int store_verify(Store *s, const char *id, bool repair, char *const *busy_trees, StoreVerifyResult *ret,
                 RktError **reterr) {
        _cleanup_free_ char *tree_id = NULL, *cause = NULL;
        _cleanup_close_ int image_lock = -1, tree_lock = -1;
        RenderList l = {};
        int r;

        if (!s->writable)
                return rkt_error_set(reterr, -EROFS, "the store is open read-only");
        /* Held shared, so that the image is not removed while it is checked. */
        image_lock = store_lock_image(s, id, LOCK_SH);
        if (image_lock < 0)
                return rkt_error_set(reterr, image_lock, "cannot lock image '%s': %s", id,
                                     strerror(-image_lock));
        r = tree_open(s, id, &l, &tree_id, &tree_lock, reterr);
        if (r < 0)
                goto finish;
        /* The tree is rendered from these blobs: they must be sound before it is checked or rendered again.
         */
        for (size_t i = 0; i < l.n; i++) {
                _cleanup_error_ RktError *e = NULL;
                r = store_export(s, l.items[i].id, -1, true, &e);
                if (r < 0) {
                        const char *why = r == -EBADMSG  ? "its content no longer matches its ID"
                                          : r == -ENOENT ? "its data is missing"
                                                         : rkt_error_message(e, r);
                        if (i == 0)
                                rkt_error_set(reterr, -EBADMSG, "the stored image is damaged: %s", why);
                        else
                                rkt_error_set(reterr, -EBADMSG, "its dependency '%s' (%.39s) is damaged: %s",
                                              l.items[i].manifest->name, l.items[i].id, why);
                        r = -EBADMSG;
                        goto finish;
                }
        }
        r = tree_check(s, tree_id, &cause);
        if (r == -ENOENT) {
                *ret = (StoreVerifyResult){.tree = STORE_TREE_NONE};
                r = 0;
                goto finish;
        }
        if (r < 0) {
                rkt_error_set(reterr, r, "checking tree '%s': %s", tree_id, strerror(-r));
                goto finish;
        }
        if (!cause) {
                *ret = (StoreVerifyResult){.tree = STORE_TREE_OK};
                goto finish;
        }
        if (!repair) {
                r = rkt_error_set(reterr, -EPERM, "tree '%s' is damaged (%s); rendering it again needs root",
                                  tree_id, cause);
                goto finish;
        }
        if (strv_contains(busy_trees, tree_id)) {
                r = rkt_error_set(
                        reterr, -EBUSY,
                        "tree '%s' is damaged (%s) and running pods use it; stop them and verify again",
                        tree_id, cause);
                goto finish;
        }
        r = render_tree_locked(s, &l, tree_id, reterr);
        if (r < 0) {
                rkt_error_prefix(reterr, r, "rendering the tree again (%s)", cause);
                goto finish;
        }
        *ret = (StoreVerifyResult){.tree = STORE_TREE_REPAIRED, .cause = TAKE_PTR(cause)};
finish:
        render_list_done(&l);
        return r;
}

void store_verify_result_done(StoreVerifyResult *r) {
        r->cause = mfree(r->cause);
}

/* Calls f for each complete or incomplete tree directory name (not the temporary ones). */
int store_for_each_tree(Store *s, int (*f)(Store *s, const char *tree_id, void *userdata), void *userdata) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r;

        if (s->dir_fd < 0)
                return 0;
        r = opendir_at(s->dir_fd, "tree", &d);
        if (r < 0 || !d)
                return r;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                r = f(s, de->d_name, userdata);
                if (r != 0)
                        return r;
        }
        return 0;
}

typedef struct TreeSizeState {
        const char *id;
        uint64_t total;
} TreeSizeState;

static int tree_size_one(Store *s, const char *tree_id, void *userdata) {
        TreeSizeState *st = userdata;
        _cleanup_strv_free_ char **images = NULL;
        uint64_t size = 0;

        if (store_read_tree_marker(s->dir_fd, tree_id, &images, &size, NULL) == 0 && images[0] &&
            streq(images[0], st->id))
                st->total += size;
        return 0;
}

uint64_t store_tree_size(Store *s, const char *id) {
        TreeSizeState st = {id, 0};
        (void) store_for_each_tree(s, tree_size_one, &st);
        return st.total;
}
