/* SPDX-License-Identifier: Apache-2.0 */
/* The appc PodManifest (schema/pod.go): its runtime apps, exposed ports and the manifest itself. */
#include <inttypes.h>

#include "appc-internal.h"
#include "util.h"

#define POD_MANIFEST_KIND "PodManifest"

/* --- the tables, in the order of the reference encoder --- */

static const AppcField runtime_image_fields[] = {
        APPC_FIELD("name", STRING, AppcRuntimeImage, name, .flags = APPC_OMITEMPTY),
        APPC_FIELD("id", STRING, AppcRuntimeImage, id),
        APPC_LIST("labels", KV_ARRAY, AppcRuntimeImage, labels, .flags = APPC_OMITEMPTY),
        {},
};

static const AppcType runtime_image_type = {.size = sizeof(AppcRuntimeImage),
                                            .fields = runtime_image_fields};

static const AppcField mount_fields[] = {
        APPC_FIELD("volume", STRING, AppcMount, volume),
        APPC_FIELD("path", STRING, AppcMount, path),
        APPC_FIELD("appVolume", OBJECT_PTR, AppcMount, app_volume, .elem = &appc_volume_type),
        {},
};

static const AppcType mount_type = {.size = sizeof(AppcMount), .fields = mount_fields};

static const AppcField runtime_app_fields[] = {
        APPC_FIELD("name", STRING, AppcRuntimeApp, name),
        APPC_FIELD("image", OBJECT, AppcRuntimeApp, image, .flags = APPC_REQUIRED,
                   .elem = &runtime_image_type),
        APPC_FIELD("app", OBJECT_PTR, AppcRuntimeApp, app, .elem = &appc_app_type),
        APPC_FIELD("readOnlyRootFS", BOOL, AppcRuntimeApp, read_only_root_fs, .flags = APPC_OMITEMPTY),
        APPC_LIST("mounts", ARRAY, AppcRuntimeApp, mounts, .flags = APPC_OMITEMPTY, .elem = &mount_type),
        APPC_LIST("annotations", KV_ARRAY, AppcRuntimeApp, annotations, .flags = APPC_OMITEMPTY),
        {},
};

static const AppcType runtime_app_type = {.size = sizeof(AppcRuntimeApp), .fields = runtime_app_fields};

static const AppcField exposed_port_fields[] = {
        APPC_FIELD("name", STRING, AppcExposedPort, name),
        APPC_FIELD("hostPort", UINT, AppcExposedPort, host_port, .max = 65535),
        APPC_FIELD("hostIP", STRING, AppcExposedPort, host_ip, .flags = APPC_OMITEMPTY | APPC_EMPTY_IS_NULL),
        APPC_FIELD("podPort", OBJECT_PTR, AppcExposedPort, pod_port, .elem = &appc_port_type),
        {},
};

static const AppcType exposed_port_type = {.size = sizeof(AppcExposedPort), .fields = exposed_port_fields};

/* The pod-level lists are never left out (see appc_pod_manifest_to_json()). */
static const AppcField pod_manifest_fields[] = {
        APPC_FIELD("acVersion", STRING, AppcPodManifest, ac_version),
        {.key = "acKind", .type = APPC_FIELD_KIND, .kind = POD_MANIFEST_KIND},
        APPC_LIST("apps", ARRAY, AppcPodManifest, apps, .elem = &runtime_app_type),
        APPC_LIST("volumes", ARRAY, AppcPodManifest, volumes, .elem = &appc_volume_type),
        APPC_LIST("isolators", ISOLATORS, AppcPodManifest, isolators),
        APPC_LIST("annotations", KV_ARRAY, AppcPodManifest, annotations),
        APPC_LIST("ports", ARRAY, AppcPodManifest, ports, .elem = &exposed_port_type),
        APPC_LIST("userAnnotations", KV_MAP, AppcPodManifest, user_annotations, .flags = APPC_OMITEMPTY),
        APPC_LIST("userLabels", KV_MAP, AppcPodManifest, user_labels, .flags = APPC_OMITEMPTY),
        {},
};

static int pod_manifest_validate(const void *p, RktError **reterr) {
        return appc_pod_manifest_validate(p, reterr);
}

static const AppcType pod_manifest_type = {
        .size = sizeof(AppcPodManifest), .fields = pod_manifest_fields, .validate = pod_manifest_validate};

/* --- runtime apps --- */

