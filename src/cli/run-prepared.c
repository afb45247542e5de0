/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"
#include "pod-prepare.h"
#include "run-common.h"
#include "store.h"
#include "verbs.h"

/* `rkt run-prepared UUID`: run a pod made by `rkt prepare`. */
int verb_run_prepared(CliArgs *a) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_error_ RktError *err = NULL;
        RunArgs r;
        int k;

        k = run_prepared_args_parse(a, &r);
        if (k < 0)
                goto finish;
        k = pod_open(a->globals->dir, a->args[0], &p, &err);
        if (k < 0) {
                log_error("%s", rkt_error_message(err, k));
                goto finish;
        }
        if (p->state != POD_PREPARED) {
                k = log_error_errno(-EINVAL, "pod %s is %s, not prepared", p->uuid,
                                    pod_state_to_string(p->state));
                goto finish;
        }
        {
                _cleanup_free_ char *private_users = NULL;
                k = run_private_users(&r, p, &private_users);
                if (k < 0)
                        goto finish;
        }
        k = pod_mark_running(p, &err);
        if (k < 0) {
                log_error("pod %s: %s", p->uuid, rkt_error_message(err, k));
                goto finish;
        }
        /* After a reboot the overlays of a prepared pod are gone: mount them again. */
        k = store_open(a->globals->dir, STORE_WRITABLE, &s, &err);
        if (k >= 0)
                k = pod_remount(p, s, &err);
        if (k < 0) {
                log_error("pod %s: %s", p->uuid, rkt_error_message(err, k));
                goto finish;
        }
        s = store_close(s);
        k = run_exec_stage1(a, &r, p);
finish:
        run_args_done(&r);
        return k;
}
