/* SPDX-License-Identifier: Apache-2.0 */
/* gRPC on nghttp2, on an sd-event loop. Every byte a peer sends is hostile: request bodies are capped at
 * GRPC_MAX_REQUEST_SIZE while they arrive, streams per connection by SETTINGS, connections by count, and
 * replies a peer leaves unread by GRPC_MAX_OUTPUT_PER_CALL. nghttp2 may not be re-entered from its own
 * callbacks, so calls answered while a frame is being parsed are flushed after the parse. */
#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dl.h"
#include "grpc.h"
#include "macro.h"

typedef struct GrpcConn GrpcConn;

struct GrpcCall {
        GrpcConn *conn;
        GrpcCall *prev, *next;
        int32_t stream_id;
        char *path;
        bool post, grpc_content_type, bad_header;
        uint64_t deadline;
        uint8_t *in;
        size_t n_in;
        bool too_big, dispatched;
        uint8_t *out;
        size_t n_out, out_off;
        bool submitted, finished;
        GrpcStatus status;
        char *message;
        GrpcCloseFn on_close;
        void *close_userdata;
};

struct GrpcConn {
        GrpcServer *server;
        GrpcConn *prev, *next;
        int fd;
        sd_event_source *io, *defer, *flush, *idle;
        unsigned n_calls;
        nghttp2_session *session;
        GrpcCall *calls;
        uint8_t *pending; /* bytes nghttp2 produced that the socket did not take yet */
        size_t n_pending;
        bool in_recv, dead;
};

struct GrpcServer {
        sd_event *event;
        GrpcDispatchFn dispatch;
        void *userdata;
        sd_event_source **listeners;
        size_t n_listeners;
        GrpcConn *conns;
        unsigned n_conns, n_calls;
        size_t out_total; /* replies queued on all connections */
        uint64_t idle_usec;
        sd_event_source *idle_timer;
};

static void conn_flush(GrpcConn *c);
static void conn_free(GrpcConn *c);
static void conn_schedule_flush(GrpcConn *c);

/* --- pure helpers --- */

int grpc_parse_timeout(const char *s, uint64_t *ret) {
        uint64_t v = 0, unit;
        size_t n = 0;

        if (!s)
                return -EINVAL;
        for (; s[n] >= '0' && s[n] <= '9'; n++)
                v = v * 10 + (uint64_t) (s[n] - '0');
        if (n == 0 || n > 8 || !s[n] || s[n + 1])
                return -EINVAL;
        switch (s[n]) {
        case 'H':
                unit = 3600ULL * 1000000ULL;
                break;
        case 'M':
                unit = 60ULL * 1000000ULL;
                break;
        case 'S':
                unit = 1000000ULL;
                break;
        case 'm':
                *ret = v * 1000ULL;
                return 0;
        case 'u':
                *ret = v;
                return 0;
        case 'n':
                *ret = v / 1000ULL;
                return 0;
        default:
                return -EINVAL;
        }
        *ret = v * unit; /* 99999999 hours fits in 64 bits of µs */
        return 0;
}

char *grpc_percent_encode(const char *s) {
        static const char hex[] = "0123456789ABCDEF";
        size_t n = strlen(s);
        char *d, *p;

        if (n > 4096)
                n = 4096;
        d = p = malloc(n * 3 + 1);
        if (!d)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char) s[i];
                if (ch >= 0x20 && ch <= 0x7e && ch != '%')
                        *p++ = (char) ch;
                else {
                        *p++ = '%';
                        *p++ = hex[ch >> 4];
                        *p++ = hex[ch & 15];
                }
        }
        *p = 0;
        return d;
}

int grpc_unframe(const uint8_t *body, size_t size, const uint8_t **ret_msg, size_t *ret_size) {
        uint32_t len;

        if (size < 5)
                return -EBADMSG;
        len = (uint32_t) body[1] << 24 | (uint32_t) body[2] << 16 | (uint32_t) body[3] << 8 | body[4];
        if (len > GRPC_MAX_REQUEST_SIZE)
                return -EFBIG;
        if ((size_t) len != size - 5)
                return -EBADMSG;
        if (body[0] != 0)
                return -ENOTSUP;
        *ret_msg = body + 5;
        *ret_size = len;
        return 0;
}

