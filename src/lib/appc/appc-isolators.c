/* SPDX-License-Identifier: Apache-2.0 */
/* The isolators of the app section: parsing and validating each type's value, writing them back. */
#include <inttypes.h>
#include <stdarg.h>

#include "appc-internal.h"

/* --- isolators (schema/types/isolator*.go, plus os/linux/apparmor-profile from the spec after 0.8.11) ---
 */

static const char *const isolator_names[_APPC_ISOLATOR_TYPE_MAX] = {
        [APPC_ISOLATOR_RESOURCE_CPU] = "resource/cpu",
        [APPC_ISOLATOR_RESOURCE_MEMORY] = "resource/memory",
        [APPC_ISOLATOR_RESOURCE_BLOCK_BANDWIDTH] = "resource/block-bandwidth",
        [APPC_ISOLATOR_RESOURCE_BLOCK_IOPS] = "resource/block-iops",
        [APPC_ISOLATOR_RESOURCE_NETWORK_BANDWIDTH] = "resource/network-bandwidth",
        [APPC_ISOLATOR_CAPABILITIES_RETAIN_SET] = "os/linux/capabilities-retain-set",
        [APPC_ISOLATOR_CAPABILITIES_REMOVE_SET] = "os/linux/capabilities-remove-set",
        [APPC_ISOLATOR_NO_NEW_PRIVILEGES] = "os/linux/no-new-privileges",
        [APPC_ISOLATOR_SECCOMP_RETAIN_SET] = "os/linux/seccomp-retain-set",
        [APPC_ISOLATOR_SECCOMP_REMOVE_SET] = "os/linux/seccomp-remove-set",
        [APPC_ISOLATOR_OOM_SCORE_ADJ] = "os/linux/oom-score-adj",
        [APPC_ISOLATOR_CPU_SHARES] = "os/linux/cpu-shares",
        [APPC_ISOLATOR_SELINUX_CONTEXT] = "os/linux/selinux-context",
        [APPC_ISOLATOR_APPARMOR_PROFILE] = "os/linux/apparmor-profile",
        [APPC_ISOLATOR_UNIX_SYSCTL] = "os/unix/sysctl",
};

const char *appc_isolator_type_to_name(AppcIsolatorType t) {
        if (t <= APPC_ISOLATOR_UNKNOWN || t >= _APPC_ISOLATOR_TYPE_MAX)
                return NULL;
        return isolator_names[t];
}

AppcIsolatorType appc_isolator_type_from_name(const char *name) {
        for (AppcIsolatorType t = APPC_ISOLATOR_UNKNOWN + 1; t < _APPC_ISOLATOR_TYPE_MAX; t++)
                if (streq_ptr(name, isolator_names[t]))
                        return t;
        return APPC_ISOLATOR_UNKNOWN;
}

static bool isolator_multiple_allowed(AppcIsolatorType t) {
        switch (t) {
        case APPC_ISOLATOR_SECCOMP_RETAIN_SET:
        case APPC_ISOLATOR_SECCOMP_REMOVE_SET:
        case APPC_ISOLATOR_OOM_SCORE_ADJ:
        case APPC_ISOLATOR_CPU_SHARES:
        case APPC_ISOLATOR_SELINUX_CONTEXT:
        case APPC_ISOLATOR_APPARMOR_PROFILE:
        case APPC_ISOLATOR_UNIX_SYSCTL:
                return false;
        default:
                return true;
        }
}

static AppcIsolatorType isolator_conflict(AppcIsolatorType t) {
        if (t == APPC_ISOLATOR_SECCOMP_RETAIN_SET)
                return APPC_ISOLATOR_SECCOMP_REMOVE_SET;
        if (t == APPC_ISOLATOR_SECCOMP_REMOVE_SET)
                return APPC_ISOLATOR_SECCOMP_RETAIN_SET;
        return APPC_ISOLATOR_UNKNOWN;
}

