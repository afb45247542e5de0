/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Shared by the files of src/lib/appc only: the pieces the image and pod manifests have in common. Their
 * JSON is read and written through the field tables of src/shared/json-table.h. */

#include <json-c/json.h>
#include <stdio.h>

#include "appc.h"
#include "cleanup.h"
#include "json-table.h"
#include "strv.h"

/* Why a value is not valid, or NULL when it is (appc-types.c). */
const char *appc_ac_identifier_problem(const char *s);
const char *appc_ac_name_problem(const char *s);
const char *appc_semver_problem(const char *s);
const char *appc_image_id_problem(const char *s, bool full);
const char *appc_quantity_problem(const char *s);
int appc_os_arch_problem(const char *os, const char *arch, char *buf, size_t size);
bool appc_ip_valid(const char *s);

/* The path of a field for a message ("apps[1].app.ports[0].name"), kept as its parts and formatted only when
 * a message names it: every manifest is validated, and messages are rare. It is up's path (NULL: none),
 * then text, then "[index]" unless index is APPC_NO_INDEX, then tail (NULL: none). */
typedef struct AppcPath {
        const struct AppcPath *up;
        const char *text;
        size_t index;
        const char *tail;
} AppcPath;
#define APPC_NO_INDEX SIZE_MAX
/* up's path then "text[index]tail"; up's path then "text". Live as long as the enclosing block. */
#define APPC_PATH_AT(up, text, index, tail) (&(const AppcPath){(up), (text), (index), (tail)})
#define APPC_PATH(up, text) APPC_PATH_AT(up, text, APPC_NO_INDEX, NULL)
/* The text of a path, in a buffer that lives as long as the enclosing block; "" for NULL. */
#define APPC_PATH_TEXT(p) appc_path_format((char[JSON_PATH_MAX]){0}, JSON_PATH_MAX, (p))
const char *appc_path_format(char *buf, size_t size, const AppcPath *p);

/* Field checks that name the field: "PATH: must be set", "PATH 'x': not a valid AC Name (...)". */
int appc_check_ac_identifier(const char *s, const AppcPath *path, RktError **reterr);
int appc_check_ac_name(const char *s, const AppcPath *path, RktError **reterr);
int appc_check_image_id(const char *s, const AppcPath *path, RktError **reterr);
int appc_check_semver(const char *s, const AppcPath *path, RktError **reterr);
int appc_check_absolute_path(const char *s, const AppcPath *path, RktError **reterr);
int appc_check_set(const char *s, const AppcPath *path, RktError **reterr);

/* --- documents (field tables of json-table.h) --- */

/* A new document with acVersion set to the spec version this implements and nothing else. */
void *appc_document_new(const JsonTable *t);

/* The public functions of a manifest, appc_NAME_new, _parse, _to_json, _to_json_pretty, _equal and _free,
 * over the document of type t. */
#define APPC_DEFINE_DOCUMENT(name, Type, what, t)                                                           \
        Type *appc_##name##_new(void) {                                                                     \
                return appc_document_new(&(t));                                                             \
        }                                                                                                   \
        int appc_##name##_parse(const char *json, size_t size, Type **ret, RktError **reterr) {             \
                return json_table_parse(json, size, what, &(t), ret, reterr);                               \
        }                                                                                                   \
        int appc_##name##_to_json(const Type *m, char **ret_json, RktError **reterr) {                      \
                return json_table_write(&(t), m, false, ret_json, reterr);                                  \
        }                                                                                                   \
        int appc_##name##_to_json_pretty(const Type *m, char **ret_json, RktError **reterr) {               \
                return json_table_write(&(t), m, true, ret_json, reterr);                                   \
        }                                                                                                   \
        bool appc_##name##_equal(const Type *a, const Type *b) {                                            \
                return json_table_equal_ptr(&(t), a, b);                                                    \
        }                                                                                                   \
        Type *appc_##name##_free(Type *m) {                                                                 \
                return json_table_free(&(t), m);                                                            \
        }

extern const JsonTable appc_app_type, appc_port_type, appc_volume_type;

/* --- shared pieces --- */

/* prefix is the path of the containing object with a trailing dot (NULL at the top), field the key. */
int appc_labels_validate(const AppcKV *l, size_t n, const AppcPath *prefix, const char *field,
                         RktError **reterr);
int appc_annotations_validate(const AppcKV *a, size_t n, const AppcPath *prefix, const char *field,
                              RktError **reterr);
int appc_user_kv_validate(const AppcKV *kv, size_t n, const AppcPath *prefix, const char *field,
                          RktError **reterr);

int appc_isolators_from_json(json_object *v, const char *path, AppcIsolator **ret, size_t *ret_n,
                             RktError **reterr);
/* app_rules: the set rules appc applies to an app's isolators (one seccomp set, one cpu-shares, …). */
int appc_isolators_validate(const AppcIsolator *is, size_t n, const AppcPath *prefix, bool app_rules,
                            RktError **reterr);
void appc_isolators_free(AppcIsolator *is, size_t n);
int appc_isolators_copy(const AppcIsolator *is, size_t n, AppcIsolator **ret, size_t *ret_n);
bool appc_isolators_equal(const AppcIsolator *a, size_t na, const AppcIsolator *b, size_t nb);
void appc_jw_isolators(JsonWriter *w, const AppcIsolator *is, size_t n);
/* The isolators as a table field: JSON_LIST(key, CUSTOM, T, isolators, .ops = &appc_isolators_ops). */
extern const JsonFieldOps appc_isolators_ops;

int appc_port_validate(const AppcPort *p, const AppcPath *prefix, RktError **reterr);
int appc_app_validate_at(const AppcApp *a, const AppcPath *prefix, RktError **reterr);

/* A pod's volumes (appc-volume.c), used by the pod manifest. */
int appc_volume_validate(const AppcVolume *v, const AppcPath *prefix, RktError **reterr);
