/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs.h"
#include "path.h"

int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;
        /* Room for one byte beyond max, so that a file of more than max bytes is told from one of max, and
         * the NUL: small bounds (a pid file's) work as well as large ones. */
        size_t cap = max < SIZE_MAX - 2 ? max + 2 : SIZE_MAX;

        for (;;) {
                ssize_t n;
                if (allocated - size < 2) {
                        size_t na = allocated ? allocated * 2 : 8192;
                        char *nb;
                        if (allocated >= cap)
                                return -EFBIG;
                        nb = realloc(buf, MIN(na, cap));
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        allocated = MIN(na, cap);
                }
                n = read(fd, buf + size, allocated - size - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                size += n;
                if (size > max)
                        return -EFBIG;
        }
        if (!buf && !(buf = malloc(1)))
                return -ENOMEM;
        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int read_full_file_at(int dirfd, const char *path, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return negative_errno();
        return read_full_fd(fd, SIZE_MAX - 1, ret, ret_size);
}

int loop_write(int fd, const void *data, size_t size) {
        const char *p = data;
        while (size > 0) {
                ssize_t n = write(fd, p, size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                p += n;
                size -= n;
        }
        return 0;
}

int fsync_directory_of(int dirfd, const char *path) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -1;

        dir = path_dirname(path);
        if (!dir)
                return -ENOMEM;
        fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        return fsync(fd) < 0 ? negative_errno() : 0;
}

static int write_file_at(int dirfd, const char *path, const void *data, size_t size, mode_t mode,
                         bool sync) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        if (asprintf(&tmp, "%s.tmp-%d", path, (int) getpid()) < 0)
                return -ENOMEM;
        /* A file of that name is a leftover of ours or was put there by someone who can write to the
         * directory: remove it rather than write into a file we do not own. */
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0 && errno == EEXIST && unlinkat(dirfd, tmp, 0) >= 0)
                fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return negative_errno();
        r = loop_write(fd, data, size);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = negative_errno();
        if (r >= 0 && sync && fsync(fd) < 0)
                r = negative_errno();
        if (r >= 0 && renameat(dirfd, tmp, dirfd, path) < 0)
                r = negative_errno();
        if (r < 0) {
                (void) unlinkat(dirfd, tmp, 0);
                return r;
        }
        return sync ? fsync_directory_of(dirfd, path) : 0;
}

int write_file_atomic_at(int dirfd, const char *path, const void *data, size_t size, mode_t mode) {
        return write_file_at(dirfd, path, data, size, mode, true);
}

int write_file_replace_at(int dirfd, const char *path, const void *data, size_t size, mode_t mode) {
        return write_file_at(dirfd, path, data, size, mode, false);
}

int mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);
        char *s;

        if (!p)
                return -ENOMEM;
        for (s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = 0;
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return negative_errno();
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}

int mount_key_at(int dirfd, const char *name, MountKey *ret, mode_t *ret_mode) {
        int flags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | (isempty(name) ? AT_EMPTY_PATH : 0);
        struct statx sx;
        MountKey k;

        if (statx(dirfd, name, flags, STATX_TYPE | STATX_MNT_ID, &sx) < 0)
                return negative_errno();
        k = (MountKey){
                .mnt_id = sx.stx_mnt_id,
                .dev = makedev(sx.stx_dev_major, sx.stx_dev_minor),
                .has_mnt_id = (sx.stx_mask & STATX_MNT_ID) != 0,
        };
        if (!k.has_mnt_id && S_ISDIR(sx.stx_mode)) {
                /* Kernels before 5.8: name_to_handle_at() tells the mount ID too (a file system that has no
                 * file handles still fills it in before failing with EOPNOTSUPP). */
                union {
                        struct file_handle fh;
                        char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
                } h = {.fh.handle_bytes = MAX_HANDLE_SZ};
                int mnt_id = -1;
                if (name_to_handle_at(dirfd, name, &h.fh, &mnt_id, isempty(name) ? AT_EMPTY_PATH : 0) >= 0 ||
                    (errno == EOPNOTSUPP && mnt_id >= 0)) {
                        k.mnt_id = (uint64_t) mnt_id;
                        k.has_mnt_id = true;
                }
        }
        *ret = k;
        if (ret_mode)
                *ret_mode = sx.stx_mode;
        return 0;
}

