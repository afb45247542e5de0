/* SPDX-License-Identifier: Apache-2.0 */
/* Which entries of the store a process may use. The store is shared: members of the data directory's
 * group (`rkt`) fetch into it, and root runs pods from it. So every entry is read as if someone else had
 * put it there: a process uses an entry only when it, and every directory on the way to it from cas/,
 * belongs to root or to the process's own user and cannot be changed by anyone else (not writable by
 * group or others; a directory that is, only with the sticky bit, so that nobody renames or removes
 * entries of others). Everything else is treated as absent: a member of `rkt` cannot make root (or
 * another member) use an image root did not fetch and verify itself. Root repairs the store's own
 * directories when someone else made them, by moving them out of the way. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "format.h"
#include "fs.h"
#include "store-internal.h"
#include "util.h"

/* Nothing in the store that a process reads whole is larger (records, manifests, cache entries). */
#define STORE_FILE_MAX (64U * 1024 * 1024)

bool store_stat_trusted(const Store *s, const struct stat *st) {
        if (st->st_uid != 0 && st->st_uid != s->uid)
                return false;
        if (S_ISDIR(st->st_mode))
                return !(st->st_mode & (S_IWGRP | S_IWOTH)) || (st->st_mode & S_ISVTX);
        return S_ISREG(st->st_mode) && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

static int open_checked(const Store *s, int dirfd, const char *name, int flags) {
        /* O_NONBLOCK: a FIFO put where a file was expected must not stop us before fstat() says so. */
        _cleanup_close_ int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat st;

        if (fd < 0)
                return errno == ELOOP ? -EPERM : negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!store_stat_trusted(s, &st))
                return -EPERM;
        return TAKE_FD(fd);
}

int store_open_trusted(const Store *s, const char *path, int flags) {
        _cleanup_free_ char *p = strdup(path);
        _cleanup_close_ int dir = -1;
        char *name, *slash;

        if (!p)
                return -ENOMEM;
        if (s->dir_fd < 0)
                return -ENOENT;
        for (name = p; (slash = strchr(name, '/')); name = slash + 1) {
                int fd;
                *slash = 0;
                if (isempty(name) || streq(name, ".") || streq(name, ".."))
                        return -EINVAL;
                fd = open_checked(s, dir >= 0 ? dir : s->dir_fd, name, O_PATH | O_DIRECTORY);
                if (fd < 0)
                        return fd;
                safe_close(dir);
                dir = fd;
        }
        if (isempty(name) || streq(name, ".") || streq(name, ".."))
                return -EINVAL;
        return open_checked(s, dir >= 0 ? dir : s->dir_fd, name, flags);
}

int store_read_trusted(const Store *s, const char *path, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = store_open_trusted(s, path, O_RDONLY);

        if (fd < 0)
                return fd;
        return read_full_fd(fd, STORE_FILE_MAX, ret, ret_size);
}

/* Moves what someone else made at dirfd/name out of the way, to cas/untrusted-*, which gc removes. */
static int evict(const Store *s, int dirfd, const char *name) {
        static unsigned counter;
        char aside[96];

        snprintf(aside, sizeof(aside), "%s%llu-%d-%u", STORE_UNTRUSTED_PREFIX,
                 (unsigned long long) now_usec(), (int) getpid(), counter++);
        return renameat(dirfd, name, s->dir_fd, aside) < 0 ? negative_errno() : 0;
}

