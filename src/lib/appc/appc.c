/* SPDX-License-Identifier: Apache-2.0 */
/* What the image and pod manifests share: JSON reading and writing, labels and annotations, isolators,
 * ports and the app section. */
#include <inttypes.h>
#include <stdarg.h>

#include "appc-internal.h"

/* Go allows 10000 levels; a manifest needs about ten, isolator values a few more. */
#define APPC_JSON_MAX_DEPTH 64

/* --- messages --- */

const char *appc_pathf(char *buf, size_t size, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(buf, size, fmt, ap);
        va_end(ap);
        return buf;
}

const char *appc_quote(char *buf, size_t size, const char *s) {
        size_t o = 0;

        if (!s)
                return "(null)";
        buf[o++] = '\'';
        for (const char *p = s; *p; p++) {
                unsigned char c = (unsigned char) *p;
                char tmp[8];
                size_t l;

                if (c == '\n')
                        l = (size_t) snprintf(tmp, sizeof(tmp), "\\n");
                else if (c == '\t')
                        l = (size_t) snprintf(tmp, sizeof(tmp), "\\t");
                else if (c < 0x20 || c == 0x7f)
                        l = (size_t) snprintf(tmp, sizeof(tmp), "\\x%02x", c);
                else {
                        tmp[0] = (char) c;
                        l = 1;
                }
                if (o + l + 5 > size) {
                        /* do not leave half a UTF-8 sequence before the ellipsis */
                        while (o > 1 && ((unsigned char) buf[o - 1] & 0xc0) == 0x80)
                                o--;
                        if (o > 1 && (unsigned char) buf[o - 1] >= 0xc0)
                                o--;
                        memcpy(buf + o, "...", 3);
                        o += 3;
                        break;
                }
                memcpy(buf + o, tmp, l);
                o += l;
        }
        buf[o++] = '\'';
        buf[o] = '\0';
        return buf;
}

int appc_fail(RktError **reterr, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return rkt_error_set(reterr, -EINVAL, "%s", msg);
}

int appc_check_set(const char *s, const char *path, RktError **reterr) {
        if (isempty(s))
                return appc_fail(reterr, "%s: must be set", path);
        return 0;
}

int appc_check_ac_identifier(const char *s, const char *path, RktError **reterr) {
        const char *problem;

        if (isempty(s))
                return appc_fail(reterr, "%s: must be set", path);
        problem = appc_ac_identifier_problem(s);
        if (problem)
                return appc_fail(reterr, "%s %s: not a valid AC Identifier (%s)", path, APPC_QUOTE(s),
                                 problem);
        return 0;
}

int appc_check_ac_name(const char *s, const char *path, RktError **reterr) {
        const char *problem;

        if (isempty(s))
                return appc_fail(reterr, "%s: must be set", path);
        problem = appc_ac_name_problem(s);
        if (problem)
                return appc_fail(reterr, "%s %s: not a valid AC Name (%s)", path, APPC_QUOTE(s), problem);
        return 0;
}

int appc_check_image_id(const char *s, const char *path, RktError **reterr) {
        const char *problem;

        if (isempty(s))
                return appc_fail(reterr, "%s: must be set", path);
        problem = appc_image_id_problem(s, false);
        if (problem)
                return appc_fail(reterr, "%s %s: not a valid image ID (%s)", path, APPC_QUOTE(s), problem);
        return 0;
}

int appc_check_semver(const char *s, const char *path, RktError **reterr) {
        const char *problem;

        if (isempty(s))
                return appc_fail(reterr, "%s: must be set", path);
        problem = appc_semver_problem(s);
        if (problem)
                return appc_fail(reterr, "%s %s: not a valid semantic version (%s)", path, APPC_QUOTE(s),
                                 problem);
        return 0;
}

int appc_check_absolute_path(const char *s, const char *path, RktError **reterr) {
        if (isempty(s))
                return appc_fail(reterr, "%s: must be set", path);
        if (s[0] != '/')
                return appc_fail(reterr, "%s %s: must be an absolute path", path, APPC_QUOTE(s));
        return 0;
}

/* --- reading JSON --- */

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* json-c's strict mode still takes single-quoted strings, NaN/Infinity, "1." and raw control characters
 * in strings, which Go's decoder (and RFC 8259) refuse. The structure is already known to be sound. */
static const char *strict_scan(const char *s, size_t n, size_t *ret_offset) {
        for (size_t i = 0; i < n; i++) {
                char c = s[i];

                *ret_offset = i;
                if (c == '"') {
                        for (i++; i < n && s[i] != '"'; i++) {
                                *ret_offset = i;
                                if ((unsigned char) s[i] < 0x20)
                                        return "control character in string";
                                if (s[i] == '\\') {
                                        if (i + 5 < n && strncmp(s + i + 1, "u0000", 5) == 0)
                                                return "NUL character in string";
                                        i++;
                                }
                        }
                } else if (c == '\'')
                        return "single-quoted string";
                else if (c == '-' || is_digit(c)) {
                        if (s[i] == '-')
                                i++;
                        if (i < n && s[i] == '0')
                                i++;
                        else if (i < n && is_digit(s[i]))
                                while (i < n && is_digit(s[i]))
                                        i++;
                        else
                                return "invalid number";
                        if (i < n && s[i] == '.') {
                                i++;
                                if (i >= n || !is_digit(s[i]))
                                        return "invalid number";
                                while (i < n && is_digit(s[i]))
                                        i++;
                        }
                        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
                                i++;
                                if (i < n && (s[i] == '+' || s[i] == '-'))
                                        i++;
                                if (i >= n || !is_digit(s[i]))
                                        return "invalid number";
                                while (i < n && is_digit(s[i]))
                                        i++;
                        }
                        i--;
                } else if (c == 'N' || c == 'I')
                        return "invalid literal";
        }
        return NULL;
}

static int json_parse_value(const char *json, size_t size, const char *what, json_object **ret,
                            RktError **reterr) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_json_ json_object *o = NULL;
        enum json_tokener_error e;
        const char *nul, *problem;
        json_tokener *tok;
        size_t end;

        nul = memchr(json, 0, size);
        if (nul)
                return appc_fail(reterr, "%s is not valid JSON: NUL byte at offset %zu", what,
                                 (size_t) (nul - json));
        /* With a terminating NUL json-c also finishes a bare top-level literal. */
        buf = malloc(size + 1);
        if (!buf)
                return -ENOMEM;
        memcpy(buf, json, size);
        buf[size] = '\0';

        tok = json_tokener_new_ex(APPC_JSON_MAX_DEPTH);
        if (!tok)
                return -ENOMEM;
#ifdef JSON_TOKENER_VALIDATE_UTF8
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
#else
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
#endif
        o = json_tokener_parse_ex(tok, buf, (int) MIN(size + 1, (size_t) INT32_MAX));
        e = json_tokener_get_error(tok);
#if JSON_C_VERSION_NUM >= ((0 << 16) | (15 << 8))
        end = json_tokener_get_parse_end(tok);
#else
        end = (size_t) tok->char_offset;
#endif
        json_tokener_free(tok);
        if (e == json_tokener_continue)
                return appc_fail(reterr, "%s is not valid JSON: unexpected end of data at offset %zu", what,
                                 MIN(end, size));
        if (e != json_tokener_success)
                return appc_fail(reterr, "%s is not valid JSON: %s at offset %zu", what,
                                 json_tokener_error_desc(e), MIN(end, size));
        problem = strict_scan(buf, size, &end);
        if (problem)
                return appc_fail(reterr, "%s is not valid JSON: %s at offset %zu", what, problem, end);
        *ret = TAKE_PTR(o);
        return 0;
}

int appc_json_parse(const char *json, size_t size, const char *what, json_object **ret, RktError **reterr) {
        _cleanup_json_ json_object *o = NULL;
        int r;

        r = json_parse_value(json, size, what, &o, reterr);
        if (r < 0)
                return r;
        if (!json_object_is_type(o, json_type_object))
                return appc_fail(reterr, "%s is not a JSON object", what);
        *ret = TAKE_PTR(o);
        return 0;
}

static bool ascii_strcaseeq(const char *a, const char *b) {
        for (;; a++, b++) {
                char x = *a, y = *b;

                if (x >= 'A' && x <= 'Z')
                        x = (char) (x - 'A' + 'a');
                if (y >= 'A' && y <= 'Z')
                        y = (char) (y - 'A' + 'a');
                if (x != y)
                        return false;
                if (!x)
                        return true;
        }
}

json_object *appc_json_member(json_object *o, const char *key) {
        struct json_object_iterator it, end;
        json_object *found = NULL;

        if (!json_object_is_type(o, json_type_object))
                return NULL;
        it = json_object_iter_begin(o);
        end = json_object_iter_end(o);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
                if (ascii_strcaseeq(json_object_iter_peek_name(&it), key))
                        found = json_object_iter_peek_value(&it);
        return found;
}

