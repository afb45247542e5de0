/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "appc.h"
#include "cleanup.h"
#include "fd-util.h"
#include "fs.h"
#include "path.h"
#include "pod.h"
#include "pod-internal.h"
#include "pod-name.h"
#include "stage1-exec.h"
#include "util.h"

/* The state directories, in lifecycle order: a pod only ever moves to a later one, so a scan in this
 * order finds a pod that is being moved while we look (at its old place or at its new one). */
typedef enum PodDir {
        POD_DIR_EMBRYO,
        POD_DIR_PREPARE,
        POD_DIR_PREPARED,
        POD_DIR_RUN,
        POD_DIR_EXITED_GARBAGE,
        POD_DIR_GARBAGE,
        _POD_DIR_MAX,
} PodDir;

static const char *const pod_dir_names[_POD_DIR_MAX] = {
        [POD_DIR_EMBRYO] = "embryo",
        [POD_DIR_PREPARE] = "prepare",
        [POD_DIR_PREPARED] = "prepared",
        [POD_DIR_RUN] = "run",
        [POD_DIR_EXITED_GARBAGE] = "exited-garbage",
        [POD_DIR_GARBAGE] = "garbage",
};

static const char *const pod_state_names[_POD_STATE_MAX] = {
        [POD_EMBRYO] = "embryo",
        [POD_PREPARING] = "preparing",
        [POD_ABORTED_PREPARE] = "aborted prepare",
        [POD_PREPARED] = "prepared",
        [POD_RUNNING] = "running",
        [POD_EXITED] = "exited",
        [POD_EXITED_DELETING] = "exited deleting",
        [POD_EXITED_GARBAGE] = "exited garbage",
        [POD_DELETING] = "deleting",
        [POD_GARBAGE] = "garbage",
};

const char *pod_state_to_string(PodState s) {
        return s >= 0 && s < _POD_STATE_MAX ? pod_state_names[s] : "unknown";
}

bool pod_state_is_after_run(PodState s) {
        return s == POD_EXITED || s == POD_EXITED_GARBAGE || s == POD_EXITED_DELETING || s == POD_DELETING ||
               s == POD_GARBAGE;
}

bool pod_state_is_finished(PodState s) {
        return s == POD_EXITED || s == POD_EXITED_GARBAGE || s == POD_ABORTED_PREPARE || s == POD_GARBAGE;
}

/* The state a pod in dir has, given whether its lock is held. */
static PodState state_of(PodDir dir, bool locked) {
        switch (dir) {
        case POD_DIR_EMBRYO:
                return POD_EMBRYO;
        case POD_DIR_PREPARE:
                return locked ? POD_PREPARING : POD_ABORTED_PREPARE;
        case POD_DIR_PREPARED:
                return POD_PREPARED;
        case POD_DIR_RUN:
                return locked ? POD_RUNNING : POD_EXITED;
        case POD_DIR_EXITED_GARBAGE:
                return locked ? POD_EXITED_DELETING : POD_EXITED_GARBAGE;
        default:
                return locked ? POD_DELETING : POD_GARBAGE;
        }
}

/* Embryo and prepared pods are never probed: nobody holds their lock for long, and a probe there could
 * make run-prepared's non-blocking exclusive lock fail. */
static bool dir_has_lock_state(PodDir dir) {
        return dir != POD_DIR_EMBRYO && dir != POD_DIR_PREPARED;
}

static bool uuid_valid(const char *s) {
        if (strlen(s) != 36)
                return false;
        for (size_t i = 0; i < 36; i++) {
                if (i == 8 || i == 13 || i == 18 || i == 23) {
                        if (s[i] != '-')
                                return false;
                } else if (!isxdigit((unsigned char) s[i]))
                        return false;
        }
        return true;
}

