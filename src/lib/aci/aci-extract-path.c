/* SPDX-License-Identifier: Apache-2.0 */
/* Where an entry goes: parsing its path, walking and creating the directories above it, the table of
 * inodes this extraction made, and clearing the name it takes. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <dirent.h>

#include "cleanup.h"
#include "dl.h"
#include "aci-extract.h"
#include "aci-extract-internal.h"
#include "aci-read.h"
#include "fs.h"

int aci_grow(void **p, size_t *size, size_t need, size_t elem) {
        size_t n = *size;
        void *q;

        if (need <= n)
                return 0;
        n = MAX(need, n * 2);
        q = reallocarray(*p, n, elem);
        if (!q)
                return -ENOMEM;
        *p = q;
        *size = n;
        return 0;
}

/* Normalizes raw into p without touching the file system. Any ".." is refused, even one that stays
 * inside: a benign archive has no reason for it and refusing it keeps the check trivially right. */
int aci_extract_parse_path(EntryPath *p, const char *raw, PathProblem *ret_problem) {
        size_t len = strlen(raw), depth = 0, o = 0;
        bool dotdot = false;
        char *s;

        *ret_problem = PATH_OK;
        if (raw[0] == '/') {
                *ret_problem = PATH_ABSOLUTE;
                return 0;
        }
        if (len >= PATH_MAX) {
                *ret_problem = PATH_TOO_LONG;
                return 0;
        }
        if (len + 1 > p->size) {
                size_t n = MAX(len + 1, p->size * 2);
                char *a = realloc(p->norm, n), *b;

                if (!a)
                        return -ENOMEM;
                p->norm = a;
                b = realloc(p->split, n);
                if (!b)
                        return -ENOMEM;
                p->split = b;
                p->size = n;
        }
        memcpy(p->split, raw, len + 1);
        p->n_comps = 0;

        s = p->split;
        while (*s) {
                char *c = s, *slash = strchr(s, '/');
                size_t n = slash ? (size_t) (slash - s) : strlen(s);

                s = slash ? slash + 1 : s + n;
                if (n == 0 || (n == 1 && c[0] == '.'))
                        continue;
                if (n == 2 && c[0] == '.' && c[1] == '.') {
                        if (depth == 0) {
                                *ret_problem = PATH_ESCAPES;
                                return 0;
                        }
                        depth--;
                        dotdot = true;
                        continue;
                }
                if (n > NAME_MAX) {
                        *ret_problem = PATH_COMPONENT_TOO_LONG;
                        return 0;
                }
                depth++;
                /* Components are compacted into split as they are found, so comps stay NUL-terminated
                 * and norm is split with '/' for the NULs. */
                if (aci_grow((void **) &p->comps, &p->comps_size, p->n_comps + 1, sizeof(char *)) < 0)
                        return -ENOMEM;
                memmove(p->split + o, c, n);
                p->split[o + n] = 0;
                p->comps[p->n_comps++] = p->split + o;
                memcpy(p->norm + o, p->split + o, n);
                p->norm[o + n] = '/';
                o += n + 1;
        }
        if (dotdot) {
                *ret_problem = PATH_DOTDOT;
                return 0;
        }
        p->norm[o > 0 ? o - 1 : 0] = 0;
        return 0;
}

static uint64_t inode_hash(dev_t dev, ino_t ino) {
        uint64_t h =
                ((uint64_t) ino ^ ((uint64_t) dev << 32 | (uint64_t) dev >> 32)) * 0x9e3779b97f4a7c15ULL;
        return h ^ (h >> 31);
}

static InodeSlot *inode_find(Extractor *x, dev_t dev, ino_t ino) {
        if (x->inodes_size == 0)
                return NULL;
        for (size_t i = inode_hash(dev, ino) & (x->inodes_size - 1);; i = (i + 1) & (x->inodes_size - 1)) {
                InodeSlot *s = &x->inodes[i];
                if (!s->used)
                        return NULL;
                if (s->dev == dev && s->ino == ino)
                        return s;
        }
}

InodeSlot *aci_inode_add(Extractor *x, const struct stat *st) {
        InodeSlot *s = inode_find(x, st->st_dev, st->st_ino);

        if (s)
                return s;
        if ((x->n_inodes + 1) * 2 > x->inodes_size) {
                size_t n = x->inodes_size ? x->inodes_size * 2 : 1024;
                InodeSlot *old = x->inodes, *t = calloc(n, sizeof(InodeSlot));
                size_t old_size = x->inodes_size;

                if (!t)
                        return NULL;
                x->inodes = t;
                x->inodes_size = n;
                for (size_t i = 0; i < old_size; i++) {
                        size_t j;
                        if (!old[i].used)
                                continue;
                        for (j = inode_hash(old[i].dev, old[i].ino) & (n - 1); t[j].used;
                             j = (j + 1) & (n - 1))
                                ;
                        t[j] = old[i];
                }
                free(old);
        }
        for (size_t i = inode_hash(st->st_dev, st->st_ino) & (x->inodes_size - 1);;
             i = (i + 1) & (x->inodes_size - 1)) {
                s = &x->inodes[i];
                if (s->used)
                        continue;
                *s = (InodeSlot){.dev = st->st_dev, .ino = st->st_ino, .fixup = -1, .used = true};
                x->n_inodes++;
                return s;
        }
}

int aci_remember_at(Extractor *x, int dirfd, const char *name, struct stat *ret_st) {
        if (fstatat(dirfd, name, ret_st, AT_SYMLINK_NOFOLLOW) < 0)
                return aci_entry_error(x, negative_errno(), "inspecting the new file: %m");
        return aci_inode_add(x, ret_st) ? 0 : -ENOMEM;
}