int appc_json_expect(json_object *v, json_type type, const char *path, RktError **reterr) {
        static const char *const names[] = {
                [json_type_null] = "null",        [json_type_boolean] = "a boolean",
                [json_type_double] = "a number",  [json_type_int] = "an integer",
                [json_type_object] = "an object", [json_type_array] = "an array",
                [json_type_string] = "a string",
        };

        if (json_object_is_type(v, type))
                return 0;
        return appc_fail(reterr, "%s: must be %s", path, names[type]);
}

int appc_json_string(json_object *v, const char *path, char **ret, RktError **reterr) {
        const char *s;
        char *c;
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_string, path, reterr);
        if (r < 0)
                return r;
        s = json_object_get_string(v);
        if (strlen(s) != (size_t) json_object_get_string_len(v))
                return appc_fail(reterr, "%s: must not contain NUL characters", path);
        c = strdup(s);
        if (!c)
                return -ENOMEM;
        free(*ret);
        *ret = c;
        return 0;
}

int appc_json_bool(json_object *v, const char *path, bool *ret, RktError **reterr) {
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_boolean, path, reterr);
        if (r < 0)
                return r;
        *ret = json_object_get_boolean(v);
        return 0;
}

int appc_json_int(json_object *v, const char *path, int64_t min, int64_t max, int64_t *ret,
                  RktError **reterr) {
        int64_t i;

        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_int))
                return appc_fail(reterr, "%s: must be an integer between %" PRIi64 " and %" PRIi64, path,
                                 min, max);
        i = json_object_get_int64(v);
        if (i < min || i > max)
                return appc_fail(reterr,
                                 "%s: must be an integer between %" PRIi64 " and %" PRIi64 ", got %s", path,
                                 min, max, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        *ret = i;
        return 0;
}

int appc_json_uint64(json_object *v, const char *path, uint64_t *ret, RktError **reterr) {
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
                return appc_fail(reterr, "%s: must be a non-negative integer", path);
#if JSON_C_VERSION_NUM >= ((0 << 16) | (14 << 8))
        *ret = json_object_get_uint64(v);
#else
        *ret = (uint64_t) json_object_get_int64(v);
#endif
        return 0;
}

int appc_json_strv(json_object *v, const char *path, char ***ret, RktError **reterr) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n;
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_array, path, reterr);
        if (r < 0)
                return r;
        n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *s = NULL;
                json_object *e = json_object_array_get_idx(v, i);
                const char *p = APPC_PATH("%s[%zu]", path, i);

                r = appc_json_expect(e, json_type_string, p, reterr);
                if (r < 0)
                        return r;
                r = appc_json_string(e, p, &s, reterr);
                if (r < 0)
                        return r;
                r = strv_push(&l, s);
                if (r < 0)
                        return r;
                TAKE_PTR(s);
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 0;
}

int appc_json_kv_array(json_object *v, const char *path, AppcKV **ret, size_t *ret_n, RktError **reterr) {
        AppcKV *kv = NULL;
        size_t n = 0, len;
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_array, path, reterr);
        if (r < 0)
                return r;
        len = json_object_array_length(v);
        for (size_t i = 0; i < len; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                AppcKV *k;

                r = appc_json_expect(e, json_type_object, APPC_PATH("%s[%zu]", path, i), reterr);
                if (r < 0)
                        goto fail;
                k = appc_array_append(&kv, &n, sizeof(*kv));
                if (!k) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = appc_json_string(appc_json_member(e, "name"), APPC_PATH("%s[%zu].name", path, i),
                                     &k->name, reterr);
                if (r < 0)
                        goto fail;
                r = appc_json_string(appc_json_member(e, "value"), APPC_PATH("%s[%zu].value", path, i),
                                     &k->value, reterr);
                if (r < 0)
                        goto fail;
                if (!k->value) {
                        k->value = strdup("");
                        if (!k->value) {
                                r = -ENOMEM;
                                goto fail;
                        }
                }
        }
        appc_kv_array_free(*ret, *ret_n);
        *ret = kv;
        *ret_n = n;
        return 0;
fail:
        appc_kv_array_free(kv, n);
        return r;
}

static int kv_compare(const void *a, const void *b) {
        return strcmp(((const AppcKV *) a)->name, ((const AppcKV *) b)->name);
}

int appc_json_kv_map(json_object *v, const char *path, AppcKV **ret, size_t *ret_n, RktError **reterr) {
        struct json_object_iterator it, end;
        AppcKV *kv = NULL;
        size_t n = 0;
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_object, path, reterr);
        if (r < 0)
                return r;
        it = json_object_iter_begin(v);
        end = json_object_iter_end(v);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
                const char *key = json_object_iter_peek_name(&it);
                const char *p = APPC_PATH("%s.%s", path, key);
                json_object *e = json_object_iter_peek_value(&it);
                AppcKV *k;

                r = appc_json_expect(e, json_type_string, p, reterr);
                if (r < 0)
                        goto fail;
                k = appc_array_append(&kv, &n, sizeof(*kv));
                if (!k) {
                        r = -ENOMEM;
                        goto fail;
                }
                k->name = strdup(key);
                if (!k->name) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = appc_json_string(e, p, &k->value, reterr);
                if (r < 0)
                        goto fail;
        }
        if (n > 0)
                qsort(kv, n, sizeof(*kv), kv_compare);
        appc_kv_array_free(*ret, *ret_n);
        *ret = kv;
        *ret_n = n;
        return 0;
fail:
        appc_kv_array_free(kv, n);
        return r;
}

char *appc_json_text(json_object *v) {
        return strdup(v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE)
                        : "null");
}

int appc_check_kind(json_object *root, const char *expected, RktError **reterr) {
        json_object *k = appc_json_member(root, "acKind");
        int r;

        if (!k)
                return appc_fail(reterr, "acKind: must be \"%s\"", expected);
        r = appc_json_expect(k, json_type_string, "acKind", reterr);
        if (r < 0)
                return r;
        if (!streq(json_object_get_string(k), expected))
                return appc_fail(reterr, "acKind %s: must be \"%s\"", APPC_QUOTE(json_object_get_string(k)),
                                 expected);
        return 0;
}

int appc_manifest_kind(const char *json, size_t size, char **ret_kind, RktError **reterr) {
        _cleanup_json_ json_object *root = NULL;
        _cleanup_free_ char *kind = NULL;
        int r;

        r = appc_json_parse(json, size, "manifest", &root, reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(root, "acKind"), "acKind", &kind, reterr);
        if (r < 0)
                return r;
        if (isempty(kind))
                return appc_fail(reterr, "acKind: must be set");
        *ret_kind = TAKE_PTR(kind);
        return 0;
}

/* --- writing JSON --- */

static void jw_put(AppcJsonWriter *w, const char *s, size_t n) {
        if (w->oom)
                return;
        if (w->len + n + 1 > w->cap) {
                size_t cap = MAX(w->cap * 2, w->len + n + 256);
                char *b = realloc(w->buf, cap);

                if (!b) {
                        w->oom = true;
                        return;
                }
                w->buf = b;
                w->cap = cap;
        }
        memcpy(w->buf + w->len, s, n);
        w->len += n;
        w->buf[w->len] = '\0';
}

static void jw_puts(AppcJsonWriter *w, const char *s) {
        jw_put(w, s, strlen(s));
}

static void jw_separator(AppcJsonWriter *w) {
        if (w->comma)
                jw_put(w, ",", 1);
        w->comma = true;
}

static void jw_escaped(AppcJsonWriter *w, const char *s) {
        jw_put(w, "\"", 1);
        for (const char *p = s; *p; p++) {
                unsigned char c = (unsigned char) *p;
                char tmp[8];

                switch (c) {
                case '"':
                        jw_puts(w, "\\\"");
                        break;
                case '\\':
                        jw_puts(w, "\\\\");
                        break;
                case '\n':
                        jw_puts(w, "\\n");
                        break;
                case '\r':
                        jw_puts(w, "\\r");
                        break;
                case '\t':
                        jw_puts(w, "\\t");
                        break;
                default:
                        if (c < 0x20) {
                                snprintf(tmp, sizeof(tmp), "\\u%04x", c);
                                jw_puts(w, tmp);
                        } else
                                jw_put(w, p, 1);
                }
        }
        jw_put(w, "\"", 1);
}

void appc_jw_begin_object(AppcJsonWriter *w) {
        jw_separator(w);
        jw_put(w, "{", 1);
        w->comma = false;
}

void appc_jw_end_object(AppcJsonWriter *w) {
        jw_put(w, "}", 1);
        w->comma = true;
}

