/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "fs.h"
#include "path.h"
#include "pod-name.h"
#include "util.h"

#define NAMES_DIR "pods/names"

static bool uuid_shaped(const char *s) {
        if (strlen(s) != 36)
                return false;
        for (size_t i = 0; i < 36; i++)
                if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-'
                                                              : !strchr("0123456789abcdefABCDEF", s[i]))
                        return false;
        return true;
}

bool pod_name_valid(const char *name) {
        size_t n;

        if (!name)
                return false;
        n = strlen(name);
        if (n == 0 || n > POD_NAME_MAX || uuid_shaped(name) || strstr(name, ".."))
                return false;
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", name[0]) ||
            name[n - 1] == '.' || name[n - 1] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", name[i]))
                        return false;
        return true;
}

/* The names directory, opened (and made, when create). */
static int names_dir_open(const char *data_dir, bool create, int *ret) {
        _cleanup_free_ char *path = path_join(data_dir, NAMES_DIR);
        int fd;

        if (!path)
                return -ENOMEM;
        if (create && mkdir(path, 0750) < 0 && errno != EEXIST) {
                int r = mkdir_p(path, 0750);
                if (r < 0)
                        return r;
        }
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        *ret = fd;
        return 0;
}

static int read_link(int dirfd, const char *name, char ret_uuid[static 37]) {
        char buf[64];
        ssize_t n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);

        if (n < 0)
                return errno == EINVAL ? -EBADMSG : -errno;
        buf[n] = 0;
        if (!uuid_shaped(buf))
                return -EBADMSG;
        for (size_t i = 0; i < 37; i++)
                ret_uuid[i] = (char) (buf[i] >= 'A' && buf[i] <= 'F' ? buf[i] - 'A' + 'a' : buf[i]);
        return 0;
}

int pod_name_resolve(const char *data_dir, const char *name, char ret_uuid[static 37]) {
        _cleanup_close_ int dfd = -1;
        int r;

        if (!pod_name_valid(name))
                return -ENOENT;
        r = names_dir_open(data_dir, false, &dfd);
        if (r < 0)
                return r;
        r = read_link(dfd, name, ret_uuid);
        return r == -EBADMSG ? -ENOENT : r;
}

static bool state_frees_name(PodState s) {
        return s == POD_ABORTED_PREPARE || s == POD_EXITED_GARBAGE || s == POD_EXITED_DELETING ||
               s == POD_DELETING || s == POD_GARBAGE;
}

int pod_name_claim(const char *data_dir, const char *name, Pod *p, RktError **reterr) {
        _cleanup_close_ int dfd = -1;
        _cleanup_free_ char *file = NULL;
        char owner[37], tmp[POD_NAME_MAX + 16];
        int r;

        if (!pod_name_valid(name))
                return rkt_error_set(
                        reterr, -EINVAL,
                        "invalid pod name '%s': use 1 to %d letters, digits, '_', '.' and '-', starting "
                        "with a letter or digit, not ending in '.' or '-', and not a UUID",
                        name, POD_NAME_MAX);
        r = names_dir_open(data_dir, p != NULL, &dfd);
        if (r == -ENOENT && !p)
                return 0;
        if (r < 0)
                return rkt_error_set(reterr, r, "opening %s/" NAMES_DIR ": %s", data_dir, strerror(-r));
        /* Held until the link is in place: the check and the claim are one step for concurrent claims. */
        if (p && flock(dfd, LOCK_EX) < 0)
                return rkt_error_set(reterr, -errno, "locking %s/" NAMES_DIR ": %m", data_dir);
        r = read_link(dfd, name, owner);
        if (r >= 0 && !(p && streq(owner, p->uuid))) {
                _cleanup_(pod_freep) Pod *o = NULL;
                r = pod_open(data_dir, owner, &o, NULL);
                if (r >= 0 && !state_frees_name(o->state))
                        return rkt_error_set(reterr, -EEXIST, "pod name '%s' is taken by pod %s (%s)", name,
                                             owner, pod_state_to_string(o->state));
        } else if (r < 0 && r != -ENOENT && r != -EBADMSG)
                return rkt_error_set(reterr, r, "reading pod name '%s': %s", name, strerror(-r));
        if (!p)
                return 0;

        file = path_join(p->path, POD_NAME_FILE);
        if (!file)
                return -ENOMEM;
        r = write_file_atomic_at(AT_FDCWD, file, name, strlen(name), 0644);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing the name of pod %s: %s", p->uuid, strerror(-r));
        snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
        (void) unlinkat(dfd, tmp, 0);
        if (symlinkat(p->uuid, dfd, tmp) < 0 || renameat(dfd, tmp, dfd, name) < 0) {
                r = -errno;
                (void) unlinkat(dfd, tmp, 0);
                return rkt_error_set(reterr, r, "claiming pod name '%s': %s", name, strerror(-r));
        }
        (void) fsync(dfd);
        return 0;
}

int pod_name_read(const Pod *p, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t n;
        int r = pod_read_file(p, POD_NAME_FILE, &text, &n);

        if (r < 0)
                return r;
        while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
                text[--n] = 0;
        if (!pod_name_valid(text))
                return -EBADMSG;
        *ret = TAKE_PTR(text);
        return 0;
}

int pod_name_release(const Pod *p) {
        _cleanup_free_ char *name = NULL;
        _cleanup_close_ int dfd = -1;
        char owner[37];
        int r = pod_name_read(p, &name);

        if (r < 0)
                return r == -ENOENT ? 0 : r;
        r = names_dir_open(p->data_dir, false, &dfd);
        if (r < 0)
                return r == -ENOENT ? 0 : r;
        if (flock(dfd, LOCK_EX) < 0)
                return -errno;
        if (read_link(dfd, name, owner) < 0 || !streq(owner, p->uuid))
                return 0;
        return unlinkat(dfd, name, 0) < 0 ? -errno : 0;
}
