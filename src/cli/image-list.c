/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <strings.h>

#include "format.h"
#include "log.h"
#include "output.h"
#include "store.h"
#include "strv.h"
#include "verbs.h"

enum { OPT_FIELDS = 1, OPT_SORT, OPT_ORDER, OPT_FULL, OPT_NO_LEGEND, OPT_FORMAT };

const Option image_list_options[] = {
        {"fields", 0, OPT_FIELDS, OPTION_REQUIRED, "FIELDS", "id,name,size,importtime,lastused",
         "comma-separated list of fields to display: id, name, size, importtime, lastused"},
        {"format", 0, OPT_FORMAT, OPTION_REQUIRED, "FORMAT", NULL,
         "choose the output format: json, json-pretty", "json json-pretty"},
        {"full", 0, OPT_FULL, OPTION_BOOL, NULL, "false",
         "use long output format (full IDs, exact sizes and times)"},
        {"no-legend", 0, OPT_NO_LEGEND, OPTION_BOOL, NULL, "false", "suppress a legend with the list"},
        {"order", 0, OPT_ORDER, OPTION_REQUIRED, "ORDER", "asc",
         "choose the sorting order if at least one sort field is provided (--sort): asc, desc", "asc desc"},
        {"sort", 0, OPT_SORT, OPTION_REQUIRED, "FIELDS", "importtime",
         "sort the output by the comma-separated fields: name, size, importtime, lastused"},
        {},
};

typedef enum Field { FIELD_ID, FIELD_NAME, FIELD_SIZE, FIELD_IMPORT, FIELD_LASTUSED, _FIELD_MAX } Field;

static const char *const field_names[_FIELD_MAX] = {"id", "name", "size", "importtime", "lastused"};
static const char *const field_headers[_FIELD_MAX] = {"ID", "NAME", "SIZE", "IMPORT TIME", "LAST USED"};

typedef struct Row {
        ImageRecord *rec;
        char *name;    /* name:version */
        uint64_t size; /* image + rendered trees */
} Row;

static int parse_fields(const char *s, bool sortable, Field *ret, size_t *ret_n) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0;

        if (strv_split(s, ",", &l) < 0)
                return log_oom();
        if (!l[0])
                return log_error_errno(-EINVAL, "--%s: no field given", sortable ? "sort" : "fields");
        STRV_FOREACH(w, l) {
                Field f;
                for (f = 0; f < _FIELD_MAX; f++)
                        if (strcasecmp(*w, field_names[f]) == 0)
                                break;
                if (f == _FIELD_MAX || (sortable && f == FIELD_ID))
                        return log_error_errno(-EINVAL, "--%s: unknown field '%s' (valid: %s)",
                                               sortable ? "sort" : "fields", *w,
                                               sortable ? "name, size, importtime, lastused"
                                                        : "id, name, size, importtime, lastused");
                for (size_t i = 0; i < n; i++)
                        if (ret[i] == f)
                                return log_error_errno(-EINVAL, "--%s: field '%s' given twice",
                                                       sortable ? "sort" : "fields", *w);
                ret[n++] = f;
        }
        *ret_n = n;
        return 0;
}

static Field sort_fields[_FIELD_MAX];
static size_t n_sort_fields;
static bool sort_desc;

static int compare_rows(const void *a, const void *b) {
        const Row *x = a, *y = b;
        int c = 0;

        for (size_t i = 0; i < n_sort_fields && c == 0; i++)
                switch (sort_fields[i]) {
                case FIELD_NAME:
                        c = strcmp(x->name, y->name);
                        break;
                case FIELD_SIZE:
                        c = (x->size > y->size) - (x->size < y->size);
                        break;
                case FIELD_IMPORT:
                        c = (x->rec->import_time > y->rec->import_time) -
                            (x->rec->import_time < y->rec->import_time);
                        break;
                case FIELD_LASTUSED:
                        c = (x->rec->last_used > y->rec->last_used) -
                            (x->rec->last_used < y->rec->last_used);
                        break;
                default:
                        break;
                }
        if (c == 0)
                c = strcmp(x->rec->id, y->rec->id);
        return sort_desc ? -c : c;
}

static char *cell(const Row *row, Field f, bool full, uint64_t now) {
        char *s = NULL;

        switch (f) {
        case FIELD_ID:
                return full ? strdup(row->rec->id) : image_id_short(row->rec->id, 12);
        case FIELD_NAME:
                return strdup(row->name);
        case FIELD_SIZE:
                if (full)
                        return asprintf(&s, "%llu", (unsigned long long) row->size) < 0 ? NULL : s;
                return format_bytes(row->size);
        case FIELD_IMPORT:
                return full ? format_time_full(row->rec->import_time)
                            : format_time_ago(row->rec->import_time, now);
        case FIELD_LASTUSED:
                return full ? format_time_full(row->rec->last_used)
                            : format_time_ago(row->rec->last_used, now);
        default:
                return NULL;
        }
}

