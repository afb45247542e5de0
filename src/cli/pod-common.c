/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fd-util.h"
#include "log.h"
#include "mds-client.h"
#include "path.h"
#include "pod-common.h"
#include "pod-name.h"
#include "process.h"
#include "stage1-exec.h"
#include "strv.h"

int pod_open_logged(const CliArgs *a, const char *uuid, const char *what, Pod **ret) {
        _cleanup_error_ RktError *err = NULL;
        int r = pod_open(a->globals->dir, uuid, ret, &err);

        if (r < 0)
                return log_error_errno(r, "%s: %s", what, rkt_error_message(err, r));
        return 0;
}

int pod_uuids_from_args(const CliArgs *a, const char *uuid_file, bool many, bool file_wins, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *usage = a->verb && a->verb->usage ? a->verb->usage : "";
        int r;

        if (uuid_file && a->n_args > 0 && file_wins)
                for (size_t i = 0; i < a->n_args; i++)
                        log_warning("ignoring the argument '%s': --uuid-file names the pod", a->args[i]);
        else if (uuid_file && a->n_args > 0)
                return log_error_errno(
                        -EINVAL, "give either --uuid-file or UUID arguments, not both\nUsage: rkt %s %s",
                        a->verb ? a->verb->name : "", usage);
        if (!uuid_file && (a->n_args == 0 || (!many && a->n_args > 1)))
                return log_error_errno(-EINVAL, "%s\nUsage: rkt %s %s",
                                       a->n_args == 0 ? "missing pod UUID" : "too many arguments",
                                       a->verb ? a->verb->name : "", usage);
        if (uuid_file) {
                _cleanup_error_ RktError *err = NULL;
                char *uuid = NULL;
                r = pod_read_uuid_file(uuid_file, &uuid, &err);
                if (r < 0) {
                        log_error("unable to resolve UUID from file: %s", rkt_error_message(err, r));
                        return -EIO;
                }
                if (strv_push(&l, uuid) < 0) {
                        free(uuid);
                        return log_oom();
                }
        } else
                for (size_t i = 0; i < a->n_args; i++)
                        if (strv_extend(&l, a->args[i]) < 0)
                                return log_oom();
        *ret = TAKE_PTR(l);
        return 0;
}

int pod_manifest_json(const Pod *p, json_object **ret) {
        _cleanup_free_ char *text = NULL;
        json_object *o;
        int r;

        r = pod_read_file(p, POD_MANIFEST, &text, NULL);
        if (r < 0)
                return r;
        o = json_tokener_parse(text);
        if (!o || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return -EBADMSG;
        }
        *ret = o;
        return 0;
}

bool pod_manifest_available(const Pod *p) {
        return p->state != POD_PREPARING && p->state != POD_ABORTED_PREPARE && p->state != POD_DELETING &&
               p->state != POD_EMBRYO;
}

static json_object *get(json_object *o, const char *key) {
        json_object *v = NULL;
        if (!o || !json_object_object_get_ex(o, key, &v))
                return NULL;
        return v;
}

