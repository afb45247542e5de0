/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "dl.h"
#include "fs.h"
#include "log.h"
#include "mds-server.h"

typedef struct Listener {
        MdsServer *server;
        struct MHD_Daemon *daemon;
        bool registration;
} Listener;

struct MdsServer {
        MdsRegistry *registry;
        MdsServerLog log;
        void *userdata;
        Listener listeners[2]; /* registration, public */
};

typedef struct Request {
        char *body;
        size_t body_size;
        uint64_t received;
        bool too_large;
        bool form_failed;
        struct MHD_PostProcessor *post;
        MdsForm form;
} Request;

static void request_free(Request *req) {
        if (!req)
                return;
        if (req->post)
                (void) sym_MHD_destroy_post_processor(req->post);
        free(req->body);
        mds_form_done(&req->form);
        free(req);
}

static void request_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                              enum MHD_RequestTerminationCode toe) {
        request_free(*con_cls);
        *con_cls = NULL;
}

static enum MHD_Result post_iterate(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *filename, const char *content_type,
                                    const char *transfer_encoding, const char *data, uint64_t off,
                                    size_t size) {
        Request *req = cls;

        if (mds_form_add(&req->form, key, data, size, off) < 0) {
                req->form_failed = true;
                return MHD_NO;
        }
        return MHD_YES;
}

static enum MHD_Result query_iterate(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value) {
        MdsForm *form = cls;
        return mds_form_add(form, key, strempty(value), strlen(strempty(value)), 0) < 0 ? MHD_NO : MHD_YES;
}

static enum MHD_Result send_response(struct MHD_Connection *c, const MdsResponse *resp) {
        struct MHD_Response *m;
        enum MHD_Result ok;

        m = sym_MHD_create_response_from_buffer(
                resp->body_size, resp->body_size > 0 ? resp->body : (void *) "", MHD_RESPMEM_MUST_COPY);
        if (!m)
                return MHD_NO;
        if ((resp->content_type &&
             sym_MHD_add_response_header(m, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type) != MHD_YES) ||
            (resp->allow && sym_MHD_add_response_header(m, MHD_HTTP_HEADER_ALLOW, resp->allow) != MHD_YES)) {
                sym_MHD_destroy_response(m);
                return MHD_NO;
        }
        ok = sym_MHD_queue_response(c, resp->status, m);
        sym_MHD_destroy_response(m);
        return ok;
}

/* "/TOKEN/acMetadata/…" → "/…/acMetadata/…". */
static char *redact(const char *path) {
        const char *slash = path[0] == '/' ? strchr(path + 1, '/') : NULL;
        char *s = NULL;

        if (asprintf(&s, "/…%s", slash ? slash : "") < 0)
                return NULL;
        return s;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size,
                              void **con_cls) {
        Listener *l = cls;
        MdsServer *s = l->server;
        MdsResponse resp = {};
        Request *req = *con_cls;
        MdsForm query = {};
        enum MHD_Result ok;
        int r;

        if (!req) {
                req = calloc(1, sizeof(*req));
                if (!req)
                        return MHD_NO;
                /* NULL for other content types: the body is then no form, as for Go's FormValue. */
                if (!l->registration && streq(method, MHD_HTTP_METHOD_POST))
                        req->post = sym_MHD_create_post_processor(c, 16 * 1024, post_iterate, req);
                *con_cls = req;
                return MHD_YES;
        }

        if (*upload_data_size > 0) {
                size_t n = *upload_data_size;
                uint64_t max = l->registration ? MDS_REGISTRATION_BODY_MAX : MDS_PUBLIC_BODY_MAX;

                *upload_data_size = 0;
                req->received += n;
                if (req->too_large || req->received > max) {
                        req->too_large = true;
                        return MHD_YES;
                }
                if (l->registration) {
                        char *b = realloc(req->body, req->body_size + n + 1);
                        if (!b)
                                return MHD_NO;
                        memcpy(b + req->body_size, upload_data, n);
                        req->body = b;
                        req->body_size += n;
                        req->body[req->body_size] = 0;
                } else if (req->post && !req->form_failed)
                        (void) sym_MHD_post_process(req->post, upload_data, n);
                return MHD_YES;
        }

        /* The upload is complete: destroying the post processor hands out the last field. */
        if (req->post) {
                (void) sym_MHD_destroy_post_processor(req->post);
                req->post = NULL;
        }

        if (req->too_large) {
                resp = (MdsResponse){.status = 413, .content_type = MDS_CONTENT_TYPE_ERROR};
                r = 0;
        } else if (req->form_failed)
                r = -ENOMEM;
        else if (l->registration) {
                if (sym_MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_iterate, &query) < 0)
                        r = -ENOMEM;
                else
                        r = mds_handle_registration(s->registry, method, url, &query, req->body,
                                                    req->body_size, &resp);
        } else {
                /* Body fields first, then the URL's: Go's FormValue precedence. */
                (void) sym_MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_iterate, &req->form);
                r = mds_handle_public(s->registry, method, url, &req->form, &resp);
        }
        if (r < 0) {
                mds_response_done(&resp);
                resp = (MdsResponse){.status = 500, .content_type = MDS_CONTENT_TYPE_ERROR};
        }

        ok = send_response(c, &resp);
        if (s->log) {
                _cleanup_free_ char *shown = l->registration ? NULL : redact(url);
                s->log(s->userdata, l->registration, method, l->registration ? url : strna(shown),
                       resp.status);
        }
        mds_response_done(&resp);
        mds_form_done(&query);
        return ok;
}

