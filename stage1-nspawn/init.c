/* SPDX-License-Identifier: Apache-2.0 */
/* stage1's run entrypoint (/init). It runs on the host, exec'd by stage0 with the pod directory as its
 * working directory and the pod's lock in RKT_LOCK_FD. It turns the pod manifest into units for the
 * pod's systemd (one <app>.service per app, see units.c), writes what the pod's systemd reads at boot
 * (hostname, machine-id, users), then runs systemd-nspawn as its child (init-supervise.c), whose
 * exit status (the pod's) becomes rkt run's. See README.md for the contract with stage0. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <inttypes.h>
#include <stdint.h>
#include <unistd.h>
#include <poll.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <stdio.h>
#include <sys/stat.h>

#include "app-compat.h"
#include "appc.h"
#include "error.h"
#include "fd-util.h"
#include "fs.h"
#include "init-isolation.h"
#include "init-supervise.h"
#include "log.h"
#include "mds.h"
#include "net.h"
#include "nspawn-args.h"
#include "path.h"
#include "process.h"
#include "pod-process.h"
#include "stage1-app.h"
#include "stage1-common.h"
#include "stage1-exec.h"
#include "strv.h"
#include "socket-units.h"
#include "stage1-units.h"
#include "unit-killmode.h"
#include "util.h"

typedef struct InitArgs {
        bool debug;
        bool interactive;
        bool net_none;
        NetList nets;     /* --net */
        NetDnsConfig dns; /* --dns*, --hosts-entry */
        const char *local_config, *system_config;
        char **net_plugin_dirs; /* --net-plugin-dirs */
        bool disable_capabilities;
        bool disable_paths, disable_seccomp;
        const char *mds_token;
        const char *hostname;
        const char *uuid;
        bool private_users; /* --private-users=SHIFT:COUNT, in users */
        UidRange users;
        bool ipc_parent; /* --ipc=parent */
} InitArgs;

enum {
        ARG_DEBUG = 0x100,
        ARG_NET,
        ARG_INTERACTIVE,
        ARG_LOCAL_CONFIG,
        ARG_HOSTNAME,
        ARG_MDS_TOKEN,
        ARG_DISABLE_CAPS,
        ARG_DISABLE_PATHS,
        ARG_DISABLE_SECCOMP,
        ARG_SYSTEM_CONFIG,
        ARG_DNS,
        ARG_DNS_SEARCH,
        ARG_DNS_OPT,
        ARG_DNS_DOMAIN,
        ARG_HOSTS_ENTRY,
        ARG_NET_PLUGIN_DIRS,
        ARG_PRIVATE_USERS,
        ARG_IPC,
};

/* --net-plugin-dirs=DIR[:DIR…]: absolute directories, as CNI_PATH lists them. */
static int parse_plugin_dirs(const char *v, char ***ret, RktError **reterr) {
        _cleanup_strv_free_ char **l = NULL;
        int r = strv_split(v, ":", &l);

        if (r < 0)
                return r;
        if (strv_length(l) == 0)
                return rkt_error_set(reterr, -EINVAL, "--net-plugin-dirs: no directory given");
        STRV_FOREACH(d, l) {
                if (!path_is_absolute(*d))
                        return rkt_error_set(reterr, -EINVAL,
                                             "--net-plugin-dirs: '%s' is not an absolute path", *d);
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 0;
}

static bool hostname_valid(const char *s) {
        size_t l = strlen(s);

        if (l == 0 || l > 64 || s[0] == '-' || s[0] == '.' || s[l - 1] == '-' || s[l - 1] == '.')
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '-' || *p == '.'))
                        return false;
        return true;
}

