/* SPDX-License-Identifier: Apache-2.0 */
/* What the image and pod manifests share beyond JSON and isolators (appc-json.c, appc-isolators.c): new
 * documents, labels and annotations, ports and the app section. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>

#include "appc-internal.h"

/* --- documents, key-value pairs --- */

void *appc_document_new(const JsonTable *t) {
        void *p = calloc(1, t->size);

        if (!p)
                return NULL;
        for (const JsonField *f = t->fields; f->key; f++)
                if (streq(f->key, "acVersion") &&
                    !(*(char **) ((char *) p + f->offset) = strdup(APPC_SPEC_VERSION)))
                        return mfree(p);
        return p;
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
        e = array_append_zero(kv, n, sizeof(**kv));
        if (!e)
                return -ENOMEM;
        e->name = TAKE_PTR(nm);
        e->value = TAKE_PTR(v);
        return 0;
}

/* --- labels and annotations --- */

int appc_labels_validate(const AppcKV *l, size_t n, const AppcPath *prefix, const char *field,
                         RktError **reterr) {
        size_t os_i = SIZE_MAX, arch_i = SIZE_MAX;
        char problem[256];
        int r;

        for (size_t i = 0; i < n; i++) {
                const AppcPath *p = APPC_PATH_AT(prefix, field, i, ".name");

                r = appc_check_ac_identifier(l[i].name, p, reterr);
                if (r < 0)
                        return r;
                if (streq(l[i].name, "name"))
                        return json_fail(reterr, "%s %s: not allowed as a label name (it is the image name)",
                                         APPC_PATH_TEXT(p), JSON_QUOTE(l[i].name));
                for (size_t j = 0; j < i; j++)
                        if (streq(l[i].name, l[j].name))
                                return json_fail(reterr, "%s %s: duplicate label", APPC_PATH_TEXT(p),
                                                 JSON_QUOTE(l[i].name));
                if (!l[i].value)
                        return json_fail(reterr, "%s%s[%zu].value: must be set", APPC_PATH_TEXT(prefix),
                                         field, i);
                if (streq(l[i].name, "os"))
                        os_i = i;
                else if (streq(l[i].name, "arch"))
                        arch_i = i;
        }
        if (os_i == SIZE_MAX)
                return 0;
        if (appc_os_arch_problem(l[os_i].value, NULL, problem, sizeof(problem)) < 0)
                return json_fail(reterr, "%s%s[%zu].value %s: %s", APPC_PATH_TEXT(prefix), field, os_i,
                                 JSON_QUOTE(l[os_i].value), problem);
        if (arch_i != SIZE_MAX &&
            appc_os_arch_problem(l[os_i].value, l[arch_i].value, problem, sizeof(problem)) < 0)
                return json_fail(reterr, "%s%s[%zu].value %s: %s", APPC_PATH_TEXT(prefix), field, arch_i,
                                 JSON_QUOTE(l[arch_i].value), problem);
        return 0;
}

int appc_annotations_validate(const AppcKV *a, size_t n, const AppcPath *prefix, const char *field,
                              RktError **reterr) {
        int r;

        for (size_t i = 0; i < n; i++) {
                const AppcPath *p = APPC_PATH_AT(prefix, field, i, ".name");
                const AppcPath *pv = APPC_PATH_AT(prefix, field, i, ".value");

                r = appc_check_ac_identifier(a[i].name, p, reterr);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < i; j++)
                        if (streq(a[i].name, a[j].name))
                                return json_fail(reterr, "%s %s: duplicate annotation", APPC_PATH_TEXT(p),
                                                 JSON_QUOTE(a[i].name));
                if (!a[i].value)
                        return json_fail(reterr, "%s: must be set", APPC_PATH_TEXT(pv));
                if (streq(a[i].name, "created") && !appc_date_valid(a[i].value))
                        return json_fail(reterr, "%s %s: not an RFC 3339 date (annotation 'created')",
                                         APPC_PATH_TEXT(pv), JSON_QUOTE(a[i].value));
                if ((streq(a[i].name, "homepage") || streq(a[i].name, "documentation")) &&
                    !appc_url_valid(a[i].value))
                        return json_fail(reterr, "%s %s: not an http or https URL (annotation '%s')",
                                         APPC_PATH_TEXT(pv), JSON_QUOTE(a[i].value), a[i].name);
        }
        return 0;
}

