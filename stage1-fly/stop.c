/* SPDX-License-Identifier: Apache-2.0 */
/* stage1-fly's stop entrypoint (/stop [--force] UUID), cwd = the pod directory. The pod is one process,
 * the app (pid), with no supervisor to ask: SIGTERM to it (--force: SIGKILL), or, when it is gone, to the
 * process group it ran in (pgid), which its children may still hold, as rkt's fly did. Exits 0 once the
 * signal is sent. */
#include <fcntl.h>
#include <signal.h>

#include "error.h"
#include "log.h"
#include "stage1-common.h"

static int read_pid(const char *name, pid_t *ret, RktError **reterr) {
        int r = stage1_read_pid_at(AT_FDCWD, name, ret);

        if (r < 0)
                return rkt_error_set(reterr, r, "reading '%s' of the pod: %s%s", name, strerror(-r),
                                     r == -ENOENT ? " (has the pod started?)" : "");
        return 0;
}

static int stop(bool force, RktError **reterr) {
        int sig = force ? SIGKILL : SIGTERM, r;
        pid_t pid, pgid;

        r = read_pid(POD_PID, &pid, reterr);
        if (r < 0)
                return r;
        if (kill(pid, 0) >= 0) {
                if (kill(pid, sig) < 0)
                        return rkt_error_set(reterr, negative_errno(), "signalling the app (pid %d): %m",
                                             (int) pid);
                return 0;
        }
        r = read_pid(POD_PGID, &pgid, reterr);
        if (r < 0)
                return r;
        if (kill(-pgid, sig) < 0)
                return rkt_error_set(reterr, negative_errno(), "signalling the app's process group %d: %m",
                                     (int) pgid);
        return 0;
}

int main(int argc, char **argv) {
        return stage1_stop_main(argc, argv, stop, "");
}
