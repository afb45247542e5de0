/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pod-file.h"
#include "pod-generator.h"
#include "run-common.h"
#include "strv.h"
#include "verbs.h"

/* The keys of pod files are rkt run's own options: these tables, nothing else. */
const PodFileOptions pod_file_rkt_options = {
        .pod = run_options,
        .globals = cli_global_options,
        .app = run_app_options,
};

enum { OPT_QUIET = 1 };

const Option pod_file_verify_options[] = {
        {"quiet", 'q', OPT_QUIET, OPTION_BOOL, NULL, "false", "print only errors, not the units"},
        {},
};

/* The values, as rkt run will check them when the unit starts (a port's format, a network's name, an
 * environment file…): the same parser, run now. Its messages are prefixed with the file. */
static int check_values(CliArgs *a, const PodFile *pf) {
        _cleanup_strv_free_ char **argv = NULL;
        const char *suggestion = NULL;
        const Verb *run = verb_lookup(rkt_verbs, "run", &suggestion);
        const char *prefix = log_get_prefix();
        RktGlobals g = {
                .dir = strdup(a->globals->dir),
                .system_config = strdup(a->globals->system_config),
                .local_config = strdup(a->globals->local_config),
        };
        RunArgs r = {};
        CliArgs ca = {};
        int k = g.dir && g.system_config && g.local_config ? 0 : -ENOMEM;

        STRV_FOREACH(s, pf->global_args)
        if (k >= 0 && strv_extend(&argv, *s) < 0)
                k = -ENOMEM;
        STRV_FOREACH(s, pf->run_args)
        if (k >= 0 && strv_extend(&argv, *s) < 0)
                k = -ENOMEM;
        if (k < 0)
                log_error_errno(k, "Out of memory");
        log_set_prefix(pf->path);
        if (k >= 0) {
                k = cli_parse(run, "rkt run", (int) strv_length(argv), argv, &g, &ca);
                if (k == 1)
                        k = log_error_errno(-EINVAL, "Help= is not a key of pod files");
        }
        if (k >= 0)
                k = run_args_parse(&ca, &r);
        log_set_prefix(prefix);
        run_args_done(&r);
        cli_args_done(&ca);
        free(g.dir);
        free(g.system_config);
        free(g.local_config);
        free(g.user_config);
        strv_free(g.net_plugins);
        free(g.stage1_images);
        return k;
}

int verb_pod_file_verify(CliArgs *a) {
        _cleanup_free_ char *rkt = NULL;
        bool quiet = false;
        int ret = 0, r;

        r = option_bool(a, OPT_QUIET, false, &quiet);
        if (r < 0)
                return r;
        r = pod_file_rkt_path(&rkt);
        if (r < 0)
                return log_error_errno(r, "Cannot find the rkt binary: %m");
        for (size_t i = 0; i < a->n_args; i++) {
                _cleanup_(pod_file_freep) PodFile *pf = NULL;
                _cleanup_free_ char *error = NULL, *unit = NULL;

                r = pod_file_read_and_parse(a->args[i], &pod_file_rkt_options, &pf, &error);
                if (r == -EINVAL && error) {
                        /* The message already names the file, the line and the key. */
                        const char *prefix = log_get_prefix();
                        log_set_prefix(NULL);
                        log_error("%s", error);
                        log_set_prefix(prefix);
                        ret = r;
                        continue;
                }
                if (r < 0)
                        return log_error_errno(r, "%s: %m", a->args[i]);
                r = check_values(a, pf);
                if (r < 0) {
                        ret = r;
                        continue;
                }
                if (quiet)
                        continue;
                r = pod_file_unit(pf, rkt, &unit);
                if (r < 0)
                        return log_error_errno(r, "Out of memory");
                printf("%s# %s.service\n%s", i > 0 ? "\n" : "", pf->name, unit);
        }
        return ret;
}
