/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli/pod-generator.h"
#include "cli/verbs.h"
#include "log.h"
#include "strv.h"

#define UNBOUNDED ((size_t) -1)

static const Verb image_verbs[] = {
        {.name = "cat-manifest",
         .summary = "Inspect and print the image manifest",
         .usage = "[--pretty-print] IMAGE",
         .options = image_cat_manifest_options,
         .run = verb_image_cat_manifest,
         .min_args = 1,
         .max_args = 1},
        {.name = "export",
         .summary = "Export a stored image to an ACI file",
         .usage = "[--overwrite] IMAGE OUTPUT_ACI_FILE",
         .description =
                 "\tWrites the image exactly as stored: an uncompressed ACI whose sha512 is the image ID.",
         .options = image_export_options,
         .run = verb_image_export,
         .min_args = 2,
         .max_args = 2},
        {.name = "extract",
         .summary = "Extract a stored image to a directory",
         .usage = "[--rootfs-only] [--overwrite] IMAGE OUTPUT_DIR",
         .description = "\tExtracts the image alone, without its dependencies (see 'rkt image render').",
         .options = image_extract_options,
         .run = verb_image_extract,
         .min_args = 2,
         .max_args = 2},
        {.name = "gc",
         .summary = "Garbage collect images and rendered trees no longer used",
         .usage = "[--grace-period=DURATION]",
         .description =
                 "\tRemoves rendered trees that no pod uses, images last used longer ago than the grace\n"
                 "\tperiod that no prepared or running pod uses, and leftovers of interrupted imports.",
         .options = image_gc_options,
         .run = verb_image_gc,
         .flags = VERB_ROOT_ONLY,
         /* rkt 1.30 tried, and a member of group rkt met the store's root-only files. */
         .refusal_text = "permission denied"},
        {.name = "list",
         .summary = "List images in the local store",
         .usage = "[--fields=FIELDS] [--sort=FIELDS] [--order=asc|desc] [--full] [--no-legend] "
                  "[--format=json|json-pretty]",
         .options = image_list_options,
         .run = verb_image_list},
        {.name = "render",
         .summary = "Render a stored image, with its dependencies, to a directory",
         .usage = "[--rootfs-only] [--overwrite] IMAGE OUTPUT_DIR",
         .description =
                 "\tRenders the image the way a pod sees it: dependencies resolved from the store by ID or\n"
                 "\tname and labels, the first image providing a path winning, pathWhitelist applied.",
         .options = image_extract_options,
         .run = verb_image_render,
         .min_args = 2,
         .max_args = 2},
        {.name = "rm",
         .summary = "Remove one or more images from the local store",
         .usage = "IMAGE...",
         .description =
                 "\tIMAGE is an image ID (any unambiguous prefix, e.g. sha512-5f2a0b5e) or a name with "
                 "optional\n"
                 "\tversion and labels (example.com/app:1.0,os=linux). Each image is removed on its own: "
                 "one\n"
                 "\tfailure does not stop the others, and the exit status tells whether all succeeded.",
         .run = verb_image_rm,
         .min_args = 1,
         .max_args = UNBOUNDED},
        {.name = "verify",
         .summary = "Verify one or more images in the local store",
         .usage = "IMAGE...",
         .description =
                 "\tChecks that each image's data still hashes to its ID, and that its rendered tree still\n"
                 "\tmatches the hash recorded when it was rendered. A damaged or incomplete tree is "
                 "rendered\n"
                 "\tagain (as root). A damaged image cannot be repaired: remove it with 'rkt image rm' and\n"
                 "\tfetch it again. Use it when disk corruption may have damaged the store.",
         .run = verb_image_verify,
         .min_args = 1,
         .max_args = UNBOUNDED},
        {},
};

static const Verb pod_file_verbs[] = {
        {.name = "verify",
         .summary = "Check pod files and print the units they give",
         .usage = "[--quiet] FILE...",
         .description = "\tParses each pod file (rkt.pod(5)) as rkt-pod-generator does, checks its values "
                        "as 'rkt run'\n"
                        "\twould, and prints the systemd unit it becomes. An error names the file, the line "
                        "and the\n"
                        "\tkey; the exit status is 254 when a file has one.",
         .options = pod_file_verify_options,
         .run = verb_pod_file_verify,
         .flags = VERB_NO_CONFIG,
         .min_args = 1,
         .max_args = UNBOUNDED},
        {},
};

