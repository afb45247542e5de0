/* SPDX-License-Identifier: Apache-2.0 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "aci-read.h"
#include "dl.h"
#include "rkt-config.h"
#include "discovery.h"
#include "docker.h"
#include "fetch-internal.h"
#include "format.h"
#include "fs.h"
#include "http.h"
#include "image-deps.h"
#include "image-ref.h"
#include "insecure.h"
#include "keystore.h"
#include "path.h"
#include "strv.h"

/* A signature or a key is a few KiB. */
#define SIGNATURE_MAX (1024 * 1024)
#define KEY_MAX (1024 * 1024)
#define MANIFEST_MAX (4u * 1024 * 1024)

int pull_policy_from_string(const char *s, PullPolicy *ret) {
        if (streq(s, "new"))
                *ret = PULL_NEW;
        else if (streq(s, "update"))
                *ret = PULL_UPDATE;
        else if (streq(s, "never"))
                *ret = PULL_NEVER;
        else
                return -EINVAL;
        return 0;
}

bool image_is_local_file(const char *image) {
        if (startswith(image, "file://"))
                return true;
        if (strstr(image, "://") || startswith(image, "docker:"))
                return false;
        return path_is_absolute(image) || startswith(image, "./") || startswith(image, "../") ||
               endswith(image, ".aci") || access(image, F_OK) == 0;
}

char *signature_location(const char *image) {
        const char *ext = endswith(image, ".aci");
        char *r = NULL;

        if (asprintf(&r, "%.*s.aci.asc", (int) (ext ? (size_t) (ext - image) : strlen(image)), image) < 0)
                return NULL;
        return r;
}

/* --- the context of one fetch --- */

static void fetch_done(Fetch *f) {
        dependency_graph_done(&f->graph, fetched_image_free_void);
        fetched_image_free(f->pending);
        strv_free(f->published);
        keystore_free(f->ks);
        rkt_config_free(f->config);
        http_client_free(f->http);
}

void fetch_notice(Fetch *f, FetchNoticeLevel level, const char *fmt, ...) {
        _cleanup_free_ char *m = NULL;
        va_list ap;

        if (!f->o->notice)
                return;
        va_start(ap, fmt);
        if (vasprintf(&m, fmt, ap) < 0)
                m = NULL;
        va_end(ap);
        if (m)
                f->o->notice(level, m, f->o->userdata);
}

static int fetch_init(Fetch *f, Store *s, const FetchOptions *o) {
        *f = (Fetch){.s = s, .o = o};
        if ((o->insecure & INSECURE_IMAGE) || o->trusted_location)
                return 0;
        return keystore_new(o->system_config, o->local_config, &f->ks);
}

/* The network side, set up on first use: credentials and the HTTP client. */
static int fetch_http(Fetch *f, RktError **reterr) {
        const char *dirs[] = {f->o->system_config ?: "/usr/lib/rkt", f->o->local_config ?: "/etc/rkt",
                              f->o->user_config};
        HttpClientOptions ho = {
                .insecure_tls = f->o->insecure & INSECURE_TLS,
                .allow_http = f->o->insecure & INSECURE_HTTP,
                .connect_timeout_usec = f->o->connect_timeout_usec,
                .stall_timeout_usec = f->o->stall_timeout_usec,
        };
        int r;

        if (f->http)
                return 0;
        r = rkt_config_load(dirs, ELEMENTSOF(dirs), &f->config, reterr);
        if (r < 0)
                return r;
        ho.config = f->config;
        r = http_client_new(&ho, &f->http, reterr);
        if (r < 0)
                return r;
        if (ho.insecure_tls)
                fetch_notice(f, FETCH_NOTICE_WARNING, "warning: TLS verification has been disabled");
        return 0;
}

/* --- reading the manifest of a downloaded image --- */

/* The image's manifest, read before the image is imported: its name picks the keyring that verifies it.
 * The import reads the same bytes again and refuses images with a second manifest, so the name seen
 * here is the name the store records. */
