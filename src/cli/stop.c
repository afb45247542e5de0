/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "log.h"
#include "pod-common.h"
#include "strv.h"
#include "verbs.h"

enum { OPT_FORCE = 1, OPT_UUID_FILE };

const Option stop_options[] = {
        {"force", 0, OPT_FORCE, OPTION_BOOL, NULL, "false", "forced stopping"},
        {"uuid-file", 0, OPT_UUID_FILE, OPTION_REQUIRED, "FILE", NULL,
         "read pod UUID from file instead of argument"},
        {},
};

/* 0 when stopped (or already), negative after logging. */
static int stop_one(const CliArgs *a, const char *uuid, bool force) {
        _cleanup_(pod_freep) Pod *p = NULL;
        char *args[3] = {};
        size_t n = 0;
        int r;

        r = pod_open_logged(a, uuid, "cannot get pod", &p);
        if (r < 0)
                return r;
        if (pod_state_is_after_run(p->state)) {
                printf("pod \"%s\" is already stopped\n", p->uuid);
                return 0;
        }
        if (p->state != POD_RUNNING)
                return log_error_errno(-EINVAL, "pod \"%s\" is not running", p->uuid);
        if (force)
                args[n++] = (char *) "--force";
        args[n++] = p->uuid;
        /* stage1 knows how its pod ends (nspawn: SIGTERM, or SIGKILL to all with --force). */
        r = pod_run_entrypoint(p, STAGE1_STOP, args, false);
        if (r > 0)
                return log_error_errno(-EIO, "error stopping \"%s\": exit status %d", p->uuid, r);
        if (r < 0)
                return r; /* logged */
        printf("\"%s\"\n", p->uuid);
        return 0;
}

int verb_stop(CliArgs *a) {
        _cleanup_strv_free_ char **uuids = NULL;
        const char *uuid_file = NULL;
        bool force = false;
        unsigned failed = 0;
        int r;

        for (size_t i = 0; i < a->n_options; i++) {
                const ParsedOption *o = &a->options[i];
                if (o->option->id == OPT_FORCE && (r = cli_bool(o, &force)) < 0)
                        return r;
                if (o->option->id == OPT_UUID_FILE)
                        uuid_file = o->value;
        }
        r = pod_uuids_from_args(a, uuid_file, true, false, &uuids);
        if (r == -EIO)
                return 1; /* as rkt 1.30 */
        if (r < 0)
                return r;
        STRV_FOREACH(u, uuids)
        if (stop_one(a, *u, force) < 0)
                failed++;
        fflush(stdout);
        if (failed > 0)
                return log_error_errno(-EIO, "failed to stop %u pod(s)", failed);
        return 0;
}