void appc_jw_begin_array(AppcJsonWriter *w) {
        jw_separator(w);
        jw_put(w, "[", 1);
        w->comma = false;
}

void appc_jw_end_array(AppcJsonWriter *w) {
        jw_put(w, "]", 1);
        w->comma = true;
}

void appc_jw_key(AppcJsonWriter *w, const char *key) {
        jw_separator(w);
        jw_escaped(w, key);
        jw_put(w, ":", 1);
        w->comma = false;
}

void appc_jw_string(AppcJsonWriter *w, const char *s) {
        jw_separator(w);
        jw_escaped(w, strempty(s));
}

void appc_jw_bool(AppcJsonWriter *w, bool b) {
        jw_separator(w);
        jw_puts(w, b ? "true" : "false");
}

void appc_jw_int(AppcJsonWriter *w, int64_t v) {
        char tmp[32];

        jw_separator(w);
        snprintf(tmp, sizeof(tmp), "%" PRIi64, v);
        jw_puts(w, tmp);
}

void appc_jw_uint(AppcJsonWriter *w, uint64_t v) {
        char tmp[32];

        jw_separator(w);
        snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
        jw_puts(w, tmp);
}

void appc_jw_raw_value(AppcJsonWriter *w, const char *json) {
        jw_separator(w);
        jw_puts(w, json ?: "null");
}

void appc_jw_strv(AppcJsonWriter *w, char *const *l) {
        appc_jw_begin_array(w);
        STRV_FOREACH(s, l)
        appc_jw_string(w, *s);
        appc_jw_end_array(w);
}

void appc_jw_kv_array(AppcJsonWriter *w, const AppcKV *kv, size_t n) {
        appc_jw_begin_array(w);
        for (size_t i = 0; i < n; i++) {
                appc_jw_begin_object(w);
                appc_jw_key(w, "name");
                appc_jw_string(w, kv[i].name);
                appc_jw_key(w, "value");
                appc_jw_string(w, kv[i].value);
                appc_jw_end_object(w);
        }
        appc_jw_end_array(w);
}

void appc_jw_kv_map(AppcJsonWriter *w, const AppcKV *kv, size_t n) {
        appc_jw_begin_object(w);
        for (size_t i = 0; i < n; i++) {
                appc_jw_key(w, kv[i].name);
                appc_jw_string(w, kv[i].value);
        }
        appc_jw_end_object(w);
}

static void jw_newline(AppcJsonWriter *w, int depth) {
        jw_put(w, "\n", 1);
        for (int i = 0; i < depth; i++)
                jw_put(w, "\t", 1);
}

/* Re-indents compact JSON the way Go's json.MarshalIndent(v, "", "\t") lays it out. */
static int reindent(const char *s, char **ret) {
        AppcJsonWriter o = {};
        int depth = 0;

        for (const char *p = s; *p; p++) {
                switch (*p) {
                case '"': {
                        const char *q = p + 1;

                        while (*q && *q != '"')
                                q += q[0] == '\\' && q[1] ? 2 : 1;
                        jw_put(&o, p, (size_t) (q - p) + (*q ? 1 : 0));
                        p = *q ? q : q - 1;
                        break;
                }
                case '{':
                case '[': {
                        const char *q = p + 1;

                        while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r')
                                q++;
                        if (*q == (*p == '{' ? '}' : ']')) {
                                jw_put(&o, p, 1);
                                jw_put(&o, q, 1);
                                p = q;
                                break;
                        }
                        jw_put(&o, p, 1);
                        jw_newline(&o, ++depth);
                        break;
                }
                case '}':
                case ']':
                        jw_newline(&o, --depth);
                        jw_put(&o, p, 1);
                        break;
                case ',':
                        jw_put(&o, ",", 1);
                        jw_newline(&o, depth);
                        break;
                case ':':
                        jw_puts(&o, ": ");
                        break;
                case ' ':
                case '\n':
                case '\t':
                case '\r':
                        break;
                default:
                        jw_put(&o, p, 1);
                }
        }
        if (o.oom || !o.buf) {
                free(o.buf);
                return -ENOMEM;
        }
        *ret = o.buf;
        return 0;
}

int appc_jw_finish(AppcJsonWriter *w, bool pretty, char **ret) {
        if (w->oom || !w->buf)
                return -ENOMEM;
        if (pretty)
                return reindent(w->buf, ret);
        *ret = TAKE_PTR(w->buf);
        w->len = w->cap = 0;
        return 0;
}

void appc_jw_done(AppcJsonWriter *w) {
        w->buf = mfree(w->buf);
}

/* --- arrays, lists, key-value pairs --- */

void *appc_array_append(void *array_ptr, size_t *n, size_t size) {
        void **array = array_ptr;
        char *a;

        a = reallocarray(*array, *n + 1, size);
        if (!a)
                return NULL;
        *array = a;
        memset(a + *n * size, 0, size);
        return a + (*n)++ * size;
}

void appc_kv_array_free(AppcKV *kv, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(kv[i].name);
                free(kv[i].value);
        }
        free(kv);
}

int appc_kv_array_copy(const AppcKV *kv, size_t n, AppcKV **ret, size_t *ret_n) {
        AppcKV *c = NULL;

        if (n > 0) {
                c = calloc(n, sizeof(*c));
                if (!c)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                c[i].name = strdup(strempty(kv[i].name));
                c[i].value = strdup(strempty(kv[i].value));
                if (!c[i].name || !c[i].value) {
                        appc_kv_array_free(c, n);
                        return -ENOMEM;
                }
        }
        *ret = c;
        *ret_n = n;
        return 0;
}

bool appc_kv_array_equal(const AppcKV *a, size_t na, const AppcKV *b, size_t nb) {
        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (!streq_ptr(a[i].name, b[i].name) || !streq_ptr(a[i].value, b[i].value))
                        return false;
        return true;
}

int appc_strv_copy(char *const *l, char ***ret) {
        _cleanup_strv_free_ char **c = NULL;

        STRV_FOREACH(s, l)
        if (strv_extend(&c, *s) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

bool appc_strv_equal(char *const *a, char *const *b) {
        size_t n = strv_length(a);

        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return true;
}

const char *appc_kv_get(const AppcKV *kv, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq_ptr(kv[i].name, name))
                        return kv[i].value;
        return NULL;
}

int appc_kv_set(AppcKV **kv, size_t *n, const char *name, const char *value) {
        _cleanup_free_ char *v = NULL, *nm = NULL;
        AppcKV *e;

        v = strdup(value);
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < *n; i++)
                if (streq_ptr((*kv)[i].name, name)) {
                        free((*kv)[i].value);
                        (*kv)[i].value = TAKE_PTR(v);
                        return 0;
                }
        nm = strdup(name);
        if (!nm)
                return -ENOMEM;
        e = appc_array_append(kv, n, sizeof(**kv));
        if (!e)
                return -ENOMEM;
        e->name = TAKE_PTR(nm);
        e->value = TAKE_PTR(v);
        return 0;
}

/* --- labels and annotations --- */

int appc_labels_validate(const AppcKV *l, size_t n, const char *prefix, const char *field,
                         RktError **reterr) {
        size_t os_i = SIZE_MAX, arch_i = SIZE_MAX;
        char problem[256];
        int r;

        for (size_t i = 0; i < n; i++) {
                const char *p = APPC_PATH("%s%s[%zu].name", prefix, field, i);

                r = appc_check_ac_identifier(l[i].name, p, reterr);
                if (r < 0)
                        return r;
                if (streq(l[i].name, "name"))
                        return appc_fail(reterr, "%s %s: not allowed as a label name (it is the image name)",
                                         p, APPC_QUOTE(l[i].name));
                for (size_t j = 0; j < i; j++)
                        if (streq(l[i].name, l[j].name))
                                return appc_fail(reterr, "%s %s: duplicate label", p, APPC_QUOTE(l[i].name));
                if (!l[i].value)
                        return appc_fail(reterr, "%s%s[%zu].value: must be set", prefix, field, i);
                if (streq(l[i].name, "os"))
                        os_i = i;
                else if (streq(l[i].name, "arch"))
                        arch_i = i;
        }
        if (os_i == SIZE_MAX)
                return 0;
        if (appc_os_arch_problem(l[os_i].value, NULL, problem, sizeof(problem)) < 0)
                return appc_fail(reterr, "%s%s[%zu].value %s: %s", prefix, field, os_i,
                                 APPC_QUOTE(l[os_i].value), problem);
        if (arch_i != SIZE_MAX &&
            appc_os_arch_problem(l[os_i].value, l[arch_i].value, problem, sizeof(problem)) < 0)
                return appc_fail(reterr, "%s%s[%zu].value %s: %s", prefix, field, arch_i,
                                 APPC_QUOTE(l[arch_i].value), problem);
        return 0;
}

