/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "api.pb-c.h"
#include "appc.h"
#include "arena.h"
#include "grpc.h"
#include "pod.h"

/* What GetInfo reports and where the service reads state from (the rkt global flags it was started with). */
typedef struct ApiConfig {
        const char *data_dir;
        const char *system_config;
        const char *local_config;
        const char *user_config;
        const char *insecure; /* "none", "image,http"… */
        bool trust_keys_from_https;
} ApiConfig;

/* Server-wide streams (ListenEvents, GetLogs with follow) at a time; further ones get RESOURCE_EXHAUSTED. */
#define API_MAX_STREAMS 32U
/* How often streams look for news: pods change state by renames and lock releases, which have no
 * notification of their own. */
#define API_POLL_USEC (250U * 1000U)
/* At most this many log lines per GetLogs reply message. */
#define API_LOG_LINES_PER_MESSAGE 512U
#define API_VERSION "1.0.0-alpha"

typedef struct ApiEvents ApiEvents;

typedef struct ApiContext {
        const ApiConfig *config;
        sd_event *event;
        unsigned n_streams;
        ApiEvents *events;
} ApiContext;

/* The GrpcDispatchFn of the service: userdata is the ApiContext. */
void api_dispatch(GrpcCall *call, const char *path, const uint8_t *msg, size_t size, void *userdata);
void api_context_done(ApiContext *ctx);

/* A unary method: fills *ret_reply (from the arena) or returns an error status with errmsg filled. */
typedef GrpcStatus (*ApiUnaryFn)(ApiContext *ctx, Arena *a, const ProtobufCMessage *req,
                                 ProtobufCMessage **ret_reply, char *errmsg, size_t errsize);
/* A streaming method: takes over the call (answers now or later, always ends it). */
typedef void (*ApiStreamFn)(ApiContext *ctx, GrpcCall *call, const ProtobufCMessage *req);

GrpcStatus api_list_pods(ApiContext *ctx, Arena *a, const ProtobufCMessage *req,
                         ProtobufCMessage **ret_reply, char *errmsg, size_t errsize);
GrpcStatus api_inspect_pod(ApiContext *ctx, Arena *a, const ProtobufCMessage *req,
                           ProtobufCMessage **ret_reply, char *errmsg, size_t errsize);
GrpcStatus api_list_images(ApiContext *ctx, Arena *a, const ProtobufCMessage *req,
                           ProtobufCMessage **ret_reply, char *errmsg, size_t errsize);
GrpcStatus api_inspect_image(ApiContext *ctx, Arena *a, const ProtobufCMessage *req,
                             ProtobufCMessage **ret_reply, char *errmsg, size_t errsize);
void api_listen_events(ApiContext *ctx, GrpcCall *call, const ProtobufCMessage *req);
void api_get_logs(ApiContext *ctx, GrpcCall *call, const ProtobufCMessage *req);
void api_events_free(ApiEvents *e);

/* A pod or image looked up by the id a client gave, not there or not readable: the message in errmsg, and
 * NOT_FOUND for -ENOENT, INTERNAL for the rest. */
GrpcStatus api_lookup_error(int k, const RktError *err, char *errmsg, size_t errsize);

/* --- building messages (pods.c, images.c) --- */

/* List replies build each message with its manifest, which the filters read; without detail it is
 * dropped then. */
void api_manifest_keep(ProtobufCBinaryData *manifest, bool detail);

/* A copy of s that is valid UTF-8 (proto3 strings must be; pod files and journals need not be): invalid
 * bytes become U+FFFD. NULL s gives "". */
char *api_string(Arena *a, const char *s);
V1alpha__KeyValue **api_key_values(Arena *a, const AppcKV *kv, size_t n);
/* The message for one pod; NULL when out of memory. */
V1alpha__Pod *api_pod_message(Arena *a, Pod *p, bool detail);
V1alpha__PodState api_pod_state(PodState s);
