/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "fetch-ui.h"
#include "fs.h"
#include "insecure.h"
#include "log.h"
#include "mds-client.h"
#include "net-options.h"
#include "pod-name.h"
#include "pod-prepare.h"
#include "rkt-config.h"
#include "run-common.h"
#include "stage1-exec.h"
#include "store.h"
#include "strv.h"
#include "util.h"

enum {
        /* pod-level */
        OPT_NET = 1,
        OPT_HOSTNAME,
        OPT_INTERACTIVE,
        OPT_SET_ENV,
        OPT_SET_ENV_FILE,
        OPT_INHERIT_ENV,
        OPT_VOLUME,
        OPT_POD_MOUNT,
        OPT_UUID_FILE_SAVE,
        OPT_NO_OVERLAY,
        OPT_PRIVATE_USERS,
        OPT_PULL_POLICY,
        OPT_POD_MANIFEST,
        OPT_STAGE1_PATH,
        OPT_STAGE1_URL,
        OPT_STAGE1_NAME,
        OPT_STAGE1_HASH,
        OPT_STAGE1_FROM_DIR,
        OPT_QUIET,
        OPT_MDS_REGISTER,
        OPT_PORT,
        OPT_DNS,
        OPT_DNS_SEARCH,
        OPT_DNS_OPT,
        OPT_DNS_DOMAIN,
        OPT_HOSTS_ENTRY,
        OPT_NO_STORE,
        OPT_STORE_ONLY,
        OPT_IPC,
        OPT_POD_NAME,
        /* per app */
        APP_NAME,
        APP_EXEC,
        APP_WORKING_DIR,
        APP_USER,
        APP_GROUP,
        APP_SUPP_GIDS,
        APP_ENVIRONMENT,
        APP_ANNOTATION,
        APP_USER_ANNOTATION,
        APP_USER_LABEL,
        APP_MOUNT,
        APP_READONLY_ROOTFS,
        APP_MEMORY,
        APP_CPU,
        APP_CPU_SHARES,
        APP_OOM_SCORE_ADJ,
        APP_CAPS_RETAIN,
        APP_CAPS_REMOVE,
        APP_SECCOMP,
        APP_SIGNATURE,
};

#define NET_OPTIONS                                                                                         \
        {"net",                                                                                             \
         0,                                                                                                 \
         OPT_NET,                                                                                           \
         OPTION_OPTIONAL,                                                                                   \
         "NAME[:ARGS],...",                                                                                 \
         "default",                                                                                         \
         "the pod's networks: default, default-restricted or networks of net.d (ARGS: CNI_ARGS, e.g. "      \
         "default:IP=172.16.28.9), host (the host's) or none (loopback only)",                              \
         "default default-restricted host none"},                                                           \
                {"dns",                                                                                     \
                 0,                                                                                         \
                 OPT_DNS,                                                                                   \
                 OPTION_REQUIRED,                                                                           \
                 "IP[,IP...]|host|none",                                                                    \
                 NULL,                                                                                      \
                 "name servers for the pod's /etc/resolv.conf; host: the host's file; none: ignore the "    \
                 "networks' DNS"},                                                                          \
                {"dns-search",                                                                              \
                 0,                                                                                         \
                 OPT_DNS_SEARCH,                                                                            \
                 OPTION_REQUIRED,                                                                           \
                 "DOMAIN",                                                                                  \
                 NULL,                                                                                      \
                 "a search domain for the pod's /etc/resolv.conf (repeatable)"},                            \
                {"dns-opt",                                                                                 \
                 0,                                                                                         \
                 OPT_DNS_OPT,                                                                               \
                 OPTION_REQUIRED,                                                                           \
                 "OPTION",                                                                                  \
                 NULL,                                                                                      \
                 "an option for the pod's /etc/resolv.conf (repeatable)"},                                  \
                {"dns-domain",                                                                              \
                 0,                                                                                         \
                 OPT_DNS_DOMAIN,                                                                            \
                 OPTION_REQUIRED,                                                                           \
                 "DOMAIN",                                                                                  \
                 NULL,                                                                                      \
                 "the domain of the pod's /etc/resolv.conf"},                                               \
                {"hosts-entry",                                                                             \
                 0,                                                                                         \
                 OPT_HOSTS_ENTRY,                                                                           \
                 OPTION_REQUIRED,                                                                           \
                 "IP=HOST[,...]|host",                                                                      \
                 NULL,                                                                                      \
                 "entries of the pod's /etc/hosts (repeatable); host: the host's /etc/hosts"},              \
                {"hostname", 0, OPT_HOSTNAME, OPTION_REQUIRED, "NAME", "rkt-$UUID", "the pod's hostname"},  \
                {"interactive",                                                                             \
                 0,                                                                                         \
                 OPT_INTERACTIVE,                                                                           \
                 OPTION_BOOL,                                                                               \
                 NULL,                                                                                      \
                 "false",                                                                                   \
                 "run the (single) app interactively, on this terminal"},                                   \
                {"ipc",                                                                                     \
                 0,                                                                                         \
                 OPT_IPC,                                                                                   \
                 OPTION_REQUIRED,                                                                           \
                 "auto|private|parent",                                                                     \
                 "auto",                                                                                    \
                 "the pod's IPC namespace: auto or private (its own); parent (the host's) is refused by "   \
                 "this "                                                                                    \
                 "stage1",                                                                                  \
                 "auto private parent"},                                                                    \
        {                                                                                                   \
                "mds-register", 0, OPT_MDS_REGISTER, OPTION_BOOL, NULL, "false",                            \
                        "register the pod with the metadata service (rkt metadata-service) and give its "   \
                        "apps "                                                                             \
                        "AC_METADATA_URL"                                                                   \
        }

