/* SPDX-License-Identifier: Apache-2.0 */
/* stage1-fly's run entrypoint (/run). It runs on the host, exec'd by stage0 with the pod directory as its
 * working directory and the pod's lock in RKT_LOCK_FD, and becomes the pod's one app: in a mount namespace
 * of its own (the host's mounts its slaves), it mounts a tmpfs /tmp, the app's volumes, its DNS files and
 * the host's /dev, /proc and /sys in the app's rootfs, writes pid and pgid, chroots into the rootfs, takes
 * the app's user and groups and execs the app. No supervisor, no init: the app's exit status is rkt run's,
 * and the app holds the pod's lock. Everything else (network, IPC, PID, UTS namespaces, capabilities) is
 * the host's. See README.md for the contract with stage0. */
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appc.h"
#include "error.h"
#include "fly-mounts.h"
#include "fs.h"
#include "log.h"
#include "stage1-dns.h"
#include "path.h"
#include "stage1-app.h"
#include "stage1-common.h"
#include "stage1-isolation.h"
#include "stage1-units.h"
#include "strv.h"
#include "util.h"

typedef struct FlyArgs {
        bool debug;
        NetDnsConfig dns; /* --dns*, --hosts-entry */
        const char *uuid;
} FlyArgs;

enum {
        ARG_DEBUG = 0x100,
        ARG_IGNORED,
        ARG_IGNORED_BOOL,
        ARG_DNS,
        ARG_DNS_SEARCH,
        ARG_DNS_OPT,
        ARG_DNS_DOMAIN,
        ARG_HOSTS_ENTRY,
        ARG_PRIVATE_USERS,
};

/* stage0 passes the flags of every stage1; fly has no network, hostname, metadata service or isolation of
 * its own, so it takes them and ignores them, as rkt's fly did. */
static int parse_args(int argc, char **argv, void *args, RktError **reterr) {
        static const struct option options[] = {
                {"debug", optional_argument, NULL, ARG_DEBUG},
                {"net", required_argument, NULL, ARG_IGNORED},
                {"interactive", optional_argument, NULL, ARG_IGNORED_BOOL},
                {"local-config", required_argument, NULL, ARG_IGNORED},
                {"system-config", required_argument, NULL, ARG_IGNORED},
                {"net-plugin-dirs", required_argument, NULL, ARG_IGNORED},
                {"hostname", required_argument, NULL, ARG_IGNORED},
                {"mds-token", required_argument, NULL, ARG_IGNORED},
                {"disable-capabilities-restriction", optional_argument, NULL, ARG_IGNORED_BOOL},
                {"disable-paths", optional_argument, NULL, ARG_IGNORED_BOOL},
                {"disable-seccomp", optional_argument, NULL, ARG_IGNORED_BOOL},
                {"dns", required_argument, NULL, ARG_DNS},
                {"dns-search", required_argument, NULL, ARG_DNS_SEARCH},
                {"dns-opt", required_argument, NULL, ARG_DNS_OPT},
                {"dns-domain", required_argument, NULL, ARG_DNS_DOMAIN},
                {"hosts-entry", required_argument, NULL, ARG_HOSTS_ENTRY},
                {"private-users", required_argument, NULL, ARG_PRIVATE_USERS},
                {},
        };
        FlyArgs *a = args;
        int c, i, r = 0;

        opterr = 0;
        while ((c = getopt_long(argc, argv, "", options, &i)) >= 0) {
                switch (c) {
                case ARG_DEBUG:
                        r = stage1_flag_bool("debug", optarg, &a->debug, reterr);
                        if (r < 0)
                                return r;
                        break;
                case ARG_IGNORED_BOOL:
                        if (optarg && parse_boolean(optarg) < 0)
                                return rkt_error_set(reterr, -EINVAL, "%s: invalid boolean '%s'",
                                                     argv[optind - 1], optarg);
                        break;
                case ARG_PRIVATE_USERS:
                        return rkt_error_set(
                                reterr, -EOPNOTSUPP,
                                "--private-users: the fly stage1 runs the app in the host's user "
                                "namespace");
                case ARG_IGNORED:
                        break;
                case ARG_DNS:
                case ARG_DNS_SEARCH:
                case ARG_DNS_OPT:
                case ARG_DNS_DOMAIN:
                case ARG_HOSTS_ENTRY:
                        r = net_dns_config_add(&a->dns, options[i].name, optarg, reterr);
                        if (r < 0)
                                return r;
                        break;
                default:
                        return rkt_error_set(reterr, -EINVAL, "unknown or incomplete option '%s'",
                                             argv[optind - 1]);
                }
        }
        return stage1_run_args_finish(argc, argv, &a->dns, &a->uuid, reterr);
}

