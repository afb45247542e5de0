/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>

#include "set.h"

static char tombstone;
#define TOMBSTONE (&tombstone)

static uint64_t hash(const char *s, size_t len) {
        uint64_t h = 1469598103934665603ULL;
        for (size_t i = 0; i < len; i++) {
                h ^= (unsigned char) s[i];
                h *= 1099511628211ULL;
        }
        return h;
}

static bool slot_equals(const char *slot, const char *s, size_t len) {
        return slot && slot != TOMBSTONE && strncmp(slot, s, len) == 0 && slot[len] == 0;
}

/* The slot holding s, or SIZE_MAX. */
static size_t find(const StrSet *set, const char *s, size_t len) {
        if (set->n_slots == 0)
                return SIZE_MAX;
        for (size_t i = hash(s, len) & (set->n_slots - 1), probes = 0; probes < set->n_slots;
             i = (i + 1) & (set->n_slots - 1), probes++) {
                if (!set->slots[i])
                        return SIZE_MAX;
                if (slot_equals(set->slots[i], s, len))
                        return i;
        }
        return SIZE_MAX;
}

static int grow(StrSet *set) {
        size_t n = set->n_slots ? set->n_slots * 2 : 64;
        char **slots = calloc(n, sizeof(char *));

        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < set->n_slots; i++) {
                char *v = set->slots[i];
                size_t j;
                if (!v || v == TOMBSTONE)
                        continue;
                for (j = hash(v, strlen(v)) & (n - 1); slots[j]; j = (j + 1) & (n - 1))
                        ;
                slots[j] = v;
        }
        free(set->slots);
        set->slots = slots;
        set->n_slots = n;
        set->n_tombstones = 0;
        return 0;
}

int strset_addn(StrSet *set, const char *s, size_t len) {
        size_t i;
        char *copy;

        if (find(set, s, len) != SIZE_MAX)
                return 1;
        if ((set->n_items + set->n_tombstones + 1) * 4 > set->n_slots * 3 && grow(set) < 0)
                return -ENOMEM;
        copy = strndup(s, len);
        if (!copy)
                return -ENOMEM;
        for (i = hash(s, len) & (set->n_slots - 1); set->slots[i] && set->slots[i] != TOMBSTONE;
             i = (i + 1) & (set->n_slots - 1))
                ;
        if (set->slots[i] == TOMBSTONE)
                set->n_tombstones--;
        set->slots[i] = copy;
        set->n_items++;
        return 0;
}

int strset_add(StrSet *set, const char *s) {
        return strset_addn(set, s, strlen(s));
}

bool strset_containsn(const StrSet *set, const char *s, size_t len) {
        return find(set, s, len) != SIZE_MAX;
}

bool strset_contains(const StrSet *set, const char *s) {
        return strset_containsn(set, s, strlen(s));
}

void strset_remove(StrSet *set, const char *s) {
        size_t i = find(set, s, strlen(s));

        if (i == SIZE_MAX)
                return;
        free(set->slots[i]);
        set->slots[i] = TOMBSTONE;
        set->n_items--;
        set->n_tombstones++;
}

void strset_done(StrSet *set) {
        for (size_t i = 0; i < set->n_slots; i++)
                if (set->slots[i] != TOMBSTONE)
                        free(set->slots[i]);
        free(set->slots);
        *set = (StrSet){};
}