bool mount_key_equal(const MountKey *a, const MountKey *b) {
        if (a->dev != b->dev)
                return false;
        /* Bind mounts of one file system share the device: only the mount ID tells them apart. */
        return !(a->has_mnt_id && b->has_mnt_id) || a->mnt_id == b->mnt_id;
}

typedef struct RmRf {
        const MountKey *root;
        char *path;  /* of the directory being emptied, relative to the caller's dirfd, for messages */
        char **busy; /* the first mount point met, NULL: not asked for */
} RmRf;

static int rm_rf_busy(RmRf *c, const char *name) {
        if (c->busy && !*c->busy)
                *c->busy = path_join(c->path, name);
        return -EBUSY;
}

static int rm_rf_children(RmRf *c, int fd) {
        _cleanup_free_ char *saved = NULL;
        DIR *d = fdopendir(fd);
        struct dirent *de;
        int ret = 0;

        if (!d) {
                safe_close(fd);
                return negative_errno();
        }
        while ((errno = 0, de = readdir(d))) {
                MountKey key;
                mode_t mode;
                int sub, r;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                r = mount_key_at(dirfd(d), de->d_name, &key, &mode);
                if (r < 0) {
                        if (r != -ENOENT && ret == 0)
                                ret = r;
                        continue;
                }
                if (!S_ISDIR(mode)) {
                        if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT && ret == 0)
                                ret = negative_errno();
                        continue;
                }
                /* A mount point (another file system, or a bind mount of this one) is never entered: what
                 * is mounted there is not ours to delete. */
                if (!mount_key_equal(&key, c->root)) {
                        r = rm_rf_busy(c, de->d_name);
                        if (ret == 0)
                                ret = r;
                        continue;
                }
                sub = openat(dirfd(d), de->d_name,
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
                if (sub < 0 && errno == EPERM)
                        sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0) {
                        if (errno != ENOENT && ret == 0)
                                ret = negative_errno();
                        continue;
                }
                /* Checked again on the opened directory: something may have been mounted in between. */
                r = mount_key_at(sub, "", &key, NULL);
                if (r < 0 || !mount_key_equal(&key, c->root)) {
                        safe_close(sub);
                        r = r < 0 ? r : rm_rf_busy(c, de->d_name);
                        if (ret == 0)
                                ret = r;
                        continue;
                }
                if (c->busy && !*c->busy) {
                        char *p = path_join(c->path, de->d_name);
                        if (!p) {
                                safe_close(sub);
                                ret = -ENOMEM;
                                break;
                        }
                        free(saved);
                        saved = c->path;
                        c->path = p;
                        r = rm_rf_children(c, sub);
                        free(c->path);
                        c->path = TAKE_PTR(saved);
                } else
                        r = rm_rf_children(c, sub);
                if (r < 0 && ret == 0)
                        ret = r;
                if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT && ret == 0)
                        ret = negative_errno();
        }
        if (errno != 0 && ret == 0)
                ret = negative_errno();
        closedir(d);
        return ret;
}

int rm_rf_at_full(int dirfd, const char *name, const MountKey *root, char **ret_busy) {
        _cleanup_free_ char *busy = NULL;
        RmRf c = {.busy = ret_busy ? &busy : NULL};
        MountKey key;
        mode_t mode;
        int fd, r;

        r = mount_key_at(dirfd, name, &key, &mode);
        if (r < 0)
                return r == -ENOENT ? 0 : r;
        if (!S_ISDIR(mode))
                return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? negative_errno() : 0;
        c.root = root ?: &key;
        if (!mount_key_equal(&key, c.root)) {
                if (ret_busy)
                        *ret_busy = strdup(name);
                return -EBUSY;
        }
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : negative_errno();
        c.path = strdup(name);
        if (!c.path) {
                safe_close(fd);
                return -ENOMEM;
        }
        r = rm_rf_children(&c, fd);
        free(c.path);
        if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0) {
                r = negative_errno();
                /* name itself is a mount point (of the same mount as root when root was not given). */
                if (r == -EBUSY && ret_busy && !busy)
                        busy = strdup(name);
        }
        if (r == -EBUSY && ret_busy)
                *ret_busy = TAKE_PTR(busy);
        return r;
}

int rm_rf_at(int dirfd, const char *name) {
        return rm_rf_at_full(dirfd, name, NULL, NULL);
}

int opendir_at(int dirfd, const char *path, DIR **ret) {
        int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d;

        *ret = NULL;
        if (fd < 0)
                return errno == ENOENT ? 0 : negative_errno();
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return negative_errno();
        }
        *ret = d;
        return 0;
}

