/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "format.h"
#include "log.h"
#include "output.h"
#include "pod-common.h"
#include "pod-name.h"
#include "verbs.h"

enum { OPT_FULL = 1, OPT_NO_LEGEND, OPT_FORMAT };

const Option list_options[] = {
        {"format", 0, OPT_FORMAT, OPTION_REQUIRED, "FORMAT", NULL,
         "choose the output format: json, json-pretty", "json json-pretty"},
        {"full", 0, OPT_FULL, OPTION_BOOL, NULL, "false", "use long output format"},
        {"no-legend", 0, OPT_NO_LEGEND, OPTION_BOOL, NULL, "false", "suppress a legend with the list"},
        {},
};

/* rkt list shows pods being prepared, prepared, running or exited (also when marked as garbage), not the
 * embryos and never-run garbage that are on their way out. */
static bool listed(PodState s) {
        return s != POD_EMBRYO && s != POD_GARBAGE && s != POD_DELETING;
}

static const char *label_value(json_object *labels, const char *name) {
        for (size_t i = 0;
             labels && json_object_is_type(labels, json_type_array) && i < json_object_array_length(labels);
             i++) {
                json_object *l = json_object_array_get_idx(labels, i), *n, *v;
                if (json_object_object_get_ex(l, "name", &n) && json_object_object_get_ex(l, "value", &v) &&
                    streq_ptr(json_object_get_string(n), name))
                        return json_object_get_string(v);
        }
        return NULL;
}

static char *name_with_version(json_object *o) {
        json_object *name = NULL, *labels = NULL;
        const char *version;
        char *s;

        if (!json_object_object_get_ex(o, "name", &name) || !json_object_is_type(name, json_type_string))
                return NULL;
        json_object_object_get_ex(o, "labels", &labels);
        version = label_value(labels, "version");
        if (asprintf(&s, "%s%s%s", json_object_get_string(name), version ? ":" : "", strempty(version)) < 0)
                return NULL;
        return s;
}

/* "name:version" of the app's image: from the image manifest stage0 saved in appsinfo/, else from what the
 * pod manifest says about the image; "--" when neither is readable (as rkt prints then). */
static char *image_name(const Pod *p, json_object *ra) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        json_object *name, *image = NULL;
        char *s = NULL;

        if (json_object_object_get_ex(ra, "name", &name) &&
            asprintf(&path, "appsinfo/%s/manifest", json_object_get_string(name)) >= 0 &&
            !strchr(json_object_get_string(name), '/') && pod_read_file(p, path, &text, NULL) >= 0) {
                json_object *m = json_tokener_parse(text);
                s = m ? name_with_version(m) : NULL;
                json_object_put(m);
        }
        if (!s && json_object_object_get_ex(ra, "image", &image))
                s = name_with_version(image);
        return s ?: strdup("--");
}

static char *image_id_cell(json_object *ra) {
        json_object *image, *id;

        if (!json_object_object_get_ex(ra, "image", &image) ||
            !json_object_object_get_ex(image, "id", &id) || !json_object_is_type(id, json_type_string))
                return strdup("-");
        /* "sha512-" and 12 hex digits, as rkt list --full shows image IDs. */
        return strndup(json_object_get_string(id), 19);
}

static char *time_cell(uint64_t t, bool full, uint64_t now) {
        if (t == 0)
                return strdup("");
        return full ? format_time_full(t) : format_time_ago(t, now);
}

static int add_rows(Table *t, const Pod *p, json_object *manifest, bool full, bool named, uint64_t now) {
        _cleanup_(pod_nets_done) PodNets nets = pod_nets(p);
        bool started_applies = p->state == POD_RUNNING || pod_state_is_after_run(p->state);
        size_t n_apps = pod_manifest_n_apps(manifest), ncol = (full ? 8 : 7) + named;
        char *uuid = full ? strdup(p->uuid) : strndup(p->uuid, 8);
        char *state = strdup(pod_state_to_string(p->state));
        char *created = time_cell(pod_created_time(p), full, now);
        char *started = time_cell(started_applies ? pod_started_time(p) : 0, full, now);
        char *networks = pod_nets_string(&nets);
        json_object *apps = NULL;
        int r = 0;

        json_object_object_get_ex(manifest, "apps", &apps);
        for (size_t i = 0; i < (n_apps ? n_apps : 1); i++) {
                json_object *ra = n_apps ? json_object_array_get_idx(apps, i) : NULL;
                const char *name = n_apps ? pod_manifest_app_name(manifest, i) : NULL;
                char *cells[9];
                size_t c = 0;

                /* The pod's own columns only on its first row; the other rows describe its other apps. */
                cells[c++] = i == 0 ? uuid : strdup("");
                cells[c++] = strdup(name ?: "-");
                cells[c++] = ra ? image_name(p, ra) : strdup("-");
                if (full)
                        cells[c++] = ra ? image_id_cell(ra) : strdup("-");
                cells[c++] = i == 0 ? state : strdup("");
                cells[c++] = i == 0 ? created : strdup("");
                cells[c++] = i == 0 ? started : strdup("");
                cells[c++] = i == 0 ? networks : strdup("");
                if (named) {
                        char *pod_name = NULL;
                        if (i > 0 || pod_name_read(p, &pod_name) < 0)
                                pod_name = strdup(i == 0 ? "-" : "");
                        cells[c++] = pod_name;
                }
                for (size_t k = 0; k < ncol; k++)
                        if (!cells[k] && r == 0)
                                r = -ENOMEM;
                if (table_add_row(t, cells) < 0)
                        r = -ENOMEM;
        }
        return r;
}

