/* SPDX-License-Identifier: Apache-2.0 */
/* The appc value formats: names, hashes, versions, quantities, dates, URLs. Pure functions. */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>

#include "appc-internal.h"
#include "util.h"

#define AC_IDENTIFIER_SEPARATORS "-._~/"

static bool is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* appc's Go validator checks the character set and the two edges; it does not look at runs of separators. */
static const char *name_problem(const char *s, const char *separators, const char *what_chars) {
        size_t n;

        if (isempty(s))
                return "must not be empty";
        for (const char *p = s; *p; p++)
                if (!is_lower_alnum(*p) && !strchr(separators, *p))
                        return what_chars;
        n = strlen(s);
        if (!is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
                return "must start and end with a lower case letter or digit";
        return NULL;
}

const char *appc_ac_identifier_problem(const char *s) {
        return name_problem(s, AC_IDENTIFIER_SEPARATORS,
                            "only lower case letters, digits and \"" AC_IDENTIFIER_SEPARATORS
                            "\" are allowed");
}

const char *appc_ac_name_problem(const char *s) {
        return name_problem(s, "-", "only lower case letters, digits and \"-\" are allowed");
}

bool appc_ac_identifier_valid(const char *s) {
        return !appc_ac_identifier_problem(s);
}

bool appc_ac_name_valid(const char *s) {
        return !appc_ac_name_problem(s);
}

/* Length of the UTF-8 sequence at p, or 1 for a byte that does not start a valid one (Go's regexp treats
 * such a byte as one rune, U+FFFD). */
static size_t utf8_seq_len(const unsigned char *p) {
        size_t n;

        if (p[0] < 0x80)
                return 1;
        if (p[0] >= 0xc2 && p[0] <= 0xdf)
                n = 2;
        else if (p[0] >= 0xe0 && p[0] <= 0xef)
                n = 3;
        else if (p[0] >= 0xf0 && p[0] <= 0xf4)
                n = 4;
        else
                return 1;
        for (size_t i = 1; i < n; i++)
                if ((p[i] & 0xc0) != 0x80)
                        return 1;
        return n;
}

static int sanitize(const char *s, const char *separators, char replacement, char **ret) {
        _cleanup_free_ char *out = NULL;
        size_t len = 0, start = 0, end;

        out = malloc(strlen(s) + 1);
        if (!out)
                return -ENOMEM;
        for (const char *p = s; *p;) {
                char c = *p;

                if (c >= 'A' && c <= 'Z')
                        c = (char) (c - 'A' + 'a');
                if (is_lower_alnum(c) || strchr(separators, c)) {
                        out[len++] = c;
                        p++;
                } else {
                        out[len++] = replacement;
                        p += utf8_seq_len((const unsigned char *) p);
                }
        }
        end = len;
        while (start < end && strchr(separators, out[start]))
                start++;
        while (end > start && strchr(separators, out[end - 1]))
                end--;
        if (start == end)
                return -EINVAL;
        memmove(out, out + start, end - start);
        out[end - start] = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

int appc_sanitize_ac_name(const char *s, char **ret) {
        return sanitize(s, "-", '-', ret);
}

int appc_sanitize_ac_identifier(const char *s, char **ret) {
        return sanitize(s, AC_IDENTIFIER_SEPARATORS, '_', ret);
}

bool appc_env_name_valid(const char *s) {
        if (isempty(s))
                return false;
        if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
                return false;
        for (const char *p = s + 1; *p; p++)
                if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || is_digit(*p) ||
                      strchr("_.-", *p)))
                        return false;
        return true;
}

/* go-semver: dot-separated, non-empty identifiers of [0-9A-Za-z-]; an empty string is allowed. */
static bool semver_identifiers_valid(const char *s, size_t n) {
        bool empty_part = true;

        if (n == 0)
                return true;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '.') {
                        if (empty_part)
                                return false;
                        empty_part = true;
                } else if (is_lower_alnum(s[i]) || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-')
                        empty_part = false;
                else
                        return false;
        }
        return !empty_part;
}