_printf_(2, 0) static void mhd_log(void *cls, const char *fmt, va_list ap) {
        _cleanup_free_ char *s = NULL;

        if (vasprintf(&s, fmt, ap) >= 0)
                log_debug("libmicrohttpd: %s", s);
}

static int set_nonblock(int fd) {
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return negative_errno();
        return 0;
}

int mds_server_new(MdsRegistry *registry, int registration_fd, int public_fd, MdsServerLog log,
                   void *userdata, MdsServer **ret, RktError **reterr) {
        int fds[2] = {registration_fd, public_fd};
        MdsServer *s;
        int r;

        r = mhd_dl_open(reterr);
        if (r < 0) {
                safe_close(registration_fd);
                safe_close(public_fd);
                return r;
        }
        s = calloc(1, sizeof(*s));
        if (!s) {
                safe_close(registration_fd);
                safe_close(public_fd);
                return -ENOMEM;
        }
        *s = (MdsServer){.registry = registry, .log = log, .userdata = userdata};

        for (size_t i = 0; i < ELEMENTSOF(fds); i++) {
                Listener *l = &s->listeners[i];

                *l = (Listener){.server = s, .registration = i == 0};
                r = set_nonblock(fds[i]);
                if (r < 0) {
                        (void) rkt_error_set(reterr, r, "cannot make the %s socket non-blocking: %s",
                                             l->registration ? "registration" : "public", strerror(-r));
                        goto fail;
                }
                /* Errors go to the logger first (it must be the first option to see start-up messages). */
                l->daemon = sym_MHD_start_daemon(
                        MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, handle, l,
                        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET,
                        (MHD_socket) fds[i], MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL,
                        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 30, MHD_OPTION_CONNECTION_LIMIT,
                        l->registration ? MDS_REGISTRATION_CONNECTIONS_MAX : MDS_PUBLIC_CONNECTIONS_MAX,
                        /* Unix peers have no address: a limit per address is for the public side. */
                        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                        l->registration ? 0U : MDS_PUBLIC_CONNECTIONS_PER_IP, MHD_OPTION_END);
                if (!l->daemon) {
                        r = rkt_error_set(reterr, -EIO, "libmicrohttpd could not serve the %s socket",
                                          l->registration ? "registration" : "public");
                        goto fail;
                }
                fds[i] = -1; /* the daemon's now */
        }
        *ret = s;
        return 0;
fail:
        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                safe_close(fds[i]);
        mds_server_free(s);
        return r;
}

MdsServer *mds_server_free(MdsServer *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(s->listeners); i++)
                if (s->listeners[i].daemon)
                        sym_MHD_stop_daemon(s->listeners[i].daemon);
        return mfree(s);
}

int mds_server_run(MdsServer *s, int stop_fd) {
        struct pollfd p[3] = {};

        for (size_t i = 0; i < 2; i++) {
                const union MHD_DaemonInfo *info =
                        sym_MHD_get_daemon_info(s->listeners[i].daemon, MHD_DAEMON_INFO_EPOLL_FD);
                if (!info)
                        return -EIO;
                p[i] = (struct pollfd){.fd = info->epoll_fd, .events = POLLIN};
        }
        p[2] = (struct pollfd){.fd = stop_fd, .events = POLLIN};

        for (;;) {
                int timeout = -1;

                for (size_t i = 0; i < 2; i++) {
                        MHD_UNSIGNED_LONG_LONG t;
                        if (sym_MHD_get_timeout(s->listeners[i].daemon, &t) == MHD_YES) {
                                int ms = t > 60000 ? 60000 : (int) t;
                                timeout = timeout < 0 ? ms : MIN(timeout, ms);
                        }
                }
                if (poll(p, ELEMENTSOF(p), timeout) < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (p[2].revents)
                        return 0;
                for (size_t i = 0; i < 2; i++)
                        (void) sym_MHD_run(s->listeners[i].daemon);
        }
}

static int unix_address(const char *path, struct sockaddr_un *sa, socklen_t *len, RktError **reterr) {
        size_t n = strlen(path);

        if (n == 0 || n >= sizeof(sa->sun_path))
                return rkt_error_set(reterr, -EINVAL, "'%s' cannot be a unix socket path", path);
        *sa = (struct sockaddr_un){.sun_family = AF_UNIX};
        memcpy(sa->sun_path, path, n);
        *len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n + 1);
        return 0;
}

