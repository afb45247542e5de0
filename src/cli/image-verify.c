/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "image-common.h"
#include "log.h"
#include "pod-refs.h"
#include "strv.h"
#include "verbs.h"

/* `rkt image verify IMAGE…`: checks each image's blobs against their IDs and its rendered tree against the
 * digest recorded when it was rendered; a damaged tree is rendered again. A damaged blob cannot be mended
 * here: the message says how to get a sound copy. A failure does not stop the others. */
int verb_image_verify(CliArgs *a) {
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_strv_free_ char **busy = NULL;
        _cleanup_error_ RktError *err = NULL;
        int r, ret = 0;

        r = image_store_open(a, STORE_WRITABLE, &s);
        if (r < 0)
                return r;
        r = pod_refs_running_trees(a->globals->dir, &busy, &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        for (size_t i = 0; i < a->n_args; i++) {
                _cleanup_error_ RktError *e = NULL;
                _cleanup_free_ char *id = NULL, *short_id = NULL;
                StoreVerifyResult res = {};

                r = image_resolve(s, a->args[i], &id);
                if (r < 0) {
                        ret = ret ?: r;
                        continue;
                }
                short_id = image_id_short(id, 32);
                if (!short_id)
                        return log_oom();
                r = store_verify(s, id, geteuid() == 0, busy, &res, &e);
                if (r == -EBADMSG)
                        log_error("image '%s' (%s): %s; remove it with 'rkt image rm %s' and fetch it again",
                                  a->args[i], short_id, rkt_error_message(e, r), short_id);
                else if (r < 0)
                        log_error("image '%s' (%s): %s", a->args[i], short_id, rkt_error_message(e, r));
                else if (res.tree == STORE_TREE_REPAIRED)
                        printf("tree cache verification failed for image \"%s\": %s; rebuilt\n", a->args[i],
                               res.cause);
                else
                        printf("successfully verified checksum for image: \"%s\" (\"%s\")\n", a->args[i],
                               id);
                store_verify_result_done(&res);
                if (r < 0)
                        ret = ret ?: r;
        }
        return ret;
}