static const char *get_string(json_object *o, const char *key) {
        json_object *v = get(o, key);
        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static json_object *apps_of(json_object *manifest) {
        json_object *apps = get(manifest, "apps");
        return apps && json_object_is_type(apps, json_type_array) ? apps : NULL;
}

size_t pod_manifest_n_apps(json_object *manifest) {
        json_object *apps = apps_of(manifest);
        return apps ? json_object_array_length(apps) : 0;
}

const char *pod_manifest_app_name(json_object *manifest, size_t i) {
        json_object *apps = apps_of(manifest);
        return apps && i < json_object_array_length(apps)
                       ? get_string(json_object_array_get_idx(apps, i), "name")
                       : NULL;
}

static bool nets_apply(const Pod *p) {
        return p->state == POD_RUNNING || p->state == POD_EXITED || p->state == POD_EXITED_GARBAGE ||
               p->state == POD_EXITED_DELETING;
}

PodNets pod_nets(const Pod *p) {
        _cleanup_free_ char *text = NULL;
        _cleanup_error_ RktError *e = NULL;
        PodNets n = {};
        size_t size = 0;
        int r;

        /* Without net-info.json the pod runs with --net=host (or has no networking yet). */
        if (!nets_apply(p) || pod_read_file(p, POD_NET_INFO, &text, &size) < 0)
                return n;
        r = net_info_parse(text, size, &n.nets, &n.n, &e);
        if (r < 0)
                log_warning("pod %s: %s", p->uuid, rkt_error_message(e, r));
        return n;
}

void pod_nets_done(PodNets *n) {
        net_infos_free(n->nets, n->n);
        *n = (PodNets){};
}

char *pod_nets_string(const PodNets *n) {
        char *s = strdup("");

        for (size_t i = 0; s && i < n->n; i++) {
                char *ns;
                if (asprintf(&ns, "%s%s%s:ip4=%s", s, i > 0 ? ", " : "", n->nets[i].net_name,
                             n->nets[i].ip) < 0)
                        ns = NULL;
                free(s);
                s = ns;
        }
        return s;
}

/* A net-info.json entry in the field order of rkt's NetInfo. */
static json_object *net_entry_json(const NetInfo *n) {
        const char *const kv[][2] = {
                {"netName", n->net_name},
                {"netConf", n->conf_path},
                {"pluginPath", n->plugin_path},
                {"ifName", n->if_name},
                {"ip", n->ip},
                {"args", n->args},
                {"mask", n->mask},
        };
        json_object *o = json_object_new_object();

        for (size_t i = 0; o && i < ELEMENTSOF(kv); i++)
                json_object_object_add(o, kv[i][0], json_object_new_string(strempty(kv[i][1])));
        return o;
}

/* A userAnnotations/userLabels map, or NULL when absent or empty (rkt omits them then). */
static json_object *string_map(json_object *m) {
        json_object *o;

        if (!m || !json_object_is_type(m, json_type_object) || json_object_object_length(m) == 0)
                return NULL;
        o = json_object_new_object();
        json_object_object_foreach(m, k, v) {
                if (json_object_is_type(v, json_type_string))
                        json_object_object_add(o, k, json_object_get(v));
        }
        return o;
}

static void add_time(json_object *o, const char *key, uint64_t usec, bool nanoseconds) {
        if (usec == 0)
                return;
        json_object_object_add(
                o, key,
                json_object_new_int64(nanoseconds ? (int64_t) usec * 1000 : (int64_t) (usec / 1000000)));
}

static const char *app_state_from_pod(PodState s) {
        switch (s) {
        case POD_PREPARED:
                return "created";
        case POD_RUNNING:
                return "running";
        case POD_DELETING:
        case POD_EXITED_DELETING:
        case POD_EXITED:
        case POD_EXITED_GARBAGE:
        case POD_GARBAGE:
                return "exited";
        default:
                return "unknown";
        }
}

static json_object *app_mounts_json(json_object *manifest, json_object *ra) {
        json_object *mounts = get(ra, "mounts"), *volumes = get(manifest, "volumes"), *l;

        if (!mounts || !json_object_is_type(mounts, json_type_array) ||
            json_object_array_length(mounts) == 0)
                return NULL;
        l = json_object_new_array();
        for (size_t i = 0; l && i < json_object_array_length(mounts); i++) {
                json_object *m = json_object_array_get_idx(mounts, i), *vol = get(m, "appVolume"), *o, *ro;
                const char *name = get_string(m, "volume");

                if (!vol && name && volumes && json_object_is_type(volumes, json_type_array))
                        for (size_t j = 0; j < json_object_array_length(volumes); j++)
                                if (streq_ptr(get_string(json_object_array_get_idx(volumes, j), "name"),
                                              name))
                                        vol = json_object_array_get_idx(volumes, j);
                ro = get(vol, "readOnly");
                o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(strempty(name)));
                json_object_object_add(o, "container_path",
                                       json_object_new_string(strempty(get_string(m, "path"))));
                json_object_object_add(o, "host_path",
                                       json_object_new_string(strempty(get_string(vol, "source"))));
                json_object_object_add(o, "read_only",
                                       json_object_new_boolean(ro && json_object_get_boolean(ro)));
                json_object_array_add(l, o);
        }
        return l;
}

