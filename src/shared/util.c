/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <math.h>
#include <strings.h>

#include "util.h"

const char *endswith(const char *s, const char *suffix) {
        size_t ls = strlen(s), lx = strlen(suffix);
        return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0 ? s + ls - lx : NULL;
}

int parse_boolean(const char *v) {
        static const char *const yes[] = { "1", "t", "true", "yes", "y", "on" };
        static const char *const no[] = { "0", "f", "false", "no", "n", "off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        return -EINVAL;
}

int parse_duration_usec(const char *v, uint64_t *ret) {
        static const struct {
                const char *suffix;
                double usec;
        } units[] = {
                { "ns", 1e-3 }, { "us", 1 }, { "µs", 1 }, { "ms", 1e3 },
                { "s", 1e6 },   { "m", 60e6 }, { "h", 3600e6 },
        };
        const char *p = v;
        double total = 0;

        if (isempty(v))
                return -EINVAL;
        if (streq(v, "0")) {
                *ret = 0;
                return 0;
        }
        while (*p) {
                char *end;
                double n;
                size_t best = 0, bestlen = 0;

                if (!isdigit((unsigned char) *p) && *p != '.')
                        return -EINVAL;
                errno = 0;
                n = strtod(p, &end);
                if (errno != 0 || end == p || n < 0)
                        return -EINVAL;
                p = end;
                for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                        size_t l = strlen(units[i].suffix);
                        if (strncmp(p, units[i].suffix, l) == 0 && l > bestlen) {
                                best = i;
                                bestlen = l;
                        }
                }
                if (bestlen == 0)
                        return -EINVAL;
                /* "m" must not swallow the "m" of "ms": the longest suffix wins above. */
                total += n * units[best].usec;
                p += bestlen;
        }
        /* (double) UINT64_MAX rounds up to 2^64, which does not fit; llround() stops at INT64_MAX. */
        if (!(total < 18446744073709551616.0))
                return -ERANGE;
        *ret = total >= 9007199254740992.0 /* 2^53: integral already */ ? (uint64_t) total : (uint64_t) llround(total);
        return 0;
}

int parse_int64(const char *v, int64_t *ret) {
        const char *p = v;
        bool negative = false;
        uint64_t n = 0, limit;

        if (isempty(v))
                return -EINVAL;
        if (*p == '-' || *p == '+')
                negative = *p++ == '-';
        if (!isdigit((unsigned char) *p))
                return -EINVAL;
        limit = negative ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
        for (; *p; p++) {
                unsigned d;

                if (!isdigit((unsigned char) *p))
                        return -EINVAL;
                d = (unsigned) (*p - '0');
                if (n > (limit - d) / 10)
                        return -ERANGE;
                n = n * 10 + d;
        }
        *ret = negative ? (int64_t) (0 - n) : (int64_t) n;
        return 0;
}

int parse_size_bytes(const char *v, uint64_t *ret) {
        static const char units[] = "KMGT";
        const char *p;
        char *end;
        unsigned long long n;
        unsigned shift = 0;

        if (isempty(v) || !isdigit((unsigned char) v[0]))
                return -EINVAL;
        errno = 0;
        n = strtoull(v, &end, 10);
        if (errno != 0)
                return -ERANGE;
        p = end;
        if (*p && (end = strchr(units, *p))) {
                shift = 10 * (unsigned) (end - units + 1);
                p++;
                if (*p == 'i')
                        p++;
        }
        if (*p == 'B')
                p++;
        if (*p)
                return -EINVAL;
        if (shift > 0 && n > (UINT64_MAX >> shift))
                return -ERANGE;
        *ret = (uint64_t) n << shift;
        return 0;
}

unsigned levenshtein(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        unsigned *row = calloc(lb + 1, sizeof(unsigned));
        unsigned r;

        if (!row)
                return UINT32_MAX;
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                unsigned prev = row[0];
                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        unsigned cur = row[j];
                        unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
                        row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), prev + cost);
                        prev = cur;
                }
        }
        r = row[lb];
        free(row);
        return r;
}
