/* SPDX-License-Identifier: Apache-2.0 */
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

static void entry_path_done(EntryPath *p) {
        free(p->norm);
        free(p->split);
        free(p->comps);
}

void aci_cache_truncate(Extractor *x, size_t n) {
        while (x->n_cache > n) {
                x->n_cache--;
                free(x->cache[x->n_cache].name);
                safe_close(x->cache[x->n_cache].fd);
        }
}

void aci_extractor_done(Extractor *x) {
        aci_cache_truncate(x, 0);
        x->deep_fd = safe_close(x->deep_fd);
        entry_path_done(&x->path);
        entry_path_done(&x->link);
        for (size_t i = 0; i < x->n_fixups; i++)
                free(x->fixups[i].path);
        free(x->fixups);
        free(x->inodes);
}

/* Names come from the archive: control characters would break the one-line message or drive the
 * terminal, and a 4 KiB name would drown it. */
static char *escape_name(const char *s) {
        size_t n = strlen(s), shown = MIN(n, (size_t) MESSAGE_NAME_MAX);
        char *r = malloc(shown * 4 + 4), *o = r;

        if (!r)
                return NULL;
        for (size_t i = 0; i < shown; i++) {
                unsigned char c = s[i];
                if (c < 0x20 || c == 0x7f || c == '\\')
                        o += sprintf(o, "\\x%02x", c);
                else
                        *o++ = c;
        }
        if (shown < n)
                o = stpcpy(o, "...");
        *o = 0;
        return r;
}

/* "entry '<name>': <message>". */
int aci_entry_error(Extractor *x, int code, const char *fmt, ...) {
        _cleanup_free_ char *name = NULL, *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                msg = NULL;
        name = escape_name(strempty(x->raw));
        return rkt_error_set(x->reterr, code, "entry '%s': %s", strna(name), strna(msg));
}

/* The escaped archive path of p up to and including component i. */
char *aci_path_prefix(const EntryPath *p, size_t i) {
        size_t end = (size_t) (p->comps[i] - p->split) + strlen(p->comps[i]);
        _cleanup_free_ char *s = strndup(p->norm, end);

        return s ? escape_name(s) : NULL;
}

/* libarchive has no error code for it; "No progress is possible" is liblzma's LZMA_BUF_ERROR, which it
 * returns for input that ends early. */
static bool message_says_truncated(const char *msg) {
        return strcasestr(msg, "truncated") || strcasestr(msg, "unexpected end") ||
               strstr(msg, "No progress is possible");
}

/* Turns a libarchive failure into a message: first, while looking for the first header; in_data, while
 * reading the current entry's data. */
int aci_archive_failure(Extractor *x, bool first, bool in_data) {
        int err = sym_archive_errno(x->archive), code;
        _cleanup_free_ char *msg = escape_name(sym_archive_error_string(x->archive) ?: "unknown error");

        if (!msg)
                return -ENOMEM;
        /* libarchive reports format problems as EILSEQ (its ARCHIVE_ERRNO_FILE_FORMAT) or EINVAL; other
         * errnos are real, such as EIO from the fd. */
        code = err > 0 && err != EILSEQ && err != EINVAL ? -err : -EBADMSG;
        if (message_says_truncated(msg))
                return rkt_error_set(x->reterr, code, "archive is truncated: %s", msg);
        if (first)
                return rkt_error_set(x->reterr, code, "not an archive: %s", msg);
        if (in_data)
                return aci_entry_error(x, code, "reading data: %s", msg);
        return rkt_error_set(x->reterr, code, "damaged archive: %s", msg);
}

static void entry_times(struct archive_entry *e, struct timespec ts[2]) {
        ts[0] = (struct timespec){.tv_nsec = UTIME_OMIT};
        ts[1] = (struct timespec){.tv_nsec = UTIME_OMIT};
        if (sym_archive_entry_atime_is_set(e))
                ts[0] = (struct timespec){sym_archive_entry_atime(e), sym_archive_entry_atime_nsec(e)};
        if (sym_archive_entry_mtime_is_set(e))
                ts[1] = (struct timespec){sym_archive_entry_mtime(e), sym_archive_entry_mtime_nsec(e)};
}

