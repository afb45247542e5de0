/* SPDX-License-Identifier: Apache-2.0 */
#include "run-common.h"
#include "verbs.h"

/* `rkt run`: prepare a pod and hand it to stage1 in this process, so that rkt's exit status is the pod's. */
int verb_run(CliArgs *a) {
        _cleanup_(pod_freep) Pod *p = NULL;
        RunArgs r;
        int k;

        k = run_new_pod(a, &r, pod_mark_running, &p);
        if (k >= 0)
                k = run_exec_stage1(a, &r, p);
        run_args_done(&r);
        return k;
}
