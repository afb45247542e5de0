/* SPDX-License-Identifier: Apache-2.0 */
/* stage1's run entrypoint (/init). It runs on the host, exec'd by stage0 with the pod directory as its
 * working directory and the pod's lock in RKT_LOCK_FD. It turns the pod manifest into units for the
 * pod's systemd (one <app>.service per app, see units.c), writes what the pod's systemd reads at boot
 * (hostname, machine-id, users), then runs systemd-nspawn as its child (see supervise_nspawn), whose
 * exit status (the pod's) becomes rkt run's. See README.md for the contract with stage0. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
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
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-login.h>

#include "app-compat.h"
#include "appc.h"
#include "error.h"
#include "fd-util.h"
#include "fs.h"
#include "init-isolation.h"
#include "log.h"
#include "mds.h"
#include "net.h"
#include "nspawn-args.h"
#include "path.h"
#include "process.h"
#include "pod-process.h"
#include "stage1-app.h"
#include "stage1-common.h"
#include "strv.h"
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

/* A boolean flag, bare or "--flag=BOOL" as stage0 (pflag) may write it. */
static int flag_value(const char *name, const char *v, bool *ret, RktError **reterr) {
        int b;

        if (!v) {
                *ret = true;
                return 0;
        }
        b = parse_boolean(v);
        if (b < 0)
                return rkt_error_set(reterr, -EINVAL, "--%s: invalid boolean '%s'", name, v);
        *ret = b;
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

static int parse_args(int argc, char **argv, InitArgs *a, RktError **reterr) {
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
        bool net_given = false;
        int c, r;

        opterr = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                switch (c) {
                case ARG_DEBUG:
                        r = flag_value("debug", optarg, &a->debug, reterr);
                        break;
                case ARG_INTERACTIVE:
                        r = flag_value("interactive", optarg, &a->interactive, reterr);
                        break;
                case ARG_DISABLE_CAPS:
                        r = flag_value("disable-capabilities-restriction", optarg, &a->disable_capabilities,
                                       reterr);
                        break;
                case ARG_DISABLE_PATHS:
                        r = flag_value("disable-paths", optarg, &a->disable_paths, reterr);
                        break;
                case ARG_DISABLE_SECCOMP:
                        r = flag_value("disable-seccomp", optarg, &a->disable_seccomp, reterr);
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
                        r = net_dns_config_add(&a->dns,
                                               c == ARG_DNS          ? "dns"
                                               : c == ARG_DNS_SEARCH ? "dns-search"
                                               : c == ARG_DNS_OPT    ? "dns-opt"
                                               : c == ARG_DNS_DOMAIN ? "dns-domain"
                                                                     : "hosts-entry",
                                               optarg, reterr);
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
        r = net_dns_config_finish(&a->dns, reterr);
        if (r < 0)
                return r;
        if (optind != argc - 1)
                return rkt_error_set(reterr, -EINVAL, "expected exactly one argument, the pod's UUID");
        a->uuid = argv[optind];
        if (!stage1_uuid_valid(a->uuid))
                return rkt_error_set(reterr, -EINVAL, "invalid pod UUID '%s'", a->uuid);
        return 0;
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
        _cleanup_free_ char *path = NULL, *json = NULL, *exec0 = NULL;
        _cleanup_close_ int rootfd = -1;
        const AppcApp *app;
        size_t size;
        int r;

        if (stage1_unit_name_reserved(ra->name))
                return rkt_error_set(reterr, -EINVAL, "app name '%s' is reserved by the stage1", ra->name);
        if (stage2_path(NULL, ra->name, STAGE2_MANIFEST, &path) < 0)
                return -ENOMEM;
        r = read_full_file_at(s1fd, path, &json, &size);
        if (r < 0)
                return rkt_error_set(reterr, r,
                                     "app '%s': reading its image manifest " POD_STAGE1_ROOTFS "/%s: %s",
                                     ra->name, path, strerror(-r));
        r = appc_image_manifest_parse(json, size, &im, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "app '%s': image manifest", ra->name);

        free(path);
        if (stage2_path(NULL, ra->name, STAGE2_ROOTFS, &path) < 0)
                return -ENOMEM;
        rootfd = openat(s1fd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (rootfd < 0) {
                r = negative_errno();
                return rkt_error_set(reterr, r, "app '%s': opening its rootfs " POD_STAGE1_ROOTFS "/%s: %s",
                                     ra->name, path, strerror(-r));
        }

        r = stage1_app_ensure_mtab(rootfd);
        if (r < 0)
                return rkt_error_set(reterr, r, "app '%s': making its /etc/mtab: %s", ra->name,
                                     strerror(-r));
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

        r = stage1_resolve_user(rootfd, ra->name, isempty(app->user) ? "0" : app->user, &p.user, reterr);
        if (r < 0)
                return r;
        r = stage1_resolve_group(rootfd, ra->name, isempty(app->group) ? "0" : app->group, &p.gid, reterr);
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

/* machined registers the pod as a machine (machinectl, journalctl -M, a scope in machine.slice). It needs
 * systemd as PID 1 and systemd-machined on the system bus, running or activatable. */
static bool machined_available(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *name;
        int owned = 0, r;

        if (sd_booted() <= 0)
                return false;
        if (sd_bus_open_system(&bus) < 0)
                return false;
        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "NameHasOwner", &error, &reply, "s", "org.freedesktop.machine1");
        if (r >= 0 && sd_bus_message_read(reply, "b", &owned) >= 0 && owned)
                return true;
        reply = sd_bus_message_unref(reply);
        sd_bus_error_free(&error);
        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "ListActivatableNames", &error, &reply, NULL);
        if (r < 0 || sd_bus_message_enter_container(reply, 'a', "s") < 0)
                return false;
        while (sd_bus_message_read(reply, "s", &name) > 0)
                if (streq(name, "org.freedesktop.machine1"))
                        return true;
        return false;
}

/* Run from a service (systemd-run, a unit file), the pod stays in that service's cgroup, so that the
 * service's resource limits and KillMode apply to it (nspawn --keep-unit). */
static bool inside_service(void) {
        _cleanup_free_ char *unit = NULL;

        return sd_pid_get_unit(0, &unit) >= 0 && endswith(unit, ".service");
}

/* Without machined nobody makes a scope for the pod, and nspawn would put it into our own cgroup, shared
 * with whatever started rkt (two pods started from one shell would fight over it). So the pod gets its own
 * cgroup below ours, named like machined's scope, which gc removes. Returns the path (relative to the
 * hierarchy roots), or NULL when no hierarchy could be used. */
static int make_pod_cgroup(const char *uuid, char **ret) {
        _cleanup_free_ char *scope = NULL, *result = NULL;
        CgroupHierarchy h[2];
        int n, r;

        r = stage1_scope_name(uuid, &scope);
        if (r < 0)
                return r;
        n = stage1_cgroup_hierarchies(h);
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *own = NULL, *rel = NULL, *dir = NULL, *procs = NULL;
                _cleanup_close_ int fd = -1;

                if (stage1_cgroup_of_pid(0, h[i].unified, &own) < 0)
                        continue;
                rel = path_join(own, scope);
                dir = rel ? path_join(h[i].mount, rel) : NULL;
                procs = dir ? path_join(dir, "cgroup.procs") : NULL;
                if (!procs)
                        return -ENOMEM;
                if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                        log_debug_errno(negative_errno(), "Cannot create cgroup %s: %m", dir);
                        continue;
                }
                fd = open(procs, O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, "0", 1) != 1) {
                        log_debug_errno(negative_errno(), "Cannot move into cgroup %s: %m", dir);
                        (void) rmdir(dir);
                        continue;
                }
                if (!result) {
                        /* Relative to the hierarchy's root, as machined's "machine.slice/…" is. */
                        result = strdup(rel + strspn(rel, "/"));
                        if (!result)
                                return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(result);
        return 0;
}

static int wait_status(int status) {
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : STAGE1_EXIT_FAILURE;
}

/* Kills and reaps every child we still have: the stop guard, and the pod's init when nspawn was killed and
 * it fell to us. */
static void reap_orphans(void) {
        for (;;) {
                _cleanup_free_ pid_t *kids = NULL;
                size_t n = 0;

                if (pod_process_children(getpid(), &kids, &n) < 0 || n == 0)
                        break;
                for (size_t i = 0; i < n; i++)
                        (void) kill(kids[i], SIGKILL);
                while (waitpid(-1, NULL, 0) > 0)
                        ;
        }
}

/* How long the stop guard waits for a booting pod's systemd to be able to hear a poweroff. */
#define GUARD_READY_TIMEOUT_MS 60000

/* The stop guard, a child beside nspawn: when we are killed (kill -9 of the rkt process) it asks the pod to
 * power off, once the pod's systemd can hear it. nspawn's parent-death SIGTERM does the same, but while the
 * pod boots its systemd does not take signals yet and that request is lost. The guard learns of our death
 * from the pipe whose write end only we hold; it holds nothing else, not the pod's lock. */
static int start_stop_guard(pid_t nspawn, int *ret_fd, RktError **reterr) {
        int p[2];
        pid_t guard;

        if (pipe2(p, O_CLOEXEC) < 0)
                return rkt_error_set(reterr, negative_errno(), "creating the stop guard's pipe: %m");
        guard = safe_fork();
        if (guard < 0) {
                int r = guard;
                safe_close(p[0]);
                safe_close(p[1]);
                return rkt_error_set(reterr, r, "forking the stop guard: %s", strerror(-r));
        }
        if (guard == 0) {
                _cleanup_error_ RktError *error = NULL;
                char c;
                int r;

                /* Stopped with the rest of the process group or the service (SIGINT, SIGTERM): safe_fork()
                 * gave it the default actions. */
                (void) close_all_fds_except(&p[0], 1);
                while (read(p[0], &c, 1) < 0 && errno == EINTR)
                        ;
                r = pod_poweroff(nspawn, GUARD_READY_TIMEOUT_MS, &error);
                if (r < 0 && r != -ESRCH)
                        log_error("stop guard: %s", rkt_error_message(error, r));
                _exit(r < 0 && r != -ESRCH ? STAGE1_EXIT_FAILURE : 0);
        }
        safe_close(p[0]);
        *ret_fd = p[1];
        return 0;
}

/* Readiness relay. systemd takes a service's notifications (READY=1) from its main process only, unless the
 * unit says NotifyAccess=all, and of a service that runs rkt that is us, not our child nspawn. So nspawn
 * gets a socket of ours as NOTIFY_SOCKET and we pass on what it sends (nspawn --notify-ready: READY=1 once
 * the pod's systemd is up). Without NOTIFY_SOCKET nobody listens and there is no relay (*ret_fd = -1). */
static int notify_relay_open(int *ret_fd, char **ret_name, RktError **reterr) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        socklen_t len = sizeof(sa);
        _cleanup_close_ int fd = -1;

        *ret_fd = -1;
        *ret_name = NULL;
        if (!getenv("NOTIFY_SOCKET"))
                return 0;
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        /* Autobind: the kernel picks a free abstract name. */
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa_family_t)) < 0 ||
            getsockname(fd, (struct sockaddr *) &sa, &len) < 0)
                return rkt_error_set(reterr, negative_errno(), "creating the readiness relay socket: %m");
        if (asprintf(ret_name, "@%.*s", (int) (len - offsetof(struct sockaddr_un, sun_path) - 1),
                     sa.sun_path + 1) < 0)
                return -ENOMEM;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static void notify_relay_forward(int fd) {
        char buf[4096 + 1];
        ssize_t n;

        while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
                buf[n] = 0;
                (void) sd_notify(0, buf);
        }
}

