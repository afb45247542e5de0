/* SPDX-License-Identifier: Apache-2.0 */
/* The registration client against the real server (libmicrohttpd on a temporary unix socket and an
 * ephemeral loopback port, in a thread), and the public side through real HTTP: what src/lib/mds/mds.c
 * decides, as it reaches a client over the wire. Needs no root. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "fs.h"
#include "mds-client.h"
#include "mds-server.h"
#include "unit.h"

#define UUID "8b3a5d5e-9c1b-4b36-8f4e-2c2b1f3e6a7d"
#define UUID2 "11111111-2222-3333-4444-555555555555"
#define TOKEN "0123456789abcdef0123456789abcdef"
#define ID_MAIN                                                                                             \
        "sha512-"                                                                                           \
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"                                  \
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char pod_manifest[] = "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":["
                                   "{\"name\":\"main\",\"image\":{\"id\":\"" ID_MAIN "\"}}]}";
static const char image_main[] =
        "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/main\","
        "\"annotations\":[{\"name\":\"lorem\",\"value\":\"ipsum\"}]}";

typedef struct Fixture {
        char dir[64];
        char sock[128];
        char base[128]; /* http://127.0.0.1:PORT */
        MdsRegistry *registry;
        MdsServer *server;
        int stop_fd;
        pthread_t thread;
        int run_result;
} Fixture;

static void *serve(void *userdata) {
        Fixture *f = userdata;
        f->run_result = mds_server_run(f->server, f->stop_fd);
        return NULL;
}

static int setup(void **state) {
        uint8_t key[MDS_HMAC_KEY_SIZE] = {1, 2, 3};
        Fixture *f = calloc(1, sizeof(*f));
        int ufd = -1, tfd = -1;
        uint16_t port = 0;

        assert_non_null(f);
        strcpy(f->dir, "/tmp/test-mds-client.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->sock, sizeof(f->sock), "%s/run/metadata-svc.sock", f->dir);
        assert_int_equal(mds_listen_unix(f->sock, 0600, &ufd, NULL), 0);
        assert_int_equal(mds_listen_tcp4("127.0.0.1", 0, &tfd, &port, NULL), 0);
        assert_true(port > 0);
        snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%u", port);
        assert_int_equal(mds_registry_new(key, sizeof(key), &f->registry), 0);
        assert_int_equal(mds_server_new(f->registry, ufd, tfd, NULL, NULL, &f->server, NULL), 0);
        f->stop_fd = eventfd(0, EFD_CLOEXEC);
        assert_true(f->stop_fd >= 0);
        assert_int_equal(pthread_create(&f->thread, NULL, serve, f), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        uint64_t one = 1;

        assert_int_equal(write(f->stop_fd, &one, sizeof(one)), sizeof(one));
        assert_int_equal(pthread_join(f->thread, NULL), 0);
        assert_int_equal(f->run_result, 0);
        mds_server_free(f->server);
        mds_registry_free(f->registry);
        close(f->stop_fd);
        assert_int_equal(rm_rf_at(AT_FDCWD, f->dir), 0);
        free(f);
        return 0;
}

typedef struct Answer {
        long status;
        char type[128];
        char body[4096];
        size_t len;
} Answer;

static size_t collect(char *data, size_t size, size_t nmemb, void *userdata) {
        Answer *a = userdata;
        size_t n = size * nmemb, room = sizeof(a->body) - 1 - a->len;
        memcpy(a->body + a->len, data, MIN(n, room));
        a->len += MIN(n, room);
        a->body[a->len] = 0;
        return n;
}

/* method GET or POST; post: raw body (NULL for none), content_type for it; mime: a multipart form instead.
 */
static void http(const char *method, const char *url, const char *post, size_t post_size,
                 const char *content_type, curl_mime *mime, Answer *a) {
        struct curl_slist *h = NULL;
        char *ct = NULL;
        CURL *c = curl_easy_init();

        assert_non_null(c);
        *a = (Answer){};
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
        if (post) {
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) post_size);
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
        }
        if (mime)
                curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
        if (content_type) {
                char hdr[160];
                snprintf(hdr, sizeof(hdr), "Content-Type: %s", content_type);
                h = curl_slist_append(h, hdr);
                curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        }
        assert_int_equal(curl_easy_perform(c), CURLE_OK);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
        snprintf(a->type, sizeof(a->type), "%s", strempty(ct));
        curl_slist_free_all(h);
        curl_easy_cleanup(c);
}

