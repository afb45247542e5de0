/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

#include "dl.h"
#include "format.h"
#include "fs.h"
#include "http.h"
#include "strv.h"

#define DEFAULT_TIMEOUT_USEC (30ULL * 1000000)
/* A transfer that brings fewer bytes than this within the stall timeout is stalled too: a server that
 * trickles one byte every few seconds is not making progress, whatever the bytes say (1 KiB per 30 s is
 * 34 bytes/s, far below any real link). */
#define STALL_MIN_BYTES 1024
#define MAX_REDIRECTS 10
/* A dropped connection is picked up again as long as each attempt brings data. */
#define MAX_ATTEMPTS 5

struct HttpClient {
        CURL *curl;
        HttpClientOptions o;
        char *user_agent;
        char errbuf[CURL_ERROR_SIZE];
};

static void curl_url_cleanupp(CURLU **u) {
        if (*u)
                sym_curl_url_cleanup(*u);
}

int http_client_new(const HttpClientOptions *o, HttpClient **ret, RktError **reterr) {
        HttpClient *c;
        int r = curl_dl_open(reterr);

        if (r < 0)
                return r;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->o = *o;
        if (c->o.connect_timeout_usec == 0)
                c->o.connect_timeout_usec = DEFAULT_TIMEOUT_USEC;
        if (c->o.stall_timeout_usec == 0)
                c->o.stall_timeout_usec = DEFAULT_TIMEOUT_USEC;
        c->user_agent = o->user_agent ? strdup(o->user_agent) : strdup("rkt/" PACKAGE_VERSION);
        c->curl = sym_curl_easy_init();
        if (!c->user_agent || !c->curl) {
                http_client_free(c);
                return rkt_error_set(reterr, -ENOMEM, "cannot set up libcurl");
        }
        *ret = c;
        return 0;
}

int http_client_clone(const HttpClient *c, HttpClient **ret, RktError **reterr) {
        HttpClientOptions o = c->o;

        o.user_agent = c->user_agent;
        return http_client_new(&o, ret, reterr);
}

HttpClient *http_client_free(HttpClient *c) {
        if (!c)
                return NULL;
        if (c->curl)
                sym_curl_easy_cleanup(c->curl);
        free(c->user_agent);
        free(c);
        return NULL;
}

void http_response_done(HttpResponse *r) {
        free(r->url);
        free(r->etag);
        free(r->last_modified);
        free(r->content_type);
        free(r->www_authenticate);
        free(r->body);
        *r = (HttpResponse){};
}

uint64_t http_parse_max_age(const char *v) {
        uint64_t max_age = 0;

        if (!v)
                return 0;
        for (const char *p = v; *p;) {
                size_t n = strcspn(p, ",");
                const char *s = p, *e = p + n;

                while (s < e && isspace((unsigned char) *s))
                        s++;
                while (e > s && isspace((unsigned char) e[-1]))
                        e--;
                if ((size_t) (e - s) == 8 && strncasecmp(s, "no-cache", 8) == 0)
                        max_age = 0;
                else if ((size_t) (e - s) == 8 && strncasecmp(s, "no-store", 8) == 0)
                        max_age = 0;
                else if ((size_t) (e - s) > 8 && strncasecmp(s, "max-age=", 8) == 0) {
                        const char *d = s + 8;
                        uint64_t x = 0;
                        bool ok = d < e && !(d[0] == '0' && e - d > 1);
                        for (const char *q = d; ok && q < e; q++) {
                                if (!isdigit((unsigned char) *q) || x > (UINT64_MAX - 9) / 10)
                                        ok = false;
                                else
                                        x = x * 10 + (uint64_t) (*q - '0');
                        }
                        if (ok)
                                max_age = x;
                }
                p += n;
                if (*p)
                        p++;
        }
        return max_age;
}

