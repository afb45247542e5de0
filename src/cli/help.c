/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "log.h"
#include "verbs.h"

/* `rkt help [VERB [SUBVERB]]` */
int verb_help(CliArgs *a) {
        const Verb *v = NULL, *list = rkt_verbs;
        char path[256] = "rkt";

        for (size_t i = 0; i < a->n_args; i++) {
                const char *suggestion = NULL;
                const Verb *found = list ? verb_lookup(list, a->args[i], &suggestion) : NULL;

                if (!found) {
                        log_error("unknown help topic '%s'%s%s%s", a->args[i],
                                  suggestion ? ", did you mean '" : "", strempty(suggestion),
                                  suggestion ? "'?" : "");
                        return -EINVAL;
                }
                v = found;
                list = v->subverbs;
                snprintf(path + strlen(path), sizeof(path) - strlen(path), " %s", v->name);
        }
        cli_help(rkt_verbs, v, path, stdout);
        return 0;
}