static int uuid_random(char ret[static 37]) {
        uint8_t b[16];
        int r = random_bytes(b, sizeof(b));

        if (r < 0)
                return r;
        b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
        b[8] = (b[8] & 0x3f) | 0x80; /* RFC 4122 variant */
        snprintf(ret, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
        return 0;
}

static char *state_dir_path(const char *data_dir, PodDir dir) {
        char *p;
        if (asprintf(&p, "%s/pods/%s", data_dir, pod_dir_names[dir]) < 0)
                return NULL;
        return p;
}

static char *pod_path_in(const char *data_dir, PodDir dir, const char *uuid) {
        char *p;
        if (asprintf(&p, "%s/pods/%s/%s", data_dir, pod_dir_names[dir], uuid) < 0)
                return NULL;
        return p;
}

/* State directories are made (0750) with a pod's embryo, all of them; readers never create them. */
static int ensure_state_dir(const char *data_dir, PodDir dir, RktError **reterr) {
        _cleanup_free_ char *p = state_dir_path(data_dir, dir);
        int r;

        if (!p)
                return -ENOMEM;
        if (mkdir(p, 0750) >= 0 || errno == EEXIST)
                return 0;
        if (errno != ENOENT)
                return rkt_error_set(reterr, negative_errno(), "creating '%s': %m", p);
        r = mkdir_p(p, 0750);
        if (r < 0)
                return rkt_error_set(reterr, r, "creating '%s': %m", p);
        return 0;
}

static int fsync_path(const char *p) {
        _cleanup_close_ int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        return fsync(fd) < 0 ? negative_errno() : 0;
}

/* rename(2) that never replaces: a stray empty directory at the target would otherwise be swallowed. */
static int rename_noreplace(const char *from, const char *to) {
        if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) >= 0)
                return 0;
        if (errno != EINVAL && errno != ENOSYS)
                return negative_errno();
        return rename(from, to) < 0 ? negative_errno() : 0;
}

static Pod *pod_alloc(const char *data_dir, const char *uuid) {
        Pod *p = calloc(1, sizeof(Pod));

        if (!p)
                return NULL;
        p->lock_fd = -1;
        p->data_dir = strdup(data_dir);
        if (!p->data_dir)
                return mfree(p);
        for (size_t i = 0; i < 36; i++)
                p->uuid[i] = (char) tolower((unsigned char) uuid[i]);
        p->uuid[36] = 0;
        return p;
}

Pod *pod_free(Pod *p) {
        if (!p)
                return NULL;
        safe_close(p->lock_fd);
        free(p->data_dir);
        free(p->path);
        free(p);
        return NULL;
}

void pods_free(Pod **l, size_t n) {
        for (size_t i = 0; i < n; i++)
                pod_free(l[i]);
        free(l);
}

/* Opens the pod directory at path and tells whether someone holds its lock (a shared, non-blocking probe
 * that is released at once). -ENOENT when there is no pod there. */
static int probe(const char *path, bool want_lock_state, bool *ret_locked) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0)
                return errno == ENOTDIR || errno == ELOOP ? -ENOENT : negative_errno();
        *ret_locked = false;
        if (!want_lock_state)
                return 0;
        while (flock(fd, LOCK_SH | LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK) {
                        *ret_locked = true;
                        return 0;
                }
                if (errno != EINTR)
                        return negative_errno();
        }
        return 0;
}

static int set_place(Pod *p, PodDir dir, bool locked) {
        char *np = pod_path_in(p->data_dir, dir, p->uuid);

        if (!np)
                return -ENOMEM;
        free(p->path);
        p->path = np;
        p->state = state_of(dir, locked);
        return 0;
}

int pod_refresh(Pod *p) {
        for (PodDir d = 0; d < _POD_DIR_MAX; d++) {
                _cleanup_free_ char *path = pod_path_in(p->data_dir, d, p->uuid);
                bool locked;
                int r;

                if (!path)
                        return -ENOMEM;
                /* Our own lock conflicts with the probe like anybody else's: no special case needed. */
                r = probe(path, dir_has_lock_state(d), &locked);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return r;
                return set_place(p, d, locked);
        }
        return -ENOENT;
}

