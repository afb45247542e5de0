/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>

#include "aci-extract.h"
#include "aci-write.h"
#include "cleanup.h"
#include "digest.h"
#include "dl.h"
#include "docker.h"
#include "format.h"
#include "fs.h"
#include "insecure.h"
#include "strv.h"

/* Manifests and image configs are small; a config carries the image's history, so allow some room. */
#define MANIFEST_MAX (4u * 1024 * 1024)
#define CONFIG_MAX (16u * 1024 * 1024)

typedef struct Registry {
        HttpClient *http;
        const RktConfig *config;
        const FetchOptions *o;
        const DockerRef *ref;
        const char *scheme;
        char *authorization; /* the "Authorization: …" line that the registry accepted last */
        /* the host[:port] of the token server that the registry's credentials were kept from, if they
         * were: another host than the registry's (for the message when the registry refuses the token) */
        char *withheld_from;
} Registry;

static void drop_authorization(Registry *g) {
        if (g->authorization) {
                explicit_bzero(g->authorization, strlen(g->authorization));
                g->authorization = mfree(g->authorization);
        }
}

static void registry_done(Registry *g) {
        drop_authorization(g);
        g->withheld_from = mfree(g->withheld_from);
}

static int sha256_mem(const void *p, size_t n, char ret[static 7 + 64 + 1]) {
        char hex[DIGEST_HEX_MAX];

        digest_buffer_hex(DIGEST_SHA256, p, n, hex);
        strcpy(stpcpy(ret, "sha256:"), hex);
        return 0;
}

static int sha256_fd(int fd, char ret[static 7 + 64 + 1], uint64_t *ret_size) {
        _cleanup_free_ char *buf = malloc(256 * 1024);
        char hex[DIGEST_HEX_MAX];
        uint64_t size = 0;
        Digest md;
        int r;

        if (!buf)
                return -ENOMEM;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return negative_errno();
        r = digest_init(&md, DIGEST_SHA256, NULL);
        if (r < 0)
                return r;
        for (;;) {
                ssize_t n = read(fd, buf, 256 * 1024);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                digest_update(&md, buf, (size_t) n);
                size += (uint64_t) n;
        }
        digest_final_hex(&md, hex);
        strcpy(stpcpy(ret, "sha256:"), hex);
        *ret_size = size;
        return 0;
}

static const DockerAuthEntry *find_docker_auth(const RktConfig *c, const char *registry) {
        for (size_t i = 0; c && i < c->n_docker_auth; i++)
                if (strcasecmp(c->docker_auth[i].registry, registry) == 0)
                        return &c->docker_auth[i];
        return NULL;
}

static int basic_header(const DockerAuthEntry *a, char **ret) {
        AuthEntry e = {.type = AUTH_BASIC, .user = a->user, .password = a->password};
        return auth_entry_header(&e, ret, NULL);
}

/* The credentials for the token server on realm_host[port]: the registry's own when it is the registry's
 * host (docker_realm_is_registry_host), otherwise those auth.d configures for the token server's
 * host[:port] itself, if any. The registry's credentials never go to another host than the one they are
 * configured for: a registry could otherwise name any server as its realm and have them sent there. */
static const DockerAuthEntry *token_auth(Registry *g, const char *realm_host, const char *realm_hostport) {
        if (docker_realm_is_registry_host(g->ref->registry, realm_host))
                return find_docker_auth(g->config, g->ref->registry);
        return find_docker_auth(g->config, realm_hostport);
}

/* The token dance of the Docker Registry API: ask the realm of the challenge for a token for the scope,
 * with the dockerAuth credentials token_auth() picks (anonymous without any). */
