/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "set.h"
#include "unit.h"

static void test_basic(void **state) {
        StrSet s = {};

        assert_false(strset_contains(&s, "a"));
        assert_int_equal(strset_add(&s, "rootfs/a"), 0);
        assert_int_equal(strset_add(&s, "rootfs/a"), 1);
        assert_true(strset_contains(&s, "rootfs/a"));
        assert_true(strset_containsn(&s, "rootfs/a/b", 8));
        assert_false(strset_containsn(&s, "rootfs/a/b", 7));
        strset_remove(&s, "rootfs/a");
        assert_false(strset_contains(&s, "rootfs/a"));
        assert_int_equal(strset_add(&s, "rootfs/a"), 0);
        strset_done(&s);
}

static void test_many(void **state) {
        StrSet s = {};
        char buf[32];

        for (int i = 0; i < 5000; i++) {
                snprintf(buf, sizeof(buf), "k%d", i);
                assert_int_equal(strset_add(&s, buf), 0);
                if (i % 3 == 0)
                        strset_remove(&s, buf);
        }
        for (int i = 0; i < 5000; i++) {
                snprintf(buf, sizeof(buf), "k%d", i);
                assert_int_equal(strset_contains(&s, buf), i % 3 != 0);
        }
        assert_int_equal(s.n_items, 5000 - 1667);
        strset_done(&s);
}

RUN_TESTS(cmocka_unit_test(test_basic), cmocka_unit_test(test_many))
