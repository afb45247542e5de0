/* SPDX-License-Identifier: Apache-2.0 */
/* ListenEvents: pod, app and image events, found by comparing snapshots of the pods (state dirs and
 * locks, pod.h) and of the store's records every API_POLL_USEC while any client listens. rkt has no event
 * log of its own, and a pod's exit is the release of a lock, which nothing announces; polling reads the
 * same state the CLI reads, and costs nothing while nobody listens. One snapshot serves every stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dl.h"
#include "appc.h"
#include "filter.h"
#include "macro.h"
#include "service.h"
#include "store.h"

typedef struct PodSnap {
        char uuid[37];
        PodState state;
} PodSnap;

typedef struct ImageSnap {
        char *id;
        char *name;
} ImageSnap;

typedef struct EventStream EventStream;
struct EventStream {
        ApiEvents *events;
        EventStream *next;
        GrpcCall *call;
        V1alpha__ListenEventsRequest *req; /* an owned copy */
};

struct ApiEvents {
        ApiContext *ctx;
        PodSnap *pods;
        size_t n_pods;
        ImageSnap *images;
        size_t n_images;
        sd_event_source *timer;
        EventStream *streams;
};

typedef struct EventList {
        Arena *arena;
        V1alpha__Event **l;
        size_t n, allocated;
        int64_t now;
} EventList;

static void images_free(ImageSnap *l, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(l[i].id);
                free(l[i].name);
        }
        free(l);
}

