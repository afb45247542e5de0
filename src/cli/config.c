/* SPDX-License-Identifier: Apache-2.0 */
/* rkt config: the configuration rkt works with, merged from the system, local and user config dirs, in
 * the format of the files it comes from ({"stage0": [entries…]}), as rkt 1.30 printed it. Credentials are
 * printed: who can read them here could read the files. */
#include <stdio.h>

#include "log.h"
#include "output.h"
#include "rkt-config.h"
#include "stage1.h"
#include "verbs.h"

enum { OPT_PRETTY = 1 };

const Option config_options[] = {
        {"pretty-print", 0, OPT_PRETTY, OPTION_BOOL, NULL, "true", "apply indent to format the output"},
        {},
};

static json_object *entry(const char *kind) {
        json_object *o = json_object_new_object();

        if (o) {
                json_object_object_add(o, "rktVersion", json_object_new_string("v1"));
                json_object_object_add(o, "rktKind", json_object_new_string(kind));
        }
        return o;
}

static json_object *string_array(const char *s) {
        json_object *a = json_object_new_array();

        if (a)
                json_object_array_add(a, json_object_new_string(s));
        return a;
}

static json_object *auth_entry(const AuthEntry *e) {
        static const char *const types[] = {
                [AUTH_BASIC] = "basic", [AUTH_OAUTH] = "oauth", [AUTH_AWS] = "aws"};
        json_object *o = entry("auth"), *c = json_object_new_object();

        if (!o || !c) {
                json_object_put(o);
                json_object_put(c);
                return NULL;
        }
        json_object_object_add(o, "domains", string_array(e->domain));
        json_object_object_add(o, "type", json_object_new_string(types[e->type]));
        if (e->type == AUTH_BASIC) {
                json_object_object_add(c, "user", json_object_new_string(strempty(e->user)));
                json_object_object_add(c, "password", json_object_new_string(strempty(e->password)));
        } else if (e->type == AUTH_OAUTH)
                json_object_object_add(c, "token", json_object_new_string(strempty(e->token)));
        json_object_object_add(o, "credentials", c);
        return o;
}

static json_object *docker_auth_entry(const DockerAuthEntry *e) {
        json_object *o = entry("dockerAuth"), *c = json_object_new_object();

        if (!o || !c) {
                json_object_put(o);
                json_object_put(c);
                return NULL;
        }
        json_object_object_add(o, "registries", string_array(e->registry));
        json_object_object_add(c, "user", json_object_new_string(strempty(e->user)));
        json_object_object_add(c, "password", json_object_new_string(strempty(e->password)));
        json_object_object_add(o, "credentials", c);
        return o;
}

static json_object *paths_entry(const RktGlobals *g) {
        json_object *o = entry("paths");

        if (o) {
                json_object_object_add(o, "data", json_object_new_string(g->dir));
                json_object_object_add(o, "stage1-images",
                                       json_object_new_string(g->stage1_images ?: STAGE1_IMAGES_DIR));
        }
        return o;
}

static int stage1_entry(const RktGlobals *g, json_object **ret) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_free_ char *name = NULL, *version = NULL, *location = NULL;
        const Stage1Config cfg = {g->system_config, g->local_config, g->user_config, g->insecure,
                                  g->stage1_images};
        json_object *o;
        int r = stage1_config_effective(&cfg, &name, &version, &location, &err);

        if (r < 0)
                return log_error_errno(r, "cannot get configuration: %s", rkt_error_message(err, r));
        o = entry("stage1");
        if (!o)
                return log_oom();
        json_object_object_add(o, "name", json_object_new_string(name));
        json_object_object_add(o, "version", json_object_new_string(version));
        json_object_object_add(o, "location", json_object_new_string(location));
        *ret = o;
        return 0;
}

int verb_config(CliArgs *a) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(rkt_config_freep) RktConfig *cfg = NULL;
        _cleanup_(json_object_putp) json_object *top = json_object_new_object();
        const RktGlobals *g = a->globals;
        const char *dirs[] = {g->system_config, g->local_config, g->user_config};
        json_object *stage0 = json_object_new_array(), *s1 = NULL;
        bool pretty;
        int r;

        if (!top || !stage0) {
                json_object_put(stage0);
                return log_oom();
        }
        json_object_object_add(top, "stage0", stage0);
        r = option_bool(a, OPT_PRETTY, true, &pretty);
        if (r < 0)
                return r;
        r = rkt_config_load(dirs, ELEMENTSOF(dirs), &cfg, &err);
        if (r < 0)
                return log_error_errno(r, "cannot get configuration: %s", rkt_error_message(err, r));
        for (size_t i = 0; i < cfg->n_auth; i++)
                json_object_array_add(stage0, auth_entry(&cfg->auth[i]));
        for (size_t i = 0; i < cfg->n_docker_auth; i++)
                json_object_array_add(stage0, docker_auth_entry(&cfg->docker_auth[i]));
        json_object_array_add(stage0, paths_entry(g));
        r = stage1_entry(g, &s1);
        if (r < 0)
                return r;
        json_object_array_add(stage0, s1);
        return output_json(top, pretty ? OUTPUT_JSON_PRETTY : OUTPUT_JSON, stdout);
}
