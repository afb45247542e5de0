/* SPDX-License-Identifier: Apache-2.0 */
/* What the image and pod manifests share beyond JSON and isolators (appc-json.c, appc-isolators.c): arrays,
 * labels and annotations, ports and the app section. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>

#include "appc-internal.h"

/* --- arrays, lists, key-value pairs --- */

void *appc_array_append(void *array_ptr, size_t *n, size_t size) {
        void **array = array_ptr;
        char *a;

        a = reallocarray(*array, *n + 1, size);
        if (!a)
                return NULL;
        *array = a;
        memset(a + *n * size, 0, size);
        return a + (*n)++ * size;
}

void appc_kv_array_free(AppcKV *kv, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(kv[i].name);
                free(kv[i].value);
        }
        free(kv);
}

int appc_kv_array_copy(const AppcKV *kv, size_t n, AppcKV **ret, size_t *ret_n) {
        AppcKV *c = NULL;

        if (n > 0) {
                c = calloc(n, sizeof(*c));
                if (!c)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                c[i].name = strdup(strempty(kv[i].name));
                c[i].value = strdup(strempty(kv[i].value));
                if (!c[i].name || !c[i].value) {
                        appc_kv_array_free(c, n);
                        return -ENOMEM;
                }
        }
        *ret = c;
        *ret_n = n;
        return 0;
}

bool appc_kv_array_equal(const AppcKV *a, size_t na, const AppcKV *b, size_t nb) {
        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (!streq_ptr(a[i].name, b[i].name) || !streq_ptr(a[i].value, b[i].value))
                        return false;
        return true;
}

int appc_strv_copy(char *const *l, char ***ret) {
        _cleanup_strv_free_ char **c = NULL;

        STRV_FOREACH(s, l)
        if (strv_extend(&c, *s) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

bool appc_strv_equal(char *const *a, char *const *b) {
        size_t n = strv_length(a);

        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return true;
}

const char *appc_kv_get(const AppcKV *kv, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq_ptr(kv[i].name, name))
                        return kv[i].value;
        return NULL;
}

int appc_kv_set(AppcKV **kv, size_t *n, const char *name, const char *value) {
        _cleanup_free_ char *v = NULL, *nm = NULL;
        AppcKV *e;

        v = strdup(value);
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < *n; i++)
                if (streq_ptr((*kv)[i].name, name)) {
                        free((*kv)[i].value);
                        (*kv)[i].value = TAKE_PTR(v);
                        return 0;
                }
        nm = strdup(name);
        if (!nm)
                return -ENOMEM;
        e = appc_array_append(kv, n, sizeof(**kv));
        if (!e)
                return -ENOMEM;
        e->name = TAKE_PTR(nm);
        e->value = TAKE_PTR(v);
        return 0;
}

/* --- labels and annotations --- */

int appc_labels_validate(const AppcKV *l, size_t n, const char *prefix, const char *field,
                         RktError **reterr) {
        size_t os_i = SIZE_MAX, arch_i = SIZE_MAX;
        char problem[256];
        int r;

        for (size_t i = 0; i < n; i++) {
                const char *p = APPC_PATH("%s%s[%zu].name", prefix, field, i);

                r = appc_check_ac_identifier(l[i].name, p, reterr);
                if (r < 0)
                        return r;
                if (streq(l[i].name, "name"))
                        return appc_fail(reterr, "%s %s: not allowed as a label name (it is the image name)",
                                         p, APPC_QUOTE(l[i].name));
                for (size_t j = 0; j < i; j++)
                        if (streq(l[i].name, l[j].name))
                                return appc_fail(reterr, "%s %s: duplicate label", p, APPC_QUOTE(l[i].name));
                if (!l[i].value)
                        return appc_fail(reterr, "%s%s[%zu].value: must be set", prefix, field, i);
                if (streq(l[i].name, "os"))
                        os_i = i;
                else if (streq(l[i].name, "arch"))
                        arch_i = i;
        }
        if (os_i == SIZE_MAX)
                return 0;
        if (appc_os_arch_problem(l[os_i].value, NULL, problem, sizeof(problem)) < 0)
                return appc_fail(reterr, "%s%s[%zu].value %s: %s", prefix, field, os_i,
                                 APPC_QUOTE(l[os_i].value), problem);
        if (arch_i != SIZE_MAX &&
            appc_os_arch_problem(l[os_i].value, l[arch_i].value, problem, sizeof(problem)) < 0)
                return appc_fail(reterr, "%s%s[%zu].value %s: %s", prefix, field, arch_i,
                                 APPC_QUOTE(l[arch_i].value), problem);
        return 0;
}