/* A decimal int64 as strconv.ParseInt reads it; the sign cannot occur here, the callers split at '+'/'-'. */
static bool semver_number(const char *s, size_t n, bool *ret_zero) {
        uint64_t v = 0;

        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (!is_digit(s[i]))
                        return false;
                if (v > (uint64_t) (INT64_MAX - (s[i] - '0')) / 10)
                        return false;
                v = v * 10 + (uint64_t) (s[i] - '0');
        }
        *ret_zero = v == 0;
        return true;
}

const char *appc_semver_problem(const char *s) {
        const char *plus, *dash, *dot1, *dot2, *end;
        size_t vlen;
        bool z1, z2, z3;

        if (isempty(s))
                return "must not be empty";
        plus = strchr(s, '+');
        end = plus ?: s + strlen(s);
        dash = memchr(s, '-', (size_t) (end - s));
        vlen = (size_t) ((dash ?: end) - s);
        dot1 = memchr(s, '.', vlen);
        dot2 = dot1 ? memchr(dot1 + 1, '.', vlen - (size_t) (dot1 + 1 - s)) : NULL;
        if (!dot1 || !dot2)
                return "not in MAJOR.MINOR.PATCH form";
        if (dash && !semver_identifiers_valid(dash + 1, (size_t) (end - dash - 1)))
                return "invalid pre-release part";
        if (plus && !semver_identifiers_valid(plus + 1, strlen(plus + 1)))
                return "invalid build metadata part";
        if (!semver_number(s, (size_t) (dot1 - s), &z1) ||
            !semver_number(dot1 + 1, (size_t) (dot2 - dot1 - 1), &z2) ||
            !semver_number(dot2 + 1, vlen - (size_t) (dot2 + 1 - s), &z3))
                return "MAJOR, MINOR and PATCH must be decimal numbers";
        if (z1 && z2 && z3 && (!dash || dash + 1 == end) && (!plus || plus[1] == '\0'))
                return "must not be 0.0.0";
        return NULL;
}

bool appc_semver_valid(const char *s) {
        return !appc_semver_problem(s);
}

const char *appc_image_id_problem(const char *s, bool full) {
        const char *hex;
        size_t n;

        if (isempty(s))
                return "must not be empty";
        hex = startswith(s, APPC_IMAGE_ID_PREFIX);
        if (!hex) {
                if (!strchr(s, '-'))
                        return "not a hash (expected \"" APPC_IMAGE_ID_PREFIX "\" and hex digits)";
                return "unsupported hash type (only sha512 is allowed)";
        }
        n = strlen(hex);
        if (n == 0)
                return "empty hash value";
        if (n > APPC_IMAGE_ID_HEX_LEN)
                return "hash value too long (sha512 has 128 hex digits)";
        if (strspn(hex, "0123456789abcdef") != n)
                return "hash value must be lower case hex digits";
        if (full && n != APPC_IMAGE_ID_HEX_LEN)
                return "incomplete hash value (sha512 has 128 hex digits)";
        return NULL;
}

bool appc_image_id_valid(const char *s, bool full) {
        return !appc_image_id_problem(s, full);
}

/* schema/types/labels.go ValidOSArch */
static const struct {
        const char *os;
        const char *const archs[11];
} os_arch_table[] = {
        {"darwin", {"x86_64", "i386"}},
        {"freebsd", {"amd64", "i386", "arm"}},
        {"linux",
         {"amd64", "i386", "aarch64", "aarch64_be", "armv6l", "armv7l", "armv7b", "ppc64", "ppc64le",
          "s390x"}},
};

static void append_list(char *buf, size_t size, const char *const *items) {
        for (size_t i = 0; items[i]; i++) {
                size_t l = strlen(buf);
                snprintf(buf + l, size - l, "%s%s", i > 0 ? ", " : "", items[i]);
        }
}

