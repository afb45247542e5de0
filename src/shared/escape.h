/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Text bound for a terminal with the bytes that would control it written as "\xNN": C0 controls (ESC and
 * so every escape sequence included), DEL, C1 controls (U+0080..U+009F, both bytes of their UTF-8
 * form) and bytes that are not UTF-8 (a terminal in an 8-bit mode reads 0x9B as CSI). Newline and tab
 * stay: rkt's own messages use them; everything else in a message comes from somewhere else (an image's
 * annotation, a registry's reply) and must not reach the terminal raw.
 *
 * Writes the n bytes of s escaped and a NUL to ret, which has room for ESCAPE_CONTROL_MAX(n) bytes (and
 * is not s); returns the length written without the NUL. */
#define ESCAPE_CONTROL_MAX(n) (4 * (n) + 1)
size_t escape_control_into(const char *s, size_t n, char *ret);
/* The same into a new string; NULL on ENOMEM. */
char *escape_control(const char *s);
/* True when s holds a C0 control character (newline and tab included) or DEL: text a one-line message
 * could not quote as it is. */
bool string_has_control(const char *s);