int appc_annotations_validate(const AppcKV *a, size_t n, const char *prefix, const char *field,
                              RktError **reterr) {
        int r;

        for (size_t i = 0; i < n; i++) {
                const char *p = APPC_PATH("%s%s[%zu].name", prefix, field, i);
                const char *pv = APPC_PATH("%s%s[%zu].value", prefix, field, i);

                r = appc_check_ac_identifier(a[i].name, p, reterr);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < i; j++)
                        if (streq(a[i].name, a[j].name))
                                return appc_fail(reterr, "%s %s: duplicate annotation", p,
                                                 APPC_QUOTE(a[i].name));
                if (!a[i].value)
                        return appc_fail(reterr, "%s: must be set", pv);
                if (streq(a[i].name, "created") && !appc_date_valid(a[i].value))
                        return appc_fail(reterr, "%s %s: not an RFC 3339 date (annotation 'created')", pv,
                                         APPC_QUOTE(a[i].value));
                if ((streq(a[i].name, "homepage") || streq(a[i].name, "documentation")) &&
                    !appc_url_valid(a[i].value))
                        return appc_fail(reterr, "%s %s: not an http or https URL (annotation '%s')", pv,
                                         APPC_QUOTE(a[i].value), a[i].name);
        }
        return 0;
}

int appc_user_kv_validate(const AppcKV *kv, size_t n, const char *prefix, const char *field,
                          RktError **reterr) {
        for (size_t i = 0; i < n; i++) {
                if (!kv[i].name || !kv[i].value)
                        return appc_fail(reterr, "%s%s: entry %zu has no key or no value", prefix, field, i);
                for (size_t j = 0; j < i; j++)
                        if (streq(kv[i].name, kv[j].name))
                                return appc_fail(reterr, "%s%s.%s: duplicate key", prefix, field,
                                                 kv[i].name);
        }
        return 0;
}

/* --- ports --- */

int appc_port_from_json(json_object *v, const char *path, AppcPort *ret, RktError **reterr) {
        AppcPort p = {};
        int64_t port = 0, count = 0;
        int r;

        r = appc_json_expect(v, json_type_object, path, reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(v, "name"), APPC_PATH("%s.name", path), &p.name, reterr);
        if (r < 0)
                goto fail;
        r = appc_json_string(appc_json_member(v, "protocol"), APPC_PATH("%s.protocol", path), &p.protocol,
                             reterr);
        if (r < 0)
                goto fail;
        r = appc_json_int(appc_json_member(v, "port"), APPC_PATH("%s.port", path), 0, UINT32_MAX, &port,
                          reterr);
        if (r < 0)
                goto fail;
        r = appc_json_int(appc_json_member(v, "count"), APPC_PATH("%s.count", path), 0, UINT32_MAX, &count,
                          reterr);
        if (r < 0)
                goto fail;
        r = appc_json_bool(appc_json_member(v, "socketActivated"), APPC_PATH("%s.socketActivated", path),
                           &p.socket_activated, reterr);
        if (r < 0)
                goto fail;
        p.port = (unsigned) port;
        /* appc: an absent (or zero) count is one port */
        p.count = count == 0 ? 1 : (unsigned) count;
        *ret = p;
        return 0;
fail:
        appc_port_done(&p);
        return r;
}

int appc_port_validate(const AppcPort *p, const char *prefix, RktError **reterr) {
        int r;

        r = appc_check_ac_name(p->name, APPC_PATH("%sname", prefix), reterr);
        if (r < 0)
                return r;
        r = appc_check_set(p->protocol, APPC_PATH("%sprotocol", prefix), reterr);
        if (r < 0)
                return r;
        if (p->port < 1 || p->port > 65535)
                return appc_fail(reterr, "%sport: must be between 1 and 65535, got %u", prefix, p->port);
        if (p->count < 1)
                return appc_fail(reterr, "%scount: must be at least 1", prefix);
        if ((uint64_t) p->port + p->count - 1 > 65535)
                return appc_fail(reterr, "%scount: the range of %u ports from %u ends beyond 65535", prefix,
                                 p->count, p->port);
        return 0;
}

