/* SPDX-License-Identifier: Apache-2.0 */
/* GetLogs: the pod's journal, which stage1's journald keeps in the pod at
 * stage1/rootfs/var/log/journal/<machine-id>/ while it runs and after it exits (the host's
 * /var/log/journal/<machine-id> links to it: what `journalctl -M rkt-<uuid>` reads). The pod writes that
 * directory, so sd-journal is never handed it (it would follow a symlinked file or machine-id directory to
 * the host's journal): the directory is opened inside the pod directory (open_in_root), the journal files
 * in it and in its subdirectories one level down are opened here without following symlinks, regular
 * files only, at most API_LOG_FILES_MAX, and sd-journal gets only those files (journal_open_fds()). A stream
 * that follows looks for new files (journald's rotation) at each poll and goes on from where it was. Lines
 * are "<UTC time> <message>", batched API_LOG_LINES_PER_MESSAGE to a reply; with follow the journal is read
 * again every API_POLL_USEC until the client cancels, the pod is gone or the deadline or until_time passes.
 * An app's lines are those with its SYSLOG_IDENTIFIER (stage1 sets the app name). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "dl.h"
#include "appc.h"
#include "cleanup.h"
#include "fd-util.h"
#include "fs.h"
#include "macro.h"
#include "service.h"

#define POD_JOURNAL_DIR "stage1/rootfs/var/log/journal"
/* A message longer than this is cut (journald's own default line limit is 48 KiB). */
#define LOG_LINE_MAX (64U * 1024U)
/* journald keeps a handful of files per machine-id directory; a pod that makes more is not read past this.
 */
#define API_LOG_FILES_MAX 256U
/* Directory entries looked at per scan, in all: a pod that fills its journal directory with names does not
 * keep the service's one thread busy at every poll of a following stream. */
#define API_LOG_DIR_ENTRIES_MAX 8192U

typedef struct JournalFiles {
        int fds[API_LOG_FILES_MAX];
        size_t n;
        size_t entries; /* looked at so far */
} JournalFiles;

typedef struct LogStream {
        ApiContext *ctx;
        GrpcCall *call;
        sd_journal *j;
        JournalFiles files;
        char *match; /* SYSLOG_IDENTIFIER=APP, or NULL */
        sd_event_source *timer;
        char uuid[37];
        uint64_t until_usec; /* realtime, 0: none */
        bool follow;
} LogStream;

static void journal_files_done(JournalFiles *f) {
        for (size_t i = 0; i < f->n; i++)
                safe_close(f->fds[i]);
        f->n = 0;
}

static void log_stream_free(LogStream *s) {
        if (!s)
                return;
        sym_sd_event_source_disable_unref(s->timer);
        if (s->j)
                sym_sd_journal_close(s->j);
        journal_files_done(&s->files);
        free(s->match);
        free(s);
}

static bool journal_file_name(const char *name) {
        return endswith(name, ".journal") || endswith(name, ".journal~");
}

/* sd-journal opens the files by their descriptors' /proc/self/fd links, which lead to the files opened here
 * and nowhere else; it keeps descriptors of its own (libsystemd 252's sd_journal_close() closes those
 * handed to sd_journal_open_files_fd(), later versions do not: so it is handed none). */
static int journal_open_fds(const int *fds, size_t n, sd_journal **ret) {
        char paths[API_LOG_FILES_MAX][32];
        const char *p[API_LOG_FILES_MAX + 1];

        if (n > API_LOG_FILES_MAX)
                return -E2BIG;
        for (size_t i = 0; i < n; i++) {
                snprintf(paths[i], sizeof(paths[i]), "/proc/self/fd/%d", fds[i]);
                p[i] = paths[i];
        }
        p[n] = NULL;
        return sym_sd_journal_open_files(ret, p, 0);
}

/* sd-journal refuses a set of files when one of them is not a journal (a directory it reads skips it). */
static bool journal_file_readable(int fd) {
        sd_journal *j = NULL;

        if (journal_open_fds(&fd, 1, &j) < 0)
                return false;
        sym_sd_journal_close(j);
        return true;
}

