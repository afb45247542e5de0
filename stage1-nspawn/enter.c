/* SPDX-License-Identifier: Apache-2.0 */
/* stage1's enter entrypoint (/enter --pid=PID --appname=APP -- CMD [ARGS...]), run on the host by
 * stage0. PID is the pod's PID 1 (the pod's systemd).
 *
 * CMD runs where the app runs and may do no more than the app (upstream rkt's enter ran its command with
 * the pod's full privileges: CVE-2019-10144, -10145, -10147):
 *   - in the namespaces (mount, UTS, IPC, network, PID, cgroup) of the app's main process, found through
 *     the pod's cgroup, with that process's root (the app's rootfs, with /proc, /sys and /dev as systemd
 *     mounted them for the app, its volumes, masked and read-only paths);
 *   - in the app's cgroup (its resource limits; stopped with it), joined before anything of CMD runs;
 *   - under the pod's own seccomp filter (nspawn's, copied from the pod's PID 1), then with the app's
 *     capability bounding set, user, groups, no_new_privs and seccomp filter, as init described them in
 *     rkt/confine/APP from the same isolators as the app's unit (stage1-isolation.h), applied in systemd's
 *     order: bounding set, user, no_new_privs, filter last;
 *   - with the app's environment (rkt/env/APP; CMD is searched in the app's PATH) and the caller's TERM.
 * When the app has no process (it exited), the pod's namespaces and a chroot into /opt/stage2/APP/rootfs
 * are used, and a cgroup of its own below the pod's. enter waits for CMD and exits with its status
 * (128 + n for a signal n). */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "error.h"
#include "fd-util.h"
#include "fs.h"
#include "log.h"
#include "path.h"
#include "pod-process.h"
#include "process.h"
#include "stage1-common.h"
#include "stage1-isolation.h"
#include "stage1-units.h"
#include "strv.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ENTER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(ENTER_ASAN)
/* In a --enable-sanitizers build: LeakSanitizer's check at exit clones a tracer that must ptrace this
 * process, but after setns(CLONE_NEWPID) the tracer is born in the pod's PID namespace, where this process
 * has no PID, and LSan waits for it forever (every `rkt enter` hung). The other sanitizers stay on. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
        return "detect_leaks=0";
}
#endif

/* Bounds for what is read back from the pod: an environment, a confinement. */
#define ENV_FILE_MAX (4 * 1024 * 1024)
#define CONFINE_FILE_MAX (1024 * 1024)

typedef struct EnterArgs {
        pid_t pid;
        const char *app;
        char **cmd; /* borrowed from argv */
} EnterArgs;

/* Classic BPF programs, as the kernel hands them out (PTRACE_SECCOMP_GET_FILTER). */
typedef struct Filters {
        struct sock_filter **progs; /* oldest first */
        unsigned short *lens;
        size_t n;
} Filters;

/* Where CMD goes and what confines it. */
typedef struct EnterTarget {
        pid_t ns_pid;
        const char *chroot; /* NULL: the process's root as is */
        char **env;
        Stage1Confinement confinement;
        int cap_last;
        scmp_filter_ctx seccomp; /* NULL: no filter of the app's */
        Filters pod_filters;
        int cgroup_fds[2]; /* cgroup.procs to write ourselves into */
        /* A cgroup made for CMD when the app has none: its parent, the pod's cgroup, and its name. Removed
         * afterwards, through the fd (our /sys/fs/cgroup is the pod's by then). */
        int cgroup_parent_fds[2];
        char *cgroup_made[2];
        int cgroupns_fd;
} EnterTarget;

static void filters_done(Filters *f) {
        for (size_t i = 0; i < f->n; i++)
                free(f->progs[i]);
        free(f->progs);
        free(f->lens);
        *f = (Filters){};
}

static void target_done(EnterTarget *t) {
        stage1_confinement_done(&t->confinement);
        if (t->seccomp)
                seccomp_release(t->seccomp);
        filters_done(&t->pod_filters);
        for (size_t i = 0; i < ELEMENTSOF(t->cgroup_fds); i++) {
                safe_close(t->cgroup_fds[i]);
                if (t->cgroup_made[i])
                        (void) unlinkat(t->cgroup_parent_fds[i], t->cgroup_made[i], AT_REMOVEDIR);
                free(t->cgroup_made[i]);
                safe_close(t->cgroup_parent_fds[i]);
        }
        safe_close(t->cgroupns_fd);
}

