/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>

#include "error.h"
#include "unit.h"

static int fail_deep(RktError **reterr) {
        return rkt_error_set(reterr, -ENOENT, "HTTP 404 from '%s'", "https://example.com/app.aci");
}

static void test_wrap(void **state) {
        _cleanup_error_ RktError *e = NULL;
        int r;

        r = fail_deep(&e);
        assert_int_equal(r, -ENOENT);
        r = rkt_error_prefix(&e, r, "fetching '%s'", "example.com/app");
        assert_int_equal(r, -ENOENT);
        assert_string_equal(rkt_error_message(e, r),
                            "fetching 'example.com/app': HTTP 404 from 'https://example.com/app.aci'");
}

static void test_first_error_wins(void **state) {
        _cleanup_error_ RktError *e = NULL;

        rkt_error_set(&e, -EIO, "first");
        rkt_error_set(&e, -EINVAL, "second");
        assert_string_equal(e->message, "first");
        assert_int_equal(e->code, -EIO);
}

static void test_prefix_without_message(void **state) {
        _cleanup_error_ RktError *e = NULL;

        assert_int_equal(rkt_error_prefix(&e, -EACCES, "opening '%s'", "/x"), -EACCES);
        assert_string_equal(e->message, "opening '/x': Permission denied");
        assert_string_equal(rkt_error_message(NULL, -ENOENT), "No such file or directory");
        /* A NULL error pointer is allowed: the code still comes back. */
        assert_int_equal(rkt_error_set(NULL, -E2BIG, "x"), -E2BIG);
}

/* %m is the error reported, not what errno holds when it is formatted; errno is left as it was. */
static void test_percent_m_is_the_code(void **state) {
        _cleanup_error_ RktError *e = NULL, *f = NULL;

        errno = EPERM;
        assert_int_equal(rkt_error_set(&e, -ENOENT, "opening 'x': %m"), -ENOENT);
        assert_string_equal(e->message, "opening 'x': No such file or directory");
        assert_int_equal(errno, EPERM);
        errno = 0;
        assert_int_equal(rkt_error_prefix(&f, -EACCES, "reading %s (%m)", "y"), -EACCES);
        assert_string_equal(f->message, "reading y (Permission denied): Permission denied");
}

static char *words(RktHint hint, const char *arg, const char *message) {
        char *s = NULL;

        if (hint != RKT_HINT_PULL_NEVER_FORBIDS)
                return NULL;
        return asprintf(&s, "%s, and the policy forbids fetching '%s'", message, arg) < 0 ? NULL : s;
}

/* The library's message stands alone until the program words the remedy; the words come before any
 * context, and the case is kept for the program either way. */
static void test_hints(void **state) {
        _cleanup_error_ RktError *e = NULL, *f = NULL, *g = NULL;

        assert_int_equal(
                rkt_error_set_hint(&e, -ENOENT, RKT_HINT_PULL_NEVER_FORBIDS, "x", "not in the %s", "store"),
                -ENOENT);
        assert_string_equal(e->message, "not in the store");
        assert_int_equal(e->hint, RKT_HINT_PULL_NEVER_FORBIDS);
        rkt_error_hints_set(words);
        assert_int_equal(
                rkt_error_set_hint(&f, -ENOENT, RKT_HINT_PULL_NEVER_FORBIDS, "x", "not in the store"),
                -ENOENT);
        assert_int_equal(rkt_error_prefix(&f, -ENOENT, "fetching 'x'"), -ENOENT);
        assert_string_equal(f->message,
                            "fetching 'x': not in the store, and the policy forbids fetching 'x'");
        /* A case the program has no words for keeps the library's message. */
        assert_int_equal(rkt_error_set_hint(&g, -EINVAL, RKT_HINT_STAGE1_URL, NULL, "'%s': bad", "u"),
                         -EINVAL);
        assert_string_equal(g->message, "'u': bad");
        assert_int_equal(g->hint, RKT_HINT_STAGE1_URL);
        assert_null(rkt_error_hint_render(RKT_HINT_NONE, NULL, "m"));
        rkt_error_hints_set(NULL);
}

RUN_TESTS(cmocka_unit_test(test_wrap), cmocka_unit_test(test_first_error_wins),
          cmocka_unit_test(test_prefix_without_message), cmocka_unit_test(test_percent_m_is_the_code),
          cmocka_unit_test(test_hints))
