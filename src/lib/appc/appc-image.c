/* SPDX-License-Identifier: Apache-2.0 */
/* The appc ImageManifest (schema/image.go). */
#include "appc-internal.h"

#define IMAGE_MANIFEST_KIND "ImageManifest"

static const JsonField dependency_fields[] = {
        JSON_FIELD("imageName", STRING, AppcDependency, image_name),
        JSON_FIELD("imageID", STRING, AppcDependency, image_id, .flags = JSON_OMITEMPTY),
        JSON_LIST("labels", KV_ARRAY, AppcDependency, labels, .flags = JSON_OMITEMPTY),
        JSON_FIELD("size", UINT64, AppcDependency, size, .flags = JSON_OMITEMPTY),
        {},
};

static const JsonTable dependency_type = {.size = sizeof(AppcDependency), .fields = dependency_fields};

/* the order of the reference encoder */
static const JsonField image_manifest_fields[] = {
        {.key = "acKind", .type = JSON_FIELD_CONST, .constant = IMAGE_MANIFEST_KIND},
        JSON_FIELD("acVersion", STRING, AppcImageManifest, ac_version),
        JSON_FIELD("name", STRING, AppcImageManifest, name),
        JSON_LIST("labels", KV_ARRAY, AppcImageManifest, labels, .flags = JSON_OMITEMPTY),
        JSON_FIELD("app", OBJECT_PTR, AppcImageManifest, app, .elem = &appc_app_type),
        JSON_LIST("annotations", KV_ARRAY, AppcImageManifest, annotations, .flags = JSON_OMITEMPTY),
        JSON_LIST("dependencies", ARRAY, AppcImageManifest, dependencies, .flags = JSON_OMITEMPTY,
                  .elem = &dependency_type),
        JSON_FIELD("pathWhitelist", STRV, AppcImageManifest, path_whitelist, .flags = JSON_OMITEMPTY),
        {},
};

static int image_manifest_validate(const void *p, RktError **reterr) {
        return appc_image_manifest_validate(p, reterr);
}

static const JsonTable image_manifest_type = {.size = sizeof(AppcImageManifest),
                                              .fields = image_manifest_fields,
                                              .validate = image_manifest_validate};

int appc_image_manifest_validate(const AppcImageManifest *m, RktError **reterr) {
        int r;

        r = appc_check_semver(m->ac_version, APPC_PATH(NULL, "acVersion"), reterr);
        if (r < 0)
                return r;
        r = appc_check_ac_identifier(m->name, APPC_PATH(NULL, "name"), reterr);
        if (r < 0)
                return r;
        r = appc_labels_validate(m->labels, m->n_labels, NULL, "labels", reterr);
        if (r < 0)
                return r;
        if (m->app) {
                r = appc_app_validate_at(m->app, APPC_PATH(NULL, "app."), reterr);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < m->n_dependencies; i++) {
                const AppcDependency *d = &m->dependencies[i];

                r = appc_check_ac_identifier(d->image_name,
                                             APPC_PATH_AT(NULL, "dependencies", i, ".imageName"), reterr);
                if (r < 0)
                        return r;
                if (d->image_id) {
                        r = appc_check_image_id(d->image_id,
                                                APPC_PATH_AT(NULL, "dependencies", i, ".imageID"), reterr);
                        if (r < 0)
                                return r;
                }
                r = appc_labels_validate(d->labels, d->n_labels, APPC_PATH_AT(NULL, "dependencies", i, "."),
                                         "labels", reterr);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; m->path_whitelist && m->path_whitelist[i]; i++) {
                r = appc_check_absolute_path(m->path_whitelist[i],
                                             APPC_PATH_AT(NULL, "pathWhitelist", i, NULL), reterr);
                if (r < 0)
                        return r;
        }
        return appc_annotations_validate(m->annotations, m->n_annotations, NULL, "annotations", reterr);
}

APPC_DEFINE_DOCUMENT(image_manifest, AppcImageManifest, "manifest", image_manifest_type);
