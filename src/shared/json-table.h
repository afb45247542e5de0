/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* JSON records described by field tables, in the spirit of systemd's JsonDispatch: one table per C struct
 * drives parsing (errors name the field), freeing, copying, comparing and writing, so that no type needs a
 * hand-written reader or writer. The appc manifests, the store's records, a pod's net-info.json and the
 * configuration files are read this way. */

#include <stddef.h>

#include "json-io.h"

typedef struct JsonTable JsonTable;
typedef struct JsonField JsonField;

typedef enum JsonFieldType {
        JSON_FIELD_STRING,       /* char * */
        JSON_FIELD_STRV,         /* char **, NULL when empty */
        JSON_FIELD_BOOL,         /* bool */
        JSON_FIELD_UINT,         /* unsigned, between min and max */
        JSON_FIELD_UINT64,       /* uint64_t */
        JSON_FIELD_UINT32_ARRAY, /* uint32_t * and its count at n_offset (integers between 0 and 2^32-1) */
        JSON_FIELD_KV_ARRAY,     /* NameValue * and count: [{"name": …, "value": …}] */
        JSON_FIELD_KV_MAP,       /* NameValue * and count: {"k": "v", …} */
        JSON_FIELD_ARRAY,        /* elements of type elem and count */
        JSON_FIELD_OBJECT,       /* a struct of type elem, embedded */
        JSON_FIELD_OBJECT_PTR,   /* a pointer to a struct of type elem, NULL when absent */
        JSON_FIELD_CONST,        /* the string constant: checked before anything else is read (acKind) */
        JSON_FIELD_CUSTOM,       /* a pointer and its count, read and written by ops */
        JSON_FIELD_KEYS,         /* char **, NULL when empty: the names of {"80/tcp": {}, …} (Go's
                                  * map[string]struct{}), in order; values objects or null */
} JsonFieldType;

typedef enum JsonFieldFlags {
        JSON_OMITEMPTY = 1 << 0,     /* Go's omitempty: written only when set, true, not zero, not empty */
        JSON_REQUIRED = 1 << 1,      /* an absent member is refused ("PATH: must be set"; null is absent in
                                      * tables that are not strict) */
        JSON_EMPTY_IS_NULL = 1 << 2, /* strings: "" reads as absent */
        JSON_PRESENT = 1 << 3,       /* the bool at present_offset is set when the member is there: what
                                      * tells an empty list ([]) from an absent one */
} JsonFieldFlags;

/* A list the table cannot describe (appc's isolators): a pointer and its count, at offset and n_offset. */
typedef struct JsonFieldOps {
        int (*parse)(json_object *v, const char *path, void *array_ptr, size_t *n, RktError **reterr);
        void (*done)(void *array, size_t n);
        int (*copy)(const void *array, size_t n, void *ret_array_ptr, size_t *ret_n);
        bool (*equal)(const void *a, size_t na, const void *b, size_t nb);
        void (*write)(JsonWriter *w, const void *array, size_t n);
} JsonFieldOps;

/* One member of a JSON object and where it lives in the C struct; a table ends with {}. The table's order
 * is the order of reading (which decides the error reported first) and of writing. */
struct JsonField {
        const char *key;
        JsonFieldType type;
        JsonFieldFlags flags;
        size_t offset;
        size_t n_offset;         /* arrays: where their size_t count lives */
        const JsonTable *elem;   /* ARRAY, OBJECT, OBJECT_PTR */
        int64_t min, max;        /* UINT */
        const char *constant;    /* CONST */
        const JsonFieldOps *ops; /* CUSTOM */
        size_t present_offset;   /* JSON_PRESENT: a bool, set when the member is there (null is absent in
                                  * tables that are not strict) */
};

