/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* libFuzzer targets (./configure --enable-fuzzing CC=clang; make fuzz FUZZ_SECONDS=N). Each target feeds
 * the untrusted bytes of one parser through it and checks what must hold for any input; a failed check
 * aborts, which libFuzzer reports as a crash with the input that caused it. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(expr)                                                                                    \
        do {                                                                                                \
                if (!(expr)) {                                                                              \
                        fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #expr);         \
                        abort();                                                                            \
                }                                                                                           \
        } while (0)

/* The input as a NUL-terminated string (parsers of text take C strings; an embedded NUL ends it). */
static inline char *fuzz_string(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);

        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = 0;
        return s;
}

/* Splits the input at its first newline: the part before is a selector or a name. */
static inline void fuzz_split(const char *s, char **ret_head, const char **ret_tail) {
        const char *nl = strchr(s, '\n');

        *ret_head = nl ? strndup(s, (size_t) (nl - s)) : strdup("");
        *ret_tail = nl ? nl + 1 : s;
        if (!*ret_head)
                abort();
}
