/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "log.h"
#include "pod-common.h"
#include "strv.h"
#include "verbs.h"

enum { OPT_UUID_FILE = 1 };

const Option rm_options[] = {
        {"uuid-file", 0, OPT_UUID_FILE, OPTION_REQUIRED, "FILE", NULL,
         "read pod UUID from file instead of argument"},
        {},
};

/* Moves the pod to its garbage directory, locks it and deletes it as gc would, without a grace period. */
static int remove_pod(const CliArgs *a, Pod *p) {
        _cleanup_error_ RktError *err = NULL;
        int r = 0;

        switch (p->state) {
        case POD_RUNNING:
                return log_error_errno(-EBUSY, "pod \"%s\" is currently running", p->uuid);
        case POD_EMBRYO:
        case POD_PREPARING:
                return log_error_errno(-EBUSY, "pod \"%s\" is currently being prepared", p->uuid);
        case POD_DELETING:
        case POD_EXITED_DELETING:
                return log_error_errno(-EBUSY, "pod \"%s\" is currently being deleted", p->uuid);
        case POD_ABORTED_PREPARE:
                log_info("moving failed prepare \"%s\" to garbage", p->uuid);
                r = pod_to_garbage(p, &err);
                break;
        case POD_PREPARED:
                log_info("moving expired prepared pod \"%s\" to garbage", p->uuid);
                r = pod_to_garbage(p, &err);
                break;
        case POD_EXITED:
                r = pod_to_exited_garbage(p, &err);
                break;
        default: /* already garbage */
                break;
        }
        if (r < 0)
                return log_error_errno(r, "rename error: %s", rkt_error_message(err, r));
        /* Another process may have moved the pod first: to where we wanted it (gc), or not (run-prepared).
         */
        if (p->state != POD_EXITED_GARBAGE && p->state != POD_GARBAGE)
                return log_error_errno(-EBUSY, "pod \"%s\" is now %s, not removed", p->uuid,
                                       pod_state_to_string(p->state));
        r = pod_lock(p, true, &err);
        if (r < 0)
                return log_error_errno(r, "unable to acquire exclusive lock: %s", rkt_error_message(err, r));
        return pod_delete(a, p);
}

int verb_rm(CliArgs *a) {
        _cleanup_strv_free_ char **uuids = NULL;
        const char *uuid_file = NULL;
        bool failed = false;
        int r;

        uuid_file = option_value(a, OPT_UUID_FILE);
        r = pod_uuids_from_args(a, uuid_file, true, false, &uuids);
        if (r < 0)
                return r;
        STRV_FOREACH(u, uuids) {
                _cleanup_(pod_freep) Pod *p = NULL;
                if (pod_open_logged(a, *u, "cannot get pod", &p) < 0 || remove_pod(a, p) < 0) {
                        failed = true;
                        continue;
                }
                printf("\"%s\"\n", p->uuid);
        }
        fflush(stdout);
        if (failed)
                return log_error_errno(-EIO, "failed to remove one or more pods");
        return 0;
}
