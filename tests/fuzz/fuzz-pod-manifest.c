/* SPDX-License-Identifier: Apache-2.0 */
/* Pod manifests (a pod dir's "pod", rkt run --pod-manifest): JSON -> types -> validation -> JSON, and
 * parse(write(parse(x))) == parse(x). */
#include "appc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL, *again = NULL;
        _cleanup_free_ char *json = NULL, *json2 = NULL;
        _cleanup_error_ RktError *e = NULL;

        if (appc_pod_manifest_parse((const char *) data, size, &m, &e) < 0)
                return 0;
        e = rkt_error_free(e);
        (void) appc_pod_manifest_validate(m, &e);
        e = rkt_error_free(e);
        if (appc_pod_manifest_to_json(m, &json, &e) < 0)
                return 0;
        e = rkt_error_free(e);
        /* What rkt writes, it reads back as the same manifest and writes the same bytes. */
        FUZZ_CHECK(appc_pod_manifest_parse(json, strlen(json), &again, &e) >= 0);
        FUZZ_CHECK(appc_pod_manifest_equal(m, again));
        FUZZ_CHECK(appc_pod_manifest_to_json(again, &json2, NULL) >= 0);
        FUZZ_CHECK(streq(json, json2));
        return 0;
}
