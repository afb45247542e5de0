/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli/verbs.h"
#include "log.h"


#define UNBOUNDED ((size_t) -1)

static const Verb image_verbs[] = {
        { .name = "cat-manifest",
          .summary = "Inspect and print the image manifest",
          .usage = "[--pretty-print] IMAGE",
          .options = image_cat_manifest_options,
          .run = verb_image_cat_manifest,
          .min_args = 1,
          .max_args = 1 },
        { .name = "export",
          .summary = "Export a stored image to an ACI file",
          .usage = "[--overwrite] IMAGE OUTPUT_ACI_FILE",
          .description = "\tWrites the image exactly as stored: an uncompressed ACI whose sha512 is the image ID.",
          .options = image_export_options,
          .run = verb_image_export,
          .min_args = 2,
          .max_args = 2 },
        { .name = "extract",
          .summary = "Extract a stored image to a directory",
          .usage = "[--rootfs-only] [--overwrite] IMAGE OUTPUT_DIR",
          .description = "\tExtracts the image alone, without its dependencies (see 'rkt image render').",
          .options = image_extract_options,
          .run = verb_image_extract,
          .min_args = 2,
          .max_args = 2 },
        { .name = "gc",
          .summary = "Garbage collect images and rendered trees no longer used",
          .usage = "[--grace-period=DURATION]",
          .description = "\tRemoves rendered trees that no pod uses, images last used longer ago than the grace\n"
                         "\tperiod that no prepared or running pod uses, and leftovers of interrupted imports.",
          .options = image_gc_options,
          .run = verb_image_gc,
          .flags = VERB_ROOT_ONLY },
        { .name = "list",
          .summary = "List images in the local store",
          .usage = "[--fields=FIELDS] [--sort=FIELDS] [--order=asc|desc] [--full] [--no-legend] [--format=json|json-pretty]",
          .options = image_list_options,
          .run = verb_image_list },
        { .name = "render",
          .summary = "Render a stored image, with its dependencies, to a directory",
          .usage = "[--rootfs-only] [--overwrite] IMAGE OUTPUT_DIR",
          .description = "\tRenders the image the way a pod sees it: dependencies resolved from the store by ID or\n"
                         "\tname and labels, the first image providing a path winning, pathWhitelist applied.",
          .options = image_extract_options,
          .run = verb_image_render,
          .min_args = 2,
          .max_args = 2 },
        { .name = "rm",
          .summary = "Remove one or more images from the local store",
          .usage = "IMAGE...",
          .description = "\tIMAGE is an image ID (any unambiguous prefix, e.g. sha512-5f2a0b5e) or a name with optional\n"
                         "\tversion and labels (example.com/app:1.0,os=linux). Each image is removed on its own: one\n"
                         "\tfailure does not stop the others, and the exit status tells whether all succeeded.",
          .run = verb_image_rm,
          .min_args = 1,
          .max_args = UNBOUNDED },
        {},
};

const Verb rkt_verbs[] = {
        { .name = "fetch",
          .summary = "Fetch image(s) and store them in the local store",
          .usage = "[--full] IMAGE_FILE...",
          .description = "\tImports ACI files (a path or file:// URL; uncompressed, gzip, bzip2, xz or zstd) into the\n"
                         "\tstore and prints each image's ID. Signatures are required unless\n"
                         "\t--insecure-options=image is given.",
          .options = fetch_options,
          .run = verb_fetch,
          .min_args = 1,
          .max_args = UNBOUNDED },
        { .name = "help",
          .summary = "Help about any command",
          .usage = "[COMMAND [SUBCOMMAND]]",
          .run = verb_help,
          .max_args = 2 },
        { .name = "image",
          .summary = "Operate on image(s) in the local store",
          .usage = "COMMAND",
          .subverbs = image_verbs },
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