int http_url_split(const char *url, char **ret_scheme, char **ret_host, char **ret_hostport) {
        _cleanup_(curl_url_cleanupp) CURLU *u = NULL;
        char *scheme = NULL, *host = NULL, *port = NULL;
        int r = curl_dl_open(NULL);

        if (r < 0)
                return r;
        u = sym_curl_url();
        if (!u)
                return -ENOMEM;
        if (sym_curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
            sym_curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
            sym_curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || isempty(host)) {
                r = -EINVAL;
                goto finish;
        }
        for (char *p = scheme; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        for (char *p = host; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        if (ret_hostport) {
                if (sym_curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port)
                        r = asprintf(ret_hostport, "%s:%s", host, port) < 0 ? -ENOMEM : 0;
                else
                        r = (*ret_hostport = strdup(host)) ? 0 : -ENOMEM;
                if (r < 0)
                        goto finish;
        }
        if (ret_scheme)
                *ret_scheme = strdup(scheme);
        if (ret_host)
                *ret_host = strdup(host);
        if ((ret_scheme && !*ret_scheme) || (ret_host && !*ret_host))
                r = -ENOMEM;
finish:
        sym_curl_free(scheme);
        sym_curl_free(host);
        sym_curl_free(port);
        return r;
}

/* --- one transfer --- */

typedef struct Transfer {
        HttpClient *c;
        const HttpRequest *rq;
        /* the current response */
        long status;
        bool headers_done;
        char *etag, *last_modified, *location, *content_type, *www_authenticate;
        uint64_t max_age;
        bool have_range;
        uint64_t range_start;
        /* the body */
        bool accept_body; /* a 200/206 whose body we keep */
        uint64_t offset;  /* bytes the file held before this response's body */
        uint64_t written; /* bytes of this response's body */
        char *mem;
        size_t mem_size;
        char *if_range;              /* the validator of the content at offset, for a resumed request */
        uint64_t last_activity_usec; /* when bytes last arrived (0: not connected yet) */
        uint64_t received;           /* bytes of headers and bodies, redirects and errors included */
        uint64_t window_start_usec;  /* the progress window: since when ... */
        uint64_t window_received;    /* ... and what received was then */
        bool stalled;
        bool trickled;  /* stalled with some bytes, but too few */
        bool restarted; /* a 200 replaced content we had */
        int error;      /* set by the callbacks; wins over curl's code */
        const char *error_text;
} Transfer;

static void transfer_reset_response(Transfer *t) {
        t->status = 0;
        t->headers_done = false;
        t->etag = mfree(t->etag);
        t->last_modified = mfree(t->last_modified);
        t->location = mfree(t->location);
        t->content_type = mfree(t->content_type);
        t->www_authenticate = mfree(t->www_authenticate);
        t->max_age = 0;
        t->have_range = false;
        t->range_start = 0;
        t->accept_body = false;
        t->written = 0;
}

static void transfer_done(Transfer *t) {
        transfer_reset_response(t);
        t->if_range = mfree(t->if_range);
        t->mem = mfree(t->mem);
        t->mem_size = 0;
}

/* A header's value with surrounding blanks and the line end removed. */
static char *header_value(const char *line, size_t n, const char *name) {
        size_t l = strlen(name);
        const char *v, *e;

        if (n <= l || strncasecmp(line, name, l) != 0 || line[l] != ':')
                return NULL;
        v = line + l + 1;
        e = line + n;
        while (v < e && (*v == ' ' || *v == '\t'))
                v++;
        while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
                e--;
        return strndup(v, (size_t) (e - v));
}

/* Called once the headers of a 200/206 are in: positions the output, and tells the caller the validators. */
static int transfer_begin_body(Transfer *t) {
        const HttpRequest *rq = t->rq;

        t->accept_body = true;
        if (rq->fd < 0) {
                t->mem = mfree(t->mem);
                t->mem_size = 0;
                return 0;
        }
        if (t->status == 206) {
                /* Only a range that starts exactly where our content ends continues it. */
                if (!t->have_range || t->range_start != t->offset) {
                        t->error = -EPROTO;
                        t->error_text = "the server answered with a range we did not ask for";
                        return -1;
                }
        } else {
                if (t->offset > 0)
                        t->restarted = true;
                t->offset = 0;
                if (ftruncate(rq->fd, 0) < 0) {
                        t->error = negative_errno();
                        return -1;
                }
        }
        if (lseek(rq->fd, (off_t) t->offset, SEEK_SET) < 0) {
                t->error = negative_errno();
                return -1;
        }
        if (rq->on_validators) {
                int r = rq->on_validators(t->etag, t->last_modified, rq->validators_userdata);
                if (r < 0) {
                        t->error = r;
                        return -1;
                }
        }
        if (rq->progress) {
                /* The start, so that rates count from here and resumed bytes do not count as transferred. */
                curl_off_t cl = -1;
                (void) sym_curl_easy_getinfo(t->c->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
                rq->progress(t->offset, cl >= 0 ? t->offset + (uint64_t) cl : 0, rq->progress_userdata);
        }
        return 0;
}

static size_t header_cb(char *line, size_t size, size_t nitems, void *userdata) {
        Transfer *t = userdata;
        size_t n = size * nitems;
        char *v;

        t->last_activity_usec = now_usec();
        t->received += n;
        if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
                const char *sp = memchr(line, ' ', n);
                transfer_reset_response(t);
                t->status = sp ? strtol(sp + 1, NULL, 10) : 0;
                return n;
        }
        if (n <= 2 && (line[0] == '\r' || line[0] == '\n')) {
                if (t->status >= 100 && t->status < 200)
                        return n; /* an interim answer: the real one follows */
                t->headers_done = true;
                if ((t->status == 200 || t->status == 206) && transfer_begin_body(t) < 0)
                        return 0;
                return n;
        }
        if ((v = header_value(line, n, "ETag"))) {
                free(t->etag);
                t->etag = v;
        } else if ((v = header_value(line, n, "Last-Modified"))) {
                free(t->last_modified);
                t->last_modified = v;
        } else if ((v = header_value(line, n, "Content-Type"))) {
                free(t->content_type);
                t->content_type = v;
        } else if ((v = header_value(line, n, "WWW-Authenticate"))) {
                free(t->www_authenticate);
                t->www_authenticate = v;
        } else if ((v = header_value(line, n, "Location"))) {
                free(t->location);
                t->location = v;
        } else if ((v = header_value(line, n, "Cache-Control"))) {
                t->max_age = http_parse_max_age(v);
                free(v);
        } else if ((v = header_value(line, n, "Content-Range"))) {
                unsigned long long start;
                if (sscanf(v, "bytes %llu-", &start) == 1) {
                        t->have_range = true;
                        t->range_start = start;
                }
                free(v);
        }
        return n;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userdata) {
        Transfer *t = userdata;
        size_t n = size * nmemb;

        t->last_activity_usec = now_usec();
        t->received += n;
        if (!t->accept_body)
                return n; /* the body of an error or a redirect: not ours to keep */
        if (t->rq->fd >= 0) {
                int r = loop_write(t->rq->fd, data, n);
                if (r < 0) {
                        t->error = r;
                        return 0;
                }
        } else {
                char *m;
                if (t->mem_size + n > t->rq->max_size) {
                        t->error = -EFBIG;
                        return 0;
                }
                m = realloc(t->mem, t->mem_size + n + 1);
                if (!m) {
                        t->error = -ENOMEM;
                        return 0;
                }
                t->mem = m;
                memcpy(t->mem + t->mem_size, data, n);
                t->mem_size += n;
                t->mem[t->mem_size] = 0;
        }
        t->written += n;
        return n;
}

static int xferinfo_cb(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
        Transfer *t = userdata;
        uint64_t now = now_usec();

        /* Our own stall check, for every transfer (images, signatures, discovery, keys, registries):
         * curl's low-speed limit averages over several seconds, which lets a transfer that stopped after a
         * burst hang on for much longer than the timeout. Stalled is: no byte at all for the stall timeout
         * (a server that accepted the connection and never answers, or stopped), or fewer than
         * STALL_MIN_BYTES within it (a server that trickles). The connect phase has its own timeout. */
        if (t->window_start_usec == 0) {
                /* The clocks start once connected: a reused connection has no connect time, but a
                 * pretransfer time (and a request that already got bytes is connected anyway). */
                curl_off_t connected = 0, pretransfer = 0;
                (void) sym_curl_easy_getinfo(t->c->curl, CURLINFO_CONNECT_TIME_T, &connected);
                (void) sym_curl_easy_getinfo(t->c->curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
                if (connected > 0 || pretransfer > 0 || t->received > 0) {
                        t->window_start_usec = now;
                        t->window_received = t->received;
                        if (t->last_activity_usec == 0)
                                t->last_activity_usec = now;
                }
        } else if (now - t->last_activity_usec >= t->c->o.stall_timeout_usec) {
                t->stalled = true;
                return 1;
        } else if (t->received - t->window_received >= STALL_MIN_BYTES) {
                t->window_start_usec = now;
                t->window_received = t->received;
        } else if (now - t->window_start_usec >= t->c->o.stall_timeout_usec &&
                   now - t->last_activity_usec < t->c->o.stall_timeout_usec / 2) {
                /* Bytes still come, too few. (When they stopped a while ago, the silence check above ends
                 * the transfer soon enough, and says so.) */
                t->stalled = t->trickled = true;
                return 1;
        }

        if (t->accept_body && t->rq->progress)
                t->rq->progress(t->offset + (uint64_t) dlnow,
                                dltotal > 0 ? t->offset + (uint64_t) dltotal : 0, t->rq->progress_userdata);
        return 0;
}

static const char *status_text(long status) {
        switch (status) {
        case 400:
                return "Bad Request";
        case 401:
                return "Unauthorized";
        case 403:
                return "Forbidden";
        case 404:
                return "Not Found";
        case 405:
                return "Method Not Allowed";
        case 406:
                return "Not Acceptable";
        case 408:
                return "Request Timeout";
        case 410:
                return "Gone";
        case 416:
                return "Range Not Satisfiable";
        case 429:
                return "Too Many Requests";
        case 500:
                return "Internal Server Error";
        case 501:
                return "Not Implemented";
        case 502:
                return "Bad Gateway";
        case 503:
                return "Service Unavailable";
        case 504:
                return "Gateway Timeout";
        default:
                return NULL;
        }
}

static int add_header(struct curl_slist **l, const char *h) {
        struct curl_slist *n = sym_curl_slist_append(*l, h);
        if (!n)
                return -ENOMEM;
        *l = n;
        return 0;
}

/* Secrets in the list are wiped before it goes. */
static void headers_free(struct curl_slist *l) {
        for (struct curl_slist *i = l; i; i = i->next)
                if (startswith(i->data, "Authorization:"))
                        explicit_bzero(i->data, strlen(i->data));
        sym_curl_slist_free_all(l);
}

/* The scheme check every hop passes: https always, http only when allowed. */
static int check_scheme(HttpClient *c, const char *url, const char *scheme, bool redirect, bool named,
                        RktError **reterr) {
        if (streq(scheme, "https"))
                return 0;
        if (streq(scheme, "http")) {
                if (c->o.allow_http || (named && !redirect))
                        return 0;
                if (redirect)
                        return rkt_error_set_hint(reterr, -EPERM, RKT_HINT_HTTP_REDIRECT, NULL,
                                                  "refusing the redirect to plain HTTP '%s'", url);
                return rkt_error_set_hint(reterr, -EPERM, RKT_HINT_HTTP, NULL,
                                          "refusing plain HTTP for '%s': use https", url);
        }
        return rkt_error_set(reterr, -EPROTONOSUPPORT,
                             "'%s': unsupported URL scheme '%s' (http and https are)", url, scheme);
}

static int curl_error(HttpClient *c, Transfer *t, CURLcode code, const char *url, uint64_t total_known,
                      RktError **reterr) {
        const char *detail = c->errbuf[0] ? c->errbuf : sym_curl_easy_strerror(code);
        uint64_t have = t->offset + t->written;

        switch (code) {
        case CURLE_PEER_FAILED_VERIFICATION:
#if LIBCURL_VERSION_NUM < 0x073e00
        case CURLE_SSL_CACERT:
#endif
        case CURLE_SSL_CACERT_BADFILE:
                return rkt_error_set_hint(reterr, -ECONNABORTED, RKT_HINT_TLS, NULL,
                                          "TLS certificate verification failed for '%s': %s", url, detail);
        case CURLE_SSL_CONNECT_ERROR:
                /* What a server that speaks plain HTTP on the port answers to a TLS hello looks like to
                 * OpenSSL ("wrong version number"): a registry on a developer's machine, most often. */
                if (startswith(url, "https://"))
                        return rkt_error_set_hint(reterr, -ECONNABORTED, RKT_HINT_TLS_PLAIN_HTTP, NULL,
                                                  "TLS handshake with '%s' failed: %s", url, detail);
                return rkt_error_set(reterr, -EIO, "fetching '%s': %s", url, detail);
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_ABORTED_BY_CALLBACK:
                if (t->trickled)
                        return rkt_error_set(
                                reterr, -ETIMEDOUT,
                                "the transfer from '%s' stalled: less than %u bytes in %llu s (after "
                                "%llu bytes)",
                                url, STALL_MIN_BYTES,
                                (unsigned long long) ((c->o.stall_timeout_usec + 999999) / 1000000),
                                (unsigned long long) have);
                if (!t->stalled)
                        return rkt_error_set(reterr, -ETIMEDOUT, "cannot connect to '%s' within %llu s: %s",
                                             url, (unsigned long long) (c->o.connect_timeout_usec / 1000000),
                                             detail);
                if (total_known > 0)
                        return rkt_error_set(
                                reterr, -ETIMEDOUT,
                                "the transfer from '%s' stalled: no data for %llu s (after %llu of %llu "
                                "bytes)",
                                url, (unsigned long long) ((c->o.stall_timeout_usec + 999999) / 1000000),
                                (unsigned long long) have, (unsigned long long) total_known);
                return rkt_error_set(reterr, -ETIMEDOUT,
                                     "the transfer from '%s' stalled: no data for %llu s (after %llu bytes)",
                                     url,
                                     (unsigned long long) ((c->o.stall_timeout_usec + 999999) / 1000000),
                                     (unsigned long long) have);
        case CURLE_COULDNT_RESOLVE_HOST:
                return rkt_error_set(reterr, -EHOSTUNREACH, "cannot resolve the host of '%s': %s", url,
                                     detail);
        case CURLE_COULDNT_CONNECT:
                return rkt_error_set(reterr, -ECONNREFUSED, "cannot connect to '%s': %s", url, detail);
        default:
                return rkt_error_set(reterr, -EIO, "fetching '%s': %s", url, detail);
        }
}

/* Errors after which another attempt may continue: the connection went away mid-body. */
static bool retryable(CURLcode code) {
        return code == CURLE_PARTIAL_FILE || code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING ||
               code == CURLE_SEND_ERROR
#if LIBCURL_VERSION_NUM >= 0x073100
               || code == CURLE_HTTP2_STREAM
#endif
                ;
}

static int setup_request(HttpClient *c, Transfer *t, const char *url, const char *scheme,
                         const char *hostport, bool same_origin, struct curl_slist **headers,
                         RktError **reterr) {
        const HttpRequest *rq = t->rq;
        _cleanup_free_ char *ua = NULL;
        CURL *h = c->curl;
        int r;

        sym_curl_easy_reset(h);
        c->errbuf[0] = 0;
        t->last_activity_usec = 0;
        t->received = t->window_received = t->window_start_usec = 0;
        t->stalled = t->trickled = false;
        if (asprintf(&ua, "User-Agent: %s", c->user_agent) < 0)
                return -ENOMEM;
        r = add_header(headers, ua);
        if (r >= 0 && rq->if_none_match) {
                _cleanup_free_ char *v = NULL;
                r = asprintf(&v, "If-None-Match: %s", rq->if_none_match) < 0 ? -ENOMEM
                                                                             : add_header(headers, v);
        }
        if (r >= 0 && t->offset > 0 && t->if_range) {
                _cleanup_free_ char *range = NULL, *ifr = NULL;
                r = asprintf(&range, "Range: bytes=%llu-", (unsigned long long) t->offset) < 0 ? -ENOMEM : 0;
                if (r >= 0)
                        r = add_header(headers, range);
                if (r >= 0 && asprintf(&ifr, "If-Range: %s", t->if_range) < 0)
                        r = -ENOMEM;
                if (r >= 0)
                        r = add_header(headers, ifr);
        }
        STRV_FOREACH(line, rq->headers) {
                if (r < 0)
                        break;
                r = add_header(headers, *line);
        }
        /* Credentials go only to the host they are configured for, and never in the clear. */
        if (r >= 0 && rq->authorization) {
                if (same_origin)
                        r = add_header(headers, rq->authorization);
        } else if (r >= 0 && streq(scheme, "https")) {
                const AuthEntry *a = rkt_config_find_auth(c->o.config, hostport);
                if (a) {
                        char *line = NULL;
                        r = auth_entry_header(a, &line, reterr);
                        if (r >= 0) {
                                r = add_header(headers, line);
                                explicit_bzero(line, strlen(line));
                                free(line);
                        }
                }
        }
        if (r < 0)
                return r;

        sym_curl_easy_setopt(h, CURLOPT_URL, url);
        sym_curl_easy_setopt(h, CURLOPT_HTTPHEADER, *headers);
        sym_curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
        sym_curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        sym_curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
        sym_curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
        sym_curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
        sym_curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->o.insecure_tls ? 0L : 1L);
        sym_curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->o.insecure_tls ? 0L : 2L);
        sym_curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long) (c->o.connect_timeout_usec / 1000));
        sym_curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 512L * 1024);
        sym_curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
        sym_curl_easy_setopt(h, CURLOPT_HEADERDATA, t);
        sym_curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
        sym_curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
        sym_curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
        sym_curl_easy_setopt(h, CURLOPT_XFERINFODATA, t);
        sym_curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        return 0;
}

