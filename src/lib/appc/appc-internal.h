/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Shared by the files of src/lib/appc only: JSON reading and writing helpers, and the pieces the image
 * and pod manifests have in common. */

#include <json-c/json.h>
#include <stdio.h>

#include "appc.h"
#include "cleanup.h"
#include "strv.h"

#define APPC_PATH_MAX 256
#define APPC_QUOTE_MAX 128

/* Formats a field path ("apps[1].app.exec[0]") into a buffer that lives as long as the enclosing block. */
#define APPC_PATH(...) appc_pathf((char[APPC_PATH_MAX]){0}, APPC_PATH_MAX, __VA_ARGS__)
const char *appc_pathf(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);
/* "path.key" ("key" when path is empty), as APPC_PATH("%s%s%s", path, *path ? "." : "", key) would
 * format it, without printf: it is made for every field of every manifest read. */
#define APPC_PATH_MEMBER(path, key) appc_path_member((char[APPC_PATH_MAX]){0}, APPC_PATH_MAX, (path), (key))
const char *appc_path_member(char *buf, size_t size, const char *path, const char *key);

/* 'value' for a message: quoted, control characters escaped, long values shortened. */
#define APPC_QUOTE(s) appc_quote((char[APPC_QUOTE_MAX]){0}, APPC_QUOTE_MAX, (s))
const char *appc_quote(char *buf, size_t size, const char *s);

/* rkt_error_set() with -EINVAL. */
int appc_fail(RktError **reterr, const char *fmt, ...) _printf_(2, 3);

/* Why a value is not valid, or NULL when it is (appc-types.c). */
const char *appc_ac_identifier_problem(const char *s);
const char *appc_ac_name_problem(const char *s);
const char *appc_semver_problem(const char *s);
const char *appc_image_id_problem(const char *s, bool full);
const char *appc_quantity_problem(const char *s);
int appc_os_arch_problem(const char *os, const char *arch, char *buf, size_t size);
bool appc_ip_valid(const char *s);

/* Field checks that name the field: "PATH: must be set", "PATH 'x': not a valid AC Name (...)". */
int appc_check_ac_identifier(const char *s, const char *path, RktError **reterr);
int appc_check_ac_name(const char *s, const char *path, RktError **reterr);
int appc_check_image_id(const char *s, const char *path, RktError **reterr);
int appc_check_semver(const char *s, const char *path, RktError **reterr);
int appc_check_absolute_path(const char *s, const char *path, RktError **reterr);
int appc_check_set(const char *s, const char *path, RktError **reterr);

/* --- reading JSON (json-c; json_object_putp of cleanup.h frees it) --- */

/* Parses strict RFC 8259 JSON of any type (a document, or an isolator's value). */
int appc_json_parse_value(const char *json, size_t size, const char *what, json_object **ret,
                          RktError **reterr);
/* Parses strict RFC 8259 JSON whose top-level value is an object. what names the document in messages. */
int appc_json_parse(const char *json, size_t size, const char *what, json_object **ret, RktError **reterr);
/* A member looked up the way Go's encoding/json does: ASCII case-insensitively, the last match winning.
 * NULL when absent or null. */
json_object *appc_json_member(json_object *o, const char *key);
/* Each reads v, which may be NULL (absent or null: nothing is written). */
int appc_json_expect(json_object *v, json_type type, const char *path, RktError **reterr);
int appc_json_string(json_object *v, const char *path, char **ret, RktError **reterr);
int appc_json_bool(json_object *v, const char *path, bool *ret, RktError **reterr);
int appc_json_int(json_object *v, const char *path, int64_t min, int64_t max, int64_t *ret,
                  RktError **reterr);
int appc_json_uint64(json_object *v, const char *path, uint64_t *ret, RktError **reterr);
int appc_json_strv(json_object *v, const char *path, char ***ret, RktError **reterr);
/* Reads each element of the array v into a new zeroed element of size bytes appended to *array_ptr, with
 * parse (userdata passed on). An absent array (v NULL) adds nothing. On failure the elements read so far
 * stay in the array, for its owner to free. */
typedef int (*AppcElementParser)(json_object *e, const char *path, void *elem, const void *userdata,
                                 RktError **reterr);
int appc_json_array(json_object *v, const char *path, size_t size, AppcElementParser parse,
                    const void *userdata, void *array_ptr, size_t *n, RktError **reterr);
/* [{"name": …, "value": …}]; a missing value reads as "". */
int appc_json_kv_array(json_object *v, const char *path, AppcKV **ret, size_t *ret_n, RktError **reterr);
/* {"k": "v", …}, sorted by key (it is a map: order carries nothing). */
int appc_json_kv_map(json_object *v, const char *path, AppcKV **ret, size_t *ret_n, RktError **reterr);
/* Compact JSON text of v ("null" for NULL). */
char *appc_json_text(json_object *v);

