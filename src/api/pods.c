/* SPDX-License-Identifier: Apache-2.0 */
/* ListPods and InspectPod: what rkt 1.30's API reported of a pod, read from the pod directory through
 * src/lib (pod.h), never from the CLI. A pod directory is hostile: files are read by pod_read_file()
 * (regular files only, size-capped), manifests parsed and validated by the appc parser, and every string
 * made valid UTF-8 before it goes into a message. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appc.h"
#include "filter.h"
#include "macro.h"
#include "net-info.h"
#include "service.h"

/* --- strings --- */

static size_t utf8_seq(const unsigned char *s) {
        size_t n;
        uint32_t cp;

        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                n = 2, cp = s[0] & 0x1f;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
                n = 3, cp = s[0] & 0x0f;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                n = 4, cp = s[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        /* overlong forms, surrogates, beyond U+10FFFF */
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

char *api_string(Arena *a, const char *s) {
        const unsigned char *p = (const unsigned char *) (s ? s : "");
        size_t len = strlen((const char *) p);
        char *d, *q;

        if (len > (SIZE_MAX - 1) / 3)
                return NULL;
        d = q = arena_alloc(a, len * 3 + 1);
        if (!d)
                return NULL;
        while (*p) {
                size_t n = utf8_seq(p);
                if (n == 0) {
                        memcpy(q, "\xef\xbf\xbd", 3);
                        q += 3;
                        p++;
                        continue;
                }
                memcpy(q, p, n);
                q += n;
                p += n;
        }
        *q = 0;
        return d;
}

V1alpha__KeyValue **api_key_values(Arena *a, const AppcKV *kv, size_t n) {
        V1alpha__KeyValue **l = arena_alloc_array(a, n + 1, sizeof(*l));

        for (size_t i = 0; l && i < n; i++) {
                l[i] = arena_alloc(a, sizeof(V1alpha__KeyValue));
                if (!l[i])
                        return NULL;
                v1alpha__key_value__init(l[i]);
                l[i]->key = api_string(a, kv[i].name);
                l[i]->value = api_string(a, kv[i].value);
                if (!l[i]->key || !l[i]->value)
                        return NULL;
        }
        return l;
}

/* --- one pod --- */

V1alpha__PodState api_pod_state(PodState s) {
        switch (s) {
        case POD_EMBRYO:
                return V1ALPHA__POD_STATE__POD_STATE_EMBRYO;
        case POD_PREPARING:
                return V1ALPHA__POD_STATE__POD_STATE_PREPARING;
        case POD_ABORTED_PREPARE:
                return V1ALPHA__POD_STATE__POD_STATE_ABORTED_PREPARE;
        case POD_PREPARED:
                return V1ALPHA__POD_STATE__POD_STATE_PREPARED;
        case POD_RUNNING:
                return V1ALPHA__POD_STATE__POD_STATE_RUNNING;
        case POD_EXITED:
                return V1ALPHA__POD_STATE__POD_STATE_EXITED;
        case POD_EXITED_DELETING:
        case POD_DELETING:
                return V1ALPHA__POD_STATE__POD_STATE_DELETING;
        case POD_EXITED_GARBAGE:
        case POD_GARBAGE:
                return V1ALPHA__POD_STATE__POD_STATE_GARBAGE;
        default:
                return V1ALPHA__POD_STATE__POD_STATE_UNDEFINED;
        }
}

static V1alpha__App *app_message(Arena *a, const Pod *p, const AppcRuntimeApp *ra) {
        V1alpha__App *app = arena_alloc(a, sizeof(V1alpha__App));
        V1alpha__Image *img = arena_alloc(a, sizeof(V1alpha__Image));
        V1alpha__ImageFormat *fmt = arena_alloc(a, sizeof(V1alpha__ImageFormat));
        const char *version;
        int code;

        if (!app || !img || !fmt)
                return NULL;
        v1alpha__app__init(app);
        v1alpha__image__init(img);
        v1alpha__image_format__init(fmt);
        fmt->type = V1ALPHA__IMAGE_TYPE__IMAGE_TYPE_APPC;
        fmt->version = (char *) APPC_SPEC_VERSION;
        img->base_format = fmt;
        img->id = api_string(a, ra->image.id);
        img->name = api_string(a, ra->image.name);
        version = appc_kv_get(ra->image.labels, ra->image.n_labels, "version");
        img->version = api_string(a, version ? version : "latest");
        app->image = img;
        app->name = api_string(a, ra->name);
        app->annotations = api_key_values(a, ra->annotations, ra->n_annotations);
        app->n_annotations = ra->n_annotations;
        if (!img->id || !img->name || !img->version || !app->name || !app->annotations)
                return NULL;

        /* rkt 1.30: apps of a running pod are running, of a pod that ran (or was collected) have exited;
         * the exit code is then what stage1 recorded, 0 without a record (as `rkt status` shows it), and
         * -1 for pods that have not run. */
        app->exit_code = -1;
        if (p->state == POD_RUNNING)
                app->state = V1ALPHA__APP_STATE__APP_STATE_RUNNING;
        else if (pod_state_is_after_run(p->state))
                app->state = V1ALPHA__APP_STATE__APP_STATE_EXITED;
        if (p->state == POD_RUNNING || pod_state_is_after_run(p->state))
                app->exit_code = pod_app_exit_code(p, ra->name, &code) >= 0 ? code : 0;
        return app;
}

/* net-info.json: [{"netName": …, "ip": …}, …], as `rkt status` shows it; none when it is damaged. */
static int networks(Arena *a, const Pod *p, V1alpha__Pod *v) {
        _cleanup_free_ char *text = NULL;
        NetInfo *infos = NULL;
        size_t n_infos = 0, n, size = 0;

        /* rkt 1.30 reported networks of running and exited pods only, not of collected ones. */
        if (p->state != POD_RUNNING && p->state != POD_EXITED)
                return 0;
        if (pod_read_file(p, POD_NET_INFO, &text, &size) < 0)
                return 0; /* --net=host, or no networking yet */
        if (net_info_parse(text, size, &infos, &n_infos, NULL) < 0)
                return 0;
        n = MIN(n_infos, 64U);
        v->networks = arena_alloc_array(a, n + 1, sizeof(V1alpha__Network *));
        for (size_t i = 0; v->networks && i < n; i++) {
                V1alpha__Network *net = arena_alloc(a, sizeof(V1alpha__Network));
                if (!net)
                        break;
                v1alpha__network__init(net);
                net->name = api_string(a, infos[i].net_name);
                net->ipv4 = api_string(a, infos[i].ip);
                if (!net->name || !net->ipv4)
                        break;
                v->networks[v->n_networks++] = net;
        }
        net_infos_free(infos, n_infos);
        return v->networks && v->n_networks == n ? 0 : -ENOMEM;
}

/* "subcgroup", written by stage1: the pod's cgroup below the host's root, e.g.
 * machine.slice/machine-rkt\x2d<uuid>.scope. */
static char *pod_cgroup(Arena *a, const Pod *p) {
        _cleanup_free_ char *text = NULL;
        size_t n;

        if (pod_read_file(p, "subcgroup", &text, &n) < 0 || n > 4096)
                return NULL;
        text[strcspn(text, "\n")] = 0;
        if (isempty(text))
                return NULL;
        if (text[0] == '/')
                return api_string(a, text);
        char *s = arena_alloc(a, strlen(text) + 2);
        if (s) {
                s[0] = '/';
                strcpy(s + 1, text);
        }
        return s;
}

V1alpha__Pod *api_pod_message(Arena *a, Pod *p, bool detail) {
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        _cleanup_free_ char *text = NULL;
        V1alpha__Pod *v = arena_alloc(a, sizeof(V1alpha__Pod));
        size_t size = 0;
        pid_t pid;

        if (!v)
                return NULL;
        v1alpha__pod__init(v);
        v->id = arena_strdup(a, p->uuid);
        v->state = api_pod_state(p->state);
        v->pid = -1;
        if (!v->id)
                return NULL;
        if (p->state == POD_EMBRYO)
                return v;

        /* A pod being prepared may have no manifest yet; one that cannot be read is reported without
         * apps, as rkt 1.30 did, rather than failing the whole list. */
        if (pod_read_file(p, POD_MANIFEST, &text, &size) >= 0 &&
            appc_pod_manifest_parse(text, size, &m, NULL) >= 0) {
                v->annotations = api_key_values(a, m->annotations, m->n_annotations);
                v->n_annotations = m->n_annotations;
                v->apps = arena_alloc_array(a, m->n_apps + 1, sizeof(V1alpha__App *));
                if (!v->annotations || !v->apps)
                        return NULL;
                for (size_t i = 0; i < m->n_apps; i++) {
                        v->apps[i] = app_message(a, p, &m->apps[i]);
                        if (!v->apps[i])
                                return NULL;
                }
                v->n_apps = m->n_apps;
                if (detail) {
                        v->manifest.data = arena_memdup(a, text, size);
                        v->manifest.len = size;
                        if (!v->manifest.data)
                                return NULL;
                }
        }

        v->created_at = (int64_t) pod_created_time(p) * 1000;
        if (p->state == POD_RUNNING || pod_state_is_after_run(p->state))
                v->started_at = (int64_t) pod_started_time(p) * 1000;
        if (p->state == POD_EXITED_GARBAGE || p->state == POD_EXITED_DELETING || p->state == POD_GARBAGE ||
            p->state == POD_DELETING)
                v->gc_marked_at = (int64_t) pod_dir_ctime(p) * 1000;
        if (pod_stage1_pid(p, &pid) >= 0)
                v->pid = (int32_t) pid;
        if (networks(a, p, v) < 0)
                return NULL;
        if (p->state == POD_RUNNING) {
                char *cg = pod_cgroup(a, p);
                if (cg)
                        v->cgroup = cg;
        }
        return v;
}

/* --- the methods --- */

GrpcStatus api_list_pods(ApiContext *ctx, Arena *a, const ProtobufCMessage *req,
                         ProtobufCMessage **ret_reply, char *errmsg, size_t errsize) {
        const V1alpha__ListPodsRequest *r = (const V1alpha__ListPodsRequest *) req;
        _cleanup_error_ RktError *err = NULL;
        V1alpha__ListPodsResponse *reply;
        Pod **pods = NULL;
        size_t n = 0;
        int k;

        k = pod_list(ctx->config->data_dir, &pods, &n, &err);
        if (k < 0) {
                snprintf(errmsg, errsize, "listing pods: %s", rkt_error_message(err, k));
                return GRPC_INTERNAL;
        }
        reply = arena_alloc(a, sizeof(*reply));
        if (reply) {
                v1alpha__list_pods_response__init(reply);
                reply->pods = arena_alloc_array(a, n + 1, sizeof(V1alpha__Pod *));
        }
        if (!reply || !reply->pods) {
                pods_free(pods, n);
                return GRPC_RESOURCE_EXHAUSTED;
        }
        for (size_t i = 0; i < n; i++) {
                /* The manifest is needed for the filters; it is dropped afterwards without detail. */
                V1alpha__Pod *v = api_pod_message(a, pods[i], true);
                if (!v) {
                        pods_free(pods, n);
                        return GRPC_RESOURCE_EXHAUSTED;
                }
                if (!api_pod_filters_match(v, r->filters, r->n_filters))
                        continue;
                api_manifest_keep(&v->manifest, r->detail);
                reply->pods[reply->n_pods++] = v;
        }
        pods_free(pods, n);
        *ret_reply = &reply->base;
        return GRPC_OK;
}

GrpcStatus api_inspect_pod(ApiContext *ctx, Arena *a, const ProtobufCMessage *req,
                           ProtobufCMessage **ret_reply, char *errmsg, size_t errsize) {
        const V1alpha__InspectPodRequest *r = (const V1alpha__InspectPodRequest *) req;
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(pod_freep) Pod *p = NULL;
        V1alpha__InspectPodResponse *reply;
        int k;

        /* A full UUID only: a prefix could name another pod tomorrow. */
        if (strlen(r->id) != 36 || strspn(r->id, "0123456789abcdefABCDEF-") != 36) {
                snprintf(errmsg, errsize, "invalid pod id: a pod's UUID is 36 characters");
                return GRPC_INVALID_ARGUMENT;
        }
        k = pod_open(ctx->config->data_dir, r->id, &p, &err);
        if (k < 0)
                return api_lookup_error(k, err, errmsg, errsize);
        reply = arena_alloc(a, sizeof(*reply));
        if (!reply)
                return GRPC_RESOURCE_EXHAUSTED;
        v1alpha__inspect_pod_response__init(reply);
        reply->pod = api_pod_message(a, p, true);
        if (!reply->pod)
                return GRPC_RESOURCE_EXHAUSTED;
        *ret_reply = &reply->base;
        return GRPC_OK;
}
