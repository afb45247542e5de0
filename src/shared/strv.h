/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* NULL-terminated arrays of owned strings. */
char **strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)
/* A NULL-terminated list of the arguments, for the duration of the enclosing block. */
#define STRV_MAKE(...) ((char **) ((const char *[]){__VA_ARGS__, NULL}))

size_t strv_length(char *const *l);
/* Appends a copy of value. Returns 0 or -ENOMEM; *l is unchanged on failure. */
int strv_extend(char ***l, const char *value);
/* Appends value itself (takes ownership on success). */
int strv_push(char ***l, char *value);
/* Appends a formatted string. Returns 0 or -ENOMEM; *l is unchanged on failure. */
int strv_extendf(char ***l, const char *fmt, ...) _printf_(2, 3);
bool strv_contains(char *const *l, const char *s);
/* Splits s at any character of separators; empty fields are dropped. */
int strv_split(const char *s, const char *separators, char ***ret);
char *strv_join(char *const *l, const char *separator);
/* A copy of l (NULL for NULL or empty). Returns 0 or -ENOMEM. */
int strv_copy(char *const *l, char ***ret);
/* The same strings in the same order (NULL equals an empty list). */
bool strv_equal(char *const *a, char *const *b);

#define STRV_FOREACH(s, l) for (char *const *s = (l); s && *s; s++)