static int read_manifest(int fd, uint64_t max_size, AppcImageManifest **ret, RktError **reterr) {
        _cleanup_(archive_read_freep) struct archive *a = NULL;
        _cleanup_free_ char *buf = NULL;
        struct archive_entry *e;
        const ImageLimits limits = {.max_size = max_size};
        uint64_t declared = 0;
        size_t size = 0;
        int r = archive_reader_new(ARCHIVE_READER_ACI_FILTERS | ARCHIVE_READER_TAR, &a, reterr);

        if (r < 0)
                return r;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return rkt_error_set(reterr, negative_errno(), "cannot rewind the image: %m");
        if (sym_archive_read_open_fd(a, fd, 128 * 1024) != ARCHIVE_OK)
                return rkt_error_set(reterr, -EBADMSG, "not an ACI: %s",
                                     strempty(sym_archive_error_string(a)));
        for (;;) {
                _cleanup_free_ char *norm = NULL;
                r = sym_archive_read_next_header(a, &e);
                if (r == ARCHIVE_EOF)
                        return rkt_error_set(reterr, -EBADMSG, "the image has no 'manifest'");
                if (r < ARCHIVE_WARN)
                        return rkt_error_set(reterr, -EBADMSG, "not an ACI: %s",
                                             strempty(sym_archive_error_string(a)));
                /* Reading up to a manifest placed last decompresses what comes before it. */
                if (sym_archive_entry_size_is_set(e) && sym_archive_entry_size(e) > 0)
                        declared += (uint64_t) sym_archive_entry_size(e);
                if (declared > image_limits_max_size(&limits))
                        return image_limit_error(reterr, "the image", image_limits_max_size(&limits));
                norm = sym_archive_entry_pathname(e) ? path_normalize_inside(sym_archive_entry_pathname(e))
                                                     : NULL;
                if (norm && streq(norm, "manifest") && sym_archive_entry_filetype(e) == AE_IFREG)
                        break;
        }
        buf = malloc(MANIFEST_MAX + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                la_ssize_t n = sym_archive_read_data(a, buf + size, MANIFEST_MAX + 1 - size);
                if (n < 0)
                        return rkt_error_set(reterr, -EBADMSG, "reading 'manifest': %s",
                                             strempty(sym_archive_error_string(a)));
                if (n == 0)
                        break;
                size += (size_t) n;
                if (size > MANIFEST_MAX)
                        return rkt_error_set(reterr, -EFBIG, "'manifest' is larger than %u bytes",
                                             MANIFEST_MAX);
        }
        r = appc_image_manifest_parse(buf, size, ret, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "invalid image manifest");
        return 0;
}

/* What a fetch by name asked for must be what came (rkt 1.30's validator). */
static int check_name_and_labels(const AppcImageManifest *m, const char *name, const AppcKV *labels,
                                 size_t n, RktError **reterr) {
        if (!streq(m->name, name))
                return rkt_error_set(reterr, -EBADMSG, "the image found for '%s' is named '%s'", name,
                                     m->name);
        for (size_t i = 0; i < n; i++) {
                const char *v = appc_kv_get(m->labels, m->n_labels, labels[i].name);
                if (!v)
                        return rkt_error_set(reterr, -EBADMSG,
                                             "requested label \"%s\" not provided by the image manifest",
                                             labels[i].name);
                /* rkt 1.30's words, which scripts match on. */
                if (!streq(v, labels[i].value))
                        return rkt_error_set(
                                reterr, -EBADMSG,
                                "requested value for label \"%s\": \"%s\" differs from fetched aci "
                                "label value: \"%s\"",
                                labels[i].name, labels[i].value, v);
        }
        return 0;
}

typedef struct Wanted {
        const char *name; /* fetching by name: the name and labels the image must carry */
        const AppcKV *labels;
        size_t n_labels;
        const char *image_id; /* a dependency's imageID: the image must hash to it; NULL: any */
} Wanted;

int fetch_check_image_id(const char *want, const char *id, RktError **reterr) {
        if (want && !startswith(id, want))
                return rkt_error_set(reterr, -EBADMSG,
                                     "the image fetched has ID '%s', not the '%s' required", id, want);
        return 0;
}

/* The signature check of one image, run in its own thread while the import pass reads the same bytes:
 * gpg hashes while the store decompresses and hashes, and the import's gate waits for the verdict before
 * anything becomes visible. The thread reads through its own open file description (its own offset). */
typedef struct VerifyJob {
        Keystore *ks;
        char *name; /* the keyring: the name the manifest gives (checked again at the gate) */
        int fd;
        const void *sig;
        size_t sig_size;
        pthread_t thread;
        bool running;
        int r;
        RktError *err;
        SignatureInfo si;
} VerifyJob;

static void *verify_thread(void *userdata) {
        VerifyJob *j = userdata;

        j->r = keystore_verify(j->ks, j->name, j->fd, j->sig, j->sig_size, &j->si, &j->err);
        return NULL;
}

