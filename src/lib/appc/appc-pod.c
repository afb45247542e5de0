/* SPDX-License-Identifier: Apache-2.0 */
/* The appc PodManifest (schema/pod.go): its runtime apps, exposed ports and the manifest itself. */
#include <inttypes.h>

#include "appc-internal.h"
#include "util.h"

#define POD_MANIFEST_KIND "PodManifest"

/* --- the tables, in the order of the reference encoder --- */

static const JsonField runtime_image_fields[] = {
        JSON_FIELD("name", STRING, AppcRuntimeImage, name, .flags = JSON_OMITEMPTY),
        JSON_FIELD("id", STRING, AppcRuntimeImage, id),
        JSON_LIST("labels", KV_ARRAY, AppcRuntimeImage, labels, .flags = JSON_OMITEMPTY),
        {},
};

static const JsonTable runtime_image_type = {.size = sizeof(AppcRuntimeImage),
                                             .fields = runtime_image_fields};

static const JsonField mount_fields[] = {
        JSON_FIELD("volume", STRING, AppcMount, volume),
        JSON_FIELD("path", STRING, AppcMount, path),
        JSON_FIELD("appVolume", OBJECT_PTR, AppcMount, app_volume, .elem = &appc_volume_type),
        {},
};

static const JsonTable mount_type = {.size = sizeof(AppcMount), .fields = mount_fields};

static const JsonField runtime_app_fields[] = {
        JSON_FIELD("name", STRING, AppcRuntimeApp, name),
        JSON_FIELD("image", OBJECT, AppcRuntimeApp, image, .flags = JSON_REQUIRED,
                   .elem = &runtime_image_type),
        JSON_FIELD("app", OBJECT_PTR, AppcRuntimeApp, app, .elem = &appc_app_type),
        JSON_FIELD("readOnlyRootFS", BOOL, AppcRuntimeApp, read_only_root_fs, .flags = JSON_OMITEMPTY),
        JSON_LIST("mounts", ARRAY, AppcRuntimeApp, mounts, .flags = JSON_OMITEMPTY, .elem = &mount_type),
        JSON_LIST("annotations", KV_ARRAY, AppcRuntimeApp, annotations, .flags = JSON_OMITEMPTY),
        {},
};

static const JsonTable runtime_app_type = {.size = sizeof(AppcRuntimeApp), .fields = runtime_app_fields};

static const JsonField exposed_port_fields[] = {
        JSON_FIELD("name", STRING, AppcExposedPort, name),
        JSON_FIELD("hostPort", UINT, AppcExposedPort, host_port, .max = 65535),
        JSON_FIELD("hostIP", STRING, AppcExposedPort, host_ip, .flags = JSON_OMITEMPTY | JSON_EMPTY_IS_NULL),
        JSON_FIELD("podPort", OBJECT_PTR, AppcExposedPort, pod_port, .elem = &appc_port_type),
        {},
};

static const JsonTable exposed_port_type = {.size = sizeof(AppcExposedPort), .fields = exposed_port_fields};

/* The pod-level lists are never left out (see appc_pod_manifest_to_json()). */
static const JsonField pod_manifest_fields[] = {
        JSON_FIELD("acVersion", STRING, AppcPodManifest, ac_version),
        {.key = "acKind", .type = JSON_FIELD_CONST, .constant = POD_MANIFEST_KIND},
        JSON_LIST("apps", ARRAY, AppcPodManifest, apps, .elem = &runtime_app_type),
        JSON_LIST("volumes", ARRAY, AppcPodManifest, volumes, .elem = &appc_volume_type),
        JSON_LIST("isolators", CUSTOM, AppcPodManifest, isolators, .ops = &appc_isolators_ops),
        JSON_LIST("annotations", KV_ARRAY, AppcPodManifest, annotations),
        JSON_LIST("ports", ARRAY, AppcPodManifest, ports, .elem = &exposed_port_type),
        JSON_LIST("userAnnotations", KV_MAP, AppcPodManifest, user_annotations, .flags = JSON_OMITEMPTY),
        JSON_LIST("userLabels", KV_MAP, AppcPodManifest, user_labels, .flags = JSON_OMITEMPTY),
        {},
};

static int pod_manifest_validate(const void *p, RktError **reterr) {
        return appc_pod_manifest_validate(p, reterr);
}

static const JsonTable pod_manifest_type = {
        .size = sizeof(AppcPodManifest), .fields = pod_manifest_fields, .validate = pod_manifest_validate};

/* --- runtime apps --- */

