/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

#include "macro.h"

/* "true/false/1/0/yes/no/on/off/t/f" as pflag and systemd accept them. */
int parse_boolean(const char *v);
/* Go-style durations as rkt's flags take them: "30m", "24h", "1h30m", "1.5s", "250ms", "0". */
int parse_duration_usec(const char *v, uint64_t *ret);
/* Edit distance, for "did you mean" suggestions. */
unsigned levenshtein(const char *a, const char *b);