#define PREPARE_OPTIONS                                                                                     \
        {"mount",                                                                                           \
         0,                                                                                                 \
         OPT_POD_MOUNT,                                                                                     \
         OPTION_REQUIRED,                                                                                   \
         "volume=NAME,target=PATH",                                                                         \
         NULL,                                                                                              \
         "mount a volume into every app (after an image: into that app)"},                                  \
                {"name",                                                                                    \
                 0,                                                                                         \
                 OPT_POD_NAME,                                                                              \
                 OPTION_REQUIRED,                                                                           \
                 "NAME",                                                                                    \
                 NULL,                                                                                      \
                 "the pod's name, unique among pods that are not garbage: pod verbs take it for the UUID, " \
                 "and "                                                                                     \
                 "the pod is the machine NAME (after an image: the app's name)"},                           \
                {"no-overlay",                                                                              \
                 0,                                                                                         \
                 OPT_NO_OVERLAY,                                                                            \
                 OPTION_BOOL,                                                                               \
                 NULL,                                                                                      \
                 "false",                                                                                   \
                 "copy the images into the pod instead of mounting overlays"},                              \
                {"no-store",                                                                                \
                 0,                                                                                         \
                 OPT_NO_STORE,                                                                              \
                 OPTION_BOOL,                                                                               \
                 NULL,                                                                                      \
                 "false",                                                                                   \
                 "fetch the images again (--pull-policy=update)",                                           \
                 NULL,                                                                                      \
                 "please use --pull-policy=update"},                                                        \
                {"store-only",                                                                              \
                 0,                                                                                         \
                 OPT_STORE_ONLY,                                                                            \
                 OPTION_BOOL,                                                                               \
                 NULL,                                                                                      \
                 "false",                                                                                   \
                 "use only images in the store (--pull-policy=never)",                                      \
                 NULL,                                                                                      \
                 "please use --pull-policy=never"},                                                         \
                {"pod-manifest",                                                                            \
                 0,                                                                                         \
                 OPT_POD_MANIFEST,                                                                          \
                 OPTION_REQUIRED,                                                                           \
                 "FILE",                                                                                    \
                 NULL,                                                                                      \
                 "run the pod described by an appc pod manifest (no images or app flags then)"},            \
                {"port",                                                                                    \
                 0,                                                                                         \
                 OPT_PORT,                                                                                  \
                 OPTION_REQUIRED,                                                                           \
                 "NAME:[HOSTIP:]HOSTPORT",                                                                  \
                 NULL,                                                                                      \
                 "forward a port the image declares to the host (repeatable; needs a network of the pod's " \
                 "own)"},                                                                                   \
                {"private-users",                                                                           \
                 0,                                                                                         \
                 OPT_PRIVATE_USERS,                                                                         \
                 OPTION_BOOL,                                                                               \
                 NULL,                                                                                      \
                 "false",                                                                                   \
                 "run the pod in a user namespace with a random UID/GID shift (copies the images; needs a " \
                 "network of the pod's own)"},                                                              \
                {"pull-policy",                                                                             \
                 0,                                                                                         \
                 OPT_PULL_POLICY,                                                                           \
                 OPTION_REQUIRED,                                                                           \
                 "POLICY",                                                                                  \
                 "new",                                                                                     \
                 "when to fetch an image: new (only when not in the store), update (always), never (store " \
                 "only)",                                                                                   \
                 "new update never"},                                                                       \
                {"set-env",                                                                                 \
                 0,                                                                                         \
                 OPT_SET_ENV,                                                                               \
                 OPTION_REQUIRED,                                                                           \
                 "NAME=VALUE",                                                                              \
                 NULL,                                                                                      \
                 "an environment variable for all apps (repeatable)"},                                      \
                {"set-env-file",                                                                            \
                 0,                                                                                         \
                 OPT_SET_ENV_FILE,                                                                          \
                 OPTION_REQUIRED,                                                                           \
                 "FILE",                                                                                    \
                 NULL,                                                                                      \
                 "environment variables for all apps from a file of NAME=VALUE lines"},                     \
                {"inherit-env",                                                                             \
                 0,                                                                                         \
                 OPT_INHERIT_ENV,                                                                           \
                 OPTION_BOOL,                                                                               \
                 NULL,                                                                                      \
                 "false",                                                                                   \
                 "give the apps rkt's environment (below the image's and --set-env's)"},                    \
                {"stage1-from-dir",                                                                         \
                 0,                                                                                         \
                 OPT_STAGE1_FROM_DIR,                                                                       \
                 OPTION_REQUIRED,                                                                           \
                 "FILE",                                                                                    \
                 NULL,                                                                                      \
                 "a stage1 image file from the stage1 images directory"},                                   \
                {"stage1-hash",                                                                             \
                 0,                                                                                         \
                 OPT_STAGE1_HASH,                                                                           \
                 OPTION_REQUIRED,                                                                           \
                 "ID",                                                                                      \
                 NULL,                                                                                      \
                 "a stage1 image in the store, by ID"},                                                     \
                {"stage1-name",                                                                             \
                 0,                                                                                         \
                 OPT_STAGE1_NAME,                                                                           \
                 OPTION_REQUIRED,                                                                           \
                 "NAME",                                                                                    \
                 NULL,                                                                                      \
                 "a stage1 image in the store, by name[:version]"},                                         \
                {"stage1-path", 0, OPT_STAGE1_PATH, OPTION_REQUIRED, "PATH", NULL, "a stage1 image file"},  \
                {"stage1-url",                                                                              \
                 0,                                                                                         \
                 OPT_STAGE1_URL,                                                                            \
                 OPTION_REQUIRED,                                                                           \
                 "URL",                                                                                     \
                 NULL,                                                                                      \
                 "a stage1 image file:// URL"},                                                             \
                {"uuid-file-save",                                                                          \
                 0,                                                                                         \
                 OPT_UUID_FILE_SAVE,                                                                        \
                 OPTION_REQUIRED,                                                                           \
                 "FILE",                                                                                    \
                 NULL,                                                                                      \
                 "write the pod's UUID to FILE as soon as the pod exists"},                                 \
        {                                                                                                   \
                "volume", 0, OPT_VOLUME, OPTION_REQUIRED, "NAME,kind=host|empty,…", NULL,                   \
                        "a pod volume: NAME,kind=host,source=PATH[,readOnly=BOOL][,recursive=BOOL] or "     \
                        "NAME,kind=empty[,mode=0755][,uid=0][,gid=0]"                                       \
        }

