/* SPDX-License-Identifier: Apache-2.0 */
/* Records described by a table of fields (in the spirit of systemd's JsonDispatch): one table per type
 * drives parsing, freeing, copying, comparing and writing, instead of a hand-written walker for each. */
#include <inttypes.h>
#include <string.h>

#include "appc-internal.h"
#include "strv.h"

#define FIELD(base, f) ((char *) (base) + (f)->offset)
#define CFIELD(base, f) ((const char *) (base) + (f)->offset)
#define COUNT(base, f) (*(size_t *) ((char *) (base) + (f)->n_offset))
#define CCOUNT(base, f) (*(const size_t *) ((const char *) (base) + (f)->n_offset))
#define PTR(base, f) (*(void **) FIELD(base, f))
#define CPTR(base, f) (*(void *const *) CFIELD(base, f))

/* The pointer a field holds, or NULL for the fields that hold a value (not to read it as a pointer). */
static const void *field_pointer(const AppcField *f, const void *base) {
        switch (f->type) {
        case APPC_FIELD_BOOL:
        case APPC_FIELD_UINT:
        case APPC_FIELD_UINT64:
        case APPC_FIELD_OBJECT:
        case APPC_FIELD_KIND:
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

        /* a null element: appc_json_int() reads nothing from it */
        if (!e)
                return appc_fail(reterr, "%s: must be an integer between 0 and %" PRIu32, path, UINT32_MAX);
        r = appc_json_int(e, path, 0, UINT32_MAX, &i, reterr);
        if (r < 0)
                return r;
        *(uint32_t *) elem = (uint32_t) i;
        return 0;
}

static int element_from_json(json_object *e, const char *path, void *elem, const void *userdata,
                             RktError **reterr) {
        return appc_type_from_json(userdata, e, path, elem, reterr);
}

static int object_ptr_from_json(const AppcType *t, json_object *v, const char *path, void **ret,
                                RktError **reterr) {
        void *p;
        int r;

        p = calloc(1, t->size);
        if (!p)
                return -ENOMEM;
        r = appc_type_from_json(t, v, path, p, reterr);
        if (r < 0) {
                appc_type_done(t, p);
                free(p);
                return r;
        }
        *ret = p;
        return 0;
}

static int field_from_json(const AppcField *f, json_object *v, const char *path, void *base,
                           RktError **reterr) {
        int64_t i;
        int r;

        switch (f->type) {
        case APPC_FIELD_STRING: {
                char **s = (char **) FIELD(base, f);

                r = appc_json_string(v, path, s, reterr);
                if (r >= 0 && (f->flags & APPC_EMPTY_IS_NULL) && *s && (*s)[0] == '\0')
                        *s = mfree(*s);
                return r;
        }
        case APPC_FIELD_STRV:
                return appc_json_strv(v, path, (char ***) FIELD(base, f), reterr);
        case APPC_FIELD_BOOL:
                return appc_json_bool(v, path, (bool *) FIELD(base, f), reterr);
        case APPC_FIELD_UINT:
                i = *(unsigned *) FIELD(base, f);
                r = appc_json_int(v, path, f->min, f->max, &i, reterr);
                *(unsigned *) FIELD(base, f) = (unsigned) i;
                return r;
        case APPC_FIELD_UINT64:
                return appc_json_uint64(v, path, (uint64_t *) FIELD(base, f), reterr);
        case APPC_FIELD_UINT32_ARRAY:
                return appc_json_array(v, path, sizeof(uint32_t), uint32_from_json, NULL, FIELD(base, f),
                                       &COUNT(base, f), reterr);
        case APPC_FIELD_KV_ARRAY:
                return appc_json_kv_array(v, path, (AppcKV **) FIELD(base, f), &COUNT(base, f), reterr);
        case APPC_FIELD_KV_MAP:
                return appc_json_kv_map(v, path, (AppcKV **) FIELD(base, f), &COUNT(base, f), reterr);
        case APPC_FIELD_ISOLATORS:
                return appc_isolators_from_json(v, path, (AppcIsolator **) FIELD(base, f), &COUNT(base, f),
                                                reterr);
        case APPC_FIELD_ARRAY:
                return appc_json_array(v, path, f->elem->size, element_from_json, f->elem, FIELD(base, f),
                                       &COUNT(base, f), reterr);
        case APPC_FIELD_OBJECT:
                if (!v && (f->flags & APPC_REQUIRED))
                        return appc_fail(reterr, "%s: must be set", path);
                return v ? appc_type_from_json(f->elem, v, path, FIELD(base, f), reterr) : 0;
        case APPC_FIELD_OBJECT_PTR:
                return v ? object_ptr_from_json(f->elem, v, path, (void **) FIELD(base, f), reterr) : 0;
        case APPC_FIELD_KIND: /* checked by appc_document_parse() */
                return 0;
        }
        return 0;
}

int appc_type_from_json(const AppcType *t, json_object *v, const char *path, void *p, RktError **reterr) {
        int r;

        if (t->from_json)
                return t->from_json(v, path, p, reterr);
        r = appc_json_expect(v, json_type_object, path, reterr);
        for (const AppcField *f = t->fields; r >= 0 && f->key; f++)
                r = field_from_json(f, appc_json_member(v, f->key), APPC_PATH_MEMBER(path, f->key), p,
                                    reterr);
        if (r >= 0 && t->finish)
                r = t->finish(p);
        return r;
}

/* --- freeing --- */

static void array_free(const AppcType *t, void *array, size_t n) {
        for (size_t i = 0; i < n; i++)
                appc_type_done(t, (char *) array + i * t->size);
        free(array);
}

void appc_type_done(const AppcType *t, void *p) {
        if (t->done) {
                t->done(p);
                return;
        }
        for (const AppcField *f = t->fields; f->key; f++)
                switch (f->type) {
                case APPC_FIELD_STRING:
                case APPC_FIELD_UINT32_ARRAY:
                        free(PTR(p, f));
                        break;
                case APPC_FIELD_STRV:
                        strv_free(PTR(p, f));
                        break;
                case APPC_FIELD_KV_ARRAY:
                case APPC_FIELD_KV_MAP:
                        appc_kv_array_free(PTR(p, f), COUNT(p, f));
                        break;
                case APPC_FIELD_ISOLATORS:
                        appc_isolators_free(PTR(p, f), COUNT(p, f));
                        break;
                case APPC_FIELD_ARRAY:
                        array_free(f->elem, PTR(p, f), COUNT(p, f));
                        break;
                case APPC_FIELD_OBJECT:
                        appc_type_done(f->elem, FIELD(p, f));
                        break;
                case APPC_FIELD_OBJECT_PTR:
                        if (PTR(p, f))
                                appc_type_done(f->elem, PTR(p, f));
                        free(PTR(p, f));
                        break;
                default:
                        break;
                }
        memset(p, 0, t->size);
}

/* --- copying and comparing --- */

static int array_copy(const AppcType *t, const void *array, size_t n, void *ret_ptr, size_t *ret_n) {
        for (size_t i = 0; i < n; i++) {
                void *e = appc_array_append(ret_ptr, ret_n, t->size);
                int r;

                if (!e)
                        return -ENOMEM;
                r = appc_type_copy(t, (const char *) array + i * t->size, e);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int field_copy(const AppcField *f, const void *src, void *dst) {
        const void *s = field_pointer(f, src);

        switch (f->type) {
        case APPC_FIELD_STRING:
                if (s && !(PTR(dst, f) = strdup(s)))
                        return -ENOMEM;
                return 0;
        case APPC_FIELD_STRV:
                return appc_strv_copy(s, (char ***) FIELD(dst, f));
        case APPC_FIELD_BOOL:
                *(bool *) FIELD(dst, f) = *(const bool *) CFIELD(src, f);
                return 0;
        case APPC_FIELD_UINT:
                *(unsigned *) FIELD(dst, f) = *(const unsigned *) CFIELD(src, f);
                return 0;
        case APPC_FIELD_UINT64:
                *(uint64_t *) FIELD(dst, f) = *(const uint64_t *) CFIELD(src, f);
                return 0;
        case APPC_FIELD_UINT32_ARRAY:
                if (CCOUNT(src, f) == 0)
                        return 0;
                PTR(dst, f) = malloc(CCOUNT(src, f) * sizeof(uint32_t));
                if (!PTR(dst, f))
                        return -ENOMEM;
                memcpy(PTR(dst, f), s, CCOUNT(src, f) * sizeof(uint32_t));
                COUNT(dst, f) = CCOUNT(src, f);
                return 0;
        case APPC_FIELD_KV_ARRAY:
        case APPC_FIELD_KV_MAP:
                return appc_kv_array_copy(s, CCOUNT(src, f), (AppcKV **) FIELD(dst, f), &COUNT(dst, f));
        case APPC_FIELD_ISOLATORS:
                return appc_isolators_copy(s, CCOUNT(src, f), (AppcIsolator **) FIELD(dst, f),
                                           &COUNT(dst, f));
        case APPC_FIELD_ARRAY:
                return array_copy(f->elem, s, CCOUNT(src, f), FIELD(dst, f), &COUNT(dst, f));
        case APPC_FIELD_OBJECT:
                return appc_type_copy(f->elem, CFIELD(src, f), FIELD(dst, f));
        case APPC_FIELD_OBJECT_PTR:
                if (!s)
                        return 0;
                PTR(dst, f) = calloc(1, f->elem->size);
                if (!PTR(dst, f))
                        return -ENOMEM;
                return appc_type_copy(f->elem, s, PTR(dst, f));
        case APPC_FIELD_KIND:
                return 0;
        }
        return 0;
}

int appc_type_copy(const AppcType *t, const void *src, void *dst) {
        if (t->copy)
                return t->copy(src, dst);
        for (const AppcField *f = t->fields; f->key; f++) {
                int r = field_copy(f, src, dst);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool array_equal(const AppcType *t, const void *a, size_t na, const void *b, size_t nb) {
        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (!appc_type_equal(t, (const char *) a + i * t->size, (const char *) b + i * t->size))
                        return false;
        return true;
}

static bool field_equal(const AppcField *f, const void *a, const void *b) {
        const void *x = field_pointer(f, a), *y = field_pointer(f, b);

        switch (f->type) {
        case APPC_FIELD_STRING:
                return streq_ptr(x, y);
        case APPC_FIELD_STRV:
                return appc_strv_equal(x, y);
        case APPC_FIELD_BOOL:
                return *(const bool *) CFIELD(a, f) == *(const bool *) CFIELD(b, f);
        case APPC_FIELD_UINT:
                return *(const unsigned *) CFIELD(a, f) == *(const unsigned *) CFIELD(b, f);
        case APPC_FIELD_UINT64:
                return *(const uint64_t *) CFIELD(a, f) == *(const uint64_t *) CFIELD(b, f);
        case APPC_FIELD_UINT32_ARRAY:
                return CCOUNT(a, f) == CCOUNT(b, f) &&
                       (CCOUNT(a, f) == 0 || memcmp(x, y, CCOUNT(a, f) * sizeof(uint32_t)) == 0);
        case APPC_FIELD_KV_ARRAY:
        case APPC_FIELD_KV_MAP:
                return appc_kv_array_equal(x, CCOUNT(a, f), y, CCOUNT(b, f));
        case APPC_FIELD_ISOLATORS:
                return appc_isolators_equal(x, CCOUNT(a, f), y, CCOUNT(b, f));
        case APPC_FIELD_ARRAY:
                return array_equal(f->elem, x, CCOUNT(a, f), y, CCOUNT(b, f));
        case APPC_FIELD_OBJECT:
                return appc_type_equal(f->elem, CFIELD(a, f), CFIELD(b, f));
        case APPC_FIELD_OBJECT_PTR:
                if (!x || !y)
                        return x == y;
                return appc_type_equal(f->elem, x, y);
        case APPC_FIELD_KIND:
                return true;
        }
        return true;
}

bool appc_type_equal(const AppcType *t, const void *a, const void *b) {
        if (t->equal)
                return t->equal(a, b);
        for (const AppcField *f = t->fields; f->key; f++)
                if (!field_equal(f, a, b))
                        return false;
        return true;
}

/* --- writing --- */

/* Go's omitempty, or an absent optional object. */
static bool field_empty(const AppcField *f, const void *p) {
        const void *v = field_pointer(f, p);

        switch (f->type) {
        case APPC_FIELD_STRING:
        case APPC_FIELD_OBJECT_PTR:
                return !v;
        case APPC_FIELD_STRV:
                return !v || !((char *const *) v)[0];
        case APPC_FIELD_BOOL:
                return !*(const bool *) CFIELD(p, f);
        case APPC_FIELD_UINT:
                return *(const unsigned *) CFIELD(p, f) == 0;
        case APPC_FIELD_UINT64:
                return *(const uint64_t *) CFIELD(p, f) == 0;
        case APPC_FIELD_UINT32_ARRAY:
        case APPC_FIELD_KV_ARRAY:
        case APPC_FIELD_KV_MAP:
        case APPC_FIELD_ISOLATORS:
        case APPC_FIELD_ARRAY:
                return CCOUNT(p, f) == 0;
        default:
                return false;
        }
}

static void field_write(AppcJsonWriter *w, const AppcField *f, const void *p) {
        const void *v = field_pointer(f, p);

        appc_jw_key(w, f->key);
        switch (f->type) {
        case APPC_FIELD_STRING:
                appc_jw_string(w, v);
                break;
        case APPC_FIELD_STRV:
                appc_jw_strv(w, v);
                break;
        case APPC_FIELD_BOOL:
                appc_jw_bool(w, *(const bool *) CFIELD(p, f));
                break;
        case APPC_FIELD_UINT:
                appc_jw_uint(w, *(const unsigned *) CFIELD(p, f));
                break;
        case APPC_FIELD_UINT64:
                appc_jw_uint(w, *(const uint64_t *) CFIELD(p, f));
                break;
        case APPC_FIELD_UINT32_ARRAY:
                appc_jw_begin_array(w);
                for (size_t i = 0; i < CCOUNT(p, f); i++)
                        appc_jw_uint(w, ((const uint32_t *) v)[i]);
                appc_jw_end_array(w);
                break;
        case APPC_FIELD_KV_ARRAY:
                appc_jw_kv_array(w, v, CCOUNT(p, f));
                break;
        case APPC_FIELD_KV_MAP:
                appc_jw_kv_map(w, v, CCOUNT(p, f));
                break;
        case APPC_FIELD_ISOLATORS:
                appc_jw_isolators(w, v, CCOUNT(p, f));
                break;
        case APPC_FIELD_ARRAY:
                appc_jw_begin_array(w);
                for (size_t i = 0; i < CCOUNT(p, f); i++)
                        appc_jw_type(w, f->elem, (const char *) v + i * f->elem->size);
                appc_jw_end_array(w);
                break;
        case APPC_FIELD_OBJECT:
                appc_jw_type(w, f->elem, CFIELD(p, f));
                break;
        case APPC_FIELD_OBJECT_PTR:
                appc_jw_type(w, f->elem, v);
                break;
        case APPC_FIELD_KIND:
                appc_jw_string(w, f->kind);
                break;
        }
}

void appc_jw_type(AppcJsonWriter *w, const AppcType *t, const void *p) {
        if (t->write) {
                t->write(w, p);
                return;
        }
        appc_jw_begin_object(w);
        for (const AppcField *f = t->fields; f->key; f++)
                if (!(f->flags & APPC_OMITEMPTY || f->type == APPC_FIELD_OBJECT_PTR) || !field_empty(f, p))
                        field_write(w, f, p);
        appc_jw_end_object(w);
}

/* --- documents --- */

void *appc_document_new(const AppcType *t) {
        void *p = calloc(1, t->size);

        if (!p)
                return NULL;
        for (const AppcField *f = t->fields; f->key; f++)
                if (streq(f->key, "acVersion") && !(PTR(p, f) = strdup(APPC_SPEC_VERSION)))
                        return mfree(p);
        return p;
}

void *appc_document_free(const AppcType *t, void *p) {
        if (p) {
                appc_type_done(t, p);
                free(p);
        }
        return NULL;
}

int appc_document_parse(const char *json, size_t size, const char *what, const AppcType *t, void *ret_ptr,
                        RktError **reterr) {
        _cleanup_(json_object_putp) json_object *root = NULL;
        void *p;
        int r;

        r = appc_json_parse(json, size, what, &root, reterr);
        if (r < 0)
                return r;
        for (const AppcField *f = t->fields; f->key; f++)
                if (f->type == APPC_FIELD_KIND) {
                        r = appc_check_kind(root, f->kind, reterr);
                        if (r < 0)
                                return r;
                }
        p = calloc(1, t->size);
        if (!p)
                return -ENOMEM;
        r = appc_type_from_json(t, root, "", p, reterr);
        if (r >= 0 && t->validate)
                r = t->validate(p, reterr);
        if (r < 0) {
                appc_document_free(t, p);
                return r;
        }
        *(void **) ret_ptr = p;
        return 0;
}

int appc_document_write(const AppcType *t, const void *p, bool pretty, char **ret, RktError **reterr) {
        AppcJsonWriter w = {};
        int r;

        if (t->validate) {
                r = t->validate(p, reterr);
                if (r < 0)
                        return r;
        }
        appc_jw_type(&w, t, p);
        r = appc_jw_finish(&w, pretty, ret);
        appc_jw_done(&w);
        return r;
}

bool appc_document_equal(const AppcType *t, const void *a, const void *b) {
        if (!a || !b)
                return a == b;
        return appc_type_equal(t, a, b);
}
