/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

/* Everything a response is built from (protobuf-c messages, their strings and arrays) comes from one
 * arena per call and is freed at once when the call's reply is packed, so that no error path of a
 * handler has to walk half-built message trees. */
typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
        ArenaBlock *blocks;
} Arena;

/* Zeroed memory; NULL when out of memory. */
void *arena_alloc(Arena *a, size_t size);
void *arena_alloc_array(Arena *a, size_t n, size_t size);
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
void *arena_memdup(Arena *a, const void *p, size_t size);
void arena_done(Arena *a);
