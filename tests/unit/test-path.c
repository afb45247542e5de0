/* SPDX-License-Identifier: Apache-2.0 */
#include "path.h"
#include "unit.h"

static void check_join(const char *a, const char *b, const char *want) {
        _cleanup_free_ char *j = path_join(a, b);
        assert_string_equal(j, want);
}

static void test_join(void **state) {
        check_join("/var/lib/rkt", "cas", "/var/lib/rkt/cas");
        check_join("/var/lib/rkt/", "/cas", "/var/lib/rkt/cas");
        check_join("/", "x", "/x");
        check_join("a", "", "a");
}

static void check_dirname(const char *p, const char *want) {
        _cleanup_free_ char *d = path_dirname(p);
        assert_string_equal(d, want);
}

static void test_dirname(void **state) {
        check_dirname("/a/b/c", "/a/b");
        check_dirname("/a", "/");
        check_dirname("a", ".");
        check_dirname("a//b", "a");
}

static void test_absolute(void **state) {
        _cleanup_free_ char *p = NULL, *q = NULL;

        assert_int_equal(path_make_absolute_cwd("/x/./y/../z//w", &p), 0);
        assert_string_equal(p, "/x/z/w");
        assert_int_equal(path_make_absolute_cwd("/../..", &q), 0);
        assert_string_equal(q, "/");
}

static void test_inside(void **state) {
        _cleanup_free_ char *a = path_normalize_inside("./rootfs/etc/../bin/sh");
        _cleanup_free_ char *b = path_normalize_inside("rootfs/../../etc/passwd");
        _cleanup_free_ char *c = path_normalize_inside("/rootfs//x");

        assert_string_equal(a, "rootfs/bin/sh");
        assert_null(b);
        assert_string_equal(c, "rootfs/x");
}

RUN_TESTS(cmocka_unit_test(test_join), cmocka_unit_test(test_dirname), cmocka_unit_test(test_absolute),
          cmocka_unit_test(test_inside))