static void get(Fixture *f, const char *token, const char *path, Answer *a) {
        char url[512];
        snprintf(url, sizeof(url), "%s/%s/acMetadata/v1%s", f->base, token, path);
        http("GET", url, NULL, 0, NULL, NULL, a);
}

static void register_main(Fixture *f, const char *uuid, const char *token) {
        _cleanup_error_ RktError *err = NULL;
        const MdsAppManifest apps[] = {{"main", image_main, strlen(image_main)}};
        int r;

        r = mds_register_pod(f->sock, uuid, pod_manifest, strlen(pod_manifest), token, "172.16.28.2", apps,
                             1, &err);
        if (r < 0)
                fail_msg("register: %s", rkt_error_message(err, r));
}

static void test_token_new(void **state) {
        _cleanup_free_ char *a = NULL, *b = NULL;

        assert_int_equal(mds_token_new(&a), 0);
        assert_int_equal(mds_token_new(&b), 0);
        assert_int_equal(strlen(a), 32);
        assert_int_equal(strspn(a, "0123456789abcdef"), 32);
        assert_true(mds_token_valid(a));
        assert_string_not_equal(a, b);
}

static void test_socket_mode(void **state) {
        Fixture *f = *state;
        struct stat st;

        assert_int_equal(lstat(f->sock, &st), 0);
        assert_true(S_ISSOCK(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0600);
}

static void test_listen_unix_conflicts(void **state) {
        Fixture *f = *state;
        _cleanup_error_ RktError *err = NULL;
        char stale[160], file[160];
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd = -1, s;

        /* Someone answers there: refused, and the socket is left alone. */
        assert_int_equal(mds_listen_unix(f->sock, 0600, &fd, &err), -EADDRINUSE);
        assert_non_null(strstr(err->message, "already answers"));
        assert_int_equal(access(f->sock, F_OK), 0);

        /* A socket file nobody listens on is a leftover: replaced. */
        snprintf(stale, sizeof(stale), "%s/stale.sock", f->dir);
        s = socket(AF_UNIX, SOCK_STREAM, 0);
        assert_true(s >= 0);
        strcpy(sa.sun_path, stale);
        assert_int_equal(bind(s, (struct sockaddr *) &sa, sizeof(sa)), 0);
        close(s);
        assert_int_equal(mds_listen_unix(stale, 0600, &fd, NULL), 0);
        close(fd);

        /* Not a socket: not ours to remove. */
        snprintf(file, sizeof(file), "%s/file", f->dir);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, file, "x", 1, 0644), 0);
        err = rkt_error_free(err);
        assert_int_equal(mds_listen_unix(file, 0600, &fd, &err), -EEXIST);
        assert_int_equal(access(file, F_OK), 0);
}

static void test_register_and_query(void **state) {
        Fixture *f = *state;
        Answer a;

        register_main(f, UUID, TOKEN);
        get(f, TOKEN, "/pod/uuid", &a);
        assert_int_equal(a.status, 200);
        assert_string_equal(a.type, "text/plain; charset=us-ascii");
        assert_string_equal(a.body, UUID);
        get(f, TOKEN, "/apps/main/image/id", &a);
        assert_int_equal(a.status, 200);
        assert_string_equal(a.body, ID_MAIN);
        get(f, TOKEN, "/apps/main/annotations", &a);
        assert_int_equal(a.status, 200);
        assert_string_equal(a.type, "application/json");
        assert_string_equal(a.body, "[{\"name\":\"lorem\",\"value\":\"ipsum\"}]");
        get(f, TOKEN, "/pod/annotations", &a);
        assert_string_equal(a.body, "[]");
        get(f, "nope", "/pod/uuid", &a);
        assert_int_equal(a.status, 401);

        /* The token belongs to UUID now. */
        {
                _cleanup_error_ RktError *err = NULL;
                assert_int_equal(mds_register_pod(f->sock, UUID2, pod_manifest, strlen(pod_manifest), TOKEN,
                                                  NULL, NULL, 0, &err),
                                 -EEXIST);
                assert_non_null(strstr(err->message, "HTTP 409"));
        }

        assert_int_equal(mds_unregister_pod(f->sock, UUID, NULL), 0);
        get(f, TOKEN, "/pod/uuid", &a);
        assert_int_equal(a.status, 401);
        assert_int_equal(mds_unregister_pod(f->sock, UUID, NULL), -ENOENT);
}

