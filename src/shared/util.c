/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "util.h"

const char *endswith(const char *s, const char *suffix) {
        size_t ls = strlen(s), lx = strlen(suffix);
        return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0 ? s + ls - lx : NULL;
}

int parse_boolean(const char *v) {
        static const char *const yes[] = {"1", "t", "true", "yes", "y", "on"};
        static const char *const no[] = {"0", "f", "false", "no", "n", "off"};

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        return -EINVAL;
}

/* Digits at p into *ret (at most UINT64_MAX); the end in *end. -ERANGE on overflow. */
static int parse_digits(const char *p, const char **end, uint64_t *ret) {
        uint64_t n = 0;

        for (; isdigit((unsigned char) *p); p++) {
                unsigned d = (unsigned) (*p - '0');
                if (n > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                n = n * 10 + d;
        }
        *end = p;
        *ret = n;
        return 0;
}

int parse_uint64(const char *v, uint64_t *ret) {
        const char *end;
        uint64_t n;
        int r;

        if (isempty(v) || !isdigit((unsigned char) *v))
                return -EINVAL;
        r = parse_digits(v, &end, &n);
        if (r < 0)
                return r;
        if (*end)
                return -EINVAL;
        *ret = n;
        return 0;
}

int parse_uint_max(const char *v, uint64_t max, uint64_t *ret) {
        uint64_t n;
        int r = parse_uint64(v, &n);

        if (r < 0)
                return r;
        if (n > max)
                return -ERANGE;
        *ret = n;
        return 0;
}

int parse_duration_usec(const char *v, uint64_t *ret) {
        static const struct {
                const char *suffix;
                uint64_t nsec;
        } units[] = {
                {"ns", 1},
                {"us", 1000},
                {"µs", 1000},
                {"ms", 1000000},
                {"s", 1000000000},
                {"m", 60ULL * 1000000000},
                {"h", 3600ULL * 1000000000},
        };
        /* Exact integer arithmetic: every value a uint64_t of microseconds holds is read as written. */
        unsigned __int128 total = 0, limit = (unsigned __int128) UINT64_MAX * 1000 + 499;
        const char *p = v;

        if (isempty(v))
                return -EINVAL;
        if (streq(v, "0")) {
                *ret = 0;
                return 0;
        }
        while (*p) {
                uint64_t whole = 0, frac = 0, scale = 1;
                size_t best = 0, bestlen = 0;
                const char *end = p;
                bool digits = false;
                int r;

                if (isdigit((unsigned char) *p)) {
                        r = parse_digits(p, &end, &whole);
                        if (r < 0)
                                return r;
                        digits = true;
                }
                if (*end == '.') {
                        /* Digits beyond nanoseconds cannot change the result: they are read and dropped. */
                        for (end++; isdigit((unsigned char) *end); end++, digits = true)
                                if (scale < 1000000000000000000ULL) {
                                        frac = frac * 10 + (uint64_t) (*end - '0');
                                        scale *= 10;
                                }
                }
                if (!digits)
                        return -EINVAL;
                p = end;
                /* "m" must not swallow the "m" of "ms": the longest suffix wins. */
                for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                        size_t l = strlen(units[i].suffix);
                        if (strncmp(p, units[i].suffix, l) == 0 && l > bestlen) {
                                best = i;
                                bestlen = l;
                        }
                }
                if (bestlen == 0)
                        return -EINVAL;
                p += bestlen;
                total += (unsigned __int128) whole * units[best].nsec +
                         (unsigned __int128) frac * units[best].nsec / scale;
                if (total > limit)
                        return -ERANGE;
        }
        /* Nanoseconds to microseconds, half a microsecond rounded up. */
        *ret = (uint64_t) ((total + 500) / 1000);
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

int random_bytes(void *p, size_t n) {
        uint8_t *b = p;
        size_t got = 0;

        while (got < n) {
                ssize_t k = getrandom(b + got, n - got, 0);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                got += (size_t) k;
        }
        return 0;
}

int buf_append(char **buf, size_t *len, size_t *cap, const void *data, size_t n) {
        if (n >= SIZE_MAX / 2 - *len)
                return -ENOMEM;
        if (*len + n + 1 > *cap) {
                size_t c = MAX(*cap * 2, *len + n + 256);
                char *b = realloc(*buf, c);
                if (!b)
                        return -ENOMEM;
                *buf = b;
                *cap = c;
        }
        memcpy(*buf + *len, data, n);
        *len += n;
        (*buf)[*len] = 0;
        return 0;
}