int appc_os_arch_problem(const char *os, const char *arch, char *buf, size_t size) {
        if (!os)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(os_arch_table); i++) {
                if (!streq(os, os_arch_table[i].os))
                        continue;
                if (!arch)
                        return 0;
                for (size_t j = 0; os_arch_table[i].archs[j]; j++)
                        if (streq(arch, os_arch_table[i].archs[j]))
                                return 0;
                snprintf(buf, size, "unsupported arch for os '%s' (supported: ", os);
                append_list(buf, size, os_arch_table[i].archs);
                strncat(buf, ")", size - strlen(buf) - 1);
                return -EINVAL;
        }
        snprintf(buf, size, "unsupported os (supported: ");
        for (size_t i = 0; i < ELEMENTSOF(os_arch_table); i++) {
                size_t l = strlen(buf);
                snprintf(buf + l, size - l, "%s%s", i > 0 ? ", " : "", os_arch_table[i].os);
        }
        strncat(buf, ")", size - strlen(buf) - 1);
        return -EINVAL;
}

bool appc_os_arch_valid(const char *os, const char *arch) {
        char buf[256];
        return appc_os_arch_problem(os, arch, buf, sizeof(buf)) == 0;
}

int appc_host_os_arch(const char **ret_os, const char **ret_arch) {
        const char *arch = NULL;

#if defined(__x86_64__)
        arch = "amd64";
#elif defined(__i386__)
        arch = "i386";
#elif defined(__aarch64__) && defined(__AARCH64EB__)
        arch = "aarch64_be";
#elif defined(__aarch64__)
        arch = "aarch64";
#elif defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7
#if defined(__ARMEB__)
        arch = "armv7b";
#else
        arch = "armv7l";
#endif
#elif defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH == 6
        arch = "armv6l";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
        arch = "ppc64le";
#elif defined(__powerpc64__)
        arch = "ppc64";
#elif defined(__s390x__)
        arch = "s390x";
#endif
#if !defined(__linux__)
        arch = NULL;
#endif
        if (!arch)
                return -EOPNOTSUPP;
        *ret_os = "linux";
        *ret_arch = arch;
        return 0;
}

/* --- resource quantities (schema/types/resource, from Kubernetes) --- */

typedef struct Quantity {
        bool negative;
        const char *num; /* integer digits, leading zeros stripped ("" is 0) */
        size_t num_len;
        const char *denom; /* fraction digits */
        size_t denom_len;
        int base; /* 10 or 2 */
        int64_t exponent;
} Quantity;

/* The scanner of parseQuantityString, then the suffix table. Returns NULL or the problem. */
static const char *quantity_scan(const char *s, Quantity *q) {
        static const char suffix_chars[] = "eEinumkKMGTP";
        static const struct {
                const char *suffix;
                int base, exponent;
        } suffixes[] = {
                {"", 10, 0},   {"n", 10, -9}, {"u", 10, -6}, {"m", 10, -3}, {"k", 10, 3},  {"M", 10, 6},
                {"G", 10, 9},  {"T", 10, 12}, {"P", 10, 15}, {"E", 10, 18}, {"Ki", 2, 10}, {"Mi", 2, 20},
                {"Gi", 2, 30}, {"Ti", 2, 40}, {"Pi", 2, 50}, {"Ei", 2, 60},
        };
        const char *p = s, *suffix;
        size_t suffix_len;

        *q = (Quantity){};
        if (isempty(s))
                return "must not be empty";
        if (*p == '-' || *p == '+') {
                q->negative = *p == '-';
                p++;
        }
        while (*p == '0')
                p++;
        q->num = p;
        while (is_digit(*p))
                p++;
        q->num_len = (size_t) (p - q->num);
        if (*p == '.') {
                p++;
                q->denom = p;
                while (is_digit(*p))
                        p++;
                q->denom_len = (size_t) (p - q->denom);
        }
        suffix = p;
        while (*p && strchr(suffix_chars, *p))
                p++;
        if (*p == '-' || *p == '+')
                p++;
        while (is_digit(*p))
                p++;
        if (*p)
                return "not a number with an optional suffix";
        suffix_len = strlen(suffix);

        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                if (streq(suffix, suffixes[i].suffix)) {
                        q->base = suffixes[i].base;
                        q->exponent = suffixes[i].exponent;
                        return NULL;
                }
        if (suffix_len > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
                int64_t e;
                int r = parse_int64(suffix + 1, &e);

                if (r == -ERANGE)
                        return "exponent out of range";
                if (r < 0)
                        return "invalid exponent";
                q->base = 10;
                q->exponent = e;
                return NULL;
        }
        return "unknown suffix (use m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent)";
}

