/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <json-c/json.h>
#include <stdio.h>

#include "cleanup.h"
#include "pod-manifest.h"
#include "macro.h"
#include "strv.h"
#include "util.h"

int app_name_from_image_name(const char *image_name, char **ret) {
        const char *base = strrchr(image_name, '/');
        return appc_sanitize_ac_name(base ? base + 1 : image_name, ret);
}

int env_file_parse(const char *text, const char *filename, AppcKV **kv, size_t *n, RktError **reterr) {
        _cleanup_strv_free_ char **seen = NULL;
        unsigned line = 0;

        for (const char *p = text; *p;) {
                size_t len = strcspn(p, "\n");
                _cleanup_free_ char *l = strndup(p, len);
                char *s, *eq, *end;
                int r;

                line++;
                p += len + (p[len] == '\n');
                if (!l)
                        return -ENOMEM;
                for (s = l; isspace((unsigned char) *s); s++)
                        ;
                end = s + strlen(s);
                while (end > s && isspace((unsigned char) end[-1]))
                        *--end = 0;
                if (!*s || *s == '#' || *s == ';')
                        continue;
                eq = strchr(s, '=');
                if (!eq || eq == s)
                        return rkt_error_set(reterr, -EINVAL, "'%s' line %u: expected KEY=VALUE", filename,
                                             line);
                *eq = 0;
                if (!appc_env_name_valid(s))
                        return rkt_error_set(reterr, -EINVAL,
                                             "'%s' line %u: '%s' is not a valid variable name", filename,
                                             line, s);
                if (strv_contains(seen, s))
                        return rkt_error_set(reterr, -EINVAL, "'%s' line %u: '%s' is set twice", filename,
                                             line, s);
                r = strv_extend(&seen, s);
                if (r >= 0)
                        r = appc_kv_set(kv, n, s, eq + 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* "--memory=1G" -> resource/memory {"limit": "1G"}, and so on, as rkt 1.30 maps its isolator flags. */
static int isolator_json(const char *flag, const char *value, char **ret_name, char **ret_json,
                         RktError **reterr) {
        _cleanup_(json_object_putp) json_object *o = NULL;
        const char *name;

        if (streq(flag, "memory") || streq(flag, "cpu")) {
                name = streq(flag, "memory") ? "resource/memory" : "resource/cpu";
                o = json_object_new_object();
                json_object_object_add(o, "limit", json_object_new_string(value));
        } else if (streq(flag, "cpu-shares") || streq(flag, "oom-score-adj")) {
                int64_t v;
                if (parse_int64(value, &v) < 0)
                        return rkt_error_set(reterr, -EINVAL, "--%s '%s': not an integer", flag, value);
                name = streq(flag, "cpu-shares") ? "os/linux/cpu-shares" : "os/linux/oom-score-adj";
                o = json_object_new_int64(v);
        } else if (streq(flag, "caps-retain") || streq(flag, "caps-remove")) {
                _cleanup_strv_free_ char **caps = NULL;
                json_object *set;
                name = streq(flag, "caps-retain") ? "os/linux/capabilities-retain-set"
                                                  : "os/linux/capabilities-remove-set";
                if (strv_split(value, ",", &caps) < 0)
                        return -ENOMEM;
                o = json_object_new_object();
                set = json_object_new_array();
                STRV_FOREACH(c, caps) {
                        _cleanup_free_ char *up = NULL;
                        /* rkt accepts "net_admin" and "CAP_NET_ADMIN" alike. */
                        if (asprintf(&up, "%s%s",
                                     startswith(*c, "CAP_") || startswith(*c, "cap_") ? "" : "CAP_", *c) < 0)
                                return -ENOMEM;
                        for (char *q = up; *q; q++)
                                *q = (char) toupper((unsigned char) *q);
                        json_object_array_add(set, json_object_new_string(up));
                }
                json_object_object_add(o, "set", set);
        } else if (streq(flag, "seccomp")) {
                _cleanup_strv_free_ char **parts = NULL;
                const char *mode = NULL, *err = NULL;
                json_object *set = json_object_new_array();
                if (strv_split(value, ",", &parts) < 0) {
                        json_object_put(set);
                        return -ENOMEM;
                }
                o = json_object_new_object();
                json_object_object_add(o, "set", set);
                STRV_FOREACH(w, parts) {
                        if (startswith(*w, "mode="))
                                mode = *w + 5;
                        else if (startswith(*w, "errno="))
                                err = *w + 6;
                        else
                                json_object_array_add(set, json_object_new_string(*w));
                }
                if (!mode || (!streq(mode, "retain") && !streq(mode, "remove")))
                        return rkt_error_set(reterr, -EINVAL,
                                             "--seccomp '%s': needs mode=retain or mode=remove", value);
                name = streq(mode, "retain") ? "os/linux/seccomp-retain-set" : "os/linux/seccomp-remove-set";
                if (err)
                        json_object_object_add(o, "errno", json_object_new_string(err));
        } else
                return -EINVAL;
        *ret_name = strdup(name);
        *ret_json = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        return *ret_name && *ret_json ? 0 : -ENOMEM;
}

static int apply_isolator(AppcApp *app, const char *flag, const char *value, RktError **reterr) {
        _cleanup_free_ char *name = NULL, *json = NULL;
        int r;

        if (!value)
                return 0;
        r = isolator_json(flag, value, &name, &json, reterr);
        if (r < 0)
                return r;
        /* The retain and remove sets of a kind exclude each other: a flag replaces both. */
        if (startswith(name, "os/linux/capabilities-")) {
                appc_isolators_remove(&app->isolators, &app->n_isolators,
                                      "os/linux/capabilities-retain-set");
                appc_isolators_remove(&app->isolators, &app->n_isolators,
                                      "os/linux/capabilities-remove-set");
        } else if (startswith(name, "os/linux/seccomp-")) {
                appc_isolators_remove(&app->isolators, &app->n_isolators, "os/linux/seccomp-retain-set");
                appc_isolators_remove(&app->isolators, &app->n_isolators, "os/linux/seccomp-remove-set");
        } else
                appc_isolators_remove(&app->isolators, &app->n_isolators, name);
        r = appc_isolators_add(&app->isolators, &app->n_isolators, name, json, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "--%s '%s'", flag, value);
        return 0;
}

static int set_string(char **field, const char *value) {
        char *c;
        if (!value)
                return 0;
        c = strdup(value);
        if (!c)
                return -ENOMEM;
        free(*field);
        *field = c;
        return 0;
}

/* The image's app section with the command line's overrides. */
static int effective_app(const AppSpec *a, const PodSpec *pod, AppcApp **ret, RktError **reterr) {
        _cleanup_(appc_app_freep) AppcApp *app = NULL;
        int r;

        if (a->manifest->app)
                r = appc_app_copy(a->manifest->app, &app);
        else {
                if (!a->exec)
                        return rkt_error_set(
                                reterr, -EINVAL,
                                "image '%s' has no app section: give the command to run with --exec",
                                a->image);
                app = appc_app_new();
                r = app ? 0 : -ENOMEM;
                if (r >= 0)
                        r = set_string(&app->user, "0");
                if (r >= 0)
                        r = set_string(&app->group, "0");
        }
        if (r < 0)
                return r;
        if (a->exec) {
                app->exec = strv_free(app->exec);
                if (strv_extend(&app->exec, a->exec) < 0)
                        return -ENOMEM;
        }
        STRV_FOREACH(arg, a->args)
        if (strv_extend(&app->exec, *arg) < 0)
                return -ENOMEM;
        if (!app->exec || !app->exec[0])
                return rkt_error_set(reterr, -EINVAL,
                                     "image '%s' has no command to run: give one with --exec", a->image);
        if ((r = set_string(&app->user, a->user)) < 0 || (r = set_string(&app->group, a->group)) < 0 ||
            (r = set_string(&app->working_directory, a->working_dir)) < 0)
                return r;
        if (a->supplementary_gids) {
                _cleanup_strv_free_ char **gids = NULL;
                if (strv_split(a->supplementary_gids, ",", &gids) < 0)
                        return -ENOMEM;
                free(app->supplementary_gids);
                app->supplementary_gids = calloc(strv_length(gids) + 1, sizeof(uint32_t));
                app->n_supplementary_gids = 0;
                if (!app->supplementary_gids)
                        return -ENOMEM;
                STRV_FOREACH(g, gids) {
                        uint64_t v;
                        if (parse_uint_max(*g, UINT32_MAX, &v) < 0)
                                return rkt_error_set(reterr, -EINVAL,
                                                     "--supplementary-gids '%s': '%s' is not a group ID",
                                                     a->supplementary_gids, *g);
                        app->supplementary_gids[app->n_supplementary_gids++] = (uint32_t) v;
                }
        }
        /* Environment: --inherit-env < image < --set-env-file/--set-env < --environment. The inherited
         * variables only fill what the image leaves unset; the later layers replace them. */
        STRV_FOREACH(e, pod->inherit_env) {
                const char *eq = strchr(*e, '=');
                _cleanup_free_ char *name = eq ? strndup(*e, eq - *e) : NULL;
                if (!eq)
                        continue;
                if (!name)
                        return -ENOMEM;
                if (!appc_env_name_valid(name) || appc_kv_get(app->environment, app->n_environment, name))
                        continue;
                if (appc_kv_set(&app->environment, &app->n_environment, name, eq + 1) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < pod->n_set_env; i++)
                if (appc_kv_set(&app->environment, &app->n_environment, pod->set_env[i].name,
                                pod->set_env[i].value) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < a->n_environment; i++)
                if (appc_kv_set(&app->environment, &app->n_environment, a->environment[i].name,
                                a->environment[i].value) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < a->n_user_annotations; i++)
                if (appc_kv_set(&app->user_annotations, &app->n_user_annotations,
                                a->user_annotations[i].name, a->user_annotations[i].value) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < a->n_user_labels; i++)
                if (appc_kv_set(&app->user_labels, &app->n_user_labels, a->user_labels[i].name,
                                a->user_labels[i].value) < 0)
                        return -ENOMEM;
        if ((r = apply_isolator(app, "memory", a->memory, reterr)) < 0 ||
            (r = apply_isolator(app, "cpu", a->cpu, reterr)) < 0 ||
            (r = apply_isolator(app, "cpu-shares", a->cpu_shares, reterr)) < 0 ||
            (r = apply_isolator(app, "oom-score-adj", a->oom_score_adj, reterr)) < 0 ||
            (r = apply_isolator(app, "caps-retain", a->caps_retain, reterr)) < 0 ||
            (r = apply_isolator(app, "caps-remove", a->caps_remove, reterr)) < 0 ||
            (r = apply_isolator(app, "seccomp", a->seccomp, reterr)) < 0)
                return r;
        if (a->caps_retain && a->caps_remove)
                return rkt_error_set(reterr, -EINVAL, "--caps-retain and --caps-remove exclude each other");
        r = appc_app_validate(app, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "app of image '%s'", a->image);
        *ret = TAKE_PTR(app);
        return 0;
}

/* "volume=NAME,target=PATH" */
static int parse_mount(const char *s, char **ret_volume, char **ret_target, RktError **reterr) {
        _cleanup_strv_free_ char **parts = NULL;
        const char *volume = NULL, *target = NULL;

        if (strv_split(s, ",", &parts) < 0)
                return -ENOMEM;
        STRV_FOREACH(p, parts) {
                if (startswith(*p, "volume="))
                        volume = *p + 7;
                else if (startswith(*p, "target="))
                        target = *p + 7;
                else
                        return rkt_error_set(reterr, -EINVAL, "--mount '%s': unknown key in '%s'", s, *p);
        }
        if (!volume || !target || !*volume || !*target)
                return rkt_error_set(reterr, -EINVAL, "--mount '%s': expected volume=NAME,target=PATH", s);
        *ret_volume = strdup(volume);
        *ret_target = strdup(target);
        return *ret_volume && *ret_target ? 0 : -ENOMEM;
}

static int add_mounts(AppcRuntimeApp *ra, char *const *mounts, RktError **reterr) {
        STRV_FOREACH(m, mounts) {
                _cleanup_free_ char *volume = NULL, *target = NULL;
                int r = parse_mount(*m, &volume, &target, reterr);
                if (r < 0)
                        return r;
                /* A per-app mount replaces a pod-wide one on the same path. */
                for (size_t i = 0; i < ra->n_mounts; i++)
                        if (streq(ra->mounts[i].path, target)) {
                                free(ra->mounts[i].volume);
                                ra->mounts[i].volume = TAKE_PTR(volume);
                                break;
                        }
                if (volume && appc_runtime_app_add_mount(ra, volume, target) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int pod_manifest_generate(const PodSpec *spec, AppcPodManifest **ret, RktError **reterr) {
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = appc_pod_manifest_new();
        int r;

        if (!m)
                return -ENOMEM;
        if (spec->n_apps == 0)
                return rkt_error_set(reterr, -EINVAL, "no image given: a pod needs at least one app");
        STRV_FOREACH(v, spec->volumes) {
                AppcVolume vol = {};
                r = appc_volume_from_string(*v, &vol, reterr);
                if (r < 0)
                        return rkt_error_prefix(reterr, r, "--volume '%s'", *v);
                r = appc_pod_manifest_add_volume(m, &vol, reterr);
                appc_volume_done(&vol);
                if (r < 0)
                        return rkt_error_prefix(reterr, r, "--volume '%s'", *v);
        }
        for (size_t i = 0; i < spec->n_apps; i++) {
                const AppSpec *a = &spec->apps[i];
                _cleanup_(appc_app_freep) AppcApp *app = NULL;
                _cleanup_free_ char *name = NULL;
                AppcRuntimeApp ra = {};

                if (a->name)
                        name = strdup(a->name);
                else
                        r = app_name_from_image_name(a->manifest->name, &name);
                if (!name)
                        return -ENOMEM;
                if (!appc_ac_name_valid(name))
                        return rkt_error_set(reterr, -EINVAL,
                                             "--name '%s': not a valid app name (lower-case letters, "
                                             "digits and '-')",
                                             name);
                if (appc_pod_manifest_get_app(m, name))
                        return rkt_error_set(reterr, -EINVAL,
                                             "app name '%s' is used twice in the pod; tell them apart "
                                             "with --name",
                                             name);
                r = effective_app(a, spec, &app, reterr);
                if (r < 0)
                        return r;
                r = appc_runtime_app_init(&ra, name, a->image_id, a->manifest->name, app);
                if (r < 0)
                        return r;
                for (size_t k = 0; k < a->manifest->n_labels && r >= 0; k++)
                        r = appc_kv_set(&ra.image.labels, &ra.image.n_labels, a->manifest->labels[k].name,
                                        a->manifest->labels[k].value);
                for (size_t k = 0; k < a->n_annotations && r >= 0; k++)
                        r = appc_kv_set(&ra.annotations, &ra.n_annotations, a->annotations[k].name,
                                        a->annotations[k].value);
                ra.read_only_root_fs = a->readonly_rootfs;
                if (r >= 0)
                        r = add_mounts(&ra, spec->mounts, reterr);
                if (r >= 0)
                        r = add_mounts(&ra, a->mounts, reterr);
                if (r >= 0)
                        r = appc_pod_manifest_add_app(m, &ra, reterr);
                if (r < 0) {
                        appc_runtime_app_done(&ra);
                        return r;
                }
        }
        for (size_t i = 0; i < spec->n_annotations; i++)
                if (appc_kv_set(&m->annotations, &m->n_annotations, spec->annotations[i].name,
                                spec->annotations[i].value) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < spec->n_user_annotations; i++)
                if (appc_kv_set(&m->user_annotations, &m->n_user_annotations, spec->user_annotations[i].name,
                                spec->user_annotations[i].value) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < spec->n_user_labels; i++)
                if (appc_kv_set(&m->user_labels, &m->n_user_labels, spec->user_labels[i].name,
                                spec->user_labels[i].value) < 0)
                        return -ENOMEM;
        r = appc_pod_manifest_validate(m, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "pod manifest");
        *ret = TAKE_PTR(m);
        return 0;
}