int pod_new(const char *data_dir, Pod **ret, RktError **reterr) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_free_ char *embryo = NULL, *prepare = NULL;
        char uuid[37];
        int r;

        /* Every state directory from the first pod on, as rkt 1.30 made them: scripts and tools list
         * pods/exited-garbage or pods/run without checking that they exist. */
        for (PodDir d = 0; d < _POD_DIR_MAX; d++) {
                r = ensure_state_dir(data_dir, d, reterr);
                if (r < 0)
                        return r;
        }
        for (unsigned attempt = 0;; attempt++) {
                r = uuid_random(uuid);
                if (r < 0)
                        return rkt_error_set(reterr, r, "generating a pod UUID: %m");
                free(embryo);
                embryo = pod_path_in(data_dir, POD_DIR_EMBRYO, uuid);
                if (!embryo)
                        return -ENOMEM;
                if (mkdir(embryo, 0750) >= 0)
                        break;
                if (errno != EEXIST || attempt >= 16)
                        return rkt_error_set(reterr, negative_errno(), "creating pod directory '%s': %m",
                                             embryo);
        }
        p = pod_alloc(data_dir, uuid);
        prepare = pod_path_in(data_dir, POD_DIR_PREPARE, uuid);
        if (!p || !prepare) {
                (void) rmdir(embryo);
                return -ENOMEM;
        }
        p->lock_fd = open(embryo, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (p->lock_fd < 0 || flock(p->lock_fd, LOCK_EX | LOCK_NB) < 0) {
                r = rkt_error_set(reterr, negative_errno(), "locking pod directory '%s': %m", embryo);
                (void) rmdir(embryo);
                return r;
        }
        /* The pod appears in prepare/ already locked: nobody ever sees it as an aborted prepare. */
        r = rename_noreplace(embryo, prepare);
        if (r < 0) {
                (void) rmdir(embryo);
                return rkt_error_set(reterr, r, "moving pod '%s' to '%s': %m", uuid, prepare);
        }
        p->path = TAKE_PTR(prepare);
        p->state = POD_PREPARING;
        *ret = TAKE_PTR(p);
        return 0;
}

/* Moves p from its current place to dir (which must be a later one). 1: moved; 0: it was gone from
 * its place (another process moved it first: p is refreshed); negative on errors. Only a prepared pod is
 * made to outlive a power loss, its files first (they are written without fsyncs): the other states do
 * not outlive a boot (a running pod) or are cleaned up by gc whatever state a crash left them in. */
static int move_to(Pod *p, PodDir dir, RktError **reterr) {
        _cleanup_free_ char *target = NULL, *target_dir = NULL;
        bool durable = dir == POD_DIR_PREPARED;
        int r;

        r = ensure_state_dir(p->data_dir, dir, reterr);
        if (r < 0)
                return r;
        if (durable && p->lock_fd >= 0 && syncfs(p->lock_fd) < 0)
                return rkt_error_set(reterr, negative_errno(), "syncing pod '%s' to disk: %m", p->uuid);
        target = pod_path_in(p->data_dir, dir, p->uuid);
        target_dir = state_dir_path(p->data_dir, dir);
        if (!target || !target_dir)
                return -ENOMEM;
        r = rename_noreplace(p->path, target);
        if (r == -ENOENT) {
                r = pod_refresh(p);
                if (r < 0 && r != -ENOENT)
                        return rkt_error_set(reterr, r, "looking for pod '%s': %m", p->uuid);
                return 0;
        }
        if (r < 0)
                return rkt_error_set(reterr, r, "moving pod '%s' to '%s': %m", p->uuid, target);
        if (durable)
                (void) fsync_path(target_dir);
        free(p->path);
        p->path = TAKE_PTR(target);
        p->state = state_of(dir, p->lock_fd >= 0);
        return 1;
}