void appc_port_done(AppcPort *p) {
        free(p->name);
        free(p->protocol);
        *p = (AppcPort){};
}

int appc_port_copy(const AppcPort *p, AppcPort *ret) {
        AppcPort c = *p;

        c.name = p->name ? strdup(p->name) : NULL;
        c.protocol = p->protocol ? strdup(p->protocol) : NULL;
        if ((p->name && !c.name) || (p->protocol && !c.protocol)) {
                appc_port_done(&c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

bool appc_port_equal(const AppcPort *a, const AppcPort *b) {
        return streq_ptr(a->name, b->name) && streq_ptr(a->protocol, b->protocol) && a->port == b->port &&
               a->count == b->count && a->socket_activated == b->socket_activated;
}

void appc_jw_port(AppcJsonWriter *w, const AppcPort *p) {
        appc_jw_begin_object(w);
        appc_jw_key(w, "name");
        appc_jw_string(w, p->name);
        appc_jw_key(w, "protocol");
        appc_jw_string(w, p->protocol);
        appc_jw_key(w, "port");
        appc_jw_uint(w, p->port);
        appc_jw_key(w, "count");
        appc_jw_uint(w, p->count);
        appc_jw_key(w, "socketActivated");
        appc_jw_bool(w, p->socket_activated);
        appc_jw_end_object(w);
}

/* --- the app section --- */

static const AppcField event_handler_fields[] = {
        {"name", APPC_FIELD_STRING, offsetof(AppcEventHandler, name)},
        {"exec", APPC_FIELD_STRV, offsetof(AppcEventHandler, exec)},
        {},
};

static const AppcField mount_point_fields[] = {
        {"name", APPC_FIELD_STRING, offsetof(AppcMountPoint, name)},
        {"path", APPC_FIELD_STRING, offsetof(AppcMountPoint, path)},
        {"readOnly", APPC_FIELD_BOOL, offsetof(AppcMountPoint, read_only)},
        {},
};

AppcApp *appc_app_new(void) {
        return calloc(1, sizeof(AppcApp));
}

AppcApp *appc_app_free(AppcApp *a) {
        if (!a)
                return NULL;
        strv_free(a->exec);
        free(a->user);
        free(a->group);
        free(a->supplementary_gids);
        appc_records_free(event_handler_fields, sizeof(AppcEventHandler), a->event_handlers,
                          a->n_event_handlers);
        free(a->working_directory);
        appc_kv_array_free(a->environment, a->n_environment);
        appc_isolators_free(a->isolators, a->n_isolators);
        appc_records_free(mount_point_fields, sizeof(AppcMountPoint), a->mount_points, a->n_mount_points);
        for (size_t i = 0; i < a->n_ports; i++)
                appc_port_done(&a->ports[i]);
        free(a->ports);
        appc_kv_array_free(a->user_annotations, a->n_user_annotations);
        appc_kv_array_free(a->user_labels, a->n_user_labels);
        free(a);
        return NULL;
}

static int app_gids_from_json(AppcApp *a, json_object *v, const char *path, RktError **reterr) {
        size_t len;
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_array, path, reterr);
        if (r < 0)
                return r;
        len = json_object_array_length(v);
        if (len == 0)
                return 0;
        a->supplementary_gids = calloc(len, sizeof(uint32_t));
        if (!a->supplementary_gids)
                return -ENOMEM;
        for (size_t i = 0; i < len; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                const char *p = APPC_PATH("%s[%zu]", path, i);
                int64_t gid = 0;

                if (!e)
                        return appc_fail(reterr, "%s: must be an integer between 0 and %" PRIu32, p,
                                         UINT32_MAX);
                r = appc_json_int(e, p, 0, UINT32_MAX, &gid, reterr);
                if (r < 0)
                        return r;
                a->supplementary_gids[a->n_supplementary_gids++] = (uint32_t) gid;
        }
        return 0;
}

static int app_ports_from_json(AppcApp *a, json_object *v, const char *path, RktError **reterr) {
        size_t len;
        int r;

        if (!v)
                return 0;
        r = appc_json_expect(v, json_type_array, path, reterr);
        if (r < 0)
                return r;
        len = json_object_array_length(v);
        for (size_t i = 0; i < len; i++) {
                AppcPort *p = appc_array_append(&a->ports, &a->n_ports, sizeof(*p));

                if (!p)
                        return -ENOMEM;
                r = appc_port_from_json(json_object_array_get_idx(v, i), APPC_PATH("%s[%zu]", path, i), p,
                                        reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

int appc_app_from_json(json_object *v, const char *path, AppcApp **ret, RktError **reterr) {
        _cleanup_(appc_app_freep) AppcApp *a = NULL;
        int r;

        r = appc_json_expect(v, json_type_object, path, reterr);
        if (r < 0)
                return r;
        a = appc_app_new();
        if (!a)
                return -ENOMEM;
        r = appc_json_strv(appc_json_member(v, "exec"), APPC_PATH("%s.exec", path), &a->exec, reterr);
        if (r < 0)
                return r;
        r = appc_records_from_json(appc_json_member(v, "eventHandlers"), APPC_PATH("%s.eventHandlers", path),
                                   event_handler_fields, sizeof(AppcEventHandler), &a->event_handlers,
                                   &a->n_event_handlers, reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(v, "user"), APPC_PATH("%s.user", path), &a->user, reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(v, "group"), APPC_PATH("%s.group", path), &a->group, reterr);
        if (r < 0)
                return r;
        r = app_gids_from_json(a, appc_json_member(v, "supplementaryGIDs"),
                               APPC_PATH("%s.supplementaryGIDs", path), reterr);
        if (r < 0)
                return r;
        r = appc_json_string(appc_json_member(v, "workingDirectory"), APPC_PATH("%s.workingDirectory", path),
                             &a->working_directory, reterr);
        if (r < 0)
                return r;
        if (a->working_directory && a->working_directory[0] == '\0')
                a->working_directory = mfree(a->working_directory);
        r = appc_json_kv_array(appc_json_member(v, "environment"), APPC_PATH("%s.environment", path),
                               &a->environment, &a->n_environment, reterr);
        if (r < 0)
                return r;
        r = appc_records_from_json(appc_json_member(v, "mountPoints"), APPC_PATH("%s.mountPoints", path),
                                   mount_point_fields, sizeof(AppcMountPoint), &a->mount_points,
                                   &a->n_mount_points, reterr);
        if (r < 0)
                return r;
        r = app_ports_from_json(a, appc_json_member(v, "ports"), APPC_PATH("%s.ports", path), reterr);
        if (r < 0)
                return r;
        r = appc_isolators_from_json(appc_json_member(v, "isolators"), APPC_PATH("%s.isolators", path),
                                     &a->isolators, &a->n_isolators, reterr);
        if (r < 0)
                return r;
        r = appc_json_kv_map(appc_json_member(v, "userAnnotations"), APPC_PATH("%s.userAnnotations", path),
                             &a->user_annotations, &a->n_user_annotations, reterr);
        if (r < 0)
                return r;
        r = appc_json_kv_map(appc_json_member(v, "userLabels"), APPC_PATH("%s.userLabels", path),
                             &a->user_labels, &a->n_user_labels, reterr);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(a);
        return 0;
}

int appc_app_validate_at(const AppcApp *a, const char *prefix, RktError **reterr) {
        int r;

        r = appc_check_set(a->user, APPC_PATH("%suser", prefix), reterr);
        if (r < 0)
                return r;
        r = appc_check_set(a->group, APPC_PATH("%sgroup", prefix), reterr);
        if (r < 0)
                return r;
        if (a->working_directory && a->working_directory[0] != '/')
                return appc_fail(reterr, "%sworkingDirectory %s: must be an absolute path", prefix,
                                 APPC_QUOTE(a->working_directory));
        for (size_t i = 0; i < a->n_event_handlers; i++) {
                const char *p = APPC_PATH("%seventHandlers[%zu].name", prefix, i);
                const char *name = a->event_handlers[i].name;

                r = appc_check_set(name, p, reterr);
                if (r < 0)
                        return r;
                if (!streq(name, "pre-start") && !streq(name, "post-stop"))
                        return appc_fail(reterr, "%s %s: must be \"pre-start\" or \"post-stop\"", p,
                                         APPC_QUOTE(name));
                for (size_t j = 0; j < i; j++)
                        if (streq(name, a->event_handlers[j].name))
                                return appc_fail(reterr,
                                                 "%s %s: only one event handler of a name is allowed", p,
                                                 APPC_QUOTE(name));
        }
        for (size_t i = 0; i < a->n_environment; i++) {
                const char *p = APPC_PATH("%senvironment[%zu].name", prefix, i);
                const char *name = a->environment[i].name;

                r = appc_check_set(name, p, reterr);
                if (r < 0)
                        return r;
                if (!appc_env_name_valid(name))
                        return appc_fail(
                                reterr,
                                "%s %s: not a valid environment variable name (letters, digits, '_', "
                                "'.' and '-', not starting with a digit, '.' or '-')",
                                p, APPC_QUOTE(name));
                for (size_t j = 0; j < i; j++)
                        if (streq(name, a->environment[j].name))
                                return appc_fail(reterr, "%s %s: duplicate environment variable", p,
                                                 APPC_QUOTE(name));
                if (!a->environment[i].value)
                        return appc_fail(reterr, "%senvironment[%zu].value: must be set", prefix, i);
        }
        r = appc_isolators_validate(a->isolators, a->n_isolators, prefix, true, reterr);
        if (r < 0)
                return r;
        for (size_t i = 0; i < a->n_mount_points; i++) {
                r = appc_check_ac_name(a->mount_points[i].name,
                                       APPC_PATH("%smountPoints[%zu].name", prefix, i), reterr);
                if (r < 0)
                        return r;
                r = appc_check_set(a->mount_points[i].path, APPC_PATH("%smountPoints[%zu].path", prefix, i),
                                   reterr);
                if (r < 0)
                        return r;
                /* One name, one volume: a name declared twice would mount the same volume at two places,
                 * one of them reached through the other's content (a symlink a former run left there). */
                for (size_t j = 0; j < i; j++)
                        if (streq(a->mount_points[i].name, a->mount_points[j].name))
                                return appc_fail(reterr,
                                                 "%smountPoints[%zu].name %s: duplicate mount point name",
                                                 prefix, i, APPC_QUOTE(a->mount_points[i].name));
        }
        for (size_t i = 0; i < a->n_ports; i++) {
                r = appc_port_validate(&a->ports[i], APPC_PATH("%sports[%zu].", prefix, i), reterr);
                if (r < 0)
                        return r;
        }
        r = appc_user_kv_validate(a->user_annotations, a->n_user_annotations, prefix, "userAnnotations",
                                  reterr);
        if (r < 0)
                return r;
        return appc_user_kv_validate(a->user_labels, a->n_user_labels, prefix, "userLabels", reterr);
}

int appc_app_validate(const AppcApp *a, RktError **reterr) {
        return appc_app_validate_at(a, "app.", reterr);
}

void appc_jw_app(AppcJsonWriter *w, const AppcApp *a) {
        appc_jw_begin_object(w);
        appc_jw_key(w, "exec");
        appc_jw_strv(w, a->exec);
        if (a->n_event_handlers > 0) {
                appc_jw_key(w, "eventHandlers");
                appc_jw_records(w, event_handler_fields, sizeof(AppcEventHandler), a->event_handlers,
                                a->n_event_handlers);
        }
        appc_jw_key(w, "user");
        appc_jw_string(w, a->user);
        appc_jw_key(w, "group");
        appc_jw_string(w, a->group);
        if (a->n_supplementary_gids > 0) {
                appc_jw_key(w, "supplementaryGIDs");
                appc_jw_begin_array(w);
                for (size_t i = 0; i < a->n_supplementary_gids; i++)
                        appc_jw_uint(w, a->supplementary_gids[i]);
                appc_jw_end_array(w);
        }
        if (a->working_directory) {
                appc_jw_key(w, "workingDirectory");
                appc_jw_string(w, a->working_directory);
        }
        if (a->n_environment > 0) {
                appc_jw_key(w, "environment");
                appc_jw_kv_array(w, a->environment, a->n_environment);
        }
        if (a->n_mount_points > 0) {
                appc_jw_key(w, "mountPoints");
                appc_jw_records(w, mount_point_fields, sizeof(AppcMountPoint), a->mount_points,
                                a->n_mount_points);
        }
        if (a->n_ports > 0) {
                appc_jw_key(w, "ports");
                appc_jw_begin_array(w);
                for (size_t i = 0; i < a->n_ports; i++)
                        appc_jw_port(w, &a->ports[i]);
                appc_jw_end_array(w);
        }
        if (a->n_isolators > 0) {
                appc_jw_key(w, "isolators");
                appc_jw_isolators(w, a->isolators, a->n_isolators);
        }
        if (a->n_user_annotations > 0) {
                appc_jw_key(w, "userAnnotations");
                appc_jw_kv_map(w, a->user_annotations, a->n_user_annotations);
        }
        if (a->n_user_labels > 0) {
                appc_jw_key(w, "userLabels");
                appc_jw_kv_map(w, a->user_labels, a->n_user_labels);
        }
        appc_jw_end_object(w);
}

static char *strdup_or_null(const char *s, bool *oom) {
        char *c;

        if (!s)
                return NULL;
        c = strdup(s);
        if (!c)
                *oom = true;
        return c;
}

int appc_app_copy(const AppcApp *a, AppcApp **ret) {
        _cleanup_(appc_app_freep) AppcApp *c = NULL;
        bool oom = false;
        int r;

        c = appc_app_new();
        if (!c)
                return -ENOMEM;
        if (appc_strv_copy(a->exec, &c->exec) < 0)
                return -ENOMEM;
        c->user = strdup_or_null(a->user, &oom);
        c->group = strdup_or_null(a->group, &oom);
        c->working_directory = strdup_or_null(a->working_directory, &oom);
        if (oom)
                return -ENOMEM;
        if (a->n_supplementary_gids > 0) {
                c->supplementary_gids = calloc(a->n_supplementary_gids, sizeof(uint32_t));
                if (!c->supplementary_gids)
                        return -ENOMEM;
                memcpy(c->supplementary_gids, a->supplementary_gids,
                       a->n_supplementary_gids * sizeof(uint32_t));
                c->n_supplementary_gids = a->n_supplementary_gids;
        }
        if (appc_records_copy(event_handler_fields, sizeof(AppcEventHandler), a->event_handlers,
                              a->n_event_handlers, &c->event_handlers, &c->n_event_handlers) < 0)
                return -ENOMEM;
        if (appc_kv_array_copy(a->environment, a->n_environment, &c->environment, &c->n_environment) < 0)
                return -ENOMEM;
        r = appc_isolators_copy(a->isolators, a->n_isolators, &c->isolators, &c->n_isolators);
        if (r < 0)
                return r;
        if (appc_records_copy(mount_point_fields, sizeof(AppcMountPoint), a->mount_points, a->n_mount_points,
                              &c->mount_points, &c->n_mount_points) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < a->n_ports; i++) {
                AppcPort *p = appc_array_append(&c->ports, &c->n_ports, sizeof(*p));

                if (!p || appc_port_copy(&a->ports[i], p) < 0)
                        return -ENOMEM;
        }
        if (appc_kv_array_copy(a->user_annotations, a->n_user_annotations, &c->user_annotations,
                               &c->n_user_annotations) < 0 ||
            appc_kv_array_copy(a->user_labels, a->n_user_labels, &c->user_labels, &c->n_user_labels) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

bool appc_app_equal(const AppcApp *a, const AppcApp *b) {
        if (!a || !b)
                return a == b;
        if (!appc_strv_equal(a->exec, b->exec) || !streq_ptr(a->user, b->user) ||
            !streq_ptr(a->group, b->group) || !streq_ptr(a->working_directory, b->working_directory))
                return false;
        if (a->n_supplementary_gids != b->n_supplementary_gids ||
            (a->n_supplementary_gids > 0 && memcmp(a->supplementary_gids, b->supplementary_gids,
                                                   a->n_supplementary_gids * sizeof(uint32_t)) != 0))
                return false;
        if (!appc_records_equal(event_handler_fields, sizeof(AppcEventHandler), a->event_handlers,
                                a->n_event_handlers, b->event_handlers, b->n_event_handlers) ||
            !appc_kv_array_equal(a->environment, a->n_environment, b->environment, b->n_environment) ||
            !appc_isolators_equal(a->isolators, a->n_isolators, b->isolators, b->n_isolators) ||
            !appc_records_equal(mount_point_fields, sizeof(AppcMountPoint), a->mount_points,
                                a->n_mount_points, b->mount_points, b->n_mount_points))
                return false;
        if (a->n_ports != b->n_ports)
                return false;
        for (size_t i = 0; i < a->n_ports; i++)
                if (!appc_port_equal(&a->ports[i], &b->ports[i]))
                        return false;
        return appc_kv_array_equal(a->user_annotations, a->n_user_annotations, b->user_annotations,
                                   b->n_user_annotations) &&
               appc_kv_array_equal(a->user_labels, a->n_user_labels, b->user_labels, b->n_user_labels);
}
