/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdio.h>

#include "stage1-units.h"
#include "unit.h"

/* Assertions on the unit files stage1 writes, for the tests of its generators. */

static inline char *unit_of(const Stage1App *a) {
        char *u = NULL;
        assert_int_equal(stage1_app_unit(a, &u), 0);
        return u;
}

static inline void assert_has_line(const char *text, const char *line) {
        _cleanup_free_ char *needle = NULL;
        assert_true(asprintf(&needle, "\n%s\n", line) > 0);
        if (!strstr(text, needle)) {
                print_error("missing line '%s' in:\n%s\n", line, text);
                fail();
        }
}

static inline void assert_no_line(const char *text, const char *line) {
        _cleanup_free_ char *needle = NULL;
        assert_true(asprintf(&needle, "\n%s\n", line) > 0);
        assert_null(strstr(text, needle));
}

static inline void assert_no_key(const char *text, const char *key) {
        _cleanup_free_ char *needle = NULL;
        assert_true(asprintf(&needle, "\n%s=", key) > 0);
        assert_null(strstr(text, needle));
}