/* fd: an open file or directory; else dirfd/name, which may be a symlink or a device node. chown
 * clears security.capability and setuid bits, so xattrs and the mode come after the owner. */
static int apply_xattrs(Extractor *x, struct archive_entry *e, int fd, int dirfd, const char *name) {
        char proc[64 + NAME_MAX] = "";
        const char *xname;
        const void *value;
        size_t size;

        if (sym_archive_entry_xattr_reset(e) == 0)
                return 0;
        if (fd < 0)
                /* No l*xattrat() in glibc: the parent fd's /proc link, with a final component that
                 * lsetxattr does not follow. */
                snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", dirfd, name);
        while (sym_archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK) {
                int r = fd >= 0 ? fsetxattr(fd, xname, value, size, 0)
                                : lsetxattr(proc, xname, value, size, 0);
                _cleanup_free_ char *n = NULL;

                if (r >= 0)
                        continue;
                r = errno;
                /* user.* is optional (tmpfs before 6.6, some FUSE file systems; never on symlinks and
                 * devices); a lost security.capability would silently break the image. */
                if (startswith(xname, "user.") && (r == EOPNOTSUPP || (fd < 0 && r == EPERM)))
                        continue;
                n = escape_name(xname);
                return aci_entry_error(x, -r, "setting extended attribute '%s': %s", strna(n), strerror(r));
        }
        return 0;
}

static bool needs_chown(Extractor *x, struct archive_entry *e, const struct stat *st) {
        return x->set_owners && (st->st_uid != (uid_t) sym_archive_entry_uid(e) ||
                                 st->st_gid != (gid_t) sym_archive_entry_gid(e));
}

/* st: the new file, which has no setuid/setgid bits yet, so chown leaves its mode alone. fd: an open file
 * or directory; else dirfd/name, not followed. */
static int apply_owner(Extractor *x, struct archive_entry *e, const struct stat *st, int fd, int dirfd,
                       const char *name) {
        int r;

        if (!needs_chown(x, e, st))
                return 0;
        if (fd >= 0)
                r = fchown(fd, sym_archive_entry_uid(e), sym_archive_entry_gid(e));
        else
                r = fchownat(dirfd, name, sym_archive_entry_uid(e), sym_archive_entry_gid(e),
                             AT_SYMLINK_NOFOLLOW);
        if (r < 0)
                return aci_entry_error(x, negative_errno(), "setting the owner: %m");
        return 0;
}

static int write_all_at(int fd, const char *p, size_t size, off_t offset) {
        while (size > 0) {
                ssize_t n = pwrite(fd, p, size, offset);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                p += n;
                size -= n;
                offset += n;
        }
        return 0;
}

/* Copies the entry's data, leaving holes of sparse entries unwritten. */
static int copy_data(Extractor *x, struct archive_entry *e, int fd) {
        int64_t end = 0;

        for (;;) {
                const void *buf;
                size_t size;
                la_int64_t offset;
                int r = sym_archive_read_data_block(x->archive, &buf, &size, &offset);

                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return aci_archive_failure(x, false, true);
                r = write_all_at(fd, buf, size, offset);
                if (r < 0)
                        return aci_entry_error(x, r, "writing: %s", strerror(-r));
                end = MAX(end, (int64_t) (offset + size));
        }
        if (sym_archive_entry_size_is_set(e) && sym_archive_entry_size(e) > end &&
            ftruncate(fd, sym_archive_entry_size(e)) < 0)
                return aci_entry_error(x, negative_errno(), "extending to its size: %m");
        return 0;
}