static int parse_args(int argc, char **argv, void *args, RktError **reterr) {
        static const struct option options[] = {
                {"debug", optional_argument, NULL, ARG_DEBUG},
                {"net", required_argument, NULL, ARG_NET},
                {"interactive", optional_argument, NULL, ARG_INTERACTIVE},
                {"local-config", required_argument, NULL, ARG_LOCAL_CONFIG},
                {"hostname", required_argument, NULL, ARG_HOSTNAME},
                {"mds-token", required_argument, NULL, ARG_MDS_TOKEN},
                {"disable-capabilities-restriction", optional_argument, NULL, ARG_DISABLE_CAPS},
                {"disable-paths", optional_argument, NULL, ARG_DISABLE_PATHS},
                {"disable-seccomp", optional_argument, NULL, ARG_DISABLE_SECCOMP},
                {"system-config", required_argument, NULL, ARG_SYSTEM_CONFIG},
                {"dns", required_argument, NULL, ARG_DNS},
                {"dns-search", required_argument, NULL, ARG_DNS_SEARCH},
                {"dns-opt", required_argument, NULL, ARG_DNS_OPT},
                {"dns-domain", required_argument, NULL, ARG_DNS_DOMAIN},
                {"hosts-entry", required_argument, NULL, ARG_HOSTS_ENTRY},
                {"net-plugin-dirs", required_argument, NULL, ARG_NET_PLUGIN_DIRS},
                {"private-users", required_argument, NULL, ARG_PRIVATE_USERS},
                {"ipc", required_argument, NULL, ARG_IPC},
                {},
        };
        InitArgs *a = args;
        bool net_given = false;
        int c, i, r;

        opterr = 0;
        while ((c = getopt_long(argc, argv, "", options, &i)) >= 0) {
                switch (c) {
                case ARG_DEBUG:
                        r = stage1_flag_bool("debug", optarg, &a->debug, reterr);
                        break;
                case ARG_INTERACTIVE:
                        r = stage1_flag_bool("interactive", optarg, &a->interactive, reterr);
                        break;
                case ARG_DISABLE_CAPS:
                        r = stage1_flag_bool("disable-capabilities-restriction", optarg,
                                             &a->disable_capabilities, reterr);
                        break;
                case ARG_DISABLE_PATHS:
                        r = stage1_flag_bool("disable-paths", optarg, &a->disable_paths, reterr);
                        break;
                case ARG_DISABLE_SECCOMP:
                        r = stage1_flag_bool("disable-seccomp", optarg, &a->disable_seccomp, reterr);
                        break;
                case ARG_LOCAL_CONFIG:
                        a->local_config = optarg;
                        r = 0;
                        break;
                case ARG_SYSTEM_CONFIG:
                        a->system_config = optarg;
                        r = 0;
                        break;
                case ARG_NET_PLUGIN_DIRS:
                        r = parse_plugin_dirs(optarg, &a->net_plugin_dirs, reterr);
                        break;
                case ARG_DNS:
                case ARG_DNS_SEARCH:
                case ARG_DNS_OPT:
                case ARG_DNS_DOMAIN:
                case ARG_HOSTS_ENTRY:
                        r = net_dns_config_add(&a->dns, options[i].name, optarg, reterr);
                        break;
                case ARG_MDS_TOKEN:
                        /* It becomes the last component of AC_METADATA_URL. */
                        if (isempty(optarg) ||
                            strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789-_") != strlen(optarg))
                                return rkt_error_set(reterr, -EINVAL, "--mds-token: invalid token '%s'",
                                                     optarg);
                        a->mds_token = optarg;
                        r = 0;
                        break;
                case ARG_HOSTNAME:
                        if (!hostname_valid(optarg))
                                return rkt_error_set(reterr, -EINVAL, "--hostname: invalid hostname '%s'",
                                                     optarg);
                        a->hostname = optarg;
                        r = 0;
                        break;
                case ARG_PRIVATE_USERS:
                        a->private_users = true;
                        r = uid_range_parse(optarg, &a->users);
                        if (r < 0)
                                return rkt_error_set(reterr, r,
                                                     "--private-users: invalid range '%s' (expected "
                                                     "SHIFT:COUNT below 2^31)",
                                                     optarg);
                        break;
                case ARG_IPC:
                        /* auto and private: an IPC namespace of the pod's own, nspawn's default. */
                        if (!streq(optarg, "auto") && !streq(optarg, "private") && !streq(optarg, "parent"))
                                return rkt_error_set(reterr, -EINVAL,
                                                     "--ipc: '%s' is not auto, private or parent", optarg);
                        a->ipc_parent = streq(optarg, "parent");
                        r = 0;
                        break;
                case ARG_NET:
                        net_given = true;
                        r = net_list_parse(optarg, &a->nets, reterr);
                        a->net_none = net_list_has(&a->nets, "none");
                        break;
                default:
                        return rkt_error_set(reterr, -EINVAL, "unknown or incomplete option '%s'",
                                             argv[optind - 1]);
                }
                if (r < 0)
                        return r;
        }
        if (!net_given)
                return rkt_error_set(reterr, -EINVAL, "--net= is required");
        if (a->private_users && net_list_has(&a->nets, "host"))
                return rkt_error_set(reterr, -EINVAL,
                                     "--private-users needs a network of the pod's own, not --net=host");
        return stage1_run_args_finish(argc, argv, &a->dns, &a->uuid, reterr);
}

/* One app as init prepares it. name is borrowed from the pod manifest; the rest is owned. */
typedef struct AppPlan {
        const char *name;
        char *image_name;
        char **exec;
        Stage1User user;
        gid_t gid;
        gid_t *supplementary_gids;
        size_t n_supplementary_gids;
        char *working_directory;
        char **env;
        char ***pre_start, ***post_stop; /* event handlers, exec[0] resolved */
        AppIsolation iso;
        char *socket_unit; /* <name>.socket, NULL: no socket-activated port */
        bool bind_hostname;
} AppPlan;

static void handlers_free(char ***h) {
        for (char ***p = h; p && *p; p++)
                strv_free(*p);
        free(h);
}

static void app_plan_done(AppPlan *p) {
        free(p->image_name);
        free(p->working_directory);
        strv_free(p->exec);
        stage1_user_done(&p->user);
        free(p->supplementary_gids);
        strv_free(p->env);
        handlers_free(p->pre_start);
        handlers_free(p->post_stop);
        app_isolation_done(&p->iso);
        free(p->socket_unit);
        *p = (AppPlan){};
}

/* Event handlers run like the app (ExecStartPre=, ExecStopPost= of its unit): their exec[0] is resolved as
 * the app's is. */
static int plan_handlers(int rootfd, const AppcApp *app, AppPlan *p, RktError **reterr) {
        for (size_t i = 0; i < app->n_event_handlers; i++) {
                const AppcEventHandler *h = &app->event_handlers[i];
                bool pre = streq(h->name, "pre-start");
                _cleanup_strv_free_ char **argv = NULL;
                _cleanup_free_ char *exec0 = NULL;
                char ****list = pre ? &p->pre_start : &p->post_stop, ***l;
                size_t n = 0;
                int r;

                if (!pre && !streq(h->name, "post-stop"))
                        return rkt_error_set(reterr, -EINVAL, "app '%s': unknown event handler '%s'",
                                             p->name, h->name);
                if (!h->exec || !h->exec[0])
                        return rkt_error_set(reterr, -EINVAL, "app '%s': event handler '%s' has no exec",
                                             p->name, h->name);
                r = stage1_resolve_exec(rootfd, p->name, p->working_directory ?: "/", p->env, h->exec[0],
                                        &exec0, reterr);
                if (r < 0)
                        return rkt_error_prefix(reterr, r, "event handler '%s'", h->name);
                r = strv_push(&argv, exec0);
                if (r < 0)
                        return r;
                exec0 = NULL;
                for (size_t k = 1; h->exec[k]; k++)
                        if (strv_extend(&argv, h->exec[k]) < 0)
                                return -ENOMEM;
                while (*list && (*list)[n])
                        n++;
                l = realloc(*list, (n + 2) * sizeof(char **));
                if (!l)
                        return -ENOMEM;
                l[n] = TAKE_PTR(argv);
                l[n + 1] = NULL;
                *list = l;
        }
        return 0;
}

static int plan_app(int s1fd, PodIsolation *pi, const AppcPodManifest *pod, const AppcRuntimeApp *ra,
                    AppPlan *ret, RktError **reterr) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *im = NULL;
        _cleanup_(app_plan_done) AppPlan p = {.name = ra->name};
        _cleanup_free_ char *exec0 = NULL;
        _cleanup_close_ int rootfd = -1;
        const AppcApp *app;
        int r;

        if (stage1_unit_name_reserved(ra->name))
                return rkt_error_set(reterr, -EINVAL, "app name '%s' is reserved by the stage1", ra->name);
        r = stage1_app_image_open(s1fd, ra->name, &im, &rootfd, reterr);
        if (r < 0)
                return r;

        r = stage1_app_ensure_mtab(rootfd);
        if (r < 0)
                return rkt_error_set(reterr, r, "app '%s': making its /etc/mtab: %s", ra->name,
                                     strerror(-r));
        r = stage1_app_hostname_mount_point(s1fd, rootfd, pod, ra);
        if (r < 0)
                return rkt_error_set(reterr, r, "app '%s': making its /etc/hostname: %s", ra->name,
                                     strerror(-r));
        p.bind_hostname = r > 0;
        app = ra->app ?: im->app;
        if (!app || !app->exec || !app->exec[0])
                return rkt_error_set(reterr, -EINVAL, "app '%s': nothing to execute (no app.exec)",
                                     ra->name);
        if (app->working_directory && !path_is_absolute(app->working_directory))
                return rkt_error_set(reterr, -EINVAL, "app '%s': working directory '%s' is not absolute",
                                     ra->name, app->working_directory);
        p.image_name = strdup(ra->image.name ?: im->name);
        p.working_directory = app->working_directory ? strdup(app->working_directory) : NULL;
        if (!p.image_name || (app->working_directory && !p.working_directory))
                return -ENOMEM;

        r = stage1_resolve_user(rootfd, ra->name, isempty(app->user) ? "0" : app->user, pi->private_users,
                                &p.user, reterr);
        if (r < 0)
                return r;
        r = stage1_resolve_group(rootfd, ra->name, isempty(app->group) ? "0" : app->group, pi->private_users,
                                 &p.gid, reterr);
        if (r < 0)
                return r;
        if (app->n_supplementary_gids > 0) {
                p.supplementary_gids = calloc(app->n_supplementary_gids, sizeof(gid_t));
                if (!p.supplementary_gids)
                        return -ENOMEM;
                for (size_t i = 0; i < app->n_supplementary_gids; i++)
                        p.supplementary_gids[i] = app->supplementary_gids[i];
                p.n_supplementary_gids = app->n_supplementary_gids;
        }

        r = stage1_app_environment(app->environment, app->n_environment, ra->name, &p.user, pi->metadata_url,
                                   &p.env);
        if (r < 0)
                return r;
        r = stage1_resolve_exec(rootfd, ra->name, p.working_directory ?: "/", p.env, app->exec[0], &exec0,
                                reterr);
        if (r < 0)
                return r;
        r = strv_push(&p.exec, exec0);
        if (r < 0)
                return r;
        exec0 = NULL;
        for (size_t i = 1; app->exec[i]; i++) {
                r = strv_extend(&p.exec, app->exec[i]);
                if (r < 0)
                        return r;
        }
        r = plan_handlers(rootfd, app, &p, reterr);
        if (r < 0)
                return r;
        r = app_isolation_plan(pi, rootfd, pod, ra, app, p.user.uid, &p.iso, reterr);
        if (r < 0)
                return r;
        r = stage1_socket_unit_plan(ra->name, app, pod, &p.socket_unit, reterr);
        if (r < 0)
                return r;
        *ret = p;
        p = (AppPlan){};
        return 0;
}

