/* SPDX-License-Identifier: Apache-2.0 */
/* Running the host's programs for the pod's network: a program with its input on stdin and its output
 * captured, iptables in the nat table, and the CNI plugins (where they are looked for, one run of one with
 * its own error message). */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fd-util.h"
#include "fs.h"
#include "log.h"
#include "net-host.h"
#include "path.h"
#include "process.h"
#include "strv.h"
#include "util.h"

static const char *const plugin_dirs_fixed[] = {
        "/usr/lib/rkt/plugins/net",
        "/usr/lib/cni",
        "/opt/cni/bin",
};

typedef enum StderrMode {
        STDERR_INHERIT,
        STDERR_CAPTURE, /* into the buffer of stdout */
        STDERR_NULL,
} StderrMode;

/* Runs path with argv and env, input on its stdin, and returns what it wrote to stdout and its status
 * (exit code, 128+n for a signal n). */
static int spawn(const char *path, char *const *argv, char *const *env, const char *input, StderrMode mode,
                 char **ret_out, int *ret_status) {
        _cleanup_close_ int in = -1, out_r = -1, out_w = -1, devnull = -1;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;
        int pipefd[2], status, r, k;
        pid_t pid;

        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0)
                return negative_errno();
        if (input) {
                in = memfd_create("rkt-cni-input", MFD_CLOEXEC);
                if (in < 0)
                        return negative_errno();
                r = loop_write(in, input, strlen(input));
                if (r < 0)
                        return r;
                if (lseek(in, 0, SEEK_SET) < 0)
                        return negative_errno();
        }
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return negative_errno();
        out_r = pipefd[0];
        out_w = pipefd[1];
        /* Not what init does with signals (it blocks them all while it supervises the pod): safe_fork(). */
        pid = safe_fork();
        if (pid < 0)
                return pid;
        if (pid == 0) {
                if (dup2(in >= 0 ? in : devnull, 0) < 0 || dup2(out_w, 1) < 0 ||
                    (mode == STDERR_CAPTURE && dup2(out_w, 2) < 0) ||
                    (mode == STDERR_NULL && dup2(devnull, 2) < 0))
                        _exit(127);
                /* Nothing of ours leaks into plugins (the pod's lock above all: a plugin that left a
                 * daemon behind would hold the pod "running" forever). */
                if (close_all_fds_except(NULL, 0) < 0)
                        _exit(127);
                execve(path, argv, env);
                _exit(127);
        }
        out_w = safe_close(out_w);
        for (;;) {
                ssize_t n;
                if (allocated - size < 4096) {
                        size_t na = allocated ? allocated * 2 : 8192;
                        char *nb = na <= 16 * 1024 * 1024 ? realloc(buf, na) : NULL;
                        if (!nb) {
                                r = -ENOMEM;
                                break;
                        }
                        buf = nb;
                        allocated = na;
                }
                n = read(out_r, buf + size, allocated - size - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        r = n < 0 ? negative_errno() : 0;
                        break;
                }
                size += n;
        }
        out_r = safe_close(out_r);
        k = wait_pid(pid, &status, 0);
        if (k < 0)
                return k;
        if (r < 0)
                return r;
        buf[size] = 0;
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (ret_out)
                *ret_out = TAKE_PTR(buf);
        return 0;
}

const char *net_iptables_path(void) {
        static const char *const candidates[] = {"/usr/sbin/iptables", "/sbin/iptables", "/usr/bin/iptables",
                                                 "/bin/iptables"};
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++)
                if (access(candidates[i], X_OK) == 0)
                        return candidates[i];
        return NULL;
}

int net_iptables_nat(char *const *args, int *ret_status, char **ret_out) {
        char *const env[] = {(char *) "PATH=" NET_PLUGIN_DEFAULT_PATH, NULL};
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *out = NULL;
        const char *path = net_iptables_path();
        int r;

        if (!path)
                return -ENOENT;
        if (strv_extend(&argv, path) < 0 || strv_extend(&argv, "-w") < 0 || strv_extend(&argv, "-t") < 0 ||
            strv_extend(&argv, "nat") < 0)
                return -ENOMEM;
        STRV_FOREACH(a, args)
        if (strv_extend(&argv, *a) < 0)
                return -ENOMEM;
        r = spawn(path, argv, env, NULL, STDERR_CAPTURE, &out, ret_status);
        if (r < 0)
                return r;
        if (ret_out)
                *ret_out = TAKE_PTR(out);
        return 0;
}

/* --- plugins --- */

int net_plugin_dirs(const char *local_config, char *const *configured, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        /* rkt 1.30 looked for third-party plugins beside the configurations first. */
        if (local_config) {
                char *d = path_join(local_config, "net.d");
                if (!d || strv_push(&l, d) < 0) {
                        free(d);
                        return -ENOMEM;
                }
        }
        STRV_FOREACH(d, configured)
        if (strv_extend(&l, *d) < 0)
                return -ENOMEM;
        for (size_t i = 0; !configured && i < ELEMENTSOF(plugin_dirs_fixed); i++)
                if (strv_extend(&l, plugin_dirs_fixed[i]) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

int net_find_plugin(char *const *dirs, const char *type, char **ret) {
        STRV_FOREACH(d, dirs) {
                _cleanup_free_ char *p = path_join(*d, type);
                struct stat st;
                if (!p)
                        return -ENOMEM;
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0) {
                        *ret = TAKE_PTR(p);
                        return 0;
                }
        }
        return -ENOENT;
}

int net_plugin_exec(const char *command, const NetInfo *ni, const char *conf, const char *uuid,
                    const char *netns, const char *cni_path, char **ret_out, RktError **reterr) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *out = NULL, *msg = NULL;
        char *argv[] = {ni->plugin_path, NULL};
        int status, r;

        r = net_plugin_env(environ, command, uuid, netns, ni->if_name, ni->args, cni_path, &env);
        if (r < 0)
                return r;
        log_debug("network '%s': executing net-plugin %s %s %s (CNI_NETNS=%s CNI_ARGS=%s)", ni->net_name,
                  ni->plugin_path, command, ni->if_name, strempty(netns), strempty(ni->args));
        r = spawn(ni->plugin_path, argv, env, conf, STDERR_INHERIT, &out, &status);
        if (r < 0)
                return rkt_error_set(reterr, r, "network '%s': running plugin '%s': %s", ni->net_name,
                                     ni->plugin_path, strerror(-r));
        if (status != 0) {
                msg = net_plugin_error(out);
                return rkt_error_set(reterr, -EIO,
                                     "network '%s': plugin '%s' (%s %s) failed with status %d%s%s",
                                     ni->net_name, ni->plugin_path, command, ni->if_name, status,
                                     msg ? ": " : "", strempty(msg));
        }
        if (ret_out)
                *ret_out = TAKE_PTR(out);
        return 0;
}