static int extract_file(Extractor *x, struct archive_entry *e, int parent_fd, const char *name) {
        mode_t perm = sym_archive_entry_perm(e);
        _cleanup_close_ int fd = -1;
        struct timespec ts[2];
        struct stat st;
        int r;

        for (unsigned attempt = 0;; attempt++) {
                /* O_EXCL: a symlink in the way is never followed. Created with the final permissions
                 * (setuid/setgid only after chown, which would clear them); writable through this fd. */
                fd = openat(parent_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                            perm & 0777);
                if (fd >= 0 || errno != EEXIST || attempt > 0)
                        break;
                r = aci_prepare_slot(x, parent_fd, name, false);
                if (r < 0)
                        return r;
        }
        if (fd < 0)
                return aci_entry_error(x, negative_errno(), "creating the file: %m");
        if (fstat(fd, &st) < 0)
                return aci_entry_error(x, negative_errno(), "inspecting the new file: %m");
        if (!aci_inode_add(x, &st))
                return -ENOMEM;
        r = copy_data(x, e, fd);
        if (r < 0)
                return r;
        r = apply_owner(x, e, &st, fd, -1, NULL);
        if (r < 0)
                return r;
        /* The umask may have taken bits; setuid/setgid/sticky are still to be set. */
        if ((st.st_mode & 07777) != perm && fchmod(fd, perm) < 0)
                return aci_entry_error(x, negative_errno(), "setting the mode: %m");
        r = apply_xattrs(x, e, fd, -1, NULL);
        if (r < 0)
                return r;
        entry_times(e, ts);
        if (futimens(fd, ts) < 0)
                return aci_entry_error(x, negative_errno(), "setting the times: %m");
        return 0;
}

static int record_dir(Extractor *x, struct archive_entry *e, const struct stat *st) {
        InodeSlot *s;
        DirFixup *f;

        s = aci_inode_add(x, st);
        if (!s)
                return -ENOMEM;
        if (s->fixup >= 0 && !x->fixups[s->fixup].dead)
                /* A duplicate entry: the later one's metadata wins. */
                f = &x->fixups[s->fixup];
        else {
                char *p = strdup(x->path.norm);
                if (!p ||
                    aci_grow((void **) &x->fixups, &x->fixups_size, x->n_fixups + 1, sizeof(DirFixup)) < 0) {
                        free(p);
                        return -ENOMEM;
                }
                s->fixup = x->n_fixups;
                f = &x->fixups[x->n_fixups++];
                *f = (DirFixup){
                        .path = p,
                        .rel = x->offset == 0        ? 0
                               : x->path.n_comps > 1 ? (size_t) (x->path.comps[1] - x->path.split)
                                                     : strlen(p),
                        .dev = st->st_dev,
                        .ino = st->st_ino,
                };
        }
        f->mode = sym_archive_entry_perm(e);
        entry_times(e, f->times);
        return 0;
}

/* comps/n: the target components of the directory; n == 0 is the target itself (the "rootfs" entry with
 * ACI_EXTRACT_ROOTFS_ONLY). */