static json_object *app_json(const Pod *p, json_object *manifest, json_object *ra, uint64_t created,
                             uint64_t started, uint64_t finished) {
        json_object *o = json_object_new_object(), *image = get(ra, "image"), *app = get(ra, "app"), *x;
        const char *name = strempty(get_string(ra, "name"));
        int code;
        bool exited = pod_app_exit_code(p, name, &code) >= 0;

        if (!o)
                return NULL;
        /* Apps of an immutable pod share its life: their state and times are the pod's, but an app whose
         * exit code is recorded has exited. Times here are nanoseconds, as in rkt's api/v1 App. */
        json_object_object_add(o, "name", json_object_new_string(name));
        json_object_object_add(o, "state",
                               json_object_new_string(exited ? "exited" : app_state_from_pod(p->state)));
        add_time(o, "created_at", created, true);
        add_time(o, "started_at", started, true);
        add_time(o, "finished_at", finished, true);
        if (exited)
                json_object_object_add(o, "exit_code", json_object_new_int(code));
        json_object_object_add(o, "image_id", json_object_new_string(strempty(get_string(image, "id"))));
        if ((x = app_mounts_json(manifest, ra)))
                json_object_object_add(o, "mounts", x);
        if ((x = string_map(get(app, "userAnnotations"))))
                json_object_object_add(o, "user_annotations", x);
        if ((x = string_map(get(app, "userLabels"))))
                json_object_object_add(o, "user_labels", x);
        return o;
}

json_object *pod_api_json(const Pod *p, json_object *manifest, const PodNets *nets) {
        json_object *o = json_object_new_object(), *x;
        bool started_applies = p->state == POD_RUNNING || pod_state_is_after_run(p->state);
        uint64_t created = pod_created_time(p), started = started_applies ? pod_started_time(p) : 0,
                 finished = 0;

        if (!o)
                return NULL;
        if (p->state == POD_EXITED_GARBAGE || p->state == POD_EXITED_DELETING || p->state == POD_GARBAGE ||
            p->state == POD_DELETING)
                finished = pod_dir_ctime(p); /* the best guess there is: when gc marked it */
        json_object_object_add(o, "name", json_object_new_string(p->uuid));
        {
                /* rkt 1.30's "name" is the UUID; the pod's own name (rkt run --name) is an addition. */
                _cleanup_free_ char *pod_name = NULL;
                if (pod_name_read(p, &pod_name) >= 0)
                        json_object_object_add(o, "pod_name", json_object_new_string(pod_name));
        }
        json_object_object_add(o, "state", json_object_new_string(pod_state_to_string(p->state)));
        if (nets->n > 0) {
                x = json_object_new_array();
                for (size_t i = 0; i < nets->n; i++)
                        json_object_array_add(x, net_entry_json(&nets->nets[i]));
                json_object_object_add(o, "networks", x);
        }
        if (manifest && pod_manifest_n_apps(manifest) > 0) {
                json_object *names = json_object_new_array(), *apps = json_object_new_array(),
                            *l = apps_of(manifest);
                for (size_t i = 0; i < json_object_array_length(l); i++) {
                        json_object *ra = json_object_array_get_idx(l, i);
                        json_object_array_add(names,
                                              json_object_new_string(strempty(get_string(ra, "name"))));
                        json_object_array_add(apps, app_json(p, manifest, ra, created, started, finished));
                }
                json_object_object_add(o, "app_names", names);
                json_object_object_add(o, "apps", apps);
        }
        /* rkt 1.30 gives the pod's own times in seconds (its apps' in nanoseconds); consumers expect that.
         */
        add_time(o, "created_at", created, false);
        add_time(o, "started_at", started, false);
        if ((x = string_map(get(manifest, "userAnnotations"))))
                json_object_object_add(o, "user_annotations", x);
        if ((x = string_map(get(manifest, "userLabels"))))
                json_object_object_add(o, "user_labels", x);
        return o;
}

