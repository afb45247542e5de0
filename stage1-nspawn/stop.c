/* SPDX-License-Identifier: Apache-2.0 */
/* stage1's stop entrypoint (/stop [--force] UUID), cwd = the pod directory.
 *
 * SIGTERM to nspawn (the "ppid" process) makes it ask the pod's systemd to halt: the apps are stopped,
 * their exit statuses recorded, and the pod ends. --force kills: SIGKILL to the pod's PID 1 (which takes
 * every process of the pod's PID namespace with it) and to nspawn. Exits 0 once the signals are sent. */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "error.h"
#include "fs.h"
#include "log.h"
#include "stage1-common.h"
#include "strv.h"

/* The process init exec'd into is still there, and still nspawn (not a recycled pid). */
static int nspawn_pid(pid_t *ret, RktError **reterr) {
        _cleanup_free_ char *comm = NULL;
        char path[64];
        pid_t pid;
        int r;

        r = stage1_read_pid_at(AT_FDCWD, STAGE1_PPID, &pid);
        if (r < 0)
                return rkt_error_set(reterr, r, "reading '" STAGE1_PPID "' of the pod: %s%s", strerror(-r),
                                     r == -ENOENT ? " (has the pod started?)" : "");
        snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
        r = read_full_file_at(AT_FDCWD, path, &comm, NULL);
        if (r < 0 || !streq(comm, "systemd-nspawn\n"))
                return rkt_error_set(reterr, -ESRCH,
                                     "the pod is not running (no systemd-nspawn with pid %d)", (int) pid);
        *ret = pid;
        return 0;
}

/* nspawn's children: the pod's PID 1 (and, briefly at start, its helpers). */
static int children(pid_t pid, char ***ret) {
        _cleanup_strv_free_ char **all = NULL;
        char path[64];
        DIR *d;
        struct dirent *de;
        int r = 0;

        snprintf(path, sizeof(path), "/proc/%d/task", (int) pid);
        d = opendir(path);
        if (!d)
                return negative_errno();
        while (r >= 0 && (de = readdir(d))) {
                _cleanup_free_ char *text = NULL, *file = NULL;
                _cleanup_strv_free_ char **l = NULL;

                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&file, "%s/%s/children", path, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (read_full_file_at(AT_FDCWD, file, &text, NULL) < 0)
                        continue;
                r = strv_split(text, " \n", &l);
                STRV_FOREACH(c, l) {
                        if (r >= 0)
                                r = strv_extend(&all, *c);
                }
        }
        closedir(d);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(all);
        return 0;
}

static int stop(bool force, RktError **reterr) {
        pid_t pid = 0;
        int r;

        r = nspawn_pid(&pid, reterr);
        if (r < 0)
                return r;
        if (force) {
                _cleanup_strv_free_ char **kids = NULL;

                (void) kill(pid, SIGSTOP); /* no new children while we look */
                r = children(pid, &kids);
                STRV_FOREACH(k, kids) {
                        (void) kill((pid_t) atoi(*k), SIGKILL);
                }
                if (kill(pid, SIGKILL) < 0) {
                        r = negative_errno();
                        return rkt_error_set(reterr, r, "killing systemd-nspawn (pid %d): %s", (int) pid,
                                             strerror(-r));
                }
                return 0;
        }
        if (kill(pid, SIGTERM) < 0) {
                r = negative_errno();
                return rkt_error_set(reterr, r, "signalling systemd-nspawn (pid %d): %s", (int) pid,
                                     strerror(-r));
        }
        return 0;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                {"force", no_argument, NULL, 'f'},
                {},
        };
        _cleanup_error_ RktError *error = NULL;
        bool force = false;
        int c, r;

        log_set_prefix("stage1");
        opterr = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (c != 'f') {
                        log_error("stop: unknown option '%s'; usage: stop [--force] UUID", argv[optind - 1]);
                        return STAGE1_EXIT_FAILURE;
                }
                force = true;
        }
        if (optind != argc - 1 || !stage1_uuid_valid(argv[optind])) {
                log_error("stop: usage: stop [--force] UUID");
                return STAGE1_EXIT_FAILURE;
        }
        r = stop(force, &error);
        if (r < 0) {
                log_error("stop: %s", rkt_error_message(error, r));
                return STAGE1_EXIT_FAILURE;
        }
        return 0;
}