/* The pod's cgroup in a hierarchy: that of its PID 1, minus init.scope. */
static int pod_cgroup(pid_t pod_pid, const CgroupHierarchy *h, char **ret) {
        _cleanup_free_ char *cg = NULL;
        int r = stage1_cgroup_of_pid(pod_pid, h->unified, &cg);

        if (r < 0)
                return r;
        *ret = endswith(cg, "/init.scope") ? path_dirname(cg) : strdup(cg);
        return *ret ? 0 : -ENOMEM;
}

/* The directory of the app unit's cgroup in a hierarchy, <pod cgroup>/system.slice/APP.service. */
static int app_cgroup_dir(pid_t pod_pid, const CgroupHierarchy *h, const char *app, char **ret) {
        _cleanup_free_ char *pod_cg = NULL;
        int r = pod_cgroup(pod_pid, h, &pod_cg);

        if (r < 0)
                return r;
        return asprintf(ret, "%s%s/system.slice/%s.service", h->mount, streq(pod_cg, "/") ? "" : pod_cg,
                        app) < 0
                       ? -ENOMEM
                       : 0;
}

/* The app's main process: the oldest live process of the app's unit. 0 when it has none. */
static pid_t app_main_pid(pid_t pod_pid, const char *app) {
        CgroupHierarchy h[2];
        int n = stage1_cgroup_hierarchies(h);

        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *dir = NULL, *procs = NULL, *text = NULL;
                _cleanup_strv_free_ char **pids = NULL;
                pid_t best = 0;
                unsigned long long best_t = 0;

                if (app_cgroup_dir(pod_pid, &h[i], app, &dir) < 0)
                        continue;
                procs = path_join(dir, "cgroup.procs");
                if (!procs || read_full_file_at(AT_FDCWD, procs, &text, NULL) < 0 ||
                    strv_split(text, "\n", &pids) < 0)
                        continue;
                STRV_FOREACH(s, pids) {
                        pid_t pid;
                        unsigned long long t;
                        if (stage1_parse_pid(*s, &pid) < 0)
                                continue;
                        t = pod_process_start_time(pid);
                        if (t > 0 && (best == 0 || t < best_t)) {
                                best = pid;
                                best_t = t;
                        }
                }
                if (best > 0)
                        return best;
        }
        return 0;
}

/* Opens cgroup.procs of the cgroup CMD joins, in every hierarchy the pod has one in: the app's own when it
 * runs, else a new one below the pod's (removed when CMD is done). Opened now, on the host, before the
 * namespaces (and with them /sys/fs/cgroup) are the pod's. */
