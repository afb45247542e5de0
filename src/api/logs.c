/* SPDX-License-Identifier: Apache-2.0 */
/* GetLogs: the pod's journal, which stage1's journald keeps in the pod at
 * stage1/rootfs/var/log/journal/<machine-id>/ while it runs and after it exits (the host's
 * /var/log/journal/<machine-id> links to it: what `journalctl -M rkt-<uuid>` reads). The directory is
 * opened inside the pod directory (open_in_root: no symlink leads out of it) and handed to sd-journal as
 * an fd. Lines are "<UTC time> <message>", batched API_LOG_LINES_PER_MESSAGE to a reply; with follow the
 * journal is read again every API_POLL_USEC until the client cancels, the pod is gone or the deadline
 * or until_time passes. An app's lines are those with its SYSLOG_IDENTIFIER (stage1 sets the app name). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "dl.h"
#include "appc.h"
#include "fd-util.h"
#include "macro.h"
#include "service.h"

#define POD_JOURNAL_DIR "stage1/rootfs/var/log/journal"
/* A message longer than this is cut (journald's own default line limit is 48 KiB). */
#define LOG_LINE_MAX (64U * 1024U)

typedef struct LogStream {
        ApiContext *ctx;
        GrpcCall *call;
        sd_journal *j;
        sd_event_source *timer;
        char uuid[37];
        uint64_t until_usec; /* realtime, 0: none */
        bool follow;
} LogStream;

static void log_stream_free(LogStream *s) {
        if (!s)
                return;
        sym_sd_event_source_disable_unref(s->timer);
        if (s->j)
                sym_sd_journal_close(s->j);
        free(s);
}