static void isolator_value_done(AppcIsolator *i) {
        switch (i->type) {
        case APPC_ISOLATOR_RESOURCE_CPU:
        case APPC_ISOLATOR_RESOURCE_MEMORY:
        case APPC_ISOLATOR_RESOURCE_BLOCK_BANDWIDTH:
        case APPC_ISOLATOR_RESOURCE_BLOCK_IOPS:
        case APPC_ISOLATOR_RESOURCE_NETWORK_BANDWIDTH:
                free(i->resource.request);
                free(i->resource.limit);
                break;
        case APPC_ISOLATOR_CAPABILITIES_RETAIN_SET:
        case APPC_ISOLATOR_CAPABILITIES_REMOVE_SET:
                strv_free(i->caps);
                break;
        case APPC_ISOLATOR_SECCOMP_RETAIN_SET:
        case APPC_ISOLATOR_SECCOMP_REMOVE_SET:
                strv_free(i->seccomp.set);
                free(i->seccomp.errno_name);
                break;
        case APPC_ISOLATOR_SELINUX_CONTEXT:
                free(i->selinux.user);
                free(i->selinux.role);
                free(i->selinux.type);
                free(i->selinux.level);
                break;
        case APPC_ISOLATOR_APPARMOR_PROFILE:
                free(i->apparmor_profile);
                break;
        case APPC_ISOLATOR_UNIX_SYSCTL:
                name_value_array_free(i->sysctl.entries, i->sysctl.n_entries);
                break;
        default:
                break;
        }
}

static void isolator_done(AppcIsolator *i) {
        isolator_value_done(i);
        free(i->name);
        free(i->value_json);
        *i = (AppcIsolator){};
}

/* A quantity may be written as a JSON string or a bare number; Go trims the spaces around it. */
static int read_quantity(json_object *v, const char *path, char **ret, RktError **reterr) {
        const char *s, *problem;
        size_t len;

        if (!v)
                return 0;
        if (json_object_is_type(v, json_type_string))
                s = json_object_get_string(v);
        else if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
                s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
        else
                return json_fail(reterr, "%s: must be a quantity string such as \"500m\" or \"1Gi\"", path);
        s += strspn(s, " \t\n\v\f\r");
        len = strlen(s);
        while (len > 0 && strchr(" \t\n\v\f\r", s[len - 1]))
                len--;
        *ret = strndup(s, len);
        if (!*ret)
                return -ENOMEM;
        problem = appc_quantity_problem(*ret);
        if (problem)
                return json_fail(reterr, "%s %s: not a valid quantity (%s)", path, JSON_QUOTE(*ret),
                                 problem);
        return 0;
}

static int read_selinux_part(json_object *o, const char *key, const char *path, bool colon_ok, char **ret,
                             RktError **reterr) {
        const char *p = JSON_PATH("%s.%s", path, key);
        int r;

        r = json_read_string(json_member(o, key), p, ret, reterr);
        if (r < 0)
                return r;
        if (isempty(*ret))
                return json_fail(reterr, "%s: must be set", p);
        if (!colon_ok && strchr(*ret, ':'))
                return json_fail(reterr, "%s %s: must not contain ':'", p, JSON_QUOTE(*ret));
        return 0;
}

/* Reads the value of a known isolator into the union of i (whose type is set) and checks it against that
 * isolator's schema. path names the value. */
