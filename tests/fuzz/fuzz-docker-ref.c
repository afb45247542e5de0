/* SPDX-License-Identifier: Apache-2.0 */
/* docker:// references as users and image configs name them: parse, canonical form, ACI name. The
 * canonical form parses back to the same reference. */
#include "appc.h"
#include "docker.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = fuzz_string(data, size), *canon = NULL, *canon2 = NULL, *name = NULL;
        _cleanup_(docker_ref_done) DockerRef ref = {}, again = {};

        if (docker_ref_parse(s, &ref, NULL) < 0)
                return 0;
        FUZZ_CHECK(ref.registry && ref.repository);
        FUZZ_CHECK(!ref.digest || docker_digest_valid(ref.digest));
        canon = docker_ref_canonical(&ref);
        FUZZ_CHECK(canon);
        FUZZ_CHECK(docker_ref_parse(canon, &again, NULL) >= 0);
        canon2 = docker_ref_canonical(&again);
        FUZZ_CHECK(canon2 && streq(canon, canon2));
        if (docker_ref_image_name(&ref, &name) >= 0)
                FUZZ_CHECK(appc_ac_identifier_valid(name));
        return 0;
}