int appc_annotations_validate(const AppcKV *a, size_t n, const char *prefix, const char *field,
                              RktError **reterr) {
        int r;

        for (size_t i = 0; i < n; i++) {
                const char *p = APPC_PATH("%s%s[%zu].name", prefix, field, i);
                const char *pv = APPC_PATH("%s%s[%zu].value", prefix, field, i);

                r = appc_check_ac_identifier(a[i].name, p, reterr);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < i; j++)
                        if (streq(a[i].name, a[j].name))
                                return appc_fail(reterr, "%s %s: duplicate annotation", p,
                                                 APPC_QUOTE(a[i].name));
                if (!a[i].value)
                        return appc_fail(reterr, "%s: must be set", pv);
                if (streq(a[i].name, "created") && !appc_date_valid(a[i].value))
                        return appc_fail(reterr, "%s %s: not an RFC 3339 date (annotation 'created')", pv,
                                         APPC_QUOTE(a[i].value));
                if ((streq(a[i].name, "homepage") || streq(a[i].name, "documentation")) &&
                    !appc_url_valid(a[i].value))
                        return appc_fail(reterr, "%s %s: not an http or https URL (annotation '%s')", pv,
                                         APPC_QUOTE(a[i].value), a[i].name);
        }
        return 0;
}

int appc_user_kv_validate(const AppcKV *kv, size_t n, const char *prefix, const char *field,
                          RktError **reterr) {
        for (size_t i = 0; i < n; i++) {
                if (!kv[i].name || !kv[i].value)
                        return appc_fail(reterr, "%s%s: entry %zu has no key or no value", prefix, field, i);
                for (size_t j = 0; j < i; j++)
                        if (streq(kv[i].name, kv[j].name))
                                return appc_fail(reterr, "%s%s.%s: duplicate key", prefix, field,
                                                 kv[i].name);
        }
        return 0;
}

/* --- isolators (schema/types/isolator*.go, plus os/linux/apparmor-profile from the spec after 0.8.11) ---
 */

static const char *const isolator_names[_APPC_ISOLATOR_TYPE_MAX] = {
        [APPC_ISOLATOR_RESOURCE_CPU] = "resource/cpu",
        [APPC_ISOLATOR_RESOURCE_MEMORY] = "resource/memory",
        [APPC_ISOLATOR_RESOURCE_BLOCK_BANDWIDTH] = "resource/block-bandwidth",
        [APPC_ISOLATOR_RESOURCE_BLOCK_IOPS] = "resource/block-iops",
        [APPC_ISOLATOR_RESOURCE_NETWORK_BANDWIDTH] = "resource/network-bandwidth",
        [APPC_ISOLATOR_CAPABILITIES_RETAIN_SET] = "os/linux/capabilities-retain-set",
        [APPC_ISOLATOR_CAPABILITIES_REMOVE_SET] = "os/linux/capabilities-remove-set",
        [APPC_ISOLATOR_NO_NEW_PRIVILEGES] = "os/linux/no-new-privileges",
        [APPC_ISOLATOR_SECCOMP_RETAIN_SET] = "os/linux/seccomp-retain-set",
        [APPC_ISOLATOR_SECCOMP_REMOVE_SET] = "os/linux/seccomp-remove-set",
        [APPC_ISOLATOR_OOM_SCORE_ADJ] = "os/linux/oom-score-adj",
        [APPC_ISOLATOR_CPU_SHARES] = "os/linux/cpu-shares",
        [APPC_ISOLATOR_SELINUX_CONTEXT] = "os/linux/selinux-context",
        [APPC_ISOLATOR_APPARMOR_PROFILE] = "os/linux/apparmor-profile",
        [APPC_ISOLATOR_UNIX_SYSCTL] = "os/unix/sysctl",
};

const char *appc_isolator_type_to_name(AppcIsolatorType t) {
        if (t <= APPC_ISOLATOR_UNKNOWN || t >= _APPC_ISOLATOR_TYPE_MAX)
                return NULL;
        return isolator_names[t];
}

AppcIsolatorType appc_isolator_type_from_name(const char *name) {
        for (AppcIsolatorType t = APPC_ISOLATOR_UNKNOWN + 1; t < _APPC_ISOLATOR_TYPE_MAX; t++)
                if (streq_ptr(name, isolator_names[t]))
                        return t;
        return APPC_ISOLATOR_UNKNOWN;
}

static bool isolator_multiple_allowed(AppcIsolatorType t) {
        switch (t) {
        case APPC_ISOLATOR_SECCOMP_RETAIN_SET:
        case APPC_ISOLATOR_SECCOMP_REMOVE_SET:
        case APPC_ISOLATOR_OOM_SCORE_ADJ:
        case APPC_ISOLATOR_CPU_SHARES:
        case APPC_ISOLATOR_SELINUX_CONTEXT:
        case APPC_ISOLATOR_APPARMOR_PROFILE:
        case APPC_ISOLATOR_UNIX_SYSCTL:
                return false;
        default:
                return true;
        }
}

static AppcIsolatorType isolator_conflict(AppcIsolatorType t) {
        if (t == APPC_ISOLATOR_SECCOMP_RETAIN_SET)
                return APPC_ISOLATOR_SECCOMP_REMOVE_SET;
        if (t == APPC_ISOLATOR_SECCOMP_REMOVE_SET)
                return APPC_ISOLATOR_SECCOMP_RETAIN_SET;
        return APPC_ISOLATOR_UNKNOWN;
}

static void isolator_value_done(AppcIsolator *i) {
        switch (i->type) {
        case APPC_ISOLATOR_RESOURCE_CPU:
        case APPC_ISOLATOR_RESOURCE_MEMORY:
        case APPC_ISOLATOR_RESOURCE_BLOCK_BANDWIDTH:
        case APPC_ISOLATOR_RESOURCE_BLOCK_IOPS:
        case APPC_ISOLATOR_RESOURCE_NETWORK_BANDWIDTH:
                free(i->resource.request);
                free(i->resource.limit);
                break;
        case APPC_ISOLATOR_CAPABILITIES_RETAIN_SET:
        case APPC_ISOLATOR_CAPABILITIES_REMOVE_SET:
                strv_free(i->caps);
                break;
        case APPC_ISOLATOR_SECCOMP_RETAIN_SET:
        case APPC_ISOLATOR_SECCOMP_REMOVE_SET:
                strv_free(i->seccomp.set);
                free(i->seccomp.errno_name);
                break;
        case APPC_ISOLATOR_SELINUX_CONTEXT:
                free(i->selinux.user);
                free(i->selinux.role);
                free(i->selinux.type);
                free(i->selinux.level);
                break;
        case APPC_ISOLATOR_APPARMOR_PROFILE:
                free(i->apparmor_profile);
                break;
        case APPC_ISOLATOR_UNIX_SYSCTL:
                appc_kv_array_free(i->sysctl.entries, i->sysctl.n_entries);
                break;
        default:
                break;
        }
}

static void isolator_done(AppcIsolator *i) {
        isolator_value_done(i);
        free(i->name);
        free(i->value_json);
        *i = (AppcIsolator){};
}

/* A quantity may be written as a JSON string or a bare number; Go trims the spaces around it. */
static int read_quantity(json_object *v, const char *path, char **ret, RktError **reterr) {
        const char *s, *problem;
        size_t len;

        if (!v)
                return 0;
        if (json_object_is_type(v, json_type_string))
                s = json_object_get_string(v);
        else if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
                s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
        else
                return appc_fail(reterr, "%s: must be a quantity string such as \"500m\" or \"1Gi\"", path);
        s += strspn(s, " \t\n\v\f\r");
        len = strlen(s);
        while (len > 0 && strchr(" \t\n\v\f\r", s[len - 1]))
                len--;
        *ret = strndup(s, len);
        if (!*ret)
                return -ENOMEM;
        problem = appc_quantity_problem(*ret);
        if (problem)
                return appc_fail(reterr, "%s %s: not a valid quantity (%s)", path, APPC_QUOTE(*ret),
                                 problem);
        return 0;
}

static int read_selinux_part(json_object *o, const char *key, const char *path, bool colon_ok, char **ret,
                             RktError **reterr) {
        const char *p = APPC_PATH("%s.%s", path, key);
        int r;

        r = appc_json_string(appc_json_member(o, key), p, ret, reterr);
        if (r < 0)
                return r;
        if (isempty(*ret))
                return appc_fail(reterr, "%s: must be set", p);
        if (!colon_ok && strchr(*ret, ':'))
                return appc_fail(reterr, "%s %s: must not contain ':'", p, APPC_QUOTE(*ret));
        return 0;
}

