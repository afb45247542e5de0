/* SPDX-License-Identifier: Apache-2.0 */
/* Records described by a table of fields (in the spirit of systemd's JsonDispatch): one table per type
 * drives parsing, freeing, copying, comparing and writing, instead of a hand-written walker for each. */
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "json-table.h"
#include "strv.h"

#define FIELD(base, f) ((char *) (base) + (f)->offset)
#define CFIELD(base, f) ((const char *) (base) + (f)->offset)
#define COUNT(base, f) (*(size_t *) ((char *) (base) + (f)->n_offset))
#define CCOUNT(base, f) (*(const size_t *) ((const char *) (base) + (f)->n_offset))
#define PTR(base, f) (*(void **) FIELD(base, f))
#define CPTR(base, f) (*(void *const *) CFIELD(base, f))

/* The pointer a field holds, or NULL for the fields that hold a value (not to read it as a pointer). */
static const void *field_pointer(const JsonField *f, const void *base) {
        switch (f->type) {
        case JSON_FIELD_BOOL:
        case JSON_FIELD_UINT:
        case JSON_FIELD_UINT64:
        case JSON_FIELD_OBJECT:
        case JSON_FIELD_CONST:
                return NULL;
        default:
                return CPTR(base, f);
        }
}

/* --- reading --- */

static int uint32_from_json(json_object *e, const char *path, void *elem, const void *userdata,
                            RktError **reterr) {
        int64_t i = 0;
        int r;

        /* a null element: json_read_int() reads nothing from it */
        if (!e)
                return json_fail(reterr, "%s: must be an integer between 0 and %" PRIu32, path, UINT32_MAX);
        r = json_read_int(e, path, 0, UINT32_MAX, &i, reterr);
        if (r < 0)
                return r;
        *(uint32_t *) elem = (uint32_t) i;
        return 0;
}

static int element_from_json(json_object *e, const char *path, void *elem, const void *userdata,
                             RktError **reterr) {
        return json_table_from_json(userdata, e, path, elem, reterr);
}

static int object_ptr_from_json(const JsonTable *t, json_object *v, const char *path, void **ret,
                                RktError **reterr) {
        void *p;
        int r;

        p = calloc(1, t->size);
        if (!p)
                return -ENOMEM;
        r = json_table_from_json(t, v, path, p, reterr);
        if (r < 0) {
                json_table_done(t, p);
                free(p);
                return r;
        }
        *ret = p;
        return 0;
}

/* The member names of the object v, whose values are objects or null. */
static int keys_from_json(json_object *v, const char *path, char ***ret, RktError **reterr) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        if (!v)
                return 0;
        r = json_expect(v, json_type_object, path, reterr);
        if (r < 0)
                return r;
        json_object_object_foreach(v, key, val) {
                if (val && !json_object_is_type(val, json_type_object))
                        return json_fail(reterr, "%s: %s: must be an object", path, JSON_QUOTE(key));
                r = strv_extend(&l, key);
                if (r < 0)
                        return r;
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 0;
}

