/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs.h"
#include "log.h"
#include "path.h"
#include "stage1-app.h"
#include "stage1-common.h"
#include "strv.h"
#include "util.h"

/* A file of the app's image, or "" when it has none (an image without /etc/group is fine). */
static int read_optional(int rootfd, const char *path, char **ret) {
        int r = stage1_read_in_root(rootfd, path, ret);
        if (r == -ENOENT) {
                *ret = strdup("");
                return *ret ? 0 : -ENOMEM;
        }
        return r;
}

/* The owner (or group) of a file of the app's rootfs as the app sees it: in a user namespace (users not
 * NULL) the files are owned by the pod's range on the host. */
static int owner_inside(const UidRange *users, uint32_t host_id, uint32_t *ret) {
        if (!users) {
                *ret = host_id;
                return 0;
        }
        return uid_range_unshift(users, host_id, ret);
}

/* A user or group given as a path of the image that cannot be looked at: rkt 1.30's words (Go's lower-case
 * errno text, which scripts match on), then which app. */
static int stat_error(RktError **reterr, int r, const char *app, const char *what, const char *path) {
        char text[128];

        snprintf(text, sizeof(text), "%s", strerror(-r));
        text[0] = (char) tolower((unsigned char) text[0]);
        return rkt_error_set(reterr, r, "app '%s': %s '%s': unable to stat file \"%s\": %s (in the image)",
                             app, what, path, path, text);
}

/* The user (or group) that owns the image's file at path, as the pod sees it. */
static int path_owner(int rootfd, const char *app, const char *path, bool group, const UidRange *users,
                      uint32_t *ret, RktError **reterr) {
        const char *what = group ? "group" : "user";
        _cleanup_close_ int fd = stage1_open_in_root(rootfd, path, O_PATH);
        struct stat st;
        uint32_t host_id;
        int r;

        if (fd < 0 || fstat(fd, &st) < 0)
                return stat_error(reterr, fd < 0 ? fd : negative_errno(), app, what, path);
        host_id = group ? st.st_gid : st.st_uid;
        r = owner_inside(users, host_id, ret);
        if (r < 0)
                return rkt_error_set(
                        reterr, r, "app '%s': %s '%s': the path's %s %u is outside the pod's user namespace",
                        app, what, path, group ? "group" : "owner", (unsigned) host_id);
        return 0;
}

int stage1_resolve_user(int rootfd, const char *app, const char *key, const UidRange *users, Stage1User *ret,
                        RktError **reterr) {
        _cleanup_free_ char *passwd = NULL, *uid_key = NULL;
        int r;

        r = read_optional(rootfd, "/etc/passwd", &passwd);
        if (r < 0)
                return rkt_error_set(reterr, r, "app '%s': reading the image's /etc/passwd: %s", app,
                                     strerror(-r));
        if (path_is_absolute(key)) {
                uint32_t uid;

                r = path_owner(rootfd, app, key, false, users, &uid, reterr);
                if (r < 0)
                        return r;
                if (asprintf(&uid_key, "%u", (unsigned) uid) < 0)
                        return -ENOMEM;
                key = uid_key;
        }
        r = stage1_passwd_lookup(passwd, key, ret);
        if (r == -ENOENT)
                return rkt_error_set(reterr, r, "app '%s': \"%s\" user not found in the image's /etc/passwd",
                                     app, key);
        if (r < 0)
                return rkt_error_set(reterr, r, "app '%s': user '%s': %s", app, key, strerror(-r));
        return 0;
}

int stage1_resolve_group(int rootfd, const char *app, const char *key, const UidRange *users, gid_t *ret,
                         RktError **reterr) {
        _cleanup_free_ char *group = NULL;
        int r;

        if (path_is_absolute(key)) {
                uint32_t gid;

                r = path_owner(rootfd, app, key, true, users, &gid, reterr);
                if (r < 0)
                        return r;
                *ret = gid;
                return 0;
        }
        r = read_optional(rootfd, "/etc/group", &group);
        if (r < 0)
                return rkt_error_set(reterr, r, "app '%s': reading the image's /etc/group: %s", app,
                                     strerror(-r));
        r = stage1_group_lookup(group, key, ret);
        if (r == -ENOENT)
                return rkt_error_set(reterr, r, "app '%s': \"%s\" group not found in the image's /etc/group",
                                     app, key);
        return r < 0 ? rkt_error_set(reterr, r, "app '%s': group '%s': %s", app, key, strerror(-r)) : 0;
}

static const char *env_get(char *const *env, const char *name) {
        size_t l = strlen(name);
        STRV_FOREACH(e, env) {
                if (strncmp(*e, name, l) == 0 && (*e)[l] == '=')
                        return *e + l + 1;
        }
        return NULL;
}

