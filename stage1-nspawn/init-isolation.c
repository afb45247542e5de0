/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "init-isolation.h"
#include "log.h"
#include "path.h"
#include "stage1-app.h"
#include "stage1-common.h"
#include "stage1-units.h"
#include "strv.h"

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
                .private_users = a->private_users,
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
                return rkt_error_set(reterr, r,
                                     "reading " POD_STAGE1_ROOTFS "/" STAGE1_SYSCALL_GROUPS ": %s",
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
                        return rkt_error_set(reterr, r, "writing " POD_STAGE1_ROOTFS "/rkt/sysctl: %s",
                                             strerror(-r));
                pi->sysctl = true;
        }
        return 0;
}

void pod_isolation_done(PodIsolation *pi) {
        stage1_syscall_groups_done(&pi->groups);
        free(pi->pod_dir);
        strv_free(pi->device_allow);
        *pi = (PodIsolation){};
}

int pod_mount_namespace_enter(int *s1fd, int *ret_host_ns, RktError **reterr) {
        _cleanup_close_ int host = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC), fd = -1;
        int r;

        if (host < 0)
                return rkt_error_set(reterr, negative_errno(), "opening our mount namespace: %m");
        r = stage1_private_mount_namespace();
        if (r < 0)
                return rkt_error_set(reterr, r, "making a mount namespace for the pod: %s", strerror(-r));
        /* The stage1 rootfs as this namespace has it: the volumes are mounted below it, here. */
        fd = open(POD_STAGE1_ROOTFS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return rkt_error_set(reterr, negative_errno(), "opening " POD_STAGE1_ROOTFS ": %m");
        safe_close(*s1fd);
        *s1fd = TAKE_FD(fd);
        *ret_host_ns = TAKE_FD(host);
        return 0;
}

