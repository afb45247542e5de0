/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* The length of the well-formed UTF-8 sequence at s (at most n bytes), or 0. Overlong forms, surrogates
 * and code points past U+10FFFF are not well-formed. */
static size_t utf8_sequence(const unsigned char *s, size_t n) {
        uint32_t cp;
        size_t len;

        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                len = 2, cp = s[0] & 0x1f;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
                len = 3, cp = s[0] & 0x0f;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                len = 4, cp = s[0] & 0x07;
        else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return len;
}

static char *put_hex(char *p, unsigned char c) {
        static const char hex[] = "0123456789abcdef";

        *p++ = '\\';
        *p++ = 'x';
        *p++ = hex[c >> 4];
        *p++ = hex[c & 0xf];
        return p;
}

size_t escape_control_into(const char *s, size_t n, char *ret) {
        const unsigned char *u = (const unsigned char *) s;
        char *p = ret;

        for (size_t i = 0; i < n;) {
                size_t len = utf8_sequence(u + i, n - i);

                if (len == 1 && ((u[i] < 0x20 && u[i] != '\n' && u[i] != '\t') || u[i] == 0x7f)) {
                        p = put_hex(p, u[i]);
                        i++;
                } else if (len == 0) {
                        p = put_hex(p, u[i]);
                        i++;
                } else if (len == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0) {
                        /* U+0080..U+009F: the C1 controls, CSI (U+009B) among them. */
                        p = put_hex(p, u[i]);
                        p = put_hex(p, u[i + 1]);
                        i += 2;
                } else {
                        memcpy(p, u + i, len);
                        p += len;
                        i += len;
                }
        }
        *p = 0;
        return (size_t) (p - ret);
}

char *escape_control(const char *s) {
        size_t n = strlen(s);
        char *r = malloc(ESCAPE_CONTROL_MAX(n));

        if (!r)
                return NULL;
        escape_control_into(s, n, r);
        return r;
}

bool string_has_control(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}
