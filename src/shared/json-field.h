/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-c/json.h>

#include "error.h"

/* Typed members of a JSON object read from a file the user or an administrator wrote (auth.d, paths.d,
 * stage1.d, net.d). A member of the wrong type (null included) is the file's error, never a NULL a caller
 * may forget to check: it fails with one line that names the file and the key,
 * "<what> '<file>': field '<key>': must be a string, not null".
 *
 * Returns 0 when the key is absent (*ret untouched), 1 with *ret set when the member has the type, and
 * -EINVAL with reterr set otherwise. */
int json_field(json_object *o, const char *key, json_type type, const char *what, const char *file,
               json_object **ret, RktError **reterr);
/* As json_field(), for a string; a string with a NUL or another control character (newline and tab
 * included: messages quote these values on one line) is refused as well. */
int json_field_string(json_object *o, const char *key, const char *what, const char *file, const char **ret,
                      RktError **reterr);
/* The name of the type of v as the messages above say it ("a string", "null"). */
const char *json_type_describe(json_object *v);

/* o as one line of JSON with '/' left alone, as rkt writes its JSON files: a copy in *ret. */
int json_to_plain_string(json_object *o, char **ret);
