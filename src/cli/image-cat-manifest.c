/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "appc.h"
#include "image-common.h"
#include "log.h"
#include "verbs.h"

enum { OPT_PRETTY = 1 };

const Option image_cat_manifest_options[] = {
        {"pretty-print", 0, OPT_PRETTY, OPTION_BOOL, NULL, "true",
         "apply indent to format the output (default true)"},
        {},
};

int verb_image_cat_manifest(CliArgs *a) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *m = NULL;
        _cleanup_free_ char *id = NULL, *text = NULL, *out = NULL;
        size_t size;
        bool pretty;
        int r;

        r = option_bool(a, OPT_PRETTY, true, &pretty);
        if (r < 0)
                return r;
        r = image_open_resolved(a, 0, a->args[0], &s, &id);
        if (r < 0)
                return r;
        r = store_read_manifest(s, id, &text, &size, &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        /* Re-encoded as rkt 1.30 did (the reference encoder's field order, empty lists left out), not the
         * bytes in the store. */
        r = appc_image_manifest_parse(text, size, &m, &err);
        if (r < 0)
                return log_error_errno(r, "the manifest of image '%s': %s", id, rkt_error_message(err, r));
        r = (pretty ? appc_image_manifest_to_json_pretty : appc_image_manifest_to_json)(m, &out, &err);
        if (r < 0)
                return log_error_errno(r, "the manifest of image '%s': %s", id, rkt_error_message(err, r));
        fputs(out, stdout);
        if (!*out || out[strlen(out) - 1] != '\n')
                fputc('\n', stdout);
        return 0;
}