int pod_mark_prepared(Pod *p, RktError **reterr) {
        int r;

        if (p->state != POD_PREPARING || p->lock_fd < 0)
                return rkt_error_set(reterr, -EINVAL, "pod '%s' is %s, not being prepared by us", p->uuid,
                                     pod_state_to_string(p->state));
        r = move_to(p, POD_DIR_PREPARED, reterr);
        if (r == 0)
                return rkt_error_set(reterr, -ENOENT, "pod '%s' was moved away while being prepared",
                                     p->uuid);
        if (r < 0)
                return r;
        p->lock_fd = safe_close(p->lock_fd);
        p->state = POD_PREPARED;
        return 0;
}

int pod_mark_running(Pod *p, RktError **reterr) {
        bool took_lock = false;
        int r;

        if (p->state == POD_PREPARED && p->lock_fd < 0) {
                _cleanup_close_ int fd = open(p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                        return rkt_error_set(reterr, negative_errno(), "opening pod '%s': %m", p->uuid);
                if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                        if (errno == EWOULDBLOCK)
                                return rkt_error_set(reterr, -EBUSY, "pod '%s' is already being started",
                                                     p->uuid);
                        return rkt_error_set(reterr, negative_errno(), "locking pod '%s': %m", p->uuid);
                }
                p->lock_fd = TAKE_FD(fd);
                took_lock = true;
        } else if (p->state != POD_PREPARING || p->lock_fd < 0)
                return rkt_error_set(reterr, -EINVAL, "pod '%s' is %s, it cannot be run", p->uuid,
                                     pod_state_to_string(p->state));
        r = move_to(p, POD_DIR_RUN, reterr);
        if (r == 0)
                r = rkt_error_set(reterr, -ENOENT,
                                  "pod '%s' was moved away (garbage collected?) before it ran", p->uuid);
        if (r < 0) {
                if (took_lock)
                        p->lock_fd = safe_close(p->lock_fd);
                return r;
        }
        p->state = POD_RUNNING;
        return 0;
}

int pod_lock_fd_for_exec(Pod *p) {
        if (p->lock_fd < 0)
                return -EBADF;
        if (fcntl(p->lock_fd, F_SETFD, 0) < 0)
                return negative_errno();
        return p->lock_fd;
}

int pod_lock(Pod *p, bool wait, RktError **reterr) {
        _cleanup_close_ int fd = -1;
        struct stat st;
        int r;

        if (p->lock_fd >= 0)
                return 0;
        for (unsigned attempt = 0;; attempt++) {
                fd = open(p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fd >= 0)
                        break;
                if (errno != ENOENT || attempt > 0)
                        return rkt_error_set(reterr, negative_errno(), "opening pod '%s': %m", p->uuid);
                r = pod_refresh(p);
                if (r < 0)
                        return rkt_error_set(reterr, r, "pod '%s' is gone", p->uuid);
        }
        while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
                if (errno == EWOULDBLOCK)
                        return -EWOULDBLOCK;
                if (errno != EINTR)
                        return rkt_error_set(reterr, negative_errno(), "locking pod '%s': %m", p->uuid);
        }
        /* Whoever held the lock before us may have deleted the pod. */
        if (fstat(fd, &st) < 0)
                return rkt_error_set(reterr, negative_errno(), "locking pod '%s': %m", p->uuid);
        if (st.st_nlink == 0)
                return rkt_error_set(reterr, -ENOENT, "pod '%s' was removed meanwhile", p->uuid);
        p->lock_fd = TAKE_FD(fd);
        r = pod_refresh(p);
        if (r < 0) {
                p->lock_fd = safe_close(p->lock_fd);
                return rkt_error_set(reterr, r, "pod '%s' is gone", p->uuid);
        }
        return 0;
}

