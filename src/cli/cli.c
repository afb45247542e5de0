/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli.h"
#include "insecure.h"
#include "log.h"
#include "path.h"
#include "rkt-config.h"
#include "strv.h"
#include "util.h"

enum {
        GLOBAL_DIR = 1,
        GLOBAL_SYSTEM_CONFIG,
        GLOBAL_LOCAL_CONFIG,
        GLOBAL_USER_CONFIG,
        GLOBAL_DEBUG,
        GLOBAL_INSECURE,
        GLOBAL_TRUST_HTTPS,
        GLOBAL_HELP,
        GLOBAL_STALL_TIMEOUT,
        GLOBAL_MAX_IMAGE_SIZE,
};

const Option cli_global_options[] = {
        {"debug", 0, GLOBAL_DEBUG, OPTION_BOOL, NULL, "false", "print out more debug information to stderr"},
        {"dir", 0, GLOBAL_DIR, OPTION_REQUIRED, "DIR", "/var/lib/rkt", "rkt data directory"},
        {"insecure-options", 0, GLOBAL_INSECURE, OPTION_REQUIRED, "OPTS", "none",
         "comma-separated list of security features to disable: "
         "none,image,tls,ondisk,http,pubkey,capabilities,paths,seccomp,all-fetch,all-run,all",
         "none image tls ondisk http pubkey capabilities paths seccomp all-fetch all-run all"},
        {"max-image-size", 0, GLOBAL_MAX_IMAGE_SIZE, OPTION_REQUIRED, "SIZE", "16GiB",
         "refuse an image (ACI, or docker image being converted) that uncompresses to more than SIZE bytes "
         "(K, M, G, T: powers of 1024)"},
        {"local-config", 0, GLOBAL_LOCAL_CONFIG, OPTION_REQUIRED, "DIR", "/etc/rkt",
         "local configuration directory"},
        {"stall-timeout", 0, GLOBAL_STALL_TIMEOUT, OPTION_REQUIRED, "DURATION", "30s",
         "give up a download (image, signature, discovery, key, registry) that brings no data, or less than "
         "1 KiB, for this long"},
        {"system-config", 0, GLOBAL_SYSTEM_CONFIG, OPTION_REQUIRED, "DIR", "/usr/lib/rkt",
         "system configuration directory"},
        {"trust-keys-from-https", 0, GLOBAL_TRUST_HTTPS, OPTION_BOOL, NULL, "false",
         "automatically trust gpg keys fetched from https"},
        {"user-config", 0, GLOBAL_USER_CONFIG, OPTION_REQUIRED, "DIR", "", "user configuration directory"},
        {"help", 'h', GLOBAL_HELP, OPTION_BOOL, NULL, NULL, "help for this command"},
        {},
};

int cli_bool(const ParsedOption *o, bool *ret) {
        int b;

        if (!o->value) {
                *ret = true;
                return 0;
        }
        b = parse_boolean(o->value);
        if (b < 0)
                return log_error_errno(-EINVAL, "invalid argument '%s' for --%s: expected true or false",
                                       o->value, o->option->name);
        *ret = b;
        return 0;
}

static int set_path(char **field, const char *value, const char *name) {
        char *p;
        int r;

        if (isempty(value)) {
                if (streq(name, "user-config")) {
                        free(*field);
                        *field = NULL;
                        return 0;
                }
                return log_error_errno(-EINVAL, "--%s: the directory must not be empty", name);
        }
        r = path_make_absolute_cwd(value, &p);
        if (r < 0)
                return log_error_errno(r, "--%s '%s': %m", name, value);
        free(*field);
        *field = p;
        return 0;
}

/* rkt resolves symlinks in the data dir so that lock and mount paths are canonical. */
static int resolve_dir(RktGlobals *g) {
        char *real = realpath(g->dir, NULL);

        if (real) {
                free(g->dir);
                g->dir = real;
        }
        return 0;
}

