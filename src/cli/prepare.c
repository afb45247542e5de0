/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "log.h"
#include "run-common.h"
#include "verbs.h"

/* `rkt prepare`: a pod ready for `rkt run-prepared`; prints its UUID. */
int verb_prepare(CliArgs *a) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_error_ RktError *err = NULL;
        RunArgs r;
        int k;

        k = run_new_pod(a, &r, pod_mark_prepared, &p);
        /* As in rkt 1.30, a prepared pod holds no mounts: run-prepared mounts its overlays, and removing the
         * pod directory (by hand, or its data directory) needs no unmounting. */
        if (k >= 0) {
                k = pod_unmount_all(p, &err);
                if (k < 0)
                        log_error("pod %s: %s", p->uuid, rkt_error_message(err, k));
                else
                        printf("%s\n", p->uuid);
        }
        run_args_done(&r);
        return k;
}
