/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"
#include "run-common.h"
#include "verbs.h"

/* `rkt run`: prepare a pod and hand it to stage1 in this process, so that rkt's exit status is the pod's. */
int verb_run(CliArgs *a) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_error_ RktError *err = NULL;
        RunArgs r;
        int k;

        k = run_new_pod(a, &r, &p);
        if (k >= 0) {
                k = pod_mark_running(p, &err);
                if (k < 0)
                        log_error("pod %s: %s", p->uuid, rkt_error_message(err, k));
        }
        if (k >= 0)
                k = run_exec_stage1(a, &r, p);
        run_args_done(&r);
        return k;
}