static int open_cgroups(pid_t pod_pid, const char *app, bool app_running, EnterTarget *t,
                        RktError **reterr) {
        CgroupHierarchy h[2];
        int n = stage1_cgroup_hierarchies(h), opened = 0;

        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *dir = NULL, *procs = NULL;
                int r;

                if (app_running)
                        r = app_cgroup_dir(pod_pid, &h[i], app, &dir);
                else {
                        _cleanup_free_ char *pod_cg = NULL, *parent = NULL;
                        r = pod_cgroup(pod_pid, &h[i], &pod_cg);
                        if (r >= 0 &&
                            (asprintf(&parent, "%s%s", h[i].mount, streq(pod_cg, "/") ? "" : pod_cg) < 0 ||
                             asprintf(&t->cgroup_made[i], "rkt-enter-%s-%d", app, (int) getpid()) < 0))
                                r = -ENOMEM;
                        if (r >= 0 &&
                            (t->cgroup_parent_fds[i] = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                                r = negative_errno();
                        if (r >= 0 && mkdirat(t->cgroup_parent_fds[i], t->cgroup_made[i], 0755) < 0)
                                r = negative_errno();
                        if (r < 0)
                                t->cgroup_made[i] = mfree(t->cgroup_made[i]);
                        else
                                dir = path_join(parent, t->cgroup_made[i]);
                        if (r >= 0 && !dir)
                                r = -ENOMEM;
                }
                if (r == -ENOENT && !app_running)
                        continue; /* no pod cgroup in this hierarchy */
                if (r < 0)
                        return rkt_error_set(reterr, r, "finding the cgroup of app '%s' in %s: %s", app,
                                             h[i].mount, strerror(-r));
                procs = path_join(dir, "cgroup.procs");
                if (!procs)
                        return -ENOMEM;
                t->cgroup_fds[i] = open(procs, O_WRONLY | O_CLOEXEC);
                if (t->cgroup_fds[i] < 0) {
                        r = negative_errno();
                        if (r == -ENOENT && app_running)
                                continue; /* the unit's cgroup is only in the other hierarchy */
                        return rkt_error_set(reterr, r, "opening %s: %s", procs, strerror(-r));
                }
                opened++;
        }
        if (opened == 0)
                return rkt_error_set(reterr, -ENOENT, "app '%s': no cgroup of the pod found to join", app);
        return 0;
}

/* The app's environment, from the stage1 tree as the pod sees it (its PID 1's root), which the pod's root
 * may have rewritten: read inside that root (a symlink there never leads to a file of the host), bounded.
 * It only ever reaches CMD, inside the pod. */
static int load_env(pid_t pod_pid, const char *app, char ***ret, RktError **reterr) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_close_ int rootfd = -1;
        char root[64];
        int r;

        snprintf(root, sizeof(root), "/proc/%d/root", (int) pod_pid);
        rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0) {
                r = negative_errno();
                return rkt_error_set(reterr, r, "opening %s: %s (is the pod running?)", root, strerror(-r));
        }
        if (asprintf(&path, "rkt/env/%s", app) < 0)
                return -ENOMEM;
        r = read_file_in_root(rootfd, path, ENV_FILE_MAX, &text, NULL);
        if (r == -ENOENT)
                return rkt_error_set(reterr, r, "app '%s' not found in the pod (no %s/%s)", app, root, path);
        if (r < 0)
                return rkt_error_set(reterr, r, "reading %s/%s: %s", root, path, strerror(-r));
        r = stage1_enter_environment(text, ret);
        if (r < 0)
                return rkt_error_set(reterr, r, "parsing %s/%s: %s", root, path, strerror(-r));
        return 0;
}

/* Without its confinement file nothing is entered: running CMD with the pod's privileges is what this
 * entrypoint exists not to do. The copy init wrote into the pod directory (our working directory) is read,
 * not the one in the stage1 rootfs, which the pod's root can rewrite to give CMD all capabilities. */
static int load_confinement(const char *app, Stage1Confinement *ret, RktError **reterr) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        int r;

        if (asprintf(&path, POD_CONFINE_DIR "/%s", app) < 0)
                return -ENOMEM;
        r = read_regular_file_at(AT_FDCWD, path, CONFINE_FILE_MAX, &text, NULL);
        if (r < 0)
                return rkt_error_set(reterr, r, "reading the confinement of app '%s' (%s): %s", app, path,
                                     strerror(-r));
        r = stage1_confinement_parse(text, ret);
        if (r < 0)
                return rkt_error_set(reterr, r, "parsing %s: invalid confinement file", path);
        return 0;
}