const Option run_options[] = {NET_OPTIONS, PREPARE_OPTIONS, {}};

const Option prepare_options[] = {
        PREPARE_OPTIONS,
        {"quiet", 0, OPT_QUIET, OPTION_BOOL, NULL, "false", "print nothing but the pod's UUID"},
        {},
};

const Option run_prepared_options[] = {NET_OPTIONS, {}};

/* The flags that follow an IMAGE and apply to it. */
const Option run_app_options[] = {
        {"annotation", 0, APP_ANNOTATION, OPTION_REQUIRED, "NAME=VALUE", NULL, "an app annotation"},
        {"caps-remove", 0, APP_CAPS_REMOVE, OPTION_REQUIRED, "CAPS", NULL, "capabilities to remove"},
        {"caps-retain", 0, APP_CAPS_RETAIN, OPTION_REQUIRED, "CAPS", NULL, "capabilities to keep"},
        {"cap-remove", 0, APP_CAPS_REMOVE, OPTION_REQUIRED, "CAPS", NULL, "capabilities to remove", NULL,
         "use --caps-remove instead"},
        {"cap-retain", 0, APP_CAPS_RETAIN, OPTION_REQUIRED, "CAPS", NULL, "capabilities to keep", NULL,
         "use --caps-retain instead"},
        {"cpu", 0, APP_CPU, OPTION_REQUIRED, "QUANTITY", NULL, "CPU limit (e.g. 500m)"},
        {"cpu-shares", 0, APP_CPU_SHARES, OPTION_REQUIRED, "N", NULL, "CPU shares"},
        {"environment", 0, APP_ENVIRONMENT, OPTION_REQUIRED, "NAME=VALUE", NULL, "an environment variable"},
        {"exec", 0, APP_EXEC, OPTION_REQUIRED, "PATH", NULL, "the command to run instead of the image's"},
        {"group", 0, APP_GROUP, OPTION_REQUIRED, "GROUP", NULL, "group to run the app as"},
        {"memory", 0, APP_MEMORY, OPTION_REQUIRED, "QUANTITY", NULL, "memory limit (e.g. 512M)"},
        {"mount", 0, APP_MOUNT, OPTION_REQUIRED, "volume=NAME,target=PATH", NULL, "mount a volume"},
        {"name", 0, APP_NAME, OPTION_REQUIRED, "NAME", NULL, "the app's name"},
        {"oom-score-adj", 0, APP_OOM_SCORE_ADJ, OPTION_REQUIRED, "N", NULL, "OOM score adjustment"},
        {"readonly-rootfs", 0, APP_READONLY_ROOTFS, OPTION_BOOL, NULL, "false",
         "mount the app's rootfs read-only"},
        {"seccomp", 0, APP_SECCOMP, OPTION_REQUIRED, "mode=retain|remove,…", NULL, "seccomp filter"},
        {"signature", 0, APP_SIGNATURE, OPTION_REQUIRED, "FILE", NULL,
         "a local signature file for the image (instead of the one beside it)"},
        {"supplementary-gids", 0, APP_SUPP_GIDS, OPTION_REQUIRED, "GIDS", NULL, "supplementary group IDs"},
        {"user", 0, APP_USER, OPTION_REQUIRED, "USER", NULL, "user to run the app as"},
        {"user-annotation", 0, APP_USER_ANNOTATION, OPTION_REQUIRED, "NAME=VALUE", NULL,
         "a user annotation"},
        {"user-label", 0, APP_USER_LABEL, OPTION_REQUIRED, "NAME=VALUE", NULL, "a user label"},
        {"working-dir", 0, APP_WORKING_DIR, OPTION_REQUIRED, "DIR", NULL, "the app's working directory"},
        {},
};

static int parse_kv(const char *flag, const char *s, AppcKV **kv, size_t *n) {
        const char *eq = strchr(s, '=');
        _cleanup_free_ char *name = NULL;

        if (!eq || eq == s)
                return log_error_errno(-EINVAL, "--%s '%s': expected NAME=VALUE", flag, s);
        name = strndup(s, eq - s);
        if (!name || appc_kv_set(kv, n, name, eq + 1) < 0)
                return log_oom();
        return 0;
}

static int add_app_option(AppSpec *app, const ParsedOption *o) {
        const char *v = o->value;
        int r;

        switch (o->option->id) {
        case APP_NAME:
                app->name = v;
                break;
        case APP_EXEC:
                app->exec = v;
                break;
        case APP_WORKING_DIR:
                app->working_dir = v;
                break;
        case APP_USER:
                app->user = v;
                break;
        case APP_GROUP:
                app->group = v;
                break;
        case APP_SUPP_GIDS:
                app->supplementary_gids = v;
                break;
        case APP_MEMORY:
                app->memory = v;
                break;
        case APP_CPU:
                app->cpu = v;
                break;
        case APP_CPU_SHARES:
                app->cpu_shares = v;
                break;
        case APP_OOM_SCORE_ADJ:
                app->oom_score_adj = v;
                break;
        case APP_CAPS_RETAIN:
                app->caps_retain = v;
                break;
        case APP_CAPS_REMOVE:
                app->caps_remove = v;
                break;
        case APP_SECCOMP:
                app->seccomp = v;
                break;
        case APP_SIGNATURE:
                app->signature = v;
                break;
        case APP_READONLY_ROOTFS:
                return cli_bool(o, &app->readonly_rootfs);
        case APP_ENVIRONMENT:
                return parse_kv("environment", v, &app->environment, &app->n_environment);
        case APP_ANNOTATION:
                return parse_kv("annotation", v, &app->annotations, &app->n_annotations);
        case APP_USER_ANNOTATION:
                return parse_kv("user-annotation", v, &app->user_annotations, &app->n_user_annotations);
        case APP_USER_LABEL:
                return parse_kv("user-label", v, &app->user_labels, &app->n_user_labels);
        case APP_MOUNT:
                r = strv_extend(&app->mounts, v);
                return r < 0 ? log_error_errno(r, "Out of memory") : 0;
        }
        return 0;
}