static json_object *row_json(const Row *row) {
        json_object *o = json_object_new_object();

        if (!o)
                return NULL;
        json_object_object_add(o, "id", json_object_new_string(row->rec->id));
        json_object_object_add(o, "name", json_object_new_string(row->name));
        /* Times in nanoseconds since the epoch, as rkt's API types carry them. */
        json_object_object_add(o, "import_time",
                               json_object_new_int64((int64_t) row->rec->import_time * 1000));
        json_object_object_add(o, "last_used_time",
                               json_object_new_int64((int64_t) row->rec->last_used * 1000));
        json_object_object_add(o, "size", json_object_new_int64((int64_t) row->size));
        return o;
}

int verb_image_list(CliArgs *a) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_free_ Row *rows = NULL;
        Field fields[_FIELD_MAX] = {FIELD_ID, FIELD_NAME, FIELD_SIZE, FIELD_IMPORT, FIELD_LASTUSED};
        size_t n_fields = _FIELD_MAX, n = 0;
        ImageRecord **recs = NULL;
        OutputFormat format = OUTPUT_TABLE;
        bool full = false, no_legend = false;
        uint64_t now = now_usec();
        int r;

        sort_fields[0] = FIELD_IMPORT;
        n_sort_fields = 1;
        sort_desc = false;
        r = output_listing_options(a, OPT_FULL, OPT_NO_LEGEND, OPT_FORMAT, &full, &no_legend, &format);
        if (r < 0)
                return r;
        for (size_t i = 0; i < a->n_options; i++) {
                const ParsedOption *o = &a->options[i];
                switch (o->option->id) {
                case OPT_FIELDS:
                        r = parse_fields(o->value, false, fields, &n_fields);
                        break;
                case OPT_SORT:
                        r = parse_fields(o->value, true, sort_fields, &n_sort_fields);
                        break;
                case OPT_ORDER:
                        if (streq(o->value, "asc") || streq(o->value, "desc")) {
                                sort_desc = streq(o->value, "desc");
                                r = 0;
                        } else
                                r = log_error_errno(-EINVAL, "--order '%s': must be asc or desc", o->value);
                        break;
                default:
                        r = 0;
                }
                if (r < 0)
                        return r;
        }

        r = store_open(a->globals->dir, 0, &s, &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        r = store_list(s, &recs, &n, &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        rows = calloc(n ? n : 1, sizeof(Row));
        if (!rows) {
                image_records_free(recs, n);
                return log_oom();
        }
        for (size_t i = 0; i < n; i++) {
                const char *version = appc_kv_get(recs[i]->labels, recs[i]->n_labels, "version");
                rows[i].rec = recs[i];
                rows[i].size = recs[i]->size + store_tree_size(s, recs[i]->id);
                if (asprintf(&rows[i].name, "%s%s%s", recs[i]->name, version ? ":" : "", strempty(version)) <
                    0)
                        rows[i].name = NULL;
                if (!rows[i].name) {
                        r = log_oom();
                        goto finish;
                }
        }
        qsort(rows, n, sizeof(Row), compare_rows);

        if (format != OUTPUT_TABLE) {
                _cleanup_(json_object_putp) json_object *arr = json_object_new_array();
                if (!arr) {
                        r = log_oom();
                        goto finish;
                }
                for (size_t i = 0; i < n; i++)
                        json_object_array_add(arr, row_json(&rows[i]));
                r = output_json(arr, format, stdout);
        } else {
                _cleanup_(table_freep) Table *t = table_new(n_fields);
                if (!t) {
                        r = log_oom();
                        goto finish;
                }
                if (!no_legend) {
                        char *hdr[_FIELD_MAX];
                        for (size_t f = 0; f < n_fields; f++)
                                hdr[f] = strdup(field_headers[fields[f]]);
                        table_add_row(t, hdr);
                }
                for (size_t i = 0; i < n; i++) {
                        char *cells[_FIELD_MAX];
                        for (size_t f = 0; f < n_fields; f++)
                                cells[f] = cell(&rows[i], fields[f], full, now);
                        table_add_row(t, cells);
                }
                table_print(t, stdout);
                r = 0;
        }
finish:
        for (size_t i = 0; i < n; i++)
                free(rows[i].name);
        image_records_free(recs, n);
        return r;
}
