/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <inttypes.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uid-range.h"
#include "macro.h"

#define UID_RANGE_LIMIT UINT64_C(0x80000000)

UidRange uid_range_from_random(uint32_t random) {
        return (UidRange){.shift = (random % 0x7FFF + 1) << 16, .count = UID_RANGE_COUNT};
}

int uid_range_random(UidRange *ret) {
        uint32_t n;

        if (getrandom(&n, sizeof(n), 0) != (ssize_t) sizeof(n))
                return negative_errno();
        *ret = uid_range_from_random(n);
        return 0;
}

static int parse_u32(const char *s, size_t len, uint32_t *ret) {
        uint64_t v = 0;

        if (len == 0 || len > 10 || (len > 1 && s[0] == '0'))
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t) (s[i] - '0');
        }
        if (v > UINT32_MAX)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

int uid_range_parse(const char *s, UidRange *ret) {
        const char *colon = strchr(s, ':');
        size_t len = strlen(s);
        UidRange r;

        if (len > 0 && s[len - 1] == '\n')
                len--;
        if (!colon || (size_t) (colon - s) >= len || parse_u32(s, (size_t) (colon - s), &r.shift) < 0 ||
            parse_u32(colon + 1, len - (size_t) (colon - s) - 1, &r.count) < 0)
                return -EINVAL;
        if (r.shift == 0 || r.count == 0 || (uint64_t) r.shift + r.count > UID_RANGE_LIMIT)
                return -EINVAL;
        *ret = r;
        return 0;
}

int uid_range_format(const UidRange *r, char **ret) {
        return asprintf(ret, "%" PRIu32 ":%" PRIu32, r->shift, r->count) < 0 ? -ENOMEM : 0;
}

int uid_range_shift(const UidRange *r, uint32_t id, uint32_t *ret) {
        if (id >= r->count)
                return -ERANGE;
        *ret = id + r->shift;
        return 0;
}

int uid_range_unshift(const UidRange *r, uint32_t id, uint32_t *ret) {
        if (id < r->shift || id - r->shift >= r->count)
                return -ERANGE;
        *ret = id - r->shift;
        return 0;
}

static int into_range(const UidRange *r, uint32_t id, uint32_t *ret) {
        uint32_t inside;

        if (uid_range_unshift(r, id, &inside) == 0) {
                *ret = id;
                return 0;
        }
        return uid_range_shift(r, id, ret);
}

/* dirfd/name, whose lstat is st. */
static int chown_entry(int dirfd, const char *name, const struct stat *st, const UidRange *r) {
        uint32_t uid, gid;

        if (into_range(r, st->st_uid, &uid) < 0 || into_range(r, st->st_gid, &gid) < 0)
                return -ERANGE;
        if (uid == st->st_uid && gid == st->st_gid)
                return 0;
        if (fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH)) < 0)
                return negative_errno();
        /* chown clears setuid and setgid; name is no symlink (lstat said so), so chmod cannot follow one. */
        if (!S_ISLNK(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID)) &&
            fchmodat(dirfd, *name ? name : ".", st->st_mode & 07777, 0) < 0)
                return negative_errno();
        return 0;
}

/* The mount a file is on (0: unknown, a kernel without STATX_MNT_ID). */
static uint64_t mount_id(int dirfd, const char *name) {
        struct statx sx = {};

        if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH), STATX_MNT_ID, &sx) < 0 ||
            !(sx.stx_mask & STATX_MNT_ID))
                return 0;
        return sx.stx_mnt_id;
}

/* A bind mount of a directory of the same file system has the same st_dev: its mount tells it apart (a
 * host volume mounted into an app's rootfs must keep its owners). */
static bool other_mount(int dirfd, const char *name, uint64_t mnt_id) {
        uint64_t id = mnt_id ? mount_id(dirfd, name) : 0;

        return id != 0 && id != mnt_id;
}

static int chown_children(int fd, dev_t dev, uint64_t mnt_id, const UidRange *r) {
        DIR *d;
        struct dirent *de;
        int k = 0;

        d = fdopendir(fd);
        if (!d) {
                k = negative_errno();
                safe_close(fd);
                return k;
        }
        while (k >= 0 && (errno = 0, de = readdir(d))) {
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        k = negative_errno();
                        break;
                }
                if (st.st_dev != dev || other_mount(dirfd(d), de->d_name, mnt_id))
                        continue; /* a mount point: not ours to change */
                k = chown_entry(dirfd(d), de->d_name, &st, r);
                if (k >= 0 && S_ISDIR(st.st_mode)) {
                        int sub = openat(dirfd(d), de->d_name,
                                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        k = sub < 0 ? negative_errno() : chown_children(sub, dev, mnt_id, r);
                }
        }
        if (k >= 0 && errno != 0)
                k = negative_errno();
        closedir(d);
        return k;
}

int uid_range_chown_tree(int dirfd, const UidRange *r) {
        struct stat st;
        int fd, k;

        if (fstat(dirfd, &st) < 0)
                return negative_errno();
        k = chown_entry(dirfd, "", &st, r);
        if (k < 0)
                return k;
        fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        return chown_children(fd, st.st_dev, mount_id(dirfd, ""), r);
}