/* --- idle exit --- */

static int on_idle(sd_event_source *s, uint64_t usec, void *userdata) {
        GrpcServer *srv = userdata;
        return sym_sd_event_exit(srv->event, 0);
}

static void idle_update(GrpcServer *s) {
        uint64_t now;

        if (s->idle_usec == 0)
                return;
        if (s->n_calls > 0) {
                if (s->idle_timer)
                        (void) sym_sd_event_source_set_enabled(s->idle_timer, SD_EVENT_OFF);
                return;
        }
        if (sym_sd_event_now(s->event, CLOCK_MONOTONIC, &now) < 0)
                return;
        if (!s->idle_timer) {
                if (sym_sd_event_add_time(s->event, &s->idle_timer, CLOCK_MONOTONIC, now + s->idle_usec, 0,
                                          on_idle, s) < 0)
                        s->idle_timer = NULL;
                return;
        }
        (void) sym_sd_event_source_set_time(s->idle_timer, now + s->idle_usec);
        (void) sym_sd_event_source_set_enabled(s->idle_timer, SD_EVENT_ONESHOT);
}

void grpc_server_set_idle_exit(GrpcServer *s, uint64_t usec) {
        s->idle_usec = usec;
        idle_update(s);
}

unsigned grpc_server_n_calls(const GrpcServer *s) {
        return s->n_calls;
}

/* --- connections without calls --- */

static void conn_kill(GrpcConn *c);

static int on_conn_idle(sd_event_source *es, uint64_t usec, void *userdata) {
        GrpcConn *c = userdata;

        /* A polite goodbye (clients reconnect when they have something to ask), then the socket. */
        (void) nghttp2_session_terminate_session(c->session, NGHTTP2_NO_ERROR);
        conn_flush(c);
        conn_kill(c);
        return 0;
}

/* A connection holds one of GRPC_MAX_CONNECTIONS: one that carries no call for GRPC_CONN_IDLE_USEC is
 * closed, so that idle or half-opened connections cannot keep others out. */
static void conn_idle_update(GrpcConn *c) {
        if (c->dead)
                return;
        if (c->n_calls > 0) {
                if (c->idle)
                        (void) sym_sd_event_source_set_enabled(c->idle, SD_EVENT_OFF);
                return;
        }
        if (!c->idle) {
                if (sym_sd_event_add_time_relative(c->server->event, &c->idle, CLOCK_MONOTONIC,
                                                   GRPC_CONN_IDLE_USEC, 0, on_conn_idle, c) < 0)
                        c->idle = NULL;
                return;
        }
        (void) sym_sd_event_source_set_time_relative(c->idle, GRPC_CONN_IDLE_USEC);
        (void) sym_sd_event_source_set_enabled(c->idle, SD_EVENT_ONESHOT);
}

/* --- calls --- */

static void call_free(GrpcCall *call) {
        GrpcConn *c = call->conn;

        if (call->on_close) {
                GrpcCloseFn fn = call->on_close;
                call->on_close = NULL;
                fn(call, call->close_userdata);
        }
        if (call->prev)
                call->prev->next = call->next;
        else
                c->calls = call->next;
        if (call->next)
                call->next->prev = call->prev;
        c->server->n_calls--;
        c->n_calls--;
        c->server->out_total -= call->n_out - call->out_off;
        idle_update(c->server);
        conn_idle_update(c);
        free(call->path);
        free(call->in);
        free(call->out);
        free(call->message);
        free(call);
}

void grpc_call_set_close(GrpcCall *c, GrpcCloseFn fn, void *userdata) {
        c->on_close = fn;
        c->close_userdata = userdata;
}

uint64_t grpc_call_deadline(const GrpcCall *c) {
        return c->deadline;
}

sd_event *grpc_call_event(const GrpcCall *c) {
        return c->conn->server->event;
}

