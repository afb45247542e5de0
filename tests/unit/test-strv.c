/* SPDX-License-Identifier: Apache-2.0 */
#include "strv.h"
#include "unit.h"

static void test_split_join(void **state) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *j = NULL;

        assert_int_equal(strv_split(",a,,b,c,", ",", &l), 0);
        assert_int_equal(strv_length(l), 3);
        assert_string_equal(l[0], "a");
        assert_string_equal(l[2], "c");
        j = strv_join(l, "/");
        assert_string_equal(j, "a/b/c");
}

static void test_split_empty(void **state) {
        _cleanup_strv_free_ char **l = NULL;

        assert_int_equal(strv_split("", ",", &l), 0);
        assert_non_null(l);
        assert_int_equal(strv_length(l), 0);
        l = strv_free(l);
        /* separators only; runs of separators at both ends and between fields */
        assert_int_equal(strv_split(",,\n,", ",\n", &l), 0);
        assert_int_equal(strv_length(l), 0);
        l = strv_free(l);
        assert_int_equal(strv_split("\n\na\n\n\nbc\n", "\n", &l), 0);
        assert_int_equal(strv_length(l), 2);
        assert_string_equal(l[0], "a");
        assert_string_equal(l[1], "bc");
}

static void test_extend_contains(void **state) {
        _cleanup_strv_free_ char **l = NULL;

        assert_false(strv_contains(l, "x"));
        assert_int_equal(strv_extend(&l, "x"), 0);
        assert_int_equal(strv_extend(&l, "y"), 0);
        assert_true(strv_contains(l, "y"));
        assert_false(strv_contains(l, "z"));
        assert_null(l[2]);
        assert_int_equal(strv_extendf(&l, "--%s=%d", "n", 5), 0);
        assert_string_equal(l[2], "--n=5");
        assert_null(l[3]);
}

RUN_TESTS(cmocka_unit_test(test_split_join), cmocka_unit_test(test_split_empty),
          cmocka_unit_test(test_extend_contains))
