/* SPDX-License-Identifier: Apache-2.0 */
#include "image-ref.h"
#include "unit.h"

static void test_name_version_labels(void **state) {
        ImageRef r;

        assert_int_equal(image_ref_parse("example.com/app:1.0,os=linux,arch=amd64", &r, NULL), 0);
        assert_string_equal(r.name, "example.com/app");
        assert_int_equal(r.n_labels, 3);
        assert_string_equal(image_ref_label(&r, "version"), "1.0");
        assert_string_equal(image_ref_label(&r, "os"), "linux");
        assert_string_equal(image_ref_label(&r, "arch"), "amd64");
        assert_null(image_ref_label(&r, "nope"));
        image_ref_done(&r);

        assert_int_equal(image_ref_parse("example.com/app", &r, NULL), 0);
        assert_int_equal(r.n_labels, 0);
        image_ref_done(&r);

        assert_int_equal(image_ref_parse("example.com/app,version=2", &r, NULL), 0);
        assert_string_equal(image_ref_label(&r, "version"), "2");
        image_ref_done(&r);
}

static void test_errors(void **state) {
        _cleanup_error_ RktError *e = NULL;
        ImageRef r;

        assert_int_equal(image_ref_parse("a:1,version=2", &r, &e), -EINVAL);
        assert_non_null(strstr(e->message, "given twice"));
        e = rkt_error_free(e);
        assert_int_equal(image_ref_parse("a,os", &r, &e), -EINVAL);
        assert_non_null(strstr(e->message, "NAME=VALUE"));
        e = rkt_error_free(e);
        assert_int_equal(image_ref_parse(":1", &r, NULL), -EINVAL);
        assert_int_equal(image_ref_parse("a:", &r, NULL), -EINVAL);
        assert_int_equal(image_ref_parse("a,=x", &r, NULL), -EINVAL);
}

static void test_is_id(void **state) {
        assert_true(image_ref_is_id("sha512-"));
        assert_true(image_ref_is_id("sha512-0123abcdef"));
        assert_false(image_ref_is_id("sha512-xyz"));
        assert_false(image_ref_is_id("example.com/sha512-1"));
}

RUN_TESTS(cmocka_unit_test(test_name_version_labels), cmocka_unit_test(test_errors),
          cmocka_unit_test(test_is_id))