static void test_register_failures(void **state) {
        Fixture *f = *state;
        _cleanup_error_ RktError *err = NULL;
        const MdsAppManifest bad_app[] = {{"main", "{\"acKind\":\"ImageManifest\"}", 26}};
        const MdsAppManifest unknown_app[] = {{"other", image_main, strlen(image_main)}};
        char missing[160];
        Answer a;

        assert_int_equal(mds_register_pod(f->sock, UUID, "{}", 2, TOKEN, NULL, NULL, 0, &err), -EINVAL);
        assert_non_null(strstr(err->message, "HTTP 400"));
        assert_non_null(strstr(err->message, "pod manifest"));
        assert_non_null(strstr(err->message, "registering pod '" UUID "'"));
        err = rkt_error_free(err);

        /* An app that fails takes the pod's registration back with it. */
        assert_int_equal(mds_register_pod(f->sock, UUID, pod_manifest, strlen(pod_manifest), TOKEN, NULL,
                                          bad_app, 1, &err),
                         -EINVAL);
        assert_non_null(strstr(err->message, "registering app 'main'"));
        err = rkt_error_free(err);
        get(f, TOKEN, "/pod/uuid", &a);
        assert_int_equal(a.status, 401);
        assert_int_equal(mds_register_pod(f->sock, UUID, pod_manifest, strlen(pod_manifest), TOKEN, NULL,
                                          unknown_app, 1, &err),
                         -EINVAL);
        assert_non_null(strstr(err->message, "has no app 'other'"));
        err = rkt_error_free(err);

        /* Checked before anything is sent. */
        assert_int_equal(mds_register_pod(f->sock, "bad", pod_manifest, strlen(pod_manifest), TOKEN, NULL,
                                          NULL, 0, NULL),
                         -EINVAL);
        assert_int_equal(mds_register_pod(f->sock, UUID, pod_manifest, strlen(pod_manifest), "bad token",
                                          NULL, NULL, 0, NULL),
                         -EINVAL);
        assert_int_equal(mds_unregister_pod(f->sock, "bad", NULL), -EINVAL);

        /* No service. */
        snprintf(missing, sizeof(missing), "%s/missing.sock", f->dir);
        assert_int_equal(mds_register_pod(missing, UUID, pod_manifest, strlen(pod_manifest), TOKEN, NULL,
                                          NULL, 0, &err),
                         -ECONNREFUSED);
        assert_non_null(strstr(err->message, "could not reach the metadata service"));
        assert_non_null(strstr(err->message, missing));
        err = rkt_error_free(err);
        assert_int_equal(mds_unregister_pod(missing, UUID, &err), -ECONNREFUSED);
}

static void test_pod_dir(void **state) {
        Fixture *f = *state;
        _cleanup_error_ RktError *err = NULL;
        _cleanup_close_ int dfd = -1;
        char pod[160], app[200];
        Answer a;
        int r;

        snprintf(pod, sizeof(pod), "%s/pod", f->dir);
        snprintf(app, sizeof(app), "%s/stage1/rootfs/opt/stage2/main", pod);
        assert_int_equal(mkdir_p(app, 0755), 0);
        dfd = open(pod, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);

        /* Never registered: nothing to do, nothing sent. */
        assert_int_equal(mds_unregister_pod_at(dfd, "/nonexistent/socket", UUID, NULL), 0);

        assert_int_equal(write_file_atomic_at(dfd, "pod", pod_manifest, strlen(pod_manifest), 0644), 0);
        assert_int_equal(mds_register_pod_at(dfd, f->sock, UUID, TOKEN, NULL, &err), -ENOENT);
        assert_non_null(
                strstr(err->message,
                       "app 'main': reading its image manifest stage1/rootfs/opt/stage2/main/manifest"));
        err = rkt_error_free(err);
        assert_int_equal(faccessat(dfd, MDS_REGISTERED_FILE, F_OK, 0), -1);

        assert_int_equal(write_file_atomic_at(dfd, "stage1/rootfs/opt/stage2/main/manifest", image_main,
                                              strlen(image_main), 0644),
                         0);
        r = mds_register_pod_at(dfd, f->sock, UUID, TOKEN, "10.0.0.2", &err);
        if (r < 0)
                fail_msg("%s", rkt_error_message(err, r));
        assert_int_equal(faccessat(dfd, MDS_REGISTERED_FILE, F_OK, 0), 0);
        get(f, TOKEN, "/apps/main/image/manifest", &a);
        assert_int_equal(a.status, 200);
        assert_string_equal(a.body, image_main);

        assert_int_equal(mds_unregister_pod_at(dfd, f->sock, UUID, NULL), 0);
        get(f, TOKEN, "/pod/uuid", &a);
        assert_int_equal(a.status, 401);
        /* Already gone (a restarted service): not an error for gc. */
        assert_int_equal(mds_unregister_pod_at(dfd, f->sock, UUID, NULL), 0);
        /* But a service that is not there is. */
        assert_int_equal(mds_unregister_pod_at(dfd, "/nonexistent/socket", UUID, NULL), -ECONNREFUSED);
}

