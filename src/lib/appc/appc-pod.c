/* SPDX-License-Identifier: Apache-2.0 */
/* The appc PodManifest (schema/pod.go): its runtime apps, exposed ports and the manifest itself. */
#include <inttypes.h>

#include "appc-internal.h"
#include "util.h"

#define POD_MANIFEST_KIND "PodManifest"

/* --- runtime apps --- */

void appc_runtime_app_done(AppcRuntimeApp *ra) {
        free(ra->name);
        free(ra->image.name);
        free(ra->image.id);
        appc_kv_array_free(ra->image.labels, ra->image.n_labels);
        appc_app_free(ra->app);
        for (size_t i = 0; i < ra->n_mounts; i++) {
                free(ra->mounts[i].volume);
                free(ra->mounts[i].path);
                if (ra->mounts[i].app_volume) {
                        appc_volume_done(ra->mounts[i].app_volume);
                        free(ra->mounts[i].app_volume);
                }
        }
        free(ra->mounts);
        appc_kv_array_free(ra->annotations, ra->n_annotations);
        *ra = (AppcRuntimeApp){};
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

static int mounts_from_json(AppcRuntimeApp *ra, json_object *v, const char *path, RktError **reterr) {
        size_t len;
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_array, path, reterr);
        if (r < 0)
                return r;
        len = json_object_array_length(v);
        for (size_t i = 0; i < len; i++) {
                json_object *e = json_object_array_get_idx(v, i), *av;
                const char *p = APPC_PATH("%s[%zu]", path, i);
                AppcMount *m;

                r = appc_json_expect(e, json_type_object, p, reterr);
                if (r < 0)
                        return r;
                m = appc_array_append(&ra->mounts, &ra->n_mounts, sizeof(*m));
                if (!m)
                        return -ENOMEM;
                r = appc_json_string(appc_json_member(e, "volume"), APPC_PATH("%s.volume", p), &m->volume,
                                     reterr);
                if (r < 0)
                        return r;
                r = appc_json_string(appc_json_member(e, "path"), APPC_PATH("%s.path", p), &m->path, reterr);
                if (r < 0)
                        return r;
                av = appc_json_member(e, "appVolume");
                if (av) {
                        AppcVolume vol;

                        r = appc_volume_from_json(av, APPC_PATH("%s.appVolume", p), &vol, reterr);
                        if (r < 0)
                                return r;
                        m->app_volume = malloc(sizeof(AppcVolume));
                        if (!m->app_volume) {
                                appc_volume_done(&vol);
                                return -ENOMEM;
                        }
                        *m->app_volume = vol;
                }
        }
        return 0;
}

static int runtime_app_from_json(json_object *v, const char *path, AppcRuntimeApp *ra, RktError **reterr) {
        json_object *image, *app;
        int r;

        r = appc_json_expect(v, json_type_object, path, reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(v, "name"), APPC_PATH("%s.name", path), &ra->name, reterr);
        if (r < 0)
                return r;
        image = appc_json_member(v, "image");
        if (!image)
                return appc_fail(reterr, "%s.image: must be set", path);
        r = appc_json_expect(image, json_type_object, APPC_PATH("%s.image", path), reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(image, "name"), APPC_PATH("%s.image.name", path),
                             &ra->image.name, reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(image, "id"), APPC_PATH("%s.image.id", path), &ra->image.id,
                             reterr);
        if (r < 0)
                return r;
        r = appc_json_kv_array(appc_json_member(image, "labels"), APPC_PATH("%s.image.labels", path),
                               &ra->image.labels, &ra->image.n_labels, reterr);
        if (r < 0)
                return r;
        app = appc_json_member(v, "app");
        if (app) {
                r = appc_app_from_json(app, APPC_PATH("%s.app", path), &ra->app, reterr);
                if (r < 0)
                        return r;
        }
        r = appc_json_bool(appc_json_member(v, "readOnlyRootFS"), APPC_PATH("%s.readOnlyRootFS", path),
                           &ra->read_only_root_fs, reterr);
        if (r < 0)
                return r;
        r = mounts_from_json(ra, appc_json_member(v, "mounts"), APPC_PATH("%s.mounts", path), reterr);
        if (r < 0)
                return r;
        return appc_json_kv_array(appc_json_member(v, "annotations"), APPC_PATH("%s.annotations", path),
                                  &ra->annotations, &ra->n_annotations, reterr);
}

