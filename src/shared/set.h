/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

#include "macro.h"

/* A set of owned strings (open addressing, FNV-1a). */
typedef struct StrSet {
        char **slots;
        size_t n_slots, n_items, n_tombstones;
} StrSet;

/* Adds a copy of s (0 when added, 1 when already present). */
int strset_add(StrSet *set, const char *s);
/* Same, for the first len bytes of s. */
int strset_addn(StrSet *set, const char *s, size_t len);
bool strset_contains(const StrSet *set, const char *s);
bool strset_containsn(const StrSet *set, const char *s, size_t len);
void strset_remove(StrSet *set, const char *s);
void strset_done(StrSet *set);