static int verify_job_start(VerifyJob *j, Fetch *f, int fd, const char *name, const void *sig,
                            size_t sig_size, RktError **reterr) {
        char proc[64];
        int r;

        *j = (VerifyJob){.ks = f->ks, .fd = -1, .sig = sig, .sig_size = sig_size};
        j->name = strdup(name);
        if (!j->name)
                return -ENOMEM;
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        j->fd = open(proc, O_RDONLY | O_CLOEXEC);
        if (j->fd < 0)
                return rkt_error_set(reterr, negative_errno(),
                                     "cannot reopen the image for verification: %m");
        r = -pthread_create(&j->thread, NULL, verify_thread, j);
        if (r < 0)
                return rkt_error_set(reterr, r, "cannot start the signature check: %s", strerror(-r));
        j->running = true;
        return 0;
}

static int verify_job_wait(VerifyJob *j) {
        if (j->running) {
                (void) pthread_join(j->thread, NULL);
                j->running = false;
        }
        return j->r;
}

static void verify_job_done(VerifyJob *j) {
        (void) verify_job_wait(j);
        safe_close(j->fd);
        free(j->name);
        rkt_error_free(j->err);
        signature_info_done(&j->si);
        *j = (VerifyJob){.fd = -1};
}

typedef struct ImportGate {
        Fetch *f;
        const char *name; /* the manifest name the keyring was chosen by; NULL: none was read before */
        const Wanted *w;
        VerifyJob *job; /* NULL: no signature to wait for */
} ImportGate;

static int import_gate(const char *id, const AppcImageManifest *m, void *userdata, RktError **reterr) {
        ImportGate *g = userdata;
        _cleanup_free_ char *who = NULL;
        int r;

        if (g->name && !streq(m->name, g->name))
                return rkt_error_set(reterr, -EBADMSG,
                                     "the image changed while it was read ('%s', then '%s')", g->name,
                                     m->name);
        if (g->w) {
                r = check_name_and_labels(m, g->w->name, g->w->labels, g->w->n_labels, reterr);
                if (r >= 0)
                        r = fetch_check_image_id(g->w->image_id, id, reterr);
                if (r < 0)
                        return r;
        }
        if (g->job) {
                r = verify_job_wait(g->job);
                if (r < 0)
                        return rkt_error_set(reterr, r, "%s", rkt_error_message(g->job->err, r));
                who = g->job->si.uids ? strv_join(g->job->si.uids, "\n  ") : strdup(g->job->si.fingerprint);
                fetch_notice(g->f, FETCH_NOTICE_INFO, "signature verified for '%s':\n  %s", m->name,
                             strna(who));
        }
        return 0;
}

/* Stages the image in fd (which the caller owns exclusively: a private copy or a download) as f->pending,
 * checking first what a fetch by name asked for and, unless signatures are off, the signature — which is
 * checked while the import pass runs, and decides before the image is staged. Only a verified manifest
 * says what else to fetch; the image enters the store with what it needs (fetch_publish()). */
static int import_checked(Fetch *f, int fd, const char *origin, const Wanted *w, const void *sig,
                          size_t sig_size, char **ret_id, RktError **reterr) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *m = NULL;
        _cleanup_error_ RktError *ie = NULL;
        VerifyJob job = {.fd = -1};
        ImportGate gate = {.f = f, .w = w};
        StoreStaged *staged = NULL;
        int r;

        /* Read ahead only when the manifest decides something before the import pass (keyring, name). */
        if (f->ks || w) {
                r = read_manifest(fd, f->o->max_image_size, &m, reterr);
                if (r >= 0 && w)
                        r = check_name_and_labels(m, w->name, w->labels, w->n_labels, reterr);
                if (r < 0)
                        return r;
                gate.name = m->name;
        }
        if (f->ks) {
                r = verify_job_start(&job, f, fd, m->name, sig, sig_size, reterr);
                if (r < 0) {
                        verify_job_done(&job);
                        return r;
                }
                gate.job = &job;
        }
        if (lseek(fd, 0, SEEK_SET) < 0)
                r = rkt_error_set(&ie, negative_errno(), "cannot rewind the image: %m");
        else
                r = store_stage_fd(f->s, fd, origin, import_gate, &gate, &staged, &ie);
        if (r >= 0) {
                FetchedImage *fi = calloc(1, sizeof(FetchedImage));
                *ret_id = strdup(store_staged_id(staged));
                if (!fi || !*ret_id) {
                        free(fi);
                        store_staged_free(staged);
                        *ret_id = mfree(*ret_id);
                        r = rkt_error_set(&ie, -ENOMEM, "out of memory");
                } else {
                        fi->staged = staged;
                        fetched_image_free(f->pending);
                        f->pending = fi;
                }
        }
        /* A broken image may fail the import before the gate: its signature says more about it. */
        if (r < 0 && gate.job && verify_job_wait(&job) < 0)
                r = rkt_error_set(reterr, job.r, "%s", rkt_error_message(job.err, job.r));
        else if (r < 0)
                r = rkt_error_set(reterr, r, "%s", rkt_error_message(ie, r));
        verify_job_done(&job);
        return r;
}

