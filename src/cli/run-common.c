/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "fd-util.h"
#include "fetch-ui.h"
#include "fs.h"
#include "insecure.h"
#include "log.h"
#include "mds-client.h"
#include "pod-name.h"
#include "pod-prepare.h"
#include "run-internal.h"
#include "stage1-exec.h"
#include "store.h"
#include "strv.h"

/* --port: the pod manifest's ports, each one a port some app declares. */
static int add_ports(const RunArgs *r, AppcPodManifest *m) {
        STRV_FOREACH(v, r->ports) {
                _cleanup_error_ RktError *err = NULL;
                _cleanup_free_ char *name = NULL, *ip = NULL;
                bool declared = false;
                unsigned port;
                int k = run_parse_port(*v, &name, &ip, &port);

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
                _cleanup_free_ char *id = NULL;

                fo.signature = app->signature;
                k = fetch_image(s, app->image, &fo, &id, &err);
                if (k >= 0)
                        k = store_manifest(s, id, &app->manifest, &err);
                if (k < 0)
                        return log_error_errno(k, "%s", rkt_error_message(err, k));
                app->image_id = TAKE_PTR(id);
        }
        k = pod_manifest_generate(&r->spec, ret, &err);
        if (k < 0)
                return log_error_errno(k, "%s", rkt_error_message(err, k));
        return add_ports(r, *ret);
}

static int prepare_pod(CliArgs *a, RunArgs *r, Pod **ret) {
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

int run_new_pod(CliArgs *a, RunArgs *r, int (*mark)(Pod *p, RktError **reterr), Pod **ret) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_error_ RktError *err = NULL;
        int k = run_args_parse(a, r);

        if (k >= 0)
                k = prepare_pod(a, r, &p);
        if (k < 0)
                return k;
        k = mark(p, &err);
        if (k < 0)
                return log_error_errno(k, "pod %s: %s", p->uuid, rkt_error_message(err, k));
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
        k = run_check_private_users_net(r->net);
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
        int k, fd, n_listen, version, keep[2 + STAGE1_LISTEN_FDS_MAX];

        k = pod_stage1_entrypoint_open(p, STAGE1_RUN, &entry_fd, &entry, &version, &err);
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
                        .ipc = r->ipc && version >= 6 ? r->ipc : NULL,
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
         * inherits to the pod's PID 1, where a directory fd of the host is a way out of the pod. And the
         * sockets of a socket unit that started rkt, for the apps' socket-activated ports. */
        n_listen = stage1_listen_fds_inherit();
        if (n_listen < 0)
                return log_error_errno(n_listen, "pod %s: the sockets passed by systemd (LISTEN_FDS): %s",
                                       p->uuid, stage1_listen_fds_strerror(n_listen));
        keep[0] = fd;
        keep[1] = entry_fd;
        for (int i = 0; i < n_listen; i++)
                keep[2 + i] = SD_LISTEN_FDS_START + i;
        k = close_all_fds_except(keep, 2 + (size_t) n_listen);
        if (k < 0)
                return log_error_errno(k, "pod %s: closing file descriptors: %m", p->uuid);
        k = stage1_exec_fd(entry_fd, argv, environ);
        return log_error_errno(k, "executing stage1 '%s': %m", argv[0]);
}
