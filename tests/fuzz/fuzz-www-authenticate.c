/* SPDX-License-Identifier: Apache-2.0 */
/* A registry's WWW-Authenticate challenge (Bearer realm=…,service=…,scope=…; Basic realm=…). */
#include "docker.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = fuzz_string(data, size);
        _cleanup_(docker_challenge_done) DockerChallenge c = {};

        if (docker_challenge_parse(s, &c) < 0)
                return 0;
        FUZZ_CHECK(c.scheme);
        for (const char *p = c.scheme; *p; p++)
                FUZZ_CHECK(!(*p >= 'A' && *p <= 'Z'));
        return 0;
}
