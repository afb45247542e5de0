/* SPDX-License-Identifier: Apache-2.0 */
/* JSON read and written by Go's encoding/json rules: messages that name the field, strict parsing, typed
 * members, and the writer. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json-io.h"
#include "strv.h"
#include "util.h"

/* Go allows 10000 levels; a manifest needs about ten, isolator values a few more. */
#define JSON_MAX_DEPTH 64

/* --- messages --- */

const char *json_pathf(char *buf, size_t size, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(buf, size, fmt, ap);
        va_end(ap);
        return buf;
}

static size_t copy_truncated(char *buf, size_t o, size_t size, const char *s) {
        size_t n = strlen(s);

        if (n > size - 1 - o)
                n = size - 1 - o;
        memcpy(buf + o, s, n);
        return o + n;
}

const char *json_path_member(char *buf, size_t size, const char *path, const char *key) {
        size_t o = copy_truncated(buf, 0, size, path);

        if (*path)
                o = copy_truncated(buf, o, size, ".");
        o = copy_truncated(buf, o, size, key);
        buf[o] = '\0';
        return buf;
}

const char *json_path_index(char *buf, size_t size, const char *path, size_t i) {
        char digits[3 * sizeof(size_t) + 3];
        size_t d = sizeof(digits) - 1, o;

        digits[d] = '\0';
        digits[--d] = ']';
        do
                digits[--d] = (char) ('0' + i % 10);
        while ((i /= 10) > 0);
        digits[--d] = '[';
        o = copy_truncated(buf, 0, size, path);
        o = copy_truncated(buf, o, size, digits + d);
        buf[o] = '\0';
        return buf;
}