int stage1_resolve_exec(int rootfd, const char *app, const char *wd, char *const *env, const char *name,
                        char **ret, RktError **reterr) {
        _cleanup_strv_free_ char **dirs = NULL;
        int r;

        if (isempty(name))
                return rkt_error_set(reterr, -EINVAL, "app '%s': empty exec", app);
        if (path_is_absolute(name)) {
                *ret = strdup(name);
                return *ret ? 0 : -ENOMEM;
        }
        if (strchr(name, '/')) {
                _cleanup_free_ char *j = path_join(wd, name);
                if (!j)
                        return -ENOMEM;
                r = path_make_absolute_cwd(j, ret);
                return r;
        }
        r = strv_split(env_get(env, "PATH") ?: STAGE1_DEFAULT_PATH, ":", &dirs);
        if (r < 0)
                return r;
        STRV_FOREACH(d, dirs) {
                _cleanup_free_ char *candidate = NULL;
                _cleanup_close_ int fd = -1;
                struct stat st;

                if (!path_is_absolute(*d))
                        continue;
                candidate = path_join(*d, name);
                if (!candidate)
                        return -ENOMEM;
                fd = stage1_open_in_root(rootfd, candidate, O_PATH);
                if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
                        continue;
                *ret = TAKE_PTR(candidate);
                return 0;
        }
        return rkt_error_set(reterr, -ENOENT, "app '%s': '%s' not found in the image's PATH (%s)", app, name,
                             env_get(env, "PATH") ?: STAGE1_DEFAULT_PATH);
}

