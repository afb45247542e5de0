/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "appc.h"
#include "image-common.h"
#include "log.h"
#include "pod-common.h"
#include "strv.h"
#include "verbs.h"

enum { OPT_PRETTY = 1, OPT_UUID_FILE };

const Option cat_manifest_options[] = {
        {"pretty-print", 0, OPT_PRETTY, OPTION_BOOL, NULL, "true",
         "apply indent to format the output (default true)"},
        {"uuid-file", 0, OPT_UUID_FILE, OPTION_REQUIRED, "FILE", NULL,
         "read pod UUID from file instead of argument"},
        {},
};

int verb_cat_manifest(CliArgs *a) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_strv_free_ char **uuids = NULL;
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        _cleanup_free_ char *text = NULL, *out = NULL;
        const char *uuid_file = NULL;
        size_t size;
        bool pretty;
        int r;

        r = option_bool(a, OPT_PRETTY, true, &pretty);
        if (r < 0)
                return r;
        uuid_file = option_value(a, OPT_UUID_FILE);
        r = pod_uuids_from_args(a, uuid_file, false, true, &uuids);
        if (r < 0)
                return r;
        r = pod_open_logged(a, uuids[0], "problem retrieving pod", &p);
        if (r < 0)
                return r;
        r = pod_read_file(p, POD_MANIFEST, &text, &size);
        if (r < 0)
                return log_error_errno(r, "cannot read the pod manifest of \"%s\": %m", p->uuid);
        /* Re-encoded as rkt does (the reference encoder's field order), not the bytes on disk. */
        r = appc_pod_manifest_parse(text, size, &m, &err);
        if (r >= 0)
                r = (pretty ? appc_pod_manifest_to_json_pretty : appc_pod_manifest_to_json)(m, &out, &err);
        if (r < 0)
                return log_error_errno(r, "invalid pod manifest of \"%s\": %s", p->uuid,
                                       rkt_error_message(err, r));
        fputs(out, stdout);
        if (!*out || out[strlen(out) - 1] != '\n')
                fputc('\n', stdout);
        return 0;
}