/* The app as run execs it. Strings are owned. */
typedef struct FlyApp {
        Stage1User user;
        gid_t *groups; /* the group first, then the supplementary ones (as rkt's fly) */
        size_t n_groups;
        char **exec;
        char **env;
        char *working_directory;
} FlyApp;

static void fly_app_done(FlyApp *f) {
        stage1_user_done(&f->user);
        free(f->groups);
        strv_free(f->exec);
        strv_free(f->env);
        free(f->working_directory);
}

static int plan_app(int rootfd, const AppcRuntimeApp *ra, const AppcApp *app, FlyApp *f, RktError **reterr) {
        _cleanup_free_ char *exec0 = NULL;
        gid_t gid;
        int r;

        if (!app || !app->exec || !app->exec[0])
                return rkt_error_set(reterr, -EINVAL, "app '%s': nothing to execute (no app.exec)",
                                     ra->name);
        if (app->working_directory && !path_is_absolute(app->working_directory))
                return rkt_error_set(reterr, -EINVAL, "app '%s': working directory '%s' is not absolute",
                                     ra->name, app->working_directory);
        for (size_t i = 0; i < app->n_isolators; i++)
                log_warning("app '%s': isolator '%s' is not applied by stage1-fly", ra->name,
                            app->isolators[i].name);
        f->working_directory = strdup(app->working_directory ?: "/");
        if (!f->working_directory)
                return -ENOMEM;
        r = stage1_resolve_user(rootfd, ra->name, isempty(app->user) ? "0" : app->user, NULL, &f->user,
                                reterr);
        if (r < 0)
                return r;
        r = stage1_resolve_group(rootfd, ra->name, isempty(app->group) ? "0" : app->group, NULL, &gid,
                                 reterr);
        if (r < 0)
                return r;
        f->groups = calloc(app->n_supplementary_gids + 1, sizeof(gid_t));
        if (!f->groups)
                return -ENOMEM;
        f->groups[f->n_groups++] = gid;
        for (size_t i = 0; i < app->n_supplementary_gids; i++)
                f->groups[f->n_groups++] = app->supplementary_gids[i];
        r = stage1_app_environment(app->environment, app->n_environment, ra->name, &f->user, NULL, &f->env);
        if (r < 0)
                return r;
        r = stage1_resolve_exec(rootfd, ra->name, f->working_directory, f->env, app->exec[0], &exec0,
                                reterr);
        if (r < 0)
                return r;
        r = strv_push(&f->exec, exec0);
        if (r < 0)
                return r;
        exec0 = NULL;
        for (size_t i = 1; app->exec[i]; i++)
                if (strv_extend(&f->exec, app->exec[i]) < 0)
                        return -ENOMEM;
        return 0;
}