const char *appc_quantity_problem(const char *s) {
        Quantity q;
        return quantity_scan(s, &q);
}

bool appc_quantity_valid(const char *s) {
        return !appc_quantity_problem(s);
}

#define QUANTITY_MAX_EXP INT64_C(4096)

/* ceil(q * 10^scale), exactly, for values with up to 18 significant digits. */
static int quantity_scaled(const char *s, int scale, int64_t *ret) {
        unsigned __int128 m = 0, r;
        char digits[64];
        size_t n = 0, first = 0;
        int64_t e10;
        unsigned shift;
        Quantity q;

        if (quantity_scan(s, &q))
                return -EINVAL;
        if (q.num_len + q.denom_len >= sizeof(digits))
                return -ERANGE;
        memcpy(digits, q.num, q.num_len);
        if (q.denom_len > 0)
                memcpy(digits + q.num_len, q.denom, q.denom_len);
        n = q.num_len + q.denom_len;
        /* Any exponent beyond ±QUANTITY_MAX_EXP makes a non-zero value too large for 64 bits or smaller than
         * 10^-(QUANTITY_MAX_EXP - 64 - 3) (rounded up below); clamping keeps the sums below from
         * overflowing. */
        e10 = scale - (int64_t) q.denom_len +
              (q.base == 10 ? MIN(MAX(q.exponent, -QUANTITY_MAX_EXP), QUANTITY_MAX_EXP) : 0);
        shift = q.base == 2 ? (unsigned) q.exponent : 0;
        while (first < n && digits[first] == '0')
                first++;
        while (n > first && digits[n - 1] == '0') {
                n--;
                e10++;
        }
        if (n == first) {
                *ret = 0;
                return 0;
        }
        if (n - first > 18)
                return -ERANGE;
        for (size_t i = first; i < n; i++)
                m = m * 10 + (unsigned) (digits[i] - '0');
        r = m << shift; /* < 10^18 * 2^60 < 2^120 */

        if (e10 >= 0) {
                for (int64_t i = 0; i < e10; i++) {
                        if (r > (unsigned __int128) INT64_MAX / 10)
                                return -ERANGE;
                        r *= 10;
                }
                if (r > (unsigned __int128) INT64_MAX)
                        return -ERANGE;
                *ret = q.negative ? -(int64_t) r : (int64_t) r;
                return 0;
        }
        if (e10 < -38) {
                /* 0 < |value| < 1 */
                *ret = q.negative ? 0 : 1;
                return 0;
        } else {
                unsigned __int128 d = 1, quot, rem;

                for (int64_t i = 0; i < -e10; i++)
                        d *= 10;
                quot = r / d;
                rem = r % d;
                if (!q.negative && rem != 0)
                        quot++;
                if (quot > (unsigned __int128) INT64_MAX)
                        return -ERANGE;
                *ret = q.negative ? -(int64_t) quot : (int64_t) quot;
                return 0;
        }
}

int appc_quantity_value(const char *s, int64_t *ret) {
        return quantity_scaled(s, 0, ret);
}

int appc_quantity_milli_value(const char *s, int64_t *ret) {
        return quantity_scaled(s, 3, ret);
}

/* --- RFC 3339 dates, as Go 1.19's time.Parse(time.RFC3339, s) --- */

static bool fixed_number(const char **p, size_t n, int *ret) {
        int v = 0;

        for (size_t i = 0; i < n; i++) {
                if (!is_digit((*p)[i]))
                        return false;
                v = v * 10 + ((*p)[i] - '0');
        }
        *p += n;
        *ret = v;
        return true;
}

static int days_in_month(int year, int month) {
        static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

        return month == 2 && leap ? 29 : days[month - 1];
}

