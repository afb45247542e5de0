/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "appc.h"
#include "fd-util.h"
#include "log.h"
#include "output.h"
#include "pod-common.h"
#include "stage1-contract.h"
#include "stage1-exec.h"
#include "strv.h"
#include "verbs.h"

enum { OPT_APP = 1 };

const Option enter_options[] = {
        {"app", 0, OPT_APP, OPTION_REQUIRED, "NAME", NULL,
         "name of the app to enter within the specified pod"},
        {},
};

/* The pod's PID 1; stage1 writes pid/ppid shortly after the pod moved to run/, so wait for it while the
 * pod is running (as rkt 1.30 does). */
static int wait_pid(Pod *p, pid_t *ret) {
        for (;;) {
                struct timespec ts = {0, 100 * 1000 * 1000};
                int r = pod_pid(p, ret);
                if (r >= 0)
                        return 0;
                if (r != -ESRCH && r != -EAGAIN)
                        return log_error_errno(r, "unable to determine the pid for pod \"%s\": %m", p->uuid);
                (void) nanosleep(&ts, NULL);
                r = pod_refresh(p);
                if (r < 0 || p->state != POD_RUNNING)
                        return log_error_errno(
                                -ESRCH,
                                "unable to determine the pid for pod \"%s\": pod %s is not running anymore",
                                p->uuid, p->uuid);
        }
}

static int app_name(const Pod *p, const char *flag, const char **ret, json_object **ret_manifest) {
        _cleanup_(json_object_putp) json_object *m = NULL;
        size_t n;
        int r;

        r = pod_manifest_json(p, &m);
        if (r < 0)
                return log_error_errno(r, "unable to determine app name: error reading pod manifest: %m");
        n = pod_manifest_n_apps(m);
        if (flag) {
                bool found = false;
                if (!appc_ac_name_valid(flag))
                        return log_error_errno(
                                -EINVAL, "unable to determine app name: '%s' is not a valid app name", flag);
                for (size_t i = 0; i < n; i++)
                        found = found || streq_ptr(pod_manifest_app_name(m, i), flag);
                if (!found)
                        return log_error_errno(-ENOENT,
                                               "unable to determine app name: pod \"%s\" has no app '%s'",
                                               p->uuid, flag);
                *ret = flag;
        } else if (n == 0)
                return log_error_errno(-ENOENT, "unable to determine app name: pod contains zero apps");
        else if (n == 1 && pod_manifest_app_name(m, 0))
                *ret = pod_manifest_app_name(m, 0);
        else {
                log_error("pod contains multiple apps:");
                for (size_t i = 0; i < n; i++)
                        log_error("\t%s", strna(pod_manifest_app_name(m, i)));
                return log_error_errno(
                        -EINVAL, "unable to determine app name: specify app using \"rkt enter --app= ...\"");
        }
        *ret_manifest = TAKE_PTR(m);
        return 0;
}

/* Is there an executable at path inside the tree at rootfd, resolving symlinks (an absolute "/bin ->
 * usr/bin" too) inside that tree and never on the host? */
