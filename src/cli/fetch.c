/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <unistd.h>

#include "fetch-ui.h"
#include "fetch.h"
#include "fs.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "verbs.h"

enum { OPT_FULL = 1, OPT_PULL_POLICY, OPT_SIGNATURE, OPT_NO_STORE, OPT_STORE_ONLY };

const Option fetch_options[] = {
        {"full", 0, OPT_FULL, OPTION_BOOL, NULL, "false", "print the full image ID after fetching"},
        {"pull-policy", 0, OPT_PULL_POLICY, OPTION_REQUIRED, "POLICY", "update",
         "when to fetch an image: new (only when not in the store), update (ask the server again; an "
         "unchanged "
         "image is not downloaded again), never (store only)",
         "new update never"},
        {"signature", 0, OPT_SIGNATURE, OPTION_REQUIRED, "FILE", NULL,
         "a local signature file for the image (only with a single IMAGE)"},
        {"no-store", 0, OPT_NO_STORE, OPTION_BOOL, NULL, "false",
         "fetch the image again (--pull-policy=update)", NULL, "please use --pull-policy=update"},
        {"store-only", 0, OPT_STORE_ONLY, OPTION_BOOL, NULL, "false",
         "use only the store (--pull-policy=never)", NULL, "please use --pull-policy=never"},
        {},
};

int verb_fetch(CliArgs *a) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        FetchOptions o = {.pull_policy = PULL_UPDATE};
        FetchUi ui;
        bool full = false, render;
        int r, ret = 0;

        fetch_ui_setup(&ui, &o, a->globals);
        for (size_t i = 0; i < a->n_options; i++) {
                const ParsedOption *opt = &a->options[i];
                switch (opt->option->id) {
                case OPT_FULL:
                        if ((r = cli_bool(opt, &full)) < 0)
                                return r;
                        break;
                case OPT_PULL_POLICY:
                        if (pull_policy_from_string(opt->value, &o.pull_policy) < 0)
                                return log_error_errno(-EINVAL,
                                                       "--pull-policy '%s': must be new, update or never",
                                                       opt->value);
                        break;
                case OPT_SIGNATURE:
                        o.signature = opt->value;
                        break;
                case OPT_NO_STORE:
                case OPT_STORE_ONLY: {
                        bool b = false;
                        if ((r = cli_bool(opt, &b)) < 0)
                                return r;
                        if (b)
                                o.pull_policy = opt->option->id == OPT_NO_STORE ? PULL_UPDATE : PULL_NEVER;
                        break;
                }
                }
        }
        if (o.signature && a->n_args != 1)
                return log_error_errno(-EINVAL, "--signature applies to a single image, but %zu were given",
                                       a->n_args);

        r = store_open(a->globals->dir, STORE_WRITABLE, &s, &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        /* As rkt 1.30: root renders what it fetches (with its dependencies) into the tree store, so that
         * the first pod of the image starts without that work, and `image list` shows its full size. */
        render = geteuid() == 0 && overlayfs_available();
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
                if (render) {
                        _cleanup_free_ char *tree = NULL, *dir = NULL;
                        r = store_render_tree(s, id, &tree, &dir, &e);
                        if (r < 0) {
                                log_error("rendering image %s: %s", id, rkt_error_message(e, r));
                                if (ret == 0)
                                        ret = r;
                                continue;
                        }
                }
                shown = full ? strdup(id) : image_id_short(id, 32);
                if (!shown)
                        return log_oom();
                printf("%s\n", shown);
                fflush(stdout);
        }
        return ret;
}
