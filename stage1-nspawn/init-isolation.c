/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fs.h"
#include "init-isolation.h"
#include "log.h"
#include "path.h"
#include "stage1-common.h"
#include "stage1-units.h"
#include "strv.h"

#define SHARED_VOLUMES "sharedVolumes"

int pod_isolation_init(PodIsolation *pi, int s1fd, const AppcPodManifest *pod, const InitIsolationArgs *a,
                       RktError **reterr) {
        _cleanup_free_ char *groups = NULL;
        AppcKV *sysctls = NULL;
        size_t n_sysctls = 0;
        int r;

        *pi = (PodIsolation){
                .options = {.disable_capabilities = a->disable_capabilities,
                            .disable_seccomp = a->disable_seccomp},
                .protect_paths = !a->disable_paths,
                .metadata_url = a->metadata_url,
        };
        r = path_make_absolute_cwd(".", &pi->pod_dir);
        if (r < 0)
                return r;

        /* A stage1 image without the groups can still run apps without an allow list (the isolation of
         * each app says so, naming the file, when it needs them). */
        r = read_full_file_at(s1fd, STAGE1_SYSCALL_GROUPS, &groups, NULL);
        if (r >= 0)
                r = stage1_syscall_groups_parse(groups, &pi->groups);
        if (r < 0 && r != -ENOENT)
                return rkt_error_set(reterr, r, "reading " STAGE1_ROOTFS "/" STAGE1_SYSCALL_GROUPS ": %s",
                                     strerror(-r));
        pi->options.groups = &pi->groups;

        for (size_t i = 0; i < pod->n_isolators; i++) {
                const AppcIsolator *iso = &pod->isolators[i];
                if (iso->type != APPC_ISOLATOR_UNIX_SYSCTL) {
                        log_warning("pod isolator '%s' is not applied by this stage1", iso->name);
                        continue;
                }
                for (size_t k = 0; k < iso->sysctl.n_entries; k++) {
                        r = stage1_sysctl_check(iso->sysctl.entries[k].name, iso->sysctl.entries[k].value,
                                                a->private_network, reterr);
                        if (r < 0)
                                return r;
                }
                /* The last isolator of the name is the one that counts (appc's GetByName). */
                sysctls = iso->sysctl.entries;
                n_sysctls = iso->sysctl.n_entries;
        }
        if (n_sysctls > 0) {
                _cleanup_free_ char *text = NULL;
                r = stage1_sysctl_file_format(sysctls, n_sysctls, &text);
                if (r < 0)
                        return r;
                r = stage1_write_file_at(s1fd, "rkt/sysctl", text, 0644);
                if (r < 0)
                        return rkt_error_set(reterr, r, "writing " STAGE1_ROOTFS "/rkt/sysctl: %s",
                                             strerror(-r));
                pi->sysctl = true;
        }
        return 0;
}

void pod_isolation_done(PodIsolation *pi) {
        stage1_syscall_groups_done(&pi->groups);
        free(pi->pod_dir);
        free(pi->binds);
        strv_free(pi->strings);
        strv_free(pi->device_allow);
        *pi = (PodIsolation){};
}

int pod_isolation_nspawn_capabilities(const PodIsolation *pi, char **ret) {
        if (pi->options.disable_capabilities || pi->capabilities == 0) {
                *ret = NULL;
                return 0;
        }
        return stage1_capabilities_format(pi->capabilities, ",", ret);
}

void app_isolation_done(AppIsolation *ai) {
        stage1_isolation_done(&ai->isolation);
        strv_free(ai->writable_paths);
        strv_free(ai->device_allow);
        *ai = (AppIsolation){};
}