/* Runs the entrypoint opened as fd (ep names it) as pod_run_entrypoint() says. */
static int run_entrypoint_fd(const Pod *p, int fd, char *ep, char *const *args, bool stdout_to_null) {
        _cleanup_free_ char **argv = NULL;
        size_t n = strv_length(args);
        pid_t pid;
        int r, status;

        argv = calloc(n + 2, sizeof(char *));
        if (!argv)
                return log_oom();
        argv[0] = ep;
        for (size_t i = 0; i < n; i++)
                argv[i + 1] = args[i];
        log_debug("Execing %s in '%s'", ep, p->path);
        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid < 0)
                return log_error_errno(negative_errno(), "Failed to fork: %m");
        if (pid == 0) {
                if (chdir(p->path) < 0) {
                        fprintf(stderr, "cannot change to '%s': %s\n", p->path, strerror(errno));
                        _exit(EXIT_RKT_ERROR);
                }
                if (stdout_to_null) {
                        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
                        if (null >= 0)
                                (void) dup2(null, STDOUT_FILENO);
                }
                /* Not the pod's lock (held by gc and rm: a stage1 leaving a process behind would keep the
                 * pod locked), nor anything of our caller's. */
                if (close_all_fds_except(&fd, 1) < 0) {
                        fprintf(stderr, "cannot close file descriptors: %s\n", strerror(errno));
                        _exit(EXIT_RKT_ERROR);
                }
                r = stage1_exec_fd(fd, argv, environ);
                fprintf(stderr, "cannot execute '%s': %s\n", ep, strerror(-r));
                _exit(EXIT_RKT_ERROR);
        }
        r = wait_pid(pid, &status, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to wait for '%s': %m", ep);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return log_error_errno(-ECHILD, "'%s' was killed by signal %d", ep, WTERMSIG(status));
}

int pod_run_entrypoint(const Pod *p, const char *annotation, char *const *args, bool stdout_to_null) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_free_ char *ep = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        r = pod_stage1_entrypoint_open(p, annotation, &fd, &ep, NULL, &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        return run_entrypoint_fd(p, fd, ep, args, stdout_to_null);
}

/* pod_remove() removes the stage1 rootfs first, and pod_delete() calls it only after the stage1 gc: a pod
 * that ran and has no stage1 rootfs is one whose removal began. */
static bool removal_begun(const Pod *p) {
        _cleanup_free_ char *rootfs = path_join(p->path, POD_STAGE1_ROOTFS);
        struct stat st;

        return rootfs && lstat(rootfs, &st) < 0 && errno == ENOENT;
}