bool appc_date_valid(const char *s) {
        const char *p = s;
        int year, month, day, hour, minute, second, tzh, tzm;

        if (!s)
                return false;
        if (!fixed_number(&p, 4, &year) || *p++ != '-' || !fixed_number(&p, 2, &month) || *p++ != '-' ||
            !fixed_number(&p, 2, &day) || *p++ != 'T')
                return false;
        /* Go reads the hour with one or two digits here. */
        if (!is_digit(p[0]))
                return false;
        if (!fixed_number(&p, is_digit(p[1]) ? 2 : 1, &hour))
                return false;
        if (*p++ != ':' || !fixed_number(&p, 2, &minute) || *p++ != ':' || !fixed_number(&p, 2, &second))
                return false;
        if ((*p == '.' || *p == ',') && is_digit(p[1])) {
                p++;
                while (is_digit(*p))
                        p++;
        }
        if (*p == 'Z')
                p++;
        else if (*p == '+' || *p == '-') {
                p++;
                if (!fixed_number(&p, 2, &tzh) || *p++ != ':' || !fixed_number(&p, 2, &tzm))
                        return false;
        } else
                return false;
        if (*p)
                return false;
        if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
                return false;
        return hour < 24 && minute < 60 && second < 60;
}

/* --- http(s) URLs, as Go's url.Parse and a scheme check --- */

static bool is_hex(char c) {
        return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool escapes_valid(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] == '%') {
                        if (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
                                return false;
                        i += 2;
                }
        return true;
}

static bool host_char_valid(char c) {
        /* url.shouldEscape(c, encodeHost) == false, or a byte of a UTF-8 sequence */
        return (unsigned char) c >= 0x80 || is_lower_alnum(c) || (c >= 'A' && c <= 'Z') ||
               strchr("-_.~!$&'()*+,;=:[]<>\"%", c);
}

bool appc_url_valid(const char *s) {
        const char *p, *rest, *authority_end, *host, *at, *port = NULL, *frag;
        size_t scheme_len;

        if (isempty(s))
                return false;
        for (p = s; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return false;
        frag = strchr(s, '#');
        if (frag && !escapes_valid(frag + 1, strlen(frag + 1)))
                return false;

        for (p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) &&
                    (p == s || !(is_digit(*p) || strchr("+-.", *p))))
                        break;
        if (*p != ':' || p == s)
                return false;
        scheme_len = (size_t) (p - s);
        if (!((scheme_len == 4 && strncasecmp(s, "http", 4) == 0) ||
              (scheme_len == 5 && strncasecmp(s, "https", 5) == 0)))
                return false;
        rest = p + 1;
        if (!startswith(rest, "//"))
                return true; /* opaque, e.g. "http:foo": url.Parse accepts it */

        host = rest + 2;
        authority_end = host + strcspn(host, "/?#");
        at = NULL;
        for (p = host; p < authority_end; p++)
                if (*p == '@')
                        at = p;
        if (at) {
                for (p = host; p < at; p++)
                        if (!(is_lower_alnum(*p) || (*p >= 'A' && *p <= 'Z') ||
                              strchr("-._:~!$&'()*+,;=%@", *p)))
                                return false;
                host = at + 1;
        }
        if (*host == '[') {
                const char *close = memchr(host, ']', (size_t) (authority_end - host));
                if (!close)
                        return false;
                if (close + 1 < authority_end) {
                        if (close[1] != ':')
                                return false;
                        port = close + 2;
                }
        } else {
                for (p = host; p < authority_end; p++) {
                        if (*p == ':')
                                port = p + 1;
                        else if (!host_char_valid(*p))
                                return false;
                }
                if (!escapes_valid(host, (size_t) ((port ? port - 1 : authority_end) - host)))
                        return false;
        }
        if (port)
                for (p = port; p < authority_end; p++)
                        if (!is_digit(*p))
                                return false;
        p = authority_end;
        return escapes_valid(p, strcspn(p, "?#"));
}

bool appc_ip_valid(const char *s) {
        unsigned char buf[sizeof(struct in6_addr)];

        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}