static int field_from_json(const JsonField *f, json_object *v, const char *path, void *base,
                           RktError **reterr) {
        int64_t i;
        int r;

        if (v && (f->flags & JSON_PRESENT))
                *(bool *) ((char *) base + f->present_offset) = true;
        if (!v && (f->flags & JSON_REQUIRED))
                return json_fail(reterr, "%s: must be set", path);
        switch (f->type) {
        case JSON_FIELD_STRING: {
                char **s = (char **) FIELD(base, f);

                r = json_read_string(v, path, s, reterr);
                if (r >= 0 && (f->flags & JSON_EMPTY_IS_NULL) && *s && (*s)[0] == '\0')
                        *s = mfree(*s);
                return r;
        }
        case JSON_FIELD_STRV:
                return json_read_strv(v, path, (char ***) FIELD(base, f), reterr);
        case JSON_FIELD_KEYS:
                return keys_from_json(v, path, (char ***) FIELD(base, f), reterr);
        case JSON_FIELD_BOOL:
                return json_read_bool(v, path, (bool *) FIELD(base, f), reterr);
        case JSON_FIELD_UINT:
                i = *(unsigned *) FIELD(base, f);
                r = json_read_int(v, path, f->min, f->max, &i, reterr);
                *(unsigned *) FIELD(base, f) = (unsigned) i;
                return r;
        case JSON_FIELD_UINT64:
                return json_read_uint64(v, path, (uint64_t *) FIELD(base, f), reterr);
        case JSON_FIELD_UINT32_ARRAY:
                return json_read_array(v, path, sizeof(uint32_t), uint32_from_json, NULL, FIELD(base, f),
                                       &COUNT(base, f), reterr);
        case JSON_FIELD_KV_ARRAY:
                return json_read_kv_array(v, path, (NameValue **) FIELD(base, f), &COUNT(base, f), reterr);
        case JSON_FIELD_KV_MAP:
                return json_read_kv_map(v, path, (NameValue **) FIELD(base, f), &COUNT(base, f), reterr);
        case JSON_FIELD_CUSTOM:
                return f->ops->parse(v, path, FIELD(base, f), &COUNT(base, f), reterr);
        case JSON_FIELD_ARRAY:
                return json_read_array(v, path, f->elem->size, element_from_json, f->elem, FIELD(base, f),
                                       &COUNT(base, f), reterr);
        case JSON_FIELD_OBJECT:
                return v ? json_table_from_json(f->elem, v, path, FIELD(base, f), reterr) : 0;
        case JSON_FIELD_OBJECT_PTR:
                return v ? object_ptr_from_json(f->elem, v, path, (void **) FIELD(base, f), reterr) : 0;
        case JSON_FIELD_CONST: /* checked by json_table_parse() */
                return 0;
        }
        return 0;
}

/* The JSON type a strict table's field must have (json_type_null: any). */
static json_type field_json_type(const JsonField *f) {
        switch (f->type) {
        case JSON_FIELD_STRING:
        case JSON_FIELD_CONST:
                return json_type_string;
        case JSON_FIELD_BOOL:
                return json_type_boolean;
        case JSON_FIELD_UINT:
        case JSON_FIELD_UINT64:
                return json_type_int;
        case JSON_FIELD_STRV:
        case JSON_FIELD_UINT32_ARRAY:
        case JSON_FIELD_KV_ARRAY:
        case JSON_FIELD_ARRAY:
                return json_type_array;
        case JSON_FIELD_KV_MAP:
        case JSON_FIELD_KEYS:
        case JSON_FIELD_OBJECT:
        case JSON_FIELD_OBJECT_PTR:
                return json_type_object;
        default:
                return json_type_null;
        }
}

static const char *type_name(json_type t) {
        static const char *const names[] = {
                [json_type_null] = "null",        [json_type_boolean] = "a boolean",
                [json_type_double] = "a number",  [json_type_int] = "an integer",
                [json_type_object] = "an object", [json_type_array] = "an array",
                [json_type_string] = "a string",
        };

        return (size_t) t < ELEMENTSOF(names) && names[t] ? names[t] : "unknown";
}

/* The member key of o (null included): exactly, else (any_case) the first one equal ignoring case. */
static bool strict_lookup(const JsonTable *t, json_object *o, const char *key, json_object **ret) {
        struct json_object_iterator it, end;

        if (json_object_object_get_ex(o, key, ret))
                return true;
        if (!t->any_case)
                return false;
        it = json_object_iter_begin(o);
        end = json_object_iter_end(o);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
                if (strcasecmp(json_object_iter_peek_name(&it), key) == 0) {
                        *ret = json_object_iter_peek_value(&it);
                        return true;
                }
        return false;
}

/* A member of a strict table: present (null included) with the type the field wants, strings without NUL
 * (and without control characters in a single_line table). *ret is NULL when the member is absent. */
