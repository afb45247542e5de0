/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <stdio.h>
#include <strings.h>

#include "discovery.h"
#include "strv.h"

/* A discovery page is a few KiB; anything much larger is not one. */
#define PAGE_MAX (1024 * 1024)

void discovery_meta_free(DiscoveryMeta *m, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(m[i].name);
                free(m[i].prefix);
                free(m[i].uri);
        }
        free(m);
}

/* --- the tokenizer --- */

typedef struct Scanner {
        const char *p, *end;
} Scanner;

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Case-insensitive search for needle in [p, end). */
static const char *find_ci(const char *p, const char *end, const char *needle) {
        size_t n = strlen(needle);

        for (; p + n <= end; p++)
                if (strncasecmp(p, needle, n) == 0)
                        return p;
        return NULL;
}

static const char *find(const char *p, const char *end, const char *needle) {
        size_t n = strlen(needle);

        for (; p + n <= end; p++)
                if (memcmp(p, needle, n) == 0)
                        return p;
        return NULL;
}

static int append_utf8(char **buf, size_t *len, unsigned long cp) {
        char out[4];
        size_t n;

        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                cp = 0xFFFD;
        if (cp < 0x80) {
                out[0] = (char) cp;
                n = 1;
        } else if (cp < 0x800) {
                out[0] = (char) (0xC0 | (cp >> 6));
                out[1] = (char) (0x80 | (cp & 0x3F));
                n = 2;
        } else if (cp < 0x10000) {
                out[0] = (char) (0xE0 | (cp >> 12));
                out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
                out[2] = (char) (0x80 | (cp & 0x3F));
                n = 3;
        } else {
                out[0] = (char) (0xF0 | (cp >> 18));
                out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
                out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
                out[3] = (char) (0x80 | (cp & 0x3F));
                n = 4;
        }
        memcpy(*buf + *len, out, n);
        *len += n;
        return 0;
}

/* Decodes the character references an attribute value may hold (named ones that matter for URLs, and
 * numeric ones); anything else is kept as written. The result is never longer than the input plus the
 * growth of a numeric reference, which is bounded by 4 bytes out for at least 4 bytes in. */
