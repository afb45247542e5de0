/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "format.h"
#include "image-common.h"
#include "log.h"
#include "strv.h"
#include "util.h"
#include "verbs.h"

enum { OPT_GRACE = 1 };

const Option image_gc_options[] = {
        {"grace-period", 0, OPT_GRACE, OPTION_REQUIRED, "DURATION", "24h0m0s",
         "duration to wait since an image was last used before removing it"},
        {},
};

int verb_image_gc(CliArgs *a) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_strv_free_ char **pod_images = NULL, **pod_trees = NULL;
        uint64_t grace = 24ULL * 3600 * 1000000, now = now_usec();
        StoreGcResult res;
        int r;

        for (size_t i = 0; i < a->n_options; i++)
                if (a->options[i].option->id == OPT_GRACE &&
                    parse_duration_usec(a->options[i].value, &grace) < 0)
                        return log_error_errno(-EINVAL,
                                               "--grace-period '%s': not a duration (e.g. 30m, 24h, 0s)",
                                               a->options[i].value);
        /* The exclusive store lock waits for fetches and renders in flight and keeps new ones out. */
        r = image_store_open_for_removal(a, &s, &pod_images, &pod_trees);
        if (r < 0)
                return r;
        r = store_gc(s, now > grace ? now - grace : 0, pod_images, pod_trees, &res, &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        STRV_FOREACH(t, res.removed_trees)
        printf("removed treestore \"%s\"\n", *t);
        STRV_FOREACH(id, res.removed_images)
        printf("successfully removed aci for image: \"%s\"\n", *id);
        log_info("%zu image(s) successfully removed", strv_length(res.removed_images));
        store_gc_result_done(&res);
        return 0;
}