const Verb rkt_verbs[] = {
        {.name = "cat-manifest",
         .summary = "Inspect and print the pod manifest",
         .usage = "[--pretty-print] --uuid-file=FILE | UUID",
         .description = "\tUUID is a pod UUID or an unambiguous prefix of one.",
         .options = cat_manifest_options,
         .run = verb_cat_manifest,
         .max_args = 1},
        {.name = "completion",
         .summary = "Print the bash or zsh completion script (build time)",
         .usage = "bash|zsh",
         .run = verb_completion,
         .flags = VERB_HIDDEN | VERB_NO_CONFIG,
         .min_args = 1,
         .max_args = 1},
        {.name = "config",
         .summary = "Print configuration for each stage in JSON format",
         .usage = "[--pretty-print=false]",
         .description = "\tThe output is parsable JSON with \"stage0\" as key and rkt configuration entries "
                        "as values,\n"
                        "\tmerged from the system, local and user config dirs: auth and dockerAuth "
                        "(auth.d), paths\n"
                        "\t(paths.d) and stage1 (stage1.d), in the format of the configuration files.",
         .options = config_options,
         .run = verb_config,
         .max_args = 0},
        {.name = "enter",
         .summary = "Enter the namespaces of an app within a rkt pod",
         .usage = "[--app=APPNAME] UUID [CMD [ARGS ...]]",
         .description = "\tUUID should be the UUID of a running pod. Without CMD, /bin/bash is run (/bin/sh "
                        "when the\n"
                        "\tapp has no bash).",
         .options = enter_options,
         .run = verb_enter,
         .flags = VERB_ROOT_ONLY | VERB_NO_INTERSPERSED,
         .min_args = 1,
         .max_args = UNBOUNDED},
        {.name = "export",
         .summary = "Export an app from an exited pod to an ACI file",
         .usage = "[--app=APPNAME] [--overwrite] UUID OUTPUT_ACI_FILE",
         .description =
                 "\tUUID should be the UUID of an exited pod. The app's root filesystem, with what the app\n"
                 "\tchanged in it, and its image manifest become a gzip-compressed ACI.",
         .options = export_options,
         .run = verb_export,
         .flags = VERB_ROOT_ONLY,
         .min_args = 2,
         .max_args = 2},
        {.name = "fetch",
         .summary = "Fetch image(s) and store them in the local store",
         .usage = "[--full] [--pull-policy=new|update|never] [--signature=FILE] IMAGE...",
         .description =
                 "\tLocates and downloads ACIs and their signatures, and prints each image's ID. IMAGE is a "
                 "local\n"
                 "\tfile (a path or file:// URL), an http(s):// URL of an ACI, an image name with labels\n"
                 "\t(example.com/app:1.0,os=linux,arch=amd64) found by appc discovery, or a Docker/OCI "
                 "image in a\n"
                 "\tregistry (docker://[REGISTRY/]NAME[:TAG|@DIGEST], converted into one ACI; it cannot be "
                 "signed,\n"
                 "\tso it needs --insecure-options=image). Signatures (IMAGE.aci.asc) are verified against "
                 "the\n"
                 "\ttrust store (see 'rkt trust') before the image enters the store, unless\n"
                 "\t--insecure-options=image. Credentials come from auth.d in the config dirs.\n\n"
                 "\t--insecure-options for fetching: image (no signature check), tls (no certificate "
                 "check),\n"
                 "\thttp (plain http allowed), pubkey (keys discovered over insecure channels), all-fetch "
                 "(all four).",
         .options = fetch_options,
         .run = verb_fetch,
         .min_args = 1,
         .max_args = UNBOUNDED},
        {.name = "gc",
         .summary = "Garbage collect rkt pods no longer in use",
         .usage = "[--grace-period=DURATION] [--expire-prepared=DURATION] [--mark-only]",
         .description =
                 "\tThis is intended to be run periodically from a timer or cron job (rkt-gc.timer).\n\n"
                 "\tGarbage collection is a 2-step process. First, stopped pods are moved to the garbage "
                 "by\n"
                 "\tone invocation of the gc command. A subsequent invocation will clean up the pod, "
                 "assuming\n"
                 "\tthe pod has been in the garbage for more time than the specified grace period.\n\n"
                 "\tUse --grace-period=0s to effectively disable the grace-period.",
         .options = gc_options,
         .run = verb_gc,
         .flags = VERB_ROOT_ONLY,
         .max_args = 0},
        {.name = "help",
         .summary = "Help about any command",
         .usage = "[COMMAND [SUBCOMMAND]]",
         .run = verb_help,
         .flags = VERB_NO_CONFIG,
         .max_args = 2},
        {.name = "image",
         .summary = "Operate on image(s) in the local store",
         .usage = "COMMAND",
         .subverbs = image_verbs},
        {.name = "list",
         .summary = "List pods",
         .usage = "[--full] [--no-legend] [--format=json|json-pretty]",
         .description = "\tDisplays a table of information about the pods.",
         .options = list_options,
         .run = verb_list,
         .max_args = 0},
        {.name = "man-pages",
         .summary = "Write the manual pages into a directory (build time)",
         .usage = "DIR",
         .run = verb_man_pages,
         .flags = VERB_HIDDEN | VERB_NO_CONFIG,
         .min_args = 1,
         .max_args = 1},
        {.name = "api-service",
         .summary = "Run API service (experimental)",
         .usage = "[--listen=ADDR] [--idle-timeout=DURATION]",
         .description =
                 "\tServes rkt 1.30's read-only gRPC API (v1alpha: GetInfo, ListPods, InspectPod, "
                 "ListImages,\n"
                 "\tInspectImage, ListenEvents, GetLogs) on ADDR, localhost:15441 by default, or on the\n"
                 "\tsockets systemd passes (rkt-api.socket), and exits after DURATION without open calls.",
         .options = api_service_options,
         .run = verb_api_service,
         .flags = VERB_NO_CONFIG,
         .max_args = 0},
        {.name = "metadata-service",
         .summary = "Run metadata service",
         .usage = "[--listen-port=PORT]",
         .description =
                 "\tProvides a means for running apps to introspect their execution environment and assert\n"
                 "\ttheir identity: pods registered with 'rkt run --mds-register' reach it at "
                 "AC_METADATA_URL.\n"
                 "\tRegistrations arrive on /run/rkt/metadata-svc.sock (root only), apps ask on TCP PORT.\n"
                 "\tSocket-activated by rkt-metadata.socket, it takes its sockets from systemd.",
         .options = metadata_service_options,
         .run = verb_metadata_service,
         .flags = VERB_ROOT_ONLY,
         .max_args = 0},
        {.name = "pod-file",
         .summary = "Check pod files, the pods systemd runs (rkt.pod(5))",
         .usage = "COMMAND",
         .subverbs = pod_file_verbs},
        {.name = "prepare",
         .summary = "Prepare a pod to run later with 'rkt run-prepared'",
         .usage = "[--volume=…] [--mount=…] [--set-env=…] [--stage1-…] [--quiet] IMAGE [APP FLAGS] [-- "
                  "ARGS… [---]]…",
         .description =
                 "\tFetches the images, writes the pod manifest and renders the pod, then prints its UUID.\n"
                 "\tApp flags after an IMAGE apply to that image's app: --name, --exec, --user, --group,\n"
                 "\t--working-dir, --environment, --mount, --memory, --cpu, --caps-retain, … (see 'rkt run "
                 "--help').",
         .options = prepare_options,
         .app_options = run_app_options,
         .run = verb_prepare,
         .flags = VERB_ROOT_ONLY | VERB_NO_INTERSPERSED,
         .max_args = UNBOUNDED},
        {.name = "rm",
         .summary = "Remove all files and resources associated with an exited pod",
         .usage = "--uuid-file=FILE | UUID ...",
         .description = "\tUnlike gc, rm allows users to remove specific pods, at once.",
         .options = rm_options,
         .run = verb_rm,
         .flags = VERB_ROOT_ONLY,
         .max_args = UNBOUNDED},
        {.name = "run",
         .summary = "Run image(s) in a pod",
         .usage = "[--net=NAME[:ARGS],…] [--port=NAME:PORT] [--volume=…] [--set-env=…] [--stage1-…] IMAGE "
                  "[APP FLAGS] [-- ARGS… [---]]…",
         .description =
                 "\tRuns the images as the apps of one pod: systemd-nspawn with systemd as the pod's init, "
                 "registered\n"
                 "\twith machined as rkt-UUID (as NAME with --name=NAME before the images). rkt exits with "
                 "the first\n"
                 "\tfailing app's exit status (0 when all succeed).\n\n"
                 "\tFlags after an IMAGE apply to that image's app:\n"
                 "\t  --name=NAME  --exec=PATH  --user=USER  --group=GROUP  --supplementary-gids=GIDS\n"
                 "\t  --working-dir=DIR  --environment=NAME=VALUE  --annotation=NAME=VALUE\n"
                 "\t  --user-annotation=NAME=VALUE  --user-label=NAME=VALUE  "
                 "--mount=volume=NAME,target=PATH\n"
                 "\t  --readonly-rootfs  --memory=QUANTITY  --cpu=QUANTITY  --cpu-shares=N  "
                 "--oom-score-adj=N\n"
                 "\t  --caps-retain=CAPS  --caps-remove=CAPS  --seccomp=mode=retain|remove,SYSCALLS\n"
                 "\tArguments after '--' are appended to the app's command, up to '---'.",
         .options = run_options,
         .app_options = run_app_options,
         .run = verb_run,
         .flags = VERB_ROOT_ONLY | VERB_NO_INTERSPERSED,
         .max_args = UNBOUNDED},
        {.name = "run-prepared",
         .summary = "Run a prepared pod",
         .usage = "[--net=NAME[:ARGS],…] [--dns=…] [--interactive] [--hostname=NAME] UUID",
         .options = run_prepared_options,
         .run = verb_run_prepared,
         .flags = VERB_ROOT_ONLY,
         .min_args = 1,
         .max_args = 1},
        {.name = "status",
         .summary = "Check the status of a rkt pod",
         .usage = "[--wait=bool|timeout] [--wait-ready=bool|timeout] [--format=json|json-pretty] "
                  "--uuid-file=FILE | UUID",
         .description =
                 "\tPrints assorted information about the pod such as its state, pid and exit status.\n\n"
                 "\tThe --wait and --wait-ready flags accept boolean or timeout values. If set to true, "
                 "wait\n"
                 "\tindefinitely. If set to false, don't wait at all. They can also be set to a duration. "
                 "If\n"
                 "\tthe duration is less than zero, wait indefinitely. If the duration is zero, don't wait "
                 "at all.",
         .options = status_options,
         .run = verb_status,
         .max_args = 1},
        {.name = "stop",
         .summary = "Stop a pod",
         .usage = "[--force] --uuid-file=FILE | UUID ...",
         .options = stop_options,
         .run = verb_stop,
         .flags = VERB_ROOT_ONLY,
         .max_args = UNBOUNDED},
        {.name = "trust",
         .summary = "Trust a key for image verification",
         .usage = "[--prefix=PREFIX | --root] [--insecure-allow-http] [--skip-fingerprint-review] [PUBKEY "
                  "...]\n"
                  "\trkt trust --list [--prefix=PREFIX | --root] [--format=json|json-pretty] [--no-legend]\n"
                  "\trkt trust --remove=FINGERPRINT [--prefix=PREFIX | --root]",
         .description = "\tAdds keys to the local trust store (LOCAL_CONFIG/trustedkeys) for verifying "
                        "signed images.\n\n"
                        "\tPUBKEY is a local file or an http(s) URL. PREFIX scopes the trust to images "
                        "whose name is PREFIX\n"
                        "\tor lies below it (example.com/app covers example.com/app/worker). Without "
                        "PUBKEY, the keys are\n"
                        "\tfound by meta discovery ('ac-discovery-pubkeys') at PREFIX. --root trusts a key "
                        "file for all\n"
                        "\timages. Each key's fingerprint is shown and must be confirmed, unless "
                        "--skip-fingerprint-review.\n\n"
                        "\t--list shows the trusted keys (prefix, fingerprint, status, user IDs, file); "
                        "with --prefix, those\n"
                        "\tthat verify images named PREFIX. --remove stops trusting a key: its local files "
                        "are removed, and\n"
                        "\tsystem keys (SYSTEM_CONFIG/trustedkeys) are masked with an empty local file of "
                        "the same name.",
         .options = trust_options,
         .run = verb_trust,
         .max_args = UNBOUNDED},
        {.name = "version",
         .summary = "Print the version and exit",
         .usage = "",
         .run = verb_version,
         .flags = VERB_NO_CONFIG,
         .max_args = 0},
        {},
};