#define JSON_FIELD(k, t, T, m, ...)                                                                         \
        { .key = (k), .type = JSON_FIELD_##t, .offset = offsetof(T, m), __VA_ARGS__ }
/* An array member m and its count n_m. */
#define JSON_LIST(k, t, T, m, ...) JSON_FIELD(k, t, T, m, .n_offset = offsetof(T, n_##m), __VA_ARGS__)
/* The flag and the bool of JSON_PRESENT, for JSON_FIELD()'s arguments: JSON_PRESENT_AT(T, has_m). Other
 * flags are given as .flags = JSON_PRESENT | …, .present_offset = offsetof(T, has_m). */
#define JSON_PRESENT_AT(T, m) .flags = JSON_PRESENT, .present_offset = offsetof(T, m)

/* A C struct and its JSON form: a field table, or hooks for the types a table cannot describe (appc's
 * volumes). finish, when set, completes a record read from a table (defaults); validate, of a document,
 * checks it after parsing and before writing.
 *
 * A strict table is one of rkt's own files or of a configuration file, not a document of a Go-era format:
 * its keys are matched exactly, null is a wrong type rather than an absent member, strings must hold no
 * NUL (single_line: no control character either, for values messages quote on one line), and a wrong
 * type says what it found: "field 'size': must be an integer, not a string". any_case: a key is also
 * matched ignoring ASCII case when it is not there exactly (Go's rule: the exact key first), for the
 * files Go programs read (CNI network configurations). */
struct JsonTable {
        size_t size;
        const JsonField *fields;
        bool strict, single_line, any_case;
        int (*finish)(void *p);
        int (*validate)(const void *p, RktError **reterr);
        int (*from_json)(json_object *v, const char *path, void *p, RktError **reterr);
        void (*done)(void *p);
        int (*copy)(const void *src, void *dst);
        bool (*equal)(const void *a, const void *b);
        void (*write)(JsonWriter *w, const void *p);
};

/* p points to a zeroed struct of type t. On failure p holds what was read, for json_table_done(). */
int json_table_from_json(const JsonTable *t, json_object *v, const char *path, void *p, RktError **reterr);
void json_table_done(const JsonTable *t, void *p);
/* dst is zeroed; on failure it holds what was copied, for json_table_done(). */
int json_table_copy(const JsonTable *t, const void *src, void *dst);
bool json_table_equal(const JsonTable *t, const void *a, const void *b);
void jw_table(JsonWriter *w, const JsonTable *t, const void *p);

/* A document: strict JSON parsed (what names it in messages; CONST members are checked first) into a new
 * struct of type t and validated, or validated and written. */
int json_table_parse(const char *json, size_t size, const char *what, const JsonTable *t, void *ret_ptr,
                     RktError **reterr);
int json_table_write(const JsonTable *t, const void *p, bool pretty, char **ret, RktError **reterr);
void *json_table_free(const JsonTable *t, void *p);
/* NULL equals only NULL. */
bool json_table_equal_ptr(const JsonTable *t, const void *a, const void *b);

/* One of rkt's files (a strict table): json_table_parse() into the zeroed struct p, every error prefixed
 * with what ("the record of image 'ID': field 'size': must be an integer, not a string") and -EBADMSG (the
 * file is damaged). On failure p is emptied. */
int json_table_read(const JsonTable *t, const char *json, size_t size, const char *what, void *p,
                    RktError **reterr);
/* json_table_from_json() of the object o read some other way (configuration files are parsed leniently),
 * errors prefixed with what. On failure p is emptied. */
int json_table_read_object(const JsonTable *t, json_object *o, const char *what, void *p, RktError **reterr);
/* The compact text of p (no validation). */
int json_table_to_text(const JsonTable *t, const void *p, char **ret);

/* A file of rkt's that holds an array of records (a pod's net-info.json): each element read with the strict
 * table t, as json_table_read() does. */
int json_table_read_array(const JsonTable *t, const char *json, size_t size, const char *what,
                          void *ret_array_ptr, size_t *ret_n, RktError **reterr);
void json_table_array_free(const JsonTable *t, void *array, size_t n);
int json_table_array_to_text(const JsonTable *t, const void *array, size_t n, char **ret);