int cli_load_paths(RktGlobals *g) {
        _cleanup_error_ RktError *err = NULL;
        const char *dirs[] = {g->system_config, g->local_config, g->user_config};
        RktPaths paths;
        int r = rkt_paths_load(dirs, ELEMENTSOF(dirs), &paths, &err);

        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        strv_free(g->net_plugins);
        g->net_plugins = TAKE_PTR(paths.net_plugins);
        free(g->stage1_images);
        g->stage1_images = TAKE_PTR(paths.stage1_images);
        if (paths.data && !g->dir_set) {
                free(g->dir);
                g->dir = TAKE_PTR(paths.data);
                r = resolve_dir(g);
        }
        rkt_paths_done(&paths);
        return r;
}

static int apply_global(RktGlobals *g, const ParsedOption *o) {
        bool b;
        int r;

        switch (o->option->id) {
        case GLOBAL_DIR:
                r = set_path(&g->dir, o->value, "dir");
                if (r < 0)
                        return r;
                g->dir_set = true;
                return resolve_dir(g);
        case GLOBAL_SYSTEM_CONFIG:
                return set_path(&g->system_config, o->value, "system-config");
        case GLOBAL_LOCAL_CONFIG:
                return set_path(&g->local_config, o->value, "local-config");
        case GLOBAL_USER_CONFIG:
                return set_path(&g->user_config, o->value, "user-config");
        case GLOBAL_DEBUG:
                r = cli_bool(o, &b);
                if (r < 0)
                        return r;
                g->debug = b;
                log_set_max_level(b ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
                return 0;
        case GLOBAL_TRUST_HTTPS:
                r = cli_bool(o, &b);
                if (r < 0)
                        return r;
                g->trust_keys_from_https = b;
                return 0;
        case GLOBAL_STALL_TIMEOUT:
                if (parse_duration_usec(o->value, &g->stall_timeout_usec) < 0 ||
                    g->stall_timeout_usec < 1000000)
                        return log_error_errno(
                                -EINVAL, "--stall-timeout '%s': must be a duration of 1s or more", o->value);
                return 0;
        case GLOBAL_MAX_IMAGE_SIZE:
                if (parse_size_bytes(o->value, &g->max_image_size) < 0 || g->max_image_size < 1024 * 1024)
                        return log_error_errno(
                                -EINVAL,
                                "--max-image-size '%s': must be a size of 1MiB or more (K, M, G, T: "
                                "powers of 1024)",
                                o->value);
                return 0;
        case GLOBAL_INSECURE: {
                const char *bad = NULL;
                size_t badlen = 0;
                unsigned f;
                r = insecure_parse(o->value, &f, &bad, &badlen);
                if (r < 0)
                        return log_error_errno(r, "--insecure-options: unknown option '%.*s' (valid: %s)",
                                               (int) badlen, bad, insecure_option_names());
                g->insecure = f;
                return 0;
        }
        }
        return 0;
}

static const Option *find_option(const Option *table, const char *name, size_t len, char short_name) {
        for (const Option *o = table; o && o->name; o++) {
                if (short_name ? o->short_name == short_name
                               : strlen(o->name) == len && strncmp(o->name, name, len) == 0)
                        return o;
        }
        return NULL;
}

int cli_args_push_option(CliArgs *a, const Option *o, const char *value) {
        ParsedOption *n = realloc(a->options, sizeof(ParsedOption) * (a->n_options + 1));
        if (!n)
                return log_oom();
        a->options = n;
        a->options[a->n_options++] = (ParsedOption){o, value};
        return 0;
}

static int push_arg(CliArgs *a, char *arg) {
        char **n = realloc(a->args, sizeof(char *) * (a->n_args + 2));
        if (!n)
                return log_oom();
        a->args = n;
        a->args[a->n_args++] = arg;
        a->args[a->n_args] = NULL;
        return 0;
}

void cli_args_done(CliArgs *a) {
        free(a->options);
        free(a->args);
        a->options = NULL;
        a->args = NULL;
        a->n_options = a->n_args = 0;
}

int cli_parse(const Verb *verb, const char *path, int argc, char **argv, RktGlobals *g, CliArgs *a) {
        bool flags_done = false, help = false;
        int r;

        *a = (CliArgs){.verb = verb, .globals = g};
        r = push_arg(a, NULL); /* an empty, NULL-terminated list even when there are no arguments */
        if (r < 0)
                return r;
        a->n_args = 0;

        for (int i = 0; i < argc; i++) {
                char *arg = argv[i];
                const Option *o;
                const char *value = NULL, *name;
                size_t len;
                bool global = false;

                if (flags_done || arg[0] != '-' || streq(arg, "-")) {
                        r = push_arg(a, arg);
                        if (r < 0)
                                return r;
                        if (verb && (verb->flags & VERB_NO_INTERSPERSED))
                                flags_done = true;
                        continue;
                }
                if (streq(arg, "--")) {
                        flags_done = true;
                        /* Verbs that stop at the first positional argument keep "--": it separates app
                         * arguments on `rkt run`. */
                        if (verb && (verb->flags & VERB_NO_INTERSPERSED)) {
                                r = push_arg(a, arg);
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }

                if (arg[1] == '-') {
                        name = arg + 2;
                        len = strcspn(name, "=");
                        if (name[len] == '=')
                                value = name + len + 1;
                        o = find_option(verb ? verb->options : NULL, name, len, 0);
                        if (!o) {
                                o = find_option(cli_global_options, name, len, 0);
                                global = o != NULL;
                        }
                } else {
                        name = arg + 1;
                        len = 1;
                        if (name[1] != 0) {
                                if (name[1] == '=')
                                        value = name + 2;
                                else
                                        value = name + 1;
                        }
                        o = find_option(verb ? verb->options : NULL, NULL, 0, name[0]);
                        if (!o) {
                                o = find_option(cli_global_options, NULL, 0, name[0]);
                                global = o != NULL;
                        }
                }
                if (!o && verb && verb->app_options) {
                        const Option *late = arg[1] == '-'
                                                     ? find_option(verb->app_options, name, len, 0)
                                                     : find_option(verb->app_options, NULL, 0, name[0]);
                        if (late) {
                                log_error("--%s must follow an image\nUsage: %s %s", late->name, path,
                                          strempty(verb->usage));
                                return -EINVAL;
                        }
                }
                if (!o) {
                        log_error("unknown flag: %s%.*s\nRun '%s --help' for usage.",
                                  arg[1] == '-' ? "--" : "-", (int) len, name, path);
                        return -EINVAL;
                }
                if (o->arg == OPTION_REQUIRED && !value) {
                        if (i + 1 >= argc) {
                                log_error("flag needs an argument: --%s\nRun '%s --help' for usage.",
                                          o->name, path);
                                return -EINVAL;
                        }
                        value = argv[++i];
                }
                if (global && o->id == GLOBAL_HELP) {
                        help = true;
                        continue;
                }
                if (global) {
                        r = apply_global(g, &(ParsedOption){o, value});
                        if (r < 0)
                                return r;
                        continue;
                }
                /* Where a script can see it, as rkt 1.30 (pflag) printed it. */
                if (o->deprecated)
                        fprintf(stderr, "Flag --%s has been deprecated, %s\n", o->name, o->deprecated);
                if (o->arg == OPTION_BOOL && value && parse_boolean(value) < 0) {
                        log_error("invalid argument '%s' for --%s: expected true or false", value, o->name);
                        return -EINVAL;
                }
                r = cli_args_push_option(a, o, value);
                if (r < 0)
                        return r;
        }
        if (help)
                return 1;
        if (verb && !verb->subverbs && (a->n_args < verb->min_args || a->n_args > verb->max_args)) {
                if (a->n_args < verb->min_args)
                        log_error("missing argument%s\nUsage: %s %s",
                                  verb->min_args - a->n_args > 1 ? "s" : "", path, strempty(verb->usage));
                else
                        log_error("too many arguments: '%s'\nUsage: %s %s", a->args[verb->max_args], path,
                                  strempty(verb->usage));
                return -EINVAL;
        }
        return 0;
}

static void print_options(const Option *table, FILE *f) {
        for (const Option *o = table; o && o->name; o++) {
                char left[96];
                if (o->deprecated)
                        continue;
                if (o->short_name)
                        snprintf(left, sizeof(left), "  -%c, --%s", o->short_name, o->name);
                else
                        snprintf(left, sizeof(left), "      --%s", o->name);
                if (o->arg == OPTION_BOOL)
                        strncat(left, "[=false]", sizeof(left) - strlen(left) - 1);
                else if (o->arg == OPTION_OPTIONAL)
                        snprintf(left + strlen(left), sizeof(left) - strlen(left), "[=%s]",
                                 strna(o->metavar));
                else
                        snprintf(left + strlen(left), sizeof(left) - strlen(left), "=%s", strna(o->metavar));
                fprintf(f, "%-40s %s", left, o->help);
                if (o->def && *o->def && o->arg != OPTION_BOOL)
                        fprintf(f, " (default \"%s\")", o->def);
                fputc('\n', f);
        }
}

void cli_help(const Verb *top, const Verb *verb, const char *path, FILE *f) {
        const Verb *list = verb ? verb->subverbs : top;

        if (!verb)
                fprintf(f, "NAME:\n\trkt - rkt, the application container runner\n\n"
                           "USAGE:\n\trkt [command]\n\n"
                           "VERSION:\n\t" PACKAGE_VERSION "\n\n");
        else {
                fprintf(f, "NAME:\n\t%s - %s\n\n", path, verb->summary);
                fprintf(f, "USAGE:\n\t%s %s\n\n", path, strempty(verb->usage));
                if (verb->description)
                        fprintf(f, "DESCRIPTION:\n%s\n\n", verb->description);
        }
        if (list) {
                fprintf(f, "COMMANDS:\n");
                for (const Verb *v = list; v->name; v++)
                        if (!(v->flags & VERB_HIDDEN))
                                fprintf(f, "\t%-20s %s\n", v->name, v->summary);
                fputc('\n', f);
        }
        if (verb && verb->options && verb->options->name) {
                fprintf(f, "OPTIONS:\n");
                print_options(verb->options, f);
                fputc('\n', f);
        }
        fprintf(f, "GLOBAL OPTIONS:\n");
        print_options(cli_global_options, f);
        if (list)
                fprintf(f, "\nRun '%s COMMAND --help' for more information on a command.\n", path);
}

const Verb *verb_lookup(const Verb *verbs, const char *name, const char **ret_suggestion) {
        const Verb *prefix_match = NULL;
        unsigned best = UINT32_MAX;
        size_t n_prefix = 0;

        *ret_suggestion = NULL;
        for (const Verb *v = verbs; v->name; v++) {
                if (streq(v->name, name))
                        return v;
                if (v->flags & VERB_HIDDEN)
                        continue;
                if (startswith(v->name, name)) {
                        prefix_match = v;
                        n_prefix++;
                }
        }
        if (n_prefix == 1)
                return prefix_match;
        for (const Verb *v = verbs; v->name; v++) {
                unsigned d = levenshtein(v->name, name);
                if (v->flags & VERB_HIDDEN)
                        continue;
                if (d < best && (d <= 2 || startswith(v->name, name))) {
                        best = d;
                        *ret_suggestion = v->name;
                }
        }
        return NULL;
}

int option_bool(const CliArgs *a, int id, bool def, bool *ret) {
        bool v = def;

        for (size_t i = 0; i < a->n_options; i++)
                if (a->options[i].option->id == id) {
                        int r = cli_bool(&a->options[i], &v);
                        if (r < 0)
                                return r;
                }
        *ret = v;
        return 0;
}

const char *option_value(const CliArgs *a, int id) {
        const char *v = NULL;

        for (size_t i = 0; i < a->n_options; i++)
                if (a->options[i].option->id == id)
                        v = a->options[i].value;
        return v;
}