/* Reads the value of a known isolator into the union of i (whose type is set) and checks it against that
 * isolator's schema. path names the value. */
static int isolator_interpret(AppcIsolator *i, json_object *v, const char *path, RktError **reterr) {
        const char *name = isolator_names[i->type];
        int64_t n;
        int r;

        if (i->type == APPC_ISOLATOR_UNKNOWN)
                return 0;
        if (!v)
                return appc_fail(reterr, "%s: must be set for %s", path, name);

        switch (i->type) {
        case APPC_ISOLATOR_RESOURCE_CPU:
        case APPC_ISOLATOR_RESOURCE_MEMORY:
        case APPC_ISOLATOR_RESOURCE_BLOCK_BANDWIDTH:
        case APPC_ISOLATOR_RESOURCE_BLOCK_IOPS:
        case APPC_ISOLATOR_RESOURCE_NETWORK_BANDWIDTH: {
                bool default_required =
                        i->type != APPC_ISOLATOR_RESOURCE_CPU && i->type != APPC_ISOLATOR_RESOURCE_MEMORY;

                r = appc_json_expect(v, json_type_object, path, reterr);
                if (r < 0)
                        return r;
                r = appc_json_bool(appc_json_member(v, "default"), APPC_PATH("%s.default", path),
                                   &i->resource.is_default, reterr);
                if (r < 0)
                        return r;
                r = read_quantity(appc_json_member(v, "request"), APPC_PATH("%s.request", path),
                                  &i->resource.request, reterr);
                if (r < 0)
                        return r;
                r = read_quantity(appc_json_member(v, "limit"), APPC_PATH("%s.limit", path),
                                  &i->resource.limit, reterr);
                if (r < 0)
                        return r;
                if (!default_required && i->resource.is_default)
                        return appc_fail(reterr, "%s.default: must be false for %s", path, name);
                if (default_required && !i->resource.is_default)
                        return appc_fail(reterr, "%s.default: must be true for %s", path, name);
                if (default_required && i->resource.request)
                        return appc_fail(reterr, "%s.request: not supported by %s", path, name);
                return 0;
        }
        case APPC_ISOLATOR_CAPABILITIES_RETAIN_SET:
        case APPC_ISOLATOR_CAPABILITIES_REMOVE_SET:
                r = appc_json_expect(v, json_type_object, path, reterr);
                if (r < 0)
                        return r;
                r = appc_json_strv(appc_json_member(v, "set"), APPC_PATH("%s.set", path), &i->caps, reterr);
                if (r < 0)
                        return r;
                if (strv_length(i->caps) == 0)
                        return appc_fail(reterr, "%s.set: must not be empty for %s", path, name);
                return 0;
        case APPC_ISOLATOR_NO_NEW_PRIVILEGES:
                return appc_json_bool(v, path, &i->no_new_privileges, reterr);
        case APPC_ISOLATOR_SECCOMP_RETAIN_SET:
        case APPC_ISOLATOR_SECCOMP_REMOVE_SET: {
                const char *e;

                r = appc_json_expect(v, json_type_object, path, reterr);
                if (r < 0)
                        return r;
                r = appc_json_strv(appc_json_member(v, "set"), APPC_PATH("%s.set", path), &i->seccomp.set,
                                   reterr);
                if (r < 0)
                        return r;
                if (strv_length(i->seccomp.set) == 0)
                        return appc_fail(reterr, "%s.set: must not be empty for %s", path, name);
                r = appc_json_string(appc_json_member(v, "errno"), APPC_PATH("%s.errno", path),
                                     &i->seccomp.errno_name, reterr);
                if (r < 0)
                        return r;
                e = i->seccomp.errno_name;
                if (isempty(e)) {
                        i->seccomp.errno_name = mfree(i->seccomp.errno_name);
                        return 0;
                }
                if (e[0] != 'E' || strspn(e, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(e))
                        return appc_fail(
                                reterr,
                                "%s.errno %s: must be an errno name: 'E' and upper case letters or digits",
                                path, APPC_QUOTE(e));
                return 0;
        }
        case APPC_ISOLATOR_OOM_SCORE_ADJ:
                r = appc_json_int(v, path, -1000, 1000, &n, reterr);
                if (r < 0)
                        return r;
                i->oom_score_adj = (int) n;
                return 0;
        case APPC_ISOLATOR_CPU_SHARES:
                r = appc_json_int(v, path, 2, 262144, &n, reterr);
                if (r < 0)
                        return r;
                i->cpu_shares = (int) n;
                return 0;
        case APPC_ISOLATOR_SELINUX_CONTEXT:
                r = appc_json_expect(v, json_type_object, path, reterr);
                if (r < 0)
                        return r;
                r = read_selinux_part(v, "user", path, false, &i->selinux.user, reterr);
                if (r < 0)
                        return r;
                r = read_selinux_part(v, "role", path, false, &i->selinux.role, reterr);
                if (r < 0)
                        return r;
                r = read_selinux_part(v, "type", path, false, &i->selinux.type, reterr);
                if (r < 0)
                        return r;
                return read_selinux_part(v, "level", path, true, &i->selinux.level, reterr);
        case APPC_ISOLATOR_APPARMOR_PROFILE:
                r = appc_json_expect(v, json_type_object, path, reterr);
                if (r < 0)
                        return r;
                r = appc_json_string(appc_json_member(v, "profile"), APPC_PATH("%s.profile", path),
                                     &i->apparmor_profile, reterr);
                if (r < 0)
                        return r;
                if (isempty(i->apparmor_profile))
                        return appc_fail(reterr, "%s.profile: must be set for %s", path, name);
                return 0;
        case APPC_ISOLATOR_UNIX_SYSCTL:
                return appc_json_kv_map(v, path, &i->sysctl.entries, &i->sysctl.n_entries, reterr);
        default:
                return 0;
        }
}

/* Fills i from a name and a parsed value: the name is checked, value_json canonicalized, the value
 * interpreted. On failure i holds what was read so far and must be cleaned up by the caller. */
static int isolator_fill(AppcIsolator *i, const char *name, json_object *value, const char *path,
                         RktError **reterr) {
        int r;

        r = appc_check_ac_identifier(name, APPC_PATH("%s.name", path), reterr);
        if (r < 0)
                return r;
        if (!i->name) {
                i->name = strdup(name);
                if (!i->name)
                        return -ENOMEM;
        }
        i->value_json = appc_json_text(value);
        if (!i->value_json)
                return -ENOMEM;
        i->type = appc_isolator_type_from_name(name);
        return isolator_interpret(i, value, APPC_PATH("%s.value", path), reterr);
}

/* Re-reads value_json: the typed union is derived from it, so this also deep-copies and validates. */
static int isolator_from_text(AppcIsolator *i, const char *name, const char *value_json, const char *path,
                              RktError **reterr) {
        _cleanup_json_ json_object *v = NULL;
        int r;

        if (!value_json)
                return appc_fail(reterr, "%s.value: must be set", path);
        r = json_parse_value(value_json, strlen(value_json), APPC_PATH("%s.value", path), &v, reterr);
        if (r < 0)
                return r;
        return isolator_fill(i, name, v, path, reterr);
}

int appc_isolators_from_json(json_object *v, const char *path, AppcIsolator **ret, size_t *ret_n,
                             RktError **reterr) {
        AppcIsolator *is = NULL;
        size_t n = 0, len;
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_array, path, reterr);
        if (r < 0)
                return r;
        len = json_object_array_length(v);
        for (size_t i = 0; i < len; i++) {
                _cleanup_free_ char *name = NULL;
                json_object *e = json_object_array_get_idx(v, i);
                const char *p = APPC_PATH("%s[%zu]", path, i);
                AppcIsolator *iso;

                r = appc_json_expect(e, json_type_object, p, reterr);
                if (r < 0)
                        goto fail;
                r = appc_json_string(appc_json_member(e, "name"), APPC_PATH("%s.name", p), &name, reterr);
                if (r < 0)
                        goto fail;
                iso = appc_array_append(&is, &n, sizeof(*is));
                if (!iso) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = isolator_fill(iso, name, appc_json_member(e, "value"), p, reterr);
                if (r < 0)
                        goto fail;
        }
        appc_isolators_free(*ret, *ret_n);
        *ret = is;
        *ret_n = n;
        return 0;
fail:
        appc_isolators_free(is, n);
        return r;
}