void appc_runtime_app_done(AppcRuntimeApp *ra) {
        json_table_done(&runtime_app_type, ra);
}

int appc_runtime_app_init(AppcRuntimeApp *ra, const char *name, const char *image_id, const char *image_name,
                          const AppcApp *app) {
        AppcRuntimeApp c = {};
        int r;

        c.name = strdup(name);
        c.image.id = strdup(image_id);
        c.image.name = image_name ? strdup(image_name) : NULL;
        if (!c.name || !c.image.id || (image_name && !c.image.name)) {
                appc_runtime_app_done(&c);
                return -ENOMEM;
        }
        if (app) {
                r = appc_app_copy(app, &c.app);
                if (r < 0) {
                        appc_runtime_app_done(&c);
                        return r;
                }
        }
        *ra = c;
        return 0;
}

int appc_runtime_app_add_mount(AppcRuntimeApp *ra, const char *volume, const char *path) {
        _cleanup_free_ char *v = NULL, *p = NULL;
        AppcMount *m;

        v = strdup(volume);
        p = strdup(path);
        if (!v || !p)
                return -ENOMEM;
        m = array_append_zero(&ra->mounts, &ra->n_mounts, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->volume = TAKE_PTR(v);
        m->path = TAKE_PTR(p);
        return 0;
}

static int runtime_app_validate(const AppcRuntimeApp *ra, const AppcPath *prefix, RktError **reterr) {
        int r;

        r = appc_check_ac_name(ra->name, APPC_PATH(prefix, "name"), reterr);
        if (r < 0)
                return r;
        if (ra->image.name) {
                r = appc_check_ac_identifier(ra->image.name, APPC_PATH(prefix, "image.name"), reterr);
                if (r < 0)
                        return r;
        }
        r = appc_check_image_id(ra->image.id, APPC_PATH(prefix, "image.id"), reterr);
        if (r < 0)
                return r;
        r = appc_labels_validate(ra->image.labels, ra->image.n_labels, APPC_PATH(prefix, "image."), "labels",
                                 reterr);
        if (r < 0)
                return r;
        if (ra->app) {
                r = appc_app_validate_at(ra->app, APPC_PATH(prefix, "app."), reterr);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ra->n_mounts; i++) {
                const AppcMount *m = &ra->mounts[i];

                r = appc_check_ac_name(m->volume, APPC_PATH_AT(prefix, "mounts", i, ".volume"), reterr);
                if (r < 0)
                        return r;
                r = appc_check_set(m->path, APPC_PATH_AT(prefix, "mounts", i, ".path"), reterr);
                if (r < 0)
                        return r;
                if (m->app_volume) {
                        r = appc_volume_validate(m->app_volume,
                                                 APPC_PATH_AT(prefix, "mounts", i, ".appVolume."), reterr);
                        if (r < 0)
                                return r;
                }
        }
        return appc_annotations_validate(ra->annotations, ra->n_annotations, prefix, "annotations", reterr);
}

/* --- exposed ports --- */

static int exposed_port_validate(const AppcExposedPort *p, const AppcPath *prefix, RktError **reterr) {
        int r;

        r = appc_check_ac_name(p->name, APPC_PATH(prefix, "name"), reterr);
        if (r < 0)
                return r;
        if (p->host_port > 65535)
                return json_fail(reterr, "%shostPort: must be between 0 and 65535, got %u",
                                 APPC_PATH_TEXT(prefix), p->host_port);
        if (p->host_ip && !appc_ip_valid(p->host_ip))
                return json_fail(reterr, "%shostIP %s: not a valid IP address", APPC_PATH_TEXT(prefix),
                                 JSON_QUOTE(p->host_ip));
        if (p->pod_port)
                return appc_port_validate(p->pod_port, APPC_PATH(prefix, "podPort."), reterr);
        return 0;
}

/* --- the pod manifest --- */

int appc_pod_manifest_validate(const AppcPodManifest *m, RktError **reterr) {
        int r;

        r = appc_check_semver(m->ac_version, APPC_PATH(NULL, "acVersion"), reterr);
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_apps; i++) {
                const AppcPath *prefix = APPC_PATH_AT(NULL, "apps", i, ".");

                r = runtime_app_validate(&m->apps[i], prefix, reterr);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < i; j++)
                        if (streq(m->apps[i].name, m->apps[j].name))
                                return json_fail(reterr, "%sname %s: duplicate app name",
                                                 APPC_PATH_TEXT(prefix), JSON_QUOTE(m->apps[i].name));
        }
        for (size_t i = 0; i < m->n_volumes; i++) {
                const AppcPath *prefix = APPC_PATH_AT(NULL, "volumes", i, ".");

                r = appc_volume_validate(&m->volumes[i], prefix, reterr);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < i; j++)
                        if (streq(m->volumes[i].name, m->volumes[j].name))
                                return json_fail(reterr, "%sname %s: duplicate volume name",
                                                 APPC_PATH_TEXT(prefix), JSON_QUOTE(m->volumes[i].name));
        }
        r = appc_isolators_validate(m->isolators, m->n_isolators, NULL, false, reterr);
        if (r < 0)
                return r;
        r = appc_annotations_validate(m->annotations, m->n_annotations, NULL, "annotations", reterr);
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_ports; i++) {
                r = exposed_port_validate(&m->ports[i], APPC_PATH_AT(NULL, "ports", i, "."), reterr);
                if (r < 0)
                        return r;
        }
        r = appc_user_kv_validate(m->user_annotations, m->n_user_annotations, NULL, "userAnnotations",
                                  reterr);
        if (r < 0)
                return r;
        return appc_user_kv_validate(m->user_labels, m->n_user_labels, NULL, "userLabels", reterr);
}