/* 1 when something accepts connections at path, 0 when nothing does. */
static int unix_socket_alive(const struct sockaddr_un *sa, socklen_t len) {
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return negative_errno();
        if (connect(fd, (const struct sockaddr *) sa, len) == 0)
                return 1;
        return errno == ECONNREFUSED || errno == ENOENT ? 0 : negative_errno();
}

int mds_listen_unix(const char *path, mode_t mode, int *ret_fd, RktError **reterr) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa;
        socklen_t len = 0;
        mode_t old;
        char *slash;
        int r;

        r = unix_address(path, &sa, &len, reterr);
        if (r < 0)
                return r;
        dir = strdup(path);
        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = 0;
                r = mkdir_p(dir, 0755);
                if (r < 0)
                        return rkt_error_set(reterr, r, "cannot create '%s': %s", dir, strerror(-r));
        }

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                r = negative_errno();
                return rkt_error_set(reterr, r, "cannot create a unix socket: %s", strerror(-r));
        }

        for (unsigned attempt = 0;; attempt++) {
                old = umask(~mode & 0777);
                r = bind(fd, (struct sockaddr *) &sa, len) < 0 ? negative_errno() : 0;
                umask(old);
                if (r != -EADDRINUSE || attempt > 0)
                        break;

                struct stat st;
                if (lstat(path, &st) < 0)
                        continue; /* gone meanwhile */
                if (!S_ISSOCK(st.st_mode))
                        return rkt_error_set(reterr, -EEXIST, "'%s' exists and is not a socket", path);
                r = unix_socket_alive(&sa, len);
                if (r > 0)
                        return rkt_error_set(reterr, -EADDRINUSE,
                                             "a service already answers on '%s' (is the metadata service "
                                             "running already, or rkt-metadata.socket started?)",
                                             path);
                if (r < 0)
                        return rkt_error_set(reterr, r, "cannot probe '%s': %s", path, strerror(-r));
                /* A leftover of a service that died without cleaning up. */
                if (unlink(path) < 0 && errno != ENOENT) {
                        r = negative_errno();
                        return rkt_error_set(reterr, r, "cannot remove stale socket '%s': %s", path,
                                             strerror(-r));
                }
        }
        if (r < 0)
                return rkt_error_set(reterr, r, "cannot bind '%s': %s", path, strerror(-r));
        /* bind() honoured the umask; make it exact whatever the umask allowed. */
        if (chmod(path, mode) < 0 || listen(fd, SOMAXCONN) < 0) {
                r = negative_errno();
                (void) unlink(path);
                return rkt_error_set(reterr, r, "cannot listen on '%s': %s", path, strerror(-r));
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int mds_listen_tcp4(const char *address, uint16_t port, int *ret_fd, uint16_t *ret_port, RktError **reterr) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
        socklen_t len = sizeof(sa);
        _cleanup_close_ int fd = -1;
        int one = 1, r;

        if (address && inet_pton(AF_INET, address, &sa.sin_addr) != 1)
                return rkt_error_set(reterr, -EINVAL, "'%s' is not an IPv4 address", address);
        if (!address)
                sa.sin_addr.s_addr = htonl(INADDR_ANY);

        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                r = negative_errno();
                return rkt_error_set(reterr, r, "cannot create a TCP socket: %s", strerror(-r));
        }
        (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, SOMAXCONN) < 0) {
                r = negative_errno();
                return rkt_error_set(reterr, r, "cannot listen on TCP port %u: %s", port, strerror(-r));
        }
        if (ret_port) {
                if (getsockname(fd, (struct sockaddr *) &sa, &len) < 0) {
                        r = negative_errno();
                        return rkt_error_set(reterr, r, "getsockname: %s", strerror(-r));
                }
                *ret_port = ntohs(sa.sin_port);
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}