int appc_isolators_validate(const AppcIsolator *is, size_t n, const char *prefix, bool app_rules,
                            RktError **reterr) {
        int r;

        for (size_t i = 0; i < n; i++) {
                const char *p = APPC_PATH("%sisolators[%zu]", prefix, i);
                AppcIsolator scratch = {};
                AppcIsolatorType t;

                r = isolator_from_text(&scratch, is[i].name, is[i].value_json, p, reterr);
                isolator_done(&scratch);
                if (r < 0)
                        return r;
                t = appc_isolator_type_from_name(is[i].name);
                if (t != is[i].type)
                        return appc_fail(reterr, "%s.name %s: does not match the isolator's type", p,
                                         APPC_QUOTE(is[i].name));
                if (!app_rules)
                        continue;
                for (size_t j = 0; j < i; j++) {
                        if (!isolator_multiple_allowed(t) && streq(is[j].name, is[i].name))
                                return appc_fail(reterr,
                                                 "%s.name %s: only one such isolator is allowed in an app",
                                                 p, APPC_QUOTE(is[i].name));
                        if (isolator_conflict(t) != APPC_ISOLATOR_UNKNOWN &&
                            is[j].type == isolator_conflict(t))
                                return appc_fail(reterr, "%s.name %s: conflicts with %s in %sisolators[%zu]",
                                                 p, APPC_QUOTE(is[i].name), APPC_QUOTE(is[j].name), prefix,
                                                 j);
                }
        }
        return 0;
}

void appc_isolators_remove(AppcIsolator **is, size_t *n, const char *name) {
        size_t k = 0;

        for (size_t i = 0; i < *n; i++) {
                if (streq((*is)[i].name, name)) {
                        isolator_done(&(*is)[i]);
                        continue;
                }
                (*is)[k++] = (*is)[i];
        }
        *n = k;
}

void appc_isolators_free(AppcIsolator *is, size_t n) {
        for (size_t i = 0; i < n; i++)
                isolator_done(&is[i]);
        free(is);
}

int appc_isolators_copy(const AppcIsolator *is, size_t n, AppcIsolator **ret, size_t *ret_n) {
        AppcIsolator *c = NULL;
        int r;

        if (n > 0) {
                c = calloc(n, sizeof(*c));
                if (!c)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                r = isolator_from_text(&c[i], is[i].name, is[i].value_json, "isolator", NULL);
                if (r < 0) {
                        appc_isolators_free(c, n);
                        return r;
                }
        }
        *ret = c;
        *ret_n = n;
        return 0;
}

bool appc_isolators_equal(const AppcIsolator *a, size_t na, const AppcIsolator *b, size_t nb) {
        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (!streq_ptr(a[i].name, b[i].name) || !streq_ptr(a[i].value_json, b[i].value_json) ||
                    a[i].type != b[i].type)
                        return false;
        return true;
}

void appc_jw_isolators(AppcJsonWriter *w, const AppcIsolator *is, size_t n) {
        appc_jw_begin_array(w);
        for (size_t i = 0; i < n; i++) {
                appc_jw_begin_object(w);
                appc_jw_key(w, "name");
                appc_jw_string(w, is[i].name);
                appc_jw_key(w, "value");
                appc_jw_raw_value(w, is[i].value_json);
                appc_jw_end_object(w);
        }
        appc_jw_end_array(w);
}

int appc_isolators_add(AppcIsolator **isolators, size_t *n, const char *name, const char *value_json,
                       RktError **reterr) {
        _cleanup_json_ json_object *v = NULL;
        AppcIsolator i = {}, *e;
        const char *what = APPC_PATH("isolator %s", APPC_QUOTE(name));
        int r;

        r = json_parse_value(value_json, strlen(value_json), APPC_PATH("%s value", what), &v, reterr);
        if (r < 0)
                return r;
        r = isolator_fill(&i, name, v, what, reterr);
        if (r < 0) {
                isolator_done(&i);
                return r;
        }
        e = appc_array_append(isolators, n, sizeof(**isolators));
        if (!e) {
                isolator_done(&i);
                return -ENOMEM;
        }
        *e = i;
        return 0;
}

const AppcIsolator *appc_isolator_get(const AppcIsolator *isolators, size_t n, const char *name) {
        for (size_t i = n; i > 0; i--)
                if (streq_ptr(isolators[i - 1].name, name))
                        return &isolators[i - 1];
        return NULL;
}

/* --- ports --- */

int appc_port_from_json(json_object *v, const char *path, AppcPort *ret, RktError **reterr) {
        AppcPort p = {};
        int64_t port = 0, count = 0;
        int r;

        r = appc_json_expect(v, json_type_object, path, reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(v, "name"), APPC_PATH("%s.name", path), &p.name, reterr);
        if (r < 0)
                goto fail;
        r = appc_json_string(appc_json_member(v, "protocol"), APPC_PATH("%s.protocol", path), &p.protocol,
                             reterr);
        if (r < 0)
                goto fail;
        r = appc_json_int(appc_json_member(v, "port"), APPC_PATH("%s.port", path), 0, UINT32_MAX, &port,
                          reterr);
        if (r < 0)
                goto fail;
        r = appc_json_int(appc_json_member(v, "count"), APPC_PATH("%s.count", path), 0, UINT32_MAX, &count,
                          reterr);
        if (r < 0)
                goto fail;
        r = appc_json_bool(appc_json_member(v, "socketActivated"), APPC_PATH("%s.socketActivated", path),
                           &p.socket_activated, reterr);
        if (r < 0)
                goto fail;
        p.port = (unsigned) port;
        /* appc: an absent (or zero) count is one port */
        p.count = count == 0 ? 1 : (unsigned) count;
        *ret = p;
        return 0;
fail:
        appc_port_done(&p);
        return r;
}

int appc_port_validate(const AppcPort *p, const char *prefix, RktError **reterr) {
        int r;

        r = appc_check_ac_name(p->name, APPC_PATH("%sname", prefix), reterr);
        if (r < 0)
                return r;
        r = appc_check_set(p->protocol, APPC_PATH("%sprotocol", prefix), reterr);
        if (r < 0)
                return r;
        if (p->port < 1 || p->port > 65535)
                return appc_fail(reterr, "%sport: must be between 1 and 65535, got %u", prefix, p->port);
        if (p->count < 1)
                return appc_fail(reterr, "%scount: must be at least 1", prefix);
        if ((uint64_t) p->port + p->count - 1 > 65535)
                return appc_fail(reterr, "%scount: the range of %u ports from %u ends beyond 65535", prefix,
                                 p->count, p->port);
        return 0;
}

void appc_port_done(AppcPort *p) {
        free(p->name);
        free(p->protocol);
        *p = (AppcPort){};
}