static char *format_line(Arena *a, sd_journal *j) {
        const void *data;
        size_t len;
        uint64_t usec;
        char ts[64], *raw, *line;
        struct tm tm;
        time_t t;

        if (sym_sd_journal_get_data(j, "MESSAGE", &data, &len) < 0 || len < 8)
                return NULL;
        data = (const char *) data + 8;
        len = MIN(len - 8, LOG_LINE_MAX);
        if (sym_sd_journal_get_realtime_usec(j, &usec) < 0)
                usec = 0;
        t = (time_t) (usec / 1000000U);
        if (!gmtime_r(&t, &tm) || strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
                ts[0] = 0;
        raw = arena_alloc(a, len + sizeof(ts) + 16);
        if (!raw)
                return NULL;
        /* NUL bytes in a binary message end the line: proto3 strings carry text. */
        snprintf(raw, len + sizeof(ts) + 16, "%s.%06uZ %.*s", ts, (unsigned) (usec % 1000000U), (int) len,
                 (const char *) data);
        line = api_string(a, raw);
        return line;
}

/* Sends what the journal has from its read position on, in batches; 1 when until_usec was reached, 0 when
 * all was sent, negative when the client cannot take more. */
static int send_entries(LogStream *s) {
        for (;;) {
                V1alpha__GetLogsResponse reply = V1ALPHA__GET_LOGS_RESPONSE__INIT;
                Arena arena = {};
                bool until = false;
                int r = 0;

                reply.lines = arena_alloc_array(&arena, API_LOG_LINES_PER_MESSAGE, sizeof(char *));
                if (!reply.lines)
                        return -ENOMEM;
                while (reply.n_lines < API_LOG_LINES_PER_MESSAGE) {
                        uint64_t usec;
                        char *line;
                        r = sym_sd_journal_next(s->j);
                        if (r <= 0)
                                break;
                        if (s->until_usec > 0 && sym_sd_journal_get_realtime_usec(s->j, &usec) >= 0 &&
                            usec > s->until_usec) {
                                until = true;
                                break;
                        }
                        line = format_line(&arena, s->j);
                        if (line && *line)
                                reply.lines[reply.n_lines++] = line;
                }
                if (reply.n_lines > 0 && grpc_call_send(s->call, &reply.base) < 0) {
                        arena_done(&arena);
                        return -ENOBUFS;
                }
                arena_done(&arena);
                if (until)
                        return 1;
                if (r <= 0)
                        return 0;
        }
}

static int on_follow(sd_event_source *es, uint64_t usec, void *userdata) {
        LogStream *s = userdata;
        uint64_t deadline = grpc_call_deadline(s->call);
        Pod *p = NULL;
        int r;

        (void) sym_sd_journal_process(s->j);
        r = send_entries(s);
        if (r < 0) {
                grpc_call_finish(s->call, GRPC_RESOURCE_EXHAUSTED, "the client does not read its logs");
                return 0;
        }
        if (r > 0 || (s->until_usec > 0 && (uint64_t) time(NULL) * 1000000U > s->until_usec)) {
                grpc_call_finish(s->call, GRPC_OK, NULL);
                return 0;
        }
        if (deadline > 0 && usec >= deadline) {
                grpc_call_finish(s->call, GRPC_DEADLINE_EXCEEDED, "deadline exceeded");
                return 0;
        }
        /* A removed pod logs no more. */
        if (pod_open(s->ctx->config->data_dir, s->uuid, &p, NULL) < 0) {
                grpc_call_finish(s->call, GRPC_OK, NULL);
                return 0;
        }
        pod_free(p);
        (void) sym_sd_event_source_set_time_relative(s->timer, API_POLL_USEC);
        (void) sym_sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
        return 0;
}

static void log_stream_closed(GrpcCall *call, void *userdata) {
        LogStream *s = userdata;
        s->ctx->n_streams--;
        log_stream_free(s);
}

/* Positions the journal: at since_time, or the last `lines` entries, or the start. */
static int seek(sd_journal *j, const V1alpha__GetLogsRequest *r) {
        int k;

        if (r->lines > 0) {
                k = sym_sd_journal_seek_tail(j);
                if (k < 0)
                        return k;
                k = sym_sd_journal_previous_skip(j, (uint64_t) r->lines);
                if (k < 0)
                        return k;
                /* Now on the first entry to send: step back one, as send_entries() starts with next. */
                if (k > 0 && sym_sd_journal_previous(j) == 0)
                        return sym_sd_journal_seek_head(j);
                return 0;
        }
        if (r->since_time > 0)
                return sym_sd_journal_seek_realtime_usec(j, (uint64_t) r->since_time * 1000000U);
        return sym_sd_journal_seek_head(j);
}

void api_get_logs(ApiContext *ctx, GrpcCall *call, const ProtobufCMessage *req) {
        const V1alpha__GetLogsRequest *r = (const V1alpha__GetLogsRequest *) req;
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_close_ int podfd = -1, dfd = -1;
        LogStream *s;
        char msg[256];
        int k;

        if (strlen(r->pod_id) != 36 || strspn(r->pod_id, "0123456789abcdefABCDEF-") != 36) {
                grpc_call_finish(call, GRPC_INVALID_ARGUMENT,
                                 "invalid pod id: a pod's UUID is 36 characters");
                return;
        }
        if (!isempty(r->app_name) && !appc_ac_name_valid(r->app_name)) {
                grpc_call_finish(call, GRPC_INVALID_ARGUMENT, "invalid app name");
                return;
        }
        if (r->lines < 0 || r->since_time < 0 || r->until_time < 0 ||
            (uint64_t) r->since_time > UINT64_MAX / 1000000U ||
            (uint64_t) r->until_time > UINT64_MAX / 1000000U) {
                grpc_call_finish(call, GRPC_INVALID_ARGUMENT,
                                 "lines, since_time and until_time must not be negative");
                return;
        }
        if (r->follow && ctx->n_streams >= API_MAX_STREAMS) {
                grpc_call_finish(call, GRPC_RESOURCE_EXHAUSTED, "too many open streams");
                return;
        }
        k = pod_open(ctx->config->data_dir, r->pod_id, &p, &err);
        if (k < 0) {
                grpc_call_finish(call, api_lookup_error(k, err, msg, sizeof(msg)), msg);
                return;
        }
        podfd = open(p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (podfd >= 0)
                dfd = open_in_root(podfd, POD_JOURNAL_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
                snprintf(msg, sizeof(msg), "pod '%s' has no journal (it has not run, or logs elsewhere)",
                         p->uuid);
                grpc_call_finish(call, GRPC_FAILED_PRECONDITION, msg);
                return;
        }
        s = calloc(1, sizeof(LogStream));
        if (!s) {
                grpc_call_finish(call, GRPC_RESOURCE_EXHAUSTED, "out of memory");
                return;
        }
        s->ctx = ctx;
        s->call = call;
        s->follow = r->follow;
        s->until_usec = (uint64_t) r->until_time * 1000000U;
        memcpy(s->uuid, p->uuid, sizeof(s->uuid));
        /* sd-journal takes the fd over only on success. */
        k = sym_sd_journal_open_directory_fd(&s->j, dfd, 0);
        if (k >= 0)
                dfd = -1;
        if (k >= 0 && !isempty(r->app_name)) {
                _cleanup_free_ char *match = NULL;
                if (asprintf(&match, "SYSLOG_IDENTIFIER=%s", r->app_name) < 0)
                        k = -ENOMEM;
                else
                        k = sym_sd_journal_add_match(s->j, match, 0);
        }
        if (k >= 0)
                k = seek(s->j, r);
        if (k < 0) {
                snprintf(msg, sizeof(msg), "reading the journal of pod '%s': %s", p->uuid, strerror(-k));
                grpc_call_finish(call, GRPC_INTERNAL, msg);
                log_stream_free(s);
                return;
        }
        k = send_entries(s);
        if (k < 0 || k > 0 || !s->follow) {
                if (k < 0)
                        grpc_call_finish(
                                call, GRPC_RESOURCE_EXHAUSTED,
                                "the logs are larger than the server sends at once; ask for fewer lines");
                else
                        grpc_call_finish(call, GRPC_OK, NULL);
                log_stream_free(s);
                return;
        }
        if (sym_sd_event_add_time_relative(ctx->event, &s->timer, CLOCK_MONOTONIC, API_POLL_USEC, 0,
                                           on_follow, s) < 0) {
                grpc_call_finish(call, GRPC_RESOURCE_EXHAUSTED, "out of memory");
                log_stream_free(s);
                return;
        }
        ctx->n_streams++;
        grpc_call_set_close(call, log_stream_closed, s);
}
