/* SPDX-License-Identifier: Apache-2.0 */
/* The PublicAPI service: maps a call's :path to its method, decodes the request (protobuf-c, from a body
 * grpc.c capped already), runs the method and packs the reply. Unknown methods get UNIMPLEMENTED and
 * undecodable requests INVALID_ARGUMENT; nothing a client sends ends the process. */
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "service.h"

static GrpcStatus get_info(ApiContext *ctx, Arena *a, const ProtobufCMessage *req,
                           ProtobufCMessage **ret_reply, char *errmsg, size_t errsize) {
        V1alpha__GetInfoResponse *reply = arena_alloc(a, sizeof(*reply));
        V1alpha__Info *info = arena_alloc(a, sizeof(*info));
        V1alpha__GlobalFlags *g = arena_alloc(a, sizeof(*g));
        const ApiConfig *c = ctx->config;

        if (!reply || !info || !g)
                return GRPC_RESOURCE_EXHAUSTED;
        v1alpha__get_info_response__init(reply);
        v1alpha__info__init(info);
        v1alpha__global_flags__init(g);
        info->rkt_version = (char *) PACKAGE_VERSION;
        info->appc_version = (char *) APPC_SPEC_VERSION;
        info->api_version = (char *) API_VERSION;
        g->dir = api_string(a, c->data_dir);
        g->system_config_dir = api_string(a, c->system_config);
        g->local_config_dir = api_string(a, c->local_config);
        g->user_config_dir = api_string(a, c->user_config);
        g->insecure_flags = api_string(a, c->insecure);
        g->trust_keys_from_https = c->trust_keys_from_https;
        if (!g->dir || !g->system_config_dir || !g->local_config_dir || !g->user_config_dir ||
            !g->insecure_flags)
                return GRPC_RESOURCE_EXHAUSTED;
        info->global_flags = g;
        reply->info = info;
        *ret_reply = &reply->base;
        return GRPC_OK;
}

typedef struct Method {
        const char *path;
        const ProtobufCMessageDescriptor *request;
        ApiUnaryFn unary;
        ApiStreamFn stream;
} Method;

static const Method methods[] = {
        {"/v1alpha.PublicAPI/GetInfo", &v1alpha__get_info_request__descriptor, get_info, NULL},
        {"/v1alpha.PublicAPI/ListPods", &v1alpha__list_pods_request__descriptor, api_list_pods, NULL},
        {"/v1alpha.PublicAPI/InspectPod", &v1alpha__inspect_pod_request__descriptor, api_inspect_pod, NULL},
        {"/v1alpha.PublicAPI/ListImages", &v1alpha__list_images_request__descriptor, api_list_images, NULL},
        {"/v1alpha.PublicAPI/InspectImage", &v1alpha__inspect_image_request__descriptor, api_inspect_image,
         NULL},
        {"/v1alpha.PublicAPI/ListenEvents", &v1alpha__listen_events_request__descriptor, NULL,
         api_listen_events},
        {"/v1alpha.PublicAPI/GetLogs", &v1alpha__get_logs_request__descriptor, NULL, api_get_logs},
};

void api_dispatch(GrpcCall *call, const char *path, const uint8_t *msg, size_t size, void *userdata) {
        ApiContext *ctx = userdata;
        const Method *m = NULL;
        ProtobufCMessage *req, *reply = NULL;
        Arena arena = {};
        char errmsg[512] = "";
        GrpcStatus status;

        for (size_t i = 0; i < ELEMENTSOF(methods); i++)
                if (streq(path, methods[i].path))
                        m = &methods[i];
        if (!m) {
                grpc_call_finish(call, GRPC_UNIMPLEMENTED, "unknown method");
                return;
        }
        req = protobuf_c_message_unpack(m->request, NULL, size, msg);
        if (!req) {
                grpc_call_finish(call, GRPC_INVALID_ARGUMENT,
                                 "the request does not decode as the method's message");
                return;
        }
        if (m->stream) {
                m->stream(ctx, call, req);
                protobuf_c_message_free_unpacked(req, NULL);
                return;
        }
        status = m->unary(ctx, &arena, req, &reply, errmsg, sizeof(errmsg));
        protobuf_c_message_free_unpacked(req, NULL);
        if (status == GRPC_OK) {
                int r = grpc_call_send(call, reply);
                if (r < 0) {
                        status = GRPC_RESOURCE_EXHAUSTED;
                        snprintf(errmsg, sizeof(errmsg),
                                 "the reply is larger than the server sends at once");
                }
        } else if (status == GRPC_RESOURCE_EXHAUSTED && !errmsg[0])
                snprintf(errmsg, sizeof(errmsg), "out of memory");
        arena_done(&arena);
        grpc_call_finish(call, status, errmsg[0] ? errmsg : NULL);
}

void api_context_done(ApiContext *ctx) {
        api_events_free(ctx->events);
        ctx->events = NULL;
}

GrpcStatus api_lookup_error(int k, const RktError *err, char *errmsg, size_t errsize) {
        snprintf(errmsg, errsize, "%s", rkt_error_message(err, k));
        return k == -ENOENT ? GRPC_NOT_FOUND : GRPC_INTERNAL;
}

void api_manifest_keep(ProtobufCBinaryData *manifest, bool detail) {
        if (!detail) {
                manifest->data = NULL;
                manifest->len = 0;
        }
}