static int snap_pods(const ApiContext *ctx, Pod ***ret_pods, size_t *ret_n, PodSnap **ret) {
        Pod **pods = NULL;
        size_t n = 0;
        PodSnap *s;
        int r;

        r = pod_list(ctx->config->data_dir, &pods, &n, NULL);
        if (r < 0)
                return r;
        s = calloc(n + 1, sizeof(PodSnap));
        if (!s) {
                pods_free(pods, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                memcpy(s[i].uuid, pods[i]->uuid, sizeof(s[i].uuid));
                s[i].state = pods[i]->state;
        }
        *ret_pods = pods;
        *ret_n = n;
        *ret = s;
        return 0;
}

static int snap_images(const ApiContext *ctx, ImageSnap **ret, size_t *ret_n) {
        _cleanup_(store_closep) Store *s = NULL;
        ImageRecord **recs = NULL;
        ImageSnap *l;
        size_t n = 0;
        int r;

        r = store_open(ctx->config->data_dir, 0, &s, NULL);
        if (r == -ENOENT) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (r < 0)
                return r;
        r = store_list(s, &recs, &n, NULL);
        if (r < 0)
                return r;
        l = calloc(n + 1, sizeof(ImageSnap));
        for (size_t i = 0; l && i < n; i++) {
                l[i].id = strdup(recs[i]->id);
                l[i].name = strdup(recs[i]->name ? recs[i]->name : "");
                if (!l[i].id || !l[i].name) {
                        images_free(l, n);
                        l = NULL;
                }
        }
        image_records_free(recs, n);
        if (!l)
                return -ENOMEM;
        *ret = l;
        *ret_n = n;
        return 0;
}

static V1alpha__Event *add(EventList *el, V1alpha__EventType type, const char *id, const char *from) {
        V1alpha__Event *e;

        if (el->n == el->allocated) {
                size_t na = MAX(el->allocated * 2, 16U);
                V1alpha__Event **l = arena_alloc_array(el->arena, na, sizeof(*l));
                if (!l)
                        return NULL;
                if (el->n > 0)
                        memcpy(l, el->l, el->n * sizeof(*l));
                el->l = l;
                el->allocated = na;
        }
        e = arena_alloc(el->arena, sizeof(*e));
        if (!e)
                return NULL;
        v1alpha__event__init(e);
        e->type = type;
        e->id = api_string(el->arena, id);
        e->from = api_string(el->arena, from);
        e->time = el->now;
        if (!e->id || !e->from)
                return NULL;
        el->l[el->n++] = e;
        return e;
}

static bool exited_like(int s) {
        return s == POD_EXITED || s == POD_EXITED_GARBAGE || s == POD_EXITED_DELETING;
}

static bool started_like(int s) {
        return s == POD_RUNNING || exited_like(s);
}

/* Events of one pod that went from old (-1: not there before) to its state now. */
static void pod_events(EventList *el, Pod *p, int old) {
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        _cleanup_free_ char *text = NULL;
        bool started = started_like(p->state) && !started_like(old),
             exited = exited_like(p->state) && !exited_like(old);
        size_t size;

        if (p->state == POD_PREPARED && old != POD_PREPARED)
                (void) add(el, V1ALPHA__EVENT_TYPE__EVENT_TYPE_POD_PREPARED, p->uuid, p->uuid);
        if (p->state == POD_ABORTED_PREPARE && old != POD_ABORTED_PREPARE)
                (void) add(el, V1ALPHA__EVENT_TYPE__EVENT_TYPE_POD_PREPARE_ABORTED, p->uuid, p->uuid);
        if (!started && !exited)
                return;
        if (pod_read_file(p, POD_MANIFEST, &text, &size) < 0 ||
            appc_pod_manifest_parse(text, size, &m, NULL) < 0)
                m = NULL;
        /* A pod that ran between two looks is reported as started and then exited. */
        if (started) {
                (void) add(el, V1ALPHA__EVENT_TYPE__EVENT_TYPE_POD_STARTED, p->uuid, p->uuid);
                for (size_t i = 0; m && i < m->n_apps; i++)
                        (void) add(el, V1ALPHA__EVENT_TYPE__EVENT_TYPE_APP_STARTED, p->uuid,
                                   m->apps[i].name);
        }
        if (exited) {
                (void) add(el, V1ALPHA__EVENT_TYPE__EVENT_TYPE_POD_EXITED, p->uuid, p->uuid);
                for (size_t i = 0; m && i < m->n_apps; i++) {
                        V1alpha__Event *e = add(el, V1ALPHA__EVENT_TYPE__EVENT_TYPE_APP_EXITED, p->uuid,
                                                m->apps[i].name);
                        char buf[16];
                        int code;
                        if (!e || pod_app_exit_code(p, m->apps[i].name, &code) < 0)
                                continue;
                        snprintf(buf, sizeof(buf), "%d", code);
                        AppcKV kv = {(char *) "exit_code", buf};
                        e->data = api_key_values(el->arena, &kv, 1);
                        e->n_data = e->data ? 1 : 0;
                }
        }
}

static int find_pod(const PodSnap *l, size_t n, const char *uuid) {
        for (size_t i = 0; i < n; i++)
                if (streq(l[i].uuid, uuid))
                        return (int) i;
        return -1;
}

static int find_image(const ImageSnap *l, size_t n, const char *id) {
        for (size_t i = 0; i < n; i++)
                if (streq(l[i].id, id))
                        return (int) i;
        return -1;
}

/* Takes a new snapshot; with an old one, lists what changed. */
static int refresh(ApiEvents *e, EventList *el) {
        Pod **pods = NULL;
        PodSnap *ps = NULL;
        ImageSnap *is = NULL;
        size_t n_pods = 0, n_images = 0;
        bool have_old = e->pods != NULL;
        int r;

        r = snap_pods(e->ctx, &pods, &n_pods, &ps);
        if (r < 0)
                return r;
        r = snap_images(e->ctx, &is, &n_images);
        if (r < 0) {
                pods_free(pods, n_pods);
                free(ps);
                return r;
        }
        if (have_old && el) {
                for (size_t i = 0; i < n_pods; i++) {
                        int k = find_pod(e->pods, e->n_pods, pods[i]->uuid);
                        pod_events(el, pods[i], k < 0 ? -1 : (int) e->pods[k].state);
                }
                for (size_t i = 0; i < e->n_pods; i++)
                        if (find_pod(ps, n_pods, e->pods[i].uuid) < 0)
                                (void) add(el, V1ALPHA__EVENT_TYPE__EVENT_TYPE_POD_GARBAGE_COLLECTED,
                                           e->pods[i].uuid, e->pods[i].uuid);
                for (size_t i = 0; i < n_images; i++)
                        if (find_image(e->images, e->n_images, is[i].id) < 0)
                                (void) add(el, V1ALPHA__EVENT_TYPE__EVENT_TYPE_IMAGE_IMPORTED, is[i].id,
                                           is[i].name);
                for (size_t i = 0; i < e->n_images; i++)
                        if (find_image(is, n_images, e->images[i].id) < 0)
                                (void) add(el, V1ALPHA__EVENT_TYPE__EVENT_TYPE_IMAGE_REMOVED,
                                           e->images[i].id, e->images[i].name);
        }
        pods_free(pods, n_pods);
        free(e->pods);
        images_free(e->images, e->n_images);
        e->pods = ps;
        e->n_pods = n_pods;
        e->images = is;
        e->n_images = n_images;
        return 0;
}

/* Sends a stream the events its filter passes; ends it when its until_time or deadline has come. */
static void stream_deliver(EventStream *s, EventList *el, uint64_t mono_now) {
        const V1alpha__EventFilter *f = s->req->filter;
        V1alpha__ListenEventsResponse reply = V1ALPHA__LISTEN_EVENTS_RESPONSE__INIT;
        _cleanup_free_ V1alpha__Event **l = calloc(el->n + 1, sizeof(V1alpha__Event *));
        GrpcCall *call = s->call;

        if (!l) {
                grpc_call_finish(call, GRPC_RESOURCE_EXHAUSTED, "out of memory");
                return;
        }
        for (size_t i = 0; i < el->n; i++)
                if (api_event_filter_match(el->l[i], f))
                        l[reply.n_events++] = el->l[i];
        reply.events = l;
        if (reply.n_events > 0 && grpc_call_send(call, &reply.base) < 0) {
                grpc_call_finish(call, GRPC_RESOURCE_EXHAUSTED, "the client does not read its events");
                return;
        }
        if (f && f->until_time > 0 && el->now >= f->until_time)
                grpc_call_finish(call, GRPC_OK, NULL);
        else if (grpc_call_deadline(call) > 0 && mono_now >= grpc_call_deadline(call))
                grpc_call_finish(call, GRPC_DEADLINE_EXCEEDED, "deadline exceeded");
}

static int on_tick(sd_event_source *es, uint64_t usec, void *userdata) {
        ApiEvents *e = userdata;
        Arena arena = {};
        EventList el = {.arena = &arena, .now = (int64_t) time(NULL)};
        EventStream *next;

        if (refresh(e, &el) >= 0)
                for (EventStream *s = e->streams; s; s = next) {
                        next = s->next;
                        stream_deliver(s, &el, usec);
                }
        arena_done(&arena);
        if (e->streams) {
                (void) sym_sd_event_source_set_time_relative(e->timer, API_POLL_USEC);
                (void) sym_sd_event_source_set_enabled(e->timer, SD_EVENT_ONESHOT);
        }
        return 0;
}

static void stream_closed(GrpcCall *call, void *userdata) {
        EventStream *s = userdata, **p;
        ApiEvents *e = s->events;

        for (p = &e->streams; *p; p = &(*p)->next)
                if (*p == s) {
                        *p = s->next;
                        break;
                }
        protobuf_c_message_free_unpacked(&s->req->base, NULL);
        free(s);
        e->ctx->n_streams--;
        if (!e->streams) {
                /* Nobody listens: forget the snapshot, stop polling. */
                (void) sym_sd_event_source_set_enabled(e->timer, SD_EVENT_OFF);
                free(e->pods);
                e->pods = NULL;
                e->n_pods = 0;
                images_free(e->images, e->n_images);
                e->images = NULL;
                e->n_images = 0;
        }
}

void api_events_free(ApiEvents *e) {
        if (!e)
                return;
        sym_sd_event_source_disable_unref(e->timer);
        free(e->pods);
        images_free(e->images, e->n_images);
        free(e);
}

/* An owned copy of a decoded message (the decoded request is freed when dispatch returns). */
static ProtobufCMessage *message_copy(const ProtobufCMessage *m) {
        size_t size = protobuf_c_message_get_packed_size(m);
        _cleanup_free_ uint8_t *buf = malloc(size + 1);

        if (!buf)
                return NULL;
        (void) protobuf_c_message_pack(m, buf);
        return protobuf_c_message_unpack(m->descriptor, NULL, size, buf);
}

void api_listen_events(ApiContext *ctx, GrpcCall *call, const ProtobufCMessage *req) {
        V1alpha__ListenEventsResponse hello = V1ALPHA__LISTEN_EVENTS_RESPONSE__INIT;
        ApiEvents *e = ctx->events;
        EventStream *s;
        int r;

        if (ctx->n_streams >= API_MAX_STREAMS) {
                grpc_call_finish(call, GRPC_RESOURCE_EXHAUSTED, "too many open streams");
                return;
        }
        if (!e) {
                e = calloc(1, sizeof(ApiEvents));
                if (!e || sym_sd_event_add_time_relative(ctx->event, &e->timer, CLOCK_MONOTONIC,
                                                         API_POLL_USEC, 0, on_tick, e) < 0) {
                        free(e);
                        grpc_call_finish(call, GRPC_RESOURCE_EXHAUSTED, "out of memory");
                        return;
                }
                e->ctx = ctx;
                ctx->events = e;
        }
        s = calloc(1, sizeof(EventStream));
        if (s)
                s->req = (V1alpha__ListenEventsRequest *) message_copy(req);
        if (!s || !s->req) {
                free(s);
                grpc_call_finish(call, GRPC_RESOURCE_EXHAUSTED, "out of memory");
                return;
        }
        /* The first listener takes the snapshot that later events are measured against. */
        if (!e->streams) {
                r = refresh(e, NULL);
                if (r < 0) {
                        protobuf_c_message_free_unpacked(&s->req->base, NULL);
                        free(s);
                        grpc_call_finish(call, GRPC_INTERNAL, "reading the pods and images failed");
                        return;
                }
                (void) sym_sd_event_source_set_time_relative(e->timer, API_POLL_USEC);
                (void) sym_sd_event_source_set_enabled(e->timer, SD_EVENT_ONESHOT);
        }
        s->events = e;
        s->call = call;
        s->next = e->streams;
        e->streams = s;
        ctx->n_streams++;
        grpc_call_set_close(call, stream_closed, s);
        /* An empty first reply: the client sees that the stream is open and the snapshot taken. */
        (void) grpc_call_send(call, &hello.base);
}
