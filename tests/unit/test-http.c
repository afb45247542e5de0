/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "fs.h"
#include "http.h"
#include "path.h"
#include "unit.h"

static void test_max_age(void **state) {
        assert_int_equal(http_parse_max_age(NULL), 0);
        assert_int_equal(http_parse_max_age(""), 0);
        assert_int_equal(http_parse_max_age("max-age=60"), 60);
        assert_int_equal(http_parse_max_age("public, MAX-AGE=3600 , must-revalidate"), 3600);
        assert_int_equal(http_parse_max_age("max-age=60, no-cache"), 0);
        assert_int_equal(http_parse_max_age("no-store, max-age=60"),
                         60); /* the later directive counts, as in rkt */
        assert_int_equal(http_parse_max_age("max-age=-5"), 0);
        assert_int_equal(http_parse_max_age("max-age=05"), 0);
        assert_int_equal(http_parse_max_age("max-age=0"), 0);
        assert_int_equal(http_parse_max_age("max-age=12abc"), 0);
        assert_int_equal(http_parse_max_age("max-age=99999999999999999999999"), 0);
}

static void test_url_split(void **state) {
        char *scheme = NULL, *host = NULL, *hp = NULL;

        assert_int_equal(http_url_split("HTTPS://Example.com:8443/a.aci?x=1", &scheme, &host, &hp), 0);
        assert_string_equal(scheme, "https");
        assert_string_equal(hp, "example.com:8443");
        free(scheme);
        free(host);
        free(hp);
        assert_int_equal(http_url_split("https://user:pw@example.com/a", NULL, NULL, &hp), 0);
        assert_string_equal(hp, "example.com");
        free(hp);
        assert_int_equal(http_url_split("not a url", &scheme, NULL, NULL), -EINVAL);
        assert_int_equal(http_url_split("/just/a/path", &scheme, NULL, NULL), -EINVAL);
}

/* --- a scripted server on loopback --- */

typedef struct Reply {
        const char *head; /* status line and headers, without the final blank line and Content-Length */
        const char *body;
        size_t send; /* bytes of body to send before closing; SIZE_MAX: all */
} Reply;

typedef struct Server {
        int fd;
        unsigned port;
        pthread_t thread;
        const Reply *replies;
        size_t n_replies;
        char requests[8][1024];
        size_t n_requests;
} Server;

static void *serve(void *userdata) {
        Server *s = userdata;

        for (size_t i = 0; i < s->n_replies; i++) {
                const Reply *r = &s->replies[i];
                int c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
                char hdr[1024];
                size_t len = 0, body = strlen(r->body);

                if (c < 0)
                        break;
                while (len < sizeof(s->requests[0]) - 1) {
                        ssize_t n = read(c, s->requests[i] + len, sizeof(s->requests[0]) - 1 - len);
                        if (n <= 0)
                                break;
                        len += (size_t) n;
                        s->requests[i][len] = 0;
                        if (strstr(s->requests[i], "\r\n\r\n"))
                                break;
                }
                s->n_requests++;
                snprintf(hdr, sizeof(hdr), "%s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", r->head,
                         body);
                (void) loop_write(c, hdr, strlen(hdr));
                (void) loop_write(c, r->body, MIN(body, r->send));
                close(c);
        }
        return NULL;
}

static void server_start(Server *s, const Reply *replies, size_t n) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t l = sizeof(a);

        *s = (Server){.replies = replies, .n_replies = n};
        s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(s->fd >= 0);
        assert_int_equal(bind(s->fd, (struct sockaddr *) &a, sizeof(a)), 0);
        assert_int_equal(listen(s->fd, 8), 0);
        assert_int_equal(getsockname(s->fd, (struct sockaddr *) &a, &l), 0);
        s->port = ntohs(a.sin_port);
        assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(Server *s) {
        shutdown(s->fd, SHUT_RDWR);
        close(s->fd);
        pthread_join(s->thread, NULL);
}

static HttpClient *client(bool allow_http) {
        HttpClientOptions o = {.allow_http = allow_http, .stall_timeout_usec = 2000000};
        HttpClient *c = NULL;
        assert_int_equal(http_client_new(&o, &c, NULL), 0);
        return c;
}

