/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* "true/false/1/0/yes/no/on/off/t/f" as pflag and systemd accept them. */
int parse_boolean(const char *v);
/* Go-style durations as rkt's flags take them: "30m", "24h", "1h30m", "1.5s", "250ms", "0": numbers with an
 * optional fraction (no sign, no exponent), each with a unit (ns, us, µs, ms, s, m, h). Read exactly;
 * -ERANGE when the sum does not fit in 64 bits of microseconds. */
int parse_duration_usec(const char *v, uint64_t *ret);
/* A decimal integer with an optional sign and nothing else (no spaces, no base prefix): -EINVAL when it is
 * not one, -ERANGE when it does not fit in 64 bits. */
int parse_int64(const char *v, int64_t *ret);
/* The same rules for unsigned numbers: decimal digits and nothing else (no sign, no spaces, no base
 * prefix). parse_uint_max() also refuses values above max with -ERANGE. */
int parse_uint64(const char *v, uint64_t *ret);
int parse_uint_max(const char *v, uint64_t max, uint64_t *ret);
/* A size in bytes: a number with an optional unit K, M, G, T (powers of 1024; "KiB", "MiB"… and a "B"
 * are accepted too): "16GiB", "512M", "1048576". */
int parse_size_bytes(const char *v, uint64_t *ret);
/* Edit distance, for "did you mean" suggestions. */
unsigned levenshtein(const char *a, const char *b);

/* n bytes from the kernel's random pool (getrandom(), blocking until it is seeded). */
int random_bytes(void *p, size_t n);

/* Appends n bytes to the growing buffer *buf (*len bytes used of *cap), keeping a NUL after them:
 * -ENOMEM, the buffer as it was, when it cannot grow. */
int buf_append(char **buf, size_t *len, size_t *cap, const void *data, size_t n);
