/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "fd-util.h"
#include "fs.h"
#include "strv.h"

/* At most this many fds are kept: the callers pass one or two, and the sockets of socket activation. */
#define KEEP_MAX 64

struct linux_dirent64 {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

static bool kept(const int *keep, size_t n, int fd) {
        for (size_t i = 0; i < n; i++)
                if (keep[i] == fd)
                        return true;
        return false;
}

/* Without close_range(): the open fds as /proc/self/fd lists them, read with getdents64 into a buffer on
 * the stack (nothing allocated: this runs in children after fork()). Passes repeat until one closes
 * nothing, so that entries a closing pass skipped are caught. */
int close_all_fds_except_by_listing(const int *keep, size_t n) {
        char buf[4096];
        bool closed_any = true;

        while (closed_any) {
                int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                long got;

                if (dfd < 0)
                        return negative_errno();
                closed_any = false;
                while ((got = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0)
                        for (long off = 0; off < got;) {
                                struct linux_dirent64 *de = (struct linux_dirent64 *) (buf + off);
                                long fd = 0;
                                bool number = de->d_name[0] != 0;

                                off += de->d_reclen;
                                for (const char *c = de->d_name; *c && number; c++) {
                                        number = *c >= '0' && *c <= '9' && fd < INT_MAX / 10;
                                        fd = fd * 10 + (*c - '0');
                                }
                                if (!number || fd <= 2 || fd == dfd || kept(keep, n, (int) fd))
                                        continue;
                                (void) close((int) fd);
                                closed_any = true;
                        }
                (void) close(dfd);
                if (got < 0)
                        return -errno;
        }
        return 0;
}

int close_all_fds_except(const int *keep, size_t n_keep) {
        int sorted[KEEP_MAX];
        size_t n = 0;
        unsigned from = 3;

        for (size_t i = 0; i < n_keep; i++) {
                size_t j;
                if (keep[i] <= 2 || kept(sorted, n, keep[i]))
                        continue;
                if (n == KEEP_MAX)
                        return -E2BIG;
                /* Insertion sort: the gaps between kept fds are closed in ascending order. */
                for (j = n; j > 0 && sorted[j - 1] > keep[i]; j--)
                        sorted[j] = sorted[j - 1];
                sorted[j] = keep[i];
                n++;
        }
        for (size_t i = 0; i <= n; i++) {
                unsigned to = i < n ? (unsigned) sorted[i] - 1 : ~0U;
                if (from <= to && syscall(SYS_close_range, from, to, 0) < 0)
                        return errno == ENOSYS || errno == EPERM ? close_all_fds_except_by_listing(sorted, n)
                                                                 : -errno;
                if (i < n)
                        from = (unsigned) sorted[i] + 1;
        }
        return 0;
}

int open_in_root_walk(int rootfd, const char *path, int flags) {
        _cleanup_strv_free_ char **pending = NULL, **done = NULL;
        unsigned links = 0;
        int r;

        r = strv_split(path, "/", &pending);
        if (r < 0)
                return r;
        while (pending && pending[0]) {
                _cleanup_free_ char *c = pending[0], *rel = NULL;
                char target[PATH_MAX];
                struct stat st;
                ssize_t n;

                memmove(pending, pending + 1, strv_length(pending) * sizeof(char *));
                if (streq(c, "."))
                        continue;
                if (streq(c, "..")) {
                        size_t l = strv_length(done);
                        if (l > 0)
                                done[l - 1] = mfree(done[l - 1]);
                        continue;
                }
                r = strv_extend(&done, c);
                if (r < 0)
                        return r;
                rel = strv_join(done, "/");
                if (!rel)
                        return -ENOMEM;
                if (fstatat(rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return negative_errno();
                if (!S_ISLNK(st.st_mode))
                        continue;
                /* O_NOFOLLOW concerns the last component alone, as with openat2: the link itself is opened
                 * (O_PATH) or refused with -ELOOP below. */
                if (!pending[0] && (flags & O_NOFOLLOW))
                        continue;
                if (++links > 40)
                        return -ELOOP;
                n = readlinkat(rootfd, rel, target, sizeof(target) - 1);
                if (n < 0)
                        return negative_errno();
                target[n] = 0;
                /* The link is replaced by its target's components, in front of what is left. */
                done[strv_length(done) - 1] = mfree(done[strv_length(done) - 1]);
                if (target[0] == '/')
                        done = strv_free(done);
                _cleanup_strv_free_ char **t = NULL;
                r = strv_split(target, "/", &t);
                if (r < 0)
                        return r;
                STRV_FOREACH(rest, pending) {
                        r = strv_extend(&t, *rest);
                        if (r < 0)
                                return r;
                }
                strv_free(pending);
                pending = TAKE_PTR(t);
        }
        _cleanup_free_ char *rel = done && done[0] ? strv_join(done, "/") : strdup(".");
        if (!rel)
                return -ENOMEM;
        r = openat(rootfd, rel, flags | O_CLOEXEC | O_NOFOLLOW);
        return r < 0 ? negative_errno() : r;
}

int open_in_root(int rootfd, const char *path, int flags) {
        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

        if (fd < 0 && errno == ENOSYS)
                return open_in_root_walk(rootfd, path, flags);
        return fd < 0 ? negative_errno() : (int) fd;
}

static int read_regular_fd(int fd, size_t max, char **ret, size_t *ret_size) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return -EBADF;
        return read_full_fd(fd, max, ret, ret_size);
}

int read_file_in_root(int rootfd, const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = open_in_root(rootfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);

        if (fd < 0)
                return fd;
        return read_regular_fd(fd, max, ret, ret_size);
}

int read_regular_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd =
                openat(dirfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0)
                return errno == ELOOP ? -ELOOP : negative_errno();
        return read_regular_fd(fd, max, ret, ret_size);
}

int sockaddr_un_from(const char *path, struct sockaddr_un *ret, socklen_t *ret_len) {
        size_t len = strlen(path);

        if ((path[0] != '/' && path[0] != '@') || len < 2)
                return -EAFNOSUPPORT;
        if (len >= sizeof(ret->sun_path))
                return -ENAMETOOLONG;
        *ret = (struct sockaddr_un){.sun_family = AF_UNIX};
        memcpy(ret->sun_path, path, len);
        if (path[0] == '@')
                ret->sun_path[0] = 0;
        /* A path's NUL counts, an abstract name has none. */
        *ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '/'));
        return 0;
}