static int extract_dir(Extractor *x, struct archive_entry *e, int parent_fd, char **comps, size_t n) {
        _cleanup_close_ int fd = -1;
        struct stat st;
        int r;

        if (n == 0)
                fd = openat(x->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        else {
                for (unsigned attempt = 0;; attempt++) {
                        /* 0700 until the end: writable for the children, closed to others while half-made.
                         */
                        if (mkdirat(parent_fd, comps[n - 1], 0700) >= 0)
                                break;
                        if (errno != EEXIST || attempt > 0)
                                return aci_entry_error(x, negative_errno(), "creating the directory: %m");
                        r = aci_prepare_slot(x, parent_fd, comps[n - 1], true);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                break;
                }
                fd = openat(parent_fd, comps[n - 1], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0)
                return aci_entry_error(x, negative_errno(), "opening the directory: %m");
        if (fstat(fd, &st) < 0)
                return aci_entry_error(x, negative_errno(), "inspecting the directory: %m");
        r = apply_owner(x, e, &st, fd, -1, NULL);
        if (r < 0)
                return r;
        r = apply_xattrs(x, e, fd, -1, NULL);
        if (r < 0)
                return r;
        r = record_dir(x, e, &st);
        if (r < 0)
                return r;
        /* Its entries most likely follow: extend the cache, which holds exactly the parent's path. */
        if (n > 0 && x->n_cache == n - 1 && x->n_cache < DIR_CACHE_MAX) {
                char *name = strdup(comps[n - 1]);
                if (!name)
                        return -ENOMEM;
                x->cache[x->n_cache++] = (CachedDir){.name = name, .fd = TAKE_FD(fd)};
        }
        return 0;
}

/* What a symlink or a node just made as name in parent_fd gets, through that name (neither is opened: a
 * symlink is never followed, opening a fifo blocks and opening a device talks to its driver): it is
 * remembered, then its owner, its mode (a node's: set_mode), its xattrs and its times. */
static int finish_at(Extractor *x, struct archive_entry *e, int parent_fd, const char *name, bool set_mode) {
        mode_t perm = sym_archive_entry_perm(e);
        struct timespec ts[2];
        struct stat st;
        int r;

        r = aci_remember_at(x, parent_fd, name, &st);
        if (r < 0)
                return r;
        r = apply_owner(x, e, &st, -1, parent_fd, name);
        if (r < 0)
                return r;
        if (set_mode && (st.st_mode & 07777) != perm &&
            fchmodat(parent_fd, name, perm, AT_SYMLINK_NOFOLLOW) < 0)
                return aci_entry_error(x, negative_errno(), "setting the mode: %m");
        r = apply_xattrs(x, e, -1, parent_fd, name);
        if (r < 0)
                return r;
        entry_times(e, ts);
        if (utimensat(parent_fd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return aci_entry_error(x, negative_errno(), "setting the times: %m");
        return 0;
}

static int extract_symlink(Extractor *x, struct archive_entry *e, int parent_fd, const char *name) {
        const char *target = sym_archive_entry_symlink(e);
        int r;

        /* The target is data: it is resolved later, inside the container's root, never here. */
        if (isempty(target))
                return aci_entry_error(x, -EBADMSG, "symlink without a target");
        for (unsigned attempt = 0;; attempt++) {
                if (symlinkat(target, parent_fd, name) >= 0)
                        break;
                if (errno != EEXIST || attempt > 0)
                        return aci_entry_error(x, negative_errno(), "creating the symlink: %m");
                r = aci_prepare_slot(x, parent_fd, name, false);
                if (r < 0)
                        return r;
        }
        return finish_at(x, e, parent_fd, name, false);
}

static int extract_node(Extractor *x, struct archive_entry *e, int parent_fd, const char *name) {
        mode_t type = sym_archive_entry_filetype(e), perm = sym_archive_entry_perm(e);
        int r;

        for (unsigned attempt = 0;; attempt++) {
                if (mknodat(parent_fd, name, type | (perm & 0777), sym_archive_entry_rdev(e)) >= 0)
                        break;
                if (errno == EPERM && !x->is_root && type != AE_IFIFO)
                        return 0; /* device nodes need root; documented in the header */
                if (errno != EEXIST || attempt > 0)
                        return aci_entry_error(x, negative_errno(), "creating the node: %m");
                r = aci_prepare_slot(x, parent_fd, name, false);
                if (r < 0)
                        return r;
        }
        return finish_at(x, e, parent_fd, name, true);
}

static int extract_hardlink(Extractor *x, struct archive_entry *e, const char *target, char **comps,
                            size_t n) {
        _cleanup_free_ char *t = escape_name(target), *p = NULL;
        _cleanup_close_ int target_parent = -1;
        char **tcomps;
        size_t tn, failed = 0;
        PathProblem problem;
        struct stat st;
        int parent_fd, borrowed, r;

        r = aci_extract_parse_path(&x->link, target, &problem);
        if (r < 0)
                return r;
        switch (problem) {
        case PATH_OK:
                break;
        case PATH_ABSOLUTE:
        case PATH_ESCAPES:
                return aci_entry_error(x, -EXDEV, "hardlink target '%s' is outside the image", strna(t));
        case PATH_DOTDOT:
                return aci_entry_error(x, -EINVAL, "hardlink target '%s' contains a '..' component",
                                       strna(t));
        case PATH_TOO_LONG:
        case PATH_COMPONENT_TOO_LONG:
                return aci_entry_error(x, -ENAMETOOLONG, "hardlink target '%s' is too long", strna(t));
        }
        if (x->flags & ACI_EXTRACT_LAYER) {
                if (x->link.n_comps < 1)
                        return aci_entry_error(x, -EINVAL, "hardlink to the layer's root");
        } else if (x->link.n_comps < 2 || !streq(x->link.comps[0], "rootfs"))
                return aci_entry_error(x, -EXDEV, "hardlink target '%s' is outside the image's rootfs",
                                       strna(t));
        if (streq(x->link.norm, x->path.norm))
                return aci_entry_error(x, -EINVAL, "hardlink to itself");
        tcomps = x->link.comps + x->offset;
        tn = x->link.n_comps - x->offset;

        r = aci_extract_walk(x, tcomps, tn - 1, false, &borrowed, &failed);
        if (r >= 0) {
                /* The entry's walk below may close the cached fd. */
                target_parent = fcntl(borrowed, F_DUPFD_CLOEXEC, 3);
                if (target_parent < 0)
                        return negative_errno();
        } else if (r == -ENOMEM)
                return r;
        else if (r == -ENOENT)
                return aci_entry_error(x, r, "hardlink target '%s' does not exist", strna(t));
        else {
                p = aci_path_prefix(&x->link, x->offset + failed);
                return aci_entry_error(x, r, "hardlink target '%s': parent '%s' %s", strna(t), strna(p),
                                       r == -ELOOP     ? "is a symlink"
                                       : r == -ENOTDIR ? "is not a directory"
                                                       : strerror(-r));
        }
        if (fstatat(target_parent, tcomps[tn - 1], &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return aci_entry_error(x, -ENOENT, "hardlink target '%s' does not exist", strna(t));
                return aci_entry_error(x, negative_errno(), "hardlink target '%s': %m", strna(t));
        }
        if (S_ISDIR(st.st_mode))
                return aci_entry_error(x, -EPERM, "hardlink target '%s' is a directory", strna(t));

        r = aci_open_parent(x, comps, n, &parent_fd);
        if (r < 0)
                return r;
        for (unsigned attempt = 0;; attempt++) {
                /* flags 0: a symlink target is linked itself, not followed. */
                if (linkat(target_parent, tcomps[tn - 1], parent_fd, comps[n - 1], 0) >= 0)
                        break;
                if (errno != EEXIST || attempt > 0)
                        return aci_entry_error(x, negative_errno(), "linking to '%s': %m", strna(t));
                r = aci_prepare_slot(x, parent_fd, comps[n - 1], false);
                if (r < 0)
                        return r;
        }
        if (!aci_inode_add(x, &st))
                return -ENOMEM;
        /* pax allows a hardlink entry to carry the data of the file again. */
        if (sym_archive_entry_size_is_set(e) && sym_archive_entry_size(e) > 0) {
                _cleanup_close_ int fd = -1;
                if (!S_ISREG(st.st_mode))
                        return aci_entry_error(x, -EINVAL, "hardlink with data to a non-regular file");
                fd = openat(parent_fd, comps[n - 1], O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return aci_entry_error(x, negative_errno(), "opening the file: %m");
                return copy_data(x, e, fd);
        }
        return 0;
}

/* Counts the entry against the budget before anything of it is written. */
static int budget_entry(Extractor *x, struct archive_entry *e) {
        const ImageBudget *b = x->budget;

        if (!b)
                return 0;
        x->pass_entries++;
        if (sym_archive_entry_size_is_set(e) && sym_archive_entry_size(e) > 0)
                x->pass_size += (uint64_t) sym_archive_entry_size(e);
        if (b->entries + x->pass_entries > image_limits_max_entries(&b->limits))
                return rkt_error_set(x->reterr, -EFBIG, "the image has more than %llu entries",
                                     (unsigned long long) image_limits_max_entries(&b->limits));
        if (b->size + x->pass_size > image_limits_max_size(&b->limits))
                return image_limit_error(x->reterr, "the image", image_limits_max_size(&b->limits));
        return 0;
}

int aci_entry_begin(Extractor *x, struct archive_entry *e, PathProblem *ret_problem) {
        int r;

        x->raw = sym_archive_entry_pathname(e);
        if (!x->raw)
                return rkt_error_set(x->reterr, -EBADMSG, "archive entry without a name");
        r = budget_entry(x, e);
        if (r < 0)
                return r;
        return aci_extract_parse_path(&x->path, x->raw, ret_problem);
}

static int extract_entry(Extractor *x, struct archive_entry *e) {
        const char *hardlink = sym_archive_entry_hardlink(e);
        mode_t type = hardlink ? AE_IFREG : sym_archive_entry_filetype(e);
        PathProblem problem;
        char **comps;
        size_t n;
        int parent_fd = x->root_fd, r;

        r = aci_entry_begin(x, e, &problem);
        if (r < 0)
                return r;
        switch (problem) {
        case PATH_OK:
                break;
        case PATH_ABSOLUTE:
                return aci_entry_error(x, -EXDEV, "absolute path");
        case PATH_ESCAPES:
                return aci_entry_error(x, -EXDEV, "path escapes the image root");
        case PATH_DOTDOT:
                return aci_entry_error(x, -EINVAL, "path contains a '..' component");
        case PATH_TOO_LONG:
                return aci_entry_error(x, -ENAMETOOLONG, "path is longer than %d bytes", PATH_MAX - 1);
        case PATH_COMPONENT_TOO_LONG:
                return aci_entry_error(x, -ENAMETOOLONG, "path component longer than %d bytes", NAME_MAX);
        }

        if (x->path.n_comps == 0) {
                /* "./": the archive's root, which is the target. */
                if (type != AE_IFDIR || hardlink)
                        return aci_entry_error(x, -EBADMSG, "the image root must be a directory");
                return 0;
        }
        if (x->flags & ACI_EXTRACT_LAYER) {
                /* Whiteouts were applied by the first pass; they are markers, not files. */
                if (startswith(x->path.comps[x->path.n_comps - 1], WHITEOUT_PREFIX))
                        return 0;
        } else if (streq(x->path.comps[0], "manifest")) {
                if (x->path.n_comps > 1 || hardlink || type != AE_IFREG)
                        return aci_entry_error(x, -EBADMSG, "'manifest' must be a regular file");
                if (x->flags & ACI_EXTRACT_ROOTFS_ONLY)
                        return 0;
        } else if (streq(x->path.comps[0], "rootfs")) {
                if (x->path.n_comps == 1 && (hardlink || type != AE_IFDIR))
                        return aci_entry_error(x, -EBADMSG, "'rootfs' must be a directory");
                if (x->path.n_comps > 1 && x->filter &&
                    !x->filter(x->path.norm + strlen("rootfs/"), type, x->userdata))
                        return 0;
        } else
                return aci_entry_error(
                        x, -EBADMSG,
                        "unexpected top-level path (an image holds only 'manifest' and 'rootfs/')");

        comps = x->path.comps + x->offset;
        n = x->path.n_comps - x->offset;
        if (hardlink)
                return extract_hardlink(x, e, hardlink, comps, n);
        if (n > 0) {
                r = aci_open_parent(x, comps, n, &parent_fd);
                if (r < 0)
                        return r;
        }
        switch (type) {
        case AE_IFDIR:
                return extract_dir(x, e, parent_fd, comps, n);
        case AE_IFREG:
                return extract_file(x, e, parent_fd, comps[n - 1]);
        case AE_IFLNK:
                return extract_symlink(x, e, parent_fd, comps[n - 1]);
        case AE_IFCHR:
        case AE_IFBLK:
        case AE_IFIFO:
                return extract_node(x, e, parent_fd, comps[n - 1]);
        default:
                return aci_entry_error(x, -EBADMSG, "unsupported file type 0%o", (unsigned) type);
        }
}

/* Opens the directory of f if it is still the one the entry made; returns 0 with *ret_fd = -1 when it was
 * removed or replaced since. */
static int open_fixup_dir(Extractor *x, const DirFixup *f, int *ret_fd) {
        _cleanup_close_ int fd = -1;
        PathProblem problem;
        struct stat st;
        size_t failed;
        int parent_fd, r;

        *ret_fd = -1;
        r = aci_extract_parse_path(&x->path, f->path + f->rel, &problem);
        if (r < 0)
                return r;
        if (x->path.n_comps == 0)
                fd = openat(x->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        else {
                r = aci_extract_walk(x, x->path.comps, x->path.n_comps - 1, false, &parent_fd, &failed);
                if (r == -ENOENT || r == -ELOOP || r == -ENOTDIR)
                        return 0;
                if (r < 0)
                        return r;
                fd = openat(parent_fd, x->path.comps[x->path.n_comps - 1],
                            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0)
                return errno == ENOENT || errno == ELOOP || errno == ENOTDIR ? 0 : negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (st.st_dev == f->dev && st.st_ino == f->ino)
                *ret_fd = TAKE_FD(fd);
        return 0;
}

/* Deepest first, so a read-only parent does not hide a child from a non-root extraction. A directory
 * replaced later by something else is recognized by its inode and left alone. */
static int apply_fixups(Extractor *x) {
        for (size_t i = x->n_fixups; i-- > 0;) {
                const DirFixup *f = &x->fixups[i];
                _cleanup_free_ char *name = NULL;
                _cleanup_close_ int fd = -1;
                const char *what = "opening";
                int r;

                if (f->dead)
                        continue;
                r = open_fixup_dir(x, f, &fd);
                if (r >= 0 && fd < 0)
                        continue;
                if (r >= 0) {
                        what = "setting the mode";
                        r = fchmod(fd, f->mode) < 0 ? negative_errno() : 0;
                }
                if (r >= 0) {
                        what = "setting the times";
                        r = futimens(fd, f->times) < 0 ? negative_errno() : 0;
                }
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        name = escape_name(f->path);
                        return rkt_error_set(x->reterr, r, "directory '%s': %s: %s", strna(name), what,
                                             strerror(-r));
                }
        }
        return 0;
}

int aci_extract_archive_budget(struct archive *a, int target_dirfd, unsigned flags, AciEntryFilter filter,
                               void *userdata, ImageBudget *budget, RktError **reterr) {
        _cleanup_(aci_extractor_done) Extractor x = {
                .budget = budget,
                .archive = a,
                .root_fd = target_dirfd,
                .flags = flags,
                .filter = filter,
                .userdata = userdata,
                .reterr = reterr,
                .is_root = geteuid() == 0,
                .set_owners = geteuid() == 0 && !(flags & ACI_EXTRACT_NO_OWNERS),
                .offset = flags & ACI_EXTRACT_ROOTFS_ONLY ? 1 : 0,
                .deep_fd = -1,
        };

        for (bool first = true;; first = false) {
                struct archive_entry *e;
                int r = sym_archive_read_next_header(a, &e);

                if (r == ARCHIVE_EOF)
                        break;
                /* ARCHIVE_WARN: usable entry, e.g. a UTF-8 name outside a UTF-8 locale (kept as bytes). */
                if (r < ARCHIVE_WARN)
                        return aci_archive_failure(&x, first, false);
                r = extract_entry(&x, e);
                if (r < 0)
                        return r;
        }
        if (budget) {
                budget->size += x.pass_size;
                budget->entries += x.pass_entries;
        }
        return apply_fixups(&x);
}

int aci_extract_archive(struct archive *a, int target_dirfd, unsigned flags, AciEntryFilter filter,
                        void *userdata, RktError **reterr) {
        return aci_extract_archive_budget(a, target_dirfd, flags, filter, userdata, NULL, reterr);
}

int aci_extract_fd(int fd, int target_dirfd, unsigned flags, AciEntryFilter filter, void *userdata,
                   RktError **reterr) {
        _cleanup_(archive_read_freep) struct archive *a = NULL;
        Extractor x = {.reterr = reterr};
        /* Only the compressions an ACI may use, detected by content. */
        int r = archive_reader_new(ARCHIVE_READER_ACI_FILTERS | ARCHIVE_READER_TAR, &a, reterr);

        if (r < 0)
                return r;
        x.archive = a;
        if (sym_archive_read_open_fd(a, fd, READ_BLOCK_SIZE) != ARCHIVE_OK)
                return aci_archive_failure(&x, true, false);
        return aci_extract_archive(a, target_dirfd, flags, filter, userdata, reterr);
}