int pod_delete(const CliArgs *a, Pod *p) {
        _cleanup_error_ RktError *err = NULL;
        bool ran = p->state == POD_EXITED_GARBAGE || p->state == POD_EXITED_DELETING;
        int r;

        if (!ran && p->state != POD_GARBAGE && p->state != POD_DELETING && p->state != POD_EMBRYO)
                return log_error_errno(-EINVAL, "non-garbage pod \"%s\" (status \"%s\"), skipped", p->uuid,
                                       pod_state_to_string(p->state));
        if (ran && removal_begun(p)) {
                /* A gc killed while it removed the pod ran the stage1 gc first: it is not run again (its
                 * stage1 may be half gone), only the removal is finished. */
                log_debug("pod \"%s\" is half removed, skipping stage1 GC", p->uuid);
                ran = false;
        }
        if (ran) {
                _cleanup_free_ char *probe = NULL;
                _cleanup_close_ int probe_fd = -1;
                bool mounted = false;
                int version = 1;

                /* The stage1 undoes what it set up on the host (networking, cgroups, journal link): its
                 * rootfs must be there for that, mounted again after a reboot. */
                r = pod_mount_stage1(p, &mounted, &err);
                if (r >= 0) {
                        rkt_error_free(TAKE_PTR(err));
                        r = pod_stage1_entrypoint_open(p, STAGE1_GC, &probe_fd, &probe, &version, &err);
                }
                if (r == -ENODATA)
                        /* A stage1 without gc: nothing of it to run. */
                        log_debug("pod \"%s\" has no stage1 gc entrypoint, skipping stage1 GC", p->uuid);
                else if (r < 0)
                        /* The stage1 tree left the store (its image was removed): the pod is still removed,
                         * only what its stage1 set up on the host may be left. */
                        log_warning("skipping stage1 GC of pod \"%s\": %s", p->uuid,
                                    rkt_error_message(err, r));
                else {
                        _cleanup_free_ char *local_config = NULL;
                        char *args[4] = {};
                        size_t n = 0;

                        if (a->globals->debug)
                                args[n++] = (char *) "--debug";
                        if (version >= 5 && a->globals->local_config &&
                            asprintf(&local_config, "--local-config=%s", a->globals->local_config) >= 0)
                                args[n++] = local_config;
                        args[n++] = p->uuid;
                        r = run_entrypoint_fd(p, probe_fd, probe, args, true);
                        if (r > 0)
                                log_warning("problem performing stage1 GC on \"%s\": exit status %d",
                                            p->uuid, r);
                        else if (r < 0)
                                log_warning("problem performing stage1 GC on \"%s\"", p->uuid);
                }
        }
        rkt_error_free(TAKE_PTR(err));
        if (ran) {
                _cleanup_close_ int podfd = open(p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                /* A metadata service that is gone has nothing to forget. */
                if (podfd >= 0 && (r = mds_unregister_pod_at(podfd, NULL, p->uuid, &err)) < 0 &&
                    r != -ECONNREFUSED)
                        log_warning("unregistering pod \"%s\" from the metadata service: %s", p->uuid,
                                    rkt_error_message(err, r));
                rkt_error_free(TAKE_PTR(err));
        }
        /* The name link goes first: a pod half removed keeps its "name" file, which a new claim ignores. */
        if ((r = pod_name_release(p)) < 0)
                log_warning("releasing the name of pod \"%s\": %s", p->uuid, strerror(-r));
        r = pod_unmount_all(p, &err);
        if (r < 0)
                return log_error_errno(r, "GC of leftover mounts for pod \"%s\" failed: %s", p->uuid,
                                       rkt_error_message(err, r));
        r = pod_remove(p, &err);
        if (r < 0)
                return log_error_errno(r, "unable to remove pod \"%s\": %s", p->uuid,
                                       rkt_error_message(err, r));
        return 0;
}

char *format_go_duration(uint64_t usec) {
        char frac[8] = "", *s;
        uint64_t h = usec / 3600000000ULL, m = usec / 60000000ULL % 60, sec = usec / 1000000 % 60,
                 sub = usec % 1000000;

        if (usec == 0)
                return strdup("0s");
        if (usec < 1000)
                return asprintf(&s, "%lluµs", (unsigned long long) usec) < 0 ? NULL : s;
        if (usec < 1000000) {
                if (usec % 1000) {
                        snprintf(frac, sizeof(frac), ".%03llu", (unsigned long long) (usec % 1000));
                        for (size_t l = strlen(frac); l > 1 && frac[l - 1] == '0'; l--)
                                frac[l - 1] = 0;
                }
                return asprintf(&s, "%llu%sms", (unsigned long long) (usec / 1000), frac) < 0 ? NULL : s;
        }
        if (sub) {
                snprintf(frac, sizeof(frac), ".%06llu", (unsigned long long) sub);
                for (size_t l = strlen(frac); l > 1 && frac[l - 1] == '0'; l--)
                        frac[l - 1] = 0;
        }
        if (h > 0)
                return asprintf(&s, "%lluh%llum%llu%ss", (unsigned long long) h, (unsigned long long) m,
                                (unsigned long long) sec, frac) < 0
                               ? NULL
                               : s;
        if (m > 0)
                return asprintf(&s, "%llum%llu%ss", (unsigned long long) m, (unsigned long long) sec, frac) <
                                       0
                               ? NULL
                               : s;
        return asprintf(&s, "%llu%ss", (unsigned long long) sec, frac) < 0 ? NULL : s;
}