static ssize_t read_reply(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
                          uint32_t *data_flags, nghttp2_data_source *source, void *user_data) {
        GrpcCall *call = source->ptr;
        size_t avail = call->n_out - call->out_off;
        char status[16];
        _cleanup_free_ char *encoded = NULL;
        nghttp2_nv trailers[2];
        size_t n_trailers = 1;

        if (avail > 0) {
                size_t n = MIN(avail, length);
                memcpy(buf, call->out + call->out_off, n);
                call->out_off += n;
                call->conn->server->out_total -= n;
                if (call->out_off == call->n_out)
                        call->out_off = call->n_out = 0;
                return (ssize_t) n;
        }
        if (!call->finished)
                return NGHTTP2_ERR_DEFERRED;

        *data_flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
        (void) snprintf(status, sizeof(status), "%d", (int) call->status);
        trailers[0] = (nghttp2_nv){(uint8_t *) "grpc-status", (uint8_t *) status, 11, strlen(status),
                                   NGHTTP2_NV_FLAG_NONE};
        if (call->message && (encoded = grpc_percent_encode(call->message)))
                trailers[n_trailers++] = (nghttp2_nv){(uint8_t *) "grpc-message", (uint8_t *) encoded, 12,
                                                      strlen(encoded), NGHTTP2_NV_FLAG_NONE};
        if (nghttp2_submit_trailer(session, stream_id, trailers, n_trailers) != 0)
                return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        return 0;
}

static int call_submit(GrpcCall *call) {
        static const nghttp2_nv headers[] = {
                {(uint8_t *) ":status", (uint8_t *) "200", 7, 3, NGHTTP2_NV_FLAG_NONE},
                {(uint8_t *) "content-type", (uint8_t *) "application/grpc", 12, 16, NGHTTP2_NV_FLAG_NONE},
        };
        nghttp2_data_provider dp = {.source.ptr = call, .read_callback = read_reply};

        if (call->submitted) {
                /* Fails when the reply is not deferred (nghttp2 has not asked for data yet): harmless. */
                (void) nghttp2_session_resume_data(call->conn->session, call->stream_id);
                return 0;
        }
        call->submitted = true;
        return nghttp2_submit_response(call->conn->session, call->stream_id, headers, ELEMENTSOF(headers),
                                       &dp) == 0
                       ? 0
                       : -EIO;
}

int grpc_call_send(GrpcCall *c, const ProtobufCMessage *m) {
        size_t size = protobuf_c_message_get_packed_size(m);
        uint8_t *n;

        if (c->finished)
                return -ESTALE;
        if (size > UINT32_MAX || c->n_out + size + 5 > GRPC_MAX_OUTPUT_PER_CALL ||
            c->conn->server->out_total + size + 5 > GRPC_MAX_OUTPUT_TOTAL)
                return -ENOBUFS;
        n = realloc(c->out, c->n_out + size + 5);
        if (!n)
                return -ENOMEM;
        c->out = n;
        n += c->n_out;
        n[0] = 0;
        n[1] = (uint8_t) (size >> 24);
        n[2] = (uint8_t) (size >> 16);
        n[3] = (uint8_t) (size >> 8);
        n[4] = (uint8_t) size;
        (void) protobuf_c_message_pack(m, n + 5);
        c->n_out += size + 5;
        c->conn->server->out_total += size + 5;
        (void) call_submit(c);
        conn_schedule_flush(c->conn);
        return 0;
}

void grpc_call_finish(GrpcCall *c, GrpcStatus status, const char *message) {
        if (c->finished)
                return;
        c->finished = true;
        c->status = status;
        c->message = message ? strdup(message) : NULL;
        if (call_submit(c) < 0)
                (void) nghttp2_submit_rst_stream(c->conn->session, NGHTTP2_FLAG_NONE, c->stream_id,
                                                 NGHTTP2_INTERNAL_ERROR);
        conn_schedule_flush(c->conn);
}

static void call_dispatch(GrpcCall *call) {
        GrpcServer *s = call->conn->server;
        const uint8_t *msg;
        size_t size;
        int r;

        call->dispatched = true;
        if (!call->post || !call->path || call->bad_header) {
                grpc_call_finish(call, GRPC_INVALID_ARGUMENT, "a gRPC call is a POST with a :path");
                return;
        }
        if (!call->grpc_content_type) {
                grpc_call_finish(call, GRPC_INVALID_ARGUMENT, "content-type must be application/grpc");
                return;
        }
        if (call->too_big) {
                grpc_call_finish(call, GRPC_RESOURCE_EXHAUSTED, "request larger than 64 KiB");
                return;
        }
        r = grpc_unframe(call->in, call->n_in, &msg, &size);
        if (r == -ENOTSUP)
                grpc_call_finish(call, GRPC_UNIMPLEMENTED, "compressed requests are not supported");
        else if (r == -EFBIG)
                grpc_call_finish(call, GRPC_RESOURCE_EXHAUSTED, "request larger than 64 KiB");
        else if (r < 0)
                grpc_call_finish(call, GRPC_INVALID_ARGUMENT, "the request must be exactly one message");
        else
                s->dispatch(call, call->path, msg, size, s->userdata);
}