/* The path of an open file as the host sees it. */
static int fd_path(int fd, char **ret) {
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

/* Resolves path inside the rootfs at rootfd, whose host path is root (symlinks resolved in it, as the app
 * would see them), creating what is missing: directories, and an empty file for the last component when
 * dir is false. *ret: the resolved path, absolute inside the rootfs. */
static int mount_point(int rootfd, const char *root, const char *path, bool dir, unsigned depth,
                       char **ret) {
        _cleanup_free_ char *parent = NULL, *rparent = NULL, *host = NULL;
        _cleanup_close_ int fd = -1, pfd = -1;
        const char *base, *rel;
        struct stat st;
        int r;

        if (depth > 64)
                return -ELOOP;
        for (int attempt = 0; attempt < 2; attempt++) {
                fd = stage1_open_in_root(rootfd, path, O_PATH);
                if (fd >= 0)
                        break;
                if (fd != -ENOENT || attempt > 0)
                        return fd;
                parent = path_dirname(path);
                base = strrchr(path, '/');
                base = base ? base + 1 : path;
                if (!parent)
                        return -ENOMEM;
                if (isempty(base) || streq(base, ".") || streq(base, ".."))
                        return -EINVAL;
                r = mount_point(rootfd, root, parent, true, depth + 1, &rparent);
                if (r < 0)
                        return r;
                pfd = stage1_open_in_root(rootfd, rparent, O_RDONLY | O_DIRECTORY);
                if (pfd < 0)
                        return pfd;
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
        }
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (dir != !!S_ISDIR(st.st_mode))
                return dir ? -ENOTDIR : -EISDIR;
        r = fd_path(fd, &host);
        if (r < 0)
                return r;
        rel = startswith(host, root);
        if (!rel || (*rel && *rel != '/'))
                return -EXDEV; /* cannot happen: resolution stays in the root */
        *ret = strdup(*rel ? rel : "/");
        return *ret ? 0 : -ENOMEM;
}

static int add_string(PodIsolation *pi, char *s, const char **ret) {
        int r;

        if (!s)
                return -ENOMEM;
        r = strv_push(&pi->strings, s);
        if (r < 0) {
                free(s);
                return r;
        }
        *ret = s;
        return 0;
}

/* <pod>/sharedVolumes/<name>, with the volume's mode and owner: one directory for every app that mounts it.
 */
static int shared_volume(PodIsolation *pi, const Stage1Mount *m, char **ret, RktError **reterr) {
        _cleanup_free_ char *dir = NULL, *path = NULL;
        char *end;
        unsigned long mode;

        errno = 0;
        mode = strtoul(m->mode ?: "0755", &end, 8);
        if (errno || *end || mode > 07777)
                return rkt_error_set(reterr, -EINVAL, "volume '%s': invalid mode '%s'", m->volume, m->mode);
        dir = path_join(pi->pod_dir, SHARED_VOLUMES);
        path = dir ? path_join(dir, m->volume) : NULL;
        if (!path)
                return -ENOMEM;
        if ((mkdir(dir, 0755) < 0 && errno != EEXIST) || (mkdir(path, 0700) < 0 && errno != EEXIST) ||
            chown(path, m->uid, m->gid) < 0 || chmod(path, (mode_t) mode) < 0) {
                int r = negative_errno();
                return rkt_error_set(reterr, r, "volume '%s': preparing %s: %s", m->volume, path,
                                     strerror(-r));
        }
        *ret = TAKE_PTR(path);
        return 0;
}

/* The pod's and the app's device policies are closed: a device volume is let through both. */
static int allow_device(PodIsolation *pi, AppIsolation *ai, const struct stat *st, bool read_only) {
        _cleanup_free_ char *entry = NULL;
        int r = stage1_device_allow(st, read_only, &entry);

        if (r < 0)
                return r;
        if (!strv_contains(pi->device_allow, entry)) {
                r = strv_extend(&pi->device_allow, entry);
                if (r < 0)
                        return r;
        }
        return strv_extend(&ai->device_allow, entry);
}

int app_isolation_plan(PodIsolation *pi, int rootfd, const AppcPodManifest *pod, const AppcRuntimeApp *ra,
                       const AppcApp *app, uid_t uid, AppIsolation *ret, RktError **reterr) {
        _cleanup_(app_isolation_done) AppIsolation ai = {.read_only_rootfs = ra->read_only_root_fs};
        _cleanup_free_ char *root = NULL;
        Stage1Mount *mounts = NULL;
        size_t n_mounts = 0;
        int r;

        r = stage1_isolation_from_isolators(app->isolators, app->n_isolators, uid, &pi->options,
                                            &ai.isolation, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "app '%s'", ra->name);
        STRV_FOREACH(name, ai.isolation.ignored)
        log_warning("app '%s': isolator '%s' is not applied by this stage1", ra->name, *name);
        if (ai.isolation.restrict_capabilities)
                pi->capabilities |= ai.isolation.capabilities;

        r = stage1_app_mounts(ra, app, pod->volumes, pod->n_volumes, &mounts, &n_mounts, reterr);
        if (r < 0)
                return r;
        r = fd_path(rootfd, &root);
        for (size_t i = 0; i < n_mounts && r >= 0; i++) {
                const Stage1Mount *m = &mounts[i];
                _cleanup_free_ char *source = NULL, *target = NULL;
                NspawnBind *b;
                bool dir = true;

                if (m->implicit)
                        log_warning("app '%s': no volume for mount point '%s': using an empty volume '%s', "
                                    "removed with the pod",
                                    ra->name, m->path, m->volume);
                if (m->kind == APPC_VOLUME_HOST) {
                        struct stat st;
                        if (!m->source || !path_is_absolute(m->source) || stat(m->source, &st) < 0) {
                                r = rkt_error_set(
                                        reterr, m->source ? negative_errno() : -EINVAL,
                                        "volume '%s': host path '%s' %s", m->volume, strna(m->source),
                                        m->source && path_is_absolute(m->source) ? "does not exist"
                                                                                 : "is not absolute");
                                break;
                        }
                        dir = S_ISDIR(st.st_mode);
                        source = strdup(m->source);
                        r = source ? 0 : -ENOMEM;
                        if (r >= 0 && pi->protect_paths && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
                                r = allow_device(pi, &ai, &st, m->read_only);
                } else
                        r = shared_volume(pi, m, &source, reterr);
                if (r < 0)
                        break;
                if (strpbrk(source, ":\\") || strpbrk(m->path, ":\\")) {
                        r = rkt_error_set(reterr, -EINVAL,
                                          "volume '%s': paths with ':' or '\\' cannot be mounted",
                                          m->volume);
                        break;
                }
                r = mount_point(rootfd, root, m->path, dir, 0, &target);
                if (r < 0) {
                        r = rkt_error_set(reterr, r, "app '%s': mount point '%s' of volume '%s': %s",
                                          ra->name, m->path, m->volume,
                                          r == -ENOLINK ? "a symlink to nothing in the image"
                                                        : strerror(-r));
                        break;
                }
                b = realloc(pi->binds, (pi->n_binds + 1) * sizeof(NspawnBind));
                if (!b) {
                        r = -ENOMEM;
                        break;
                }
                pi->binds = b;
                b = &b[pi->n_binds];
                *b = (NspawnBind){.read_only = m->read_only, .recursive = m->recursive};
                r = add_string(pi, TAKE_PTR(source), &b->source);
                if (r >= 0) {
                        char *d = NULL;
                        if (asprintf(&d, "/opt/stage2/%s/rootfs%s", ra->name,
                                     streq(target, "/") ? "" : target) < 0)
                                d = NULL;
                        r = add_string(pi, d, &b->destination);
                }
                if (r < 0)
                        break;
                pi->n_binds++;
                if (!m->read_only)
                        r = strv_extend(&ai.writable_paths, target);
        }
        stage1_mounts_free(mounts, n_mounts);
        if (r < 0)
                return r;
        *ret = ai;
        ai = (AppIsolation){};
        return 0;
}

int app_isolation_write_confinement(int s1fd, const char *app, uid_t uid, gid_t gid, const gid_t *groups,
                                    size_t n_groups, const AppIsolation *ai, RktError **reterr) {
        _cleanup_free_ char *text = NULL, *path = NULL;
        _cleanup_free_ gid_t *all = calloc(n_groups + 1, sizeof(gid_t));
        Stage1Confinement c = {
                .uid = uid,
                .gid = gid,
                .groups = all,
                .isolation = ai->isolation,
        };
        int r;

        if (!all)
                return -ENOMEM;
        /* The groups the app's process ends up with: systemd calls initgroups() for a user whose group is
         * not root (the pod's /etc/group lists no members, so that adds the group itself), then adds
         * SupplementaryGroups=. */
        if (gid != 0)
                all[c.n_groups++] = gid;
        for (size_t i = 0; i < n_groups; i++)
                if (gid == 0 || groups[i] != gid)
                        all[c.n_groups++] = groups[i];
        r = stage1_confinement_format(&c, &text);
        if (r < 0)
                return r;
        if (mkdirat(s1fd, "rkt/confine", 0755) < 0 && errno != EEXIST)
                return rkt_error_set(reterr, negative_errno(), "creating " STAGE1_ROOTFS "/rkt/confine: %m");
        if (asprintf(&path, "rkt/confine/%s", app) < 0)
                return -ENOMEM;
        r = stage1_write_file_at(s1fd, path, text, 0644);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing " STAGE1_ROOTFS "/%s: %s", path, strerror(-r));
        return 0;
}