int verb_list(CliArgs *a) {
        _cleanup_error_ RktError *err = NULL;
        OutputFormat format = OUTPUT_TABLE;
        bool full = false, no_legend = false;
        uint64_t now = now_usec();
        Pod **pods = NULL;
        size_t n = 0;
        int r;

        r = output_listing_options(a, OPT_FULL, OPT_NO_LEGEND, OPT_FORMAT, &full, &no_legend, &format);
        if (r < 0)
                return r;

        r = pod_list(a->globals->dir, &pods, &n, &err);
        if (r < 0)
                return log_error_errno(r, "failed to get pod handles: %s", rkt_error_message(err, r));

        if (format != OUTPUT_TABLE) {
                _cleanup_(json_object_putp) json_object *arr = json_object_new_array();
                for (size_t i = 0; arr && i < n; i++) {
                        _cleanup_(json_object_putp) json_object *manifest = NULL;
                        _cleanup_(pod_nets_done) PodNets nets = {};
                        if (!listed(pods[i]->state))
                                continue;
                        if (pod_manifest_available(pods[i]))
                                (void) pod_manifest_json(pods[i], &manifest);
                        nets = pod_nets(pods[i]);
                        json_object_array_add(arr, pod_api_json(pods[i], manifest, &nets));
                }
                r = arr ? output_json(arr, format, stdout) : -ENOMEM;
        } else {
                /* rkt 1.30's columns, and the pods' names last when some pod has one (rkt run --name). */
                bool named = false;
                for (size_t i = 0; i < n && !named; i++) {
                        _cleanup_free_ char *pod_name = NULL;
                        named = listed(pods[i]->state) && pod_name_read(pods[i], &pod_name) >= 0;
                }
                _cleanup_(table_freep) Table *t = table_new((full ? 8 : 7) + named);
                r = t ? 0 : -ENOMEM;
                if (r >= 0 && !no_legend && named)
                        r = full ? table_add_rowv(t, "UUID", "APP", "IMAGE NAME", "IMAGE ID", "STATE",
                                                  "CREATED", "STARTED", "NETWORKS", "POD NAME")
                                 : table_add_rowv(t, "UUID", "APP", "IMAGE NAME", "STATE", "CREATED",
                                                  "STARTED", "NETWORKS", "POD NAME");
                else if (r >= 0 && !no_legend)
                        r = full ? table_add_rowv(t, "UUID", "APP", "IMAGE NAME", "IMAGE ID", "STATE",
                                                  "CREATED", "STARTED", "NETWORKS")
                                 : table_add_rowv(t, "UUID", "APP", "IMAGE NAME", "STATE", "CREATED",
                                                  "STARTED", "NETWORKS");
                for (size_t i = 0; r >= 0 && i < n; i++) {
                        _cleanup_(json_object_putp) json_object *manifest = NULL;
                        if (!listed(pods[i]->state))
                                continue;
                        if (pod_manifest_available(pods[i]) && pod_manifest_json(pods[i], &manifest) < 0) {
                                /* Removed since it was found, or being removed (rkt gc): nothing to warn
                                 * about. */
                                if (pod_refresh(pods[i]) < 0)
                                        continue;
                                if (pods[i]->state != POD_EXITED_DELETING && pods[i]->state != POD_DELETING)
                                        log_warning("Unable to read pod %s manifest", pods[i]->uuid);
                        }
                        r = add_rows(t, pods[i], manifest, full, named, now);
                }
                if (r >= 0)
                        table_print(t, stdout);
        }
        pods_free(pods, n);
        if (r < 0)
                return log_error_errno(r, "Failed to list pods: %m");
        return 0;
}