int stage1_fd_path(int fd, char **ret) {
        char proc[64], buf[PATH_MAX];
        ssize_t n;

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        n = readlink(proc, buf, sizeof(buf) - 1);
        if (n < 0)
                return negative_errno();
        buf[n] = 0;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

/* An O_PATH fd of path inside the rootfs at rootfd: every component resolved by the kernel as if rootfd were
 * "/" (absolute symlinks and ".." stay inside), crossing what is mounted there already. */
static int open_target(int rootfd, const char *path) {
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        long fd;

        /* The kernel retries a lookup raced by a rename itself; -EAGAIN is what it gives up with. */
        for (int i = 0; i < 16; i++) {
                fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
                if (fd >= 0 || errno != EAGAIN)
                        break;
        }
        return fd < 0 ? negative_errno() : (int) fd;
}

static int mount_target(int rootfd, const char *path, bool dir, unsigned depth, int *ret_fd) {
        _cleanup_free_ char *parent = NULL;
        _cleanup_close_ int fd = -1, pfd = -1;
        const char *base;
        struct stat st;
        int r;

        if (depth > 64)
                return -ELOOP;
        fd = open_target(rootfd, path);
        if (fd == -ENOENT) {
                parent = path_dirname(path);
                if (!parent)
                        return -ENOMEM;
                base = strrchr(path, '/');
                base = base ? base + 1 : path;
                if (isempty(base) || streq(base, ".") || streq(base, ".."))
                        return -EINVAL;
                r = mount_target(rootfd, parent, true, depth + 1, &pfd);
                if (r < 0)
                        return r;
                /* Made in the directory the parent resolved to, never by a path string. */
                if (dir)
                        r = mkdirat(pfd, base, 0755) < 0 ? negative_errno() : 0;
                else {
                        int ffd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                         0644);
                        r = ffd < 0 ? negative_errno() : 0;
                        safe_close(ffd);
                }
                /* EEXIST for something that did not resolve: a symlink to nothing. */
                if (r == -EEXIST)
                        return -ENOLINK;
                if (r < 0)
                        return r;
                /* Whatever is there now, it is looked up inside the root again. */
                fd = open_target(rootfd, path);
        }
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (dir != !!S_ISDIR(st.st_mode))
                return dir ? -ENOTDIR : -EISDIR;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int stage1_mount_target(int rootfd, const char *path, bool dir, int *ret_fd) {
        return mount_target(rootfd, path, dir, 0, ret_fd);
}

int stage1_path_in_root(int rootfd, int fd, char **ret) {
        _cleanup_free_ char *root = NULL, *host = NULL;
        const char *rel;
        int r;

        r = stage1_fd_path(rootfd, &root);
        if (r >= 0)
                r = stage1_fd_path(fd, &host);
        if (r < 0)
                return r;
        rel = streq(root, "/") ? host : startswith(host, root);
        if (!rel || (*rel && *rel != '/'))
                return -EXDEV; /* cannot happen: resolution stays in the root */
        *ret = strdup(*rel ? rel : "/");
        return *ret ? 0 : -ENOMEM;
}

bool stage1_path_in_trees(const char *path, char *const *trees) {
        STRV_FOREACH(t, trees) {
                const char *rest = startswith(path, *t);
                if (rest && (*rest == 0 || *rest == '/'))
                        return true;
        }
        return false;
}

static bool same_inode(int a, int b) {
        struct statx x = {}, y = {};

        if (statx(a, "", AT_EMPTY_PATH, STATX_INO, &x) < 0 || statx(b, "", AT_EMPTY_PATH, STATX_INO, &y) < 0)
                return true; /* cannot tell: refuse */
        return x.stx_dev_major == y.stx_dev_major && x.stx_dev_minor == y.stx_dev_minor &&
               x.stx_ino == y.stx_ino;
}

int stage1_bind_at(int target_fd, const char *source, bool recursive, bool read_only) {
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        _cleanup_close_ int tree = -1;
        char proc[64];

        if (!source) {
                snprintf(proc, sizeof(proc), "/proc/self/fd/%d", target_fd);
                return mount("tmpfs", proc, "tmpfs", MS_NOSUID | MS_NODEV | (read_only ? MS_RDONLY : 0),
                             "mode=1777") < 0
                               ? negative_errno()
                               : 0;
        }
        /* A detached copy of the source, made read-only before anyone can see it, then attached to the
         * target's fd: nothing is looked up by path on the target's side. */
        tree = (int) syscall(SYS_open_tree, AT_FDCWD, source,
                             OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
        if (tree < 0)
                return negative_errno();
        if (read_only && syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
                                 &attr, sizeof(attr)) < 0)
                return negative_errno();
        if (syscall(SYS_move_mount, tree, "", target_fd, "",
                    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return negative_errno();
        return 0;
}

/* Docker's volume semantics: a volume the user did not give starts with what the image has at its mount
 * point. target_fd is the mount point, resolved inside the app's root. */
static int fill_volume(int target_fd, const char *source) {
        _cleanup_close_ int from = openat(target_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int to = -1;

        if (from < 0)
                return negative_errno();
        to = open(source, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (to < 0)
                return negative_errno();
        return copy_tree_at(from, to);
}

int stage1_mount_volume(int rootfd, const char *app, const Stage1MountSpec *m, char *const *forbidden,
                        char **ret_path, RktError **reterr) {
        _cleanup_free_ char *inside = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        r = stage1_mount_target(rootfd, m->target, m->dir, &fd);
        if (r >= 0)
                r = stage1_path_in_root(rootfd, fd, &inside);
        if (r < 0)
                return rkt_error_set(reterr, r, "app '%s': mount point '%s'%s%s%s: %s", app, m->target,
                                     m->volume ? " of volume '" : "", strempty(m->volume),
                                     m->volume ? "'" : "",
                                     r == -ENOLINK ? "a symlink to nothing in the image" : strerror(-r));
        if (m->volume && (streq(inside, "/") || same_inode(fd, rootfd)))
                return rkt_error_set(reterr, -EPERM,
                                     "app '%s': mount point '%s' of volume '%s' resolves to the app's root "
                                     "directory, which a volume cannot replace",
                                     app, m->target, m->volume);
        if (m->volume && stage1_path_in_trees(inside, forbidden)) {
                _cleanup_free_ char *trees = strv_join(forbidden, ", ");
                return rkt_error_set(reterr, -EPERM,
                                     "app '%s': mount point '%s' of volume '%s' resolves to '%s', in the "
                                     "host's own trees that the app shares (%s)",
                                     app, m->target, m->volume, inside, strna(trees));
        }
        if (m->fill && m->source) {
                r = fill_volume(fd, m->source);
                if (r < 0)
                        return rkt_error_set(reterr, r,
                                             "app '%s': copying the image's '%s' into volume '%s': %s", app,
                                             inside, strna(m->volume), strerror(-r));
        }
        r = stage1_bind_at(fd, m->source, m->recursive, m->read_only);
        if (r < 0)
                return rkt_error_set(reterr, r, "app '%s': mounting %s on '%s'%s: %s", app,
                                     m->source ?: "a tmpfs", inside, m->read_only ? " read-only" : "",
                                     strerror(-r));
        if (ret_path)
                *ret_path = TAKE_PTR(inside);
        return 0;
}

int stage1_bind_self(int rootfd, const char *path) {
        _cleanup_close_ int fd = -1, tree = -1;
        int r = stage1_mount_target(rootfd, path, true, &fd);

        if (r < 0)
                return r;
        tree = (int) syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
        if (tree < 0)
                return negative_errno();
        if (syscall(SYS_move_mount, tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return negative_errno();
        return 0;
}

int stage1_private_mount_namespace(void) {
        /* What is mounted from now on is ours alone; the host's later mounts still reach us. */
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return negative_errno();
        return 0;
}

int stage1_shared_volume(const char *pod_dir, const Stage1Mount *m, const UidRange *users, char **ret,
                         RktError **reterr) {
        _cleanup_free_ char *dir = NULL, *path = NULL;
        uint32_t uid = m->uid, gid = m->gid;
        char *end;
        unsigned long mode;

        errno = 0;
        mode = strtoul(m->mode ?: "0755", &end, 8);
        if (errno || *end || mode > 07777)
                return rkt_error_set(reterr, -EINVAL, "volume '%s': invalid mode '%s'", m->volume, m->mode);
        if (users && (uid_range_shift(users, m->uid, &uid) < 0 || uid_range_shift(users, m->gid, &gid) < 0))
                return rkt_error_set(reterr, -ERANGE,
                                     "volume '%s': owner %u:%u is outside the pod's user namespace",
                                     m->volume, (unsigned) m->uid, (unsigned) m->gid);
        dir = path_join(pod_dir, STAGE1_SHARED_VOLUMES);
        path = dir ? path_join(dir, m->volume) : NULL;
        if (!path)
                return -ENOMEM;
        if ((mkdir(dir, 0755) < 0 && errno != EEXIST) || (mkdir(path, 0700) < 0 && errno != EEXIST) ||
            chown(path, uid, gid) < 0 || chmod(path, (mode_t) mode) < 0) {
                int r = negative_errno();
                return rkt_error_set(reterr, r, "volume '%s': preparing %s: %s", m->volume, path,
                                     strerror(-r));
        }
        *ret = TAKE_PTR(path);
        return 0;
}

int stage1_mount_source(const char *pod_dir, const char *app, const Stage1Mount *m, const UidRange *users,
                        char **ret, struct stat *ret_st, RktError **reterr) {
        *ret_st = (struct stat){};
        if (m->implicit)
                log_warning("app '%s': no volume for mount point '%s': using a new volume '%s' holding the "
                            "image's files there, removed with the pod",
                            app, m->path, m->volume);
        if (m->kind != APPC_VOLUME_HOST) {
                ret_st->st_mode = S_IFDIR;
                return stage1_shared_volume(pod_dir, m, users, ret, reterr);
        }
        if (!m->source || !path_is_absolute(m->source))
                return rkt_error_set(reterr, -EINVAL, "volume '%s': host path '%s' is not absolute",
                                     m->volume, strna(m->source));
        if (stat(m->source, ret_st) < 0) {
                int r = negative_errno();
                /* rkt 1.30's words (its nspawn's), which scripts match on, then ours. */
                return rkt_error_set_hint(reterr, r, RKT_HINT_VOLUME_SOURCE, NULL,
                                          "Failed to stat %s: %m (volume '%s': the source of a host volume "
                                          "must exist)",
                                          m->source, m->volume);
        }
        *ret = strdup(m->source);
        return *ret ? 0 : -ENOMEM;
}

int stage1_keep_lock_fd(RktError **reterr) {
        const char *v = getenv("RKT_LOCK_FD");
        uint64_t fd;
        int flags;

        if (!v)
                return 0;
        if (parse_uint_max(v, INT32_MAX, &fd) < 0 || (flags = fcntl((int) fd, F_GETFD)) < 0)
                return rkt_error_set(reterr, -EBADF, "RKT_LOCK_FD='%s' is not an open file descriptor", v);
        if ((flags & FD_CLOEXEC) && fcntl((int) fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
                return rkt_error_set(reterr, negative_errno(), "RKT_LOCK_FD: cannot clear FD_CLOEXEC");
        return 0;
}

int stage1_app_image_open(int s1fd, const char *app, AppcImageManifest **ret_manifest, int *ret_rootfd,
                          RktError **reterr) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *im = NULL;
        _cleanup_free_ char *path = NULL;
        int rootfd, r;

        r = stage2_manifest_load(s1fd, app, &im, reterr);
        if (r < 0)
                return r;
        if (stage2_path(NULL, app, STAGE2_ROOTFS, &path) < 0)
                return -ENOMEM;
        rootfd = openat(s1fd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (rootfd < 0)
                return rkt_error_set(reterr, negative_errno(),
                                     "app '%s': opening its rootfs " POD_STAGE1_ROOTFS "/%s: %m", app, path);
        *ret_manifest = TAKE_PTR(im);
        *ret_rootfd = rootfd;
        return 0;
}
