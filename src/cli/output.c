/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "output.h"
#include "path.h"

int output_format_parse(const char *s, OutputFormat *ret) {
        if (isempty(s))
                *ret = OUTPUT_TABLE;
        else if (streq(s, "json"))
                *ret = OUTPUT_JSON;
        else if (streq(s, "json-pretty"))
                *ret = OUTPUT_JSON_PRETTY;
        else
                return log_error_errno(-EINVAL, "--format '%s': must be json or json-pretty", s);
        return 0;
}

int output_json(json_object *o, OutputFormat format, FILE *f) {
        int flags = JSON_C_TO_STRING_NOSLASHESCAPE;
        const char *s;

        if (format == OUTPUT_JSON_PRETTY)
                flags |= JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB | JSON_C_TO_STRING_SPACED;
        else
                flags |= JSON_C_TO_STRING_PLAIN;
        s = json_object_to_json_string_ext(o, flags);
        if (!s)
                return -ENOMEM;
        fputs(s, f);
        fputc('\n', f);
        return 0;
}

struct Table {
        size_t n_columns;
        char **cells; /* row-major */
        size_t n_rows;
};

Table *table_new(size_t n_columns) {
        Table *t = calloc(1, sizeof(Table));
        if (t)
                t->n_columns = n_columns;
        return t;
}

Table *table_free(Table *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_rows * t->n_columns; i++)
                free(t->cells[i]);
        free(t->cells);
        free(t);
        return NULL;
}

int table_add_row(Table *t, char **cells) {
        char **n = realloc(t->cells, sizeof(char *) * (t->n_rows + 1) * t->n_columns);

        if (!n) {
                for (size_t i = 0; i < t->n_columns; i++)
                        free(cells[i]);
                return -ENOMEM;
        }
        t->cells = n;
        for (size_t i = 0; i < t->n_columns; i++)
                t->cells[t->n_rows * t->n_columns + i] = cells[i];
        t->n_rows++;
        return 0;
}

int table_add_rowv(Table *t, ...) {
        _cleanup_free_ char **cells = calloc(t->n_columns, sizeof(char *));
        va_list ap;

        if (!cells)
                return -ENOMEM;
        va_start(ap, t);
        for (size_t i = 0; i < t->n_columns; i++) {
                const char *c = va_arg(ap, const char *);
                cells[i] = c ? strdup(c) : NULL;
        }
        va_end(ap);
        return table_add_row(t, cells);
}

#define TABWIDTH 8

void table_print(const Table *t, FILE *f) {
        _cleanup_free_ size_t *width = calloc(t->n_columns, sizeof(size_t));

        if (!width)
                return;
        for (size_t r = 0; r < t->n_rows; r++)
                for (size_t c = 0; c < t->n_columns; c++) {
                        const char *s = t->cells[r * t->n_columns + c];
                        width[c] = MAX(width[c], strlen(s ?: "-"));
                }
        /* A cell's width plus one separating tab, rounded up to whole tab stops. */
        for (size_t c = 0; c < t->n_columns; c++)
                width[c] = (width[c] + 1 + TABWIDTH - 1) / TABWIDTH * TABWIDTH;
        for (size_t r = 0; r < t->n_rows; r++) {
                for (size_t c = 0; c < t->n_columns; c++) {
                        const char *s = t->cells[r * t->n_columns + c] ?: "-";
                        fputs(s, f);
                        if (c + 1 < t->n_columns)
                                for (size_t w = strlen(s); w < width[c]; w = (w / TABWIDTH + 1) * TABWIDTH)
                                        fputc('\t', f);
                }
                fputc('\n', f);
        }
}

int output_file_write(const char *path, bool overwrite, OutputFill fill, void *userdata, RktError **reterr) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        if (asprintf(&tmp, "%s.tmp-%d", path, (int) getpid()) < 0)
                return -ENOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
                return rkt_error_set(reterr, negative_errno(), "cannot create '%s': %m", tmp);
        r = fill(fd, userdata, reterr);
        if (r >= 0 && fsync(fd) < 0)
                r = rkt_error_set(reterr, negative_errno(), "writing '%s': %m", tmp);
        if (r >= 0 && renameat2(AT_FDCWD, tmp, AT_FDCWD, path, overwrite ? 0 : RENAME_NOREPLACE) < 0) {
                r = negative_errno();
                if (r == -EEXIST)
                        rkt_error_set(reterr, r, "'%s' already exists; pass --overwrite to replace it",
                                      path);
                else
                        rkt_error_set(reterr, r, "renaming to '%s': %s", path, strerror(-r));
        }
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

int output_listing_options(const CliArgs *a, int full_id, int no_legend_id, int format_id, bool *ret_full,
                           bool *ret_no_legend, OutputFormat *ret_format) {
        int r = option_bool(a, full_id, false, ret_full);

        if (r >= 0)
                r = option_bool(a, no_legend_id, false, ret_no_legend);
        if (r >= 0)
                r = output_format_parse(option_value(a, format_id), ret_format);
        return r;
}

int output_path_new(const char *arg, bool overwrite, char **ret) {
        _cleanup_free_ char *out = NULL;
        int r = path_make_absolute_cwd(arg, &out);

        if (r < 0)
                return log_error_errno(r, "'%s': %m", arg);
        if (!overwrite && access(out, F_OK) == 0)
                return log_error_errno(-EEXIST, "'%s' already exists; pass --overwrite to replace it", arg);
        *ret = TAKE_PTR(out);
        return 0;
}