/* --- writing JSON --- */

typedef struct AppcJsonWriter {
        char *buf;
        size_t len, cap;
        bool comma; /* the next value needs a separator */
        bool oom;
} AppcJsonWriter;

void appc_jw_begin_object(AppcJsonWriter *w);
void appc_jw_end_object(AppcJsonWriter *w);
void appc_jw_begin_array(AppcJsonWriter *w);
void appc_jw_end_array(AppcJsonWriter *w);
void appc_jw_key(AppcJsonWriter *w, const char *key);
void appc_jw_string(AppcJsonWriter *w, const char *s);
void appc_jw_bool(AppcJsonWriter *w, bool b);
void appc_jw_int(AppcJsonWriter *w, int64_t v);
void appc_jw_uint(AppcJsonWriter *w, uint64_t v);
void appc_jw_raw_value(AppcJsonWriter *w, const char *json);
void appc_jw_strv(AppcJsonWriter *w, char *const *l);
/* {"name": name, "value": value}: value a string, or with raw JSON text (NULL: null). */
void appc_jw_name_value(AppcJsonWriter *w, const char *name, const char *value, bool raw);
void appc_jw_kv_array(AppcJsonWriter *w, const AppcKV *kv, size_t n);
void appc_jw_kv_map(AppcJsonWriter *w, const AppcKV *kv, size_t n);
/* Hands the text out, compact or indented with tabs like Go's json.MarshalIndent(v, "", "\t"). */
int appc_jw_finish(AppcJsonWriter *w, bool pretty, char **ret);
void appc_jw_done(AppcJsonWriter *w);

/* --- records described by field tables (appc-fields.c) --- */

typedef struct AppcType AppcType;

typedef enum AppcFieldType {
        APPC_FIELD_STRING,       /* char * */
        APPC_FIELD_STRV,         /* char **, NULL when empty */
        APPC_FIELD_BOOL,         /* bool */
        APPC_FIELD_UINT,         /* unsigned, between min and max */
        APPC_FIELD_UINT64,       /* uint64_t */
        APPC_FIELD_UINT32_ARRAY, /* uint32_t * and its count at n_offset (integers between 0 and 2^32-1) */
        APPC_FIELD_KV_ARRAY,     /* AppcKV * and count: [{"name": …, "value": …}] */
        APPC_FIELD_KV_MAP,       /* AppcKV * and count: {"k": "v", …} */
        APPC_FIELD_ISOLATORS,    /* AppcIsolator * and count */
        APPC_FIELD_ARRAY,        /* elements of type elem and count */
        APPC_FIELD_OBJECT,       /* a struct of type elem, embedded */
        APPC_FIELD_OBJECT_PTR,   /* a pointer to a struct of type elem, NULL when absent */
        APPC_FIELD_KIND,         /* acKind: the constant kind, checked before anything else is read */
} AppcFieldType;

typedef enum AppcFieldFlags {
        APPC_OMITEMPTY = 1 << 0,     /* Go's omitempty: written only when set, true, not zero, not empty */
        APPC_REQUIRED = 1 << 1,      /* objects: an absent one is refused ("PATH: must be set") */
        APPC_EMPTY_IS_NULL = 1 << 2, /* strings: "" reads as absent */
} AppcFieldFlags;

/* One member of a JSON object and where it lives in the C struct; a table ends with {}. The table's order
 * is the order of reading (which decides the error reported first) and of writing. */
typedef struct AppcField {
        const char *key;
        AppcFieldType type;
        AppcFieldFlags flags;
        size_t offset;
        size_t n_offset;      /* arrays: where their size_t count lives */
        const AppcType *elem; /* ARRAY, OBJECT, OBJECT_PTR */
        int64_t min, max;     /* UINT */
        const char *kind;     /* KIND */
} AppcField;

