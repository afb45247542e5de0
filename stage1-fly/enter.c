/* SPDX-License-Identifier: Apache-2.0 */
/* stage1-fly's enter entrypoint (/enter --pid=PID --appname=APP -- CMD [ARGS…]), cwd = the pod directory.
 * CMD runs where the app runs: in its mount namespace and its root (through /proc/PID/root), with its
 * environment (rkt/env/APP), user and groups (rkt/confine/APP), in "/". Every other namespace, the
 * capabilities and the cgroup are the host's, as the app's are. enter becomes CMD: rkt enter's exit status
 * is CMD's. */
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "error.h"
#include "fd-util.h"
#include "fs.h"
#include "log.h"
#include "stage1-common.h"
#include "stage1-isolation.h"
#include "stage1-units.h"
#include "strv.h"

/* Returns only on failure. */
static int enter(pid_t pid, const char *app, char **cmd, RktError **reterr) {
        _cleanup_(stage1_confinement_done) Stage1Confinement c = {};
        _cleanup_free_ char *env_text = NULL, *confine_text = NULL, *path = NULL;
        _cleanup_free_ gid_t *groups = NULL;
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_close_ int rootfd = -1, nsfd = -1, s1fd = -1;
        char proc[64];
        pid_t app_pid;
        int r;

        /* The pod's app, not any process: stage0 passes what run wrote. */
        r = stage1_read_pid_at(AT_FDCWD, POD_PID, &app_pid);
        if (r < 0)
                return rkt_error_set(reterr, r, "reading '" POD_PID "' of the pod: %s", strerror(-r));
        if (app_pid != pid)
                return rkt_error_set(reterr, -ESRCH, "pid %d is not the pod's app (pid %d)", (int) pid,
                                     (int) app_pid);
        /* The app can write where it runs (stage1/rootfs holds its rootfs): what is read there is read
         * inside it, bounded, never through a symlink out of it. */
        s1fd = open(POD_STAGE1_ROOTFS, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s1fd < 0)
                return rkt_error_set(reterr, negative_errno(), "opening " POD_STAGE1_ROOTFS ": %m");
        if (asprintf(&path, "rkt/env/%s", app) < 0)
                return -ENOMEM;
        r = read_file_in_root(s1fd, path, 4 * 1024 * 1024, &env_text, NULL);
        if (r >= 0)
                r = stage1_enter_environment(env_text, &env);
        if (r < 0)
                return rkt_error_set(reterr, r, "app '%s': reading its environment %s: %s", app, path,
                                     strerror(-r));
        free(path);
        if (asprintf(&path, "rkt/confine/%s", app) < 0)
                return -ENOMEM;
        r = read_file_in_root(s1fd, path, 1024 * 1024, &confine_text, NULL);
        if (r >= 0)
                r = stage1_confinement_parse(confine_text, &c);
        if (r < 0)
                return rkt_error_set(reterr, r, "app '%s': reading its user and groups %s: %s", app, path,
                                     strerror(-r));
        groups = calloc(c.n_groups + 1, sizeof(gid_t));
        if (!groups)
                return -ENOMEM;
        groups[0] = c.gid;
        for (size_t i = 0; i < c.n_groups; i++)
                groups[i + 1] = c.groups[i];

        snprintf(proc, sizeof(proc), "/proc/%d/root", (int) pid);
        rootfd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        snprintf(proc, sizeof(proc), "/proc/%d/ns/mnt", (int) pid);
        nsfd = open(proc, O_RDONLY | O_CLOEXEC);
        if (rootfd < 0 || nsfd < 0)
                return rkt_error_set(reterr, negative_errno(), "the app (pid %d) is gone: %m", (int) pid);
        if (setns(nsfd, CLONE_NEWNS) < 0 || fchdir(rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0)
                return rkt_error_set(reterr, negative_errno(), "entering the root of the app (pid %d): %m",
                                     (int) pid);
        if (setgroups(c.n_groups + 1, groups) < 0 || setresgid(c.gid, c.gid, c.gid) < 0 ||
            setresuid(c.uid, c.uid, c.uid) < 0)
                return rkt_error_set(reterr, negative_errno(), "taking the app's user %u and group %u: %m",
                                     (unsigned) c.uid, (unsigned) c.gid);
        /* Nothing rkt enter's caller held open (a directory of the host) reaches CMD. */
        r = close_all_fds_except(NULL, 0);
        if (r < 0)
                return rkt_error_set(reterr, r, "closing file descriptors: %s", strerror(-r));
        /* execvp() searches the PATH of the environment it runs in: the app's. */
        environ = env;
        execvp(cmd[0], cmd);
        return rkt_error_set(reterr, negative_errno(), "cannot execute '%s' in app '%s': %m", cmd[0], app);
}

int main(int argc, char **argv) {
        _cleanup_error_ RktError *error = NULL;
        const char *app = NULL;
        char **cmd = NULL;
        pid_t pid = 0;
        int r;

        log_set_prefix("stage1");
        r = stage1_enter_parse_args(argc, argv, &pid, &app, &cmd, &error);
        if (r >= 0)
                r = enter(pid, app, cmd, &error);
        log_error("%s", rkt_error_message(error, r));
        return STAGE1_EXIT_FAILURE;
}