/* The flags that may follow an image: its app's, and (as rkt 1.30 accepted them there, and Nomad's driver
 * puts --port after the image) the verb's own pod-level flags, which apply to the pod wherever they are.
 * --mount is the app's there. */
static int app_flags_table(const Option *pod, Option **ret) {
        size_t n_app = 0, n = 0;
        Option *t;

        while (run_app_options[n_app].name)
                n_app++;
        for (const Option *o = pod; o && o->name; o++)
                n++;
        t = calloc(n_app + n + 1, sizeof(Option));
        if (!t)
                return log_oom();
        memcpy(t, run_app_options, n_app * sizeof(Option));
        n = n_app;
        for (const Option *o = pod; o && o->name; o++) {
                bool dup = false;
                for (size_t i = 0; i < n_app && !dup; i++)
                        dup = streq(t[i].name, o->name);
                if (!dup)
                        t[n++] = *o;
        }
        *ret = t;
        return 0;
}

static const Option *pod_option_by_id(const Option *table, int id) {
        for (const Option *o = table; o && o->name; o++)
                if (o->id == id)
                        return o;
        return NULL;
}

/* IMAGE [APP FLAGS] [-- ARGS… [---]] IMAGE …; pod-level flags found after an image are appended to a's
 * options, so parse the apps before the pod options. */
static int parse_apps(CliArgs *a, RunArgs *r) {
        _cleanup_free_ Option *table = NULL;
        Verb flags_verb = {.name = a->verb->name, .flags = VERB_NO_INTERSPERSED, .max_args = SIZE_MAX};
        char path[64];
        char **pos = a->args;
        size_t n = a->n_args, i = 0;
        int k;

        k = app_flags_table(a->verb->options, &table);
        if (k < 0)
                return k;
        flags_verb.options = table;
        snprintf(path, sizeof(path), "rkt %s", a->verb->name);
        while (i < n) {
                AppSpec *apps, *app;
                CliArgs sub;
                size_t consumed;

                if (streq(pos[i], "--") || streq(pos[i], "---"))
                        return log_error_errno(-EINVAL, "'%s' must follow an image", pos[i]);
                apps = realloc(r->spec.apps, sizeof(AppSpec) * (r->spec.n_apps + 1));
                if (!apps)
                        return log_oom();
                r->spec.apps = apps;
                app = &apps[r->spec.n_apps++];
                *app = (AppSpec){.image = pos[i++]};

                k = cli_parse(&flags_verb, path, (int) (n - i), pos + i, a->globals, &sub);
                if (k != 0) {
                        cli_args_done(&sub);
                        return k < 0 ? k
                                     : log_error_errno(-EINVAL, "--help after an image: see '%s --help'",
                                                       path);
                }
                for (size_t o = 0; o < sub.n_options; o++) {
                        const Option *pod =
                                sub.options[o].option->id < APP_NAME
                                        ? pod_option_by_id(a->verb->options, sub.options[o].option->id)
                                        : NULL;
                        k = pod ? cli_args_push_option(a, pod, sub.options[o].value)
                                : add_app_option(app, &sub.options[o]);
                        if (k < 0) {
                                cli_args_done(&sub);
                                return k;
                        }
                }
                consumed = (n - i) - sub.n_args;
                cli_args_done(&sub);
                i += consumed;
                if (i < n && streq(pos[i], "--")) {
                        for (i++; i < n && !streq(pos[i], "---"); i++)
                                if (strv_extend(&app->args, pos[i]) < 0)
                                        return log_oom();
                        if (i < n)
                                i++; /* "---" */
                }
        }
        return 0;
}

static int read_env_file(RunArgs *r, const char *file) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_free_ char *text = NULL;
        int k = read_full_file_at(AT_FDCWD, file, &text, NULL);

        if (k < 0)
                return log_error_errno(k, "--set-env-file '%s': %m", file);
        k = env_file_parse(text, file, &r->spec.set_env, &r->spec.n_set_env, &err);
        if (k < 0)
                return log_error_errno(k, "--set-env-file: %s", rkt_error_message(err, k));
        return 0;
}

/* The --net values (each NAME[:ARGS],…; "" for a bare --net, which is "default"), checked as stage1 will
 * check them (net-options.h), joined into one list. */
static int parse_net(char *const *values, char **ret) {
        _cleanup_(net_list_done) NetList l = {};
        _cleanup_error_ RktError *err = NULL;
        int k;

        STRV_FOREACH(v, values) {
                k = net_list_parse(*v, &l, &err);
                if (k < 0)
                        return log_error_errno(k, "%s", rkt_error_message(err, k));
        }
        if (l.n == 0 && (k = net_list_parse(NULL, &l, &err)) < 0)
                return log_error_errno(k, "%s", rkt_error_message(err, k));
        k = net_list_format(&l, ret);
        return k < 0 ? log_error_errno(k, "Out of memory") : 0;
}

