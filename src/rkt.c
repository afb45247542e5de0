/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli/verbs.h"
#include "log.h"


const Verb rkt_verbs[] = {
        { .name = "help",
          .summary = "Help about any command",
          .usage = "[COMMAND [SUBCOMMAND]]",
          .run = verb_help,
          .max_args = 2 },
        { .name = "version",
          .summary = "Print the version and exit",
          .usage = "",
          .run = verb_version,
          .max_args = 0 },
        {},
};

/* The value-taking global flags, so that "rkt --dir /x fetch" finds the verb after "/x". */
static bool takes_value(const char *arg) {
        static const char *const names[] = { "--dir", "--system-config", "--local-config", "--user-config",
                                             "--insecure-options" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(arg, names[i]))
                        return true;
        return false;
}

static void globals_done(RktGlobals *g) {
        free(g->dir);
        free(g->system_config);
        free(g->local_config);
        free(g->user_config);
}

static int globals_init(RktGlobals *g) {
        *g = (RktGlobals) {
                .dir = strdup("/var/lib/rkt"),
                .system_config = strdup("/usr/lib/rkt"),
                .local_config = strdup("/etc/rkt"),
        };
        return g->dir && g->system_config && g->local_config ? 0 : -ENOMEM;
}

static int run(int argc, char **argv) {
        _cleanup_free_ char **rest = NULL;
        const Verb *verb = NULL, *list = rkt_verbs;
        char path[256] = "rkt";
        RktGlobals g;
        CliArgs a;
        int n_rest = 0, r;

        if (globals_init(&g) < 0)
                return log_error_errno(-ENOMEM, "Out of memory");

        /* Flags may come before and after the verb; collect everything but the verb words. */
        rest = calloc(argc + 1, sizeof(char *));
        if (!rest) {
                globals_done(&g);
                return log_error_errno(-ENOMEM, "Out of memory");
        }
        for (int i = 1; i < argc; i++) {
                const char *arg = argv[i];
                const char *suggestion = NULL;
                const Verb *v;

                if (arg[0] == '-' || !list) {
                        rest[n_rest++] = argv[i];
                        if (list && takes_value(arg) && i + 1 < argc)
                                rest[n_rest++] = argv[++i];
                        if (streq(arg, "--"))
                                list = NULL; /* everything after "--" belongs to the verb */
                        continue;
                }
                v = verb_lookup(list, arg, &suggestion);
                if (!v) {
                        log_set_prefix(NULL);
                        log_error("rkt: unknown command '%s' for '%s'%s%s%s\nRun '%s --help' for usage.", arg, path,
                                  suggestion ? "\n\nDid you mean this?\n\t" : "", strempty(suggestion),
                                  suggestion ? "\n" : "", path);
                        globals_done(&g);
                        return -EINVAL;
                }
                verb = v;
                list = v->subverbs;
                snprintf(path + strlen(path), sizeof(path) - strlen(path), " %s", v->name);
                log_set_prefix(v->name);
        }

        r = cli_parse(verb, path, n_rest, rest, &g, &a);
        if (r == 1) {
                cli_help(rkt_verbs, verb, path, stdout);
                r = 0;
        } else if (r >= 0 && (!verb || !verb->run)) {
                /* No verb (or only a group such as "image"): rkt prints help and exits 2. */
                cli_help(rkt_verbs, verb, path, stderr);
                r = EXIT_NO_VERB;
        } else if (r >= 0) {
                if ((verb->flags & VERB_ROOT_ONLY) && geteuid() != 0) {
                        log_error("cannot run as unprivileged user");
                        r = -EPERM;
                } else
                        r = verb->run(&a);
        }
        cli_args_done(&a);
        globals_done(&g);
        return r;
}

int main(int argc, char *argv[]) {
        int r = run(argc, argv);
        fflush(stdout);
        return r < 0 ? EXIT_RKT_ERROR : r;
}