static bool exists_in_root(int rootfd, const char *path) {
        struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                               .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
        _cleanup_close_ int fd = (int) syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
        struct stat st;

        if (fd < 0 && errno == ENOSYS)
                /* Kernels before 5.6: the entry itself, whatever a symlink there points to. */
                return fstatat(rootfd, path + (path[0] == '/'), &st, AT_SYMLINK_NOFOLLOW) >= 0;
        return fd >= 0 && fstat(fd, &st) >= 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

/* rkt 1.30 always assumed /bin/bash, which many images (busybox, alpine, distroless) do not have: take
 * /bin/sh then. The app's tree is looked at through the pod's PID 1 (its mount namespace), else through
 * the pod directory; both are the pod's to write, so the path to the app's rootfs is resolved inside
 * them too. */
static const char *default_command(const Pod *p, pid_t pid, const char *app) {
        _cleanup_free_ char *via_proc = NULL, *via_pod = NULL, *rootfs = NULL;
        const char *roots[2];

        if (asprintf(&via_proc, "/proc/%d/root", (int) pid) < 0 ||
            asprintf(&via_pod, "%s/" POD_STAGE1_ROOTFS, p->path) < 0 ||
            stage2_path(NULL, app, STAGE2_ROOTFS, &rootfs) < 0)
                return "/bin/bash";
        roots[0] = via_proc;
        roots[1] = via_pod;
        for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
                _cleanup_close_ int topfd = open(roots[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC), rootfd = -1;
                if (topfd < 0)
                        continue;
                rootfd = open_in_root(topfd, rootfs, O_RDONLY | O_DIRECTORY);
                if (rootfd < 0)
                        continue;
                if (exists_in_root(rootfd, "/bin/bash"))
                        return "/bin/bash";
                if (exists_in_root(rootfd, "/bin/sh"))
                        return "/bin/sh";
                break;
        }
        return "/bin/bash";
}

int verb_enter(CliArgs *a) {
        _cleanup_(json_object_putp) json_object *manifest = NULL;
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_free_ char *ep = NULL, *pid_arg = NULL, *app_arg = NULL;
        _cleanup_close_ int ep_fd = -1;
        _cleanup_free_ char **argv = NULL;
        const char *flag_app = NULL, *app = NULL, *def = NULL;
        char **cmd = a->args + 1;
        size_t n_cmd = a->n_args - 1, k = 0;
        pid_t pid;
        int r;

        flag_app = option_value(a, OPT_APP);
        /* "rkt enter UUID -- CMD": the "--" only separates. */
        if (n_cmd > 0 && streq(cmd[0], "--")) {
                cmd++;
                n_cmd--;
        }

        r = pod_open_logged(a, a->args[0], "problem retrieving pod", &p);
        if (r < 0)
                return r;
        if (p->state != POD_RUNNING)
                return log_error_errno(-EINVAL, "pod \"%s\" isn't currently running", p->uuid);
        r = wait_pid(p, &pid);
        if (r < 0)
                return r;
        r = app_name(p, flag_app, &app, &manifest);
        if (r < 0)
                return r;
        if (n_cmd == 0) {
                def = default_command(p, pid, app);
                log_info("no command specified, assuming \"%s\"", def);
        }
        r = pod_stage1_entrypoint_open(p, STAGE1_ENTER, &ep_fd, &ep, NULL, &err);
        if (r < 0)
                return log_error_errno(r, "enter failed: %s", rkt_error_message(err, r));

        argv = calloc(n_cmd + 6, sizeof(char *));
        if (!argv || asprintf(&pid_arg, "--pid=%d", (int) pid) < 0 ||
            asprintf(&app_arg, "--appname=%s", app) < 0)
                return log_oom();
        argv[k++] = ep;
        argv[k++] = pid_arg;
        argv[k++] = app_arg;
        argv[k++] = (char *) "--";
        if (def)
                argv[k++] = (char *) def;
        for (size_t i = 0; i < n_cmd; i++)
                argv[k++] = cmd[i];

        if (chdir(p->path) < 0)
                return log_error_errno(negative_errno(), "enter failed: cannot change to '%s': %m", p->path);
        log_debug("Execing %s", ep);
        fflush(stdout);
        fflush(stderr);
        /* stage1's enter becomes us: the entered command's exit status is rkt enter's. No lock or half-made
         * state is held here, and nothing our caller holds may reach the pod: an inherited directory fd
         * would be a way out of it through /proc/PID/fd of the entered command. */
        r = close_all_fds_except(&ep_fd, 1);
        if (r < 0)
                return log_error_errno(r, "enter failed: closing file descriptors: %m");
        r = stage1_exec_fd(ep_fd, argv, environ);
        return log_error_errno(r, "enter failed: error execing '%s': %m", ep);
}