/* --- nghttp2 callbacks --- */

static int on_begin_headers(nghttp2_session *session, const nghttp2_frame *frame, void *user_data) {
        GrpcConn *c = user_data;
        GrpcCall *call;

        if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
                return 0;
        call = calloc(1, sizeof(GrpcCall));
        if (!call)
                return NGHTTP2_ERR_CALLBACK_FAILURE;
        call->conn = c;
        call->stream_id = frame->hd.stream_id;
        call->next = c->calls;
        if (c->calls)
                c->calls->prev = call;
        c->calls = call;
        c->server->n_calls++;
        c->n_calls++;
        idle_update(c->server);
        conn_idle_update(c);
        (void) nghttp2_session_set_stream_user_data(session, frame->hd.stream_id, call);
        return 0;
}

static bool hdr_is(const uint8_t *name, size_t namelen, const char *s) {
        return namelen == strlen(s) && memcmp(name, s, namelen) == 0;
}

static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *user_data) {
        GrpcCall *call;
        char buf[32];

        if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
                return 0;
        call = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
        if (!call)
                return 0;
        if (hdr_is(name, namelen, ":path")) {
                if (call->path || valuelen == 0 || valuelen > GRPC_MAX_PATH || memchr(value, 0, valuelen)) {
                        call->bad_header = true;
                        return 0;
                }
                call->path = strndup((const char *) value, valuelen);
                if (!call->path)
                        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        } else if (hdr_is(name, namelen, ":method"))
                call->post = valuelen == 4 && memcmp(value, "POST", 4) == 0;
        else if (hdr_is(name, namelen, "content-type"))
                /* application/grpc, application/grpc+proto */
                call->grpc_content_type =
                        (valuelen == 16 || (valuelen > 16 && (value[16] == '+' || value[16] == ';'))) &&
                        memcmp(value, "application/grpc", 16) == 0;
        else if (hdr_is(name, namelen, "grpc-timeout")) {
                uint64_t t, now;
                if (valuelen >= sizeof(buf)) {
                        call->bad_header = true;
                        return 0;
                }
                memcpy(buf, value, valuelen);
                buf[valuelen] = 0;
                if (grpc_parse_timeout(buf, &t) < 0 ||
                    sym_sd_event_now(call->conn->server->event, CLOCK_MONOTONIC, &now) < 0)
                        call->bad_header = true;
                else
                        call->deadline = now + MAX(t, 1U);
        }
        return 0;
}

static int on_data_chunk(nghttp2_session *session, uint8_t flags, int32_t stream_id, const uint8_t *data,
                         size_t len, void *user_data) {
        GrpcCall *call = nghttp2_session_get_stream_user_data(session, stream_id);
        uint8_t *n;

        if (!call || call->dispatched || call->too_big)
                return 0;
        if (call->n_in + len > GRPC_MAX_REQUEST_SIZE + 5) {
                /* Stop buffering; the stream is answered when it ends. */
                call->too_big = true;
                free(call->in);
                call->in = NULL;
                call->n_in = 0;
                return 0;
        }
        n = realloc(call->in, call->n_in + len);
        if (!n)
                return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        memcpy(n + call->n_in, data, len);
        call->in = n;
        call->n_in += len;
        return 0;
}

