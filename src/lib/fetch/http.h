/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

#include "rkt-config.h"
#include "error.h"

/* HTTP(S) GETs over libcurl, as fetching needs them: TLS verified against the system CAs unless told
 * otherwise, plain http only when allowed (also after a redirect), redirects followed by hand (at most 10)
 * so that every hop is checked and credentials from auth.d are sent only to the host they are configured
 * for and only over https, a connect timeout and a stall timeout, conditional requests (If-None-Match),
 * and downloads into a file that resume from what the file already holds (Range + If-Range) — also
 * within one call, when the server drops the connection mid-transfer. */

typedef struct HttpClient HttpClient;

typedef struct HttpClientOptions {
        bool insecure_tls;             /* do not verify certificates and host names */
        bool allow_http;               /* plain http (otherwise refused, also as a redirect target) */
        const RktConfig *config;       /* credentials by host; NULL: none */
        uint64_t connect_timeout_usec; /* 0: 30 s */
        uint64_t stall_timeout_usec;   /* no data, or under 1 KiB, for this long ends a transfer; 0: 30 s */
        const char *user_agent;        /* NULL: "rkt/<version>" */
} HttpClientOptions;

int http_client_new(const HttpClientOptions *o, HttpClient **ret, RktError **reterr);
/* A new client with the options of c: one per thread (a client does one transfer at a time). */
int http_client_clone(const HttpClient *c, HttpClient **ret, RktError **reterr);
HttpClient *http_client_free(HttpClient *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(HttpClient *, http_client_free);

/* done and total count the whole body, resumed bytes included; total is 0 when unknown. */
typedef void (*HttpProgressFn)(uint64_t done, uint64_t total, void *userdata);
/* Told the validators of the body about to be written to the file (NULLs when the server sent none), before
 * any of it is: a caller that keeps partial downloads records them here. A negative return aborts. */
typedef int (*HttpValidatorsFn)(const char *etag, const char *last_modified, void *userdata);

typedef struct HttpRequest {
        const char *url;
        const char *if_none_match; /* an ETag: a 304 answer is then a success */
        bool accept_deferred;      /* a 202 answer is a success (rkt's deferred signatures) */
        bool accept_unauthorized;  /* a 401 answer is a success: the caller reads its WWW-Authenticate */
        /* url itself may be plain http (the user named it); a redirect to plain http still needs
         * allow_http. Credentials never go over plain http. */
        bool plain_http_ok;
        char *const *headers; /* more header lines ("Accept: …"); NULL: none */
        /* An "Authorization: …" line for this request, sent instead of auth.d's credentials and only to
         * the host[:port] of url — never to a redirect target elsewhere (registries redirect blobs to
         * storage that must not see them). */
        const char *authorization;
        int fd; /* the body goes here; -1: into memory, up to max_size bytes */
        size_t max_size;
        /* The validators of what fd already holds. With one of them, its content is resumed (Range +
         * If-Range); without, fd is truncated first. */
        const char *resume_etag;
        const char *resume_last_modified;
        HttpValidatorsFn on_validators;
        void *validators_userdata;
        HttpProgressFn progress;
        void *progress_userdata;
} HttpRequest;

typedef struct HttpResponse {
        long status;            /* 200 (also for a completed resumed download), 202, 304 or 401 */
        char *url;              /* the URL that answered, after redirects */
        char *etag;             /* NULL: none */
        char *last_modified;    /* NULL: none */
        char *content_type;     /* NULL: none */
        char *www_authenticate; /* NULL: none */
        uint64_t max_age;       /* seconds, from Cache-Control (0: none, no-cache or no-store) */
        uint64_t size;          /* of the body, in fd or in memory */
        char *body;             /* memory requests: NUL-terminated */
        unsigned attempts;      /* > 1 when the transfer was resumed or restarted */
        uint64_t resumed_bytes; /* bytes that were already there and not transferred again */
} HttpResponse;

void http_response_done(HttpResponse *r);

/* Errors: -ENOENT for 404/410, -EACCES for 401/403, -EPROTO for other statuses, -ETIMEDOUT for a
 * connect timeout or a stalled transfer, -EPERM for plain http that is not allowed, -ECONNABORTED for a
 * TLS verification failure, -EFBIG when a memory body exceeds max_size, -ECONNRESET for a connection
 * that kept dropping; the message names the URL and the cause. */
int http_get(HttpClient *c, const HttpRequest *rq, HttpResponse *ret, RktError **reterr);

/* --- pure helpers (unit-tested) --- */

/* max-age from a Cache-Control value as rkt 1.30 read it: no-cache/no-store give 0, a bad number 0. */
uint64_t http_parse_max_age(const char *cache_control);
/* The scheme (lowercase), host and the URL's host[:port] as written. -EINVAL for a URL without both. */
int http_url_split(const char *url, char **ret_scheme, char **ret_host, char **ret_hostport);