/* --- local files --- */

/* A private copy in the store's tmp dir: what is verified is what gets imported, whatever happens to the
 * original meanwhile. A reflink when the file system can, else an in-kernel copy. */
static int private_copy(Fetch *f, int fd, RktError **reterr) {
        _cleanup_close_ int out = store_tmpfile(f->s, reterr);
        struct stat st;

        if (out < 0)
                return out;
        if (fstat(fd, &st) < 0)
                return rkt_error_set(reterr, negative_errno(), "cannot examine the image: %m");
        if (ioctl(out, FICLONE, fd) == 0)
                return TAKE_FD(out);
        if (lseek(fd, 0, SEEK_SET) < 0)
                return rkt_error_set(reterr, negative_errno(), "cannot rewind the image: %m");
        for (off_t left = st.st_size; left > 0;) {
                ssize_t n = copy_file_range(fd, NULL, out, NULL, (size_t) MIN(left, (off_t) 1 << 30), 0);
                if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
                        char buf[256 * 1024];
                        n = read(fd, buf, MIN(sizeof(buf), (size_t) left));
                        if (n > 0 && loop_write(out, buf, (size_t) n) < 0)
                                n = -1;
                }
                if (n < 0)
                        return rkt_error_set(reterr, negative_errno(), "copying the image to the store: %m");
                if (n == 0)
                        break;
                left -= n;
        }
        return TAKE_FD(out);
}

static int read_local_signature(const char *path, char **ret, size_t *ret_size, RktError **reterr) {
        struct stat st;
        int r;

        if (stat(path, &st) < 0)
                return rkt_error_set_hint(reterr, errno == ENOENT ? -ENOKEY : negative_errno(),
                                          RKT_HINT_SIGNATURE_FILE, NULL,
                                          "error opening signature file: no signature found at '%s'", path);
        if (st.st_size > SIGNATURE_MAX)
                return rkt_error_set(reterr, -EFBIG, "'%s' is too large to be a signature", path);
        r = read_full_file_at(AT_FDCWD, path, ret, ret_size);
        if (r < 0)
                return rkt_error_set(reterr, r, "cannot read the signature '%s': %s", path, strerror(-r));
        return 0;
}

