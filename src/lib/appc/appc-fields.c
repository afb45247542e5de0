/* SPDX-License-Identifier: Apache-2.0 */
/* Records described by a table of fields (in the spirit of systemd's JsonDispatch): one table per type
 * drives parsing, freeing, copying, comparing and writing, instead of a hand-written walker for each. */
#include <string.h>

#include "appc-internal.h"
#include "strv.h"

#define FIELD(base, f) ((char *) (base) + (f)->offset)
#define CFIELD(base, f) ((const char *) (base) + (f)->offset)

int appc_record_from_json(json_object *o, const char *path, const AppcField *fields, void *base,
                          RktError **reterr) {
        int r = appc_json_expect(o, json_type_object, path, reterr);

        for (const AppcField *f = fields; r >= 0 && f->key; f++) {
                json_object *v = appc_json_member(o, f->key);
                const char *p = APPC_PATH("%s.%s", path, f->key);

                switch (f->type) {
                case APPC_FIELD_STRING:
                        r = appc_json_string(v, p, (char **) FIELD(base, f), reterr);
                        break;
                case APPC_FIELD_STRV:
                        r = appc_json_strv(v, p, (char ***) FIELD(base, f), reterr);
                        break;
                case APPC_FIELD_BOOL:
                        r = appc_json_bool(v, p, (bool *) FIELD(base, f), reterr);
                        break;
                }
        }
        return r;
}

void appc_record_done(const AppcField *fields, void *base) {
        for (const AppcField *f = fields; f->key; f++)
                switch (f->type) {
                case APPC_FIELD_STRING:
                        free(*(char **) FIELD(base, f));
                        break;
                case APPC_FIELD_STRV:
                        strv_free(*(char ***) FIELD(base, f));
                        break;
                case APPC_FIELD_BOOL:
                        break;
                }
}

int appc_record_copy(const AppcField *fields, const void *src, void *dst) {
        for (const AppcField *f = fields; f->key; f++)
                switch (f->type) {
                case APPC_FIELD_STRING: {
                        const char *s = *(char *const *) CFIELD(src, f);
                        if (s && !(*(char **) FIELD(dst, f) = strdup(s)))
                                return -ENOMEM;
                        break;
                }
                case APPC_FIELD_STRV:
                        if (appc_strv_copy(*(char **const *) CFIELD(src, f), (char ***) FIELD(dst, f)) < 0)
                                return -ENOMEM;
                        break;
                case APPC_FIELD_BOOL:
                        *(bool *) FIELD(dst, f) = *(const bool *) CFIELD(src, f);
                        break;
                }
        return 0;
}

bool appc_record_equal(const AppcField *fields, const void *a, const void *b) {
        for (const AppcField *f = fields; f->key; f++)
                switch (f->type) {
                case APPC_FIELD_STRING:
                        if (!streq_ptr(*(char *const *) CFIELD(a, f), *(char *const *) CFIELD(b, f)))
                                return false;
                        break;
                case APPC_FIELD_STRV:
                        if (!appc_strv_equal(*(char **const *) CFIELD(a, f), *(char **const *) CFIELD(b, f)))
                                return false;
                        break;
                case APPC_FIELD_BOOL:
                        if (*(const bool *) CFIELD(a, f) != *(const bool *) CFIELD(b, f))
                                return false;
                        break;
                }
        return true;
}

void appc_jw_record(AppcJsonWriter *w, const AppcField *fields, const void *base) {
        appc_jw_begin_object(w);
        for (const AppcField *f = fields; f->key; f++)
                switch (f->type) {
                case APPC_FIELD_STRING:
                        appc_jw_key(w, f->key);
                        appc_jw_string(w, *(char *const *) CFIELD(base, f));
                        break;
                case APPC_FIELD_STRV:
                        appc_jw_key(w, f->key);
                        appc_jw_strv(w, *(char **const *) CFIELD(base, f));
                        break;
                case APPC_FIELD_BOOL:
                        /* Go's omitempty: false is left out. */
                        if (*(const bool *) CFIELD(base, f)) {
                                appc_jw_key(w, f->key);
                                appc_jw_bool(w, true);
                        }
                        break;
                }
        appc_jw_end_object(w);
}

int appc_records_from_json(json_object *v, const char *path, const AppcField *fields, size_t size,
                           void *array_ptr, size_t *n, RktError **reterr) {
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_array, path, reterr);
        for (size_t i = 0; r >= 0 && i < json_object_array_length(v); i++) {
                void *e = appc_array_append(array_ptr, n, size);
                if (!e)
                        return -ENOMEM;
                r = appc_record_from_json(json_object_array_get_idx(v, i), APPC_PATH("%s[%zu]", path, i),
                                          fields, e, reterr);
        }
        return r;
}

void appc_records_free(const AppcField *fields, size_t size, void *array, size_t n) {
        for (size_t i = 0; i < n; i++)
                appc_record_done(fields, (char *) array + i * size);
        free(array);
}

int appc_records_copy(const AppcField *fields, size_t size, const void *array, size_t n, void *ret_ptr,
                      size_t *ret_n) {
        for (size_t i = 0; i < n; i++) {
                void *e = appc_array_append(ret_ptr, ret_n, size);
                if (!e || appc_record_copy(fields, (const char *) array + i * size, e) < 0)
                        return -ENOMEM;
        }
        return 0;
}

bool appc_records_equal(const AppcField *fields, size_t size, const void *a, size_t na, const void *b,
                        size_t nb) {
        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (!appc_record_equal(fields, (const char *) a + i * size, (const char *) b + i * size))
                        return false;
        return true;
}

void appc_jw_records(AppcJsonWriter *w, const AppcField *fields, size_t size, const void *array, size_t n) {
        appc_jw_begin_array(w);
        for (size_t i = 0; i < n; i++)
                appc_jw_record(w, fields, (const char *) array + i * size);
        appc_jw_end_array(w);
}