APPC_DEFINE_DOCUMENT(pod_manifest, AppcPodManifest, "pod manifest", pod_manifest_type);

const AppcRuntimeApp *appc_pod_manifest_get_app(const AppcPodManifest *m, const char *name) {
        for (size_t i = 0; i < m->n_apps; i++)
                if (streq_ptr(m->apps[i].name, name))
                        return &m->apps[i];
        return NULL;
}

const AppcVolume *appc_pod_manifest_get_volume(const AppcPodManifest *m, const char *name) {
        for (size_t i = 0; i < m->n_volumes; i++)
                if (streq_ptr(m->volumes[i].name, name))
                        return &m->volumes[i];
        return NULL;
}

/* --- building --- */

int appc_pod_manifest_add_app(AppcPodManifest *m, AppcRuntimeApp *ra, RktError **reterr) {
        AppcRuntimeApp *e;
        const AppcPath *prefix = APPC_PATH_AT(NULL, "apps", m->n_apps, ".");
        int r;

        r = runtime_app_validate(ra, prefix, reterr);
        if (r < 0)
                return r;
        if (appc_pod_manifest_get_app(m, ra->name))
                return json_fail(reterr, "%sname %s: duplicate app name", APPC_PATH_TEXT(prefix),
                                 JSON_QUOTE(ra->name));
        e = array_append_zero(&m->apps, &m->n_apps, sizeof(*e));
        if (!e)
                return -ENOMEM;
        *e = *ra;
        *ra = (AppcRuntimeApp){};
        return 0;
}

int appc_pod_manifest_add_volume(AppcPodManifest *m, const AppcVolume *v, RktError **reterr) {
        const AppcPath *prefix = APPC_PATH_AT(NULL, "volumes", m->n_volumes, ".");
        AppcVolume c, *e;
        int r;

        r = appc_volume_validate(v, prefix, reterr);
        if (r < 0)
                return r;
        if (appc_pod_manifest_get_volume(m, v->name))
                return json_fail(reterr, "%sname %s: duplicate volume name", APPC_PATH_TEXT(prefix),
                                 JSON_QUOTE(v->name));
        r = appc_volume_copy(v, &c);
        if (r < 0)
                return r;
        e = array_append_zero(&m->volumes, &m->n_volumes, sizeof(*e));
        if (!e) {
                appc_volume_done(&c);
                return -ENOMEM;
        }
        *e = c;
        return 0;
}

int appc_pod_manifest_add_port(AppcPodManifest *m, const char *name, unsigned host_port, const char *host_ip,
                               RktError **reterr) {
        AppcExposedPort p = {}, *e;
        int r;

        p.name = strdup(name);
        p.host_port = host_port;
        p.host_ip = host_ip ? strdup(host_ip) : NULL;
        if (!p.name || (host_ip && !p.host_ip)) {
                json_table_done(&exposed_port_type, &p);
                return -ENOMEM;
        }
        r = exposed_port_validate(&p, APPC_PATH_AT(NULL, "ports", m->n_ports, "."), reterr);
        if (r < 0) {
                json_table_done(&exposed_port_type, &p);
                return r;
        }
        e = array_append_zero(&m->ports, &m->n_ports, sizeof(*e));
        if (!e) {
                json_table_done(&exposed_port_type, &p);
                return -ENOMEM;
        }
        *e = p;
        return 0;
}