static void test_forms_over_http(void **state) {
        Fixture *f = *state;
        char url[256], body[512];
        Answer sig, a;
        curl_mime *mime;
        curl_mimepart *part;
        CURL *c;

        register_main(f, UUID, TOKEN);
        snprintf(url, sizeof(url), "%s/%s/acMetadata/v1/pod/hmac/sign", f->base, TOKEN);
        /* As Go's url.Values.Encode sends it: '+' for spaces. */
        http("POST", url, "content=Old+MacDonald+Had+A+Farm", 32, "application/x-www-form-urlencoded", NULL,
             &sig);
        assert_int_equal(sig.status, 200);
        assert_string_equal(sig.type, "text/plain; charset=us-ascii");
        assert_int_equal(sig.len, 88);

        c = curl_easy_init();
        assert_non_null(c);
        {
                char *esc = curl_easy_escape(c, sig.body, 0);
                snprintf(body, sizeof(body),
                         "content=Old%%20MacDonald%%20Had%%20A%%20Farm&uuid=%s&signature=%s", UUID, esc);
                curl_free(esc);
        }
        snprintf(url, sizeof(url), "%s/%s/acMetadata/v1/pod/hmac/verify", f->base, TOKEN);
        http("POST", url, body, strlen(body), "application/x-www-form-urlencoded", NULL, &a);
        assert_int_equal(a.status, 200);
        assert_string_equal(a.type, "text/plain; charset=us-ascii");

        /* The same as a multipart form, which Go's FormValue reads too. */
        mime = curl_mime_init(c);
        part = curl_mime_addpart(mime);
        curl_mime_name(part, "content");
        curl_mime_data(part, "Old MacDonald Had A Farm", CURL_ZERO_TERMINATED);
        part = curl_mime_addpart(mime);
        curl_mime_name(part, "uuid");
        curl_mime_data(part, UUID, CURL_ZERO_TERMINATED);
        part = curl_mime_addpart(mime);
        curl_mime_name(part, "signature");
        curl_mime_data(part, sig.body, CURL_ZERO_TERMINATED);
        http("POST", url, NULL, 0, NULL, mime, &a);
        assert_int_equal(a.status, 200);
        curl_mime_free(mime);
        curl_easy_cleanup(c);

        /* Tampered content. */
        body[strlen("content=O")] = 'X';
        http("POST", url, body, strlen(body), "application/x-www-form-urlencoded", NULL, &a);
        assert_int_equal(a.status, 403);

        /* Form fields in the URL count too (after the body's). */
        snprintf(url, sizeof(url), "%s/%s/acMetadata/v1/pod/hmac/sign?content=Old+MacDonald+Had+A+Farm",
                 f->base, TOKEN);
        http("POST", url, NULL, 0, NULL, NULL, &a);
        assert_int_equal(a.status, 200);
        assert_string_equal(a.body, sig.body);
        http("POST", url, "content=other", 13, "application/x-www-form-urlencoded", NULL, &a);
        assert_int_equal(a.status, 200);
        assert_string_not_equal(a.body, sig.body);

        /* A body of another type is no form. */
        snprintf(url, sizeof(url), "%s/%s/acMetadata/v1/pod/hmac/sign", f->base, TOKEN);
        http("POST", url, "content=x", 9, "text/plain", NULL, &a);
        assert_int_equal(a.status, 400);
}