static int get_token(Registry *g, const DockerChallenge *ch, RktError **reterr) {
        _cleanup_free_ char *url = NULL, *scope = NULL, *basic = NULL, *token = NULL, *host = NULL,
                            *hostport = NULL;
        const DockerAuthEntry *a;
        HttpResponse resp = {};
        HttpRequest rq = {.fd = -1, .max_size = 1024 * 1024, .accept_unauthorized = true};
        char *esc_service = NULL, *esc_scope = NULL;
        int r;

        if (!ch->realm)
                return rkt_error_set(reterr, -EPROTO,
                                     "registry '%s' asked for a token without naming a realm",
                                     g->ref->registry);
        r = http_url_split(ch->realm, NULL, &host, &hostport);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return rkt_error_set(reterr, -EPROTO, "registry '%s' named a token server that is not a URL",
                                     g->ref->registry);
        a = token_auth(g, host, hostport);
        g->withheld_from = mfree(g->withheld_from);
        if (!a && find_docker_auth(g->config, g->ref->registry) && !(g->withheld_from = strdup(hostport)))
                return -ENOMEM;
        if (!ch->scope && asprintf(&scope, "repository:%s:pull", g->ref->repository) < 0)
                return -ENOMEM;
        esc_scope = sym_curl_easy_escape(NULL, ch->scope ?: scope, 0);
        esc_service = ch->service ? sym_curl_easy_escape(NULL, ch->service, 0) : NULL;
        r = asprintf(&url, "%s%sscope=%s%s%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?",
                     strempty(esc_scope), esc_service ? "&service=" : "", strempty(esc_service));
        sym_curl_free(esc_scope);
        sym_curl_free(esc_service);
        if (r < 0)
                return -ENOMEM;
        if (a && basic_header(a, &basic) < 0)
                return -ENOMEM;
        rq.url = url;
        rq.authorization = basic;
        r = http_get(g->http, &rq, &resp, reterr);
        if (basic)
                explicit_bzero(basic, strlen(basic));
        if (r < 0)
                return rkt_error_prefix(reterr, r, "the token server '%s'", ch->realm);
        if (resp.status == 401) {
                http_response_done(&resp);
                if (a)
                        return rkt_error_set(
                                reterr, -EACCES,
                                "the token server '%s' refused the dockerAuth credentials for '%s'",
                                ch->realm, a->registry);
                return rkt_error_set(reterr, -EACCES,
                                     "the token server '%s' needs credentials: configure them in a "
                                     "'dockerAuth' file in auth.d",
                                     ch->realm);
        }
        r = docker_token_parse(resp.body ?: "", resp.body ? resp.size : 0, &token, reterr);
        if (resp.body)
                explicit_bzero(resp.body, resp.size);
        http_response_done(&resp);
        if (r < 0)
                return r == -ENOMEM ? r
                                    : rkt_error_prefix(reterr, -EPROTO, "the token server '%s'", ch->realm);
        drop_authorization(g);
        r = asprintf(&g->authorization, "Authorization: Bearer %s", token) < 0 ? -ENOMEM : 0;
        explicit_bzero(token, strlen(token));
        return r;
}

/* Answers a 401: a token for Bearer, the dockerAuth credentials for Basic. */
static int authenticate(Registry *g, const char *www_authenticate, RktError **reterr) {
        _cleanup_(docker_challenge_done) DockerChallenge ch = {};
        const DockerAuthEntry *a = find_docker_auth(g->config, g->ref->registry);
        int r;

        if (!www_authenticate || docker_challenge_parse(www_authenticate, &ch) < 0)
                return rkt_error_set(reterr, -EACCES,
                                     "registry '%s' refused access without saying how to authenticate",
                                     g->ref->registry);
        if (streq(ch.scheme, "bearer"))
                return get_token(g, &ch, reterr);
        if (!streq(ch.scheme, "basic"))
                return rkt_error_set(reterr, -EACCES,
                                     "registry '%s' asks for unsupported authentication '%s'",
                                     g->ref->registry, ch.scheme);
        if (!a)
                return rkt_error_set(
                        reterr, -EACCES,
                        "registry '%s' needs credentials: configure them in a 'dockerAuth' file in auth.d",
                        g->ref->registry);
        drop_authorization(g);
        r = basic_header(a, &g->authorization);
        return r;
}

/* A GET against the registry that authenticates when it is asked to, once. */
static int registry_get(Registry *g, HttpRequest *rq, HttpResponse *ret, RktError **reterr) {
        for (unsigned attempt = 0;; attempt++) {
                int r;

                rq->accept_unauthorized = true;
                rq->authorization = g->authorization;
                r = http_get(g->http, rq, ret, reterr);
                if (r < 0)
                        return r;
                if (ret->status != 401)
                        return 0;
                if (attempt > 0) {
                        http_response_done(ret);
                        if (g->withheld_from)
                                return rkt_error_set(
                                        reterr, -EACCES,
                                        "bad HTTP status code: 401 (Unauthorized) from '%s': the dockerAuth "
                                        "credentials for '%s' were not sent to its token server on another "
                                        "host, '%s' (name '%s' among their registries to send them there)",
                                        rq->url, g->ref->registry, g->withheld_from, g->withheld_from);
                        return rkt_error_set(reterr, -EACCES,
                                             "bad HTTP status code: 401 (Unauthorized) from '%s'%s", rq->url,
                                             find_docker_auth(g->config, g->ref->registry)
                                                     ? ": the dockerAuth credentials were refused"
                                                     : "; credentials go in a 'dockerAuth' file in auth.d");
                }
                r = authenticate(g, ret->www_authenticate, reterr);
                http_response_done(ret);
                if (r < 0)
                        return r;
        }
}