int pod_to_exited_garbage(Pod *p, RktError **reterr) {
        if (p->state != POD_EXITED)
                return rkt_error_set(reterr, -EINVAL,
                                     "pod '%s' is %s, only exited pods become exited garbage", p->uuid,
                                     pod_state_to_string(p->state));
        return move_to(p, POD_DIR_EXITED_GARBAGE, reterr);
}

int pod_to_garbage(Pod *p, RktError **reterr) {
        _cleanup_close_ int fd = -1;

        if (p->state != POD_ABORTED_PREPARE && p->state != POD_PREPARED)
                return rkt_error_set(
                        reterr, -EINVAL,
                        "pod '%s' is %s, only aborted prepares and prepared pods become garbage", p->uuid,
                        pod_state_to_string(p->state));
        /* run-prepared locks a prepared pod before moving it to run/: never pull it away from there. */
        if (p->state == POD_PREPARED && p->lock_fd < 0) {
                fd = open(p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0) {
                        int r;
                        if (errno != ENOENT)
                                return rkt_error_set(reterr, negative_errno(), "opening pod '%s': %m",
                                                     p->uuid);
                        r = pod_refresh(p);
                        return r < 0 && r != -ENOENT
                                       ? rkt_error_set(reterr, r, "looking for pod '%s': %m", p->uuid)
                                       : 0;
                }
                if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                        if (errno == EWOULDBLOCK)
                                return rkt_error_set(reterr, -EBUSY, "pod '%s' is being started", p->uuid);
                        return rkt_error_set(reterr, negative_errno(), "locking pod '%s': %m", p->uuid);
                }
        }
        return move_to(p, POD_DIR_GARBAGE, reterr);
}

static int scan_dirs(const char *data_dir, const char *prefix, char (**ret)[37], size_t *ret_n,
                     uint8_t **ret_dirs, RktError **reterr) {
        _cleanup_free_ char(*names)[37] = NULL;
        _cleanup_free_ uint8_t *dirs = NULL;
        size_t n = 0, allocated = 0, lp = prefix ? strlen(prefix) : 0;

        for (PodDir d = 0; d < _POD_DIR_MAX; d++) {
                _cleanup_free_ char *p = state_dir_path(data_dir, d);
                _cleanup_(closedirp) DIR *dir = NULL;
                struct dirent *de;

                if (!p)
                        return -ENOMEM;
                dir = opendir(p);
                if (!dir) {
                        if (errno == ENOENT)
                                continue;
                        return rkt_error_set(reterr, negative_errno(), "reading '%s': %m", p);
                }
                while ((errno = 0, de = readdir(dir))) {
                        if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
                                continue;
                        if (!uuid_valid(de->d_name))
                                continue;
                        if (lp > 0 && strncasecmp(de->d_name, prefix, lp) != 0)
                                continue;
                        if (n == allocated) {
                                size_t na = allocated ? allocated * 2 : 64;
                                char(*nn)[37] = realloc(names, na * sizeof(*names));
                                uint8_t *nd;
                                if (!nn)
                                        return -ENOMEM;
                                names = nn;
                                nd = realloc(dirs, na);
                                if (!nd)
                                        return -ENOMEM;
                                dirs = nd;
                                allocated = na;
                        }
                        for (size_t i = 0; i < 37; i++)
                                names[n][i] = (char) tolower((unsigned char) de->d_name[i]);
                        dirs[n] = (uint8_t) d;
                        n++;
                }
                if (errno != 0)
                        return rkt_error_set(reterr, negative_errno(), "reading '%s': %m", p);
        }
        *ret = TAKE_PTR(names);
        *ret_dirs = TAKE_PTR(dirs);
        *ret_n = n;
        return 0;
}

typedef struct Found {
        const char *uuid;
        PodDir dir;
} Found;

static int compare_found(const void *a, const void *b) {
        const Found *x = a, *y = b;
        int c = strcmp(x->uuid, y->uuid);
        return c != 0 ? c : (int) x->dir - (int) y->dir;
}

