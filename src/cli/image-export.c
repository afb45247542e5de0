/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "image-common.h"
#include "insecure.h"
#include "log.h"
#include "path.h"
#include "verbs.h"

enum { OPT_OVERWRITE = 1 };

const Option image_export_options[] = {
        { "overwrite", 0, OPT_OVERWRITE, OPTION_BOOL, NULL, "false", "overwrite the output ACI if it exists" },
        {},
};

/* Writes the image's ACI exactly as stored (an uncompressed tar: its hash is the image ID), to a temporary
 * file renamed into place, so OUT.aci is never half-written. */
int verb_image_export(CliArgs *a) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_free_ char *id = NULL, *out = NULL, *tmp = NULL;
        _cleanup_close_ int fd = -1;
        bool overwrite;
        int r;

        r = option_bool(a, OPT_OVERWRITE, false, &overwrite);
        if (r < 0)
                return r;
        r = path_make_absolute_cwd(a->args[1], &out);
        if (r < 0)
                return log_error_errno(r, "'%s': %m", a->args[1]);
        if (!overwrite && access(out, F_OK) == 0)
                return log_error_errno(-EEXIST, "'%s' already exists; pass --overwrite to replace it", a->args[1]);
        r = image_store_open(a, 0, &s);
        if (r < 0)
                return r;
        r = image_resolve(s, a->args[0], &id);
        if (r < 0)
                return r;
        if (asprintf(&tmp, "%s.tmp-%d", out, (int) getpid()) < 0)
                return log_error_errno(-ENOMEM, "Out of memory");
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
                return log_error_errno(negative_errno(), "cannot create '%s': %m", tmp);
        r = store_export(s, id, fd, !(a->globals->insecure & INSECURE_ONDISK), &err);
        if (r >= 0 && fsync(fd) < 0)
                r = rkt_error_set(&err, negative_errno(), "writing '%s': %m", tmp);
        if (r >= 0 && rename(tmp, out) < 0)
                r = rkt_error_set(&err, negative_errno(), "renaming to '%s': %m", out);
        if (r < 0) {
                (void) unlink(tmp);
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        }
        return 0;
}