static int get_manifest(Registry *g, const char *reference, char **ret_body, size_t *ret_size,
                        char **ret_type, char ret_digest[static 7 + 64 + 1], RktError **reterr) {
        static char *const accept[] = {"Accept: " DOCKER_MEDIA_MANIFEST ", " OCI_MEDIA_MANIFEST
                                       ", " DOCKER_MEDIA_MANIFEST_LIST ", " OCI_MEDIA_INDEX,
                                       NULL};
        _cleanup_free_ char *url = NULL;
        HttpResponse resp = {};
        HttpRequest rq = {.fd = -1, .max_size = MANIFEST_MAX, .headers = accept};
        int r;

        if (asprintf(&url, "%s://%s/v2/%s/manifests/%s", g->scheme, g->ref->registry, g->ref->repository,
                     reference) < 0)
                return -ENOMEM;
        rq.url = url;
        r = registry_get(g, &rq, &resp, reterr);
        if (r < 0)
                return r;
        r = sha256_mem(resp.body, resp.size, ret_digest);
        if (r >= 0 && startswith(reference, "sha256:") && !streq(reference, ret_digest))
                r = rkt_error_set(reterr, -EBADMSG,
                                  "manifest '%s': the registry sent content with digest '%s'", reference,
                                  ret_digest);
        if (r < 0) {
                http_response_done(&resp);
                return r;
        }
        *ret_body = TAKE_PTR(resp.body);
        *ret_size = resp.size;
        *ret_type = TAKE_PTR(resp.content_type);
        http_response_done(&resp);
        return 0;
}

static int get_config(Registry *g, const char *digest, char **ret, size_t *ret_size, RktError **reterr) {
        _cleanup_free_ char *url = NULL;
        char got[7 + 64 + 1];
        HttpResponse resp = {};
        HttpRequest rq = {.fd = -1, .max_size = CONFIG_MAX};
        int r;

        if (asprintf(&url, "%s://%s/v2/%s/blobs/%s", g->scheme, g->ref->registry, g->ref->repository,
                     digest) < 0)
                return -ENOMEM;
        rq.url = url;
        r = registry_get(g, &rq, &resp, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "image config '%s'", digest);
        r = sha256_mem(resp.body, resp.size, got);
        if (r >= 0 && !streq(got, digest))
                r = rkt_error_set(reterr, -EBADMSG,
                                  "image config '%s': digest mismatch (the content is '%s')", digest, got);
        if (r < 0) {
                http_response_done(&resp);
                return r;
        }
        *ret = TAKE_PTR(resp.body);
        *ret_size = resp.size;
        http_response_done(&resp);
        return 0;
}

/* Layers are downloaded up to this many at once (as docker and podman do), each into its own file with a
 * client of its own; all are checked before any is applied, in the manifest's order. */
#define PARALLEL_LAYERS_DEFAULT 3u
#define PARALLEL_LAYERS_MAX 16u

typedef struct LayerProgress {
        const FetchOptions *o;
        pthread_mutex_t *lock; /* the caller's callback is called by one thread at a time */
        char label[64];
        bool started;
        uint64_t done, total;
} LayerProgress;

static void progress_call(LayerProgress *p, uint64_t done, uint64_t total, bool final) {
        pthread_mutex_lock(p->lock);
        p->o->progress(p->label, done, total, final, p->o->userdata);
        pthread_mutex_unlock(p->lock);
}

static void layer_progress(uint64_t done, uint64_t total, void *userdata) {
        LayerProgress *p = userdata;

        p->started = true;
        p->done = done;
        p->total = total;
        progress_call(p, done, total, false);
}