/* Until nspawn exits: signals that would stop a pod are passed on to it, its notifications relayed. */
static int wait_nspawn(pid_t child, const sigset_t *signals, int notify_fd, bool *ret_killed,
                       RktError **reterr) {
        _cleanup_close_ int sfd = signalfd(-1, signals, SFD_CLOEXEC);

        *ret_killed = false;
        if (sfd < 0) {
                int r = negative_errno();
                (void) kill(child, SIGKILL);
                reap_orphans();
                return rkt_error_set(reterr, r, "creating a signalfd: %s", strerror(-r));
        }
        for (;;) {
                struct pollfd fds[2] = {{.fd = sfd, .events = POLLIN}, {.fd = notify_fd, .events = POLLIN}};
                struct signalfd_siginfo si;
                int st;
                pid_t p;
                bool done = false;

                if (poll(fds, 2, -1) < 0)
                        continue;
                if (fds[1].revents & POLLIN)
                        notify_relay_forward(notify_fd);
                if (!(fds[0].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
                        continue;
                if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGHUP) {
                        (void) kill(child, (int) si.ssi_signo);
                        continue;
                }
                if (si.ssi_signo != SIGCHLD)
                        continue;
                while ((p = waitpid(-1, &st, WNOHANG)) > 0)
                        if (p == child) {
                                done = true;
                                *ret_killed = WIFSIGNALED(st);
                                st = wait_status(st);
                                break;
                        }
                if (done) {
                        reap_orphans();
                        return st;
                }
        }
}

/* nspawn runs as our child rather than in our place. As a subreaper we inherit the pod's init if nspawn is
 * killed, and end it: a pod never outlives its nspawn unseen (the lock, the pod's liveness, goes with
 * nspawn and us). If we are killed, the pod powers off in order (nspawn's parent-death SIGTERM, and the
 * stop guard for a pod killed while it boots). Signals that
 * would stop a pod (TERM, INT, HUP) are passed on to nspawn. Returns nspawn's exit status, the pod's. */
static int supervise_nspawn(char **argv, char **env, int notify_fd, bool *ret_killed, RktError **reterr) {
        _cleanup_free_ char *ppid = NULL;
        _cleanup_close_ int guard_fd = -1;
        sigset_t all;
        pid_t self = getpid(), child;
        int r;

        sigfillset(&all);
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return rkt_error_set(reterr, negative_errno(), "becoming a subreaper: %m");
        sigprocmask(SIG_SETMASK, &all, NULL);
        /* Whatever the caller ignored (a shell's background job ignores INT and QUIT) must not stick to
         * nspawn: an ignored signal is dropped even where nspawn waits for it (safe_fork() resets them). */
        child = safe_fork();
        if (child < 0)
                return rkt_error_set(reterr, child, "forking: %s", strerror(-child));
        if (child == 0) {
                if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != self ||
                    stage1_close_fds_but_lock() < 0)
                        _exit(STAGE1_EXIT_FAILURE);
                execve(NSPAWN_PATH, argv, env);
                log_error("executing " NSPAWN_PATH ": %m");
                _exit(STAGE1_EXIT_FAILURE);
        }
        /* ppid: the process whose only child is the pod's PID 1, as the contract says. */
        if (asprintf(&ppid, "%d\n", (int) child) < 0)
                return -ENOMEM;
        r = start_stop_guard(child, &guard_fd, reterr);
        if (r >= 0) {
                r = stage1_write_file_at(AT_FDCWD, POD_PPID, ppid, 0644);
                if (r < 0)
                        rkt_error_set(reterr, r, "writing " POD_PPID ": %s", strerror(-r));
        }
        if (r < 0) {
                (void) kill(child, SIGKILL);
                reap_orphans();
                return r;
        }
        return wait_nspawn(child, &all, notify_fd, ret_killed, reterr);
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

static int run(const InitArgs *a, RktError **reterr) {
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *pod = NULL;
        _cleanup_strv_free_ char **argv = NULL, **env = NULL;
        _cleanup_free_ char *json = NULL, *subcgroup = NULL, *hostname = NULL;
        _cleanup_free_ AppPlan *plans = NULL;
        _cleanup_free_ char *mds_url = NULL, *capabilities = NULL, *notify_socket = NULL;
        _cleanup_(net_pod_setup_done) NetPodSetup net = {};
        _cleanup_close_ int notify_fd = -1;
        _cleanup_(pod_isolation_done) PodIsolation pi = {};
        bool net_up = false, nspawn_killed = false;
        _cleanup_free_ char *machine_name = NULL;
        _cleanup_close_ int s1fd = -1, host_ns = -1, podfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        size_t size, n = 0;
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
        if (r < 0)
                goto finish;

        o.register_machine = machined_available();
        o.cgroup_unified = stage1_cgroup_unified();
        o.keep_unit = !o.register_machine || inside_service();
        if (o.register_machine && o.keep_unit)
                stage1_warn_kill_mode();
        if (!o.register_machine) {
                log_warning("systemd-machined is not available (PID 1 is not systemd, or machined is not "
                            "installed): pod '%s' is not registered as a machine, so machinectl and "
                            "journalctl -M do not see it",
                            machine_name);
                r = make_pod_cgroup(a->uuid, &subcgroup);
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
        r = notify_relay_open(&notify_fd, &notify_socket, reterr);
        if (r < 0)
                goto finish;
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

        (void) fflush(NULL);
        r = supervise_nspawn(argv, env, notify_fd, &nspawn_killed, reterr);
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
        _cleanup_error_ RktError *error = NULL;
        InitArgs a = {};
        int r;

        log_set_prefix("stage1");
        r = parse_args(argc, argv, &a, &error);
        if (r >= 0) {
                if (a.debug)
                        log_set_max_level(LOG_LEVEL_DEBUG);
                r = run(&a, &error);
        }
        net_list_done(&a.nets);
        net_dns_config_done(&a.dns);
        strv_free(a.net_plugin_dirs);
        if (r < 0) {
                log_error("%s", rkt_error_message(error, r));
                return STAGE1_EXIT_FAILURE;
        }
        return r; /* the pod's exit status */
}
