/* SPDX-License-Identifier: Apache-2.0 */
/* JSON as the appc types read and write it (encoding/json's rules): messages that name the field, strict
 * parsing, typed members, and the writer. */
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

static size_t copy_truncated(char *buf, size_t o, size_t size, const char *s) {
        size_t n = strlen(s);

        if (n > size - 1 - o)
                n = size - 1 - o;
        memcpy(buf + o, s, n);
        return o + n;
}

const char *appc_path_member(char *buf, size_t size, const char *path, const char *key) {
        size_t o = copy_truncated(buf, 0, size, path);

        if (*path)
                o = copy_truncated(buf, o, size, ".");
        o = copy_truncated(buf, o, size, key);
        buf[o] = '\0';
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

/* "PATH: must be set", or "PATH 'value': not a valid WHAT (why)" when problem_of finds something wrong. */
static int check_format(const char *s, const char *path, const char *(*problem_of)(const char *),
                        const char *what, RktError **reterr) {
        const char *problem;

        if (isempty(s))
                return appc_fail(reterr, "%s: must be set", path);
        problem = problem_of(s);
        if (problem)
                return appc_fail(reterr, "%s %s: not a valid %s (%s)", path, APPC_QUOTE(s), what, problem);
        return 0;
}

static const char *image_id_prefix_problem(const char *s) {
        return appc_image_id_problem(s, false);
}

int appc_check_ac_identifier(const char *s, const char *path, RktError **reterr) {
        return check_format(s, path, appc_ac_identifier_problem, "AC Identifier", reterr);
}

int appc_check_ac_name(const char *s, const char *path, RktError **reterr) {
        return check_format(s, path, appc_ac_name_problem, "AC Name", reterr);
}

int appc_check_image_id(const char *s, const char *path, RktError **reterr) {
        return check_format(s, path, image_id_prefix_problem, "image ID", reterr);
}

int appc_check_semver(const char *s, const char *path, RktError **reterr) {
        return check_format(s, path, appc_semver_problem, "semantic version", reterr);
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

int appc_json_parse_value(const char *json, size_t size, const char *what, json_object **ret,
                          RktError **reterr) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_(json_object_putp) json_object *o = NULL;
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
        _cleanup_(json_object_putp) json_object *o = NULL;
        int r;

        r = appc_json_parse_value(json, size, what, &o, reterr);
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

int appc_json_array(json_object *v, const char *path, size_t size, AppcElementParser parse,
                    const void *userdata, void *array_ptr, size_t *n, RktError **reterr) {
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_array, path, reterr);
        for (size_t i = 0; r >= 0 && i < json_object_array_length(v); i++) {
                void *e = appc_array_append(array_ptr, n, size);

                if (!e)
                        return -ENOMEM;
                r = parse(json_object_array_get_idx(v, i), APPC_PATH("%s[%zu]", path, i), e, userdata,
                          reterr);
        }
        return r;
}

static int kv_from_json(json_object *e, const char *path, void *elem, const void *userdata,
                        RktError **reterr) {
        AppcKV *k = elem;
        int r;

        r = appc_json_expect(e, json_type_object, path, reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(e, "name"), APPC_PATH("%s.name", path), &k->name, reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(e, "value"), APPC_PATH("%s.value", path), &k->value, reterr);
        if (r < 0)
                return r;
        if (!k->value && !(k->value = strdup("")))
                return -ENOMEM;
        return 0;
}

int appc_json_kv_array(json_object *v, const char *path, AppcKV **ret, size_t *ret_n, RktError **reterr) {
        return appc_json_array(v, path, sizeof(AppcKV), kv_from_json, NULL, ret, ret_n, reterr);
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
        _cleanup_(json_object_putp) json_object *root = NULL;
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

void appc_jw_name_value(AppcJsonWriter *w, const char *name, const char *value, bool raw) {
        appc_jw_begin_object(w);
        appc_jw_key(w, "name");
        appc_jw_string(w, name);
        appc_jw_key(w, "value");
        if (raw)
                appc_jw_raw_value(w, value);
        else
                appc_jw_string(w, value);
        appc_jw_end_object(w);
}

void appc_jw_kv_array(AppcJsonWriter *w, const AppcKV *kv, size_t n) {
        appc_jw_begin_array(w);
        for (size_t i = 0; i < n; i++)
                appc_jw_name_value(w, kv[i].name, kv[i].value, false);
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