typedef struct LayerJob {
        const DockerDescriptor *l;
        int fd;            /* the cached layer, or -1 */
        StoreLayerWrite w; /* the download, when not cached */
        int r;
        bool attempted; /* a worker took it */
        bool bad;       /* the content is wrong: do not keep it to resume */
        RktError *err;
        LayerProgress p;
} LayerJob;

/* The content of the job's file is the layer: its digest and size. */
static int layer_check(LayerJob *j) {
        char got[7 + 64 + 1];
        uint64_t size = 0;
        int r = sha256_fd(j->w.fd, got, &size);

        if (r < 0)
                return rkt_error_set(&j->err, r, "layer '%s': cannot hash the download: %s", j->l->digest,
                                     strerror(-r));
        j->bad = true;
        if (!streq(got, j->l->digest))
                return rkt_error_set(&j->err, -EBADMSG,
                                     "layer '%s': digest mismatch (the downloaded content is '%s')",
                                     j->l->digest, got);
        if (j->l->size > 0 && size != j->l->size)
                return rkt_error_set(&j->err, -EBADMSG, "layer '%s': %llu bytes, the manifest says %llu",
                                     j->l->digest, (unsigned long long) size,
                                     (unsigned long long) j->l->size);
        j->bad = false;
        return 0;
}

/* Downloads the job's layer into its file, resuming what an interrupted download left there, and checks it.
 * Touches no shared state but the progress callback (under its lock). */
static int layer_download(Registry *g, LayerJob *j) {
        _cleanup_free_ char *url = NULL, *validator = NULL;
        HttpResponse resp = {};
        HttpRequest rq = {};
        struct stat st;
        int r;

        /* Left complete by a fetch that was stopped before it stored it. */
        if (j->w.resumable && j->l->size > 0 && fstat(j->w.fd, &st) == 0 &&
            (uint64_t) st.st_size == j->l->size) {
                if (layer_check(j) >= 0)
                        return 0;
                j->err = rkt_error_free(j->err);
                j->bad = false;
        }
        if (asprintf(&url, "%s://%s/v2/%s/blobs/%s", g->scheme, g->ref->registry, g->ref->repository,
                     j->l->digest) < 0)
                return -ENOMEM;
        /* A blob is named by its digest, which registries give as its ETag: If-Range with it resumes the
         * partial file, and any other answer restarts it. What it held is checked with the rest. */
        if (j->w.resumable && asprintf(&validator, "\"%s\"", j->l->digest) < 0)
                return -ENOMEM;
        snprintf(j->p.label, sizeof(j->p.label), "Downloading layer %.19s", j->l->digest);
        for (unsigned attempt = 0;; attempt++) {
                uint64_t resumed;

                resp = (HttpResponse){};
                rq = (HttpRequest){.url = url,
                                   .fd = j->w.fd,
                                   .resume_etag = validator,
                                   .progress = g->o->progress ? layer_progress : NULL,
                                   .progress_userdata = &j->p};
                r = registry_get(g, &rq, &resp, &j->err);
                if (j->p.started)
                        progress_call(&j->p, r >= 0 ? resp.size : j->p.done, r >= 0 ? resp.size : j->p.total,
                                      true);
                resumed = resp.resumed_bytes;
                http_response_done(&resp);
                if (r < 0)
                        return rkt_error_prefix(&j->err, r, "layer '%s'", j->l->digest);
                r = layer_check(j);
                /* A resumed download that does not add up: its first part was wrong. Once more, whole. */
                if (r >= 0 || resumed == 0 || attempt > 0)
                        return r;
                j->err = rkt_error_free(j->err);
                j->bad = false;
                validator = mfree(validator);
                if (ftruncate(j->w.fd, 0) < 0)
                        return rkt_error_set(&j->err, negative_errno(), "layer '%s': %m", j->l->digest);
        }
}

typedef struct LayerQueue {
        const Registry *g;
        LayerJob *jobs;
        size_t n, next;
        pthread_mutex_t lock; /* next; the progress callback */
} LayerQueue;