static char *url(const Server *s, const char *path) {
        char *u = NULL;
        assert_true(asprintf(&u, "http://127.0.0.1:%u%s", s->port, path) > 0);
        return u;
}

static int tmpfile_fd(void) {
        int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        return fd;
}

static char *contents(int fd) {
        struct stat st;
        char *b;

        assert_int_equal(fstat(fd, &st), 0);
        b = calloc(1, (size_t) st.st_size + 1);
        assert_int_equal(pread(fd, b, (size_t) st.st_size, 0), st.st_size);
        return b;
}

static void test_plain_http_refused(void **state) {
        _cleanup_(http_client_freep) HttpClient *c = client(false);
        _cleanup_error_ RktError *e = NULL;
        HttpRequest rq = {.url = "http://127.0.0.1:9/x.aci", .fd = -1, .max_size = 10};
        HttpResponse r = {};

        assert_int_equal(http_get(c, &rq, &r, &e), -EPERM);
        assert_non_null(strstr(e->message, "refusing plain HTTP"));
        assert_int_equal(e->hint, RKT_HINT_HTTP);
        e = rkt_error_free(e);
        rq.url = "ftp://127.0.0.1/x";
        assert_int_equal(http_get(c, &rq, &r, &e), -EPROTONOSUPPORT);
}

static void test_memory_body_and_errors(void **state) {
        static const Reply replies[] = {
                {"HTTP/1.1 200 OK\r\nCache-Control: max-age=30\r\nETag: \"e1\"", "hello", SIZE_MAX},
                {"HTTP/1.1 404 Not Found", "nope", SIZE_MAX},
                {"HTTP/1.1 200 OK", "far too large", SIZE_MAX},
                {"HTTP/1.1 302 Found\r\nLocation: /moved", "", SIZE_MAX},
                {"HTTP/1.1 200 OK", "moved here", SIZE_MAX},
                {"HTTP/1.1 401 Unauthorized", "", SIZE_MAX},
        };
        _cleanup_(http_client_freep) HttpClient *c = client(true);
        _cleanup_free_ char *u = NULL;
        RktError *e = NULL;
        HttpResponse r = {};
        Server s;

        server_start(&s, replies, ELEMENTSOF(replies));
        u = url(&s, "/a");
        HttpRequest rq = {.url = u, .fd = -1, .max_size = 10};
        assert_int_equal(http_get(c, &rq, &r, NULL), 0);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "hello");
        assert_int_equal(r.size, 5);
        assert_int_equal(r.max_age, 30);
        assert_string_equal(r.etag, "\"e1\"");
        http_response_done(&r);

        assert_int_equal(http_get(c, &rq, &r, &e), -ENOENT);
        assert_non_null(strstr(e->message, "bad HTTP status code: 404 (Not Found) from 'http://127.0.0.1:"));
        e = rkt_error_free(e);
        assert_int_equal(http_get(c, &rq, &r, &e), -EFBIG);
        e = rkt_error_free(e);
        assert_int_equal(http_get(c, &rq, &r, NULL), 0);
        assert_string_equal(r.body, "moved here");
        assert_non_null(strstr(r.url, "/moved"));
        http_response_done(&r);
        assert_int_equal(http_get(c, &rq, &r, &e), -EACCES);
        e = rkt_error_free(e);
        server_stop(&s);
        assert_non_null(strstr(s.requests[0], "User-Agent: rkt/"));
        assert_null(strstr(s.requests[0], "Authorization"));
}

static int record_validators(const char *etag, const char *lm, void *userdata) {
        char **seen = userdata;
        free(*seen);
        *seen = etag ? strdup(etag) : NULL;
        return 0;
}

