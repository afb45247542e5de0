/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>

#include "fs.h"
#include "log.h"
#include "net-options.h"
#include "run-internal.h"
#include "strv.h"
#include "util.h"
#include "verbs.h"

/* Parsing the flags of run, prepare and run-prepared, and the IMAGE [APP FLAGS] [-- ARGS [---]]… list. */

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
int run_parse_port(const char *v, char **ret_name, char **ret_ip, unsigned *ret_port) {
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
int run_check_private_users_net(const char *net) {
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
                        if ((k = run_parse_port(v, &name, &ip, &port)) < 0)
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
                k = run_check_private_users_net(r->net);
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
