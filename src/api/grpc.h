/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>
#include <systemd/sd-event.h>

/* A small gRPC server over HTTP/2 (nghttp2): length-prefixed messages on POST streams, the status in
 * grpc-status/grpc-message trailers, unary and server-streaming calls. No compression, no TLS: the API
 * is served on localhost or on a socket systemd passes. */

typedef enum GrpcStatus {
        GRPC_OK = 0,
        GRPC_CANCELLED = 1,
        GRPC_UNKNOWN = 2,
        GRPC_INVALID_ARGUMENT = 3,
        GRPC_DEADLINE_EXCEEDED = 4,
        GRPC_NOT_FOUND = 5,
        GRPC_RESOURCE_EXHAUSTED = 8,
        GRPC_FAILED_PRECONDITION = 9,
        GRPC_UNIMPLEMENTED = 12,
        GRPC_INTERNAL = 13,
        GRPC_UNAVAILABLE = 14,
} GrpcStatus;

/* Limits every peer is held to. */
#define GRPC_MAX_REQUEST_SIZE (64U * 1024U)            /* one request message; rkt's requests are filters */
#define GRPC_MAX_CONNECTIONS 64U                       /* beyond: new connections are closed at once */
#define GRPC_MAX_STREAMS_PER_CONNECTION 16U            /* HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS */
#define GRPC_MAX_OUTPUT_PER_CALL (16U * 1024U * 1024U) /* replies queued for a peer that does not read */
#define GRPC_MAX_PATH 128U
#define GRPC_MAX_OUTPUT_TOTAL (256U * 1024U * 1024U) /* replies queued on all connections together */
#define GRPC_CONN_IDLE_USEC (120U * 1000U * 1000U)   /* a connection without calls this long is closed */

typedef struct GrpcServer GrpcServer;
typedef struct GrpcCall GrpcCall;

/* Called once per call, when its request is complete: msg/size is the one request message (framing
 * removed). The handler answers with grpc_call_send() and ends with grpc_call_finish(), at once or later
 * (streams). */
typedef void (*GrpcDispatchFn)(GrpcCall *call, const char *path, const uint8_t *msg, size_t size,
                               void *userdata);
/* Called when a call ends for whatever reason (finished, cancelled by the peer, connection gone); the
 * call must not be used afterwards. */
typedef void (*GrpcCloseFn)(GrpcCall *call, void *userdata);

int grpc_server_new(sd_event *event, GrpcDispatchFn dispatch, void *userdata, GrpcServer **ret);
GrpcServer *grpc_server_free(GrpcServer *s);
/* Takes a listening, non-blocking stream socket. */
int grpc_server_add_listener(GrpcServer *s, int fd);
/* Exit the event loop after usec without calls (0: never). Connections without calls do not count. */
void grpc_server_set_idle_exit(GrpcServer *s, uint64_t usec);
unsigned grpc_server_n_calls(const GrpcServer *s);

/* Serializes m as the next message of the reply. -ENOBUFS when the peer left too much unread. */
int grpc_call_send(GrpcCall *c, const ProtobufCMessage *m);
/* Ends the call with a status (message: NULL or a short text for grpc-message). */
void grpc_call_finish(GrpcCall *c, GrpcStatus status, const char *message);
void grpc_call_set_close(GrpcCall *c, GrpcCloseFn fn, void *userdata);
/* CLOCK_MONOTONIC µs from the grpc-timeout header, 0 when the client set none. */
uint64_t grpc_call_deadline(const GrpcCall *c);
sd_event *grpc_call_event(const GrpcCall *c);

/* grpc-timeout ("<digits><H|M|S|m|u|n>", at most 8 digits) in µs; -EINVAL when malformed. Pure. */
int grpc_parse_timeout(const char *s, uint64_t *ret);
/* grpc-message's percent-encoding of a UTF-8 text; returns a malloc'ed string. Pure. */
char *grpc_percent_encode(const char *s);
/* Splits a request body into its single message: -EBADMSG when not exactly one frame, -ENOTSUP when
 * compressed, -EFBIG over GRPC_MAX_REQUEST_SIZE. Pure. */
int grpc_unframe(const uint8_t *body, size_t size, const uint8_t **ret_msg, size_t *ret_size);