static int copy_data(int in, int out) {
        char buf[64 * 1024];

        for (;;) {
                ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t) 1 << 30, 0);
                if (n == 0)
                        return 0;
                if (n > 0)
                        continue;
                if (errno == EINTR)
                        continue;
                if (errno != EXDEV && errno != EINVAL && errno != EOPNOTSUPP && errno != ENOSYS)
                        return negative_errno();
                break;
        }
        /* Across file systems where the kernel cannot: by hand, from where copy_file_range() stopped. */
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        return 0;
                int r = loop_write(out, buf, (size_t) n);
                if (r < 0)
                        return r;
        }
}

/* Owner, mode and times of the copy of st, already created as to_dir/name (fd: open on it, or -1). */
static int copy_attributes(int to_dir, const char *name, int fd, const struct stat *st) {
        struct timespec ts[2] = {st->st_atim, st->st_mtim};

        if (fd >= 0) {
                if (fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0 ||
                    futimens(fd, ts) < 0)
                        return negative_errno();
                return 0;
        }
        if (fchownat(to_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
            (!S_ISLNK(st->st_mode) && fchmodat(to_dir, name, st->st_mode & 07777, 0) < 0) ||
            utimensat(to_dir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        return 0;
}

static int copy_entry(int from_dir, int to_dir, const char *name, const struct stat *st, unsigned depth);

static int copy_children(int from_fd, int to_fd, unsigned depth) {
        _cleanup_close_ int dfd = -1;
        DIR *d;
        int r = 0;

        if (depth > 256)
                return -ELOOP;
        dfd = fcntl(from_fd, F_DUPFD_CLOEXEC, 3);
        if (dfd < 0)
                return negative_errno();
        d = fdopendir(dfd);
        if (!d)
                return negative_errno();
        dfd = -1; /* owned by d now */
        for (struct dirent *de; r >= 0 && (errno = 0, de = readdir(d));) {
                struct stat st;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(from_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        r = negative_errno();
                else
                        r = copy_entry(from_fd, to_fd, de->d_name, &st, depth);
        }
        if (r >= 0 && errno)
                r = negative_errno();
        closedir(d);
        return r;
}

static int copy_entry(int from_dir, int to_dir, const char *name, const struct stat *st, unsigned depth) {
        _cleanup_close_ int in = -1, out = -1;
        _cleanup_free_ char *target = NULL;
        int r;

        switch (st->st_mode & S_IFMT) {
        case S_IFDIR:
                if (mkdirat(to_dir, name, 0700) < 0)
                        return negative_errno();
                in = openat(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                out = openat(to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (in < 0 || out < 0)
                        return negative_errno();
                r = copy_children(in, out, depth + 1);
                return r < 0 ? r : copy_attributes(to_dir, name, out, st);
        case S_IFREG:
                in = openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
                out = openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (in < 0 || out < 0)
                        return negative_errno();
                r = copy_data(in, out);
                return r < 0 ? r : copy_attributes(to_dir, name, out, st);
        case S_IFLNK:
                target = malloc(PATH_MAX);
                if (!target)
                        return -ENOMEM;
                ssize_t n = readlinkat(from_dir, name, target, PATH_MAX - 1);
                if (n < 0)
                        return negative_errno();
                target[n] = 0;
                if (symlinkat(target, to_dir, name) < 0)
                        return negative_errno();
                return copy_attributes(to_dir, name, -1, st);
        case S_IFIFO:
        case S_IFCHR:
        case S_IFBLK:
                if (mknodat(to_dir, name, st->st_mode & (S_IFMT | 0600), st->st_rdev) < 0)
                        return negative_errno();
                return copy_attributes(to_dir, name, -1, st);
        default:
                return 0; /* a socket is bound by a process, not copied */
        }
}

int copy_tree_at(int from_fd, int to_fd) {
        return copy_children(from_fd, to_fd, 0);
}

bool overlayfs_available(void) {
        _cleanup_free_ char *text = NULL;

        if (read_full_file_at(AT_FDCWD, "/proc/filesystems", &text, NULL) < 0)
                return false;
        for (char *line = text; line && *line;) {
                char *nl = strchr(line, '\n'), *tab;
                if (nl)
                        *nl = 0;
                tab = strrchr(line, '\t');
                if (streq(tab ? tab + 1 : line, "overlay"))
                        return true;
                line = nl ? nl + 1 : NULL;
        }
        return false;
}