/* --dns, --dns-search, --dns-opt, --dns-domain, --hosts-entry: checked here as stage1 will check them
 * (net-options.h), so that a mistake shows before the pod is prepared, then handed to stage1 as they
 * are. */
static int add_dns_arg(RunArgs *r, const Option *o, const char *v, NetDnsConfig *dns) {
        _cleanup_error_ RktError *err = NULL;
        int k;

        k = net_dns_config_add(dns, o->name, strempty(v), &err);
        if (k < 0)
                return log_error_errno(k, "%s", rkt_error_message(err, k));
        if (strv_extendf(&r->dns_args, "--%s=%s", o->name, v) < 0)
                return log_oom();
        return 0;
}

/* NAME:[HOSTIP:]HOSTPORT; an IPv6 HOSTIP in brackets, as rkt 1.30 parsed it ("http:[::1]:8080"). Ports are
 * forwarded with iptables to the pod's IPv4 address (the built-in networks give IPv4 only), so an IPv6
 * HOSTIP is refused here rather than ignored. */
static int parse_port(const char *v, char **ret_name, char **ret_ip, unsigned *ret_port) {
        _cleanup_free_ char *name = NULL, *ip = NULL;
        const char *c1 = strchr(v, ':'), *rest = c1 ? c1 + 1 : NULL, *ip_end, *port;
        unsigned char buf[sizeof(struct in6_addr)];
        uint64_t n;

        if (!rest)
                return log_error_errno(-EINVAL, "--port '%s': not in NAME:[HOSTIP:]HOSTPORT format", v);
        if (*rest == '[') {
                ip_end = strchr(rest, ']');
                if (!ip_end || ip_end[1] != ':')
                        return log_error_errno(-EINVAL, "--port '%s': not in NAME:[HOSTIP:]HOSTPORT format",
                                               v);
                ip = strndup(rest + 1, ip_end - rest - 1);
                port = ip_end + 2;
        } else {
                ip_end = strrchr(rest, ':');
                ip = ip_end ? strndup(rest, ip_end - rest) : NULL;
                port = ip_end ? ip_end + 1 : rest;
        }
        name = strndup(v, c1 - v);
        if (!name || (ip_end && !ip))
                return log_oom();
        if (!appc_ac_name_valid(name))
                return log_error_errno(-EINVAL, "--port '%s': '%s' is not a valid port name", v, name);
        if (ip && inet_pton(AF_INET6, ip, buf) == 1)
                return log_error_errno(
                        -EOPNOTSUPP,
                        "--port '%s': IPv6 host address '%s' is not supported: ports are forwarded "
                        "over IPv4 only",
                        v, ip);
        if (ip && inet_pton(AF_INET, ip, buf) != 1)
                return log_error_errno(-EINVAL, "--port '%s': '%s' is not a valid IP address", v, ip);
        if (parse_uint_max(port, 65535, &n) < 0 || n == 0)
                return log_error_errno(-EINVAL, "--port '%s': '%s' is not a valid port number", v, port);
        *ret_name = TAKE_PTR(name);
        *ret_ip = TAKE_PTR(ip);
        *ret_port = (unsigned) n;
        return 0;
}

/* The pod's root is not the host's root: it cannot own the host's network (rkt 1.30 wanted a contained
 * network for user namespaces too). */
static int check_private_users_net(const char *net) {
        if (streq_ptr(net, "host"))
                return log_error_errno(-EINVAL,
                                       "--private-users needs a network of the pod's own: it cannot be "
                                       "used with --net=host");
        return 0;
}