static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame, void *user_data) {
        GrpcCall *call;

        if ((frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) ||
            !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
                return 0;
        call = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
        if (call && !call->dispatched)
                call_dispatch(call);
        return 0;
}

static int on_stream_close(nghttp2_session *session, int32_t stream_id, uint32_t error_code,
                           void *user_data) {
        GrpcCall *call = nghttp2_session_get_stream_user_data(session, stream_id);

        if (call) {
                (void) nghttp2_session_set_stream_user_data(session, stream_id, NULL);
                call_free(call);
        }
        return 0;
}

/* --- connections --- */

static void conn_free(GrpcConn *c) {
        GrpcServer *s = c->server;

        while (c->calls) {
                GrpcCall *call = c->calls;
                (void) nghttp2_session_set_stream_user_data(c->session, call->stream_id, NULL);
                call_free(call);
        }
        nghttp2_session_del(c->session);
        sym_sd_event_source_disable_unref(c->io);
        sym_sd_event_source_disable_unref(c->defer);
        sym_sd_event_source_disable_unref(c->flush);
        sym_sd_event_source_disable_unref(c->idle);
        safe_close(c->fd);
        free(c->pending);
        if (c->prev)
                c->prev->next = c->next;
        else
                s->conns = c->next;
        if (c->next)
                c->next->prev = c->prev;
        s->n_conns--;
        free(c);
}

static int on_conn_dead(sd_event_source *es, void *userdata) {
        conn_free(userdata);
        return 0;
}

/* Closing from inside a call's send (a handler may still hold the call) happens on the next iteration. */
static void conn_kill(GrpcConn *c) {
        if (c->dead)
                return;
        c->dead = true;
        (void) sym_sd_event_source_set_enabled(c->io, SD_EVENT_OFF);
        if (sym_sd_event_add_defer(c->server->event, &c->defer, on_conn_dead, c) < 0)
                conn_free(c); /* out of memory: nothing can be holding on safely anyway */
}

static bool write_all_nonblock(GrpcConn *c, const uint8_t *data, size_t size) {
        while (size > 0) {
                ssize_t n = send(c->fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN) {
                        uint8_t *p = malloc(size);
                        if (!p)
                                return false;
                        memcpy(p, data, size);
                        free(c->pending);
                        c->pending = p;
                        c->n_pending = size;
                        return true;
                }
                if (n <= 0)
                        return false;
                data += n;
                size -= (size_t) n;
        }
        return true;
}

static void conn_flush(GrpcConn *c) {
        if (c->dead || c->in_recv)
                return;
        if (c->n_pending > 0) {
                _cleanup_free_ uint8_t *p = TAKE_PTR(c->pending);
                size_t n = c->n_pending;
                c->n_pending = 0;
                if (!write_all_nonblock(c, p, n)) {
                        conn_kill(c);
                        return;
                }
        }
        while (c->n_pending == 0) {
                const uint8_t *data;
                ssize_t n = nghttp2_session_mem_send(c->session, &data);
                if (n < 0) {
                        conn_kill(c);
                        return;
                }
                if (n == 0)
                        break;
                if (!write_all_nonblock(c, data, (size_t) n)) {
                        conn_kill(c);
                        return;
                }
        }
        if (c->n_pending == 0 && !nghttp2_session_want_read(c->session) &&
            !nghttp2_session_want_write(c->session)) {
                conn_kill(c);
                return;
        }
        (void) sym_sd_event_source_set_io_events(c->io, c->n_pending > 0 ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

static int on_flush(sd_event_source *es, void *userdata) {
        conn_flush(userdata);
        return 0;
}

/* Replies are written from the loop, never from inside grpc_call_send()/grpc_call_finish(): writing may
 * end streams, and a stream's end calls back into the handler that is still sending. */
static void conn_schedule_flush(GrpcConn *c) {
        if (c->dead)
                return;
        if (!c->flush) {
                if (sym_sd_event_add_defer(c->server->event, &c->flush, on_flush, c) < 0)
                        conn_kill(c);
                return;
        }
        (void) sym_sd_event_source_set_enabled(c->flush, SD_EVENT_ONESHOT);
}

static int on_conn_io(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        GrpcConn *c = userdata;
        uint8_t buf[16384];

        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                for (;;) {
                        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0 && errno == EAGAIN)
                                break;
                        if (n <= 0) {
                                conn_kill(c);
                                return 0;
                        }
                        c->in_recv = true;
                        n = nghttp2_session_mem_recv(c->session, buf, (size_t) n);
                        c->in_recv = false;
                        if (n < 0) {
                                conn_flush(c); /* nghttp2 queued a GOAWAY saying why */
                                conn_kill(c);
                                return 0;
                        }
                        if (c->dead)
                                return 0;
                }
        }
        conn_flush(c);
        return 0;
}

static int conn_new(GrpcServer *s, int fd) {
        static const nghttp2_settings_entry settings[] = {
                {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, GRPC_MAX_STREAMS_PER_CONNECTION},
                {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, 16384},
        };
        nghttp2_session_callbacks *cb = NULL;
        nghttp2_option *opt = NULL;
        GrpcConn *c;
        int r;

        c = calloc(1, sizeof(GrpcConn));
        if (!c)
                return -ENOMEM;
        c->server = s;
        c->fd = fd;
        if (nghttp2_session_callbacks_new(&cb) != 0 || nghttp2_option_new(&opt) != 0) {
                r = -ENOMEM;
                goto fail;
        }
        nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
        nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk);
        nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
        nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
        /* Bound what a peer can make nghttp2 keep: reserved streams, SETTINGS floods, header tables. */
        nghttp2_option_set_max_reserved_remote_streams(opt, 0);
        nghttp2_option_set_max_settings(opt, 32);
        nghttp2_option_set_max_deflate_dynamic_table_size(opt, 4096);
        r = nghttp2_session_server_new2(&c->session, cb, c, opt) == 0 ? 0 : -ENOMEM;
        nghttp2_session_callbacks_del(cb);
        nghttp2_option_del(opt);
        if (r < 0)
                goto fail;
        if (nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, settings, ELEMENTSOF(settings)) != 0) {
                r = -EIO;
                goto fail;
        }
        r = sym_sd_event_add_io(s->event, &c->io, fd, EPOLLIN, on_conn_io, c);
        if (r < 0)
                goto fail;
        c->next = s->conns;
        if (s->conns)
                s->conns->prev = c;
        s->conns = c;
        s->n_conns++;
        conn_idle_update(c);
        conn_flush(c);
        return 0;
