/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* JSON read and written the way Go's encoding/json does (rkt's files and the appc manifests were written by
 * Go): strict RFC 8259 parsing, typed members read into C values with messages that name the field
 * ("apps[1].app.exec[0]: must be a string"), and a writer that lays the text out as encoding/json does.
 * The field tables of json-table.h are built on these. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "cleanup.h"
#include "error.h"
#include "name-value.h"

#define JSON_PATH_MAX 256
#define JSON_QUOTE_MAX 128

/* Formats a field path ("apps[1].app.exec[0]") into a buffer that lives as long as the enclosing block. */
#define JSON_PATH(...) json_pathf((char[JSON_PATH_MAX]){0}, JSON_PATH_MAX, __VA_ARGS__)
const char *json_pathf(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);
/* "path.key" ("key" when path is empty), as JSON_PATH("%s%s%s", path, *path ? "." : "", key) would format
 * it, without printf: it is made for every field of every document read. */
#define JSON_PATH_MEMBER(path, key) json_path_member((char[JSON_PATH_MAX]){0}, JSON_PATH_MAX, (path), (key))
const char *json_path_member(char *buf, size_t size, const char *path, const char *key);
/* "path[i]", likewise. */
#define JSON_PATH_INDEX(path, i) json_path_index((char[JSON_PATH_MAX]){0}, JSON_PATH_MAX, (path), (i))
const char *json_path_index(char *buf, size_t size, const char *path, size_t i);

/* 'value' for a message: quoted, control characters escaped, long values shortened. */
#define JSON_QUOTE(s) json_quote((char[JSON_QUOTE_MAX]){0}, JSON_QUOTE_MAX, (s))
const char *json_quote(char *buf, size_t size, const char *s);

/* rkt_error_set() with -EINVAL. */
int json_fail(RktError **reterr, const char *fmt, ...) _printf_(2, 3);

/* Grows an array of n elements of size size by one zeroed element; returns it or NULL. */
void *array_append_zero(void *array_ptr, size_t *n, size_t size);
void name_value_array_free(NameValue *kv, size_t n);
int name_value_array_copy(const NameValue *kv, size_t n, NameValue **ret, size_t *ret_n);
bool name_value_array_equal(const NameValue *a, size_t na, const NameValue *b, size_t nb);

/* --- reading JSON (json-c; json_object_putp of cleanup.h frees it) --- */

/* Parses strict RFC 8259 JSON of any type (a document, or an isolator's value). */
int json_parse_strict_value(const char *json, size_t size, const char *what, json_object **ret,
                            RktError **reterr);
/* Parses strict RFC 8259 JSON whose top-level value is an object. what names the document in messages. */
int json_parse_strict(const char *json, size_t size, const char *what, json_object **ret, RktError **reterr);
/* A member looked up the way Go's encoding/json does: ASCII case-insensitively, the last match winning.
 * NULL when absent or null. */
json_object *json_member(json_object *o, const char *key);
/* Each reads v, which may be NULL (absent or null: nothing is written). */
int json_expect(json_object *v, json_type type, const char *path, RktError **reterr);
int json_read_string(json_object *v, const char *path, char **ret, RktError **reterr);
int json_read_bool(json_object *v, const char *path, bool *ret, RktError **reterr);
int json_read_int(json_object *v, const char *path, int64_t min, int64_t max, int64_t *ret,
                  RktError **reterr);
int json_read_uint64(json_object *v, const char *path, uint64_t *ret, RktError **reterr);
int json_read_strv(json_object *v, const char *path, char ***ret, RktError **reterr);
/* Reads each element of the array v into a new zeroed element of size bytes appended to *array_ptr, with
 * parse (userdata passed on). An absent array (v NULL) adds nothing. On failure the elements read so far
 * stay in the array, for its owner to free. */
typedef int (*JsonElementParser)(json_object *e, const char *path, void *elem, const void *userdata,
                                 RktError **reterr);
int json_read_array(json_object *v, const char *path, size_t size, JsonElementParser parse,
                    const void *userdata, void *array_ptr, size_t *n, RktError **reterr);
/* [{"name": …, "value": …}]; a missing value reads as "". */
int json_read_kv_array(json_object *v, const char *path, NameValue **ret, size_t *ret_n, RktError **reterr);
/* {"k": "v", …}, sorted by key (it is a map: order carries nothing). */
int json_read_kv_map(json_object *v, const char *path, NameValue **ret, size_t *ret_n, RktError **reterr);
/* Compact JSON text of v ("null" for NULL). */
char *json_text(json_object *v);
/* o as one line of JSON with '/' left alone, as rkt writes its JSON files: a copy in *ret. */
int json_to_plain_string(json_object *o, char **ret);
/* The member key of o must be the string expected: "KEY: must be \"EXPECTED\"" otherwise. */
int json_check_const(json_object *o, const char *key, const char *expected, RktError **reterr);

/* --- writing JSON --- */

typedef struct JsonWriter {
        char *buf;
        size_t len, cap;
        bool comma; /* the next value needs a separator */
        bool oom;
} JsonWriter;

void jw_begin_object(JsonWriter *w);
void jw_end_object(JsonWriter *w);
void jw_begin_array(JsonWriter *w);
void jw_end_array(JsonWriter *w);
void jw_key(JsonWriter *w, const char *key);
void jw_string(JsonWriter *w, const char *s);
void jw_bool(JsonWriter *w, bool b);
void jw_int(JsonWriter *w, int64_t v);
void jw_uint(JsonWriter *w, uint64_t v);
void jw_raw_value(JsonWriter *w, const char *json);
void jw_strv(JsonWriter *w, char *const *l);
/* {"name": name, "value": value}: value a string, or with raw JSON text (NULL: null). */
void jw_name_value(JsonWriter *w, const char *name, const char *value, bool raw);
void jw_kv_array(JsonWriter *w, const NameValue *kv, size_t n);
void jw_kv_map(JsonWriter *w, const NameValue *kv, size_t n);
/* Hands the text out, compact or indented with tabs like Go's json.MarshalIndent(v, "", "\t"). */
int jw_finish(JsonWriter *w, bool pretty, char **ret);
void jw_done(JsonWriter *w);
