/* SPDX-License-Identifier: Apache-2.0 */
#include "unit.h"
#include "util.h"

static void test_boolean(void **state) {
        assert_int_equal(parse_boolean("true"), 1);
        assert_int_equal(parse_boolean("TRUE"), 1);
        assert_int_equal(parse_boolean("1"), 1);
        assert_int_equal(parse_boolean("false"), 0);
        assert_int_equal(parse_boolean("off"), 0);
        assert_int_equal(parse_boolean("maybe"), -EINVAL);
        assert_int_equal(parse_boolean(""), -EINVAL);
}

static void check_duration(const char *s, uint64_t want) {
        uint64_t u = 12345;
        assert_int_equal(parse_duration_usec(s, &u), 0);
        assert_true(u == want);
}

static void test_duration(void **state) {
        uint64_t u;

        check_duration("0", 0);
        check_duration("0s", 0);
        check_duration("30m", 30ULL * 60 * 1000000);
        check_duration("24h", 24ULL * 3600 * 1000000);
        check_duration("1h30m", 90ULL * 60 * 1000000);
        check_duration("250ms", 250000);
        check_duration("1.5s", 1500000);
        assert_int_equal(parse_duration_usec("", &u), -EINVAL);
        assert_int_equal(parse_duration_usec("10", &u), -EINVAL);
        assert_int_equal(parse_duration_usec("5x", &u), -EINVAL);
        assert_int_equal(parse_duration_usec("-5s", &u), -EINVAL);
        /* What does not fit in 64 bits of microseconds is out of range, never a wrapped value. */
        assert_int_equal(parse_duration_usec("18446744073709551616us", &u), -ERANGE);
        assert_int_equal(parse_duration_usec("99999999999999999999h", &u), -ERANGE);
        assert_int_equal(parse_duration_usec("1e300h", &u), -EINVAL);
        assert_int_equal(parse_duration_usec("9223372036854775807us9223372036854775807us9us", &u), -ERANGE);
        check_duration("10000000000000000000us", 10000000000000000000ULL);
        /* Exact above 2^53 and up to the last microsecond of 64 bits: no rounding through a double. */
        check_duration("10000000000000000001us", 10000000000000000001ULL);
        check_duration("18446744073709551615us", UINT64_MAX);
        check_duration("9223372036854775808us", 9223372036854775808ULL);
        check_duration("1h0.5us", 3600ULL * 1000000 + 1);
        check_duration(".5s", 500000);
        check_duration("1500ns", 2);
        check_duration("1.0000000000000000000001s", 1000000);
        /* Go's grammar: no exponent, no sign, a unit on every number. */
        assert_int_equal(parse_duration_usec("1e3s", &u), -EINVAL);
        assert_int_equal(parse_duration_usec("+5s", &u), -EINVAL);
        assert_int_equal(parse_duration_usec(" 5s", &u), -EINVAL);
        assert_int_equal(parse_duration_usec(".s", &u), -EINVAL);
        assert_int_equal(parse_duration_usec("5s5", &u), -EINVAL);
}

static void test_uint(void **state) {
        uint64_t v;

        assert_int_equal(parse_uint64("0", &v), 0);
        assert_true(v == 0);
        assert_int_equal(parse_uint64("18446744073709551615", &v), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(parse_uint64("18446744073709551616", &v), -ERANGE);
        const char *bad[] = {"", " 5", "+5", "-5", "5 ", "0x10", "5\n", "1e3"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(parse_uint64(bad[i], &v), -EINVAL);
        assert_int_equal(parse_uint_max("65535", 65535, &v), 0);
        assert_true(v == 65535);
        assert_int_equal(parse_uint_max("65536", 65535, &v), -ERANGE);
        assert_int_equal(parse_uint_max("+1", 65535, &v), -EINVAL);
}

static void test_int64(void **state) {
        int64_t v = 7;

        assert_int_equal(parse_int64("0", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(parse_int64("-9223372036854775808", &v), 0);
        assert_true(v == INT64_MIN);
        assert_int_equal(parse_int64("+9223372036854775807", &v), 0);
        assert_true(v == INT64_MAX);
        v = 7;
        assert_int_equal(parse_int64("9223372036854775808", &v), -ERANGE);
        assert_int_equal(parse_int64("-9223372036854775809", &v), -ERANGE);
        assert_int_equal(parse_int64("99999999999999999999999", &v), -ERANGE);
        assert_int_equal(parse_int64("", &v), -EINVAL);
        assert_int_equal(parse_int64("-", &v), -EINVAL);
        assert_int_equal(parse_int64(" 1", &v), -EINVAL);
        assert_int_equal(parse_int64("1 ", &v), -EINVAL);
        assert_int_equal(parse_int64("0x10", &v), -EINVAL);
        assert_int_equal(v, 7);
}

static void test_size(void **state) {
        uint64_t v = 0;

        assert_int_equal(parse_size_bytes("1048576", &v), 0);
        assert_int_equal(v, 1048576);
        assert_int_equal(parse_size_bytes("16GiB", &v), 0);
        assert_int_equal(v, 16ULL << 30);
        assert_int_equal(parse_size_bytes("512M", &v), 0);
        assert_int_equal(v, 512ULL << 20);
        assert_int_equal(parse_size_bytes("2KB", &v), 0);
        assert_int_equal(v, 2048);
        assert_int_equal(parse_size_bytes("7B", &v), 0);
        assert_int_equal(v, 7);
        assert_int_equal(parse_size_bytes("1T", &v), 0);
        assert_int_equal(v, 1ULL << 40);
        assert_int_equal(parse_size_bytes("", &v), -EINVAL);
        assert_int_equal(parse_size_bytes("-1", &v), -EINVAL);
        assert_int_equal(parse_size_bytes("1X", &v), -EINVAL);
        assert_int_equal(parse_size_bytes("1GiBx", &v), -EINVAL);
        assert_int_equal(parse_size_bytes("G", &v), -EINVAL);
        assert_int_equal(parse_size_bytes("99999999999T", &v), -ERANGE);
        assert_int_equal(parse_size_bytes("99999999999999999999999", &v), -ERANGE);
}

static void test_levenshtein(void **state) {
        assert_int_equal(levenshtein("fetch", "fetch"), 0);
        assert_int_equal(levenshtein("fetch", "fecth"), 2);
        assert_int_equal(levenshtein("list", "lst"), 1);
        assert_int_equal(levenshtein("", "abc"), 3);
}

static void test_endswith(void **state) {
        assert_non_null(endswith("image.aci", ".aci"));
        assert_null(endswith("aci", ".aci"));
        assert_string_equal(startswith("--dir=/x", "--dir="), "/x");
}

RUN_TESTS(cmocka_unit_test(test_boolean), cmocka_unit_test(test_duration), cmocka_unit_test(test_uint),
          cmocka_unit_test(test_int64), cmocka_unit_test(test_size), cmocka_unit_test(test_levenshtein),
          cmocka_unit_test(test_endswith))