static char *decode_entities(const char *s, size_t n) {
        static const struct {
                const char *name;
                char c;
        } named[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
        char *out = malloc(n + 4);
        size_t len = 0;

        if (!out)
                return NULL;
        for (size_t i = 0; i < n;) {
                bool done = false;

                if (s[i] == '&') {
                        for (size_t k = 0; k < ELEMENTSOF(named) && !done; k++) {
                                size_t l = strlen(named[k].name);
                                if (i + 1 + l <= n && strncmp(s + i + 1, named[k].name, l) == 0) {
                                        out[len++] = named[k].c;
                                        i += 1 + l;
                                        done = true;
                                }
                        }
                        if (!done && i + 2 < n && s[i + 1] == '#') {
                                size_t j = i + 2;
                                bool hex = j < n && (s[j] == 'x' || s[j] == 'X');
                                unsigned long cp = 0;
                                size_t digits = 0;

                                if (hex)
                                        j++;
                                for (;
                                     j < n && digits < 8 &&
                                     (hex ? isxdigit((unsigned char) s[j]) : isdigit((unsigned char) s[j]));
                                     j++, digits++)
                                        cp = cp * (hex ? 16 : 10) +
                                             (unsigned long) (isdigit((unsigned char) s[j])
                                                                      ? s[j] - '0'
                                                                      : (tolower((unsigned char) s[j]) -
                                                                         'a' + 10));
                                if (digits > 0 && j < n && s[j] == ';' && j + 1 - i >= 4) {
                                        append_utf8(&out, &len, cp);
                                        i = j + 1;
                                        done = true;
                                }
                        }
                }
                if (!done)
                        out[len++] = s[i++];
        }
        out[len] = 0;
        return out;
}

typedef struct Attr {
        const char *name;
        size_t name_len;
        const char *value;
        size_t value_len;
} Attr;

/* Reads one attribute at sc->p; false at the end of the tag (sc->p then points after '>', and *ret_closed
 * is set, or at the end of the input: a tag cut off there does not count, as in HTML). */
static bool next_attr(Scanner *sc, Attr *a, bool *ret_self_closing, bool *ret_closed) {
        const char *p = sc->p, *end = sc->end;

        for (;;) {
                while (p < end && (is_space(*p) || *p == '/')) {
                        if (*p == '/' && p + 1 < end && p[1] == '>')
                                *ret_self_closing = true;
                        p++;
                }
                if (p >= end) {
                        sc->p = end;
                        return false;
                }
                if (*p == '>') {
                        sc->p = p + 1;
                        *ret_closed = true;
                        return false;
                }
                break;
        }
        *a = (Attr){.name = p};
        /* A name ends at a blank, '/', '>' or '=' (a leading '=' belongs to the name, as in HTML). */
        p++;
        while (p < end && !is_space(*p) && *p != '/' && *p != '>' && *p != '=')
                p++;
        a->name_len = (size_t) (p - a->name);
        while (p < end && is_space(*p))
                p++;
        if (p < end && *p == '=') {
                p++;
                while (p < end && is_space(*p))
                        p++;
                if (p < end && (*p == '"' || *p == '\'')) {
                        const char *q = memchr(p + 1, *p, (size_t) (end - p - 1));
                        if (!q) {
                                /* An unterminated value swallows the rest: no tag here. */
                                sc->p = end;
                                return false;
                        }
                        a->value = p + 1;
                        a->value_len = (size_t) (q - p - 1);
                        p = q + 1;
                } else {
                        a->value = p;
                        while (p < end && !is_space(*p) && *p != '>')
                                p++;
                        a->value_len = (size_t) (p - a->value);
                }
        }
        sc->p = p;
        return true;
}

static bool is_raw_text(const char *tag, size_t n) {
        static const char *const raw[] = {"script", "style",   "textarea", "title",    "xmp",
                                          "iframe", "noembed", "noframes", "noscript", "plaintext"};
        for (size_t i = 0; i < ELEMENTSOF(raw); i++)
                if (strlen(raw[i]) == n && strncasecmp(tag, raw[i], n) == 0)
                        return true;
        return false;
}

static int add_meta(DiscoveryMeta **l, size_t *n, const Attr *name, const Attr *content) {
        _cleanup_free_ char *nm = NULL, *ct = NULL;
        const char *s, *e, *sp;
        DiscoveryMeta *nl;

        if (!name->name || !content->name || !name->value || !content->value)
                return 0;
        nm = decode_entities(name->value, name->value_len);
        ct = decode_entities(content->value, content->value_len);
        if (!nm || !ct)
                return -ENOMEM;
        if (!startswith(nm, "ac-"))
                return 0;
        s = ct;
        while (*s && is_space(*s))
                s++;
        sp = s;
        while (*sp && !is_space(*sp))
                sp++;
        if (sp == s || !*sp)
                return 0; /* needs both a prefix and a URI */
        e = sp;
        while (*e && is_space(*e))
                e++;
        if (!*e)
                return 0;
        nl = realloc(*l, sizeof(DiscoveryMeta) * (*n + 1));
        if (!nl)
                return -ENOMEM;
        *l = nl;
        nl[*n] = (DiscoveryMeta){.name = TAKE_PTR(nm), .prefix = strndup(s, (size_t) (sp - s))};
        {
                size_t len = strlen(e);
                while (len > 0 && is_space(e[len - 1]))
                        len--;
                nl[*n].uri = strndup(e, len);
        }
        (*n)++;
        if (!nl[*n - 1].prefix || !nl[*n - 1].uri)
                return -ENOMEM;
        return 0;
}

int discovery_parse_meta(const char *html, size_t size, DiscoveryMeta **ret, size_t *ret_n) {
        Scanner sc = {.p = html, .end = html + size};
        DiscoveryMeta *l = NULL;
        size_t n = 0;
        int r = 0;

        while (sc.p < sc.end && n < DISCOVERY_MAX_META) {
                const char *lt = memchr(sc.p, '<', (size_t) (sc.end - sc.p)), *tag, *q;
                bool self_closing = false, closed = false, is_meta;
                Attr a, name = {}, content = {};
                size_t tag_len;

                if (!lt)
                        break;
                sc.p = lt + 1;
                if (sc.end - lt >= 4 && memcmp(lt, "<!--", 4) == 0) {
                        q = find(lt + 4, sc.end, "-->");
                        sc.p = q ? q + 3 : sc.end;
                        continue;
                }
                if (sc.p < sc.end && (*sc.p == '!' || *sc.p == '?' || *sc.p == '/')) {
                        q = memchr(sc.p, '>', (size_t) (sc.end - sc.p));
                        sc.p = q ? q + 1 : sc.end;
                        continue;
                }
                if (sc.p >= sc.end || !isalpha((unsigned char) *sc.p))
                        continue; /* a '<' in text */
                tag = sc.p;
                while (sc.p < sc.end && (isalnum((unsigned char) *sc.p) || *sc.p == '-' || *sc.p == ':'))
                        sc.p++;
                tag_len = (size_t) (sc.p - tag);
                is_meta = tag_len == 4 && strncasecmp(tag, "meta", 4) == 0;
                while (next_attr(&sc, &a, &self_closing, &closed)) {
                        if (!is_meta)
                                continue;
                        /* The first of duplicate attributes counts, as in HTML. */
                        if (a.name_len == 4 && strncasecmp(a.name, "name", 4) == 0 && !name.name)
                                name = a;
                        else if (a.name_len == 7 && strncasecmp(a.name, "content", 7) == 0 && !content.name)
                                content = a;
                }
                if (!closed)
                        break;
                if (is_meta) {
                        r = add_meta(&l, &n, &name, &content);
                        if (r < 0)
                                break;
                } else if (is_raw_text(tag, tag_len) && !self_closing) {
                        /* Raw text (a script, a style) ends only at its own end tag. */
                        char endtag[16];
                        snprintf(endtag, sizeof(endtag), "</%.*s", (int) MIN(tag_len, (size_t) 12), tag);
                        q = find_ci(sc.p, sc.end, endtag);
                        sc.p = q ? q : sc.end;
                }
        }
        if (r < 0) {
                discovery_meta_free(l, n);
                return r;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

/* --- templates --- */

int discovery_render(const char *tpl, const char *name, const AppcKV *labels, size_t n_labels,
                     const char *ext, char **ret) {
        size_t cap = strlen(tpl) + 1, len = 0;
        char *out = malloc(cap);

        if (!out)
                return -ENOMEM;
        for (const char *p = tpl; *p;) {
                const char *close = *p == '{' ? strchr(p + 1, '}') : NULL;
                const char *value = NULL;
                size_t vlen, adv;

                if (!close) {
                        value = p;
                        vlen = 1;
                        adv = 1;
                } else {
                        size_t klen = (size_t) (close - p - 1);
                        const char *key = p + 1;
                        if (klen == 4 && strncmp(key, "name", 4) == 0)
                                value = name;
                        else if (klen == 3 && strncmp(key, "ext", 3) == 0)
                                value = ext;
                        else
                                for (size_t i = 0; i < n_labels; i++)
                                        if (strlen(labels[i].name) == klen &&
                                            strncmp(labels[i].name, key, klen) == 0) {
                                                value = labels[i].value;
                                                break;
                                        }
                        if (!value) {
                                free(out);
                                return -ENOENT;
                        }
                        vlen = strlen(value);
                        adv = klen + 2;
                }
                if (len + vlen + 1 > cap) {
                        char *n;
                        cap = (len + vlen + 1) * 2;
                        n = realloc(out, cap);
                        if (!n) {
                                free(out);
                                return -ENOMEM;
                        }
                        out = n;
                }
                memcpy(out + len, value, vlen);
                len += vlen;
                p += adv;
        }
        out[len] = 0;
        *ret = out;
        return 0;
}

void discovery_result_done(DiscoveryResult *r) {
        for (size_t i = 0; i < r->n_endpoints; i++) {
                free(r->endpoints[i].aci);
                free(r->endpoints[i].asc);
        }
        free(r->endpoints);
        strv_free(r->pubkeys);
        free(r->page);
        *r = (DiscoveryResult){};
}

static bool is_http_url(const char *s) {
        return strncasecmp(s, "https://", 8) == 0 || strncasecmp(s, "http://", 7) == 0;
}

int discovery_from_meta(const DiscoveryMeta *m, size_t n, const char *name, const AppcKV *labels,
                        size_t n_labels, DiscoveryResult *ret) {
        _cleanup_free_ AppcKV *vars = calloc(n_labels + 1, sizeof(AppcKV));
        DiscoveryResult res = {};
        size_t n_vars = 0;
        int r = 0;

        if (!vars)
                return -ENOMEM;
        for (size_t i = 0; i < n_labels; i++)
                vars[n_vars++] = labels[i];
        if (!appc_kv_get(labels, n_labels, "version"))
                vars[n_vars++] = (AppcKV){.name = (char *) "version", .value = (char *) "latest"};

        for (size_t i = 0; i < n && r >= 0; i++) {
                if (!startswith(name, m[i].prefix))
                        continue;
                if (streq(m[i].name, "ac-discovery")) {
                        _cleanup_free_ char *aci = NULL, *asc = NULL;
                        DiscoveryEndpoint *nl;

                        if (discovery_render(m[i].uri, name, vars, n_vars, "aci", &aci) < 0 ||
                            discovery_render(m[i].uri, name, vars, n_vars, "aci.asc", &asc) < 0 ||
                            !is_http_url(aci) || !is_http_url(asc))
                                continue;
                        nl = realloc(res.endpoints, sizeof(DiscoveryEndpoint) * (res.n_endpoints + 1));
                        if (!nl) {
                                r = -ENOMEM;
                                break;
                        }
                        res.endpoints = nl;
                        nl[res.n_endpoints++] =
                                (DiscoveryEndpoint){.aci = TAKE_PTR(aci), .asc = TAKE_PTR(asc)};
                } else if (streq(m[i].name, "ac-discovery-pubkeys") && is_http_url(m[i].uri))
                        r = strv_extend(&res.pubkeys, m[i].uri);
        }
        if (r < 0) {
                discovery_result_done(&res);
                return r;
        }
        *ret = res;
        return 0;
}

/* --- the walk --- */

static int fetch_page(HttpClient *c, const char *scheme, const char *prefix, HttpResponse *ret,
                      RktError **reterr) {
        _cleanup_free_ char *url = NULL;
        HttpRequest rq = {.fd = -1, .max_size = PAGE_MAX};

        if (asprintf(&url, "%s://%s?ac-discovery=1", scheme, prefix) < 0)
                return -ENOMEM;
        rq.url = url;
        return http_get(c, &rq, ret, reterr);
}

int discover(HttpClient *c, bool allow_http, const char *name, const AppcKV *labels, size_t n_labels,
             DiscoverWhat what, DiscoveryResult *ret, RktError **reterr) {
        _cleanup_strv_free_ char **tried = NULL;
        _cleanup_free_ char *prefix = strdup(name), *list = NULL;
        int r;

        if (!prefix)
                return -ENOMEM;
        for (;;) {
                HttpResponse page = {};
                _cleanup_error_ RktError *e = NULL;
                _cleanup_free_ char *line = NULL;

                r = fetch_page(c, "https", prefix, &page, &e);
                if (r < 0 && r != -ENOMEM && allow_http) {
                        _cleanup_error_ RktError *e2 = NULL;
                        int k = fetch_page(c, "http", prefix, &page, &e2);
                        if (k >= 0) {
                                r = 0;
                                e = rkt_error_free(e);
                        }
                }
                if (r == -ENOMEM)
                        return r;
                if (r >= 0) {
                        DiscoveryMeta *m = NULL;
                        DiscoveryResult res = {};
                        size_t n = 0;

                        r = discovery_parse_meta(page.body, page.size, &m, &n);
                        if (r >= 0)
                                r = discovery_from_meta(m, n, name, labels, n_labels, &res);
                        discovery_meta_free(m, n);
                        if (r < 0) {
                                http_response_done(&page);
                                return r;
                        }
                        if ((what == DISCOVER_ENDPOINTS && res.n_endpoints > 0) ||
                            (what == DISCOVER_PUBKEYS && res.pubkeys)) {
                                res.page = TAKE_PTR(page.url);
                                http_response_done(&page);
                                *ret = res;
                                return 0;
                        }
                        discovery_result_done(&res);
                        if (asprintf(&line, "%s: no matching '%s' meta tag", page.url,
                                     what == DISCOVER_ENDPOINTS ? "ac-discovery" : "ac-discovery-pubkeys") <
                            0)
                                line = NULL;
                        http_response_done(&page);
                } else
                        line = strdup(rkt_error_message(e, r));
                if (!line || strv_push(&tried, line) < 0)
                        return -ENOMEM;
                line = NULL;

                char *slash = strrchr(prefix, '/');
                if (!slash)
                        break;
                *slash = 0;
        }
        list = strv_join(tried, "; ");
        if (!list)
                return -ENOMEM;
        return rkt_error_set(reterr, -ENOENT, "discovery found no %s for '%s' (%s)",
                             what == DISCOVER_ENDPOINTS ? "image" : "public keys", name, list);
}