void appc_runtime_app_done(AppcRuntimeApp *ra) {
        appc_type_done(&runtime_app_type, ra);
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
        m = appc_array_append(&ra->mounts, &ra->n_mounts, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->volume = TAKE_PTR(v);
        m->path = TAKE_PTR(p);
        return 0;
}

static int runtime_app_validate(const AppcRuntimeApp *ra, const char *prefix, RktError **reterr) {
        int r;

        r = appc_check_ac_name(ra->name, APPC_PATH("%sname", prefix), reterr);
        if (r < 0)
                return r;
        if (ra->image.name) {
                r = appc_check_ac_identifier(ra->image.name, APPC_PATH("%simage.name", prefix), reterr);
                if (r < 0)
                        return r;
        }
        r = appc_check_image_id(ra->image.id, APPC_PATH("%simage.id", prefix), reterr);
        if (r < 0)
                return r;
        r = appc_labels_validate(ra->image.labels, ra->image.n_labels, APPC_PATH("%simage.", prefix),
                                 "labels", reterr);
        if (r < 0)
                return r;
        if (ra->app) {
                r = appc_app_validate_at(ra->app, APPC_PATH("%sapp.", prefix), reterr);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ra->n_mounts; i++) {
                const AppcMount *m = &ra->mounts[i];

                r = appc_check_ac_name(m->volume, APPC_PATH("%smounts[%zu].volume", prefix, i), reterr);
                if (r < 0)
                        return r;
                r = appc_check_set(m->path, APPC_PATH("%smounts[%zu].path", prefix, i), reterr);
                if (r < 0)
                        return r;
                if (m->app_volume) {
                        r = appc_volume_validate(m->app_volume,
                                                 APPC_PATH("%smounts[%zu].appVolume.", prefix, i), reterr);
                        if (r < 0)
                                return r;
                }
        }
        return appc_annotations_validate(ra->annotations, ra->n_annotations, prefix, "annotations", reterr);
}

/* --- exposed ports --- */

static int exposed_port_validate(const AppcExposedPort *p, const char *prefix, RktError **reterr) {
        int r;

        r = appc_check_ac_name(p->name, APPC_PATH("%sname", prefix), reterr);
        if (r < 0)
                return r;
        if (p->host_port > 65535)
                return appc_fail(reterr, "%shostPort: must be between 0 and 65535, got %u", prefix,
                                 p->host_port);
        if (p->host_ip && !appc_ip_valid(p->host_ip))
                return appc_fail(reterr, "%shostIP %s: not a valid IP address", prefix,
                                 APPC_QUOTE(p->host_ip));
        if (p->pod_port)
                return appc_port_validate(p->pod_port, APPC_PATH("%spodPort.", prefix), reterr);
        return 0;
}

/* --- the pod manifest --- */

int appc_pod_manifest_validate(const AppcPodManifest *m, RktError **reterr) {
        int r;

        r = appc_check_semver(m->ac_version, "acVersion", reterr);
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_apps; i++) {
                const char *prefix = APPC_PATH("apps[%zu].", i);

                r = runtime_app_validate(&m->apps[i], prefix, reterr);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < i; j++)
                        if (streq(m->apps[i].name, m->apps[j].name))
                                return appc_fail(reterr, "%sname %s: duplicate app name", prefix,
                                                 APPC_QUOTE(m->apps[i].name));
        }
        for (size_t i = 0; i < m->n_volumes; i++) {
                const char *prefix = APPC_PATH("volumes[%zu].", i);

                r = appc_volume_validate(&m->volumes[i], prefix, reterr);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < i; j++)
                        if (streq(m->volumes[i].name, m->volumes[j].name))
                                return appc_fail(reterr, "%sname %s: duplicate volume name", prefix,
                                                 APPC_QUOTE(m->volumes[i].name));
        }
        r = appc_isolators_validate(m->isolators, m->n_isolators, "", false, reterr);
        if (r < 0)
                return r;
        r = appc_annotations_validate(m->annotations, m->n_annotations, "", "annotations", reterr);
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_ports; i++) {
                r = exposed_port_validate(&m->ports[i], APPC_PATH("ports[%zu].", i), reterr);
                if (r < 0)
                        return r;
        }
        r = appc_user_kv_validate(m->user_annotations, m->n_user_annotations, "", "userAnnotations", reterr);
        if (r < 0)
                return r;
        return appc_user_kv_validate(m->user_labels, m->n_user_labels, "", "userLabels", reterr);
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
        const char *prefix = APPC_PATH("apps[%zu].", m->n_apps);
        int r;

        r = runtime_app_validate(ra, prefix, reterr);
        if (r < 0)
                return r;
        if (appc_pod_manifest_get_app(m, ra->name))
                return appc_fail(reterr, "%sname %s: duplicate app name", prefix, APPC_QUOTE(ra->name));
        e = appc_array_append(&m->apps, &m->n_apps, sizeof(*e));
        if (!e)
                return -ENOMEM;
        *e = *ra;
        *ra = (AppcRuntimeApp){};
        return 0;
}

int appc_pod_manifest_add_volume(AppcPodManifest *m, const AppcVolume *v, RktError **reterr) {
        const char *prefix = APPC_PATH("volumes[%zu].", m->n_volumes);
        AppcVolume c, *e;
        int r;

        r = appc_volume_validate(v, prefix, reterr);
        if (r < 0)
                return r;
        if (appc_pod_manifest_get_volume(m, v->name))
                return appc_fail(reterr, "%sname %s: duplicate volume name", prefix, APPC_QUOTE(v->name));
        r = appc_volume_copy(v, &c);
        if (r < 0)
                return r;
        e = appc_array_append(&m->volumes, &m->n_volumes, sizeof(*e));
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
                appc_type_done(&exposed_port_type, &p);
                return -ENOMEM;
        }
        r = exposed_port_validate(&p, APPC_PATH("ports[%zu].", m->n_ports), reterr);
        if (r < 0) {
                appc_type_done(&exposed_port_type, &p);
                return r;
        }
        e = appc_array_append(&m->ports, &m->n_ports, sizeof(*e));
        if (!e) {
                appc_type_done(&exposed_port_type, &p);
                return -ENOMEM;
        }
        *e = p;
        return 0;
}