/* Opens (O_PATH) the directory name below dirfd without following a symlink. With create, a missing
 * directory is made 0755 and, with ACI_EXTRACT_OVERWRITE, a non-directory is replaced by one. Returns
 * the fd, -ELOOP for a symlink, -ENOTDIR for another non-directory, -ENOENT, or another -errno. */
static int open_dir_step(Extractor *x, int dirfd, const char *name, bool create) {
        for (unsigned attempt = 0; attempt < 3; attempt++) {
                struct stat st;
                int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

                if (fd >= 0)
                        return fd;
                if (errno == ENOENT) {
                        if (!create)
                                return -ENOENT;
                        if (mkdirat(dirfd, name, 0755) < 0) {
                                if (errno == EEXIST)
                                        continue;
                                return negative_errno();
                        }
                        /* mkdirat's mode went through the umask. */
                        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (fd < 0)
                                return negative_errno();
                        if (fchmod(fd, 0755) < 0) {
                                int r = negative_errno();
                                safe_close(fd);
                                return r;
                        }
                        return fd;
                }
                if (errno != ENOTDIR && errno != ELOOP)
                        return negative_errno();
                if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return negative_errno();
                }
                if (S_ISDIR(st.st_mode))
                        continue;
                if (!create || !(x->flags & ACI_EXTRACT_OVERWRITE))
                        return S_ISLNK(st.st_mode) ? -ELOOP : -ENOTDIR;
                if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
                        return negative_errno();
        }
        return -EAGAIN;
}

/* Returns a borrowed fd of the directory comps[0..n) below the target, reusing the cached directories
 * the previous entry went through. On failure, *ret_failed is the index of the component at fault. */
int aci_extract_walk(Extractor *x, char **comps, size_t n, bool create, int *ret_fd, size_t *ret_failed) {
        size_t common = 0;
        int cur;

        while (common < x->n_cache && common < n && streq(x->cache[common].name, comps[common]))
                common++;
        aci_cache_truncate(x, common);
        x->deep_fd = safe_close(x->deep_fd);
        cur = common > 0 ? x->cache[common - 1].fd : x->root_fd;

        for (size_t i = common; i < n; i++) {
                int fd = open_dir_step(x, cur, comps[i], create);

                if (fd < 0) {
                        *ret_failed = i;
                        return fd;
                }
                if (i < DIR_CACHE_MAX) {
                        char *name = strdup(comps[i]);
                        if (!name) {
                                safe_close(fd);
                                return -ENOMEM;
                        }
                        x->cache[x->n_cache++] = (CachedDir){.name = name, .fd = fd};
                } else {
                        safe_close(x->deep_fd);
                        x->deep_fd = fd;
                }
                cur = fd;
        }
        *ret_fd = cur;
        return 0;
}

/* Resolves the parent of the current entry (target components comps[0..n-1)), creating it. */
int aci_open_parent(Extractor *x, char **comps, size_t n, int *ret_fd) {
        _cleanup_free_ char *p = NULL;
        size_t failed = 0;
        int r;

        r = aci_extract_walk(x, comps, n - 1, true, ret_fd, &failed);
        if (r >= 0)
                return 0;
        if (r == -ENOMEM)
                return r;
        p = aci_path_prefix(&x->path, x->offset + failed);
        if (r == -ELOOP)
                return aci_entry_error(x, r, "parent '%s' is a symlink", strna(p));
        if (r == -ENOTDIR)
                return aci_entry_error(x, r, "parent '%s' is not a directory", strna(p));
        return aci_entry_error(x, r, "opening parent '%s': %s", strna(p), strerror(-r));
}

static void fixups_kill_below(Extractor *x, const char *rel) {
        size_t n = strlen(rel);

        for (size_t i = 0; i < x->n_fixups; i++) {
                const char *p = x->fixups[i].path + x->fixups[i].rel;
                if (strncmp(p, rel, n) == 0 && (p[n] == 0 || p[n] == '/'))
                        x->fixups[i].dead = true;
        }
}

/* Called when creating the entry's name in parent_fd failed with EEXIST: makes room for it. Returns 1 when
 * an existing directory stays (for a directory entry), 0 when the name is free now. Nothing here follows
 * a symlink. */
int aci_prepare_slot(Extractor *x, int parent_fd, const char *name, bool dir) {
        struct stat st;
        int r;

        if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                return aci_entry_error(x, negative_errno(), "inspecting the existing file: %m");
        }
        if (S_ISDIR(st.st_mode)) {
                if (dir)
                        return 1;
                if (!(x->flags & ACI_EXTRACT_OVERWRITE))
                        return aci_entry_error(x, -EISDIR, "would replace a directory with a non-directory");
                fixups_kill_below(x, x->path.norm + (x->offset > 0 ? strlen("rootfs/") : 0));
                r = rm_rf_at(parent_fd, name);
                if (r < 0)
                        return aci_entry_error(x, r, "removing the directory it replaces: %s", strerror(-r));
                return 0;
        }
        if (!(x->flags & ACI_EXTRACT_OVERWRITE) && !inode_find(x, st.st_dev, st.st_ino))
                return aci_entry_error(x, -EEXIST, "a file of that name already exists in the target");
        if (unlinkat(parent_fd, name, 0) < 0 && errno != ENOENT)
                return aci_entry_error(x, negative_errno(), "removing the file it replaces: %m");
        return 0;
}
