/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

struct ArenaBlock {
        ArenaBlock *next;
        max_align_t data[];
};

void *arena_alloc(Arena *a, size_t size) {
        ArenaBlock *b;

        if (size > SIZE_MAX - sizeof(ArenaBlock))
                return NULL;
        /* One block per allocation: responses hold a few hundred objects, and malloc does the packing. */
        b = calloc(1, sizeof(ArenaBlock) + (size > 0 ? size : 1));
        if (!b)
                return NULL;
        b->next = a->blocks;
        a->blocks = b;
        return b->data;
}

void *arena_alloc_array(Arena *a, size_t n, size_t size) {
        if (size != 0 && n > SIZE_MAX / size)
                return NULL;
        return arena_alloc(a, n * size);
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
        char *d;

        if (!s)
                return NULL;
        n = strnlen(s, n);
        d = arena_alloc(a, n + 1);
        if (d)
                memcpy(d, s, n);
        return d;
}

char *arena_strdup(Arena *a, const char *s) {
        return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

void *arena_memdup(Arena *a, const void *p, size_t size) {
        void *d = arena_alloc(a, size);
        if (d && size > 0)
                memcpy(d, p, size);
        return d;
}

void arena_done(Arena *a) {
        while (a->blocks) {
                ArenaBlock *n = a->blocks->next;
                free(a->blocks);
                a->blocks = n;
        }
}