/* A worker: its own client and credentials, the next job not taken until none is left. */
static void *layer_worker(void *userdata) {
        LayerQueue *q = userdata;
        Registry g = *q->g;
        RktError *err = NULL;
        int r;

        g.authorization = q->g->authorization ? strdup(q->g->authorization) : NULL;
        r = (q->g->authorization && !g.authorization) ? -ENOMEM
                                                      : http_client_clone(q->g->http, &g.http, &err);
        for (;;) {
                LayerJob *j = NULL;

                pthread_mutex_lock(&q->lock);
                while (q->next < q->n && !j) {
                        LayerJob *c = &q->jobs[q->next++];
                        /* Not cached, and not a second mention of a layer (that one shares the first's). */
                        if (c->w.fd >= 0)
                                j = c;
                }
                pthread_mutex_unlock(&q->lock);
                if (!j)
                        break;
                if (r < 0) {
                        j->attempted = true;
                        j->r = err ? rkt_error_set(&j->err, r, "%s", rkt_error_message(err, r)) : r;
                        continue;
                }
                j->attempted = true;
                j->r = layer_download(&g, j);
        }
        if (r >= 0)
                http_client_free(g.http);
        rkt_error_free(err);
        registry_done(&g);
        return NULL;
}

static unsigned parallel_layers(const FetchOptions *o) {
        const char *e = getenv("RKT_DOCKER_PARALLEL_LAYERS");
        unsigned n = o->parallel_layers;

        if (n == 0 && e) {
                char *end;
                unsigned long v = strtoul(e, &end, 10);
                if (*e && !*end && v > 0)
                        n = (unsigned) MIN(v, (unsigned long) PARALLEL_LAYERS_MAX);
        }
        return n == 0 ? PARALLEL_LAYERS_DEFAULT : MIN(n, PARALLEL_LAYERS_MAX);
}

/* Every layer of the manifest as an fd, in its order: from the cache, or downloaded (several at once) and
 * checked, then put into the cache. A download that fails keeps its partial file for the next fetch. */
static int get_layers(Registry *g, Store *s, const DockerManifest *m, int *fds, RktError **reterr) {
        LayerQueue q = {.g = g, .n = m->n_layers};
        pthread_t threads[PARALLEL_LAYERS_MAX];
        size_t n_threads = 0, missing = 0;
        int r = 0;

        q.jobs = calloc(m->n_layers + 1, sizeof(LayerJob));
        if (!q.jobs)
                return -ENOMEM;
        pthread_mutex_init(&q.lock, NULL);
        for (size_t i = 0; i < m->n_layers; i++)
                q.jobs[i] = (LayerJob){
                        .l = &m->layers[i], .fd = -1, .w = {.fd = -1}, .p = {.o = g->o, .lock = &q.lock}};
        for (size_t i = 0; i < m->n_layers && r >= 0; i++) {
                LayerJob *j = &q.jobs[i];
                bool dup = false;

                /* A layer listed twice is downloaded once. */
                for (size_t k = 0; k < i && !dup; k++)
                        dup = streq(q.jobs[k].l->digest, j->l->digest);
                if (dup)
                        continue;
                j->fd = store_layer_open(s, j->l->digest);
                if (j->fd >= 0)
                        continue;
                if (j->fd != -ENOENT) {
                        r = rkt_error_set(reterr, j->fd, "layer '%s': cannot open the cached copy: %s",
                                          j->l->digest, strerror(-j->fd));
                        j->fd = -1;
                        break;
                }
                j->fd = -1;
                r = store_layer_begin(s, j->l->digest, &j->w, reterr);
                if (r >= 0)
                        missing++;
        }
        if (r >= 0 && missing > 0) {
                size_t want = MIN((size_t) parallel_layers(g->o), missing);
                while (n_threads < want && pthread_create(&threads[n_threads], NULL, layer_worker, &q) == 0)
                        n_threads++;
                if (n_threads == 0)
                        layer_worker(&q); /* no thread to be had: here, one after the other */
                for (size_t t = 0; t < n_threads; t++)
                        pthread_join(threads[t], NULL);
        }
        /* In the manifest's order: the first failure is the one reported. A checked download is stored even
         * then, wrong content is dropped, and what an interrupted (or never started) download holds is kept.
         */
        for (size_t i = 0; i < m->n_layers; i++) {
                LayerJob *j = &q.jobs[i];

                if (j->w.fd >= 0 && j->r < 0)
                        (void) rkt_error_set(reterr, j->r, "%s", rkt_error_message(j->err, j->r));
                if (j->w.fd >= 0 && j->r < 0 && r >= 0)
                        r = j->r;
                if (j->w.fd >= 0 && j->attempted && j->r >= 0) {
                        int k;
                        j->fd = fcntl(j->w.fd, F_DUPFD_CLOEXEC, 3);
                        k = j->fd < 0
                                    ? rkt_error_set(reterr, negative_errno(), "layer '%s': %m", j->l->digest)
                                    : store_layer_commit(s, &j->w, reterr);
                        if (k < 0) {
                                j->fd = safe_close(j->fd);
                                store_layer_suspend(s, &j->w);
                                if (r >= 0)
                                        r = k;
                        }
                } else if (j->w.fd >= 0 && j->bad)
                        store_layer_abort(s, &j->w);
                else if (j->w.fd >= 0)
                        store_layer_suspend(s, &j->w);
                rkt_error_free(j->err);
        }
        for (size_t i = 0; i < m->n_layers; i++) {
                if (r >= 0 && q.jobs[i].fd < 0)
                        for (size_t k = 0; k < i; k++)
                                if (streq(q.jobs[k].l->digest, q.jobs[i].l->digest) && q.jobs[k].fd >= 0) {
                                        q.jobs[i].fd = fcntl(q.jobs[k].fd, F_DUPFD_CLOEXEC, 3);
                                        if (q.jobs[i].fd < 0)
                                                r = rkt_error_set(reterr, negative_errno(), "layer '%s': %m",
                                                                  q.jobs[i].l->digest);
                                        break;
                                }
                fds[i] = q.jobs[i].fd;
        }
        pthread_mutex_destroy(&q.lock);
        free(q.jobs);
        return r;
}