int appc_port_copy(const AppcPort *p, AppcPort *ret) {
        AppcPort c = *p;

        c.name = p->name ? strdup(p->name) : NULL;
        c.protocol = p->protocol ? strdup(p->protocol) : NULL;
        if ((p->name && !c.name) || (p->protocol && !c.protocol)) {
                appc_port_done(&c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

bool appc_port_equal(const AppcPort *a, const AppcPort *b) {
        return streq_ptr(a->name, b->name) && streq_ptr(a->protocol, b->protocol) && a->port == b->port &&
               a->count == b->count && a->socket_activated == b->socket_activated;
}

void appc_jw_port(AppcJsonWriter *w, const AppcPort *p) {
        appc_jw_begin_object(w);
        appc_jw_key(w, "name");
        appc_jw_string(w, p->name);
        appc_jw_key(w, "protocol");
        appc_jw_string(w, p->protocol);
        appc_jw_key(w, "port");
        appc_jw_uint(w, p->port);
        appc_jw_key(w, "count");
        appc_jw_uint(w, p->count);
        appc_jw_key(w, "socketActivated");
        appc_jw_bool(w, p->socket_activated);
        appc_jw_end_object(w);
}

/* --- the app section --- */

AppcApp *appc_app_new(void) {
        return calloc(1, sizeof(AppcApp));
}

AppcApp *appc_app_free(AppcApp *a) {
        if (!a)
                return NULL;
        strv_free(a->exec);
        free(a->user);
        free(a->group);
        free(a->supplementary_gids);
        for (size_t i = 0; i < a->n_event_handlers; i++) {
                free(a->event_handlers[i].name);
                strv_free(a->event_handlers[i].exec);
        }
        free(a->event_handlers);
        free(a->working_directory);
        appc_kv_array_free(a->environment, a->n_environment);
        appc_isolators_free(a->isolators, a->n_isolators);
        for (size_t i = 0; i < a->n_mount_points; i++) {
                free(a->mount_points[i].name);
                free(a->mount_points[i].path);
        }
        free(a->mount_points);
        for (size_t i = 0; i < a->n_ports; i++)
                appc_port_done(&a->ports[i]);
        free(a->ports);
        appc_kv_array_free(a->user_annotations, a->n_user_annotations);
        appc_kv_array_free(a->user_labels, a->n_user_labels);
        free(a);
        return NULL;
}

static int app_gids_from_json(AppcApp *a, json_object *v, const char *path, RktError **reterr) {
        size_t len;
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_array, path, reterr);
        if (r < 0)
                return r;
        len = json_object_array_length(v);
        if (len == 0)
                return 0;
        a->supplementary_gids = calloc(len, sizeof(uint32_t));
        if (!a->supplementary_gids)
                return -ENOMEM;
        for (size_t i = 0; i < len; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                const char *p = APPC_PATH("%s[%zu]", path, i);
                int64_t gid = 0;

                if (!e)
                        return appc_fail(reterr, "%s: must be an integer between 0 and %" PRIu32, p,
                                         UINT32_MAX);
                r = appc_json_int(e, p, 0, UINT32_MAX, &gid, reterr);
                if (r < 0)
                        return r;
                a->supplementary_gids[a->n_supplementary_gids++] = (uint32_t) gid;
        }
        return 0;
}

static int app_event_handlers_from_json(AppcApp *a, json_object *v, const char *path, RktError **reterr) {
        size_t len;
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_array, path, reterr);
        if (r < 0)
                return r;
        len = json_object_array_length(v);
        for (size_t i = 0; i < len; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                const char *p = APPC_PATH("%s[%zu]", path, i);
                AppcEventHandler *h;

                r = appc_json_expect(e, json_type_object, p, reterr);
                if (r < 0)
                        return r;
                h = appc_array_append(&a->event_handlers, &a->n_event_handlers, sizeof(*h));
                if (!h)
                        return -ENOMEM;
                r = appc_json_string(appc_json_member(e, "name"), APPC_PATH("%s.name", p), &h->name, reterr);
                if (r < 0)
                        return r;
                r = appc_json_strv(appc_json_member(e, "exec"), APPC_PATH("%s.exec", p), &h->exec, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int app_mount_points_from_json(AppcApp *a, json_object *v, const char *path, RktError **reterr) {
        size_t len;
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_array, path, reterr);
        if (r < 0)
                return r;
        len = json_object_array_length(v);
        for (size_t i = 0; i < len; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                const char *p = APPC_PATH("%s[%zu]", path, i);
                AppcMountPoint *m;

                r = appc_json_expect(e, json_type_object, p, reterr);
                if (r < 0)
                        return r;
                m = appc_array_append(&a->mount_points, &a->n_mount_points, sizeof(*m));
                if (!m)
                        return -ENOMEM;
                r = appc_json_string(appc_json_member(e, "name"), APPC_PATH("%s.name", p), &m->name, reterr);
                if (r < 0)
                        return r;
                r = appc_json_string(appc_json_member(e, "path"), APPC_PATH("%s.path", p), &m->path, reterr);
                if (r < 0)
                        return r;
                r = appc_json_bool(appc_json_member(e, "readOnly"), APPC_PATH("%s.readOnly", p),
                                   &m->read_only, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int app_ports_from_json(AppcApp *a, json_object *v, const char *path, RktError **reterr) {
        size_t len;
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_array, path, reterr);
        if (r < 0)
                return r;
        len = json_object_array_length(v);
        for (size_t i = 0; i < len; i++) {
                AppcPort *p = appc_array_append(&a->ports, &a->n_ports, sizeof(*p));

                if (!p)
                        return -ENOMEM;
                r = appc_port_from_json(json_object_array_get_idx(v, i), APPC_PATH("%s[%zu]", path, i), p,
                                        reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

int appc_app_from_json(json_object *v, const char *path, AppcApp **ret, RktError **reterr) {
        _cleanup_(appc_app_freep) AppcApp *a = NULL;
        int r;

        r = appc_json_expect(v, json_type_object, path, reterr);
        if (r < 0)
                return r;
        a = appc_app_new();
        if (!a)
                return -ENOMEM;
        r = appc_json_strv(appc_json_member(v, "exec"), APPC_PATH("%s.exec", path), &a->exec, reterr);
        if (r < 0)
                return r;
        r = app_event_handlers_from_json(a, appc_json_member(v, "eventHandlers"),
                                         APPC_PATH("%s.eventHandlers", path), reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(v, "user"), APPC_PATH("%s.user", path), &a->user, reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(v, "group"), APPC_PATH("%s.group", path), &a->group, reterr);
        if (r < 0)
                return r;
        r = app_gids_from_json(a, appc_json_member(v, "supplementaryGIDs"),
                               APPC_PATH("%s.supplementaryGIDs", path), reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(v, "workingDirectory"), APPC_PATH("%s.workingDirectory", path),
                             &a->working_directory, reterr);
        if (r < 0)
                return r;
        if (a->working_directory && a->working_directory[0] == '\0')
                a->working_directory = mfree(a->working_directory);
        r = appc_json_kv_array(appc_json_member(v, "environment"), APPC_PATH("%s.environment", path),
                               &a->environment, &a->n_environment, reterr);
        if (r < 0)
                return r;
        r = app_mount_points_from_json(a, appc_json_member(v, "mountPoints"),
                                       APPC_PATH("%s.mountPoints", path), reterr);
        if (r < 0)
                return r;
        r = app_ports_from_json(a, appc_json_member(v, "ports"), APPC_PATH("%s.ports", path), reterr);
        if (r < 0)
                return r;
        r = appc_isolators_from_json(appc_json_member(v, "isolators"), APPC_PATH("%s.isolators", path),
                                     &a->isolators, &a->n_isolators, reterr);
        if (r < 0)
                return r;
        r = appc_json_kv_map(appc_json_member(v, "userAnnotations"), APPC_PATH("%s.userAnnotations", path),
                             &a->user_annotations, &a->n_user_annotations, reterr);
        if (r < 0)
                return r;
        r = appc_json_kv_map(appc_json_member(v, "userLabels"), APPC_PATH("%s.userLabels", path),
                             &a->user_labels, &a->n_user_labels, reterr);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(a);
        return 0;
}

int appc_app_validate_at(const AppcApp *a, const char *prefix, RktError **reterr) {
        int r;

        r = appc_check_set(a->user, APPC_PATH("%suser", prefix), reterr);
        if (r < 0)
                return r;
        r = appc_check_set(a->group, APPC_PATH("%sgroup", prefix), reterr);
        if (r < 0)
                return r;
        if (a->working_directory && a->working_directory[0] != '/')
                return appc_fail(reterr, "%sworkingDirectory %s: must be an absolute path", prefix,
                                 APPC_QUOTE(a->working_directory));
        for (size_t i = 0; i < a->n_event_handlers; i++) {
                const char *p = APPC_PATH("%seventHandlers[%zu].name", prefix, i);
                const char *name = a->event_handlers[i].name;

                r = appc_check_set(name, p, reterr);
                if (r < 0)
                        return r;
                if (!streq(name, "pre-start") && !streq(name, "post-stop"))
                        return appc_fail(reterr, "%s %s: must be \"pre-start\" or \"post-stop\"", p,
                                         APPC_QUOTE(name));
                for (size_t j = 0; j < i; j++)
                        if (streq(name, a->event_handlers[j].name))
                                return appc_fail(reterr,
                                                 "%s %s: only one event handler of a name is allowed", p,
                                                 APPC_QUOTE(name));
        }
        for (size_t i = 0; i < a->n_environment; i++) {
                const char *p = APPC_PATH("%senvironment[%zu].name", prefix, i);
                const char *name = a->environment[i].name;

                r = appc_check_set(name, p, reterr);
                if (r < 0)
                        return r;
                if (!appc_env_name_valid(name))
                        return appc_fail(
                                reterr,
                                "%s %s: not a valid environment variable name (letters, digits, '_', "
                                "'.' and '-', not starting with a digit, '.' or '-')",
                                p, APPC_QUOTE(name));
                for (size_t j = 0; j < i; j++)
                        if (streq(name, a->environment[j].name))
                                return appc_fail(reterr, "%s %s: duplicate environment variable", p,
                                                 APPC_QUOTE(name));
                if (!a->environment[i].value)
                        return appc_fail(reterr, "%senvironment[%zu].value: must be set", prefix, i);
        }
        r = appc_isolators_validate(a->isolators, a->n_isolators, prefix, true, reterr);
        if (r < 0)
                return r;
        for (size_t i = 0; i < a->n_mount_points; i++) {
                r = appc_check_ac_name(a->mount_points[i].name,
                                       APPC_PATH("%smountPoints[%zu].name", prefix, i), reterr);
                if (r < 0)
                        return r;
                r = appc_check_set(a->mount_points[i].path, APPC_PATH("%smountPoints[%zu].path", prefix, i),
                                   reterr);
                if (r < 0)
                        return r;
                /* One name, one volume: a name declared twice would mount the same volume at two places,
                 * one of them reached through the other's content (a symlink a former run left there). */
                for (size_t j = 0; j < i; j++)
                        if (streq(a->mount_points[i].name, a->mount_points[j].name))
                                return appc_fail(reterr,
                                                 "%smountPoints[%zu].name %s: duplicate mount point name",
                                                 prefix, i, APPC_QUOTE(a->mount_points[i].name));
        }
        for (size_t i = 0; i < a->n_ports; i++) {
                r = appc_port_validate(&a->ports[i], APPC_PATH("%sports[%zu].", prefix, i), reterr);
                if (r < 0)
                        return r;
        }
        r = appc_user_kv_validate(a->user_annotations, a->n_user_annotations, prefix, "userAnnotations",
                                  reterr);
        if (r < 0)
                return r;
        return appc_user_kv_validate(a->user_labels, a->n_user_labels, prefix, "userLabels", reterr);
}

int appc_app_validate(const AppcApp *a, RktError **reterr) {
        return appc_app_validate_at(a, "app.", reterr);
}

void appc_jw_app(AppcJsonWriter *w, const AppcApp *a) {
        appc_jw_begin_object(w);
        appc_jw_key(w, "exec");
        appc_jw_strv(w, a->exec);
        if (a->n_event_handlers > 0) {
                appc_jw_key(w, "eventHandlers");
                appc_jw_begin_array(w);
                for (size_t i = 0; i < a->n_event_handlers; i++) {
                        appc_jw_begin_object(w);
                        appc_jw_key(w, "name");
                        appc_jw_string(w, a->event_handlers[i].name);
                        appc_jw_key(w, "exec");
                        appc_jw_strv(w, a->event_handlers[i].exec);
                        appc_jw_end_object(w);
                }
                appc_jw_end_array(w);
        }
        appc_jw_key(w, "user");
        appc_jw_string(w, a->user);
        appc_jw_key(w, "group");
        appc_jw_string(w, a->group);
        if (a->n_supplementary_gids > 0) {
                appc_jw_key(w, "supplementaryGIDs");
                appc_jw_begin_array(w);
                for (size_t i = 0; i < a->n_supplementary_gids; i++)
                        appc_jw_uint(w, a->supplementary_gids[i]);
                appc_jw_end_array(w);
        }
        if (a->working_directory) {
                appc_jw_key(w, "workingDirectory");
                appc_jw_string(w, a->working_directory);
        }
        if (a->n_environment > 0) {
                appc_jw_key(w, "environment");
                appc_jw_kv_array(w, a->environment, a->n_environment);
        }
        if (a->n_mount_points > 0) {
                appc_jw_key(w, "mountPoints");
                appc_jw_begin_array(w);
                for (size_t i = 0; i < a->n_mount_points; i++) {
                        appc_jw_begin_object(w);
                        appc_jw_key(w, "name");
                        appc_jw_string(w, a->mount_points[i].name);
                        appc_jw_key(w, "path");
                        appc_jw_string(w, a->mount_points[i].path);
                        if (a->mount_points[i].read_only) {
                                appc_jw_key(w, "readOnly");
                                appc_jw_bool(w, true);
                        }
                        appc_jw_end_object(w);
                }
                appc_jw_end_array(w);
        }
        if (a->n_ports > 0) {
                appc_jw_key(w, "ports");
                appc_jw_begin_array(w);
                for (size_t i = 0; i < a->n_ports; i++)
                        appc_jw_port(w, &a->ports[i]);
                appc_jw_end_array(w);
        }
        if (a->n_isolators > 0) {
                appc_jw_key(w, "isolators");
                appc_jw_isolators(w, a->isolators, a->n_isolators);
        }
        if (a->n_user_annotations > 0) {
                appc_jw_key(w, "userAnnotations");
                appc_jw_kv_map(w, a->user_annotations, a->n_user_annotations);
        }
        if (a->n_user_labels > 0) {
                appc_jw_key(w, "userLabels");
                appc_jw_kv_map(w, a->user_labels, a->n_user_labels);
        }
        appc_jw_end_object(w);
}

static char *strdup_or_null(const char *s, bool *oom) {
        char *c;

        if (!s)
                return NULL;
        c = strdup(s);
        if (!c)
                *oom = true;
        return c;
}

int appc_app_copy(const AppcApp *a, AppcApp **ret) {
        _cleanup_(appc_app_freep) AppcApp *c = NULL;
        bool oom = false;
        int r;

        c = appc_app_new();
        if (!c)
                return -ENOMEM;
        if (appc_strv_copy(a->exec, &c->exec) < 0)
                return -ENOMEM;
        c->user = strdup_or_null(a->user, &oom);
        c->group = strdup_or_null(a->group, &oom);
        c->working_directory = strdup_or_null(a->working_directory, &oom);
        if (oom)
                return -ENOMEM;
        if (a->n_supplementary_gids > 0) {
                c->supplementary_gids = calloc(a->n_supplementary_gids, sizeof(uint32_t));
                if (!c->supplementary_gids)
                        return -ENOMEM;
                memcpy(c->supplementary_gids, a->supplementary_gids,
                       a->n_supplementary_gids * sizeof(uint32_t));
                c->n_supplementary_gids = a->n_supplementary_gids;
        }
        for (size_t i = 0; i < a->n_event_handlers; i++) {
                AppcEventHandler *h =
                        appc_array_append(&c->event_handlers, &c->n_event_handlers, sizeof(*h));

                if (!h)
                        return -ENOMEM;
                h->name = strdup_or_null(a->event_handlers[i].name, &oom);
                if (oom || appc_strv_copy(a->event_handlers[i].exec, &h->exec) < 0)
                        return -ENOMEM;
        }
        if (appc_kv_array_copy(a->environment, a->n_environment, &c->environment, &c->n_environment) < 0)
                return -ENOMEM;
        r = appc_isolators_copy(a->isolators, a->n_isolators, &c->isolators, &c->n_isolators);
        if (r < 0)
                return r;
        for (size_t i = 0; i < a->n_mount_points; i++) {
                AppcMountPoint *m = appc_array_append(&c->mount_points, &c->n_mount_points, sizeof(*m));

                if (!m)
                        return -ENOMEM;
                m->name = strdup_or_null(a->mount_points[i].name, &oom);
                m->path = strdup_or_null(a->mount_points[i].path, &oom);
                m->read_only = a->mount_points[i].read_only;
                if (oom)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < a->n_ports; i++) {
                AppcPort *p = appc_array_append(&c->ports, &c->n_ports, sizeof(*p));

                if (!p || appc_port_copy(&a->ports[i], p) < 0)
                        return -ENOMEM;
        }
        if (appc_kv_array_copy(a->user_annotations, a->n_user_annotations, &c->user_annotations,
                               &c->n_user_annotations) < 0 ||
            appc_kv_array_copy(a->user_labels, a->n_user_labels, &c->user_labels, &c->n_user_labels) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

bool appc_app_equal(const AppcApp *a, const AppcApp *b) {
        if (!a || !b)
                return a == b;
        if (!appc_strv_equal(a->exec, b->exec) || !streq_ptr(a->user, b->user) ||
            !streq_ptr(a->group, b->group) || !streq_ptr(a->working_directory, b->working_directory))
                return false;
        if (a->n_supplementary_gids != b->n_supplementary_gids ||
            (a->n_supplementary_gids > 0 && memcmp(a->supplementary_gids, b->supplementary_gids,
                                                   a->n_supplementary_gids * sizeof(uint32_t)) != 0))
                return false;
        if (a->n_event_handlers != b->n_event_handlers)
                return false;
        for (size_t i = 0; i < a->n_event_handlers; i++)
                if (!streq_ptr(a->event_handlers[i].name, b->event_handlers[i].name) ||
                    !appc_strv_equal(a->event_handlers[i].exec, b->event_handlers[i].exec))
                        return false;
        if (!appc_kv_array_equal(a->environment, a->n_environment, b->environment, b->n_environment) ||
            !appc_isolators_equal(a->isolators, a->n_isolators, b->isolators, b->n_isolators))
                return false;
        if (a->n_mount_points != b->n_mount_points)
                return false;
        for (size_t i = 0; i < a->n_mount_points; i++)
                if (!streq_ptr(a->mount_points[i].name, b->mount_points[i].name) ||
                    !streq_ptr(a->mount_points[i].path, b->mount_points[i].path) ||
                    a->mount_points[i].read_only != b->mount_points[i].read_only)
                        return false;
        if (a->n_ports != b->n_ports)
                return false;
        for (size_t i = 0; i < a->n_ports; i++)
                if (!appc_port_equal(&a->ports[i], &b->ports[i]))
                        return false;
        return appc_kv_array_equal(a->user_annotations, a->n_user_annotations, b->user_annotations,
                                   b->n_user_annotations) &&
               appc_kv_array_equal(a->user_labels, a->n_user_labels, b->user_labels, b->n_user_labels);
}