static int write_app(int s1fd, const AppPlan *p, const PodIsolation *pi, bool interactive,
                     RktError **reterr) {
        _cleanup_free_ char *unit = NULL, *env = NULL, *path = NULL, *link = NULL, *target = NULL;
        Stage1App a = {
                .name = p->name,
                .image_name = p->image_name,
                .exec = p->exec,
                .uid = p->user.uid,
                .gid = p->gid,
                .supplementary_gids = p->supplementary_gids,
                .n_supplementary_gids = p->n_supplementary_gids,
                .working_directory = p->working_directory,
                .interactive = interactive,
                .pre_start = p->pre_start,
                .post_stop = p->post_stop,
                .isolation = &p->iso.isolation,
                .protect_paths = pi->protect_paths,
                .read_only_rootfs = p->iso.read_only_rootfs,
                .writable_paths = p->iso.writable_paths,
                .device_allow = p->iso.device_allow,
                .after_sysctl = pi->sysctl,
                .own_sys = p->iso.own_sys,
                .socket_activated = p->socket_unit != NULL,
                .bind_hostname = p->bind_hostname,
        };
        int r;

        r = stage1_app_unit(&a, &unit);
        if (r == -EINVAL)
                return rkt_error_set(reterr, r,
                                     "app '%s': its working directory '%s', image name or a volume's mount "
                                     "point cannot be used in a unit file",
                                     p->name, strna(p->working_directory));
        if (r < 0)
                return r;
        r = app_isolation_write_confinement(s1fd, p->name, p->user.uid, p->gid, p->supplementary_gids,
                                            p->n_supplementary_gids, &p->iso, reterr);
        if (r < 0)
                return r;
        r = stage1_env_file_format(p->env, &env);
        if (r < 0)
                return r;
        r = stage1_write_exec_record(s1fd, p->name, p->exec[0]);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing " POD_STAGE1_ROOTFS "/rkt/exec/%s: %s", p->name,
                                     strerror(-r));

        if (asprintf(&path, "rkt/env/%s", p->name) < 0)
                return -ENOMEM;
        r = stage1_write_file_at(s1fd, path, env, 0644);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing " POD_STAGE1_ROOTFS "/%s: %s", path, strerror(-r));
        free(path);
        if (p->socket_unit) {
                r = stage1_socket_unit_write(s1fd, p->name, p->socket_unit, reterr);
                if (r < 0)
                        return r;
        }
        if (asprintf(&path, "etc/systemd/system/%s.service", p->name) < 0)
                return -ENOMEM;
        r = stage1_write_file_at(s1fd, path, unit, 0644);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing " POD_STAGE1_ROOTFS "/%s: %s", path, strerror(-r));
        if (asprintf(&link, "etc/systemd/system/default.target.wants/%s.service", p->name) < 0 ||
            asprintf(&target, "../%s.service", p->name) < 0)
                return -ENOMEM;
        r = stage1_symlink_at(s1fd, target, link);
        if (r < 0)
                return rkt_error_set(reterr, r, "linking " POD_STAGE1_ROOTFS "/%s: %s", link, strerror(-r));
        return 0;
}