fail:
        nghttp2_session_del(c->session);
        free(c);
        return r;
}

static int on_accept(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        GrpcServer *s = userdata;

        for (unsigned i = 0; i < 16; i++) {
                int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (cfd < 0)
                        return 0; /* EAGAIN, or a peer that left before being accepted */
                if (s->n_conns >= GRPC_MAX_CONNECTIONS || conn_new(s, cfd) < 0)
                        safe_close(cfd);
        }
        return 0;
}

int grpc_server_add_listener(GrpcServer *s, int fd) {
        sd_event_source **l = realloc(s->listeners, (s->n_listeners + 1) * sizeof(*l));
        int r;

        if (!l)
                return -ENOMEM;
        s->listeners = l;
        r = sym_sd_event_add_io(s->event, &l[s->n_listeners], fd, EPOLLIN, on_accept, s);
        if (r < 0)
                return r;
        (void) sym_sd_event_source_set_io_fd_own(l[s->n_listeners], 1);
        s->n_listeners++;
        return 0;
}

int grpc_server_new(sd_event *event, GrpcDispatchFn dispatch, void *userdata, GrpcServer **ret) {
        GrpcServer *s = calloc(1, sizeof(GrpcServer));

        if (!s)
                return -ENOMEM;
        s->event = sym_sd_event_ref(event);
        s->dispatch = dispatch;
        s->userdata = userdata;
        *ret = s;
        return 0;
}

GrpcServer *grpc_server_free(GrpcServer *s) {
        if (!s)
                return NULL;
        /* Tell every peer that this server is going (GOAWAY), as far as its socket takes it now. */
        for (GrpcConn *c = s->conns; c; c = c->next)
                if (!c->dead) {
                        (void) nghttp2_session_terminate_session(c->session, NGHTTP2_NO_ERROR);
                        conn_flush(c);
                }
        while (s->conns)
                conn_free(s->conns);
        for (size_t i = 0; i < s->n_listeners; i++)
                sym_sd_event_source_disable_unref(s->listeners[i]);
        free(s->listeners);
        sym_sd_event_source_disable_unref(s->idle_timer);
        sym_sd_event_unref(s->event);
        free(s);
        return NULL;
}
