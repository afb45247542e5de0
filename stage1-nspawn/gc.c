/* SPDX-License-Identifier: Apache-2.0 */
/* stage1's gc entrypoint (/gc [--debug] [--local-config=DIR] UUID), cwd = the directory of an exited pod.
 *
 * Removes what stage1 left on the host: the pod's network (port forwarding, CNI DEL of each network, its
 * network namespace; see net.h) when init could not tear it down itself, the journal link
 * /var/log/journal/<machine-id> (nspawn's --link-journal) when it points into this pod, and the pod's
 * cgroup ("subcgroup") when it is one stage1 made for the pod, killing what is left running in it.
 * Idempotent: exits
 * 0 when nothing is left. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "error.h"
#include "fd-util.h"
#include "fs.h"
#include "log.h"
#include "net.h"
#include "path.h"
#include "stage1-common.h"
#include "util.h"

#define HOST_JOURNAL_DIR "/var/log/journal"

static int remove_journal_link(const char *uuid, RktError **reterr) {
        _cleanup_free_ char *link = NULL, *suffix = NULL;
        char mid[33], target[PATH_MAX];
        ssize_t n;

        stage1_machine_id(uuid, mid);
        if (asprintf(&link, HOST_JOURNAL_DIR "/%s", mid) < 0 ||
            asprintf(&suffix, "/" POD_STAGE1_ROOTFS "/var/log/journal/%s", mid) < 0)
                return -ENOMEM;
        n = readlink(link, target, sizeof(target) - 1);
        if (n < 0) {
                /* Gone already, or a real directory (a host's journal is never ours to remove). */
                if (errno == ENOENT || errno == EINVAL)
                        return 0;
                int r = negative_errno();
                return rkt_error_set(reterr, r, "reading the journal link %s: %s", link, strerror(-r));
        }
        target[n] = 0;
        /* The pod may have moved since nspawn made the link (run/ -> exited-garbage/), so only the part
         * inside the pod is compared. */
        if (!endswith(target, suffix)) {
                log_debug("%s points to %s, not into a pod's stage1: left alone", link, target);
                return 0;
        }
        if (unlink(link) < 0 && errno != ENOENT) {
                int r = negative_errno();
                return rkt_error_set(reterr, r, "removing the journal link %s: %s", link, strerror(-r));
        }
        return 0;
}

/* rmdir of a cgroup and its (empty) children, bottom-up; -EBUSY when processes are left. */
static int rmdir_cgroup(const char *path) {
        DIR *d = opendir(path);
        struct dirent *de;
        int r = 0;

        if (!d)
                return errno == ENOENT ? 0 : negative_errno();
        while ((de = readdir(d))) {
                _cleanup_free_ char *sub = NULL;
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                sub = path_join(path, de->d_name);
                if (!sub) {
                        r = -ENOMEM;
                        break;
                }
                int k = rmdir_cgroup(sub);
                if (k < 0 && r == 0)
                        r = k;
        }
        closedir(d);
        if (rmdir(path) < 0 && errno != ENOENT && r == 0)
                r = negative_errno();
        return r;
}

/* SIGKILLs the processes in a cgroup and its children; how many there were. */
static int kill_cgroup_processes(const char *path) {
        _cleanup_free_ char *procs = path_join(path, "cgroup.procs"), *text = NULL;
        DIR *d;
        struct dirent *de;
        int n = 0;

        if (!procs)
                return -ENOMEM;
        if (read_full_file_at(AT_FDCWD, procs, &text, NULL) >= 0)
                for (char *p = text, *end; *p; p = end + strspn(end, "\n")) {
                        long pid = strtol(p, &end, 10);
                        if (end == p)
                                break;
                        if (pid > 1 && kill((pid_t) pid, SIGKILL) >= 0)
                                n++;
                }
        d = opendir(path);
        if (!d)
                return n;
        while ((de = readdir(d))) {
                _cleanup_free_ char *sub = NULL;
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                sub = path_join(path, de->d_name);
                if (sub) {
                        int k = kill_cgroup_processes(sub);
                        n += k > 0 ? k : 0;
                }
        }
        closedir(d);
        return n;
}

/* A pod is garbage only once its lock is free, so whatever still runs in its own cgroup outlived the
 * processes that should have ended it (rkt's stage1 init and nspawn killed together): it goes now. */
static int empty_cgroup(const char *path) {
        int r = rmdir_cgroup(path);

        for (int round = 0; r == -EBUSY && round < 100; round++) {
                int n = kill_cgroup_processes(path);
                if (round == 0 && n > 0)
                        log_info("killed %d leftover process%s of the pod in %s", n, n == 1 ? "" : "es",
                                 path);
                (void) nanosleep(&(struct timespec){.tv_nsec = 20 * 1000000L}, NULL);
                r = rmdir_cgroup(path);
        }
        return r;
}

static int remove_cgroups(const char *uuid, RktError **reterr) {
        _cleanup_free_ char *sub = NULL, *scope = NULL;
        CgroupHierarchy h[2];
        int n, r;

        r = read_regular_file_at(AT_FDCWD, POD_SUBCGROUP, PATH_MAX, &sub, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return rkt_error_set(reterr, r, "reading " POD_SUBCGROUP ": %s", strerror(-r));
        sub[strcspn(sub, "\n")] = 0;
        r = stage1_scope_name(uuid, &scope);
        if (r < 0)
                return r;
        /* Only a cgroup named after this pod: with --keep-unit the pod lived in the cgroup of the service
         * that ran rkt, which is that service's manager's to remove. */
        if (!endswith(sub, scope) || strstr(sub, "..") ||
            !(sub[strlen(sub) - strlen(scope) - 1] == '/' || strlen(sub) == strlen(scope))) {
                log_debug("subcgroup '%s' is not this pod's own cgroup: left alone", sub);
                return 0;
        }
        n = stage1_cgroup_hierarchies(h);
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *path = path_join(h[i].mount, sub);
                if (!path)
                        return -ENOMEM;
                r = empty_cgroup(path);
                if (r < 0)
                        return rkt_error_set(reterr, r, "removing the pod's cgroup %s: %s%s", path,
                                             strerror(-r),
                                             r == -EBUSY ? " (processes of the pod are still running)" : "");
        }
        return 0;
}

int main(int argc, char **argv) {
        _cleanup_error_ RktError *error = NULL;
        const char *uuid;
        int r, k;

        if (stage1_gc_args(argc, argv, &uuid) < 0)
                return STAGE1_EXIT_FAILURE;
        /* Each part on its own: one that fails does not keep the others from being removed. Processes
         * first, so that nothing uses the network while it goes. */
        r = remove_cgroups(uuid, &error);
        /* machined can keep a machine whose nspawn was killed while registering it. */
        k = stage1_terminate_machine(uuid);
        if (k > 0)
                log_debug("terminated the leftover machine rkt-%s", uuid);
        {
                _cleanup_close_ int podfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                k = podfd < 0 ? rkt_error_set(&error, negative_errno(), "opening the pod directory: %m")
                              : net_pod_teardown(podfd, uuid, true, &error);
        }
        r = r < 0 ? r : k;
        k = remove_journal_link(uuid, &error);
        r = r < 0 ? r : k;
        if (r < 0) {
                log_error("gc: %s", rkt_error_message(error, r));
                return STAGE1_EXIT_FAILURE;
        }
        return 0;
}