/* The app's volumes with their sources on the host (empty volumes: the pod's directories). */
static int plan_volumes(const AppcPodManifest *pod, const AppcRuntimeApp *ra, const AppcApp *app,
                        const char *pod_dir, Stage1Mount **ret_mounts, size_t *ret_n, FlyVolume **ret,
                        char ***sources, RktError **reterr) {
        Stage1Mount *mounts = NULL;
        FlyVolume *v = NULL;
        size_t n = 0;
        int r;

        r = stage1_app_mounts(ra, app, pod->volumes, pod->n_volumes, false, &mounts, &n, reterr);
        if (r < 0)
                return r;
        v = calloc(n ?: 1, sizeof(FlyVolume));
        if (!v) {
                stage1_mounts_free(mounts, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n && r >= 0; i++) {
                const Stage1Mount *m = &mounts[i];
                char *source = NULL;
                struct stat st;
                bool dir;

                r = stage1_mount_source(pod_dir, ra->name, m, NULL, &source, &st, reterr);
                dir = S_ISDIR(st.st_mode);
                if (r >= 0)
                        r = strv_push(sources, source);
                if (r < 0) {
                        free(source);
                        break;
                }
                v[i] = (FlyVolume){.name = m->volume,
                                   .source = source,
                                   .target = m->path,
                                   .dir = dir,
                                   .read_only = m->read_only,
                                   .recursive = m->recursive,
                                   .fill = m->implicit && dir};
        }
        if (r < 0) {
                stage1_mounts_free(mounts, n);
                free(v);
                return r;
        }
        *ret_mounts = mounts;
        *ret_n = n;
        *ret = v;
        return 0;
}

/* The DNS files of the app, as rkt's fly made them: --dns=host and --hosts-entry=host bind the host's
 * files, --dns=IP… and --hosts-entry=IP=NAME files of their own (in the stage1 rootfs); otherwise the
 * image's files stay, and an image without /etc/hosts gets rkt's fallback one. */
static int plan_dns(const NetDnsConfig *dns, int s1fd, int rootfd, const char *pod_dir, char **ret_resolv,
                    char **ret_hosts, RktError **reterr) {
        _cleanup_free_ char *text = NULL;
        int r;

        if (dns->resolv_mode == NET_RESOLV_HOST) {
                if (access("/etc/resolv.conf", F_OK) < 0)
                        return rkt_error_set(reterr, -ENOENT,
                                             "--dns=host: the host has no /etc/resolv.conf");
                *ret_resolv = strdup("/etc/resolv.conf");
        } else if (dns->resolv_mode == NET_RESOLV_FLAGS) {
                r = net_resolv_conf(&dns->dns, NET_RESOLV_FLAGS_COMMENT, &text);
                if (r < 0)
                        return r;
                r = net_pod_dns_file_write(s1fd, NET_POD_RESOLV_CONF, text, reterr);
                if (r < 0)
                        return r;
                *ret_resolv = path_join(pod_dir, POD_STAGE1_ROOTFS "/" NET_POD_RESOLV_CONF);
        }
        if ((dns->resolv_mode == NET_RESOLV_HOST || dns->resolv_mode == NET_RESOLV_FLAGS) && !*ret_resolv)
                return -ENOMEM;
        text = mfree(text);

        if (dns->hosts_mode == NET_HOSTS_HOST) {
                if (access("/etc/hosts", F_OK) < 0)
                        return rkt_error_set(reterr, -ENOENT,
                                             "--hosts-entry=host: the host has no /etc/hosts");
                *ret_hosts = strdup("/etc/hosts");
                return *ret_hosts ? 0 : -ENOMEM;
        }
        if (dns->hosts_mode == NET_HOSTS_FLAGS) {
                r = net_hosts_file(NULL, dns->hosts, NULL, &text);
                if (r < 0)
                        return r;
                r = net_pod_dns_file_write(s1fd, NET_POD_HOSTS, text, reterr);
                if (r < 0)
                        return r;
                *ret_hosts = path_join(pod_dir, POD_STAGE1_ROOTFS "/" NET_POD_HOSTS);
                return *ret_hosts ? 0 : -ENOMEM;
        }
        {
                _cleanup_close_ int fd = stage1_open_in_root(rootfd, "/etc/hosts", O_PATH);
                _cleanup_close_ int etcpath = -1, etcfd = -1, hostsfd = -1;

                if (fd >= 0 || fd != -ENOENT)
                        return 0; /* the image's own (or a symlink to nothing: the image's business) */
                r = stage1_mount_target(rootfd, "/etc", true, &etcpath);
                if (r >= 0) {
                        /* The directory the O_PATH fd is, opened for writing into it. */
                        etcfd = openat(etcpath, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        r = etcfd < 0 ? negative_errno() : 0;
                }
                if (r >= 0)
                        r = net_hosts_file(NULL, NULL, NULL, &text);
                if (r >= 0) {
                        hostsfd = openat(etcfd, "hosts",
                                         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                        r = hostsfd < 0 ? negative_errno() : 0;
                }
                if (r == -EEXIST)
                        return 0;
                if (r >= 0)
                        r = loop_write(hostsfd, text, strlen(text));
                if (r < 0)
                        return rkt_error_set(reterr, r, "writing the app's /etc/hosts: %s", strerror(-r));
        }
        return 0;
}

/* What enter needs: the app's environment (rkt/env/<app>) and its user and groups (rkt/confine/<app>;
 * capabilities and seccomp are the host's). */
static int write_app_state(int s1fd, const char *app, const FlyApp *f, RktError **reterr) {
        _cleanup_free_ char *env = NULL, *confine = NULL, *env_path = NULL, *confine_path = NULL;
        Stage1Confinement c = {.uid = f->user.uid,
                               .gid = f->groups[0],
                               .groups = f->groups + 1,
                               .n_groups = f->n_groups - 1};
        int r;

        r = stage1_env_file_format(f->env, &env);
        if (r >= 0)
                r = stage1_confinement_format(&c, &confine);
        if (r < 0 || asprintf(&env_path, "rkt/env/%s", app) < 0 ||
            asprintf(&confine_path, "rkt/confine/%s", app) < 0)
                return -ENOMEM;
        if ((mkdirat(s1fd, "rkt", 0755) < 0 && errno != EEXIST) ||
            (mkdirat(s1fd, "rkt/env", 0755) < 0 && errno != EEXIST) ||
            (mkdirat(s1fd, "rkt/confine", 0755) < 0 && errno != EEXIST))
                return rkt_error_set(reterr, negative_errno(), "creating " POD_STAGE1_ROOTFS "/rkt: %m");
        r = stage1_write_file_at(s1fd, env_path, env, 0644);
        if (r >= 0)
                r = stage1_write_file_at(s1fd, confine_path, confine, 0644);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing " POD_STAGE1_ROOTFS "/rkt/{env,confine}/%s: %s",
                                     app, strerror(-r));
        return 0;
}

static int write_pids(RktError **reterr) {
        char line[32];
        int r;

        /* pgid first: stage0 takes pid as the sign that the pod has started. */
        snprintf(line, sizeof(line), "%d\n", (int) getpgrp());
        r = stage1_write_file_at(AT_FDCWD, POD_PGID, line, 0644);
        if (r >= 0) {
                snprintf(line, sizeof(line), "%d\n", (int) getpid());
                r = stage1_write_file_at(AT_FDCWD, POD_PID, line, 0644);
        }
        return r < 0 ? rkt_error_set(reterr, r, "writing " POD_PID ": %s", strerror(-r)) : 0;
}

/* Returns only on failure. */
static int run(const void *args, RktError **reterr) {
        const FlyArgs *a = args;
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *pod = NULL;
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *im = NULL;
        _cleanup_free_ char *json = NULL, *pod_dir = NULL, *root = NULL, *resolv = NULL, *hosts = NULL;
        _cleanup_strv_free_ char **sources = NULL;
        _cleanup_free_ FlyVolume *volumes = NULL;
        _cleanup_free_ FlyMount *plan = NULL;
        _cleanup_(fly_app_done) FlyApp f = {};
        _cleanup_close_ int s1fd = -1, rootfd = -1, podfd = -1;
        Stage1Mount *mounts = NULL;
        size_t size, n_mounts = 0, n_plan = 0;
        const AppcRuntimeApp *ra;
        int r;

        r = read_full_file_at(AT_FDCWD, "pod", &json, &size);
        if (r < 0)
                return rkt_error_set(reterr, r, "reading the pod manifest 'pod': %s", strerror(-r));
        r = appc_pod_manifest_parse(json, size, &pod, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "pod manifest");
        if (pod->n_apps != 1)
                return rkt_error_set(reterr, -EINVAL, "stage1-fly runs exactly one app; the pod has %zu",
                                     pod->n_apps);
        ra = &pod->apps[0];
        r = path_make_absolute_cwd(".", &pod_dir);
        if (r < 0)
                return r;

        /* The mounts below are the app's alone; the host's later mounts still reach it. Everything is opened
         * after this: a directory opened before would lead to the host's mount tree, not to ours. */
        r = stage1_private_mount_namespace();
        if (r < 0)
                return rkt_error_set(reterr, r, "making a mount namespace for the app: %s", strerror(-r));
        s1fd = open(POD_STAGE1_ROOTFS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        podfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s1fd < 0 || podfd < 0)
                return rkt_error_set(reterr, negative_errno(), "opening " POD_STAGE1_ROOTFS ": %m");
        r = stage1_app_image_open(s1fd, ra->name, &im, &rootfd, reterr);
        if (r < 0)
                return r;
        r = stage1_fd_path(rootfd, &root);
        if (r < 0)
                return r;

        r = plan_app(rootfd, ra, ra->app ?: im->app, &f, reterr);
        if (r >= 0)
                r = plan_volumes(pod, ra, ra->app ?: im->app, pod_dir, &mounts, &n_mounts, &volumes,
                                 &sources, reterr);
        if (r < 0)
                return r;
        r = plan_dns(&a->dns, s1fd, rootfd, pod_dir, &resolv, &hosts, reterr);
        if (r >= 0)
                r = fly_mount_plan(volumes, n_mounts, resolv, hosts, &plan, &n_plan);
        for (size_t i = 0; r >= 0 && i < n_plan; i++) {
                log_debug("mounting %s on '%s'%s%s", plan[i].source ?: "a tmpfs", plan[i].target,
                          plan[i].recursive ? ", recursively" : "", plan[i].read_only ? ", read-only" : "");
                r = stage1_mount_volume(rootfd, ra->name, &plan[i], fly_host_trees, NULL, reterr);
        }
        stage1_mounts_free(mounts, n_mounts);
        if (r < 0)
                return r;
        r = write_app_state(s1fd, ra->name, &f, reterr);
        if (r >= 0)
                r = stage1_keep_lock_fd(reterr);
        if (r >= 0)
                r = write_pids(reterr);
        if (r < 0)
                return r;

        if (fchdir(rootfd) < 0 || chroot(".") < 0) {
                r = rkt_error_set(reterr, negative_errno(), "app '%s': chroot into its rootfs: %m",
                                  ra->name);
                goto fail;
        }
        if (chdir(f.working_directory) < 0) {
                r = rkt_error_set(reterr, negative_errno(), "app '%s': working directory '%s': %m", ra->name,
                                  f.working_directory);
                goto fail;
        }
        if (setgroups(f.n_groups, f.groups) < 0 || setresgid(f.groups[0], f.groups[0], f.groups[0]) < 0 ||
            setresuid(f.user.uid, f.user.uid, f.user.uid) < 0) {
                r = rkt_error_set(reterr, negative_errno(), "app '%s': taking its user %u and group %u: %m",
                                  ra->name, (unsigned) f.user.uid, (unsigned) f.groups[0]);
                goto fail;
        }
        log_debug("executing '%s' in '%s'", f.exec[0], root);
        (void) fflush(NULL);
        r = stage1_close_fds_but_lock();
        if (r < 0) {
                r = rkt_error_set(reterr, r, "app '%s': closing file descriptors: %s", ra->name,
                                  strerror(-r));
                goto fail;
        }
        execve(f.exec[0], f.exec, f.env);
        r = rkt_error_set(reterr, negative_errno(), "app '%s': cannot execute '%s': %m", ra->name,
                          f.exec[0]);
fail:
        /* The pod never started: stage0 must not take it for running, nor stop signal a stale pid. */
        (void) unlinkat(podfd, POD_PID, 0);
        (void) unlinkat(podfd, POD_PGID, 0);
        return r;
}

int main(int argc, char **argv) {
        FlyArgs a = {};
        int r = stage1_run_main(argc, argv, &a, &a.debug, parse_args, run);

        net_dns_config_done(&a.dns);
        return r;
}
