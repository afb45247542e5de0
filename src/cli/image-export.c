/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "image-common.h"
#include "insecure.h"
#include "log.h"
#include "output.h"
#include "verbs.h"

enum { OPT_OVERWRITE = 1 };

const Option image_export_options[] = {
        {"overwrite", 0, OPT_OVERWRITE, OPTION_BOOL, NULL, "false", "overwrite the output ACI if it exists"},
        {},
};

typedef struct ExportImage {
        Store *store;
        const char *id;
        bool verify;
} ExportImage;

static int fill(int fd, void *userdata, RktError **reterr) {
        ExportImage *e = userdata;
        return store_export(e->store, e->id, fd, e->verify, reterr);
}

/* Writes the image's ACI exactly as stored (an uncompressed tar: its hash is the image ID). */
int verb_image_export(CliArgs *a) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_free_ char *id = NULL, *out = NULL;
        bool overwrite;
        int r;

        r = option_bool(a, OPT_OVERWRITE, false, &overwrite);
        if (r < 0)
                return r;
        r = output_path_new(a->args[1], overwrite, &out);
        if (r < 0)
                return r;
        r = image_open_resolved(a, 0, a->args[0], &s, &id);
        if (r < 0)
                return r;
        r = output_file_write(
                out, overwrite, fill,
                &(ExportImage){.store = s, .id = id, .verify = !(a->globals->insecure & INSECURE_ONDISK)},
                &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        return 0;
}