static int id_cmp(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
        return x < y ? -1 : x > y;
}

/* systemd resolves User= and Group= in the pod's own databases, even numeric ones, so every id the apps use
 * gets an entry there (names are the apps' business: their environment has them from their own image). */
static int write_users(int s1fd, const AppPlan *plans, size_t n, RktError **reterr) {
        _cleanup_free_ uint32_t *uids = NULL, *gids = NULL;
        _cleanup_free_ char *passwd = NULL, *group = NULL;
        size_t nu = 0, ng = 0, ngmax = 0;
        FILE *f;
        size_t sz;
        int r;

        for (size_t i = 0; i < n; i++)
                ngmax += 1 + plans[i].n_supplementary_gids;
        uids = calloc(n + 1, sizeof(uint32_t));
        gids = calloc(ngmax + 1, sizeof(uint32_t));
        if (!uids || !gids)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                uids[nu++] = plans[i].user.uid;
                gids[ng++] = plans[i].gid;
                for (size_t j = 0; j < plans[i].n_supplementary_gids; j++)
                        gids[ng++] = plans[i].supplementary_gids[j];
        }
        qsort(uids, nu, sizeof(uint32_t), id_cmp);
        qsort(gids, ng, sizeof(uint32_t), id_cmp);

        f = open_memstream(&passwd, &sz);
        if (!f)
                return -ENOMEM;
        fputs("root:x:0:0:root:/root:/bin/sh\n", f);
        for (size_t i = 0; i < nu; i++)
                if (uids[i] != 0 && (i == 0 || uids[i] != uids[i - 1]))
                        fprintf(f, "rkt-%" PRIu32 ":x:%" PRIu32 ":%" PRIu32 "::/:/bin/false\n", uids[i],
                                uids[i], uids[i]);
        if (fclose(f) != 0)
                return -ENOMEM;
        f = open_memstream(&group, &sz);
        if (!f)
                return -ENOMEM;
        fputs("root:x:0:\n", f);
        for (size_t i = 0; i < ng; i++)
                if (gids[i] != 0 && (i == 0 || gids[i] != gids[i - 1]))
                        fprintf(f, "rkt-%" PRIu32 ":x:%" PRIu32 ":\n", gids[i], gids[i]);
        if (fclose(f) != 0)
                return -ENOMEM;

        r = stage1_write_file_at(s1fd, "etc/passwd", passwd, 0644);
        if (r >= 0)
                r = stage1_write_file_at(s1fd, "etc/group", group, 0644);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing " POD_STAGE1_ROOTFS "/etc/passwd and group: %s",
                                     strerror(-r));
        return 0;
}