int appc_user_kv_validate(const AppcKV *kv, size_t n, const AppcPath *prefix, const char *field,
                          RktError **reterr) {
        for (size_t i = 0; i < n; i++) {
                if (!kv[i].name || !kv[i].value)
                        return json_fail(reterr, "%s%s: entry %zu has no key or no value",
                                         APPC_PATH_TEXT(prefix), field, i);
                for (size_t j = 0; j < i; j++)
                        if (streq(kv[i].name, kv[j].name))
                                return json_fail(reterr, "%s%s.%s: duplicate key", APPC_PATH_TEXT(prefix),
                                                 field, kv[i].name);
        }
        return 0;
}

/* --- ports --- */

static const JsonField port_fields[] = {
        JSON_FIELD("name", STRING, AppcPort, name),
        JSON_FIELD("protocol", STRING, AppcPort, protocol),
        JSON_FIELD("port", UINT, AppcPort, port, .max = UINT32_MAX),
        JSON_FIELD("count", UINT, AppcPort, count, .max = UINT32_MAX),
        JSON_FIELD("socketActivated", BOOL, AppcPort, socket_activated),
        {},
};

/* appc: an absent (or zero) count is one port */
static int port_finish(void *p) {
        AppcPort *port = p;

        if (port->count == 0)
                port->count = 1;
        return 0;
}

const JsonTable appc_port_type = {.size = sizeof(AppcPort), .fields = port_fields, .finish = port_finish};

int appc_port_validate(const AppcPort *p, const AppcPath *prefix, RktError **reterr) {
        int r;

        r = appc_check_ac_name(p->name, APPC_PATH(prefix, "name"), reterr);
        if (r < 0)
                return r;
        r = appc_check_set(p->protocol, APPC_PATH(prefix, "protocol"), reterr);
        if (r < 0)
                return r;
        if (p->port < 1 || p->port > 65535)
                return json_fail(reterr, "%sport: must be between 1 and 65535, got %u",
                                 APPC_PATH_TEXT(prefix), p->port);
        if (p->count < 1)
                return json_fail(reterr, "%scount: must be at least 1", APPC_PATH_TEXT(prefix));
        if ((uint64_t) p->port + p->count - 1 > 65535)
                return json_fail(reterr, "%scount: the range of %u ports from %u ends beyond 65535",
                                 APPC_PATH_TEXT(prefix), p->count, p->port);
        return 0;
}

/* --- the app section --- */

static const JsonField event_handler_fields[] = {
        JSON_FIELD("name", STRING, AppcEventHandler, name),
        JSON_FIELD("exec", STRV, AppcEventHandler, exec),
        {},
};

static const JsonTable event_handler_type = {.size = sizeof(AppcEventHandler),
                                             .fields = event_handler_fields};

static const JsonField mount_point_fields[] = {
        JSON_FIELD("name", STRING, AppcMountPoint, name),
        JSON_FIELD("path", STRING, AppcMountPoint, path),
        JSON_FIELD("readOnly", BOOL, AppcMountPoint, read_only, .flags = JSON_OMITEMPTY),
        {},
};

static const JsonTable mount_point_type = {.size = sizeof(AppcMountPoint), .fields = mount_point_fields};

static const JsonField app_fields[] = {
        JSON_FIELD("exec", STRV, AppcApp, exec),
        JSON_LIST("eventHandlers", ARRAY, AppcApp, event_handlers, .flags = JSON_OMITEMPTY,
                  .elem = &event_handler_type),
        JSON_FIELD("user", STRING, AppcApp, user),
        JSON_FIELD("group", STRING, AppcApp, group),
        JSON_LIST("supplementaryGIDs", UINT32_ARRAY, AppcApp, supplementary_gids, .flags = JSON_OMITEMPTY),
        JSON_FIELD("workingDirectory", STRING, AppcApp, working_directory,
                   .flags = JSON_OMITEMPTY | JSON_EMPTY_IS_NULL),
        JSON_LIST("environment", KV_ARRAY, AppcApp, environment, .flags = JSON_OMITEMPTY),
        JSON_LIST("mountPoints", ARRAY, AppcApp, mount_points, .flags = JSON_OMITEMPTY,
                  .elem = &mount_point_type),
        JSON_LIST("ports", ARRAY, AppcApp, ports, .flags = JSON_OMITEMPTY, .elem = &appc_port_type),
        JSON_LIST("isolators", CUSTOM, AppcApp, isolators, .ops = &appc_isolators_ops,
                  .flags = JSON_OMITEMPTY),
        JSON_LIST("userAnnotations", KV_MAP, AppcApp, user_annotations, .flags = JSON_OMITEMPTY),
        JSON_LIST("userLabels", KV_MAP, AppcApp, user_labels, .flags = JSON_OMITEMPTY),
        {},
};