static void test_resume_after_drop(void **state) {
        static const Reply replies[] = {
                {"HTTP/1.1 200 OK\r\nETag: \"v1\"", "0123456789abcdefghij", 8},
                {"HTTP/1.1 206 Partial Content\r\nETag: \"v1\"\r\nContent-Range: bytes 8-19/20",
                 "89abcdefghij", SIZE_MAX},
        };
        _cleanup_(http_client_freep) HttpClient *c = client(true);
        _cleanup_free_ char *u = NULL, *got = NULL, *seen = NULL;
        _cleanup_close_ int fd = tmpfile_fd();
        HttpResponse r = {};
        Server s;

        server_start(&s, replies, ELEMENTSOF(replies));
        u = url(&s, "/img.aci");
        HttpRequest rq = {
                .url = u, .fd = fd, .on_validators = record_validators, .validators_userdata = &seen};
        assert_int_equal(http_get(c, &rq, &r, NULL), 0);
        server_stop(&s);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.attempts, 2);
        assert_int_equal(r.size, 20);
        got = contents(fd);
        assert_string_equal(got, "0123456789abcdefghij");
        assert_string_equal(seen, "\"v1\"");
        assert_non_null(strstr(s.requests[1], "Range: bytes=8-"));
        assert_non_null(strstr(s.requests[1], "If-Range: \"v1\""));
        http_response_done(&r);
}

static void test_resume_from_file_and_restart(void **state) {
        static const Reply replies[] = {
                /* The resource changed: the server ignores If-Range and sends it whole. */
                {"HTTP/1.1 200 OK\r\nETag: \"v2\"", "NEW CONTENT", SIZE_MAX},
                /* 304 for a conditional request. */
                {"HTTP/1.1 304 Not Modified\r\nETag: \"v2\"", "", SIZE_MAX},
        };
        _cleanup_(http_client_freep) HttpClient *c = client(true);
        _cleanup_free_ char *u = NULL, *got = NULL;
        _cleanup_close_ int fd = tmpfile_fd();
        HttpResponse r = {};
        Server s;

        assert_int_equal(loop_write(fd, "old partial", 11), 0);
        server_start(&s, replies, ELEMENTSOF(replies));
        u = url(&s, "/img.aci");
        HttpRequest rq = {.url = u, .fd = fd, .resume_etag = "\"v1\""};
        assert_int_equal(http_get(c, &rq, &r, NULL), 0);
        assert_int_equal(r.resumed_bytes, 0);
        got = contents(fd);
        assert_string_equal(got, "NEW CONTENT");
        http_response_done(&r);
        HttpRequest rq2 = {.url = u, .fd = fd, .if_none_match = "\"v2\""};
        assert_int_equal(http_get(c, &rq2, &r, NULL), 0);
        assert_int_equal(r.status, 304);
        http_response_done(&r);
        server_stop(&s);
        assert_non_null(strstr(s.requests[0], "Range: bytes=11-"));
        assert_non_null(strstr(s.requests[1], "If-None-Match: \"v2\""));
        assert_null(strstr(s.requests[1], "Range:")); /* a file without validators starts over */
}

static void test_drop_without_validator(void **state) {
        static const Reply replies[] = {
                {"HTTP/1.1 200 OK", "0123456789", 4}, {"HTTP/1.1 200 OK", "0123456789", 4},
                {"HTTP/1.1 200 OK", "0123456789", 4}, {"HTTP/1.1 200 OK", "0123456789", 4},
                {"HTTP/1.1 200 OK", "0123456789", 4},
        };
        _cleanup_(http_client_freep) HttpClient *c = client(true);
        _cleanup_free_ char *u = NULL;
        _cleanup_close_ int fd = tmpfile_fd();
        _cleanup_error_ RktError *e = NULL;
        HttpResponse r = {};
        Server s;

        server_start(&s, replies, ELEMENTSOF(replies));
        u = url(&s, "/img.aci");
        HttpRequest rq = {.url = u, .fd = fd};
        assert_int_equal(http_get(c, &rq, &r, &e), -ECONNRESET);
        server_stop(&s);
        assert_non_null(strstr(e->message, "was closed after 4 of 10 bytes (5 attempts)"));
        for (size_t i = 1; i < s.n_requests; i++)
                assert_null(strstr(s.requests[i], "Range:"));
}