static int fetch_file(Fetch *f, const char *image, char **ret_id, RktError **reterr) {
        _cleanup_free_ char *abs = NULL, *origin = NULL, *sig = NULL, *asc = NULL;
        _cleanup_close_ int fd = -1, copy = -1;
        const char *path = startswith(image, "file://") ?: image;
        size_t sig_size = 0;
        struct stat st;
        int r;

        r = path_make_absolute_cwd(path, &abs);
        if (r < 0)
                return rkt_error_set(reterr, r, "%s", strerror(-r));
        /* Said before the open, as rkt 1.30 did: a script sees which file was tried when it is not there. */
        fetch_notice(f, FETCH_NOTICE_INFO, "using image from file %s", abs);
        fd = open(abs, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return rkt_error_set(reterr, negative_errno(), "cannot open '%s': %m", abs);
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return rkt_error_set(reterr, -EINVAL, "'%s' is not a regular file", abs);
        if (asprintf(&origin, "file://%s", abs) < 0)
                return -ENOMEM;

        if (!f->ks) {
                if (f->o->pull_policy != PULL_UPDATE && store_file_cache_lookup(f->s, abs, &st, ret_id) >= 0)
                        return 0;
                r = import_checked(f, fd, origin, NULL, NULL, 0, ret_id, reterr);
                if (r < 0)
                        return r;
                /* Remembered once the image is in the store; only an optimisation: missing, it costs a
                 * re-read next time, nothing else. */
                f->pending->cache_path = strdup(abs);
                f->pending->cache_st = st;
                return 0;
        }

        asc = f->o->signature ? strdup(f->o->signature) : signature_location(abs);
        if (!asc)
                return -ENOMEM;
        r = read_local_signature(asc, &sig, &sig_size, reterr);
        if (r < 0)
                return r;
        copy = private_copy(f, fd, reterr);
        if (copy < 0)
                return copy;
        return import_checked(f, copy, origin, NULL, sig, sig_size, ret_id, reterr);
}

/* --- downloads --- */

/* A partial download smaller than this is not kept for a resume. */
#define PARTIAL_KEEP_MIN (64 * 1024)

typedef struct DownloadState {
        Fetch *f;
        StoreDownload *d;
        const char *url;
        bool started;
        uint64_t done, total; /* as last reported */
} DownloadState;

static int on_validators(const char *etag, const char *last_modified, void *userdata) {
        DownloadState *st = userdata;
        return store_download_set_validators(st->f->s, st->d, st->url, etag, last_modified);
}

static void on_progress(uint64_t done, uint64_t total, void *userdata) {
        DownloadState *st = userdata;

        st->started = true;
        st->done = done;
        st->total = total;
        st->f->o->progress("Downloading ACI", done, total, false, st->f->o->userdata);
}

/* Downloads url into a store download file (resuming what an earlier attempt left). With etag, a 304
 * answer leaves *ret->status 304 and nothing downloaded. */
static int download(Fetch *f, const char *url, const char *etag, StoreDownload *d, HttpResponse *ret,
                    RktError **reterr) {
        DownloadState st = {.f = f, .d = d, .url = url};
        HttpRequest rq = {
                .url = url,
                .if_none_match = etag,
                .on_validators = on_validators,
                .validators_userdata = &st,
                .progress = f->o->progress ? on_progress : NULL,
                .progress_userdata = &st,
                .plain_http_ok = f->named_url,
        };
        int r;

        r = store_download_open(f->s, url, d, reterr);
        if (r < 0)
                return r;
        rq.fd = d->fd;
        rq.resume_etag = d->etag;
        rq.resume_last_modified = d->last_modified;
        r = http_get(f->http, &rq, ret, reterr);
        if (st.started)
                f->o->progress("Downloading ACI", r >= 0 ? ret->size : st.done,
                               r >= 0 ? ret->size : st.total, true, f->o->userdata);
        if (r < 0) {
                struct stat fst;
                /* Keep what came for a later resume only when the server let us validate it, and when it is
                 * worth resuming: a server that trickled leaves a few bytes, which go. */
                if ((d->etag || d->last_modified) && fstat(d->fd, &fst) == 0 &&
                    fst.st_size >= PARTIAL_KEEP_MIN)
                        store_download_done(d);
                else
                        store_download_discard(f->s, d);
                return r;
        }
        if (ret->resumed_bytes > 0)
                fetch_notice(f, FETCH_NOTICE_INFO, "resumed the download of '%s' at byte %llu", url,
                             (unsigned long long) ret->resumed_bytes);
        return 0;
}

/* The signature: a local file when one was given, else downloaded. *ret_deferred: the server asked to
 * fetch it after the image (HTTP 202). */
static int get_signature(Fetch *f, const char *asc_url, char **ret, size_t *ret_size, bool *ret_deferred,
                         RktError **reterr) {
        _cleanup_error_ RktError *e = NULL;
        HttpResponse resp = {};
        HttpRequest rq = {.url = asc_url,
                          .fd = -1,
                          .max_size = SIGNATURE_MAX,
                          .accept_deferred = true,
                          .plain_http_ok = f->named_url};
        int r;

        *ret_deferred = false;
        if (f->o->signature)
                return read_local_signature(f->o->signature, ret, ret_size, reterr);
        r = http_get(f->http, &rq, &resp, &e);
        if (r == -ENOENT)
                return rkt_error_set_hint(reterr, -ENOKEY, RKT_HINT_SIGNATURE, NULL,
                                          "no signature at '%s' (%s)", asc_url, rkt_error_message(e, r));
        if (r < 0)
                return rkt_error_set(reterr, r, "error downloading the signature file: %s",
                                     rkt_error_message(e, r));
        if (resp.status == 202) {
                fetch_notice(f, FETCH_NOTICE_INFO, "server requested deferring the signature download");
                *ret_deferred = true;
                http_response_done(&resp);
                return 0;
        }
        *ret = TAKE_PTR(resp.body);
        *ret_size = resp.size;
        http_response_done(&resp);
        return 0;
}

/* Fetches the ACI at aci_url (its signature at asc_url), verifies it and imports it. */
static int fetch_remote(Fetch *f, const char *aci_url, const char *asc_url, const Wanted *w, char **ret_id,
                        RktError **reterr) {
        _cleanup_(remote_record_freep) RemoteRecord *rem = NULL;
        _cleanup_free_ char *sig = NULL, *id = NULL;
        StoreDownload d = {.fd = -1};
        HttpResponse resp = {};
        size_t sig_size = 0;
        bool deferred = false;
        int r;

        /* Set for each image: the dependencies of a named URL are discovered, not named. */
        f->named_url = !w;
        if (store_get_remote(f->s, aci_url, &rem) < 0)
                rem = NULL;
        /* An image that came in without a signature check is not reused (nor revalidated) by a fetch that
         * checks signatures: it is downloaded and verified like a new one. */
        if (rem && f->ks && !rem->sig_url)
                rem = remote_record_free(rem);
        if (rem && f->o->pull_policy != PULL_UPDATE) {
                if (!w)
                        fetch_notice(f, FETCH_NOTICE_INFO, "using image from local store for url %s",
                                     aci_url);
                return (*ret_id = strdup(rem->id)) ? 0 : -ENOMEM;
        }
        if (f->o->pull_policy == PULL_NEVER)
                return rkt_error_set_hint(reterr, -ENOENT, RKT_HINT_PULL_NEVER_FORBIDS, aci_url,
                                          "not in the store");
        if (rem && remote_record_fresh(rem, now_usec())) {
                fetch_notice(f, FETCH_NOTICE_DEBUG, "image for %s isn't expired, not fetching.", aci_url);
                return (*ret_id = strdup(rem->id)) ? 0 : -ENOMEM;
        }

        r = fetch_http(f, reterr);
        if (r < 0)
                return r;
        /* rkt 1.30's words: its discovery fetcher and its URL fetcher said it differently, and the URL
         * fetcher the discovery fetcher's words too with --debug. */
        if (!w)
                fetch_notice(f, FETCH_NOTICE_INFO, "remote fetching from URL \"%s\"", aci_url);
        fetch_notice(f, w ? FETCH_NOTICE_INFO : FETCH_NOTICE_DEBUG, "fetching image from %s", aci_url);
        if (f->ks) {
                r = get_signature(f, asc_url, &sig, &sig_size, &deferred, reterr);
                if (r < 0)
                        return r;
                /* Fetching by name we know whose key must have signed: an unknown signer fails here, before
                 * the image is downloaded. */
                if (w && !deferred) {
                        r = keystore_verify(f->ks, w->name, -1, sig, sig_size, NULL, reterr);
                        if (r < 0)
                                return r;
                }
        }

        r = download(f, aci_url, rem ? rem->etag : NULL, &d, &resp, reterr);
        if (r < 0)
                return r;
        if (resp.status == 304) {
                /* Unchanged: the stored image is it; remember when we asked. */
                rem->download_time = now_usec();
                if (resp.max_age > 0)
                        rem->max_age = resp.max_age;
                (void) store_put_remote(f->s, rem, NULL);
                store_download_discard(f->s, &d);
                http_response_done(&resp);
                return (*ret_id = strdup(rem->id)) ? 0 : -ENOMEM;
        }

        if (f->ks && deferred) {
                r = get_signature(f, asc_url, &sig, &sig_size, &deferred, reterr);
                if (r >= 0 && deferred)
                        r = rkt_error_set(reterr, -EAGAIN, "the server deferred the signature '%s' again",
                                          asc_url);
                if (r < 0)
                        goto fail;
        }
        r = import_checked(f, d.fd, resp.url ?: aci_url, w, sig, sig_size, &id, reterr);
        if (r < 0)
                goto fail;
        store_download_discard(f->s, &d);

        /* Recorded once the image is in the store; missing, it only costs a download next time. */
        f->pending->remote = calloc(1, sizeof(RemoteRecord));
        if (f->pending->remote) {
                RemoteRecord *nrem = f->pending->remote;
                *nrem = (RemoteRecord){.url = strdup(aci_url),
                                       .sig_url = f->ks ? strdup(asc_url) : NULL,
                                       .etag = TAKE_PTR(resp.etag),
                                       .id = strdup(id),
                                       .download_time = now_usec(),
                                       .max_age = resp.max_age};
                if (!nrem->url || !nrem->id || (f->ks && !nrem->sig_url))
                        f->pending->remote = remote_record_free(nrem);
        }
        http_response_done(&resp);
        *ret_id = TAKE_PTR(id);
        return 0;
fail:
        /* Whatever failed verification or import must not be resumed or reused. */
        store_download_discard(f->s, &d);
        http_response_done(&resp);
        return r;
}

static int fetch_url(Fetch *f, const char *url, char **ret_id, RktError **reterr) {
        _cleanup_free_ char *asc = signature_location(url);

        if (!asc)
                return -ENOMEM;
        return fetch_remote(f, url, asc, NULL, ret_id, reterr);
}

/* --- by name --- */

static int fetch_key(Fetch *f, const char *location, bool allow_http, char **ret, size_t *ret_size,
                     RktError **reterr) {
        HttpResponse resp = {};
        HttpRequest rq = {.url = location, .fd = -1, .max_size = KEY_MAX};
        int r;

        if (startswith(location, "http://") && !allow_http)
                return rkt_error_set(reterr, -EPERM, "refusing to fetch key '%s' over plain HTTP", location);
        r = http_get(f->http, &rq, &resp, reterr);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(resp.body);
        *ret_size = resp.size;
        http_response_done(&resp);
        return 0;
}

/* rkt 1.30: when no key is trusted for the name yet, look for its keys by discovery, and trust them
 * after asking (or at once with --trust-keys-from-https, for keys that came over https). Failing here is
 * not fatal: the verification that follows says what is missing. */
/* A key discovery found and nothing trusts: the user is told where it is, and the program how to trust it.
 */
static void key_offered_notice(Fetch *f, const PgpKey *key, const char *name, const char *loc) {
        _cleanup_free_ char *m = NULL, *worded = NULL;

        if (asprintf(&m, "key %s for '%s' is offered at '%s'", key->fingerprint, name, loc) < 0)
                return;
        worded = rkt_error_hint_render(RKT_HINT_KEY_OFFERED, name, m);
        fetch_notice(f, FETCH_NOTICE_INFO, "%s", worded ?: m);
}

static void maybe_discover_keys(Fetch *f, const char *name, char *const *offered) {
        _cleanup_(discovery_result_done) DiscoveryResult dr = {};
        _cleanup_error_ RktError *e = NULL;
        bool insecure_pubkey = f->o->insecure & INSECURE_PUBKEY;
        bool allow_http = insecure_pubkey && (f->o->insecure & INSECURE_HTTP);
        int r;

        if (keystore_has_prefix_keys(f->ks, name))
                return;
        if ((f->o->insecure & INSECURE_TLS) && !insecure_pubkey)
                return;
        /* The page that named the image usually names its keys too; else walk up for them. */
        if (!offered) {
                r = discover(f->http, allow_http, name, NULL, 0, DISCOVER_PUBKEYS, &dr, &e);
                if (r < 0)
                        return;
                offered = dr.pubkeys;
        }
        STRV_FOREACH(loc, offered) {
                _cleanup_error_ RktError *ke = NULL;
                _cleanup_free_ char *data = NULL;
                PgpKey *keys = NULL;
                size_t size = 0, n = 0;
                bool https = startswith(*loc, "https://");

                if (fetch_key(f, *loc, allow_http, &data, &size, &ke) < 0 ||
                    pgp_keys_parse(data, size, &keys, &n, &ke) < 0) {
                        fetch_notice(f, FETCH_NOTICE_WARNING, "cannot use the key at '%s': %s", *loc,
                                     rkt_error_message(ke, -EIO));
                        continue;
                }
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *path = NULL;
                        bool accept = false;

                        if (keys[i].revoked || keys[i].expired)
                                continue;
                        if (f->o->trust_keys_from_https && https)
                                accept = true;
                        else if (f->o->confirm_key)
                                accept = f->o->confirm_key(name, *loc, &keys[i], f->o->userdata);
                        else
                                key_offered_notice(f, &keys[i], name, *loc);
                        if (!accept)
                                continue;
                        if (keystore_add(f->ks, name, &keys[i], &path, &ke) < 0) {
                                fetch_notice(f, FETCH_NOTICE_WARNING, "cannot add key %s: %s",
                                             keys[i].fingerprint, rkt_error_message(ke, -EIO));
                                continue;
                        }
                        fetch_notice(f, FETCH_NOTICE_INFO, "Added key for prefix \"%s\" at \"%s\"", name,
                                     path);
                }
                pgp_keys_free(keys, n);
        }
}

