/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "image-common.h"
#include "log.h"
#include "output.h"
#include "verbs.h"

enum { OPT_PRETTY = 1 };

const Option image_cat_manifest_options[] = {
        { "pretty-print", 0, OPT_PRETTY, OPTION_BOOL, NULL, "true", "apply indent to format the output (default true)" },
        {},
};

int verb_image_cat_manifest(CliArgs *a) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_(json_object_putp) json_object *o = NULL;
        _cleanup_free_ char *id = NULL, *text = NULL;
        size_t size;
        bool pretty;
        int r;

        r = option_bool(a, OPT_PRETTY, true, &pretty);
        if (r < 0)
                return r;
        r = image_store_open(a, 0, &s);
        if (r < 0)
                return r;
        r = image_resolve(s, a->args[0], &id);
        if (r < 0)
                return r;
        r = store_read_manifest(s, id, &text, &size, &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        o = json_tokener_parse(text);
        if (!o)
                return log_error_errno(-EBADMSG, "the manifest of image '%s' is not valid JSON", id);
        return output_json(o, pretty ? OUTPUT_JSON_PRETTY : OUTPUT_JSON, stdout);
}