static int strict_member(const JsonTable *t, const JsonField *f, json_object *o, const char *path,
                         json_object **ret, RktError **reterr) {
        json_type want = field_json_type(f);
        json_object *v = NULL;
        const char *s;

        *ret = NULL;
        if (!strict_lookup(t, o, f->key, &v)) {
                if (f->flags & JSON_REQUIRED)
                        return json_fail(reterr, "field '%s': must be set", path);
                return 0;
        }
        if (want != json_type_null && !json_object_is_type(v, want))
                return json_fail(reterr, "field '%s': must be %s, not %s", path, type_name(want),
                                 type_name(json_object_get_type(v)));
        /* the elements of a list of strings, named like the member ("field 'domains[1]'") */
        for (size_t i = 0; f->type == JSON_FIELD_STRV && i < json_object_array_length(v); i++) {
                json_object *e = json_object_array_get_idx(v, i);

                if (!json_object_is_type(e, json_type_string))
                        return json_fail(reterr, "field '%s[%zu]': must be a string, not %s", path, i,
                                         type_name(json_object_get_type(e)));
                if (strlen(json_object_get_string(e)) != (size_t) json_object_get_string_len(e))
                        return json_fail(reterr, "field '%s[%zu]': must not contain NUL characters", path,
                                         i);
        }
        if (want == json_type_string) {
                s = json_object_get_string(v);
                if (strlen(s) != (size_t) json_object_get_string_len(v))
                        return json_fail(reterr, "field '%s': must not contain NUL characters", path);
                if (t->single_line && string_has_control(s))
                        return json_fail(reterr, "field '%s': must not contain control characters", path);
        }
        *ret = v;
        return 0;
}

/* The path a strict table's field gives its reader: "field 'PATH'" for a value, the bare path for an
 * object or an array of objects (their own fields say "field '…'"). */
static const char *strict_path(const JsonField *f, const char *path, char *buf, size_t size) {
        static const char prefix[] = "field '";
        size_t n = strlen(path);

        if (f->type == JSON_FIELD_ARRAY || f->type == JSON_FIELD_OBJECT || f->type == JSON_FIELD_OBJECT_PTR)
                return path;
        /* By hand: every field of every record read pays for it, and printf was most of that. */
        n = MIN(n, size - STRLEN(prefix) - 2);
        memcpy(buf, prefix, STRLEN(prefix));
        memcpy(buf + STRLEN(prefix), path, n);
        buf[STRLEN(prefix) + n] = '\'';
        buf[STRLEN(prefix) + n + 1] = 0;
        return buf;
}

int json_table_from_json(const JsonTable *t, json_object *v, const char *path, void *p, RktError **reterr) {
        int r;

        if (t->from_json)
                return t->from_json(v, path, p, reterr);
        r = json_expect(v, json_type_object, path, reterr);
        for (const JsonField *f = t->fields; r >= 0 && f->key; f++) {
                const char *fp = JSON_PATH_MEMBER(path, f->key);
                json_object *m;

                if (!t->strict) {
                        r = field_from_json(f, json_member(v, f->key), fp, p, reterr);
                        continue;
                }
                r = strict_member(t, f, v, fp, &m, reterr);
                if (r >= 0)
                        r = field_from_json(
                                f, m, strict_path(f, fp, (char[JSON_PATH_MAX + 16]){0}, JSON_PATH_MAX + 16),
                                p, reterr);
        }
        if (r >= 0 && t->finish)
                r = t->finish(p);
        return r;
}

/* --- freeing --- */

static void array_free(const JsonTable *t, void *array, size_t n) {
        for (size_t i = 0; i < n; i++)
                json_table_done(t, (char *) array + i * t->size);
        free(array);
}

