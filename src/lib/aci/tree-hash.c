/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "cleanup.h"
#include "digest.h"
#include "fs.h"
#include "macro.h"
#include "tree-hash.h"

#define READ_CHUNK (256 * 1024)

typedef struct HashWalk {
        Digest *md;
        char *buf; /* READ_CHUNK bytes */
        uint64_t size;
} HashWalk;

static int update(HashWalk *w, const void *data, size_t len) {
        digest_update(w->md, data, len);
        return 0;
}

/* A string and its terminating NUL, so that no two sequences of fields hash alike. */
static int update_str(HashWalk *w, const char *s) {
        return update(w, s, strlen(s) + 1);
}

static int cmp_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void names_free(char **names, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

/* The entries of dirfd but "." and "..", sorted. */
static int sorted_names(int dirfd, char ***ret, size_t *ret_n) {
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        DIR *d;

        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return -ENOMEM;
        }
        while ((de = readdir(d))) {
                char **nn;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                nn = realloc(names, sizeof(char *) * (n + 1));
                if (!nn || !(nn[n] = strdup(de->d_name))) {
                        names_free(nn ?: names, n);
                        closedir(d);
                        return -ENOMEM;
                }
                names = nn;
                n++;
        }
        closedir(d);
        if (n > 0)
                qsort(names, n, sizeof(char *), cmp_names);
        *ret = names;
        *ret_n = n;
        return 0;
}

static int update_xattrs(HashWalk *w, int fd) {
        _cleanup_free_ char *list = NULL;
        char **names = NULL;
        ssize_t len;
        size_t n = 0;
        int r = 0;

        len = flistxattr(fd, NULL, 0);
        if (len < 0)
                return errno == ENOTSUP ? 0 : negative_errno();
        if (len == 0)
                return 0;
        list = malloc(len);
        if (!list)
                return -ENOMEM;
        len = flistxattr(fd, list, len);
        if (len < 0)
                return negative_errno();
        for (char *p = list; p < list + len; p += strlen(p) + 1) {
                char **nn = realloc(names, sizeof(char *) * (n + 1));
                if (!nn) {
                        free(names);
                        return -ENOMEM;
                }
                names = nn;
                names[n++] = p;
        }
        qsort(names, n, sizeof(char *), cmp_names);
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *value = NULL;
                char header[32];
                ssize_t vlen = fgetxattr(fd, names[i], NULL, 0);

                if (vlen < 0) {
                        r = negative_errno();
                        break;
                }
                value = malloc(vlen ? vlen : 1);
                if (!value) {
                        r = -ENOMEM;
                        break;
                }
                vlen = fgetxattr(fd, names[i], value, vlen);
                if (vlen < 0) {
                        r = negative_errno();
                        break;
                }
                snprintf(header, sizeof(header), "%zd", vlen);
                r = update_str(w, names[i]);
                if (r >= 0)
                        r = update_str(w, header);
                if (r >= 0)
                        r = update(w, value, vlen);
        }
        free(names);
        return r;
}

static int update_content(HashWalk *w, int fd, uint64_t size) {
        uint64_t total = 0;

        for (;;) {
                ssize_t n = read(fd, w->buf, READ_CHUNK);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                total += (uint64_t) n;
                if (update(w, w->buf, n) < 0)
                        return -EIO;
        }
        /* A file that changed size while being read would make its header lie about its content. */
        return total == size ? 0 : -EIO;
}

static int walk(HashWalk *w, int dirfd, const char *prefix, const char *skip);

static int hash_entry(HashWalk *w, int dirfd, const char *name, const char *path) {
        _cleanup_close_ int fd = -1;
        struct stat st;
        char header[160];
        int r;

        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        w->size += (uint64_t) st.st_size;
        snprintf(header, sizeof(header), "%o %o %u %u %llu %u:%u", (unsigned) (st.st_mode & S_IFMT) >> 12,
                 (unsigned) (st.st_mode & 07777), (unsigned) st.st_uid, (unsigned) st.st_gid,
                 S_ISREG(st.st_mode) ? (unsigned long long) st.st_size : 0ULL,
                 S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? major(st.st_rdev) : 0,
                 S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? minor(st.st_rdev) : 0);
        r = update_str(w, path);
        if (r >= 0)
                r = update_str(w, header);
        if (r < 0)
                return r;

        if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX + 1];
                ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
                if (n < 0)
                        return negative_errno();
                target[n] = 0;
                return update_str(w, target);
        }
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
                return 0;
        fd = openat(dirfd, name,
                    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
        if (fd < 0)
                return negative_errno();
        r = update_xattrs(w, fd);
        if (r < 0)
                return r;
        if (S_ISREG(st.st_mode))
                return update_content(w, fd, (uint64_t) st.st_size);
        return walk(w, fd, path, NULL);
}

static int walk(HashWalk *w, int dirfd, const char *prefix, const char *skip) {
        char **names = NULL;
        size_t n = 0;
        int r = sorted_names(dirfd, &names, &n);

        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ char *path = NULL;
                if (skip && streq(names[i], skip))
                        continue;
                if (asprintf(&path, "%s%s%s", prefix, *prefix ? "/" : "", names[i]) < 0)
                        r = -ENOMEM;
                else
                        r = hash_entry(w, dirfd, names[i], path);
        }
        names_free(names, n);
        return r;
}

int tree_hash_at(int dirfd, const char *skip, TreeHash *ret) {
        _cleanup_free_ char *buf = malloc(READ_CHUNK);
        HashWalk w;
        Digest md;
        int r;

        if (!buf)
                return -ENOMEM;
        r = digest_init(&md, DIGEST_SHA512, NULL);
        if (r < 0)
                return r;
        w = (HashWalk){.md = &md, .buf = buf};
        r = walk(&w, dirfd, "", skip);
        if (r < 0)
                return r;
        memcpy(ret->hash, "sha512-", 7);
        digest_final_hex(&md, ret->hash + 7);
        ret->size = w.size;
        return 0;
}