static int read_cap_last(void) {
        _cleanup_free_ char *s = NULL;
        char *end;
        long v;

        if (read_full_file_at(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", &s, NULL) < 0)
                return CAP_LAST_CAP;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || v < 0 || v > 63)
                return CAP_LAST_CAP;
        return (int) v;
}

/* The architectures systemd filters on this machine (its SECCOMP_FOREACH_LOCAL_ARCH). */
static const uint32_t local_archs[] = {
#if defined(__x86_64__)
        SCMP_ARCH_X86,
        SCMP_ARCH_X32,
#elif defined(__aarch64__)
        SCMP_ARCH_ARM,
#elif defined(__powerpc64__)
        SCMP_ARCH_PPC,
#elif defined(__s390x__)
        SCMP_ARCH_S390,
#endif
        0,
};

/* The app's filter as systemd builds it from SystemCallFilter= and SystemCallErrorNumber=: an allow list
 * with the default action errno or kill, or a deny list; names unknown here are skipped, as systemd does. */
static int build_seccomp(const Stage1Isolation *iso, scmp_filter_ctx *ret, RktError **reterr) {
        uint32_t kill = seccomp_api_get() >= 3 ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_KILL;
        uint32_t errno_action = kill, default_action, action;
        scmp_filter_ctx ctx;
        int r;

        if (iso->seccomp == STAGE1_SECCOMP_NONE) {
                *ret = NULL;
                return 0;
        }
        if (iso->seccomp_errno) {
                int e = stage1_errno_from_name(iso->seccomp_errno);
                if (e < 0)
                        return rkt_error_set(reterr, e, "unknown errno '%s'", iso->seccomp_errno);
                errno_action = SCMP_ACT_ERRNO(e);
        }
        default_action = iso->seccomp == STAGE1_SECCOMP_ALLOW ? errno_action : SCMP_ACT_ALLOW;
        action = iso->seccomp == STAGE1_SECCOMP_ALLOW ? SCMP_ACT_ALLOW : errno_action;

        ctx = seccomp_init(default_action);
        if (!ctx)
                return rkt_error_set(reterr, -ENOMEM, "seccomp_init failed");
        /* no_new_privs is the confinement's business, not the filter's. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        for (size_t i = 0; r >= 0 && local_archs[i]; i++) {
                r = seccomp_arch_add(ctx, local_archs[i]);
                if (r == -EEXIST)
                        r = 0;
        }
        if (r < 0) {
                seccomp_release(ctx);
                return rkt_error_set(reterr, r, "preparing the seccomp filter: %s", strerror(-r));
        }
        STRV_FOREACH(name, iso->syscalls) {
                int nr = seccomp_syscall_resolve_name(*name);
                if (nr == __NR_SCMP_ERROR)
                        continue;
                r = seccomp_rule_add(ctx, action, nr, 0);
                if (r < 0 && r != -EEXIST)
                        log_debug_errno(r, "seccomp: skipping '%s': %m", *name);
        }
        *ret = ctx;
        return 0;
}

/* The seccomp filters the pod's PID 1 runs under (nspawn's), oldest first, so that CMD gets them as every
 * process of the pod has them. The pod's PID 1 is stopped for the few microseconds this takes. */
static int copy_pod_filters(pid_t pod_pid, Filters *ret, RktError **reterr) {
        _cleanup_free_ char *status = NULL;
        char path[64];
        const char *p;
        Filters f = {};
        int r = 0, st;

        snprintf(path, sizeof(path), "/proc/%d/status", (int) pod_pid);
        r = read_full_file_at(AT_FDCWD, path, &status, NULL);
        if (r < 0)
                return rkt_error_set(reterr, r, "reading %s: %s", path, strerror(-r));
        p = strstr(status, "\nSeccomp:");
        if (!p || strtol(p + STRLEN("\nSeccomp:"), NULL, 10) != SECCOMP_MODE_FILTER) {
                *ret = f;
                return 0;
        }
        if (ptrace(PTRACE_SEIZE, pod_pid, NULL, NULL) < 0 ||
            ptrace(PTRACE_INTERRUPT, pod_pid, NULL, NULL) < 0) {
                r = negative_errno();
                return rkt_error_set(reterr, r,
                                     "attaching to the pod's PID 1 to copy its seccomp filter: %s",
                                     strerror(-r));
        }
        r = wait_pid(pod_pid, &st, __WALL);
        for (unsigned long i = 0; r >= 0; i++) {
                long len = ptrace(PTRACE_SECCOMP_GET_FILTER, pod_pid, (void *) i, NULL);
                struct sock_filter *prog, **progs;
                unsigned short *lens;

                if (len < 0) {
                        /* ENOENT: past the oldest filter. */
                        r = errno == ENOENT ? 0 : negative_errno();
                        break;
                }
                prog = calloc((size_t) len, sizeof(struct sock_filter));
                progs = realloc(f.progs, (f.n + 1) * sizeof(*progs));
                if (progs)
                        f.progs = progs;
                lens = realloc(f.lens, (f.n + 1) * sizeof(*lens));
                if (lens)
                        f.lens = lens;
                if (!prog || !progs || !lens || len > USHRT_MAX) {
                        free(prog);
                        r = -ENOMEM;
                        break;
                }
                if (ptrace(PTRACE_SECCOMP_GET_FILTER, pod_pid, (void *) i, prog) != len) {
                        free(prog);
                        r = -EIO;
                        break;
                }
                f.progs[f.n] = prog;
                f.lens[f.n] = (unsigned short) len;
                f.n++;
        }
        (void) ptrace(PTRACE_DETACH, pod_pid, NULL, NULL);
        if (r < 0) {
                filters_done(&f);
                return rkt_error_set(
                        reterr, r,
                        "copying the pod's seccomp filter (PTRACE_SECCOMP_GET_FILTER needs a kernel "
                        "with CONFIG_CHECKPOINT_RESTORE): %s",
                        strerror(-r));
        }
        /* Index 0 is the newest: reverse, so that loading them in order rebuilds the same chain. */
        for (size_t i = 0; i < f.n / 2; i++) {
                struct sock_filter *tp = f.progs[i];
                unsigned short tl = f.lens[i];
                f.progs[i] = f.progs[f.n - 1 - i];
                f.lens[i] = f.lens[f.n - 1 - i];
                f.progs[f.n - 1 - i] = tp;
                f.lens[f.n - 1 - i] = tl;
        }
        *ret = f;
        return 0;
}

/* Whether pid is in another user namespace than we are (a pod run with --private-users). */
static bool other_user_namespace(pid_t pid) {
        char path[64];
        struct stat ours, theirs;

        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) pid);
        return stat("/proc/self/ns/user", &ours) >= 0 && stat(path, &theirs) >= 0 &&
               (ours.st_ino != theirs.st_ino || ours.st_dev != theirs.st_dev);
}