/* The value-taking global flags, so that "rkt --dir /x fetch" finds the verb after "/x". */
static bool takes_value(const char *arg) {
        static const char *const names[] = {"--dir",           "--system-config",    "--local-config",
                                            "--user-config",   "--insecure-options", "--stall-timeout",
                                            "--max-image-size"};
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
        strv_free(g->net_plugins);
        free(g->stage1_images);
}

static int globals_init(RktGlobals *g) {
        *g = (RktGlobals){
                .dir = strdup("/var/lib/rkt"),
                .system_config = strdup("/usr/lib/rkt"),
                .local_config = strdup("/etc/rkt"),
        };
        return g->dir && g->system_config && g->local_config ? 0 : -ENOMEM;
}

/* rkt 1.30's refusal of a root-only verb, after the words its own failure began with where it had one. */
static void refuse_unprivileged(const Verb *v) {
        if (v->refusal_text)
                log_error("%s: cannot run as unprivileged user", v->refusal_text);
        else
                log_error("cannot run as unprivileged user");
}

static int run(int argc, char **argv) {
        _cleanup_free_ char **rest = NULL;
        const Verb *verb = NULL, *list = rkt_verbs;
        char path[256] = "rkt";
        RktGlobals g;
        CliArgs a;
        int n_rest = 0, r;

        if (globals_init(&g) < 0)
                return log_oom();

        /* Flags may come before and after the verb; collect everything but the verb words. */
        rest = calloc(argc + 1, sizeof(char *));
        if (!rest) {
                globals_done(&g);
                return log_oom();
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
                        log_error("rkt: unknown command '%s' for '%s'%s%s%s\nRun '%s --help' for usage.",
                                  arg, path, suggestion ? "\n\nDid you mean this?\n\t" : "",
                                  strempty(suggestion), suggestion ? "\n" : "", path);
                        globals_done(&g);
                        return -EINVAL;
                }
                verb = v;
                list = v->subverbs;
                snprintf(path + strlen(path), sizeof(path) - strlen(path), " %s", v->name);
                log_set_prefix(v->name);
        }

        /* As rkt 1.30: a verb for root says so before it looks at its arguments (help is for anyone). */
        if (verb && verb->run && (verb->flags & VERB_ROOT_ONLY) && geteuid() != 0) {
                bool help = false;
                for (int i = 0; i < n_rest; i++) {
                        if (streq(rest[i], "--"))
                                break;
                        help = help || streq(rest[i], "--help") || streq(rest[i], "-h");
                }
                if (!help) {
                        refuse_unprivileged(verb);
                        globals_done(&g);
                        return -EPERM;
                }
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
                        refuse_unprivileged(verb);
                        r = -EPERM;
                } else {
                        r = verb->flags & VERB_NO_CONFIG ? 0 : cli_load_paths(&g);
                        if (r >= 0)
                                r = verb->run(&a);
                }
        }
        cli_args_done(&a);
        globals_done(&g);
        return r;
}

int main(int argc, char *argv[]) {
        const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
        int r;

        rkt_error_hints_set(cli_hint);
        /* Installed as a symlink in systemd's generator directory, rkt is its pod file generator. */
        if (argc > 0 && streq(base ? base + 1 : argv[0], POD_GENERATOR_NAME))
                return pod_generator_main(argc, argv);
        r = run(argc, argv);
        fflush(stdout);
        return r < 0 ? EXIT_RKT_ERROR : r;
}