#define APPC_FIELD(k, t, T, m, ...)                                                                         \
        { .key = (k), .type = APPC_FIELD_##t, .offset = offsetof(T, m), __VA_ARGS__ }
/* An array member m and its count n_m. */
#define APPC_LIST(k, t, T, m, ...) APPC_FIELD(k, t, T, m, .n_offset = offsetof(T, n_##m), __VA_ARGS__)

/* A C struct and its JSON form: a field table, or hooks for the types a table cannot describe (volumes).
 * finish, when set, completes a record read from a table (defaults); validate, of a document, checks it
 * after parsing and before writing. */
struct AppcType {
        size_t size;
        const AppcField *fields;
        int (*finish)(void *p);
        int (*validate)(const void *p, RktError **reterr);
        int (*from_json)(json_object *v, const char *path, void *p, RktError **reterr);
        void (*done)(void *p);
        int (*copy)(const void *src, void *dst);
        bool (*equal)(const void *a, const void *b);
        void (*write)(AppcJsonWriter *w, const void *p);
};

/* p points to a zeroed struct of type t. On failure p holds what was read, for appc_type_done(). */
int appc_type_from_json(const AppcType *t, json_object *v, const char *path, void *p, RktError **reterr);
void appc_type_done(const AppcType *t, void *p);
/* dst is zeroed; on failure it holds what was copied, for appc_type_done(). */
int appc_type_copy(const AppcType *t, const void *src, void *dst);
bool appc_type_equal(const AppcType *t, const void *a, const void *b);
void appc_jw_type(AppcJsonWriter *w, const AppcType *t, const void *p);

/* A manifest: parsed (what names it in messages; acKind is checked first) into a new struct of type t and
 * validated, or validated and written. */
int appc_document_parse(const char *json, size_t size, const char *what, const AppcType *t, void *ret_ptr,
                        RktError **reterr);
int appc_document_write(const AppcType *t, const void *p, bool pretty, char **ret, RktError **reterr);
void *appc_document_free(const AppcType *t, void *p);
/* NULL equals only NULL. */
bool appc_document_equal(const AppcType *t, const void *a, const void *b);

/* A new document with acVersion set to the spec version this implements and nothing else. */
void *appc_document_new(const AppcType *t);

/* The public functions of a manifest, appc_NAME_new, _parse, _to_json, _to_json_pretty, _equal and _free,
 * over the document of type t. */
#define APPC_DEFINE_DOCUMENT(name, Type, what, t)                                                           \
        Type *appc_##name##_new(void) {                                                                     \
                return appc_document_new(&(t));                                                             \
        }                                                                                                   \
        int appc_##name##_parse(const char *json, size_t size, Type **ret, RktError **reterr) {             \
                return appc_document_parse(json, size, what, &(t), ret, reterr);                            \
        }                                                                                                   \
        int appc_##name##_to_json(const Type *m, char **ret_json, RktError **reterr) {                      \
                return appc_document_write(&(t), m, false, ret_json, reterr);                               \
        }                                                                                                   \
        int appc_##name##_to_json_pretty(const Type *m, char **ret_json, RktError **reterr) {               \
                return appc_document_write(&(t), m, true, ret_json, reterr);                                \
        }                                                                                                   \
        bool appc_##name##_equal(const Type *a, const Type *b) {                                            \
                return appc_document_equal(&(t), a, b);                                                     \
        }                                                                                                   \
        Type *appc_##name##_free(Type *m) {                                                                 \
                return appc_document_free(&(t), m);                                                         \
        }

extern const AppcType appc_app_type, appc_port_type, appc_volume_type;

/* --- shared pieces --- */

void appc_kv_array_free(AppcKV *kv, size_t n);
int appc_kv_array_copy(const AppcKV *kv, size_t n, AppcKV **ret, size_t *ret_n);
bool appc_kv_array_equal(const AppcKV *a, size_t na, const AppcKV *b, size_t nb);
int appc_strv_copy(char *const *l, char ***ret);
bool appc_strv_equal(char *const *a, char *const *b);
/* Grows an array of n elements of size size by one zeroed element; returns it or NULL. */
void *appc_array_append(void *array_ptr, size_t *n, size_t size);

/* prefix is the path of the containing object with a trailing dot ("" at the top), field the key. */
int appc_labels_validate(const AppcKV *l, size_t n, const char *prefix, const char *field,
                         RktError **reterr);
int appc_annotations_validate(const AppcKV *a, size_t n, const char *prefix, const char *field,
                              RktError **reterr);
int appc_user_kv_validate(const AppcKV *kv, size_t n, const char *prefix, const char *field,
                          RktError **reterr);

int appc_isolators_from_json(json_object *v, const char *path, AppcIsolator **ret, size_t *ret_n,
                             RktError **reterr);
/* app_rules: the set rules appc applies to an app's isolators (one seccomp set, one cpu-shares, …). */
int appc_isolators_validate(const AppcIsolator *is, size_t n, const char *prefix, bool app_rules,
                            RktError **reterr);
void appc_isolators_free(AppcIsolator *is, size_t n);
int appc_isolators_copy(const AppcIsolator *is, size_t n, AppcIsolator **ret, size_t *ret_n);
bool appc_isolators_equal(const AppcIsolator *a, size_t na, const AppcIsolator *b, size_t nb);
void appc_jw_isolators(AppcJsonWriter *w, const AppcIsolator *is, size_t n);

int appc_port_validate(const AppcPort *p, const char *prefix, RktError **reterr);
int appc_app_validate_at(const AppcApp *a, const char *prefix, RktError **reterr);

/* The acKind check shared by both manifests. */
int appc_check_kind(json_object *root, const char *expected, RktError **reterr);

/* A pod's volumes (appc-volume.c), used by the pod manifest. */
int appc_volume_validate(const AppcVolume *v, const char *prefix, RktError **reterr);