/* An image asked for without a version is recorded as the latest of its name (rkt 1.30). */
int fetch_discovered(Fetch *f, const char *name, const AppcKV *labels, size_t n, const char *image_id,
                     char **ret_id, RktError **reterr) {
        _cleanup_(discovery_result_done) DiscoveryResult dr = {};
        Wanted w = {.name = name, .labels = labels, .n_labels = n, .image_id = image_id};
        int r;

        fetch_notice(f, FETCH_NOTICE_INFO, "searching for app image %s", name);
        r = fetch_http(f, reterr);
        if (r < 0)
                return r;
        r = discover(f->http, f->o->insecure & INSECURE_HTTP, name, labels, n, DISCOVER_ENDPOINTS, &dr,
                     reterr);
        if (r < 0)
                return r;
        if (f->ks)
                maybe_discover_keys(f, name, dr.pubkeys);
        r = fetch_remote(f, dr.endpoints[0].aci, dr.endpoints[0].asc, &w, ret_id, reterr);
        if (r < 0)
                return r;
        /* A failure only loses the preference among images of the same name. */
        if (appc_kv_get(labels, n, "version"))
                return 0;
        if (f->pending)
                f->pending->latest = true;
        else
                (void) store_set_latest(f->s, *ret_id, NULL);
        return 0;
}

