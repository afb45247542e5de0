/* SPDX-License-Identifier: Apache-2.0 */
#include "insecure.h"
#include "macro.h"
#include "unit.h"

static void test_parse(void **state) {
        unsigned f = 0;
        const char *bad = NULL;
        size_t badlen = 0;

        assert_int_equal(insecure_parse("none", &f, NULL, NULL), 0);
        assert_int_equal(f, 0);
        assert_int_equal(insecure_parse("image,tls", &f, NULL, NULL), 0);
        assert_int_equal(f, INSECURE_IMAGE | INSECURE_TLS);
        assert_int_equal(insecure_parse("all-fetch", &f, NULL, NULL), 0);
        /* As rkt's code (not its docs) defines it, all-fetch includes pubkey. */
        assert_int_equal(f, INSECURE_IMAGE | INSECURE_TLS | INSECURE_HTTP | INSECURE_PUBKEY);
        assert_int_equal(insecure_parse("all-run", &f, NULL, NULL), 0);
        assert_int_equal(f, INSECURE_CAPABILITIES | INSECURE_PATHS | INSECURE_SECCOMP);
        assert_int_equal(insecure_parse("all", &f, NULL, NULL), 0);
        assert_int_equal(f, INSECURE_ALL);
        assert_int_equal(insecure_parse("image,bogus,tls", &f, &bad, &badlen), -EINVAL);
        assert_int_equal(badlen, 5);
        assert_memory_equal(bad, "bogus", 5);
        assert_int_equal(insecure_parse("", &f, NULL, NULL), -EINVAL);
        assert_int_equal(insecure_parse("image,", &f, NULL, NULL), -EINVAL);
}

static void test_to_string(void **state) {
        _cleanup_free_ char *a = insecure_to_string(0),
                            *b = insecure_to_string(INSECURE_IMAGE | INSECURE_SECCOMP);
        _cleanup_free_ char *c = insecure_to_string(INSECURE_ALL);

        assert_string_equal(a, "none");
        assert_string_equal(b, "image,seccomp");
        assert_string_equal(c, "image,tls,ondisk,http,pubkey,capabilities,paths,seccomp");
}

RUN_TESTS(cmocka_unit_test(test_parse), cmocka_unit_test(test_to_string))