static int write_identity(int s1fd, const InitArgs *a, RktError **reterr) {
        _cleanup_free_ char *hostname = NULL;
        char mid[33], line[34];
        int r;

        if (asprintf(&hostname, "%s\n", a->hostname ?: "") < 0)
                return -ENOMEM;
        if (!a->hostname) {
                free(hostname);
                if (asprintf(&hostname, "rkt-%s\n", a->uuid) < 0)
                        return -ENOMEM;
        }
        r = stage1_write_file_at(s1fd, "etc/hostname", hostname, 0644);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing " POD_STAGE1_ROOTFS "/etc/hostname: %s",
                                     strerror(-r));
        /* The pod's journal is /var/log/journal/<machine-id>: what journalctl -M and --link-journal find. */
        stage1_machine_id(a->uuid, mid);
        snprintf(line, sizeof(line), "%s\n", mid);
        r = stage1_write_file_at(s1fd, "etc/machine-id", line, 0444);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing " POD_STAGE1_ROOTFS "/etc/machine-id: %s",
                                     strerror(-r));
        return 0;
}

/* AC_METADATA_URL: the service on the host, at the address the pod reaches it by: the host's loopback for a
 * pod on the host's network, the host's side of the pod's first network otherwise (the service listens on
 * every IPv4 address). */
