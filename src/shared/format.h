/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

#include "macro.h"

/* "12MiB", "512B", "1.5GiB" (IEC units, as rkt's listings show them). */
char *format_bytes(uint64_t bytes);
/* "now", "1 second ago", "5 minutes ago", "3 days ago"… for t relative to now (both µs since the epoch). */
char *format_time_ago(uint64_t t_usec, uint64_t now_usec);
/* "2006-01-02 15:04:05.999 -0700 MST", rkt's --full time layout, in local time. */
char *format_time_full(uint64_t t_usec);
uint64_t now_usec(void);