void pod_mount_namespace_leave(int host_ns, int podfd) {
        if (host_ns >= 0 && (setns(host_ns, CLONE_NEWNS) < 0 || fchdir(podfd) < 0))
                log_warning_errno(negative_errno(), "Failed to return to the host's mount namespace: %m");
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

/* 2: path (absolute, as a manifest gives it) is /sys; 1: below /sys; 0: elsewhere. */
static int sys_mount_point(const char *path) {
        const char *p = path;

        while (*p == '/')
                p++;
        if (!startswith(p, "sys") || (p[3] && p[3] != '/'))
                return 0;
        for (p += 3; *p == '/'; p++)
                ;
        return *p ? 1 : 2;
}

/* Mount points compared as nspawn compares paths: component by component ("/a" < "/a/b" < "/a-b"). */
static int mount_path_cmp(const char *a, const char *b) {
        for (;;) {
                a += strspn(a, "/");
                b += strspn(b, "/");
                if (!*a || !*b)
                        return (*a != 0) - (*b != 0);
                size_t la = strcspn(a, "/"), lb = strcspn(b, "/");
                int c = strncmp(a, b, la < lb ? la : lb);
                if (c != 0)
                        return c;
                if (la != lb)
                        return la < lb ? -1 : 1;
                a += la;
                b += lb;
        }
}

/* rkt 1.30 handed an app's volumes to nspawn, which mounted them sorted by path, parents first: a volume
 * at /a/b given before one at /a ends up inside it, not hidden by it. Stable: the same path keeps its order.
 */
static void sort_mounts(Stage1Mount *mounts, size_t n) {
        for (size_t i = 1; i < n; i++) {
                Stage1Mount m = mounts[i];
                size_t j = i;
                for (; j > 0 && mount_path_cmp(mounts[j - 1].path, m.path) > 0; j--)
                        mounts[j] = mounts[j - 1];
                mounts[j] = m;
        }
}

int app_isolation_plan(PodIsolation *pi, int rootfd, const AppcPodManifest *pod, const AppcRuntimeApp *ra,
                       const AppcApp *app, uid_t uid, AppIsolation *ret, RktError **reterr) {
        _cleanup_(app_isolation_done) AppIsolation ai = {.read_only_rootfs = ra->read_only_root_fs};
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
        /* The pod's systemd lowers the app's oom_score_adj below its own 0 before it drops the app's
         * capabilities, which takes CAP_SYS_RESOURCE in the pod's bounding set (not in the app's). */
        if (ai.isolation.oom_score_adj_set && ai.isolation.oom_score_adj < 0)
                pi->capabilities |= STAGE1_CAP_BIT(CAP_SYS_RESOURCE);

        r = stage1_app_mounts(ra, app, pod->volumes, pod->n_volumes, true, &mounts, &n_mounts, reterr);
        if (r < 0)
                return r;
        /* rkt 1.30 gave an app with a volume at /sys or below no sysfs: the volumes are its /sys. systemd
         * mounts sysfs only where /sys is not a mount point yet, so with volumes below /sys only, the
         * image's /sys is bound onto itself first. */
        {
                bool at_sys = false;
                for (size_t i = 0; i < n_mounts; i++) {
                        int k = sys_mount_point(mounts[i].path);
                        ai.own_sys = ai.own_sys || k > 0;
                        at_sys = at_sys || k == 2;
                }
                if (ai.own_sys && !at_sys && (r = stage1_bind_self(rootfd, "/sys")) < 0) {
                        stage1_mounts_free(mounts, n_mounts);
                        return rkt_error_set(reterr, r, "app '%s': making its /sys a mount point: %s",
                                             ra->name, strerror(-r));
                }
        }
        /* In path order, each target resolved as it is mounted, after the mounts before it (a mount
         * point below another volume is looked up in that volume's content, still inside the app's root).
         * nspawn binds the stage1 rootfs recursively: the pod sees them where the app sees its rootfs
         * overlay. */
        sort_mounts(mounts, n_mounts);
        for (size_t i = 0; i < n_mounts && r >= 0; i++) {
                const Stage1Mount *m = &mounts[i];
                _cleanup_free_ char *source = NULL, *target = NULL;
                struct stat st;

                r = stage1_mount_source(pi->pod_dir, ra->name, m, pi->private_users, &source, &st, reterr);
                if (r >= 0 && pi->protect_paths && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
                        r = allow_device(pi, &ai, &st, m->read_only);
                if (r < 0)
                        break;
                log_debug("app '%s': mounting %s on '%s'%s%s", ra->name, source, m->path,
                          m->recursive ? ", recursively" : "", m->read_only ? ", read-only" : "");
                r = stage1_mount_volume(rootfd, ra->name,
                                        &(Stage1MountSpec){.volume = m->volume,
                                                           .source = source,
                                                           .target = m->path,
                                                           .dir = S_ISDIR(st.st_mode),
                                                           .recursive = m->recursive,
                                                           .read_only = m->read_only,
                                                           .fill = m->implicit && S_ISDIR(st.st_mode)},
                                        NULL, &target, reterr);
                /* Where it is mounted, for ReadWritePaths= (systemd looks it up inside the app's root). */
                if (r >= 0 && !m->read_only)
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
                return rkt_error_set(reterr, negative_errno(),
                                     "creating " POD_STAGE1_ROOTFS "/rkt/confine: %m");
        if (asprintf(&path, "rkt/confine/%s", app) < 0)
                return -ENOMEM;
        r = stage1_write_file_at(s1fd, path, text, 0644);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing " POD_STAGE1_ROOTFS "/%s: %s", path, strerror(-r));
        /* enter reads this copy: the one in the stage1 rootfs is the pod's root's to rewrite, which would
         * let the pod hand the commands entered into it more than the app may do (all capabilities, no
         * seccomp filter). The pod directory (our working directory) is out of the pod's reach. */
        if (mkdirat(AT_FDCWD, POD_CONFINE_DIR, 0700) < 0 && errno != EEXIST)
                return rkt_error_set(reterr, negative_errno(), "creating " POD_CONFINE_DIR ": %m");
        free(path);
        if (asprintf(&path, POD_CONFINE_DIR "/%s", app) < 0)
                return -ENOMEM;
        r = stage1_write_file_at(AT_FDCWD, path, text, 0600);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing %s: %s", path, strerror(-r));
        return 0;
}
