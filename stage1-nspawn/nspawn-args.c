/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "nspawn-args.h"
#include "strv.h"

static int add(char ***l, const char *s) {
        return strv_extend(l, s);
}

/* "--option=" and a value. */
static int add_kv(char ***l, const char *option, const char *value) {
        char *s;
        int r;

        if (asprintf(&s, "%s%s", option, value) < 0)
                return -ENOMEM;
        r = strv_push(l, s);
        if (r < 0)
                free(s);
        return r;
}

/* --bind[-ro]=SOURCE:DESTINATION:rbind|norbind. nspawn splits at ':' and its unescaping of a backslash
 * before one has changed between versions, so paths with either are refused. */
static int add_bind(char ***l, const NspawnBind *b) {
        char *s;
        int r;

        if (!b->source || !b->destination || b->source[0] != '/' || b->destination[0] != '/' ||
            strpbrk(b->source, ":\\") || strpbrk(b->destination, ":\\"))
                return -EINVAL;
        if (asprintf(&s, "%s%s:%s:%s", b->read_only ? "--bind-ro=" : "--bind=", b->source, b->destination,
                     b->recursive ? "rbind" : "norbind") < 0)
                return -ENOMEM;
        r = strv_push(l, s);
        if (r < 0)
                free(s);
        return r;
}

int nspawn_argv(const NspawnOptions *o, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        int r = 0;

        if (isempty(o->uuid) || isempty(o->directory))
                return -EINVAL;

        r = r ?: add(&l, NSPAWN_PATH);
        r = r ?: add(&l, "--boot");
        /* READY=1 from the pod's systemd (default.target reached) is passed on to whoever runs rkt as a
         * Type=notify service. */
        r = r ?: add(&l, "--notify-ready=yes");
        if (!o->debug)
                r = r ?: add(&l, "--quiet");
        r = r ?: add_kv(&l, "--uuid=", o->uuid);
        r = r
                    ?: (o->machine_name ? add_kv(&l, "--machine=", o->machine_name)
                                        : add_kv(&l, "--machine=rkt-", o->uuid));
        r = r ?: add_kv(&l, "--directory=", o->directory);
        /* The pod's journal lives in the pod; the host gets /var/log/journal/<machine-id> linked to it. */
        r = r ?: add(&l, "--link-journal=try-guest");
        r = r ?: add(&l, o->register_machine ? "--register=yes" : "--register=no");
        if (o->keep_unit)
                r = r ?: add(&l, "--keep-unit");
        if (o->private_users) {
                _cleanup_free_ char *range = NULL;
                r = r ?: uid_range_format(o->private_users, &range);
                r = r ?: add_kv(&l, "--private-users=", range);
                /* stage0 gave the pod's files their owners in the range already: nspawn must neither chown
                 * them again nor map them with an ID-mapped mount of its own (a second shift). */
                r = r ?: add(&l, "--private-users-ownership=off");
        }
        if (o->private_network)
                r = r ?: add(&l, "--private-network");
        /* nspawn joins the namespace after it has made the pod's user namespace, where that is no longer
         * allowed (EPERM): a --private-users pod's nspawn is started inside it instead (init-supervise.c),
         * as rkt 1.30 started every pod's. */
        else if (o->network_namespace_path && !o->private_users)
                r = r ?: add_kv(&l, "--network-namespace-path=", o->network_namespace_path);
        /* read-only: the apps' output reaches our stdout, while Ctrl-C stays with nspawn (which halts the
         * pod) instead of going to a console no app reads. */
        r = r ?: add(&l, o->interactive ? "--console=interactive" : "--console=read-only");
        if (o->all_capabilities)
                r = r ?: add(&l, "--capability=all");
        else if (!isempty(o->capabilities))
                r = r ?: add_kv(&l, "--capability=", o->capabilities);
        STRV_FOREACH(d, o->device_allow)
        r = r ?: add_kv(&l, "--property=DeviceAllow=", *d);
        /* A bind, not a copy: the apps see the host's later changes to it. */
        if (o->host_resolv_conf.source)
                r = r ?: add_bind(&l, &o->host_resolv_conf);
        /* The pod's systemd looks for units in the stage1's two directories only (not in the dozen it
         * searches by default, generator and transient ones included); a system manager gives its own
         * environment to none of its units. */
        r = r ?: add(&l, "--setenv=SYSTEMD_UNIT_PATH=/etc/systemd/system:/usr/lib/systemd/system");
        r = r ?: add(&l, "--");
        /* From here on: the pod's systemd. */
        r = r ?: add(&l, "--default-standard-output=tty");
        if (o->debug) {
                r = r ?: add(&l, "--log-target=console");
                r = r ?: add(&l, "--show-status=1");
        } else {
                r = r ?: add(&l, "--log-target=null");
                r = r ?: add(&l, "--show-status=0");
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

static int env_set(char ***env, const char *name, const char *value) {
        size_t l = strlen(name);
        char *kv;
        int r;

        if (asprintf(&kv, "%s=%s", name, value) < 0)
                return -ENOMEM;
        for (char **e = *env; e && *e; e++)
                if (strncmp(*e, name, l) == 0 && (*e)[l] == '=') {
                        free(*e);
                        *e = kv;
                        return 0;
                }
        r = strv_push(env, kv);
        if (r < 0)
                free(kv);
        return r;
}

int nspawn_environment(const NspawnOptions *o, char *const *environ_in, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        int r;

        STRV_FOREACH(e, environ_in) {
                r = strv_extend(&env, *e);
                if (r < 0)
                        return r;
        }
        r = env_set(&env, "SYSTEMD_NSPAWN_CONTAINER_SERVICE", "rkt");
        if (r >= 0 && !o->debug)
                r = env_set(&env, "SYSTEMD_LOG_LEVEL", "err");
        if (r >= 0 && o->share_ipc)
                r = env_set(&env, "SYSTEMD_NSPAWN_SHARE_NS_IPC", "1");
        if (r >= 0 && o->notify_socket)
                r = env_set(&env, "NOTIFY_SOCKET", o->notify_socket);
        /* On cgroup2 with a cgroup namespace, nspawn mounts the pod's cgroup as the root of a writable
         * cgroup2 at the stage1's /sys/fs/cgroup, and an app that reaches the stage1's root (/proc/1/root,
         * with CAP_SYS_PTRACE) could make and remove cgroups and write their limits there, its own
         * included. Without one, nspawn binds the host's tree read-only and only the pod's own cgroup
         * read-write on it for the pod's systemd, as rkt 1.30's stage1 mounted it: the tree above the pod
         * is read-only through every path, and the apps' cgroup paths are those machinectl and systemctl
         * show on the host. On hybrid hosts nspawn's cgroup namespace mounts already keep the controllers
         * and the tmpfs read-only (and nspawn without one walks /proc/cgroups, which lists controllers
         * some kernels never mount). */
        if (r >= 0 && o->cgroup_unified)
                r = env_set(&env, "SYSTEMD_NSPAWN_USE_CGNS", "0");
        if (r < 0)
                return r;
        if (!env) {
                env = calloc(1, sizeof(char *));
                if (!env)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(env);
        return 0;
}