void json_table_done(const JsonTable *t, void *p) {
        if (t->done) {
                t->done(p);
                return;
        }
        for (const JsonField *f = t->fields; f->key; f++)
                switch (f->type) {
                case JSON_FIELD_STRING:
                case JSON_FIELD_UINT32_ARRAY:
                        free(PTR(p, f));
                        break;
                case JSON_FIELD_STRV:
                case JSON_FIELD_KEYS:
                        strv_free(PTR(p, f));
                        break;
                case JSON_FIELD_KV_ARRAY:
                case JSON_FIELD_KV_MAP:
                        name_value_array_free(PTR(p, f), COUNT(p, f));
                        break;
                case JSON_FIELD_CUSTOM:
                        f->ops->done(PTR(p, f), COUNT(p, f));
                        break;
                case JSON_FIELD_ARRAY:
                        array_free(f->elem, PTR(p, f), COUNT(p, f));
                        break;
                case JSON_FIELD_OBJECT:
                        json_table_done(f->elem, FIELD(p, f));
                        break;
                case JSON_FIELD_OBJECT_PTR:
                        if (PTR(p, f))
                                json_table_done(f->elem, PTR(p, f));
                        free(PTR(p, f));
                        break;
                default:
                        break;
                }
        memset(p, 0, t->size);
}

/* --- copying and comparing --- */

