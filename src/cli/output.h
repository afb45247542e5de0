/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "cleanup.h"
#include "cli.h"
#include "error.h"

typedef enum OutputFormat {
        OUTPUT_TABLE,
        OUTPUT_JSON,
        OUTPUT_JSON_PRETTY,
} OutputFormat;

/* --format=json|json-pretty (and "" for the table). */
int output_format_parse(const char *s, OutputFormat *ret);
/* The flags of the listing verbs (rkt list, rkt image list): --full, --no-legend, --format (their ids). */
int output_listing_options(const CliArgs *a, int full_id, int no_legend_id, int format_id, bool *ret_full,
                           bool *ret_no_legend, OutputFormat *ret_format);
/* Prints o as JSON with a newline; json-pretty indents with tabs. Slashes are not escaped. */
int output_json(json_object *o, OutputFormat format, FILE *f);

/* Tab-aligned columns, as Go's tabwriter aligns rkt's listings. */
typedef struct Table Table;
Table *table_new(size_t n_columns);
Table *table_free(Table *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(Table *, table_free);
/* Takes ownership of the n_columns strings (NULL is printed as "-"). */
int table_add_row(Table *t, char **cells);
/* Adds a row of copies of the given strings. */
int table_add_rowv(Table *t, ...);
void table_print(const Table *t, FILE *f);

/* Writes the file at path through a temporary file beside it, which fill() writes and which is fsynced and
 * renamed into place, so that path is never half-written. Without overwrite an existing path is kept:
 * -EEXIST. */
/* The absolute path of the output file arg names; without overwrite it must not exist yet (logged). */
int output_path_new(const char *arg, bool overwrite, char **ret);
typedef int (*OutputFill)(int fd, void *userdata, RktError **reterr);
int output_file_write(const char *path, bool overwrite, OutputFill fill, void *userdata, RktError **reterr);