static int parse_pod_options(CliArgs *a, RunArgs *r) {
        _cleanup_strv_free_ char **env_files = NULL;
        AppcKV *set_env = NULL;
        size_t n_set_env = 0;
        _cleanup_strv_free_ char **nets = NULL;
        _cleanup_(net_dns_config_done) NetDnsConfig dns = {};
        _cleanup_error_ RktError *err = NULL;
        int k;

        for (size_t i = 0; i < a->n_options; i++) {
                const ParsedOption *o = &a->options[i];
                const char *v = o->value;
                switch (o->option->id) {
                case OPT_NET:
                        if (strv_extend(&nets, strempty(v)) < 0)
                                return log_oom();
                        break;
                case OPT_DNS:
                case OPT_DNS_SEARCH:
                case OPT_DNS_OPT:
                case OPT_DNS_DOMAIN:
                case OPT_HOSTS_ENTRY:
                        if ((k = add_dns_arg(r, o->option, v, &dns)) < 0)
                                goto fail;
                        break;
                case OPT_PORT: {
                        _cleanup_free_ char *name = NULL, *ip = NULL;
                        unsigned port;
                        if ((k = parse_port(v, &name, &ip, &port)) < 0)
                                goto fail;
                        if (strv_extend(&r->ports, v) < 0)
                                return log_oom();
                        break;
                }
                case OPT_HOSTNAME:
                        r->hostname = v;
                        break;
                case OPT_INTERACTIVE:
                        if ((k = cli_bool(o, &r->interactive)) < 0)
                                return k;
                        break;
                case OPT_NO_OVERLAY:
                        if ((k = cli_bool(o, &r->no_overlay)) < 0)
                                return k;
                        r->overlay_asked = !r->no_overlay;
                        break;
                case OPT_PRIVATE_USERS:
                        if ((k = cli_bool(o, &r->private_users)) < 0)
                                return k;
                        break;
                case OPT_QUIET:
                        if ((k = cli_bool(o, &r->quiet)) < 0)
                                return k;
                        break;
                case OPT_MDS_REGISTER:
                        if ((k = cli_bool(o, &r->mds_register)) < 0)
                                return k;
                        break;
                case OPT_UUID_FILE_SAVE:
                        r->uuid_file_save = v;
                        break;
                case OPT_POD_NAME:
                        r->name = v;
                        break;
                case OPT_POD_MANIFEST:
                        r->pod_manifest = v;
                        break;
                case OPT_STAGE1_PATH:
                        r->stage1.path = v;
                        break;
                case OPT_STAGE1_URL:
                        r->stage1.url = v;
                        break;
                case OPT_STAGE1_NAME:
                        r->stage1.name = v;
                        break;
                case OPT_STAGE1_HASH:
                        r->stage1.hash = v;
                        break;
                case OPT_STAGE1_FROM_DIR:
                        r->stage1.from_dir = v;
                        break;
                case OPT_NO_STORE:
                case OPT_STORE_ONLY: {
                        bool b = false;
                        if ((k = cli_bool(o, &b)) < 0)
                                goto fail;
                        if (b)
                                r->pull_policy = o->option->id == OPT_NO_STORE ? PULL_UPDATE : PULL_NEVER;
                        r->pull_policy_set = true;
                        break;
                }
                case OPT_IPC:
                        if (!streq(v, "auto") && !streq(v, "private") && !streq(v, "parent"))
                                return log_error_errno(-EINVAL,
                                                       "--ipc '%s': must be auto, private or parent", v);
                        r->ipc = v;
                        break;
                case OPT_PULL_POLICY:
                        r->pull_policy_set = true;
                        if (pull_policy_from_string(v, &r->pull_policy) < 0)
                                return log_error_errno(
                                        -EINVAL, "--pull-policy '%s': must be new, update or never", v);
                        break;
                case OPT_SET_ENV:
                        if ((k = parse_kv("set-env", v, &set_env, &n_set_env)) < 0)
                                goto fail;
                        break;
                case OPT_SET_ENV_FILE:
                        if (strv_extend(&env_files, v) < 0)
                                return log_oom();
                        break;
                case OPT_INHERIT_ENV: {
                        bool inherit = false;
                        if ((k = cli_bool(o, &inherit)) < 0)
                                goto fail;
                        r->spec.inherit_env = inherit ? environ : NULL;
                        break;
                }
                case OPT_VOLUME:
                        if (strv_extend(&r->spec.volumes, v) < 0)
                                return log_oom();
                        break;
                case OPT_POD_MOUNT:
                        if (strv_extend(&r->spec.mounts, v) < 0)
                                return log_oom();
                        break;
                }
        }
        /* Files first, so that --set-env wins over them. */
        STRV_FOREACH(f, env_files)
        if ((k = read_env_file(r, *f)) < 0)
                goto fail;
        for (size_t i = 0; i < n_set_env; i++)
                if (appc_kv_set(&r->spec.set_env, &r->spec.n_set_env, set_env[i].name, set_env[i].value) <
                    0) {
                        k = log_oom();
                        goto fail;
                }
        k = 0;
        if (a->verb->options != prepare_options) {
                k = parse_net(nets, &r->net);
                STRV_FOREACH(d, a->globals->net_plugins)
                if (k >= 0 && strv_extend(&r->net_plugin_dirs, *d) < 0)
                        k = log_oom();
        }
        if (k >= 0 && (k = net_dns_config_finish(&dns, &err)) < 0)
                k = log_error_errno(k, "%s", rkt_error_message(err, k));
        /* The ports go to a network of the pod's own. */
        if (k >= 0 && r->ports && (streq_ptr(r->net, "host") || streq_ptr(r->net, "none")))
                k = log_error_errno(-EINVAL, "--port flag does not work with '%s' networking", r->net);
        if (k >= 0 && r->private_users)
                k = check_private_users_net(r->net);
        /* Its files must get owners of the user namespace's range: overlayfs would keep the tree store's. */
        if (k >= 0 && r->private_users && r->overlay_asked)
                k = log_error_errno(
                        -EINVAL,
                        "--private-users cannot be used with overlay (--no-overlay=false): "
                        "the images are copied into the pod to give their files the shifted owners");
        if (k >= 0 && r->mds_register && streq_ptr(r->net, "none"))
                k = log_error_errno(-EINVAL,
                                    "--mds-register needs a network: the apps reach the metadata service "
                                    "over it (not --net=none)");
fail:
        for (size_t i = 0; i < n_set_env; i++) {
                free(set_env[i].name);
                free(set_env[i].value);
        }
        free(set_env);
        return k;
}

int run_args_parse(CliArgs *a, RunArgs *r) {
        int k;

        *r = (RunArgs){.pull_policy = PULL_NEW};
        k = parse_apps(a, r);
        if (k < 0)
                return k;
        k = parse_pod_options(a, r);
        if (k < 0)
                return k;
        if (r->pod_manifest) {
                if (r->spec.n_apps > 0 || r->spec.volumes || r->spec.mounts || r->spec.n_set_env > 0 ||
                    r->ports || r->spec.inherit_env || r->pull_policy_set)
                        return log_error_errno(
                                -EINVAL, "conflicting flags set with --pod-manifest (see --help): "
                                         "images, --volume, --mount, --set-env, --inherit-env, --port and "
                                         "--pull-policy "
                                         "cannot be combined with it");
        } else if (r->spec.n_apps == 0)
                return log_error_errno(-EINVAL, "no image given\nUsage: %s", a->verb->usage);
        if (r->interactive && r->spec.n_apps > 1)
                return log_error_errno(-EINVAL, "--interactive works with a single app only");
        return 0;
}

int run_prepared_args_parse(CliArgs *a, RunArgs *r) {
        *r = (RunArgs){.pull_policy = PULL_NEW};
        return parse_pod_options(a, r);
}