static int array_copy(const JsonTable *t, const void *array, size_t n, void *ret_ptr, size_t *ret_n) {
        for (size_t i = 0; i < n; i++) {
                void *e = array_append_zero(ret_ptr, ret_n, t->size);
                int r;

                if (!e)
                        return -ENOMEM;
                r = json_table_copy(t, (const char *) array + i * t->size, e);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int field_copy(const JsonField *f, const void *src, void *dst) {
        const void *s = field_pointer(f, src);

        switch (f->type) {
        case JSON_FIELD_STRING:
                if (s && !(PTR(dst, f) = strdup(s)))
                        return -ENOMEM;
                return 0;
        case JSON_FIELD_STRV:
        case JSON_FIELD_KEYS:
                return strv_copy(s, (char ***) FIELD(dst, f));
        case JSON_FIELD_BOOL:
                *(bool *) FIELD(dst, f) = *(const bool *) CFIELD(src, f);
                return 0;
        case JSON_FIELD_UINT:
                *(unsigned *) FIELD(dst, f) = *(const unsigned *) CFIELD(src, f);
                return 0;
        case JSON_FIELD_UINT64:
                *(uint64_t *) FIELD(dst, f) = *(const uint64_t *) CFIELD(src, f);
                return 0;
        case JSON_FIELD_UINT32_ARRAY:
                if (CCOUNT(src, f) == 0)
                        return 0;
                PTR(dst, f) = malloc(CCOUNT(src, f) * sizeof(uint32_t));
                if (!PTR(dst, f))
                        return -ENOMEM;
                memcpy(PTR(dst, f), s, CCOUNT(src, f) * sizeof(uint32_t));
                COUNT(dst, f) = CCOUNT(src, f);
                return 0;
        case JSON_FIELD_KV_ARRAY:
        case JSON_FIELD_KV_MAP:
                return name_value_array_copy(s, CCOUNT(src, f), (NameValue **) FIELD(dst, f),
                                             &COUNT(dst, f));
        case JSON_FIELD_CUSTOM:
                return f->ops->copy(s, CCOUNT(src, f), FIELD(dst, f), &COUNT(dst, f));
        case JSON_FIELD_ARRAY:
                return array_copy(f->elem, s, CCOUNT(src, f), FIELD(dst, f), &COUNT(dst, f));
        case JSON_FIELD_OBJECT:
                return json_table_copy(f->elem, CFIELD(src, f), FIELD(dst, f));
        case JSON_FIELD_OBJECT_PTR:
                if (!s)
                        return 0;
                PTR(dst, f) = calloc(1, f->elem->size);
                if (!PTR(dst, f))
                        return -ENOMEM;
                return json_table_copy(f->elem, s, PTR(dst, f));
        case JSON_FIELD_CONST:
                return 0;
        }
        return 0;
}

int json_table_copy(const JsonTable *t, const void *src, void *dst) {
        if (t->copy)
                return t->copy(src, dst);
        for (const JsonField *f = t->fields; f->key; f++) {
                int r = field_copy(f, src, dst);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool array_equal(const JsonTable *t, const void *a, size_t na, const void *b, size_t nb) {
        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (!json_table_equal(t, (const char *) a + i * t->size, (const char *) b + i * t->size))
                        return false;
        return true;
}

static bool field_equal(const JsonField *f, const void *a, const void *b) {
        const void *x = field_pointer(f, a), *y = field_pointer(f, b);

        switch (f->type) {
        case JSON_FIELD_STRING:
                return streq_ptr(x, y);
        case JSON_FIELD_STRV:
        case JSON_FIELD_KEYS:
                return strv_equal(x, y);
        case JSON_FIELD_BOOL:
                return *(const bool *) CFIELD(a, f) == *(const bool *) CFIELD(b, f);
        case JSON_FIELD_UINT:
                return *(const unsigned *) CFIELD(a, f) == *(const unsigned *) CFIELD(b, f);
        case JSON_FIELD_UINT64:
                return *(const uint64_t *) CFIELD(a, f) == *(const uint64_t *) CFIELD(b, f);
        case JSON_FIELD_UINT32_ARRAY:
                return CCOUNT(a, f) == CCOUNT(b, f) &&
                       (CCOUNT(a, f) == 0 || memcmp(x, y, CCOUNT(a, f) * sizeof(uint32_t)) == 0);
        case JSON_FIELD_KV_ARRAY:
        case JSON_FIELD_KV_MAP:
                return name_value_array_equal(x, CCOUNT(a, f), y, CCOUNT(b, f));
        case JSON_FIELD_CUSTOM:
                return f->ops->equal(x, CCOUNT(a, f), y, CCOUNT(b, f));
        case JSON_FIELD_ARRAY:
                return array_equal(f->elem, x, CCOUNT(a, f), y, CCOUNT(b, f));
        case JSON_FIELD_OBJECT:
                return json_table_equal(f->elem, CFIELD(a, f), CFIELD(b, f));
        case JSON_FIELD_OBJECT_PTR:
                if (!x || !y)
                        return x == y;
                return json_table_equal(f->elem, x, y);
        case JSON_FIELD_CONST:
                return true;
        }
        return true;
}

bool json_table_equal(const JsonTable *t, const void *a, const void *b) {
        if (t->equal)
                return t->equal(a, b);
        for (const JsonField *f = t->fields; f->key; f++)
                if (!field_equal(f, a, b))
                        return false;
        return true;
}

/* --- writing --- */

/* Go's omitempty, or an absent optional object. */
static bool field_empty(const JsonField *f, const void *p) {
        const void *v = field_pointer(f, p);

        switch (f->type) {
        case JSON_FIELD_STRING:
        case JSON_FIELD_OBJECT_PTR:
                return !v;
        case JSON_FIELD_STRV:
        case JSON_FIELD_KEYS:
                return !v || !((char *const *) v)[0];
        case JSON_FIELD_BOOL:
                return !*(const bool *) CFIELD(p, f);
        case JSON_FIELD_UINT:
                return *(const unsigned *) CFIELD(p, f) == 0;
        case JSON_FIELD_UINT64:
                return *(const uint64_t *) CFIELD(p, f) == 0;
        case JSON_FIELD_UINT32_ARRAY:
        case JSON_FIELD_KV_ARRAY:
        case JSON_FIELD_KV_MAP:
        case JSON_FIELD_CUSTOM:
        case JSON_FIELD_ARRAY:
                return CCOUNT(p, f) == 0;
        default:
                return false;
        }
}

static void field_write(JsonWriter *w, const JsonField *f, const void *p) {
        const void *v = field_pointer(f, p);

        jw_key(w, f->key);
        switch (f->type) {
        case JSON_FIELD_STRING:
                jw_string(w, v);
                break;
        case JSON_FIELD_STRV:
                jw_strv(w, v);
                break;
        case JSON_FIELD_KEYS:
                jw_begin_object(w);
                for (char *const *k = v; k && *k; k++) {
                        jw_key(w, *k);
                        jw_begin_object(w);
                        jw_end_object(w);
                }
                jw_end_object(w);
                break;
        case JSON_FIELD_BOOL:
                jw_bool(w, *(const bool *) CFIELD(p, f));
                break;
        case JSON_FIELD_UINT:
                jw_uint(w, *(const unsigned *) CFIELD(p, f));
                break;
        case JSON_FIELD_UINT64:
                jw_uint(w, *(const uint64_t *) CFIELD(p, f));
                break;
        case JSON_FIELD_UINT32_ARRAY:
                jw_begin_array(w);
                for (size_t i = 0; i < CCOUNT(p, f); i++)
                        jw_uint(w, ((const uint32_t *) v)[i]);
                jw_end_array(w);
                break;
        case JSON_FIELD_KV_ARRAY:
                jw_kv_array(w, v, CCOUNT(p, f));
                break;
        case JSON_FIELD_KV_MAP:
                jw_kv_map(w, v, CCOUNT(p, f));
                break;
        case JSON_FIELD_CUSTOM:
                f->ops->write(w, v, CCOUNT(p, f));
                break;
        case JSON_FIELD_ARRAY:
                jw_begin_array(w);
                for (size_t i = 0; i < CCOUNT(p, f); i++)
                        jw_table(w, f->elem, (const char *) v + i * f->elem->size);
                jw_end_array(w);
                break;
        case JSON_FIELD_OBJECT:
                jw_table(w, f->elem, CFIELD(p, f));
                break;
        case JSON_FIELD_OBJECT_PTR:
                jw_table(w, f->elem, v);
                break;
        case JSON_FIELD_CONST:
                jw_string(w, f->constant);
                break;
        }
}

void jw_table(JsonWriter *w, const JsonTable *t, const void *p) {
        if (t->write) {
                t->write(w, p);
                return;
        }
        jw_begin_object(w);
        for (const JsonField *f = t->fields; f->key; f++)
                if (!(f->flags & JSON_OMITEMPTY || f->type == JSON_FIELD_OBJECT_PTR) || !field_empty(f, p))
                        field_write(w, f, p);
        jw_end_object(w);
}

/* --- documents --- */

void *json_table_free(const JsonTable *t, void *p) {
        if (p) {
                json_table_done(t, p);
                free(p);
        }
        return NULL;
}

int json_table_parse(const char *json, size_t size, const char *what, const JsonTable *t, void *ret_ptr,
                     RktError **reterr) {
        _cleanup_(json_object_putp) json_object *root = NULL;
        void *p;
        int r;

        r = json_parse_strict(json, size, what, &root, reterr);
        if (r < 0)
                return r;
        for (const JsonField *f = t->fields; f->key; f++)
                if (f->type == JSON_FIELD_CONST) {
                        r = json_check_const(root, f->key, f->constant, reterr);
                        if (r < 0)
                                return r;
                }
        p = calloc(1, t->size);
        if (!p)
                return -ENOMEM;
        r = json_table_from_json(t, root, "", p, reterr);
        if (r >= 0 && t->validate)
                r = t->validate(p, reterr);
        if (r < 0) {
                json_table_free(t, p);
                return r;
        }
        *(void **) ret_ptr = p;
        return 0;
}

int json_table_write(const JsonTable *t, const void *p, bool pretty, char **ret, RktError **reterr) {
        JsonWriter w = {};
        int r;

        if (t->validate) {
                r = t->validate(p, reterr);
                if (r < 0)
                        return r;
        }
        jw_table(&w, t, p);
        r = jw_finish(&w, pretty, ret);
        jw_done(&w);
        return r;
}

bool json_table_equal_ptr(const JsonTable *t, const void *a, const void *b) {
        if (!a || !b)
                return a == b;
        return json_table_equal(t, a, b);
}

static int read_failed(const JsonTable *t, const char *what, void *p, int r, RktError **reterr) {
        json_table_done(t, p);
        if (r == -ENOMEM)
                return r;
        return rkt_error_prefix(reterr, r, "%s", what);
}

int json_table_read_object(const JsonTable *t, json_object *o, const char *what, void *p,
                           RktError **reterr) {
        int r;

        if (!json_object_is_type(o, json_type_object))
                return read_failed(t, what, p, json_fail(reterr, "not a JSON object"), reterr);
        r = json_table_from_json(t, o, "", p, reterr);
        if (r >= 0 && t->validate)
                r = t->validate(p, reterr);
        if (r < 0)
                return read_failed(t, what, p, r, reterr);
        return 0;
}

/* A file of rkt's whose content is wrong is damaged: -EBADMSG. */
static int damaged(RktError **reterr, int r) {
        if (r == -ENOMEM)
                return r;
        if (reterr && *reterr)
                (*reterr)->code = -EBADMSG;
        return -EBADMSG;
}

int json_table_read(const JsonTable *t, const char *json, size_t size, const char *what, void *p,
                    RktError **reterr) {
        _cleanup_(json_object_putp) json_object *root = NULL;
        int r;

        r = json_parse_strict(json, size, what, &root, reterr);
        if (r < 0) {
                json_table_done(t, p);
                return damaged(reterr, r);
        }
        for (const JsonField *f = t->fields; f->key; f++)
                if (f->type == JSON_FIELD_CONST) {
                        r = json_check_const(root, f->key, f->constant, reterr);
                        if (r < 0)
                                return damaged(reterr, read_failed(t, what, p, r, reterr));
                }
        r = json_table_read_object(t, root, what, p, reterr);
        return r < 0 ? damaged(reterr, r) : 0;
}

int json_table_to_text(const JsonTable *t, const void *p, char **ret) {
        JsonWriter w = {};
        int r;

        jw_table(&w, t, p);
        r = jw_finish(&w, false, ret);
        jw_done(&w);
        return r;
}

static int element_parse(json_object *e, const char *path, void *elem, const void *userdata,
                         RktError **reterr) {
        return json_table_from_json(userdata, e, path, elem, reterr);
}

int json_table_read_array(const JsonTable *t, const char *json, size_t size, const char *what,
                          void *ret_array_ptr, size_t *ret_n, RktError **reterr) {
        _cleanup_(json_object_putp) json_object *root = NULL;
        void *array = NULL;
        size_t n = 0;
        int r;

        r = json_parse_strict_value(json, size, what, &root, reterr);
        if (r < 0)
                return damaged(reterr, r);
        if (!json_object_is_type(root, json_type_array))
                return damaged(reterr, json_fail(reterr, "%s is not a JSON array", what));
        r = json_read_array(root, "", t->size, element_parse, t, &array, &n, reterr);
        if (r < 0) {
                json_table_array_free(t, array, n);
                return damaged(reterr, r == -ENOMEM ? r : rkt_error_prefix(reterr, r, "%s", what));
        }
        *(void **) ret_array_ptr = array;
        *ret_n = n;
        return 0;
}

void json_table_array_free(const JsonTable *t, void *array, size_t n) {
        array_free(t, array, n);
}

int json_table_array_to_text(const JsonTable *t, const void *array, size_t n, char **ret) {
        JsonWriter w = {};
        int r;

        jw_begin_array(&w);
        for (size_t i = 0; i < n; i++)
                jw_table(&w, t, (const char *) array + i * t->size);
        jw_end_array(&w);
        r = jw_finish(&w, false, ret);
        jw_done(&w);
        return r;
}
