/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <systemd/sd-daemon.h> /* SD_LISTEN_FDS_START only: nothing of libsystemd is linked */

#include "fd-util.h"
#include "path.h"
#include "stage1-exec.h"

#define TREE_ID_PREFIX "deps-sha512-"
#define TREE_ID_HEX 128
/* Bounds for what is read: an ID line, an image manifest. */
#define TREE_ID_FILE_MAX 4096
#define MANIFEST_MAX (1024 * 1024)
#define STRINGIFY_LISTEN_MAX "32"
_Static_assert(STAGE1_LISTEN_FDS_MAX == 32, "STRINGIFY_LISTEN_MAX");

bool stage1_tree_id_valid(const char *id) {
        if (!id || strncmp(id, TREE_ID_PREFIX, STRLEN(TREE_ID_PREFIX)) != 0 ||
            strlen(id) != STRLEN(TREE_ID_PREFIX) + TREE_ID_HEX)
                return false;
        for (const char *c = id + STRLEN(TREE_ID_PREFIX); *c; c++)
                if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
                        return false;
        return true;
}

int stage1_read_tree_id(const char *pod_path, char **ret) {
        _cleanup_free_ char *path = path_join(pod_path, POD_STAGE1_TREE), *text = NULL;
        size_t len;
        int r;

        if (!path)
                return -ENOMEM;
        r = read_regular_file_at(AT_FDCWD, path, TREE_ID_FILE_MAX, &text, &len);
        if (r == -EFBIG)
                return -EBADMSG;
        if (r < 0)
                return r;
        if (len > 0 && text[len - 1] == '\n')
                text[--len] = 0;
        if (strlen(text) != len || !stage1_tree_id_valid(text))
                return -EBADMSG;
        *ret = TAKE_PTR(text);
        return 0;
}

static int read_tree_id(const Pod *p, char **ret, RktError **reterr) {
        int r = stage1_read_tree_id(p->path, ret);

        if (r == -ENOENT)
                return rkt_error_set(reterr, r, "pod '%s' records no stage1 tree (no " POD_STAGE1_TREE ")",
                                     p->uuid);
        if (r == -EBADMSG)
                return rkt_error_set(reterr, r, POD_STAGE1_TREE " of pod '%s' is not a tree ID", p->uuid);
        if (r < 0)
                return rkt_error_set(reterr, r, "reading " POD_STAGE1_TREE " of pod '%s': %s", p->uuid,
                                     strerror(-r));
        return 0;
}

/* The value of the annotation `which` in the tree's own image manifest (the store's copy: the pod's
 * stage1/manifest is only informational), and the interface version from the same read. */
static int tree_annotation(int treefd, const char *which, char **ret, int *ret_version) {
        _cleanup_free_ char *text = NULL;
        int r = read_regular_file_at(treefd, "manifest", MANIFEST_MAX, &text, NULL);

        return r < 0 ? r : stage1_manifest_entrypoint(text, which, ret, ret_version);
}