/* Squashes the layers into rootfs/ of a scratch directory, writes the ACI and imports it. */
static int convert(Registry *g, Store *s, const DockerManifest *m, const AppcImageManifest *am,
                   const char *origin, char **ret_id, RktError **reterr) {
        _cleanup_free_ char *work = NULL, *rootfs = NULL, *json = NULL;
        _cleanup_close_ int rootfs_fd = -1, aci = -1;
        ImageBudget budget = {.limits = {.max_size = g->o->max_image_size}};
        int *fds;
        int r;

        /* Unprivileged, the extracted files would belong to the caller and the ACI would say so. */
        if (geteuid() != 0)
                return rkt_error_set(
                        reterr, -EPERM,
                        "converting a docker image needs root, to keep the owners of its files");
        /* All layers are fetched and checked before any of them is applied. */
        fds = calloc(m->n_layers + 1, sizeof(int));
        if (!fds)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_layers; i++)
                fds[i] = -1;
        r = get_layers(g, s, m, fds, reterr);
        if (r < 0)
                goto finish;

        r = store_mkdtemp(s, &work, reterr);
        if (r < 0)
                goto finish;
        if (asprintf(&rootfs, "%s/rootfs", work) < 0) {
                r = -ENOMEM;
                goto finish;
        }
        if (mkdir(rootfs, 0755) < 0 || (rootfs_fd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
                r = rkt_error_set(reterr, negative_errno(), "cannot create '%s': %m", rootfs);
                goto finish;
        }
        for (size_t i = 0; i < m->n_layers; i++) {
                r = aci_extract_layer_fd_budget(fds[i], rootfs_fd, 0, &budget, reterr);
                if (r < 0) {
                        r = rkt_error_prefix(reterr, r, "layer '%s'", m->layers[i].digest);
                        goto finish;
                }
        }
        r = appc_image_manifest_to_json(am, &json, reterr);
        if (r < 0)
                goto finish;
        aci = store_tmpfile(s, reterr);
        if (aci < 0) {
                r = aci;
                goto finish;
        }
        r = aci_write_dir_uncompressed(aci, json, strlen(json), rootfs, reterr);
        if (r >= 0 && lseek(aci, 0, SEEK_SET) < 0)
                r = rkt_error_set(reterr, negative_errno(), "cannot rewind the converted image: %m");
        if (r >= 0)
                r = store_import_fd(s, aci, origin, ret_id, NULL, reterr);
finish:
        for (size_t i = 0; i < m->n_layers; i++)
                safe_close(fds[i]);
        free(fds);
        if (work)
                (void) rm_rf_at(AT_FDCWD, work);
        return r;
}