const JsonTable appc_app_type = {.size = sizeof(AppcApp), .fields = app_fields};

AppcApp *appc_app_new(void) {
        return calloc(1, sizeof(AppcApp));
}

AppcApp *appc_app_free(AppcApp *a) {
        return json_table_free(&appc_app_type, a);
}

int appc_app_validate_at(const AppcApp *a, const AppcPath *prefix, RktError **reterr) {
        int r;

        r = appc_check_set(a->user, APPC_PATH(prefix, "user"), reterr);
        if (r < 0)
                return r;
        r = appc_check_set(a->group, APPC_PATH(prefix, "group"), reterr);
        if (r < 0)
                return r;
        if (a->working_directory && a->working_directory[0] != '/')
                return json_fail(reterr, "%sworkingDirectory %s: must be an absolute path",
                                 APPC_PATH_TEXT(prefix), JSON_QUOTE(a->working_directory));
        for (size_t i = 0; i < a->n_event_handlers; i++) {
                const AppcPath *p = APPC_PATH_AT(prefix, "eventHandlers", i, ".name");
                const char *name = a->event_handlers[i].name;

                r = appc_check_set(name, p, reterr);
                if (r < 0)
                        return r;
                if (!streq(name, "pre-start") && !streq(name, "post-stop"))
                        return json_fail(reterr, "%s %s: must be \"pre-start\" or \"post-stop\"",
                                         APPC_PATH_TEXT(p), JSON_QUOTE(name));
                for (size_t j = 0; j < i; j++)
                        if (streq(name, a->event_handlers[j].name))
                                return json_fail(reterr,
                                                 "%s %s: only one event handler of a name is allowed",
                                                 APPC_PATH_TEXT(p), JSON_QUOTE(name));
        }
        for (size_t i = 0; i < a->n_environment; i++) {
                const AppcPath *p = APPC_PATH_AT(prefix, "environment", i, ".name");
                const char *name = a->environment[i].name;

                r = appc_check_set(name, p, reterr);
                if (r < 0)
                        return r;
                if (!appc_env_name_valid(name))
                        return json_fail(
                                reterr,
                                "%s %s: not a valid environment variable name (letters, digits, '_', "
                                "'.' and '-', not starting with a digit, '.' or '-')",
                                APPC_PATH_TEXT(p), JSON_QUOTE(name));
                for (size_t j = 0; j < i; j++)
                        if (streq(name, a->environment[j].name))
                                return json_fail(reterr, "%s %s: duplicate environment variable",
                                                 APPC_PATH_TEXT(p), JSON_QUOTE(name));
                if (!a->environment[i].value)
                        return json_fail(reterr, "%senvironment[%zu].value: must be set",
                                         APPC_PATH_TEXT(prefix), i);
        }
        r = appc_isolators_validate(a->isolators, a->n_isolators, prefix, true, reterr);
        if (r < 0)
                return r;
        for (size_t i = 0; i < a->n_mount_points; i++) {
                r = appc_check_ac_name(a->mount_points[i].name,
                                       APPC_PATH_AT(prefix, "mountPoints", i, ".name"), reterr);
                if (r < 0)
                        return r;
                r = appc_check_set(a->mount_points[i].path, APPC_PATH_AT(prefix, "mountPoints", i, ".path"),
                                   reterr);
                if (r < 0)
                        return r;
                /* One name, one volume: a name declared twice would mount the same volume at two places,
                 * one of them reached through the other's content (a symlink a former run left there). */
                for (size_t j = 0; j < i; j++)
                        if (streq(a->mount_points[i].name, a->mount_points[j].name))
                                return json_fail(
                                        reterr, "%smountPoints[%zu].name %s: duplicate mount point name",
                                        APPC_PATH_TEXT(prefix), i, JSON_QUOTE(a->mount_points[i].name));
        }
        for (size_t i = 0; i < a->n_ports; i++) {
                r = appc_port_validate(&a->ports[i], APPC_PATH_AT(prefix, "ports", i, "."), reterr);
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
        return appc_app_validate_at(a, APPC_PATH(NULL, "app."), reterr);
}

int appc_app_copy(const AppcApp *a, AppcApp **ret) {
        _cleanup_(appc_app_freep) AppcApp *c = NULL;
        int r;

        c = appc_app_new();
        if (!c)
                return -ENOMEM;
        r = json_table_copy(&appc_app_type, a, c);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

bool appc_app_equal(const AppcApp *a, const AppcApp *b) {
        return json_table_equal_ptr(&appc_app_type, a, b);
}