/* Joins the namespaces of pid: one setns() on a pidfd where the kernel can (5.8), else one per namespace
 * from /proc/PID/ns (all opened before any is joined: joining the mount namespace changes /proc). The user
 * namespace of a pod with its own comes first: CMD then has the app's uid on the host too, and its
 * capabilities only inside. The cgroup namespace comes later, in the child, once it has moved into the
 * app's cgroup. */
static int join_namespaces(pid_t pid) {
        static const struct {
                const char *name;
                int flag;
        } ns[] = {
                {"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
                {"net", CLONE_NEWNET},   {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS},
        };
        int fds[ELEMENTSOF(ns)], flags = 0, r = 0;
        size_t first = other_user_namespace(pid) ? 0 : 1;
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);

        for (size_t i = first; i < ELEMENTSOF(ns); i++)
                flags |= ns[i].flag;
        if (pidfd >= 0 && setns(pidfd, flags) >= 0)
                return 0;

        for (size_t i = first; i < ELEMENTSOF(ns); i++) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int) pid, ns[i].name);
                fds[i] = open(path, O_RDONLY | O_CLOEXEC);
                if (fds[i] < 0 && r == 0)
                        r = negative_errno();
        }
        for (size_t i = first; i < ELEMENTSOF(ns) && r == 0; i++)
                if (setns(fds[i], ns[i].flag) < 0)
                        r = negative_errno();
        for (size_t i = first; i < ELEMENTSOF(ns); i++)
                safe_close(fds[i]);
        return r;
}

/* What the child reports when it could not exec CMD: where it failed, and why. */
typedef struct ChildError {
        int error; /* negative errno */
        char step[48];
} ChildError;

static int fail_at(ChildError *e, const char *step, int r) {
        e->error = r;
        snprintf(e->step, sizeof(e->step), "%s", step);
        return r;
}

/* In the child, before anything of CMD runs: the app's cgroup and cgroup namespace. */
static int join_cgroup(const EnterTarget *t, ChildError *e) {
        for (size_t i = 0; i < ELEMENTSOF(t->cgroup_fds); i++)
                if (t->cgroup_fds[i] >= 0 && write(t->cgroup_fds[i], "0", 1) != 1)
                        return fail_at(e, "joining the app's cgroup", negative_errno());
        if (t->cgroupns_fd >= 0 && setns(t->cgroupns_fd, CLONE_NEWCGROUP) < 0)
                return fail_at(e, "joining the cgroup namespace", negative_errno());
        return 0;
}