int pod_stage1_entrypoint_open(const Pod *p, const char *which, int *ret_fd, char **ret_path,
                               int *ret_version, RktError **reterr) {
        _cleanup_free_ char *id = NULL, *tree = NULL, *value = NULL, *normalized = NULL, *path = NULL;
        _cleanup_close_ int treefd = -1, rootfd = -1, fd = -1;
        struct stat st;
        int r, version;

        r = read_tree_id(p, &id, reterr);
        if (r < 0)
                return r;
        if (asprintf(&tree, "%s/cas/tree/%s", p->data_dir, id) < 0)
                return -ENOMEM;
        treefd = open(tree, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (treefd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
                return rkt_error_set(reterr, -ENOENT,
                                     "the stage1 tree '%s' of pod '%s' is no longer in the store", id,
                                     p->uuid);
        if (treefd < 0)
                return rkt_error_set(reterr, negative_errno(),
                                     "opening the stage1 tree '%s' of pod '%s': %m", id, p->uuid);
        /* The marker is the tree's commit point: without it the tree is half rendered (or half removed). */
        if (fstatat(treefd, "rendered", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                return rkt_error_set(reterr, -ENOENT, "the stage1 tree '%s' of pod '%s' is incomplete", id,
                                     p->uuid);
        r = tree_annotation(treefd, which, &value, &version);
        if (r == -ENODATA)
                return rkt_error_set(reterr, r,
                                     "entrypoint '%s' not found in the stage1 manifest of pod '%s'", which,
                                     p->uuid);
        if (r < 0)
                return rkt_error_set(reterr, r,
                                     "reading the manifest of the stage1 tree '%s' of pod '%s': %s", id,
                                     p->uuid, strerror(-r));
        normalized = path_normalize_inside(value);
        if (!normalized || isempty(normalized) || streq(normalized, "/") || streq(normalized, "."))
                return rkt_error_set(reterr, -EINVAL,
                                     "entrypoint '%s' of pod '%s' is not a path in the stage1: '%s'", which,
                                     p->uuid, value);
        if (asprintf(&path, "%s/rootfs/%s", tree, normalized + (normalized[0] == '/')) < 0)
                return -ENOMEM;
        rootfd = openat(treefd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (rootfd < 0)
                return rkt_error_set(reterr, negative_errno(), "opening '%s/rootfs': %m", tree);
        fd = open_in_root(rootfd, normalized, O_RDONLY | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return rkt_error_set(reterr, fd, "stage1 entrypoint '%s' of pod '%s': %s", path, p->uuid,
                                     strerror(-fd));
        if (fstat(fd, &st) < 0)
                return rkt_error_set(reterr, negative_errno(), "stage1 entrypoint '%s': %m", path);
        /* Host root runs it: only host root may have written it. */
        if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) ||
            !(st.st_mode & S_IXUSR))
                return rkt_error_set(reterr, -EPERM,
                                     "refusing to run stage1 entrypoint '%s' of pod '%s': not an executable "
                                     "regular file owned by root and writable only by root",
                                     path, p->uuid);
        *ret_fd = TAKE_FD(fd);
        *ret_path = TAKE_PTR(path);
        if (ret_version)
                *ret_version = version;
        return 0;
}

int stage1_exec_fd(int fd, char *const *argv, char *const *envp) {
        int flags;

        (void) syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
        if (errno != ENOENT)
                return negative_errno();
        /* ENOENT with the file open: a script whose interpreter cannot open /dev/fd/N (close-on-exec). */
        flags = fcntl(fd, F_GETFD);
        if (flags < 0 || !(flags & FD_CLOEXEC) || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
                return -ENOENT;
        (void) syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
        return negative_errno();
}

/* LISTEN_FDS when LISTEN_PID names us (sd_listen_fds()'s protocol, read here so that every user of this
 * library need not link libsystemd): the count, 0 when there are none for us, -EINVAL when malformed. */
static int listen_fds_count(void) {
        const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
        char *end;
        long p, n;

        if (!pid || !fds)
                return 0;
        errno = 0;
        p = strtol(pid, &end, 10);
        if (errno || *end || end == pid || p != (long) getpid())
                return 0;
        n = strtol(fds, &end, 10);
        if (errno || *end || end == fds || n < 0 || n > INT_MAX - SD_LISTEN_FDS_START)
                return -EINVAL;
        return (int) n;
}

int stage1_listen_fds_inherit(void) {
        int n = listen_fds_count();

        if (n <= 0) {
                (void) unsetenv("LISTEN_PID");
                (void) unsetenv("LISTEN_FDS");
                (void) unsetenv("LISTEN_FDNAMES");
                return n;
        }
        if (n > STAGE1_LISTEN_FDS_MAX)
                return -E2BIG;
        for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; fd++) {
                struct stat st;
                int flags;

                if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
                        return -EBADF;
                flags = fcntl(fd, F_GETFD);
                if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
                        return negative_errno();
        }
        return n;
}

const char *stage1_listen_fds_strerror(int r) {
        return r == -E2BIG   ? "too many (at most " STRINGIFY_LISTEN_MAX ")"
               : r == -EBADF ? "one of them is not a socket"
                             : strerror(-r);
}