/* The journal files in dir (depth 0) and its subdirectories (depth 1), never through a symlink. */
static void journal_files_scan(int dirfd, unsigned depth, JournalFiles *f) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int fd;

        if (opendir_at(dirfd, ".", &d) < 0 || !d)
                return;
        while (f->n < API_LOG_FILES_MAX && f->entries < API_LOG_DIR_ENTRIES_MAX && (de = readdir(d))) {
                f->entries++;
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (journal_file_name(de->d_name)) {
                        fd = openat(dirfd, de->d_name,
                                    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
                        if (fd < 0)
                                continue;
                        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && journal_file_readable(fd))
                                f->fds[f->n++] = fd;
                        else
                                safe_close(fd);
                } else if (depth == 0) {
                        _cleanup_close_ int sub =
                                openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0)
                                journal_files_scan(sub, 1, f);
                }
        }
}

static int journal_files_open(const char *data_dir, const char *uuid, JournalFiles *ret) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_close_ int podfd = -1, dfd = -1;
        int k = pod_open(data_dir, uuid, &p, NULL);

        if (k < 0)
                return k;
        podfd = open(p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (podfd < 0)
                return negative_errno();
        dfd = open_in_root(podfd, POD_JOURNAL_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return dfd;
        *ret = (JournalFiles){};
        journal_files_scan(dfd, 0, ret);
        return 0;
}

/* s->j over s->files, with the stream's match; NULL while there are no files. */
static int journal_open(LogStream *s) {
        int k;

        s->j = NULL;
        if (s->files.n == 0)
                return 0;
        k = journal_open_fds(s->files.fds, s->files.n, &s->j);
        if (k < 0)
                s->j = NULL;
        if (k >= 0 && s->match)
                k = sym_sd_journal_add_match(s->j, s->match, 0);
        return k;
}

/* A following stream: when journald rotated (the pod has other files now), the journal is opened anew over
 * them and positioned after the last entry read. */
static int journal_reopen_if_rotated(LogStream *s) {
        _cleanup_free_ char *cursor = NULL;
        JournalFiles now = {};
        bool same;
        int k;

        if (journal_files_open(s->ctx->config->data_dir, s->uuid, &now) < 0)
                return 0; /* gone: on_follow() ends the stream */
        same = now.n == s->files.n;
        for (size_t i = 0; same && i < now.n; i++) {
                struct stat a, b;
                same = fstat(now.fds[i], &a) == 0 && fstat(s->files.fds[i], &b) == 0 &&
                       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
        }
        if (same) {
                journal_files_done(&now);
                return 0;
        }
        if (s->j) {
                (void) sym_sd_journal_get_cursor(s->j, &cursor);
                sym_sd_journal_close(s->j);
        }
        journal_files_done(&s->files);
        s->files = now;
        k = journal_open(s);
        if (k < 0 || !s->j)
                return k;
        if (cursor && sym_sd_journal_seek_cursor(s->j, cursor) >= 0)
                (void) sym_sd_journal_next(s->j); /* the entry already sent */
        else
                (void) sym_sd_journal_seek_head(s->j);
        return 0;
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
        if (!s->j)
                return 0; /* no journal file yet */
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

        if (journal_reopen_if_rotated(s) < 0) {
                grpc_call_finish(s->call, GRPC_INTERNAL, "the pod's journal cannot be read any more");
                return 0;
        }
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
        if (journal_files_open(ctx->config->data_dir, p->uuid, &s->files) < 0) {
                snprintf(msg, sizeof(msg), "pod '%s' has no journal (it has not run, or logs elsewhere)",
                         p->uuid);
                grpc_call_finish(call, GRPC_FAILED_PRECONDITION, msg);
                log_stream_free(s);
                return;
        }
        k = 0;
        if (!isempty(r->app_name) && asprintf(&s->match, "SYSLOG_IDENTIFIER=%s", r->app_name) < 0) {
                s->match = NULL;
                k = -ENOMEM;
        }
        if (k >= 0)
                k = journal_open(s);
        if (k >= 0 && s->j)
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