/* In the child, after its root is the app's: what the app may do, in the order systemd applies it. */
static int confine(const EnterTarget *t, ChildError *e) {
        const Stage1Confinement *c = &t->confinement;
        const Stage1Isolation *iso = &c->isolation;
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

        if (iso->restrict_capabilities)
                for (int cap = 0; cap <= t->cap_last; cap++)
                        if (!(cap < 64 && (iso->capabilities & STAGE1_CAP_BIT(cap))) &&
                            prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
                                return fail_at(e, "dropping capabilities", negative_errno());
        /* Nothing may come back through the inheritable or ambient sets at exec. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return fail_at(e, "clearing ambient capabilities", negative_errno());
        if (syscall(SYS_capget, &hdr, data) < 0)
                return fail_at(e, "reading capabilities", negative_errno());
        for (size_t i = 0; i < ELEMENTSOF(data); i++)
                data[i].inheritable = 0;
        if (syscall(SYS_capset, &hdr, data) < 0)
                return fail_at(e, "clearing inheritable capabilities", negative_errno());

        /* The pod's own filter, while we still have CAP_SYS_ADMIN to load it without no_new_privs. */
        for (size_t i = 0; i < t->pod_filters.n; i++) {
                struct sock_fprog prog = {.len = t->pod_filters.lens[i], .filter = t->pod_filters.progs[i]};
                if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                        return fail_at(e, "loading the pod's seccomp filter", negative_errno());
        }

        if (setgroups(c->n_groups, c->groups) < 0)
                return fail_at(e, "setting the supplementary groups", negative_errno());
        if (setresgid(c->gid, c->gid, c->gid) < 0)
                return fail_at(e, "setting the group", negative_errno());
        /* From root to another user, the kernel clears the permitted and effective sets, as for the app. */
        if (setresuid(c->uid, c->uid, c->uid) < 0)
                return fail_at(e, "setting the user", negative_errno());

        if (iso->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return fail_at(e, "setting no_new_privs", negative_errno());
        if (t->seccomp) {
                int r = seccomp_load(t->seccomp);
                if (r < 0)
                        return fail_at(e, "loading the app's seccomp filter", r);
        }
        return 0;
}

/* In the child: cgroup, root, working directory, environment, confinement, exec. Returns only on failure.
 * report_fd (close-on-exec) is the only fd kept beside stdio: whatever rkt enter's caller held open (a
 * directory of the host) would be reachable by the app through /proc/PID/fd of CMD. */
static int child_exec(const EnterTarget *t, int rootfd, int report_fd, char **cmd, ChildError *e) {
        int r = join_cgroup(t, e);

        if (r < 0)
                return r;
        if (fchdir(rootfd) < 0 || chroot(".") < 0)
                return fail_at(e, "changing into the app's root", negative_errno());
        if (t->chroot && (chdir(t->chroot) < 0 || chroot(".") < 0))
                return fail_at(e, "changing into the app's rootfs", negative_errno());
        if (chdir("/") < 0)
                return fail_at(e, "changing into /", negative_errno());
        /* Before the app's seccomp filter, which need not allow close_range(). */
        r = close_all_fds_except(&report_fd, 1);
        if (r < 0)
                return fail_at(e, "closing file descriptors", r);
        r = confine(t, e);
        if (r < 0)
                return r;
        /* execvp() searches the PATH of the environment it runs in: the app's. */
        environ = t->env;
        execvp(cmd[0], cmd);
        return fail_at(e, "executing", negative_errno());
}

static int enter(const EnterArgs *a, int *ret_status, RktError **reterr) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *chroot_dir = NULL;
        _cleanup_close_ int rootfd = -1;
        _cleanup_(target_done) EnterTarget t = {
                .cgroup_fds = {-1, -1},
                .cgroup_parent_fds = {-1, -1},
                .cgroupns_fd = -1,
        };
        ChildError ce = {};
        char root[64], path[64];
        pid_t child;
        int r, status, pipefd[2];

        r = load_env(a->pid, a->app, &env, reterr);
        if (r < 0)
                return r;
        t.env = env;
        r = load_confinement(a->app, &t.confinement, reterr);
        if (r < 0)
                return r;
        t.cap_last = read_cap_last();
        r = build_seccomp(&t.confinement.isolation, &t.seccomp, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "app '%s'", a->app);
        r = copy_pod_filters(a->pid, &t.pod_filters, reterr);
        if (r < 0)
                return r;

        t.ns_pid = app_main_pid(a->pid, a->app);
        if (t.ns_pid == 0) {
                t.ns_pid = a->pid;
                if (stage2_path(NULL, a->app, STAGE2_ROOTFS, &chroot_dir) < 0)
                        return -ENOMEM;
                t.chroot = chroot_dir;
        }
        r = open_cgroups(a->pid, a->app, !t.chroot, &t, reterr);
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), "/proc/%d/ns/cgroup", (int) t.ns_pid);
        t.cgroupns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (t.cgroupns_fd < 0 && errno != ENOENT) {
                r = negative_errno();
                return rkt_error_set(reterr, r, "opening %s: %s", path, strerror(-r));
        }
        /* A pod without a cgroup namespace of its own (on cgroup2 hosts) has ours: nothing to join, and
         * joining it again from the pod's user namespace (--private-users) would take CAP_SYS_ADMIN over
         * the host's namespace. */
        if (t.cgroupns_fd >= 0) {
                struct stat ours, theirs;
                if (stat("/proc/self/ns/cgroup", &ours) >= 0 && fstat(t.cgroupns_fd, &theirs) >= 0 &&
                    ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino)
                        t.cgroupns_fd = safe_close(t.cgroupns_fd);
        }
        snprintf(root, sizeof(root), "/proc/%d/root", (int) t.ns_pid);
        rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0) {
                r = negative_errno();
                return rkt_error_set(reterr, r, "opening %s: %s (is the pod running?)", root, strerror(-r));
        }
        r = join_namespaces(t.ns_pid);
        if (r < 0)
                return rkt_error_set(reterr, r, "joining the namespaces of pid %d: %s", (int) t.ns_pid,
                                     strerror(-r));

        /* The child reports a failure to exec through a CLOEXEC pipe, so that it is not mistaken for
         * CMD's own exit status. */
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        child = fork();
        if (child < 0) {
                r = negative_errno();
                safe_close(pipefd[0]);
                safe_close(pipefd[1]);
                return rkt_error_set(reterr, r, "fork: %s", strerror(-r));
        }
        if (child == 0) {
                safe_close(pipefd[0]);
                (void) signal(SIGINT, SIG_DFL);
                (void) signal(SIGQUIT, SIG_DFL);
                (void) child_exec(&t, rootfd, pipefd[1], a->cmd, &ce);
                (void) !write(pipefd[1], &ce, sizeof(ce));
                _exit(STAGE1_EXIT_FAILURE);
        }
        safe_close(pipefd[1]);
        /* Like system(): the terminal's ^C and ^\ are for CMD. */
        (void) signal(SIGINT, SIG_IGN);
        (void) signal(SIGQUIT, SIG_IGN);
        if (read(pipefd[0], &ce, sizeof(ce)) == (ssize_t) sizeof(ce)) {
                safe_close(pipefd[0]);
                (void) waitpid(child, NULL, 0);
                ce.step[sizeof(ce.step) - 1] = 0;
                return rkt_error_set(reterr, ce.error, "%s '%s' in app '%s': %s", ce.step, a->cmd[0], a->app,
                                     strerror(-ce.error));
        }
        safe_close(pipefd[0]);
        r = wait_pid(child, &status, 0);
        if (r < 0)
                return r;
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return 0;
}

int main(int argc, char **argv) {
        _cleanup_error_ RktError *error = NULL;
        EnterArgs a = {};
        int r, status = 0;

        log_set_prefix("stage1");
        r = stage1_enter_parse_args(argc, argv, &a.pid, &a.app, &a.cmd, &error);
        if (r >= 0)
                r = enter(&a, &status, &error);
        if (r < 0) {
                log_error("enter: %s", rkt_error_message(error, r));
                return STAGE1_EXIT_FAILURE;
        }
        return status;
}