/* The scan's hits sorted by UUID, one per pod: a pod moved during the scan shows up twice, and its later
 * place (in lifecycle order) is the current one. */
static int found_unique(char (*names)[37], const uint8_t *dirs, size_t n, Found **ret, size_t *ret_n) {
        Found *f = calloc(n ? n : 1, sizeof(Found));
        size_t m = 0;

        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                f[i] = (Found){names[i], (PodDir) dirs[i]};
        qsort(f, n, sizeof(Found), compare_found);
        for (size_t i = 0; i < n; i++) {
                if (m > 0 && streq(f[m - 1].uuid, f[i].uuid))
                        f[m - 1] = f[i];
                else
                        f[m++] = f[i];
        }
        *ret = f;
        *ret_n = m;
        return 0;
}

int pod_list(const char *data_dir, Pod ***ret, size_t *ret_n, RktError **reterr) {
        _cleanup_free_ char(*names)[37] = NULL;
        _cleanup_free_ uint8_t *dirs = NULL;
        _cleanup_free_ Found *found = NULL;
        Pod **l = NULL;
        size_t n = 0, m = 0, k = 0;
        int r;

        r = scan_dirs(data_dir, NULL, &names, &n, &dirs, reterr);
        if (r < 0)
                return r;
        r = found_unique(names, dirs, n, &found, &m);
        if (r < 0)
                return r;
        l = calloc(m ? m : 1, sizeof(Pod *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < m; i++) {
                Pod *p = pod_alloc(data_dir, found[i].uuid);
                bool locked;

                if (!p || set_place(p, found[i].dir, false) < 0) {
                        pod_free(p);
                        pods_free(l, k);
                        return -ENOMEM;
                }
                r = probe(p->path, dir_has_lock_state(found[i].dir), &locked);
                if (r >= 0)
                        p->state = state_of(found[i].dir, locked);
                else if (r == -ENOENT)
                        r = pod_refresh(p); /* it moved on since the scan */
                if (r < 0) {
                        /* Gone meanwhile (removed), or unreadable: not listed. */
                        pod_free(p);
                        continue;
                }
                l[k++] = p;
        }
        *ret = l;
        *ret_n = k;
        return 0;
}

int pod_open(const char *data_dir, const char *uuid_prefix, Pod **ret, RktError **reterr) {
        _cleanup_free_ char(*names)[37] = NULL;
        _cleanup_free_ uint8_t *dirs = NULL;
        _cleanup_free_ Found *found = NULL;
        _cleanup_(pod_freep) Pod *p = NULL;
        size_t n = 0, m = 0;
        int r;

        if (isempty(uuid_prefix))
                return rkt_error_set(reterr, -EINVAL, "UUID cannot be empty");
        /* A pod's name (rkt run --name) is looked up before UUID prefixes. */
        if (!uuid_valid(uuid_prefix)) {
                char named[37];
                if (pod_name_resolve(data_dir, uuid_prefix, named) >= 0)
                        return pod_open(data_dir, named, ret, reterr);
        }
        if (uuid_valid(uuid_prefix)) {
                /* A whole UUID: look in the six places instead of reading every state directory. */
                p = pod_alloc(data_dir, uuid_prefix);
                if (!p)
                        return -ENOMEM;
                r = pod_refresh(p);
                if (r == -ENOENT)
                        return rkt_error_set(reterr, r, "no matches found for \"%s\"", uuid_prefix);
                if (r < 0)
                        return rkt_error_set(reterr, r, "looking for pod '%s': %m", uuid_prefix);
                *ret = TAKE_PTR(p);
                return 0;
        }
        if (strlen(uuid_prefix) > 36)
                return rkt_error_set(reterr, -ENOENT, "no matches found for \"%s\"", uuid_prefix);
        r = scan_dirs(data_dir, uuid_prefix, &names, &n, &dirs, reterr);
        if (r < 0)
                return r;
        r = found_unique(names, dirs, n, &found, &m);
        if (r < 0)
                return r;
        if (m == 0)
                return rkt_error_set(reterr, -ENOENT, "no matches found for \"%s\"", uuid_prefix);
        if (m > 1)
                return rkt_error_set(reterr, -ENOTUNIQ, "ambiguous uuid '%s': %zu matches", uuid_prefix, m);
        p = pod_alloc(data_dir, found[0].uuid);
        if (!p)
                return -ENOMEM;
        r = pod_refresh(p);
        if (r == -ENOENT)
                return rkt_error_set(reterr, r, "pod '%s' was removed meanwhile", p->uuid);
        if (r < 0)
                return rkt_error_set(reterr, r, "looking for pod '%s': %m", p->uuid);
        *ret = TAKE_PTR(p);
        return 0;
}

int pod_read_uuid_file(const char *path, char **ret, RktError **reterr) {
        _cleanup_free_ char *text = NULL;
        char *s, *e;
        int r;

        r = read_full_file_at(AT_FDCWD, path, &text, NULL);
        if (r < 0)
                return rkt_error_set(reterr, r, "reading UUID file '%s': %m", path);
        for (s = text; isspace((unsigned char) *s); s++)
                ;
        for (e = s + strlen(s); e > s && isspace((unsigned char) e[-1]); e--)
                ;
        *e = 0;
        if (!*s)
                return rkt_error_set(reterr, -EINVAL, "UUID file '%s' is empty", path);
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int pod_open_uuid_file(const char *data_dir, const char *uuid_file, Pod **ret, RktError **reterr) {
        _cleanup_free_ char *uuid = NULL;
        int r = pod_read_uuid_file(uuid_file, &uuid, reterr);

        if (r < 0)
                return r;
        return pod_open(data_dir, uuid, ret, reterr);
}

/* --- files of the pod --- */

char *pod_file(const Pod *p, const char *name) {
        return path_join(p->path, name);
}

int pod_read_file(const Pod *p, const char *name, char **ret, size_t *ret_size) {
        _cleanup_free_ char *path = pod_file(p, name);

        if (!path)
                return -ENOMEM;
        /* Written by rkt and stage1 on the host, but read by host root: no symlink followed, no FIFO
         * waited on, nothing unbounded. */
        return read_regular_file_at(AT_FDCWD, path, POD_FILE_MAX, ret, ret_size);
}

int pod_private_users(const Pod *p, UidRange *ret) {
        _cleanup_free_ char *text = NULL;
        int r = pod_read_file(p, POD_PRIVATE_USERS, &text, NULL);

        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = uid_range_parse(text, ret);
        return r < 0 ? r : 1;
}

static uint64_t timespec_usec(const struct timespec *ts) {
        return (uint64_t) ts->tv_sec * 1000000 + (uint64_t) ts->tv_nsec / 1000;
}

static uint64_t file_mtime(const Pod *p, const char *name) {
        _cleanup_free_ char *path = pod_file(p, name);
        struct stat st;

        if (!path || lstat(path, &st) < 0)
                return 0;
        return timespec_usec(&st.st_mtim);
}

uint64_t pod_created_time(const Pod *p) {
        uint64_t t = file_mtime(p, POD_CREATED);
        /* Pods made before pod-created existed (rkt < 1.20) carry their creation time on the manifest. */
        return t ? t : file_mtime(p, POD_MANIFEST);
}

uint64_t pod_started_time(const Pod *p) {
        uint64_t t = file_mtime(p, POD_PID);
        return t ? t : file_mtime(p, POD_PPID);
}

uint64_t pod_dir_ctime(const Pod *p) {
        struct stat st;

        if (!p->path || lstat(p->path, &st) < 0)
                return 0;
        return timespec_usec(&st.st_ctim);
}

static int pod_read_pid(const Pod *p, const char *name, pid_t *ret) {
        _cleanup_free_ char *path = pod_file(p, name);
        return path ? stage1_read_pid_at(AT_FDCWD, path, ret) : -ENOMEM;
}

int pod_stage1_pid(const Pod *p, pid_t *ret) {
        int r = pod_read_pid(p, POD_PID, ret);

        if (r < 0)
                r = pod_read_pid(p, POD_PPID, ret);
        return r;
}

int pod_pid(const Pod *p, pid_t *ret) {
        pid_t nspawn;
        int r;

        r = pod_read_pid(p, POD_PID, ret);
        if (r != -ENOENT)
                return r;
        r = pod_read_pid(p, POD_PPID, &nspawn);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        return pod_process_leader(nspawn, ret);
}

/* The stage1 tree ID, checked to be one (it names a directory of the pod and one of the store). */
int pod_stage1_tree_id(const Pod *p, char **ret) {
        return stage1_read_tree_id(p->path, ret);
}

/* A directory fd of stage1/rootfs when name is there, else of the stage1 overlay's upper dir (the overlay
 * is not mounted: the pod ended and the host rebooted, or it was unmounted), for files stage1 writes into
 * its rootfs. Both trees are the pod's to write: what is in them is read with open_in_root() and never
 * followed out of them. */
static int stage1_file_root(const Pod *p, const char *name) {
        _cleanup_free_ char *direct = NULL, *id = NULL, *upper = NULL;
        _cleanup_close_ int rootfd = -1;
        int fd;

        if (asprintf(&direct, "%s/" POD_STAGE1_ROOTFS, p->path) < 0)
                return -ENOMEM;
        rootfd = open(direct, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (rootfd >= 0) {
                fd = open_in_root(rootfd, name, O_PATH | O_NOFOLLOW);
                if (fd >= 0 || pod_stage1_tree_id(p, &id) < 0) {
                        safe_close(fd);
                        return TAKE_FD(rootfd);
                }
        } else if (pod_stage1_tree_id(p, &id) < 0)
                return -ENOENT;
        if (asprintf(&upper, "%s/overlay/%s/upper", p->path, id) < 0)
                return -ENOMEM;
        fd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? negative_errno() : fd;
}

int pod_app_exit_code(const Pod *p, const char *app, int *ret) {
        _cleanup_free_ char *name = NULL, *text = NULL;
        _cleanup_close_ int rootfd = -1;
        char *end;
        long v;
        int r;

        if (!appc_ac_name_valid(app))
                return -EINVAL;
        if (asprintf(&name, POD_APP_STATUS_DIR "/%s", app) < 0)
                return -ENOMEM;
        rootfd = stage1_file_root(p, name);
        if (rootfd < 0)
                return rootfd;
        /* A status is a few digits: anything longer is not one. */
        r = read_file_in_root(rootfd, name, 64, &text, NULL);
        if (r == -EFBIG)
                return -EBADMSG;
        if (r < 0)
                return r;
        errno = 0;
        v = strtol(text, &end, 10);
        if (errno != 0 || end == text)
                return -EBADMSG;
        while (isspace((unsigned char) *end))
                end++;
        if (*end || v < 0 || v > 255)
                return -EBADMSG;
        *ret = (int) v;
        return 0;
}

bool pod_supervisor_ready(const Pod *p) {
        _cleanup_close_ int rootfd = stage1_file_root(p, "rkt/supervisor-status"), dirfd = -1;
        char target[16];
        ssize_t n;

        if (rootfd < 0)
                return false;
        dirfd = open_in_root(rootfd, "rkt", O_RDONLY | O_DIRECTORY);
        if (dirfd < 0)
                return false;
        n = readlinkat(dirfd, "supervisor-status", target, sizeof(target) - 1);
        if (n < 0)
                return false;
        target[n] = 0;
        return streq(target, "ready");
}
