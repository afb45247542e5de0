/* SPDX-License-Identifier: Apache-2.0 */
/* The appc ImageManifest (schema/image.go). */
#include "appc-internal.h"

#define IMAGE_MANIFEST_KIND "ImageManifest"

AppcImageManifest *appc_image_manifest_new(void) {
        AppcImageManifest *m = calloc(1, sizeof(*m));

        if (!m)
                return NULL;
        m->ac_version = strdup(APPC_SPEC_VERSION);
        if (!m->ac_version)
                return mfree(m);
        return m;
}

AppcImageManifest *appc_image_manifest_free(AppcImageManifest *m) {
        if (!m)
                return NULL;
        free(m->ac_version);
        free(m->name);
        appc_kv_array_free(m->labels, m->n_labels);
        appc_app_free(m->app);
        for (size_t i = 0; i < m->n_dependencies; i++) {
                free(m->dependencies[i].image_name);
                free(m->dependencies[i].image_id);
                appc_kv_array_free(m->dependencies[i].labels, m->dependencies[i].n_labels);
        }
        free(m->dependencies);
        strv_free(m->path_whitelist);
        appc_kv_array_free(m->annotations, m->n_annotations);
        free(m);
        return NULL;
}

static int dependencies_from_json(AppcImageManifest *m, json_object *v, RktError **reterr) {
        size_t len;
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_array, "dependencies", reterr);
        if (r < 0)
                return r;
        len = json_object_array_length(v);
        for (size_t i = 0; i < len; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                const char *p = APPC_PATH("dependencies[%zu]", i);
                AppcDependency *d;

                r = appc_json_expect(e, json_type_object, p, reterr);
                if (r < 0)
                        return r;
                d = appc_array_append(&m->dependencies, &m->n_dependencies, sizeof(*d));
                if (!d)
                        return -ENOMEM;
                r = appc_json_string(appc_json_member(e, "imageName"), APPC_PATH("%s.imageName", p),
                                     &d->image_name, reterr);
                if (r < 0)
                        return r;
                r = appc_json_string(appc_json_member(e, "imageID"), APPC_PATH("%s.imageID", p),
                                     &d->image_id, reterr);
                if (r < 0)
                        return r;
                r = appc_json_kv_array(appc_json_member(e, "labels"), APPC_PATH("%s.labels", p), &d->labels,
                                       &d->n_labels, reterr);
                if (r < 0)
                        return r;
                r = appc_json_uint64(appc_json_member(e, "size"), APPC_PATH("%s.size", p), &d->size, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

int appc_image_manifest_validate(const AppcImageManifest *m, RktError **reterr) {
        int r;

        r = appc_check_semver(m->ac_version, "acVersion", reterr);
        if (r < 0)
                return r;
        r = appc_check_ac_identifier(m->name, "name", reterr);
        if (r < 0)
                return r;
        r = appc_labels_validate(m->labels, m->n_labels, "", "labels", reterr);
        if (r < 0)
                return r;
        if (m->app) {
                r = appc_app_validate_at(m->app, "app.", reterr);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < m->n_dependencies; i++) {
                const AppcDependency *d = &m->dependencies[i];

                r = appc_check_ac_identifier(d->image_name, APPC_PATH("dependencies[%zu].imageName", i),
                                             reterr);
                if (r < 0)
                        return r;
                if (d->image_id) {
                        r = appc_check_image_id(d->image_id, APPC_PATH("dependencies[%zu].imageID", i),
                                                reterr);
                        if (r < 0)
                                return r;
                }
                r = appc_labels_validate(d->labels, d->n_labels, APPC_PATH("dependencies[%zu].", i),
                                         "labels", reterr);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; m->path_whitelist && m->path_whitelist[i]; i++) {
                r = appc_check_absolute_path(m->path_whitelist[i], APPC_PATH("pathWhitelist[%zu]", i),
                                             reterr);
                if (r < 0)
                        return r;
        }
        return appc_annotations_validate(m->annotations, m->n_annotations, "", "annotations", reterr);
}

int appc_image_manifest_parse(const char *json, size_t size, AppcImageManifest **ret, RktError **reterr) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *m = NULL;
        _cleanup_(json_object_putp) json_object *root = NULL;
        json_object *app;
        int r;

        r = appc_json_parse(json, size, "manifest", &root, reterr);
        if (r < 0)
                return r;
        r = appc_check_kind(root, IMAGE_MANIFEST_KIND, reterr);
        if (r < 0)
                return r;
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        r = appc_json_string(appc_json_member(root, "acVersion"), "acVersion", &m->ac_version, reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(root, "name"), "name", &m->name, reterr);
        if (r < 0)
                return r;
        r = appc_json_kv_array(appc_json_member(root, "labels"), "labels", &m->labels, &m->n_labels, reterr);
        if (r < 0)
                return r;
        app = appc_json_member(root, "app");
        if (app) {
                r = appc_app_from_json(app, "app", &m->app, reterr);
                if (r < 0)
                        return r;
        }
        r = appc_json_kv_array(appc_json_member(root, "annotations"), "annotations", &m->annotations,
                               &m->n_annotations, reterr);
        if (r < 0)
                return r;
        r = dependencies_from_json(m, appc_json_member(root, "dependencies"), reterr);
        if (r < 0)
                return r;
        r = appc_json_strv(appc_json_member(root, "pathWhitelist"), "pathWhitelist", &m->path_whitelist,
                           reterr);
        if (r < 0)
                return r;
        r = appc_image_manifest_validate(m, reterr);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

static int image_manifest_write(const AppcImageManifest *m, bool pretty, char **ret, RktError **reterr) {
        AppcJsonWriter w = {};
        int r;

        r = appc_image_manifest_validate(m, reterr);
        if (r < 0)
                return r;
        /* the order of the reference encoder */
        appc_jw_begin_object(&w);
        appc_jw_key(&w, "acKind");
        appc_jw_string(&w, IMAGE_MANIFEST_KIND);
        appc_jw_key(&w, "acVersion");
        appc_jw_string(&w, m->ac_version);
        appc_jw_key(&w, "name");
        appc_jw_string(&w, m->name);
        if (m->n_labels > 0) {
                appc_jw_key(&w, "labels");
                appc_jw_kv_array(&w, m->labels, m->n_labels);
        }
        if (m->app) {
                appc_jw_key(&w, "app");
                appc_jw_app(&w, m->app);
        }
        if (m->n_annotations > 0) {
                appc_jw_key(&w, "annotations");
                appc_jw_kv_array(&w, m->annotations, m->n_annotations);
        }
        if (m->n_dependencies > 0) {
                appc_jw_key(&w, "dependencies");
                appc_jw_begin_array(&w);
                for (size_t i = 0; i < m->n_dependencies; i++) {
                        const AppcDependency *d = &m->dependencies[i];

                        appc_jw_begin_object(&w);
                        appc_jw_key(&w, "imageName");
                        appc_jw_string(&w, d->image_name);
                        if (d->image_id) {
                                appc_jw_key(&w, "imageID");
                                appc_jw_string(&w, d->image_id);
                        }
                        if (d->n_labels > 0) {
                                appc_jw_key(&w, "labels");
                                appc_jw_kv_array(&w, d->labels, d->n_labels);
                        }
                        if (d->size > 0) {
                                appc_jw_key(&w, "size");
                                appc_jw_uint(&w, d->size);
                        }
                        appc_jw_end_object(&w);
                }
                appc_jw_end_array(&w);
        }
        if (m->path_whitelist && m->path_whitelist[0]) {
                appc_jw_key(&w, "pathWhitelist");
                appc_jw_strv(&w, m->path_whitelist);
        }
        appc_jw_end_object(&w);

        r = appc_jw_finish(&w, pretty, ret);
        appc_jw_done(&w);
        return r;
}

int appc_image_manifest_to_json(const AppcImageManifest *m, char **ret_json, RktError **reterr) {
        return image_manifest_write(m, false, ret_json, reterr);
}

int appc_image_manifest_to_json_pretty(const AppcImageManifest *m, char **ret_json, RktError **reterr) {
        return image_manifest_write(m, true, ret_json, reterr);
}

bool appc_image_manifest_equal(const AppcImageManifest *a, const AppcImageManifest *b) {
        if (!a || !b)
                return a == b;
        if (!streq_ptr(a->ac_version, b->ac_version) || !streq_ptr(a->name, b->name) ||
            !appc_kv_array_equal(a->labels, a->n_labels, b->labels, b->n_labels) ||
            !appc_app_equal(a->app, b->app) || !appc_strv_equal(a->path_whitelist, b->path_whitelist) ||
            !appc_kv_array_equal(a->annotations, a->n_annotations, b->annotations, b->n_annotations) ||
            a->n_dependencies != b->n_dependencies)
                return false;
        for (size_t i = 0; i < a->n_dependencies; i++) {
                const AppcDependency *x = &a->dependencies[i], *y = &b->dependencies[i];

                if (!streq_ptr(x->image_name, y->image_name) || !streq_ptr(x->image_id, y->image_id) ||
                    !appc_kv_array_equal(x->labels, x->n_labels, y->labels, y->n_labels) ||
                    x->size != y->size)
                        return false;
        }
        return true;
}