static void test_limits_and_methods(void **state) {
        Fixture *f = *state;
        char url[256];
        size_t big = MDS_PUBLIC_BODY_MAX + 1024;
        char *body = malloc(big);
        Answer a;

        assert_non_null(body);
        register_main(f, UUID, TOKEN);
        memcpy(body, "content=", 8);
        memset(body + 8, 'a', big - 8);
        snprintf(url, sizeof(url), "%s/%s/acMetadata/v1/pod/hmac/sign", f->base, TOKEN);
        http("POST", url, body, big, "application/x-www-form-urlencoded", NULL, &a);
        assert_int_equal(a.status, 413);
        free(body);

        snprintf(url, sizeof(url), "%s/%s/acMetadata/v1/pod/uuid", f->base, TOKEN);
        http("POST", url, "", 0, NULL, NULL, &a);
        assert_int_equal(a.status, 405);
        /* Still serving after all that. */
        get(f, TOKEN, "/pod/uuid", &a);
        assert_int_equal(a.status, 200);
}

/* A connection from src (a loopback address) to the public port; -1 when it fails. */
static int connect_from(Fixture *f, const char *src) {
        struct sockaddr_in sa = {.sin_family = AF_INET}, from = {.sin_family = AF_INET};
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        assert_true(fd >= 0);
        assert_int_equal(inet_pton(AF_INET, src, &from.sin_addr), 1);
        assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr), 1);
        sa.sin_port = htons((uint16_t) atoi(strrchr(f->base, ':') + 1));
        assert_int_equal(bind(fd, (struct sockaddr *) &from, sizeof(from)), 0);
        assert_int_equal(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        return fd;
}

/* Sends request on a new connection from src and returns the status of the answer, 0 when the server
 * closed the connection without one. */
static int raw_request(Fixture *f, const char *src, const char *request, size_t size) {
        char buf[64] = {};
        size_t got = 0;
        int fd = connect_from(f, src), status = 0;
        ssize_t n;

        /* The server may close a refused connection before everything is sent. */
        (void) send(fd, request, size, MSG_NOSIGNAL);
        while (got < sizeof(buf) - 1 && (n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) > 0)
                got += (size_t) n;
        if (got >= 12 && strncmp(buf, "HTTP/1.", 7) == 0)
                status = atoi(buf + 9);
        close(fd);
        return status;
}

static void test_connection_and_header_limits(void **state) {
        Fixture *f = *state;
        static const char uuid_req[] = "GET /" TOKEN "/acMetadata/v1/pod/uuid HTTP/1.1\r\nHost: x\r\n"
                                       "Metadata-Flavor: AppContainer\r\nConnection: close\r\n\r\n";
        int held[MDS_PUBLIC_CONNECTIONS_PER_IP];
        size_t big = 64 * 1024;
        char *huge = malloc(big + 256);
        Answer a;
        int k;

        register_main(f, UUID, TOKEN);
        assert_int_equal(raw_request(f, "127.0.0.2", uuid_req, strlen(uuid_req)), 200);

        /* One address holding as many idle connections as it may: its next one is closed unanswered, */
        for (size_t i = 0; i < ELEMENTSOF(held); i++)
                held[i] = connect_from(f, "127.0.0.2");
        assert_int_equal(raw_request(f, "127.0.0.2", uuid_req, strlen(uuid_req)), 0);
        /* while another address (another pod) is served, and root still registers. */
        assert_int_equal(raw_request(f, "127.0.0.3", uuid_req, strlen(uuid_req)), 200);
        register_main(f, UUID2, TOKEN "2");
        get(f, TOKEN "2", "/pod/uuid", &a);
        assert_int_equal(a.status, 200);
        for (size_t i = 0; i < ELEMENTSOF(held); i++)
                close(held[i]);

        /* Headers beyond the connection's memory: 431, and the service goes on. */
        assert_non_null(huge);
        k = snprintf(huge, 256, "GET /%s/acMetadata/v1/pod/uuid HTTP/1.1\r\nHost: x\r\nX-Big: ", TOKEN);
        memset(huge + k, 'a', big);
        memcpy(huge + k + big, "\r\n\r\n", 4);
        assert_int_equal(raw_request(f, "127.0.0.4", huge, (size_t) k + big + 4), 431);
        free(huge);
        assert_int_equal(raw_request(f, "127.0.0.4", uuid_req, strlen(uuid_req)), 200);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_token_new),
                cmocka_unit_test_setup_teardown(test_socket_mode, setup, teardown),
                cmocka_unit_test_setup_teardown(test_listen_unix_conflicts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_register_and_query, setup, teardown),
                cmocka_unit_test_setup_teardown(test_register_failures, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pod_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_forms_over_http, setup, teardown),
                cmocka_unit_test_setup_teardown(test_limits_and_methods, setup, teardown),
                cmocka_unit_test_setup_teardown(test_connection_and_header_limits, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
