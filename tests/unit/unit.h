/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* cmocka needs these before its header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Each test binary is one group, so its TAP output has one plan. */
#define RUN_TESTS(...)                                                                                      \
        int main(void) {                                                                                    \
                const struct CMUnitTest tests[] = {__VA_ARGS__};                                            \
                return cmocka_run_group_tests(tests, NULL, NULL);                                           \
        }
