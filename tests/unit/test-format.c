/* SPDX-License-Identifier: Apache-2.0 */
#include "format.h"
#include "unit.h"

static void check_bytes(uint64_t b, const char *want) {
        _cleanup_free_ char *s = format_bytes(b);
        assert_string_equal(s, want);
}

static void test_bytes(void **state) {
        check_bytes(0, "0B");
        check_bytes(512, "512B");
        check_bytes(1024, "1KiB");
        check_bytes(1536, "1.5KiB");
        check_bytes(12 * 1024 * 1024 + 300, "12MiB");
        check_bytes(3ULL << 30, "3GiB");
}

static void check_ago(uint64_t delta_s, const char *want) {
        uint64_t now = 1700000000ULL * 1000000;
        _cleanup_free_ char *s = format_time_ago(now - delta_s * 1000000, now);
        assert_string_equal(s, want);
}

static void test_ago(void **state) {
        check_ago(0, "now");
        check_ago(1, "1 second ago");
        check_ago(59, "59 seconds ago");
        check_ago(120, "2 minutes ago");
        check_ago(3600, "1 hour ago");
        check_ago(3 * 86400, "3 days ago");
        check_ago(14 * 86400, "2 weeks ago");
        check_ago(400 * 86400, "1 year ago");
}

static void test_full(void **state) {
        _cleanup_free_ char *a = NULL, *b = NULL;

        setenv("TZ", "UTC", 1);
        a = format_time_full(1136214245ULL * 1000000 + 999000);
        assert_string_equal(a, "2006-01-02 15:04:05.999 +0000 UTC");
        b = format_time_full(1136214245ULL * 1000000 + 500000);
        assert_string_equal(b, "2006-01-02 15:04:05.5 +0000 UTC");
}

RUN_TESTS(cmocka_unit_test(test_bytes), cmocka_unit_test(test_ago), cmocka_unit_test(test_full))