static int fetch_name(Fetch *f, const char *image, char **ret_id, RktError **reterr) {
        _cleanup_free_ AppcKV *labels = NULL;
        const char *os = NULL, *arch = NULL;
        ImageRef ref;
        size_t n = 0;
        int r;

        r = image_ref_parse(image, &ref, reterr);
        if (r < 0)
                return r;
        if (!appc_ac_identifier_valid(ref.name)) {
                r = rkt_error_set(reterr, -EINVAL, "'%s' is not a valid image name", ref.name);
                goto finish;
        }
        (void) appc_host_os_arch(&os, &arch);
        os = image_ref_label(&ref, "os") ?: os;
        arch = image_ref_label(&ref, "arch") ?: arch;
        if (!os || !arch || !appc_os_arch_valid(os, arch)) {
                r = rkt_error_set(reterr, -EINVAL, "unsupported os/arch '%s/%s'", strna(os), strna(arch));
                goto finish;
        }

        if (f->o->pull_policy != PULL_UPDATE) {
                r = store_find_by_name(f->s, &ref, os, arch, ret_id, NULL);
                if (r >= 0)
                        fetch_notice(f, FETCH_NOTICE_INFO, "using image from local store for image name %s",
                                     image);
                if (r != -ENOENT)
                        goto finish;
                if (f->o->pull_policy == PULL_NEVER) {
                        r = rkt_error_set_hint(reterr, -ENOENT, RKT_HINT_PULL_NEVER, NULL,
                                               "not in the store");
                        goto finish;
                }
        }

        /* The labels discovery expands and the image must carry: those asked for, plus os and arch. */
        labels = calloc(ref.n_labels + 2, sizeof(AppcKV));
        if (!labels) {
                r = -ENOMEM;
                goto finish;
        }
        for (size_t i = 0; i < ref.n_labels; i++)
                labels[n++] = ref.labels[i];
        if (!image_ref_label(&ref, "os"))
                labels[n++] = (AppcKV){.name = (char *) "os", .value = (char *) os};
        if (!image_ref_label(&ref, "arch"))
                labels[n++] = (AppcKV){.name = (char *) "arch", .value = (char *) arch};

        r = fetch_discovered(f, ref.name, labels, n, NULL, ret_id, reterr);
finish:
        image_ref_done(&ref);
        return r;
}