const char *json_quote(char *buf, size_t size, const char *s) {
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

int json_fail(RktError **reterr, const char *fmt, ...) {
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

/* --- arrays and name/value pairs --- */

void *array_append_zero(void *array_ptr, size_t *n, size_t size) {
        void **array = array_ptr;
        char *a;

        a = reallocarray(*array, *n + 1, size);
        if (!a)
                return NULL;
        *array = a;
        memset(a + *n * size, 0, size);
        return a + (*n)++ * size;
}

void name_value_array_free(NameValue *kv, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(kv[i].name);
                free(kv[i].value);
        }
        free(kv);
}

int name_value_array_copy(const NameValue *kv, size_t n, NameValue **ret, size_t *ret_n) {
        NameValue *c = NULL;

        if (n > 0) {
                c = calloc(n, sizeof(*c));
                if (!c)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                c[i].name = strdup(strempty(kv[i].name));
                c[i].value = strdup(strempty(kv[i].value));
                if (!c[i].name || !c[i].value) {
                        name_value_array_free(c, n);
                        return -ENOMEM;
                }
        }
        *ret = c;
        *ret_n = n;
        return 0;
}

bool name_value_array_equal(const NameValue *a, size_t na, const NameValue *b, size_t nb) {
        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (!streq_ptr(a[i].name, b[i].name) || !streq_ptr(a[i].value, b[i].value))
                        return false;
        return true;
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

int json_parse_strict_value(const char *json, size_t size, const char *what, json_object **ret,
                            RktError **reterr) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_(json_object_putp) json_object *o = NULL;
        enum json_tokener_error e;
        const char *nul, *problem;
        json_tokener *tok;
        size_t end;

        nul = memchr(json, 0, size);
        if (nul)
                return json_fail(reterr, "%s is not valid JSON: NUL byte at offset %zu", what,
                                 (size_t) (nul - json));
        /* With a terminating NUL json-c also finishes a bare top-level literal. */
        buf = malloc(size + 1);
        if (!buf)
                return -ENOMEM;
        memcpy(buf, json, size);
        buf[size] = '\0';

        tok = json_tokener_new_ex(JSON_MAX_DEPTH);
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
                return json_fail(reterr, "%s is not valid JSON: unexpected end of data at offset %zu", what,
                                 MIN(end, size));
        if (e != json_tokener_success)
                return json_fail(reterr, "%s is not valid JSON: %s at offset %zu", what,
                                 json_tokener_error_desc(e), MIN(end, size));
        problem = strict_scan(buf, size, &end);
        if (problem)
                return json_fail(reterr, "%s is not valid JSON: %s at offset %zu", what, problem, end);
        *ret = TAKE_PTR(o);
        return 0;
}

int json_parse_strict(const char *json, size_t size, const char *what, json_object **ret,
                      RktError **reterr) {
        _cleanup_(json_object_putp) json_object *o = NULL;
        int r;

        r = json_parse_strict_value(json, size, what, &o, reterr);
        if (r < 0)
                return r;
        if (!json_object_is_type(o, json_type_object))
                return json_fail(reterr, "%s is not a JSON object", what);
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

json_object *json_member(json_object *o, const char *key) {
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

int json_expect(json_object *v, json_type type, const char *path, RktError **reterr) {
        static const char *const names[] = {
                [json_type_null] = "null",        [json_type_boolean] = "a boolean",
                [json_type_double] = "a number",  [json_type_int] = "an integer",
                [json_type_object] = "an object", [json_type_array] = "an array",
                [json_type_string] = "a string",
        };

        if (json_object_is_type(v, type))
                return 0;
        return json_fail(reterr, "%s: must be %s", path, names[type]);
}

int json_read_string(json_object *v, const char *path, char **ret, RktError **reterr) {
        const char *s;
        char *c;
        int r;

        if (!v)
                return 0;
        r = json_expect(v, json_type_string, path, reterr);
        if (r < 0)
                return r;
        s = json_object_get_string(v);
        if (strlen(s) != (size_t) json_object_get_string_len(v))
                return json_fail(reterr, "%s: must not contain NUL characters", path);
        c = strdup(s);
        if (!c)
                return -ENOMEM;
        free(*ret);
        *ret = c;
        return 0;
}

int json_read_bool(json_object *v, const char *path, bool *ret, RktError **reterr) {
        int r;

        if (!v)
                return 0;
        r = json_expect(v, json_type_boolean, path, reterr);
        if (r < 0)
                return r;
        *ret = json_object_get_boolean(v);
        return 0;
}

int json_read_int(json_object *v, const char *path, int64_t min, int64_t max, int64_t *ret,
                  RktError **reterr) {
        int64_t i;

        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_int))
                return json_fail(reterr, "%s: must be an integer between %" PRIi64 " and %" PRIi64, path,
                                 min, max);
        i = json_object_get_int64(v);
        if (i < min || i > max)
                return json_fail(reterr,
                                 "%s: must be an integer between %" PRIi64 " and %" PRIi64 ", got %s", path,
                                 min, max, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        *ret = i;
        return 0;
}

int json_read_uint64(json_object *v, const char *path, uint64_t *ret, RktError **reterr) {
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
                return json_fail(reterr, "%s: must be a non-negative integer", path);
#if JSON_C_VERSION_NUM >= ((0 << 16) | (14 << 8))
        *ret = json_object_get_uint64(v);
#else
        *ret = (uint64_t) json_object_get_int64(v);
#endif
        return 0;
}

int json_read_strv(json_object *v, const char *path, char ***ret, RktError **reterr) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n;
        int r;

        if (!v)
                return 0;
        r = json_expect(v, json_type_array, path, reterr);
        if (r < 0)
                return r;
        n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *s = NULL;
                json_object *e = json_object_array_get_idx(v, i);
                const char *p = JSON_PATH_INDEX(path, i);

                r = json_expect(e, json_type_string, p, reterr);
                if (r < 0)
                        return r;
                r = json_read_string(e, p, &s, reterr);
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

int json_read_array(json_object *v, const char *path, size_t size, JsonElementParser parse,
                    const void *userdata, void *array_ptr, size_t *n, RktError **reterr) {
        int r;

        if (!v)
                return 0;
        r = json_expect(v, json_type_array, path, reterr);
        for (size_t i = 0; r >= 0 && i < json_object_array_length(v); i++) {
                void *e = array_append_zero(array_ptr, n, size);

                if (!e)
                        return -ENOMEM;
                r = parse(json_object_array_get_idx(v, i), JSON_PATH_INDEX(path, i), e, userdata, reterr);
        }
        return r;
}

static int kv_from_json(json_object *e, const char *path, void *elem, const void *userdata,
                        RktError **reterr) {
        NameValue *k = elem;
        int r;

        r = json_expect(e, json_type_object, path, reterr);
        if (r < 0)
                return r;
        r = json_read_string(json_member(e, "name"), JSON_PATH_MEMBER(path, "name"), &k->name, reterr);
        if (r < 0)
                return r;
        r = json_read_string(json_member(e, "value"), JSON_PATH_MEMBER(path, "value"), &k->value, reterr);
        if (r < 0)
                return r;
        if (!k->value && !(k->value = strdup("")))
                return -ENOMEM;
        return 0;
}

int json_read_kv_array(json_object *v, const char *path, NameValue **ret, size_t *ret_n, RktError **reterr) {
        return json_read_array(v, path, sizeof(NameValue), kv_from_json, NULL, ret, ret_n, reterr);
}

static int kv_compare(const void *a, const void *b) {
        return strcmp(((const NameValue *) a)->name, ((const NameValue *) b)->name);
}

int json_read_kv_map(json_object *v, const char *path, NameValue **ret, size_t *ret_n, RktError **reterr) {
        struct json_object_iterator it, end;
        NameValue *kv = NULL;
        size_t n = 0;
        int r;

        if (!v)
                return 0;
        r = json_expect(v, json_type_object, path, reterr);
        if (r < 0)
                return r;
        it = json_object_iter_begin(v);
        end = json_object_iter_end(v);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
                const char *key = json_object_iter_peek_name(&it);
                const char *p = JSON_PATH_MEMBER(path, key);
                json_object *e = json_object_iter_peek_value(&it);
                NameValue *k;

                r = json_expect(e, json_type_string, p, reterr);
                if (r < 0)
                        goto fail;
                k = array_append_zero(&kv, &n, sizeof(*kv));
                if (!k) {
                        r = -ENOMEM;
                        goto fail;
                }
                k->name = strdup(key);
                if (!k->name) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = json_read_string(e, p, &k->value, reterr);
                if (r < 0)
                        goto fail;
        }
        if (n > 0)
                qsort(kv, n, sizeof(*kv), kv_compare);
        name_value_array_free(*ret, *ret_n);
        *ret = kv;
        *ret_n = n;
        return 0;
fail:
        name_value_array_free(kv, n);
        return r;
}

int json_to_plain_string(json_object *o, char **ret) {
        char *s = strdup(
                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

char *json_text(json_object *v) {
        return strdup(v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE)
                        : "null");
}

int json_check_const(json_object *o, const char *key, const char *expected, RktError **reterr) {
        json_object *k = json_member(o, key);
        int r;

        if (!k)
                return json_fail(reterr, "%s: must be \"%s\"", key, expected);
        r = json_expect(k, json_type_string, key, reterr);
        if (r < 0)
                return r;
        if (!streq(json_object_get_string(k), expected))
                return json_fail(reterr, "%s %s: must be \"%s\"", key, JSON_QUOTE(json_object_get_string(k)),
                                 expected);
        return 0;
}

/* --- writing JSON --- */

static void w_put(JsonWriter *w, const char *s, size_t n) {
        if (!w->oom && buf_append(&w->buf, &w->len, &w->cap, s, n) < 0)
                w->oom = true;
}

static void w_puts(JsonWriter *w, const char *s) {
        w_put(w, s, strlen(s));
}

static void w_separator(JsonWriter *w) {
        if (w->comma)
                w_put(w, ",", 1);
        w->comma = true;
}

static void w_escaped(JsonWriter *w, const char *s) {
        w_put(w, "\"", 1);
        for (const char *p = s; *p; p++) {
                unsigned char c = (unsigned char) *p;
                char tmp[8];

                switch (c) {
                case '"':
                        w_puts(w, "\\\"");
                        break;
                case '\\':
                        w_puts(w, "\\\\");
                        break;
                case '\n':
                        w_puts(w, "\\n");
                        break;
                case '\r':
                        w_puts(w, "\\r");
                        break;
                case '\t':
                        w_puts(w, "\\t");
                        break;
                default:
                        if (c < 0x20) {
                                snprintf(tmp, sizeof(tmp), "\\u%04x", c);
                                w_puts(w, tmp);
                        } else
                                w_put(w, p, 1);
                }
        }
        w_put(w, "\"", 1);
}

void jw_begin_object(JsonWriter *w) {
        w_separator(w);
        w_put(w, "{", 1);
        w->comma = false;
}

void jw_end_object(JsonWriter *w) {
        w_put(w, "}", 1);
        w->comma = true;
}

void jw_begin_array(JsonWriter *w) {
        w_separator(w);
        w_put(w, "[", 1);
        w->comma = false;
}

void jw_end_array(JsonWriter *w) {
        w_put(w, "]", 1);
        w->comma = true;
}

void jw_key(JsonWriter *w, const char *key) {
        w_separator(w);
        w_escaped(w, key);
        w_put(w, ":", 1);
        w->comma = false;
}

void jw_string(JsonWriter *w, const char *s) {
        w_separator(w);
        w_escaped(w, strempty(s));
}

void jw_bool(JsonWriter *w, bool b) {
        w_separator(w);
        w_puts(w, b ? "true" : "false");
}

void jw_int(JsonWriter *w, int64_t v) {
        char tmp[32];

        w_separator(w);
        snprintf(tmp, sizeof(tmp), "%" PRIi64, v);
        w_puts(w, tmp);
}

void jw_uint(JsonWriter *w, uint64_t v) {
        char tmp[32];

        w_separator(w);
        snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
        w_puts(w, tmp);
}

void jw_raw_value(JsonWriter *w, const char *json) {
        w_separator(w);
        w_puts(w, json ?: "null");
}

void jw_strv(JsonWriter *w, char *const *l) {
        jw_begin_array(w);
        STRV_FOREACH(s, l)
        jw_string(w, *s);
        jw_end_array(w);
}

void jw_name_value(JsonWriter *w, const char *name, const char *value, bool raw) {
        jw_begin_object(w);
        jw_key(w, "name");
        jw_string(w, name);
        jw_key(w, "value");
        if (raw)
                jw_raw_value(w, value);
        else
                jw_string(w, value);
        jw_end_object(w);
}

void jw_kv_array(JsonWriter *w, const NameValue *kv, size_t n) {
        jw_begin_array(w);
        for (size_t i = 0; i < n; i++)
                jw_name_value(w, kv[i].name, kv[i].value, false);
        jw_end_array(w);
}

void jw_kv_map(JsonWriter *w, const NameValue *kv, size_t n) {
        jw_begin_object(w);
        for (size_t i = 0; i < n; i++) {
                jw_key(w, kv[i].name);
                jw_string(w, kv[i].value);
        }
        jw_end_object(w);
}

static void w_newline(JsonWriter *w, int depth) {
        w_put(w, "\n", 1);
        for (int i = 0; i < depth; i++)
                w_put(w, "\t", 1);
}

/* Re-indents compact JSON the way Go's json.MarshalIndent(v, "", "\t") lays it out. */
static int reindent(const char *s, char **ret) {
        JsonWriter o = {};
        int depth = 0;

        for (const char *p = s; *p; p++) {
                switch (*p) {
                case '"': {
                        const char *q = p + 1;

                        while (*q && *q != '"')
                                q += q[0] == '\\' && q[1] ? 2 : 1;
                        w_put(&o, p, (size_t) (q - p) + (*q ? 1 : 0));
                        p = *q ? q : q - 1;
                        break;
                }
                case '{':
                case '[': {
                        const char *q = p + 1;

                        while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r')
                                q++;
                        if (*q == (*p == '{' ? '}' : ']')) {
                                w_put(&o, p, 1);
                                w_put(&o, q, 1);
                                p = q;
                                break;
                        }
                        w_put(&o, p, 1);
                        w_newline(&o, ++depth);
                        break;
                }
                case '}':
                case ']':
                        w_newline(&o, --depth);
                        w_put(&o, p, 1);
                        break;
                case ',':
                        w_put(&o, ",", 1);
                        w_newline(&o, depth);
                        break;
                case ':':
                        w_puts(&o, ": ");
                        break;
                case ' ':
                case '\n':
                case '\t':
                case '\r':
                        break;
                default:
                        w_put(&o, p, 1);
                }
        }
        if (o.oom || !o.buf) {
                free(o.buf);
                return -ENOMEM;
        }
        *ret = o.buf;
        return 0;
}

int jw_finish(JsonWriter *w, bool pretty, char **ret) {
        if (w->oom || !w->buf)
                return -ENOMEM;
        if (pretty)
                return reindent(w->buf, ret);
        *ret = TAKE_PTR(w->buf);
        w->len = w->cap = 0;
        return 0;
}

void jw_done(JsonWriter *w) {
        w->buf = mfree(w->buf);
}
