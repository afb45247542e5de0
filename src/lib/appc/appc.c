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

static const AppcField port_fields[] = {
        APPC_FIELD("name", STRING, AppcPort, name),
        APPC_FIELD("protocol", STRING, AppcPort, protocol),
        APPC_FIELD("port", UINT, AppcPort, port, .max = UINT32_MAX),
        APPC_FIELD("count", UINT, AppcPort, count, .max = UINT32_MAX),
        APPC_FIELD("socketActivated", BOOL, AppcPort, socket_activated),
        {},
};

/* appc: an absent (or zero) count is one port */
static int port_finish(void *p) {
        AppcPort *port = p;

        if (port->count == 0)
                port->count = 1;
        return 0;
}

const AppcType appc_port_type = {.size = sizeof(AppcPort), .fields = port_fields, .finish = port_finish};

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

/* --- the app section --- */

static const AppcField event_handler_fields[] = {
        APPC_FIELD("name", STRING, AppcEventHandler, name),
        APPC_FIELD("exec", STRV, AppcEventHandler, exec),
        {},
};

static const AppcType event_handler_type = {.size = sizeof(AppcEventHandler),
                                            .fields = event_handler_fields};

static const AppcField mount_point_fields[] = {
        APPC_FIELD("name", STRING, AppcMountPoint, name),
        APPC_FIELD("path", STRING, AppcMountPoint, path),
        APPC_FIELD("readOnly", BOOL, AppcMountPoint, read_only, .flags = APPC_OMITEMPTY),
        {},
};

static const AppcType mount_point_type = {.size = sizeof(AppcMountPoint), .fields = mount_point_fields};

static const AppcField app_fields[] = {
        APPC_FIELD("exec", STRV, AppcApp, exec),
        APPC_LIST("eventHandlers", ARRAY, AppcApp, event_handlers, .flags = APPC_OMITEMPTY,
                  .elem = &event_handler_type),
        APPC_FIELD("user", STRING, AppcApp, user),
        APPC_FIELD("group", STRING, AppcApp, group),
        APPC_LIST("supplementaryGIDs", UINT32_ARRAY, AppcApp, supplementary_gids, .flags = APPC_OMITEMPTY),
        APPC_FIELD("workingDirectory", STRING, AppcApp, working_directory,
                   .flags = APPC_OMITEMPTY | APPC_EMPTY_IS_NULL),
        APPC_LIST("environment", KV_ARRAY, AppcApp, environment, .flags = APPC_OMITEMPTY),
        APPC_LIST("mountPoints", ARRAY, AppcApp, mount_points, .flags = APPC_OMITEMPTY,
                  .elem = &mount_point_type),
        APPC_LIST("ports", ARRAY, AppcApp, ports, .flags = APPC_OMITEMPTY, .elem = &appc_port_type),
        APPC_LIST("isolators", ISOLATORS, AppcApp, isolators, .flags = APPC_OMITEMPTY),
        APPC_LIST("userAnnotations", KV_MAP, AppcApp, user_annotations, .flags = APPC_OMITEMPTY),
        APPC_LIST("userLabels", KV_MAP, AppcApp, user_labels, .flags = APPC_OMITEMPTY),
        {},
};

const AppcType appc_app_type = {.size = sizeof(AppcApp), .fields = app_fields};

AppcApp *appc_app_new(void) {
        return calloc(1, sizeof(AppcApp));
}

AppcApp *appc_app_free(AppcApp *a) {
        return appc_document_free(&appc_app_type, a);
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

int appc_app_copy(const AppcApp *a, AppcApp **ret) {
        _cleanup_(appc_app_freep) AppcApp *c = NULL;
        int r;

        c = appc_app_new();
        if (!c)
                return -ENOMEM;
        r = appc_type_copy(&appc_app_type, a, c);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

bool appc_app_equal(const AppcApp *a, const AppcApp *b) {
        return appc_document_equal(&appc_app_type, a, b);
}
