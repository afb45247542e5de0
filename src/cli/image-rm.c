/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>

#include "image-common.h"
#include "log.h"
#include "strv.h"
#include "verbs.h"

/* `rkt image rm IMAGE…`: each image by ID (prefix) or name; a failure does not stop the others. Arguments
 * that name an image removed already (its ID and its name) remove it once, as in rkt 1.30. */
int verb_image_rm(CliArgs *a) {
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_strv_free_ char **pod_images = NULL, **pod_trees = NULL, **done = NULL, **ids = NULL;
        size_t removed = 0, failed = 0;
        int r, ret = 0;

        /* The store to ourselves: a fetch or a pod being prepared holds it shared while it resolves,
         * reads and renders its images, so nothing is removed under them, and the pods we then see are
         * all those whose trees must stay. */
        r = image_store_open_for_removal(a, &s, &pod_images, &pod_trees);
        if (r < 0)
                return r;
        /* All names resolved before anything goes: a name resolves no more once its image is removed. */
        ids = calloc(a->n_args + 1, sizeof(char *));
        if (!ids)
                return log_error_errno(-ENOMEM, "Out of memory");
        for (size_t i = 0; i < a->n_args; i++) {
                r = image_resolve(s, a->args[i], &ids[i]);
                if (r < 0) {
                        /* "": nothing to remove (the list stays without holes). */
                        ids[i] = strdup("");
                        if (!ids[i])
                                return log_error_errno(-ENOMEM, "Out of memory");
                        if (ret == 0)
                                ret = r;
                        failed++;
                }
        }
        for (size_t i = 0; i < a->n_args; i++) {
                _cleanup_error_ RktError *e = NULL;

                if (isempty(ids[i]) || strv_contains(done, ids[i]))
                        continue;
                r = store_remove(s, ids[i], pod_trees, &e);
                if (r < 0) {
                        log_error("image '%s': %s", a->args[i], rkt_error_message(e, r));
                        if (ret == 0)
                                ret = r;
                        failed++;
                        continue;
                }
                printf("successfully removed aci for image: \"%s\"\n", ids[i]);
                removed++;
                if (strv_extend(&done, ids[i]) < 0)
                        return log_error_errno(-ENOMEM, "Out of memory");
        }
        if (ret < 0)
                log_error("%zu image(s) successfully removed, %zu failed", removed, failed);
        else
                log_info("%zu image(s) successfully removed", removed);
        return ret;
}