/* store_ensure_dir() for a directory that is likely not there yet. */
static int make_dir(const Store *s, int dirfd, const char *name, mode_t mode) {
        for (unsigned attempt = 0; attempt < 3; attempt++) {
                _cleanup_close_ int fd = -1;
                struct stat st;
                int r;

                if (mkdirat(dirfd, name, mode & 0777) >= 0) {
                        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        /* The umask does not apply to what the store's sharing needs. */
                        if (fd < 0 || fchmod(fd, mode) < 0)
                                return negative_errno();
                        return 1;
                }
                if (errno != EEXIST)
                        return negative_errno();
                fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd >= 0 && fstat(fd, &st) < 0)
                        return negative_errno();
                if (fd < 0 && errno != ENOTDIR && errno != ELOOP)
                        return negative_errno();
                /* Ours: the mode the store wants for it now (private ones private, whoever loosened them;
                 * shared ones sticky, as they were not in stores made before that mattered). */
                if (fd >= 0 && st.st_uid == s->uid) {
                        if ((st.st_mode & 07777) == mode)
                                return 0;
                        return fchmod(fd, mode) < 0 ? negative_errno() : 1;
                }
                if (fd >= 0 && store_stat_trusted(s, &st))
                        return 0;
                /* A file, a symlink, or a directory someone else owns or can change. */
                if (s->uid != 0)
                        return -EPERM;
                r = evict(s, dirfd, name);
                if (r < 0)
                        return r;
        }
        return -EPERM;
}

int store_ensure_dir(const Store *s, int dirfd, const char *name, mode_t mode) {
        struct stat st;

        /* Every store open looks at every directory: the usual answer, a directory as it should be, costs
         * one look. Anything else takes make_dir(), which decides the same for it. */
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISDIR(st.st_mode) &&
            (st.st_uid == s->uid ? (st.st_mode & 07777) == mode : store_stat_trusted(s, &st)))
                return 0;
        return make_dir(s, dirfd, name, mode);
}

static mode_t shared_mode(const Store *s) {
        /* cas/ writable by its group (tmpfiles.d makes it so for group rkt): members may fetch. */
        return s->shared ? 03770 : 0750;
}

int store_ensure_path(const Store *s, const char *path, bool private) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (char *sl = strchr(p, '/');; sl = strchr(sl + 1, '/')) {
                int r;
                if (sl)
                        *sl = 0;
                r = store_ensure_dir(s, s->dir_fd, p, private ? 0700 : shared_mode(s));
                if (r < 0 || !sl)
                        return r;
                *sl = '/';
        }
}

/* The buckets of a content-addressed directory, made at once by root so that no member owns one. */
static int ensure_buckets(const Store *s, const char *top) {
        _cleanup_close_ int fd = store_open_trusted(s, top, O_RDONLY | O_DIRECTORY);
        mode_t mode = shared_mode(s);

        if (fd < 0)
                return fd;
        for (unsigned i = 0; i < 256; i++) {
                char name[3];
                int r;
                snprintf(name, sizeof(name), "%02x", i);
                r = make_dir(s, fd, name, mode);
                if (r < 0)
                        return r;
        }
        return 0;
}

int store_ensure_layout(const Store *s, char **ret_bad) {
        static const struct {
                const char *path;
                bool private;
        } dirs[] = {
                {"tmp", false},
                {"blob/sha512", false}, /* blob/ first, as each of a path's directories */
                {"manifest/sha512", false},
                {"images", false},
                {"files", false},
                {"imagelocks", false},
                {"remote", false},
                {"tree", true},
                {"treelocks", true},
                {"docker", true},
        };
        struct stat st;
        bool changed = fstatat(s->dir_fd, "blob/sha512/ff", &st, AT_SYMLINK_NOFOLLOW) < 0;

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                int r;
                if (dirs[i].private && s->uid != 0)
                        continue; /* root's alone: others never use them */
                r = store_ensure_path(s, dirs[i].path, dirs[i].private);
                if (r < 0) {
                        *ret_bad = strdup(dirs[i].path);
                        return r;
                }
                changed = changed || r > 0;
        }
        /* The buckets are looked at only when the store is new (or lacks them) or its sharing changed. */
        if (s->uid == 0 && changed) {
                int r = ensure_buckets(s, "blob/sha512");
                if (r >= 0)
                        r = ensure_buckets(s, "manifest/sha512");
                if (r < 0) {
                        *ret_bad = strdup("blob/sha512");
                        return r;
                }
        }
        return 0;
}

int store_sweep_untrusted(const Store *s) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r = opendir_at(s->dir_fd, ".", &d);

        if (r < 0 || !d)
                return r;
        while ((de = readdir(d)))
                if (startswith(de->d_name, STORE_UNTRUSTED_PREFIX))
                        (void) rm_rf_at(dirfd(d), de->d_name);
        return 0;
}