void run_args_done(RunArgs *r) {
        for (size_t i = 0; i < r->spec.n_apps; i++) {
                AppSpec *app = &r->spec.apps[i];
                AppcKV *lists[] = {app->environment, app->annotations, app->user_annotations,
                                   app->user_labels};
                size_t ns[] = {app->n_environment, app->n_annotations, app->n_user_annotations,
                               app->n_user_labels};
                for (size_t l = 0; l < ELEMENTSOF(lists); l++) {
                        for (size_t k = 0; k < ns[l]; k++) {
                                free(lists[l][k].name);
                                free(lists[l][k].value);
                        }
                        free(lists[l]);
                }
                strv_free(app->args);
                strv_free(app->mounts);
                free((char *) app->image_id);
                appc_image_manifest_free((AppcImageManifest *) app->manifest);
        }
        free(r->spec.apps);
        for (size_t k = 0; k < r->spec.n_set_env; k++) {
                free(r->spec.set_env[k].name);
                free(r->spec.set_env[k].value);
        }
        free(r->spec.set_env);
        strv_free(r->spec.volumes);
        strv_free(r->spec.mounts);
        strv_free(r->ports);
        strv_free(r->dns_args);
        strv_free(r->net_plugin_dirs);
        free(r->net);
        *r = (RunArgs){};
}

/* --port: the pod manifest's ports, each one a port some app declares. */
static int add_ports(const RunArgs *r, AppcPodManifest *m) {
        STRV_FOREACH(v, r->ports) {
                _cleanup_error_ RktError *err = NULL;
                _cleanup_free_ char *name = NULL, *ip = NULL;
                bool declared = false;
                unsigned port;
                int k = parse_port(*v, &name, &ip, &port);

                if (k < 0)
                        return k;
                for (size_t i = 0; i < m->n_apps && !declared; i++)
                        for (size_t j = 0; m->apps[i].app && j < m->apps[i].app->n_ports; j++)
                                declared = declared || streq(m->apps[i].app->ports[j].name, name);
                if (!declared)
                        return log_error_errno(-ENOENT,
                                               "--port '%s': no app of the pod declares a port named '%s'",
                                               *v, name);
                k = appc_pod_manifest_add_port(m, name, port, ip, &err);
                if (k < 0)
                        return log_error_errno(k, "--port '%s': %s", *v, rkt_error_message(err, k));
        }
        return 0;
}

/* The pod manifest from --pod-manifest, or generated from the images and flags. */
static int build_manifest(Store *s, RunArgs *r, const RktGlobals *g, AppcPodManifest **ret) {
        _cleanup_error_ RktError *err = NULL;
        FetchOptions fo = {.pull_policy = r->pull_policy};
        FetchUi ui;
        int k;

        fetch_ui_setup(&ui, &fo, g);
        if (r->quiet)
                fo.notice = NULL;
        if (r->pod_manifest) {
                _cleanup_free_ char *text = NULL;
                size_t size;
                k = read_full_file_at(AT_FDCWD, r->pod_manifest, &text, &size);
                if (k < 0)
                        return log_error_errno(k, "--pod-manifest '%s': %m", r->pod_manifest);
                k = appc_pod_manifest_parse(text, size, ret, &err);
                if (k < 0)
                        return log_error_errno(k, "--pod-manifest '%s': %s", r->pod_manifest,
                                               rkt_error_message(err, k));
                if ((*ret)->n_apps == 0)
                        return log_error_errno(
                                -EINVAL,
                                "pod must contain at least one application: --pod-manifest '%s' "
                                "has no apps",
                                r->pod_manifest);
                /* Its images must be in the store, by ID. */
                for (size_t i = 0; i < (*ret)->n_apps; i++) {
                        _cleanup_free_ char *id = NULL;
                        k = store_resolve(s, (*ret)->apps[i].image.id, &id, &err);
                        if (k < 0)
                                return log_error_errno(k, "app '%s': %s", (*ret)->apps[i].name,
                                                       rkt_error_message(err, k));
                        free((*ret)->apps[i].image.id);
                        (*ret)->apps[i].image.id = TAKE_PTR(id);
                }
                return 0;
        }
        for (size_t i = 0; i < r->spec.n_apps; i++) {
                AppSpec *app = &r->spec.apps[i];
                _cleanup_free_ char *id = NULL, *text = NULL;
                AppcImageManifest *m = NULL;
                size_t size;

                fo.signature = app->signature;
                k = fetch_image(s, app->image, &fo, &id, &err);
                if (k >= 0)
                        k = store_read_manifest(s, id, &text, &size, &err);
                if (k >= 0)
                        k = appc_image_manifest_parse(text, size, &m, &err);
                if (k < 0)
                        return log_error_errno(k, "%s", rkt_error_message(err, k));
                app->image_id = TAKE_PTR(id);
                app->manifest = m;
        }
        k = pod_manifest_generate(&r->spec, ret, &err);
        if (k < 0)
                return log_error_errno(k, "%s", rkt_error_message(err, k));
        return add_ports(r, *ret);
}

