/* SPDX-License-Identifier: Apache-2.0 */
/* stage1's stop entrypoint (/stop [--force] UUID), cwd = the pod directory.
 *
 * Without --force, the pod's systemd is asked to power off (SIGRTMIN+4, as machinectl poweroff does): the
 * apps are stopped, their exit statuses recorded, and the pod ends. A pod that is still booting is asked
 * once its systemd can hear it (see pod_poweroff); one whose systemd never gets there is left to nspawn's
 * SIGTERM handling. --force kills: SIGKILL to the pod's PID 1 (which takes every process of the pod's PID
 * namespace with it) and to nspawn. Exits 0 once the signals are sent. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>

#include "error.h"
#include "fs.h"
#include "log.h"
#include "pod-process.h"
#include "stage1-common.h"

/* How long a stop waits for a pod that is still booting to be able to hear it. */
#define STOP_READY_TIMEOUT_MS 10000

/* The nspawn init started is still there, and still nspawn (not a recycled pid). */
static int nspawn_pid(pid_t *ret, RktError **reterr) {
        pid_t pid;
        int r;

        r = stage1_read_pid_at(AT_FDCWD, POD_PPID, &pid);
        if (r < 0)
                return rkt_error_set(reterr, r, "reading '" POD_PPID "' of the pod: %s%s", strerror(-r),
                                     r == -ENOENT ? " (has the pod started?)" : "");
        if (!pod_process_is(pid, "systemd-nspawn"))
                return rkt_error_set(reterr, -ESRCH,
                                     "the pod is not running (no systemd-nspawn with pid %d)", (int) pid);
        *ret = pid;
        return 0;
}

static int kill_pod(pid_t pid, RktError **reterr) {
        _cleanup_free_ pid_t *kids = NULL;
        size_t n = 0;
        int r;

        (void) kill(pid, SIGSTOP); /* no new children while we look */
        if (pod_process_children(pid, &kids, &n) >= 0)
                for (size_t i = 0; i < n; i++)
                        (void) kill(kids[i], SIGKILL);
        if (kill(pid, SIGKILL) < 0) {
                r = negative_errno();
                return rkt_error_set(reterr, r, "killing systemd-nspawn (pid %d): %s", (int) pid,
                                     strerror(-r));
        }
        return 0;
}

static int stop(bool force, RktError **reterr) {
        pid_t pid = 0;
        int r;

        r = nspawn_pid(&pid, reterr);
        if (r < 0)
                return r;
        if (force)
                return kill_pod(pid, reterr);
        r = pod_poweroff(pid, STOP_READY_TIMEOUT_MS, reterr);
        if (r != -ETIMEDOUT)
                return r;
        /* A pod whose systemd never came up: nspawn's own orderly stop, which ends with a kill. */
        log_warning("stop: %s; asking systemd-nspawn to stop it", rkt_error_message(*reterr, r));
        *reterr = rkt_error_free(*reterr);
        if (kill(pid, SIGTERM) < 0) {
                r = negative_errno();
                return rkt_error_set(reterr, r, "signalling systemd-nspawn (pid %d): %s", (int) pid,
                                     strerror(-r));
        }
        return 0;
}

int main(int argc, char **argv) {
        return stage1_stop_main(argc, argv, stop, "stop: ");
}