static void jw_runtime_app(AppcJsonWriter *w, const AppcRuntimeApp *ra) {
        appc_jw_begin_object(w);
        appc_jw_key(w, "name");
        appc_jw_string(w, ra->name);
        appc_jw_key(w, "image");
        appc_jw_begin_object(w);
        if (ra->image.name) {
                appc_jw_key(w, "name");
                appc_jw_string(w, ra->image.name);
        }
        appc_jw_key(w, "id");
        appc_jw_string(w, ra->image.id);
        if (ra->image.n_labels > 0) {
                appc_jw_key(w, "labels");
                appc_jw_kv_array(w, ra->image.labels, ra->image.n_labels);
        }
        appc_jw_end_object(w);
        if (ra->app) {
                appc_jw_key(w, "app");
                appc_jw_app(w, ra->app);
        }
        if (ra->read_only_root_fs) {
                appc_jw_key(w, "readOnlyRootFS");
                appc_jw_bool(w, true);
        }
        if (ra->n_mounts > 0) {
                appc_jw_key(w, "mounts");
                appc_jw_begin_array(w);
                for (size_t i = 0; i < ra->n_mounts; i++) {
                        appc_jw_begin_object(w);
                        appc_jw_key(w, "volume");
                        appc_jw_string(w, ra->mounts[i].volume);
                        appc_jw_key(w, "path");
                        appc_jw_string(w, ra->mounts[i].path);
                        if (ra->mounts[i].app_volume) {
                                appc_jw_key(w, "appVolume");
                                appc_jw_volume(w, ra->mounts[i].app_volume);
                        }
                        appc_jw_end_object(w);
                }
                appc_jw_end_array(w);
        }
        if (ra->n_annotations > 0) {
                appc_jw_key(w, "annotations");
                appc_jw_kv_array(w, ra->annotations, ra->n_annotations);
        }
        appc_jw_end_object(w);
}

static bool runtime_app_equal(const AppcRuntimeApp *a, const AppcRuntimeApp *b) {
        if (!streq_ptr(a->name, b->name) || !streq_ptr(a->image.name, b->image.name) ||
            !streq_ptr(a->image.id, b->image.id) ||
            !appc_kv_array_equal(a->image.labels, a->image.n_labels, b->image.labels, b->image.n_labels) ||
            !appc_app_equal(a->app, b->app) || a->read_only_root_fs != b->read_only_root_fs ||
            !appc_kv_array_equal(a->annotations, a->n_annotations, b->annotations, b->n_annotations) ||
            a->n_mounts != b->n_mounts)
                return false;
        for (size_t i = 0; i < a->n_mounts; i++)
                if (!streq_ptr(a->mounts[i].volume, b->mounts[i].volume) ||
                    !streq_ptr(a->mounts[i].path, b->mounts[i].path) ||
                    !appc_volume_equal(a->mounts[i].app_volume, b->mounts[i].app_volume))
                        return false;
        return true;
}

/* --- exposed ports --- */

static void exposed_port_done(AppcExposedPort *p) {
        free(p->name);
        free(p->host_ip);
        if (p->pod_port) {
                appc_port_done(p->pod_port);
                free(p->pod_port);
        }
        *p = (AppcExposedPort){};
}