int run_prepare_pod(CliArgs *a, RunArgs *r, Pod **ret) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_free_ char *stage1_id = NULL;
        const RktGlobals *g = a->globals;
        FetchOptions ui_fo = {};
        FetchUi ui;
        Stage1Config cfg = {g->system_config, g->local_config, g->user_config, g->insecure,
                            g->stage1_images};
        UidRange range;
        bool overlay;
        int k;

        if (r->private_users && (k = uid_range_random(&range)) < 0)
                return log_error_errno(k, "picking a UID range for --private-users: %m");
        k = store_open(g->dir, STORE_WRITABLE, &s, &err);
        if (k < 0)
                return log_error_errno(k, "%s", rkt_error_message(err, k));
        fetch_ui_setup(&ui, &ui_fo, g);
        if (!r->quiet) {
                cfg.notice = ui_fo.notice;
                cfg.userdata = ui_fo.userdata;
        }
        /* A taken name is refused before images are fetched; the claim itself follows pod_new(). */
        if (r->name && (k = pod_name_claim(g->dir, r->name, NULL, &err)) < 0)
                return log_error_errno(k, "--name: %s", rkt_error_message(err, k));
        k = stage1_resolve(s, &r->stage1, &cfg, &stage1_id, &err);
        if (k < 0)
                return log_error_errno(k, "%s", rkt_error_message(err, k));
        k = build_manifest(s, r, g, &m);
        if (k < 0)
                return k;
        k = pod_check_app_images(s, m, &err);
        if (k < 0)
                return log_error_errno(k, "%s", rkt_error_message(err, k));
        k = pod_new(g->dir, &p, &err);
        if (k < 0)
                return log_error_errno(k, "%s", rkt_error_message(err, k));
        if (r->name && (k = pod_name_claim(g->dir, r->name, p, &err)) < 0)
                return log_error_errno(k, "--name: %s", rkt_error_message(err, k));
        if (r->uuid_file_save) {
                _cleanup_free_ char *line = NULL;
                if (asprintf(&line, "%s", p->uuid) < 0)
                        return log_oom();
                k = write_file_atomic_at(AT_FDCWD, r->uuid_file_save, line, strlen(line), 0644);
                if (k < 0)
                        return log_error_errno(k, "--uuid-file-save '%s': %m", r->uuid_file_save);
        }
        /* rkt 1.30's --debug line, which scripts wait for. */
        log_debug("Writing pod manifest");
        k = pod_prepare(p, s, stage1_id, m, !r->no_overlay, r->private_users ? &range : NULL, &overlay,
                        &err);
        if (k < 0)
                return log_error_errno(k, "preparing pod %s: %s", p->uuid, rkt_error_message(err, k));
        if (!r->no_overlay && !r->private_users && !overlay && !r->quiet)
                log_info("overlayfs is not usable under '%s': the images were copied into the pod", g->dir);
        *ret = TAKE_PTR(p);
        return 0;
}

int run_private_users(const RunArgs *r, const Pod *p, char **ret_arg) {
        _cleanup_free_ char *range_text = NULL;
        UidRange range;
        int k = pod_private_users(p, &range);

        if (k < 0)
                return log_error_errno(k, "pod %s: reading its " POD_PRIVATE_USERS ": %s", p->uuid,
                                       k == -EINVAL ? "not SHIFT:COUNT" : strerror(-k));
        *ret_arg = NULL;
        if (k == 0)
                return 0;
        k = check_private_users_net(r->net);
        if (k < 0)
                return k;
        if (uid_range_format(&range, &range_text) < 0 ||
            asprintf(ret_arg, "--private-users=%s", range_text) < 0)
                return log_oom();
        return 0;
}

int run_exec_stage1(CliArgs *a, const RunArgs *r, Pod *p) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_free_ char *entry = NULL, *private_users = NULL, *token = NULL;
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_close_ int entry_fd = -1;
        char fdstr[16];
        int k, fd;

        k = pod_stage1_entrypoint_open(p, STAGE1_RUN, &entry_fd, &entry, &err);
        if (k < 0)
                return log_error_errno(k, "%s", rkt_error_message(err, k));
        k = run_private_users(r, p, &private_users);
        if (k < 0)
                return k;
        if (r->mds_register) {
                _cleanup_close_ int podfd = open(p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                k = mds_token_new(&token);
                if (k >= 0)
                        k = mds_register_pod_at(podfd, NULL, p->uuid, token, NULL, &err);
                if (k < 0)
                        return log_error_errno(k, "registering pod %s with the metadata service: %s",
                                               p->uuid, rkt_error_message(err, k));
        }
        k = stage1_run_argv(
                &(Stage1RunArgs){
                        .entrypoint = entry,
                        .uuid = p->uuid,
                        .debug = a->globals->debug,
                        .net = r->net,
                        .interactive = r->interactive,
                        .local_config = a->globals->local_config,
                        .private_users = private_users,
                        .hostname = r->hostname,
                        /* Stage1 interface 6 takes --ipc; an older stage1 decides the IPC namespace itself
                         * (fly's is the host's). */
                        .ipc = r->ipc && pod_stage1_interface_version(p) >= 6 ? r->ipc : NULL,
                        .system_config = a->globals->system_config,
                        .net_plugin_dirs = r->net_plugin_dirs,
                        .dns_args = r->dns_args,
                        .disable_capabilities = a->globals->insecure & INSECURE_CAPABILITIES,
                        .disable_paths = a->globals->insecure & INSECURE_PATHS,
                        .disable_seccomp = a->globals->insecure & INSECURE_SECCOMP,
                        .mds_token = token,
                },
                &argv);
        if (k < 0)
                return log_error_errno(k, "pod %s: the stage1 command line: %m", p->uuid);

        fd = pod_lock_fd_for_exec(p);
        if (fd < 0)
                return log_error_errno(fd, "pod %s: %m", p->uuid);
        snprintf(fdstr, sizeof(fdstr), "%d", fd);
        if (setenv("RKT_LOCK_FD", fdstr, 1) < 0 || chdir(p->path) < 0)
                return log_error_errno(negative_errno(), "pod %s: %m", p->uuid);
        fflush(stdout);
        fflush(stderr);
        /* The pod gets its lock and stdio, nothing else of ours or of our caller's: nspawn hands what it
         * inherits to the pod's PID 1, where a directory fd of the host is a way out of the pod. */
        k = close_all_fds_except((const int[]){fd, entry_fd}, 2);
        if (k < 0)
                return log_error_errno(k, "pod %s: closing file descriptors: %m", p->uuid);
        k = stage1_exec_fd(entry_fd, argv, environ);
        return log_error_errno(k, "executing stage1 '%s': %m", argv[0]);
}