static int isolator_interpret(AppcIsolator *i, json_object *v, const char *path, RktError **reterr) {
        const char *name = isolator_names[i->type];
        int64_t n;
        int r;

        if (i->type == APPC_ISOLATOR_UNKNOWN)
                return 0;
        if (!v)
                return json_fail(reterr, "%s: must be set for %s", path, name);

        switch (i->type) {
        case APPC_ISOLATOR_RESOURCE_CPU:
        case APPC_ISOLATOR_RESOURCE_MEMORY:
        case APPC_ISOLATOR_RESOURCE_BLOCK_BANDWIDTH:
        case APPC_ISOLATOR_RESOURCE_BLOCK_IOPS:
        case APPC_ISOLATOR_RESOURCE_NETWORK_BANDWIDTH: {
                bool default_required =
                        i->type != APPC_ISOLATOR_RESOURCE_CPU && i->type != APPC_ISOLATOR_RESOURCE_MEMORY;

                r = json_expect(v, json_type_object, path, reterr);
                if (r < 0)
                        return r;
                r = json_read_bool(json_member(v, "default"), JSON_PATH("%s.default", path),
                                   &i->resource.is_default, reterr);
                if (r < 0)
                        return r;
                r = read_quantity(json_member(v, "request"), JSON_PATH("%s.request", path),
                                  &i->resource.request, reterr);
                if (r < 0)
                        return r;
                r = read_quantity(json_member(v, "limit"), JSON_PATH("%s.limit", path), &i->resource.limit,
                                  reterr);
                if (r < 0)
                        return r;
                if (!default_required && i->resource.is_default)
                        return json_fail(reterr, "%s.default: must be false for %s", path, name);
                if (default_required && !i->resource.is_default)
                        return json_fail(reterr, "%s.default: must be true for %s", path, name);
                if (default_required && i->resource.request)
                        return json_fail(reterr, "%s.request: not supported by %s", path, name);
                return 0;
        }
        case APPC_ISOLATOR_CAPABILITIES_RETAIN_SET:
        case APPC_ISOLATOR_CAPABILITIES_REMOVE_SET:
                r = json_expect(v, json_type_object, path, reterr);
                if (r < 0)
                        return r;
                r = json_read_strv(json_member(v, "set"), JSON_PATH("%s.set", path), &i->caps, reterr);
                if (r < 0)
                        return r;
                if (strv_length(i->caps) == 0)
                        return json_fail(reterr, "%s.set: must not be empty for %s", path, name);
                return 0;
        case APPC_ISOLATOR_NO_NEW_PRIVILEGES:
                return json_read_bool(v, path, &i->no_new_privileges, reterr);
        case APPC_ISOLATOR_SECCOMP_RETAIN_SET:
        case APPC_ISOLATOR_SECCOMP_REMOVE_SET: {
                const char *e;

                r = json_expect(v, json_type_object, path, reterr);
                if (r < 0)
                        return r;
                r = json_read_strv(json_member(v, "set"), JSON_PATH("%s.set", path), &i->seccomp.set,
                                   reterr);
                if (r < 0)
                        return r;
                if (strv_length(i->seccomp.set) == 0)
                        return json_fail(reterr, "%s.set: must not be empty for %s", path, name);
                r = json_read_string(json_member(v, "errno"), JSON_PATH("%s.errno", path),
                                     &i->seccomp.errno_name, reterr);
                if (r < 0)
                        return r;
                e = i->seccomp.errno_name;
                if (isempty(e)) {
                        i->seccomp.errno_name = mfree(i->seccomp.errno_name);
                        return 0;
                }
                if (e[0] != 'E' || strspn(e, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(e))
                        return json_fail(
                                reterr,
                                "%s.errno %s: must be an errno name: 'E' and upper case letters or digits",
                                path, JSON_QUOTE(e));
                return 0;
        }
        case APPC_ISOLATOR_OOM_SCORE_ADJ:
                r = json_read_int(v, path, -1000, 1000, &n, reterr);
                if (r < 0)
                        return r;
                i->oom_score_adj = (int) n;
                return 0;
        case APPC_ISOLATOR_CPU_SHARES:
                r = json_read_int(v, path, 2, 262144, &n, reterr);
                if (r < 0)
                        return r;
                i->cpu_shares = (int) n;
                return 0;
        case APPC_ISOLATOR_SELINUX_CONTEXT:
                r = json_expect(v, json_type_object, path, reterr);
                if (r < 0)
                        return r;
                r = read_selinux_part(v, "user", path, false, &i->selinux.user, reterr);
                if (r < 0)
                        return r;
                r = read_selinux_part(v, "role", path, false, &i->selinux.role, reterr);
                if (r < 0)
                        return r;
                r = read_selinux_part(v, "type", path, false, &i->selinux.type, reterr);
                if (r < 0)
                        return r;
                return read_selinux_part(v, "level", path, true, &i->selinux.level, reterr);
        case APPC_ISOLATOR_APPARMOR_PROFILE:
                r = json_expect(v, json_type_object, path, reterr);
                if (r < 0)
                        return r;
                r = json_read_string(json_member(v, "profile"), JSON_PATH("%s.profile", path),
                                     &i->apparmor_profile, reterr);
                if (r < 0)
                        return r;
                if (isempty(i->apparmor_profile))
                        return json_fail(reterr, "%s.profile: must be set for %s", path, name);
                return 0;
        case APPC_ISOLATOR_UNIX_SYSCTL:
                return json_read_kv_map(v, path, &i->sysctl.entries, &i->sysctl.n_entries, reterr);
        default:
                return 0;
        }
}

/* Fills i from a name and a parsed value: the name is checked, value_json canonicalized, the value
 * interpreted. On failure i holds what was read so far and must be cleaned up by the caller. */
static int isolator_fill(AppcIsolator *i, const char *name, json_object *value, const char *path,
                         RktError **reterr) {
        int r;

        r = appc_check_ac_identifier(name, APPC_PATH_AT(NULL, path, APPC_NO_INDEX, ".name"), reterr);
        if (r < 0)
                return r;
        if (!i->name) {
                i->name = strdup(name);
                if (!i->name)
                        return -ENOMEM;
        }
        i->value_json = json_text(value);
        if (!i->value_json)
                return -ENOMEM;
        i->type = appc_isolator_type_from_name(name);
        return isolator_interpret(i, value, JSON_PATH("%s.value", path), reterr);
}

/* Re-reads value_json: the typed union is derived from it, so this also deep-copies and validates. */
static int isolator_from_text(AppcIsolator *i, const char *name, const char *value_json, const char *path,
                              RktError **reterr) {
        _cleanup_(json_object_putp) json_object *v = NULL;
        int r;

        if (!value_json)
                return json_fail(reterr, "%s.value: must be set", path);
        r = json_parse_strict_value(value_json, strlen(value_json), JSON_PATH("%s.value", path), &v, reterr);
        if (r < 0)
                return r;
        return isolator_fill(i, name, v, path, reterr);
}

static int isolator_from_json(json_object *e, const char *path, void *elem, const void *userdata,
                              RktError **reterr) {
        _cleanup_free_ char *name = NULL;
        int r;

        r = json_expect(e, json_type_object, path, reterr);
        if (r < 0)
                return r;
        r = json_read_string(json_member(e, "name"), JSON_PATH("%s.name", path), &name, reterr);
        if (r < 0)
                return r;
        return isolator_fill(elem, name, json_member(e, "value"), path, reterr);
}

int appc_isolators_from_json(json_object *v, const char *path, AppcIsolator **ret, size_t *ret_n,
                             RktError **reterr) {
        return json_read_array(v, path, sizeof(AppcIsolator), isolator_from_json, NULL, ret, ret_n, reterr);
}

int appc_isolators_validate(const AppcIsolator *is, size_t n, const AppcPath *prefix, bool app_rules,
                            RktError **reterr) {
        int r;

        for (size_t i = 0; i < n; i++) {
                const char *p = APPC_PATH_TEXT(APPC_PATH_AT(prefix, "isolators", i, NULL));
                AppcIsolator scratch = {};
                AppcIsolatorType t;

                r = isolator_from_text(&scratch, is[i].name, is[i].value_json, p, reterr);
                isolator_done(&scratch);
                if (r < 0)
                        return r;
                t = appc_isolator_type_from_name(is[i].name);
                if (t != is[i].type)
                        return json_fail(reterr, "%s.name %s: does not match the isolator's type", p,
                                         JSON_QUOTE(is[i].name));
                if (!app_rules)
                        continue;
                for (size_t j = 0; j < i; j++) {
                        if (!isolator_multiple_allowed(t) && streq(is[j].name, is[i].name))
                                return json_fail(reterr,
                                                 "%s.name %s: only one such isolator is allowed in an app",
                                                 p, JSON_QUOTE(is[i].name));
                        if (isolator_conflict(t) != APPC_ISOLATOR_UNKNOWN &&
                            is[j].type == isolator_conflict(t))
                                return json_fail(reterr, "%s.name %s: conflicts with %s in %sisolators[%zu]",
                                                 p, JSON_QUOTE(is[i].name), JSON_QUOTE(is[j].name),
                                                 APPC_PATH_TEXT(prefix), j);
                }
        }
        return 0;
}

void appc_isolators_remove(AppcIsolator **is, size_t *n, const char *name) {
        size_t k = 0;

        for (size_t i = 0; i < *n; i++) {
                if (streq((*is)[i].name, name)) {
                        isolator_done(&(*is)[i]);
                        continue;
                }
                (*is)[k++] = (*is)[i];
        }
        *n = k;
}

void appc_isolators_free(AppcIsolator *is, size_t n) {
        for (size_t i = 0; i < n; i++)
                isolator_done(&is[i]);
        free(is);
}

int appc_isolators_copy(const AppcIsolator *is, size_t n, AppcIsolator **ret, size_t *ret_n) {
        AppcIsolator *c = NULL;
        int r;

        if (n > 0) {
                c = calloc(n, sizeof(*c));
                if (!c)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                r = isolator_from_text(&c[i], is[i].name, is[i].value_json, "isolator", NULL);
                if (r < 0) {
                        appc_isolators_free(c, n);
                        return r;
                }
        }
        *ret = c;
        *ret_n = n;
        return 0;
}

bool appc_isolators_equal(const AppcIsolator *a, size_t na, const AppcIsolator *b, size_t nb) {
        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (!streq_ptr(a[i].name, b[i].name) || !streq_ptr(a[i].value_json, b[i].value_json) ||
                    a[i].type != b[i].type)
                        return false;
        return true;
}

void appc_jw_isolators(JsonWriter *w, const AppcIsolator *is, size_t n) {
        jw_begin_array(w);
        for (size_t i = 0; i < n; i++)
                jw_name_value(w, is[i].name, is[i].value_json, true);
        jw_end_array(w);
}

int appc_isolators_add(AppcIsolator **isolators, size_t *n, const char *name, const char *value_json,
                       RktError **reterr) {
        _cleanup_(json_object_putp) json_object *v = NULL;
        AppcIsolator i = {}, *e;
        const char *what = JSON_PATH("isolator %s", JSON_QUOTE(name));
        int r;

        r = json_parse_strict_value(value_json, strlen(value_json), JSON_PATH("%s value", what), &v, reterr);
        if (r < 0)
                return r;
        r = isolator_fill(&i, name, v, what, reterr);
        if (r < 0) {
                isolator_done(&i);
                return r;
        }
        e = array_append_zero(isolators, n, sizeof(**isolators));
        if (!e) {
                isolator_done(&i);
                return -ENOMEM;
        }
        *e = i;
        return 0;
}

const AppcIsolator *appc_isolator_get(const AppcIsolator *isolators, size_t n, const char *name) {
        for (size_t i = n; i > 0; i--)
                if (streq_ptr(isolators[i - 1].name, name))
                        return &isolators[i - 1];
        return NULL;
}

static int isolators_parse(json_object *v, const char *path, void *array_ptr, size_t *n, RktError **reterr) {
        return appc_isolators_from_json(v, path, array_ptr, n, reterr);
}

static void isolators_done(void *array, size_t n) {
        appc_isolators_free(array, n);
}

static int isolators_copy(const void *array, size_t n, void *ret_array_ptr, size_t *ret_n) {
        return appc_isolators_copy(array, n, ret_array_ptr, ret_n);
}

static bool isolators_equal(const void *a, size_t na, const void *b, size_t nb) {
        return appc_isolators_equal(a, na, b, nb);
}

static void isolators_write(JsonWriter *w, const void *array, size_t n) {
        appc_jw_isolators(w, array, n);
}

const JsonFieldOps appc_isolators_ops = {
        .parse = isolators_parse,
        .done = isolators_done,
        .copy = isolators_copy,
        .equal = isolators_equal,
        .write = isolators_write,
};
