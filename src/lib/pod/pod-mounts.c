/* SPDX-License-Identifier: Apache-2.0 */
/* The pod's mounts (from /proc/self/mountinfo): mounting the stage1 overlay again, unmounting everything
 * below the pod, and removing the pod directory. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "appc.h"
#include "cleanup.h"
#include "fd-util.h"
#include "fs.h"
#include "path.h"
#include "pod.h"
#include "pod-internal.h"
#include "stage1-exec.h"
#include "util.h"

/* --- mounts --- */

typedef struct MountEntry {
        unsigned order; /* line number in mountinfo: later mounts may sit on top of earlier ones */
        char *path;
        bool shared;
} MountEntry;

static void mounts_free(MountEntry *l, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(l[i].path);
        free(l);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s) {
        char *w = s;
        for (char *r = s; *r;) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w++ = (char) (((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
                        r += 4;
                } else
                        *w++ = *r++;
        }
        *w = 0;
}

/* The mounts at root or below it. */
static int mounts_below(const char *root, MountEntry **ret, size_t *ret_n) {
        _cleanup_(fclosep) FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        MountEntry *l = NULL;
        size_t n = 0, len = strlen(root), allocated = 0;
        unsigned order = 0;

        if (!f)
                return negative_errno();
        while (getline(&line, &allocated, f) > 0) {
                char *fields[7] = {}, *save = NULL, *tok, *optional;
                size_t nf = 0;
                MountEntry *nl;

                order++;
                /* "id parent maj:min root mountpoint options [optional…] - type source superoptions" */
                while (nf < 6 && (tok = strtok_r(nf == 0 ? line : NULL, " \n", &save)))
                        fields[nf++] = tok;
                if (nf < 6)
                        continue;
                optional = save ? save : (char *) "";
                unescape_octal(fields[4]);
                if (!(startswith(fields[4], root) && (fields[4][len] == 0 || fields[4][len] == '/')))
                        continue;
                nl = realloc(l, (n + 1) * sizeof(MountEntry));
                if (!nl) {
                        mounts_free(l, n);
                        return -ENOMEM;
                }
                l = nl;
                l[n] = (MountEntry){order, strdup(fields[4]), false};
                if (!l[n].path) {
                        mounts_free(l, n);
                        return -ENOMEM;
                }
                /* Optional fields up to " - ": "shared:N" makes the mount a propagation peer. */
                for (tok = strtok_r(optional, " \n", &save); tok && !streq(tok, "-");
                     tok = strtok_r(NULL, " \n", &save))
                        if (startswith(tok, "shared:"))
                                l[n].shared = true;
                n++;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

static size_t path_depth(const char *p) {
        size_t d = 0;
        for (; *p; p++)
                d += *p == '/';
        return d;
}

static int compare_deepest_first(const void *a, const void *b) {
        const MountEntry *x = a, *y = b;
        size_t dx = path_depth(x->path), dy = path_depth(y->path);

        if (dx != dy)
                return dx > dy ? -1 : 1;
        return x->order > y->order ? -1 : x->order < y->order;
}

static int canonical_pod_path(const Pod *p, char **ret) {
        char *c = realpath(p->path, NULL);
        if (!c)
                return negative_errno();
        *ret = c;
        return 0;
}

int pod_unmount_all(const Pod *p, RktError **reterr) {
        _cleanup_free_ char *root = NULL;
        int r;

        r = canonical_pod_path(p, &root);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return rkt_error_set(reterr, r, "resolving '%s': %m", p->path);
        for (unsigned pass = 0;; pass++) {
                MountEntry *l = NULL;
                size_t n = 0;

                r = mounts_below(root, &l, &n);
                if (r < 0)
                        return rkt_error_set(reterr, r, "reading /proc/self/mountinfo: %m");
                if (n == 0) {
                        free(l);
                        return 0;
                }
                if (pass >= 4) {
                        r = rkt_error_set(reterr, -EBUSY, "'%s' is still mounted", l[0].path);
                        mounts_free(l, n);
                        return r;
                }
                /* Private first, so that our unmounts do not propagate to peers (and theirs not to us while
                 * we work); then deepest first, the newest of stacked mounts first. */
                for (size_t i = n; i-- > 0;)
                        if (l[i].shared)
                                (void) mount(NULL, l[i].path, NULL, MS_PRIVATE, NULL);
                qsort(l, n, sizeof(MountEntry), compare_deepest_first);
                for (size_t i = 0; i < n; i++) {
                        if (umount2(l[i].path, UMOUNT_NOFOLLOW) >= 0)
                                continue;
                        if (errno == EBUSY)
                                /* Still in use (a process has its cwd there): detach it now, the kernel
                                 * frees it when the last user goes. */
                                (void) umount2(l[i].path, MNT_DETACH | UMOUNT_NOFOLLOW);
                }
                mounts_free(l, n);
        }
}

int pod_mount_stage1(const Pod *p, bool *ret_mounted, RktError **reterr) {
        _cleanup_free_ char *id = NULL, *rootfs = NULL, *canonical = NULL, *lower = NULL, *upper = NULL,
                            *work = NULL, *opts = NULL, *marker = NULL;
        MountEntry *l = NULL;
        size_t n = 0;
        struct stat st;
        bool mounted = false;
        int r;

        *ret_mounted = false;
        if (pod_stage1_tree_id(p, &id) < 0)
                return 0;
        if (asprintf(&upper, "%s/overlay/%s/upper", p->path, id) < 0 ||
            asprintf(&work, "%s/overlay/%s/work", p->path, id) < 0 ||
            asprintf(&rootfs, "%s/" POD_STAGE1_ROOTFS, p->path) < 0 ||
            asprintf(&lower, "%s/cas/tree/%s/rootfs", p->data_dir, id) < 0 ||
            !(marker = pod_file(p, POD_OVERLAY_MARKER)))
                return -ENOMEM;
        /* The marker, not the upper dir, says the pod is an overlay: prepare makes the upper dir before it
         * learns that the file system cannot hold one (a data dir on overlayfs) and copies instead. */
        if (lstat(marker, &st) < 0 || stat(upper, &st) < 0 || !S_ISDIR(st.st_mode) || stat(work, &st) < 0 ||
            !S_ISDIR(st.st_mode))
                return 0; /* no overlay: stage1/rootfs is a plain copy */
        canonical = realpath(rootfs, NULL);
        if (!canonical)
                return rkt_error_set(reterr, negative_errno(), "resolving '%s': %m", rootfs);
        r = mounts_below(canonical, &l, &n);
        if (r < 0)
                return rkt_error_set(reterr, r, "reading /proc/self/mountinfo: %m");
        for (size_t i = 0; i < n; i++)
                mounted = mounted || streq(l[i].path, canonical);
        mounts_free(l, n);
        if (mounted)
                return 0;
        if (stat(lower, &st) < 0 || !S_ISDIR(st.st_mode))
                return rkt_error_set(reterr, -ENOENT,
                                     "the stage1 tree '%s' of pod '%s' is no longer in the store", id,
                                     p->uuid);
        if (strpbrk(lower, ",:\\") || strpbrk(upper, ",:\\") || strpbrk(work, ",:\\"))
                return rkt_error_set(
                        reterr, -EINVAL,
                        "cannot mount the stage1 overlay of pod '%s': ',', ':' or '\\' in its paths",
                        p->uuid);
        if (asprintf(&opts, "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work) < 0)
                return -ENOMEM;
        if (mount("overlay", canonical, "overlay", 0, opts) < 0) {
                if (errno == EBUSY)
                        return 0;
                return rkt_error_set(reterr, negative_errno(), "mounting the stage1 overlay of pod '%s': %m",
                                     p->uuid);
        }
        *ret_mounted = true;
        return 0;
}

/* --- removal --- */

int pod_remove(Pod *p, RktError **reterr) {
        _cleanup_free_ char *root = NULL, *parent = NULL;
        _cleanup_close_ int parent_fd = -1, pod_fd = -1;
        MountEntry *l = NULL;
        MountKey key;
        size_t n = 0;
        int r;

        r = canonical_pod_path(p, &root);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return rkt_error_set(reterr, r, "resolving '%s': %m", p->path);
        r = mounts_below(root, &l, &n);
        if (r < 0)
                return rkt_error_set(reterr, r, "reading /proc/self/mountinfo: %m");
        if (n > 0) {
                r = rkt_error_set(reterr, -EBUSY, "not removing pod '%s': '%s' is still mounted", p->uuid,
                                  l[0].path);
                mounts_free(l, n);
                return r;
        }
        free(l);
        parent = path_dirname(root);
        if (!parent)
                return -ENOMEM;
        parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (parent_fd < 0)
                return rkt_error_set(reterr, negative_errno(), "opening '%s': %m", parent);
        pod_fd = openat(parent_fd, p->uuid, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (pod_fd < 0)
                return errno == ENOENT ? 0
                                       : rkt_error_set(reterr, negative_errno(), "opening '%s': %m", root);
        r = mount_key_at(pod_fd, "", &key, NULL);
        if (r < 0)
                return rkt_error_set(reterr, r, "inspecting '%s': %m", root);
        /* The big parts first and the manifest last: a pod that cannot be removed whole stays a pod. */
        /* Staying on the mount of the pod directory: a directory on another mount is left alone (and its
         * parent cannot be removed, which is reported). */
        r = rm_rf_at_full(pod_fd, POD_STAGE1_ROOTFS, &key, NULL);
        if (r >= 0)
                r = rm_rf_at_full(pod_fd, "stage1", &key, NULL);
        if (r >= 0)
                r = rm_rf_at_full(pod_fd, "overlay", &key, NULL);
        if (r >= 0)
                r = rm_rf_at_full(parent_fd, p->uuid, &key, NULL);
        if (r < 0)
                return rkt_error_set(reterr, r, "removing pod '%s' ('%s'): %m", p->uuid, root);
        return 0;
}
