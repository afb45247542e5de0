/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "fetch.h"
#include "log.h"
#include "store.h"
#include "verbs.h"

enum { OPT_FULL = 1, OPT_PULL_POLICY };

const Option fetch_options[] = {
        { "full", 0, OPT_FULL, OPTION_BOOL, NULL, "false", "print the full image ID after fetching" },
        { "pull-policy", 0, OPT_PULL_POLICY, OPTION_REQUIRED, "POLICY", "update",
          "when to fetch an image: new (only when not in the store), update (always), never (store only)" },
        {},
};

int verb_fetch(CliArgs *a) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        FetchOptions o = { .insecure = a->globals->insecure, .pull_policy = PULL_UPDATE };
        bool full = false;
        int r, ret = 0;

        for (size_t i = 0; i < a->n_options; i++) {
                const ParsedOption *opt = &a->options[i];
                if (opt->option->id == OPT_FULL && (r = cli_bool(opt, &full)) < 0)
                        return r;
                if (opt->option->id == OPT_PULL_POLICY && pull_policy_from_string(opt->value, &o.pull_policy) < 0)
                        return log_error_errno(-EINVAL, "--pull-policy '%s': must be new, update or never", opt->value);
        }
        r = store_open(a->globals->dir, STORE_WRITABLE, &s, &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        for (size_t i = 0; i < a->n_args; i++) {
                _cleanup_error_ RktError *e = NULL;
                _cleanup_free_ char *id = NULL, *shown = NULL;

                r = fetch_image(s, a->args[i], &o, &id, &e);
                if (r < 0) {
                        log_error("%s", rkt_error_message(e, r));
                        if (ret == 0)
                                ret = r;
                        continue;
                }
                shown = full ? strdup(id) : image_id_short(id, 32);
                if (!shown)
                        return log_error_errno(-ENOMEM, "Out of memory");
                printf("%s\n", shown);
        }
        return ret;
}