static void test_auth_only_over_https(void **state) {
        static const Reply replies[] = {{"HTTP/1.1 200 OK", "x", SIZE_MAX}};
        _cleanup_(rkt_config_freep) RktConfig *cfg = calloc(1, sizeof(RktConfig));
        _cleanup_(http_client_freep) HttpClient *c = NULL;
        _cleanup_free_ char *u = NULL;
        HttpClientOptions o = {.allow_http = true};
        HttpResponse r = {};
        Server s;

        server_start(&s, replies, ELEMENTSOF(replies));
        cfg->auth = calloc(1, sizeof(AuthEntry));
        cfg->n_auth = 1;
        cfg->auth[0].type = AUTH_OAUTH;
        cfg->auth[0].token = strdup("tok");
        assert_true(asprintf(&cfg->auth[0].domain, "127.0.0.1:%u", s.port) > 0);
        o.config = cfg;
        assert_int_equal(http_client_new(&o, &c, NULL), 0);
        u = url(&s, "/x");
        HttpRequest rq = {.url = u, .fd = -1, .max_size = 10};
        assert_int_equal(http_get(c, &rq, &r, NULL), 0);
        http_response_done(&r);
        server_stop(&s);
        /* Configured for this host, but the request is plain http: no credentials. */
        assert_null(strstr(s.requests[0], "Authorization"));
}

/* A server that trickles: headers, then one body byte every 200 ms — always some data, never progress. */
static void *trickle(void *userdata) {
        int lfd = *(int *) userdata, c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        const char *hdr = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
        char req[1024];

        if (c < 0)
                return NULL;
        (void) read(c, req, sizeof(req));
        (void) send(c, hdr, strlen(hdr), MSG_NOSIGNAL);
        for (unsigned i = 0; i < 100; i++) {
                struct timespec ts = {.tv_nsec = 200 * 1000 * 1000};
                if (send(c, "x", 1, MSG_NOSIGNAL) != 1)
                        break;
                nanosleep(&ts, NULL);
        }
        close(c);
        return NULL;
}

static int listener(unsigned *ret_port) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t l = sizeof(a);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &a, sizeof(a)), 0);
        assert_int_equal(listen(fd, 8), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &a, &l), 0);
        *ret_port = ntohs(a.sin_port);
        return fd;
}

static void test_stall_trickle_and_silence(void **state) {
        _cleanup_(http_client_freep) HttpClient *c = NULL;
        HttpClientOptions o = {.allow_http = true, .stall_timeout_usec = 1000000};
        HttpResponse resp = {};
        RktError *err = NULL;
        pthread_t th;
        unsigned port;
        char u[64];
        int lfd;

        assert_int_equal(http_client_new(&o, &c, NULL), 0);

        /* Bytes keep coming, but fewer than 1 KiB within the stall timeout: stalled. */
        lfd = listener(&port);
        assert_int_equal(pthread_create(&th, NULL, trickle, &lfd), 0);
        snprintf(u, sizeof(u), "http://127.0.0.1:%u/slow.aci", port);
        assert_int_equal(http_get(c, &(HttpRequest){.url = u, .fd = -1, .max_size = 1 << 20}, &resp, &err),
                         -ETIMEDOUT);
        assert_non_null(strstr(rkt_error_message(err, -ETIMEDOUT), "stalled: less than 1024 bytes in 1 s"));
        assert_non_null(strstr(rkt_error_message(err, -ETIMEDOUT), u));
        err = rkt_error_free(err);
        close(lfd);
        pthread_join(th, NULL);

        /* The connection is accepted (by the kernel's backlog) and never answered. */
        lfd = listener(&port);
        snprintf(u, sizeof(u), "http://127.0.0.1:%u/silent.aci", port);
        assert_int_equal(http_get(c, &(HttpRequest){.url = u, .fd = -1, .max_size = 1 << 20}, &resp, &err),
                         -ETIMEDOUT);
        assert_non_null(
                strstr(rkt_error_message(err, -ETIMEDOUT), "stalled: no data for 1 s (after 0 bytes)"));
        err = rkt_error_free(err);
        close(lfd);
}

RUN_TESTS(cmocka_unit_test(test_max_age), cmocka_unit_test(test_url_split),
          cmocka_unit_test(test_plain_http_refused), cmocka_unit_test(test_memory_body_and_errors),
          cmocka_unit_test(test_resume_after_drop), cmocka_unit_test(test_resume_from_file_and_restart),
          cmocka_unit_test(test_drop_without_validator), cmocka_unit_test(test_auth_only_over_https),
          cmocka_unit_test(test_stall_trickle_and_silence))
