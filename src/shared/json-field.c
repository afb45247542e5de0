/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "escape.h"
#include "json-field.h"

static const char *type_name(json_type t) {
        switch (t) {
        case json_type_null:
                return "null";
        case json_type_boolean:
                return "a boolean";
        case json_type_double:
                return "a number";
        case json_type_int:
                return "an integer";
        case json_type_object:
                return "an object";
        case json_type_array:
                return "an array";
        case json_type_string:
                return "a string";
        }
        return "unknown";
}

const char *json_type_describe(json_object *v) {
        return type_name(json_object_get_type(v));
}

int json_field(json_object *o, const char *key, json_type type, const char *what, const char *file,
               json_object **ret, RktError **reterr) {
        json_object *v = NULL;

        if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
                return 0;
        if (!json_object_is_type(v, type))
                return rkt_error_set(reterr, -EINVAL, "%s '%s': field '%s': must be %s, not %s", what, file,
                                     key, type_name(type), json_type_describe(v));
        *ret = v;
        return 1;
}

int json_field_string(json_object *o, const char *key, const char *what, const char *file, const char **ret,
                      RktError **reterr) {
        json_object *v;
        int r = json_field(o, key, json_type_string, what, file, &v, reterr);

        if (r <= 0)
                return r;
        if (strlen(json_object_get_string(v)) != (size_t) json_object_get_string_len(v))
                return rkt_error_set(reterr, -EINVAL, "%s '%s': field '%s': must not contain NUL characters",
                                     what, file, key);
        /* Messages quote these values on one line. */
        if (string_has_control(json_object_get_string(v)))
                return rkt_error_set(reterr, -EINVAL,
                                     "%s '%s': field '%s': must not contain control characters", what, file,
                                     key);
        *ret = json_object_get_string(v);
        return 1;
}

int json_to_plain_string(json_object *o, char **ret) {
        char *s = strdup(
                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}