int fetch_image(Store *s, const char *image, const FetchOptions *o, char **ret_id, RktError **reterr) {
        Fetch f;
        int r;

        if (image_ref_is_id(image)) {
                r = store_resolve(s, image, ret_id, reterr);
                /* With --debug only, as rkt 1.30: scripts read a pod's UUID from the output of `prepare ID`.
                 */
                if (r >= 0 && o->notice) {
                        _cleanup_free_ char *m = NULL;
                        if (asprintf(&m, "using image from the store with hash %s", *ret_id) >= 0)
                                o->notice(FETCH_NOTICE_DEBUG, m, o->userdata);
                }
                return r;
        }
        store_set_image_limits(s, &(ImageLimits){.max_size = o->max_image_size});
        r = fetch_init(&f, s, o);
        if (r < 0)
                return r;
        if (startswith(image, "docker:")) {
                r = fetch_http(&f, reterr);
                if (r >= 0)
                        r = docker_fetch(s, f.http, f.config, o, image, ret_id, reterr);
        } else if (image_is_local_file(image))
                r = fetch_file(&f, image, ret_id, reterr);
        else if (startswith(image, "https://") || startswith(image, "http://"))
                r = fetch_url(&f, image, ret_id, reterr);
        else if (strstr(image, "://"))
                r = rkt_error_set(reterr, -EPROTONOSUPPORT,
                                  "unsupported URL scheme; rkt fetches ACIs from files, file://, http:// "
                                  "and https:// URLs, "
                                  "and docker:// images");
        else
                r = fetch_name(&f, image, ret_id, reterr);
        /* An image that came from the store (or unchanged from its server) may have lost a dependency
         * since it was fetched: its dependencies are resolved all the same. */
        if (r >= 0 && !startswith(image, "docker:")) {
                size_t root;
                r = fetch_graph_add(&f, *ret_id, -1, NULL, &root, reterr);
                if (r >= 0)
                        r = fetch_dependencies(&f, reterr);
                if (r >= 0)
                        r = fetch_publish(&f, reterr);
                if (r < 0)
                        *ret_id = mfree(*ret_id);
        }
        /* What this fetch added must not stay behind when it failed; removed top down, as published
         * bottom up, no image is ever without what it needs. */
        if (r < 0)
                for (size_t i = strv_length(f.published); i > 0; i--)
                        (void) store_remove(s, f.published[i - 1], NULL, NULL);
        fetch_done(&f);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "image '%s'", image);
        return 0;
}