static int exposed_port_from_json(json_object *v, const char *path, AppcExposedPort *p, RktError **reterr) {
        json_object *pp;
        int64_t hp = 0;
        int r;

        r = appc_json_expect(v, json_type_object, path, reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(v, "name"), APPC_PATH("%s.name", path), &p->name, reterr);
        if (r < 0)
                return r;
        r = appc_json_int(appc_json_member(v, "hostPort"), APPC_PATH("%s.hostPort", path), 0, 65535, &hp,
                          reterr);
        if (r < 0)
                return r;
        p->host_port = (unsigned) hp;
        r = appc_json_string(appc_json_member(v, "hostIP"), APPC_PATH("%s.hostIP", path), &p->host_ip,
                             reterr);
        if (r < 0)
                return r;
        if (p->host_ip && p->host_ip[0] == '\0')
                p->host_ip = mfree(p->host_ip);
        pp = appc_json_member(v, "podPort");
        if (pp) {
                p->pod_port = calloc(1, sizeof(AppcPort));
                if (!p->pod_port)
                        return -ENOMEM;
                r = appc_port_from_json(pp, APPC_PATH("%s.podPort", path), p->pod_port, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

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

static bool exposed_port_equal(const AppcExposedPort *a, const AppcExposedPort *b) {
        if (!streq_ptr(a->name, b->name) || a->host_port != b->host_port ||
            !streq_ptr(a->host_ip, b->host_ip))
                return false;
        if (!a->pod_port || !b->pod_port)
                return a->pod_port == b->pod_port;
        return appc_port_equal(a->pod_port, b->pod_port);
}

/* --- the pod manifest --- */

AppcPodManifest *appc_pod_manifest_new(void) {
        AppcPodManifest *m = calloc(1, sizeof(*m));

        if (!m)
                return NULL;
        m->ac_version = strdup(APPC_SPEC_VERSION);
        if (!m->ac_version)
                return mfree(m);
        return m;
}

AppcPodManifest *appc_pod_manifest_free(AppcPodManifest *m) {
        if (!m)
                return NULL;
        free(m->ac_version);
        for (size_t i = 0; i < m->n_apps; i++)
                appc_runtime_app_done(&m->apps[i]);
        free(m->apps);
        for (size_t i = 0; i < m->n_volumes; i++)
                appc_volume_done(&m->volumes[i]);
        free(m->volumes);
        appc_isolators_free(m->isolators, m->n_isolators);
        appc_kv_array_free(m->annotations, m->n_annotations);
        for (size_t i = 0; i < m->n_ports; i++)
                exposed_port_done(&m->ports[i]);
        free(m->ports);
        appc_kv_array_free(m->user_annotations, m->n_user_annotations);
        appc_kv_array_free(m->user_labels, m->n_user_labels);
        free(m);
        return NULL;
}

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

int appc_pod_manifest_parse(const char *json, size_t size, AppcPodManifest **ret, RktError **reterr) {
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        _cleanup_(json_object_putp) json_object *root = NULL;
        json_object *v;
        size_t len;
        int r;

        r = appc_json_parse(json, size, "pod manifest", &root, reterr);
        if (r < 0)
                return r;
        r = appc_check_kind(root, POD_MANIFEST_KIND, reterr);
        if (r < 0)
                return r;
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        r = appc_json_string(appc_json_member(root, "acVersion"), "acVersion", &m->ac_version, reterr);
        if (r < 0)
                return r;

        v = appc_json_member(root, "apps");
        if (v) {
                r = appc_json_expect(v, json_type_array, "apps", reterr);
                if (r < 0)
                        return r;
                len = json_object_array_length(v);
                for (size_t i = 0; i < len; i++) {
                        AppcRuntimeApp *ra = appc_array_append(&m->apps, &m->n_apps, sizeof(*ra));

                        if (!ra)
                                return -ENOMEM;
                        r = runtime_app_from_json(json_object_array_get_idx(v, i), APPC_PATH("apps[%zu]", i),
                                                  ra, reterr);
                        if (r < 0)
                                return r;
                }
        }
        v = appc_json_member(root, "volumes");
        if (v) {
                r = appc_json_expect(v, json_type_array, "volumes", reterr);
                if (r < 0)
                        return r;
                len = json_object_array_length(v);
                for (size_t i = 0; i < len; i++) {
                        AppcVolume vol, *e;

                        r = appc_volume_from_json(json_object_array_get_idx(v, i),
                                                  APPC_PATH("volumes[%zu]", i), &vol, reterr);
                        if (r < 0)
                                return r;
                        e = appc_array_append(&m->volumes, &m->n_volumes, sizeof(*e));
                        if (!e) {
                                appc_volume_done(&vol);
                                return -ENOMEM;
                        }
                        *e = vol;
                }
        }
        r = appc_isolators_from_json(appc_json_member(root, "isolators"), "isolators", &m->isolators,
                                     &m->n_isolators, reterr);
        if (r < 0)
                return r;
        r = appc_json_kv_array(appc_json_member(root, "annotations"), "annotations", &m->annotations,
                               &m->n_annotations, reterr);
        if (r < 0)
                return r;
        v = appc_json_member(root, "ports");
        if (v) {
                r = appc_json_expect(v, json_type_array, "ports", reterr);
                if (r < 0)
                        return r;
                len = json_object_array_length(v);
                for (size_t i = 0; i < len; i++) {
                        AppcExposedPort *p = appc_array_append(&m->ports, &m->n_ports, sizeof(*p));

                        if (!p)
                                return -ENOMEM;
                        r = exposed_port_from_json(json_object_array_get_idx(v, i),
                                                   APPC_PATH("ports[%zu]", i), p, reterr);
                        if (r < 0)
                                return r;
                }
        }
        r = appc_json_kv_map(appc_json_member(root, "userAnnotations"), "userAnnotations",
                             &m->user_annotations, &m->n_user_annotations, reterr);
        if (r < 0)
                return r;
        r = appc_json_kv_map(appc_json_member(root, "userLabels"), "userLabels", &m->user_labels,
                             &m->n_user_labels, reterr);
        if (r < 0)
                return r;
        r = appc_pod_manifest_validate(m, reterr);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

static int pod_manifest_write(const AppcPodManifest *m, bool pretty, char **ret, RktError **reterr) {
        AppcJsonWriter w = {};
        int r;

        r = appc_pod_manifest_validate(m, reterr);
        if (r < 0)
                return r;
        /* the order of the reference encoder; the pod-level lists are never left out */
        appc_jw_begin_object(&w);
        appc_jw_key(&w, "acVersion");
        appc_jw_string(&w, m->ac_version);
        appc_jw_key(&w, "acKind");
        appc_jw_string(&w, POD_MANIFEST_KIND);
        appc_jw_key(&w, "apps");
        appc_jw_begin_array(&w);
        for (size_t i = 0; i < m->n_apps; i++)
                jw_runtime_app(&w, &m->apps[i]);
        appc_jw_end_array(&w);
        appc_jw_key(&w, "volumes");
        appc_jw_begin_array(&w);
        for (size_t i = 0; i < m->n_volumes; i++)
                appc_jw_volume(&w, &m->volumes[i]);
        appc_jw_end_array(&w);
        appc_jw_key(&w, "isolators");
        appc_jw_isolators(&w, m->isolators, m->n_isolators);
        appc_jw_key(&w, "annotations");
        appc_jw_kv_array(&w, m->annotations, m->n_annotations);
        appc_jw_key(&w, "ports");
        appc_jw_begin_array(&w);
        for (size_t i = 0; i < m->n_ports; i++) {
                const AppcExposedPort *p = &m->ports[i];

                appc_jw_begin_object(&w);
                appc_jw_key(&w, "name");
                appc_jw_string(&w, p->name);
                appc_jw_key(&w, "hostPort");
                appc_jw_uint(&w, p->host_port);
                if (p->host_ip) {
                        appc_jw_key(&w, "hostIP");
                        appc_jw_string(&w, p->host_ip);
                }
                if (p->pod_port) {
                        appc_jw_key(&w, "podPort");
                        appc_jw_port(&w, p->pod_port);
                }
                appc_jw_end_object(&w);
        }
        appc_jw_end_array(&w);
        if (m->n_user_annotations > 0) {
                appc_jw_key(&w, "userAnnotations");
                appc_jw_kv_map(&w, m->user_annotations, m->n_user_annotations);
        }
        if (m->n_user_labels > 0) {
                appc_jw_key(&w, "userLabels");
                appc_jw_kv_map(&w, m->user_labels, m->n_user_labels);
        }
        appc_jw_end_object(&w);

        r = appc_jw_finish(&w, pretty, ret);
        appc_jw_done(&w);
        return r;
}

int appc_pod_manifest_to_json(const AppcPodManifest *m, char **ret_json, RktError **reterr) {
        return pod_manifest_write(m, false, ret_json, reterr);
}

int appc_pod_manifest_to_json_pretty(const AppcPodManifest *m, char **ret_json, RktError **reterr) {
        return pod_manifest_write(m, true, ret_json, reterr);
}

bool appc_pod_manifest_equal(const AppcPodManifest *a, const AppcPodManifest *b) {
        if (!a || !b)
                return a == b;
        if (!streq_ptr(a->ac_version, b->ac_version) || a->n_apps != b->n_apps ||
            a->n_volumes != b->n_volumes || a->n_ports != b->n_ports ||
            !appc_isolators_equal(a->isolators, a->n_isolators, b->isolators, b->n_isolators) ||
            !appc_kv_array_equal(a->annotations, a->n_annotations, b->annotations, b->n_annotations) ||
            !appc_kv_array_equal(a->user_annotations, a->n_user_annotations, b->user_annotations,
                                 b->n_user_annotations) ||
            !appc_kv_array_equal(a->user_labels, a->n_user_labels, b->user_labels, b->n_user_labels))
                return false;
        for (size_t i = 0; i < a->n_apps; i++)
                if (!runtime_app_equal(&a->apps[i], &b->apps[i]))
                        return false;
        for (size_t i = 0; i < a->n_volumes; i++)
                if (!appc_volume_equal(&a->volumes[i], &b->volumes[i]))
                        return false;
        for (size_t i = 0; i < a->n_ports; i++)
                if (!exposed_port_equal(&a->ports[i], &b->ports[i]))
                        return false;
        return true;
}

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
                exposed_port_done(&p);
                return -ENOMEM;
        }
        r = exposed_port_validate(&p, APPC_PATH("ports[%zu].", m->n_ports), reterr);
        if (r < 0) {
                exposed_port_done(&p);
                return r;
        }
        e = appc_array_append(&m->ports, &m->n_ports, sizeof(*e));
        if (!e) {
                exposed_port_done(&p);
                return -ENOMEM;
        }
        *e = p;
        return 0;
}