static int file_size(int fd, uint64_t *ret) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        *ret = (uint64_t) st.st_size;
        return 0;
}

/* If-Range needs a strong validator: an ETag unless it is weak, else the date. */
static const char *range_validator(const char *etag, const char *last_modified) {
        if (etag && !startswith(etag, "W/"))
                return etag;
        return last_modified;
}

/* rkt 1.30's wording ("bad HTTP status code: 401"), which scripts match on, then the reason and the URL. */
static int http_error_status(Transfer *t, const char *url, RktError **reterr) {
        const char *text = status_text(t->status);
        int code = (t->status == 404 || t->status == 410)   ? -ENOENT
                   : (t->status == 401 || t->status == 403) ? -EACCES
                                                            : -EPROTO;

        if (text)
                return rkt_error_set(reterr, code, "bad HTTP status code: %ld (%s) from '%s'", t->status,
                                     text, url);
        return rkt_error_set(reterr, code, "bad HTTP status code: %ld from '%s'", t->status, url);
}

int http_get(HttpClient *c, const HttpRequest *rq, HttpResponse *ret, RktError **reterr) {
        Transfer t = {.c = c, .rq = rq};
        _cleanup_free_ char *url = strdup(rq->url), *origin = NULL;
        unsigned attempts = 0, hops = 0;
        uint64_t total_known = 0, initial = 0;
        int r;

        if (!url)
                return -ENOMEM;
        if (rq->fd >= 0) {
                const char *v = range_validator(rq->resume_etag, rq->resume_last_modified);
                r = file_size(rq->fd, &t.offset);
                if (r < 0)
                        return rkt_error_set(reterr, r, "cannot examine the download file: %s",
                                             strerror(-r));
                if (t.offset > 0 && v && !(t.if_range = strdup(v)))
                        return -ENOMEM;
                if (t.offset > 0 && !v) {
                        if (ftruncate(rq->fd, 0) < 0)
                                return rkt_error_set(reterr, negative_errno(),
                                                     "cannot truncate the download file: %m");
                        t.offset = 0;
                }
        }
        initial = t.offset;
        if (rq->authorization) {
                r = http_url_split(rq->url, NULL, NULL, &origin);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return rkt_error_set(reterr, -EINVAL, "'%s' is not a valid URL", rq->url);
        }

        for (;;) {
                _cleanup_free_ char *scheme = NULL, *hostport = NULL;
                struct curl_slist *headers = NULL;
                CURLcode code;

                r = http_url_split(url, &scheme, NULL, &hostport);
                if (r == -ENOMEM)
                        goto finish;
                if (r < 0) {
                        r = rkt_error_set(reterr, -EINVAL, "'%s' is not a valid URL", url);
                        goto finish;
                }
                r = check_scheme(c, url, scheme, hops > 0, rq->plain_http_ok, reterr);
                if (r < 0)
                        goto finish;
                r = setup_request(c, &t, url, scheme, hostport, origin && streq(origin, hostport), &headers,
                                  reterr);
                if (r < 0) {
                        headers_free(headers);
                        goto finish;
                }
                attempts++;
                code = sym_curl_easy_perform(c->curl);
                headers_free(headers);

                if ((t.status == 200 || t.status == 206) && t.headers_done) {
                        curl_off_t cl = -1;
                        (void) sym_curl_easy_getinfo(c->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
                        if (cl >= 0)
                                total_known = t.offset + (uint64_t) cl;
                }
                if (t.error) {
                        if (t.error == -EFBIG)
                                r = rkt_error_set(reterr, -EFBIG,
                                                  "the answer from '%s' is larger than %zu bytes", url,
                                                  rq->max_size);
                        else
                                r = rkt_error_set(reterr, t.error, "fetching '%s': %s", url,
                                                  t.error_text ?: strerror(-t.error));
                        goto finish;
                }
                if (code != CURLE_OK) {
                        uint64_t have = t.accept_body ? t.offset + t.written : t.offset;
                        const char *v = range_validator(t.etag, t.last_modified);

                        if (retryable(code) && t.accept_body && t.written > 0 && attempts < MAX_ATTEMPTS) {
                                /* The connection dropped mid-body. With a validator the next request
                                 * continues where this one stopped; without one it starts over. */
                                free(t.if_range);
                                t.if_range = NULL;
                                if (rq->fd >= 0 && v) {
                                        t.if_range = strdup(v);
                                        if (!t.if_range) {
                                                r = -ENOMEM;
                                                goto finish;
                                        }
                                        t.offset = have;
                                } else {
                                        t.offset = 0;
                                        t.mem = mfree(t.mem);
                                        t.mem_size = 0;
                                }
                                continue;
                        }
                        if (retryable(code) && total_known > 0)
                                r = rkt_error_set(
                                        reterr, -ECONNRESET,
                                        "the connection to '%s' was closed after %llu of %llu bytes (%u "
                                        "attempt%s)",
                                        url, (unsigned long long) have, (unsigned long long) total_known,
                                        attempts, attempts == 1 ? "" : "s");
                        else if (retryable(code))
                                r = rkt_error_set(reterr, -ECONNRESET,
                                                  "the connection to '%s' was closed after %llu bytes (%u "
                                                  "attempt%s): %s",
                                                  url, (unsigned long long) have, attempts,
                                                  attempts == 1 ? "" : "s",
                                                  c->errbuf[0] ? c->errbuf : sym_curl_easy_strerror(code));
                        else
                                r = curl_error(c, &t, code, url, total_known, reterr);
                        goto finish;
                }

                switch (t.status) {
                case 200:
                case 206:
                        ret->status = 200;
                        ret->size = t.offset + t.written;
                        ret->resumed_bytes = t.restarted ? 0 : initial;
                        goto success;
                case 304:
                        if (!rq->if_none_match)
                                break;
                        ret->status = 304;
                        goto success;
                case 202:
                        if (!rq->accept_deferred)
                                break;
                        ret->status = 202;
                        goto success;
                case 401:
                        if (!rq->accept_unauthorized)
                                break;
                        ret->status = 401;
                        goto success;
                case 301:
                case 302:
                case 303:
                case 307:
                case 308: {
                        char *next = NULL;
                        if (++hops > MAX_REDIRECTS) {
                                r = rkt_error_set(reterr, -ELOOP, "too many redirects fetching '%s'",
                                                  rq->url);
                                goto finish;
                        }
                        if (sym_curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &next) != CURLE_OK ||
                            !next) {
                                r = rkt_error_set(reterr, -EPROTO, "HTTP %ld from '%s' without a Location",
                                                  t.status, url);
                                goto finish;
                        }
                        free(url);
                        url = strdup(next);
                        if (!url) {
                                r = -ENOMEM;
                                goto finish;
                        }
                        attempts--; /* a hop is not a retry */
                        continue;
                }
                case 416:
                        if (t.offset > 0 && rq->fd >= 0) {
                                /* What we hold no longer fits the resource: fetch it whole. */
                                t.offset = 0;
                                t.restarted = true;
                                t.if_range = mfree(t.if_range);
                                if (ftruncate(rq->fd, 0) < 0) {
                                        r = rkt_error_set(reterr, negative_errno(),
                                                          "cannot truncate the download file: %m");
                                        goto finish;
                                }
                                continue;
                        }
                        break;
                default:
                        break;
                }
                r = http_error_status(&t, url, reterr);
                goto finish;
        }

success:
        ret->url = TAKE_PTR(url);
        ret->etag = TAKE_PTR(t.etag);
        ret->last_modified = TAKE_PTR(t.last_modified);
        ret->content_type = TAKE_PTR(t.content_type);
        ret->www_authenticate = TAKE_PTR(t.www_authenticate);
        ret->max_age = t.max_age;
        ret->attempts = attempts;
        if (rq->fd < 0) {
                ret->body = t.mem ? TAKE_PTR(t.mem) : strdup("");
                ret->size = t.mem_size;
                if (!ret->body) {
                        transfer_done(&t);
                        http_response_done(ret);
                        return -ENOMEM;
                }
        }
        transfer_done(&t);
        return 0;
finish:
        transfer_done(&t);
        return r;
}