static int docker_fetch_ref(Store *s, Registry *g, const char *canonical, char **ret_id, RktError **reterr) {
        _cleanup_(remote_record_freep) RemoteRecord *rem = NULL;
        _cleanup_(docker_manifest_freep) DockerManifest *m = NULL;
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *am = NULL;
        _cleanup_free_ char *body = NULL, *type = NULL, *config = NULL, *id = NULL;
        const FetchOptions *o = g->o;
        const char *os = NULL, *arch = NULL;
        char digest[7 + 64 + 1];
        size_t size = 0, config_size = 0;
        RemoteRecord nrem;
        int r;

        if (store_get_remote(s, canonical, &rem) < 0)
                rem = NULL;
        if (rem && o->pull_policy != PULL_UPDATE)
                return (*ret_id = strdup(rem->id)) ? 0 : -ENOMEM;
        if (o->pull_policy == PULL_NEVER)
                return rkt_error_set_hint(reterr, -ENOENT, RKT_HINT_PULL_NEVER_FORBIDS, NULL,
                                          "not in the store");

        r = get_manifest(g, g->ref->digest ?: g->ref->tag, &body, &size, &type, digest, reterr);
        if (r < 0)
                return r;
        r = docker_manifest_parse(body, size, type, &m, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "manifest '%s'", digest);
        if (m->is_list) {
                const DockerDescriptor *d = NULL;
                (void) appc_host_os_arch(&os, &arch);
                r = docker_manifest_pick(m, strna(os), strna(arch), &d, reterr);
                if (r < 0)
                        return r;
                body = mfree(body);
                type = mfree(type);
                r = get_manifest(g, d->digest, &body, &size, &type, digest, reterr);
                if (r < 0)
                        return r;
                m = docker_manifest_free(m);
                r = docker_manifest_parse(body, size, type, &m, reterr);
                if (r < 0)
                        return rkt_error_prefix(reterr, r, "manifest '%s'", digest);
                if (m->is_list)
                        return rkt_error_set(reterr, -EBADMSG, "manifest '%s' is a list inside a list",
                                             digest);
        }
        /* The same manifest as last time: the stored image is it. */
        if (rem && streq_ptr(rem->etag, digest)) {
                rem->download_time = now_usec();
                (void) store_put_remote(s, rem, NULL);
                return (*ret_id = strdup(rem->id)) ? 0 : -ENOMEM;
        }
        r = get_config(g, m->config.digest, &config, &config_size, reterr);
        if (r < 0)
                return r;
        r = docker_config_to_manifest(config, config_size, g->ref, m->config.digest, digest, &am, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "image config '%s'", m->config.digest);
        r = convert(g, s, m, am, canonical, &id, reterr);
        if (r < 0)
                return r;

        nrem = (RemoteRecord){
                .url = (char *) canonical, .etag = digest, .id = id, .download_time = now_usec()};
        for (size_t i = 0; i < m->n_layers; i++)
                if (strv_extend(&nrem.layers, m->layers[i].digest) < 0) {
                        strv_free(nrem.layers);
                        return -ENOMEM;
                }
        /* The image is in; a missing record costs a fetch next time and lets gc take the layers. */
        (void) store_put_remote(s, &nrem, NULL);
        strv_free(nrem.layers);
        *ret_id = TAKE_PTR(id);
        return 0;
}

int docker_fetch(Store *s, HttpClient *http, const RktConfig *config, const FetchOptions *o,
                 const char *image, char **ret_id, RktError **reterr) {
        _cleanup_(docker_ref_done) DockerRef ref = {};
        _cleanup_free_ char *canonical = NULL;
        Registry g = {.http = http, .config = config, .o = o, .ref = &ref};
        int r;

        if (!(o->insecure & INSECURE_IMAGE))
                return rkt_error_set_hint(reterr, -EPERM, RKT_HINT_DOCKER_UNSIGNED, NULL,
                                          "signature verification for docker images is not supported");
        r = docker_ref_parse(image, &ref, reterr);
        if (r < 0)
                return r;
        canonical = docker_ref_canonical(&ref);
        if (!canonical)
                return -ENOMEM;
        /* As docker2aci: the registry is spoken to over https, or over plain http when that is allowed. */
        g.scheme = (o->insecure & INSECURE_HTTP) ? "http" : "https";
        r = docker_fetch_ref(s, &g, canonical, ret_id, reterr);
        registry_done(&g);
        return r;
}