static int metadata_url(const InitArgs *a, const NetPodSetup *net, char **ret, RktError **reterr) {
        if (a->net_none)
                return rkt_error_set(reterr, -EOPNOTSUPP,
                                     "--mds-token: a pod with --net=none cannot reach the metadata service");
        if (!net_list_contained(&a->nets))
                return stage1_metadata_url("127.0.0.1", MDS_DEFAULT_PORT, a->mds_token, ret);
        if (!net->gateway)
                return rkt_error_set(reterr, -EADDRNOTAVAIL,
                                     "--mds-token: the pod's first network gave it no gateway address, by "
                                     "which its apps would reach the metadata service");
        return stage1_metadata_url(net->gateway, MDS_DEFAULT_PORT, a->mds_token, ret);
}

static int run(const void *args, RktError **reterr) {
        const InitArgs *a = args;
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *pod = NULL;
        _cleanup_strv_free_ char **argv = NULL, **env = NULL;
        _cleanup_free_ char *json = NULL, *subcgroup = NULL, *hostname = NULL;
        _cleanup_free_ AppPlan *plans = NULL;
        _cleanup_free_ char *mds_url = NULL, *capabilities = NULL, *notify_socket = NULL;
        _cleanup_(net_pod_setup_done) NetPodSetup net = {};
        _cleanup_close_ int notify_fd = -1, netns_fd = -1;
        _cleanup_(pod_isolation_done) PodIsolation pi = {};
        _cleanup_(init_machined_query_done) MachinedQuery machined = {};
        bool net_up = false, nspawn_killed = false;
        _cleanup_free_ char *machine_name = NULL;
        _cleanup_close_ int s1fd = -1, host_ns = -1, podfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        size_t size, n = 0;
        int n_listen;
        NspawnOptions o = {
                .uuid = a->uuid,
                .directory = POD_STAGE1_ROOTFS,
                .debug = a->debug,
                .private_network = a->net_none,
                .interactive = a->interactive,
                .all_capabilities = a->disable_capabilities,
                .share_ipc = a->ipc_parent,
                .private_users = a->private_users ? &a->users : NULL,
        };
        int r;

        init_machined_query_start(&machined);
        r = stage1_machine_name(a->uuid, &machine_name);
        if (r < 0)
                return -ENOMEM;
        o.machine_name = machine_name;
        r = read_full_file_at(AT_FDCWD, "pod", &json, &size);
        if (r < 0)
                return rkt_error_set(reterr, r, "reading the pod manifest 'pod': %s", strerror(-r));
        r = appc_pod_manifest_parse(json, size, &pod, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "pod manifest");
        if (pod->n_apps == 0)
                return rkt_error_set(reterr, -EINVAL, "the pod manifest has no apps");
        s1fd = open(POD_STAGE1_ROOTFS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s1fd < 0 || podfd < 0) {
                r = negative_errno();
                return rkt_error_set(reterr, r, "opening " POD_STAGE1_ROOTFS ": %s", strerror(-r));
        }

        /* Before the pod gets a cgroup of its own: the plugins' processes belong to the caller. Before the
         * apps' environment: AC_METADATA_URL names the host's address on the pod's network. */
        if (!a->hostname && asprintf(&hostname, "rkt-%s", a->uuid) < 0)
                return -ENOMEM;
        r = net_pod_setup(&(NetPodConfig){.uuid = a->uuid,
                                          .hostname = a->hostname ?: hostname,
                                          .nets = &a->nets,
                                          .system_config = a->system_config,
                                          .local_config = a->local_config,
                                          .plugin_dirs = a->net_plugin_dirs,
                                          .dns = &a->dns,
                                          .pod = pod,
                                          .s1fd = s1fd},
                          &net, reterr);
        /* rkt 1.30's words first, which scripts match on. */
        if (r < 0)
                return rkt_error_prefix(reterr, r, "failed to setup network");
        net_up = true;
        o.network_namespace_path = net.netns;
        o.host_resolv_conf = (NspawnBind){
                .source = net.host_resolv_conf, .destination = NET_HOST_RESOLV_CONF, .read_only = true};

        if (a->mds_token) {
                r = metadata_url(a, &net, &mds_url, reterr);
                if (r < 0)
                        goto finish;
        }
        /* After the network, whose namespace is mounted on the host; the volumes are the pod's alone. */
        r = pod_mount_namespace_enter(&s1fd, &host_ns, reterr)
                    ?: pod_isolation_init(
                               &pi, s1fd, pod,
                               &(InitIsolationArgs){.disable_capabilities = a->disable_capabilities,
                                                    .disable_paths = a->disable_paths,
                                                    .disable_seccomp = a->disable_seccomp,
                                                    .private_network =
                                                            a->net_none || net_list_contained(&a->nets),
                                                    .metadata_url = mds_url,
                                                    .private_users = o.private_users},
                               reterr);
        if (r < 0)
                goto finish;

        plans = calloc(pod->n_apps, sizeof(AppPlan));
        if (!plans) {
                r = -ENOMEM;
                goto finish;
        }
        for (; n < pod->n_apps; n++) {
                r = plan_app(s1fd, &pi, pod, &pod->apps[n], &plans[n], reterr);
                if (r < 0)
                        goto finish;
        }
        if (mkdirat(s1fd, "etc/systemd/system/default.target.wants", 0755) < 0 && errno != EEXIST) {
                r = negative_errno();
                r = rkt_error_set(reterr, r, "creating default.target.wants: %s", strerror(-r));
                goto finish;
        }
        for (size_t i = 0; i < n; i++) {
                r = write_app(s1fd, &plans[i], &pi, a->interactive, reterr);
                if (r < 0)
                        goto finish;
        }
        r = write_users(s1fd, plans, n, reterr);
        if (r >= 0)
                r = write_identity(s1fd, a, reterr);
        /* rkt-console.service leaves an interactive pod's console as the pod's systemd set it. */
        if (r >= 0 && a->interactive) {
                r = stage1_write_file_at(s1fd, "rkt/interactive", "", 0644);
                if (r < 0)
                        r = rkt_error_set(reterr, r, "writing " POD_STAGE1_ROOTFS "/rkt/interactive: %s",
                                          strerror(-r));
        }
        if (r < 0)
                goto finish;

        o.register_machine = init_machined_query_finish(&machined);
        o.cgroup_unified = stage1_cgroup_unified();
        o.keep_unit = !o.register_machine || init_inside_service();
        if (o.register_machine && o.keep_unit)
                stage1_warn_kill_mode();
        if (!o.register_machine) {
                log_warning("systemd-machined is not available (PID 1 is not systemd, or machined is not "
                            "installed): pod '%s' is not registered as a machine, so machinectl and "
                            "journalctl -M do not see it",
                            machine_name);
                r = init_make_pod_cgroup(a->uuid, &subcgroup);
        } else if (!o.keep_unit) {
                r = stage1_scope_name(a->uuid, &subcgroup);
                if (r >= 0) {
                        char *s = path_join("machine.slice", subcgroup);
                        free(subcgroup);
                        subcgroup = s;
                        r = s ? 0 : -ENOMEM;
                }
        }
        if (r < 0)
                goto finish;
        /* subcgroup first: stage0 takes ppid as the sign that the pod has started. */
        if (subcgroup) {
                _cleanup_free_ char *line = NULL;
                if (asprintf(&line, "%s\n", subcgroup) < 0) {
                        r = -ENOMEM;
                        goto finish;
                }
                r = stage1_write_file_at(AT_FDCWD, POD_SUBCGROUP, line, 0644);
                if (r < 0) {
                        r = rkt_error_set(reterr, r, "writing " POD_SUBCGROUP ": %s", strerror(-r));
                        goto finish;
                }
        }

        /* What init wrote into the stage1 rootfs (units, environments, /etc files, mount points) belongs to
         * the pod's root too, like what stage0 copied there. */
        if (o.private_users) {
                r = uid_range_chown_tree(s1fd, o.private_users);
                if (r < 0) {
                        r = rkt_error_set(reterr, r,
                                          "giving " POD_STAGE1_ROOTFS " to the pod's user namespace: %s",
                                          strerror(-r));
                        goto finish;
                }
        }
        r = stage1_keep_lock_fd(reterr);
        if (r < 0)
                goto finish;
        o.device_allow = pi.device_allow;
        r = pod_isolation_nspawn_capabilities(&pi, &capabilities);
        if (r < 0)
                goto finish;
        o.capabilities = capabilities;
        r = init_notify_relay_open(&notify_fd, &notify_socket, reterr);
        if (r < 0)
                goto finish;
        /* Before the environment is copied for nspawn: without sockets for us, no LISTEN_* reach it. */
        n_listen = stage1_listen_fds_inherit();
        if (n_listen < 0) {
                r = rkt_error_set(reterr, n_listen, "the sockets passed by systemd (LISTEN_FDS): %s",
                                  stage1_listen_fds_strerror(n_listen));
                goto finish;
        }
        o.notify_socket = notify_socket;
        r = nspawn_argv(&o, &argv);
        if (r >= 0)
                r = nspawn_environment(&o, environ, &env);
        if (r < 0)
                goto finish;
        if (a->debug) {
                _cleanup_free_ char *cmdline = strv_join(argv, " ");
                log_info("exec %s", strna(cmdline));
        }

        /* See nspawn-args.c: a pod in a user namespace has nspawn started in its network namespace. */
        if (o.private_users && o.network_namespace_path) {
                netns_fd = open(o.network_namespace_path, O_RDONLY | O_CLOEXEC);
                if (netns_fd < 0) {
                        r = rkt_error_set(reterr, negative_errno(),
                                          "opening the pod's network namespace %s: %m",
                                          o.network_namespace_path);
                        goto finish;
                }
        }
        (void) fflush(NULL);
        r = init_supervise_nspawn(argv, env, n_listen, notify_fd, netns_fd, &nspawn_killed, reterr);
        if (r < 0) {
                (void) unlink(POD_PPID);
                (void) unlink(POD_SUBCGROUP);
        }
        /* A machine whose nspawn was killed while registering it can outlive the pod in machined. */
        if (nspawn_killed && o.register_machine)
                (void) stage1_terminate_machine(a->uuid);

finish:
        /* The pod has ended (or never started): its network goes now, not at the next gc. */
        pod_mount_namespace_leave(host_ns, podfd);
        if (net_up)
                net_pod_finish(a->uuid);
        for (size_t i = 0; i < n; i++)
                app_plan_done(&plans[i]);
        return r;
}

int main(int argc, char **argv) {
        InitArgs a = {};
        int r = stage1_run_main(argc, argv, &a, &a.debug, parse_args, run);

        net_list_done(&a.nets);
        net_dns_config_done(&a.dns);
        strv_free(a.net_plugin_dirs);
        return r; /* the pod's exit status */
}
