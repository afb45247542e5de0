/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "macro.h"

/* An error that carries the text of the library that produced it (libarchive, curl, gpgme, json-c),
 * which says more than an errno. Library code fills it; the CLI prints it once. Callers add context
 * as the error climbs: "fetching 'x': HTTP 404 from https://…". */
/* The errors whose remedy is a flag or a command of rkt's. The library names the case and writes its
 * message without the remedy (it knows no flags); the program that has the flags words the remedy
 * (rkt_error_hints_set()), so that the user reads one message. */
typedef enum RktHint {
        RKT_HINT_NONE,
        RKT_HINT_PULL_NEVER,         /* an image not in the store, and the pull policy "never" */
        RKT_HINT_PULL_NEVER_FORBIDS, /* the same, arg: what would have been fetched */
        RKT_HINT_DOCKER_UNSIGNED,    /* a docker image, which has no signature to verify */
        RKT_HINT_SIGNATURE_FILE,     /* a local signature file missing */
        RKT_HINT_SIGNATURE,          /* an image's signature missing */
        RKT_HINT_KEY_OFFERED,        /* a key found by discovery and not trusted; arg: the image name */
        RKT_HINT_TRUST_MASKED,       /* a key trusted for another prefix; arg: the image name */
        RKT_HINT_TRUST,              /* an unknown signing key; arg: the image name */
        RKT_HINT_IMAGE_SIZE,         /* an image over the size limit */
        RKT_HINT_MDS_UNREACHABLE,    /* the metadata service not running */
        RKT_HINT_STAGE1_CHOICE,      /* more than one stage1 image chosen */
        RKT_HINT_STAGE1_URL,         /* a stage1 URL of an unknown scheme */
        RKT_HINT_STAGE1_FROM_DIR,    /* a stage1 file name that is a path */
        RKT_HINT_STAGE1_MISSING,     /* no stage1 image where the default is */
        RKT_HINT_HTTP_REDIRECT,      /* a redirect to plain HTTP refused */
        RKT_HINT_HTTP,               /* plain HTTP refused */
        RKT_HINT_TLS,                /* a server certificate that does not verify */
        RKT_HINT_TLS_PLAIN_HTTP,     /* a TLS handshake failed, as with a server that speaks plain HTTP */
        RKT_HINT_NET_VALUE,          /* a bad network in a list of networks */
        RKT_HINT_NET_ALONE,          /* host or none with other networks; arg: which */
        RKT_HINT_DNS_VALUE,          /* a bad DNS setting; arg: the setting (dns, dns-search, …) */
        RKT_HINT_DNS_ALONE,          /* DNS host or none with other DNS settings; arg: which */
        RKT_HINT_DNS_RESOLV,         /* search, options or domain with DNS host or none; arg: which */
        RKT_HINT_HOSTS_ALONE,        /* the host's hosts file with other hosts entries */
        RKT_HINT_VOLUME_SOURCE,      /* a host volume's source that is not there (stage1 exits 1) */
} RktHint;

typedef struct RktError {
        int code; /* negative errno */
        char *message;
        RktHint hint;
} RktError;

/* The program's words for a hint: the whole message the user reads, from the library's message and the
 * hint's argument (NULL: the library's message stands). */
typedef char *(*RktHintFn)(RktHint hint, const char *arg, const char *message);
/* Installs the program's words; without them the library's messages stand alone. */
void rkt_error_hints_set(RktHintFn fn);
/* message worded with hint by the program (NULL when it has no words for it or out of memory). */
char *rkt_error_hint_render(RktHint hint, const char *arg, const char *message);

/* Sets *reterr (when reterr is not NULL and not already set) and returns code (negative errno). %m in fmt
 * is strerror(-code), as in log_error_errno(). */
int rkt_error_set(RktError **reterr, int code, const char *fmt, ...) _printf_(3, 4);
/* rkt_error_set() for an error whose remedy the program words (RktHint), arg the hint's argument. */
int rkt_error_set_hint(RktError **reterr, int code, RktHint hint, const char *arg, const char *fmt, ...)
        _printf_(5, 6);
/* Prepends "context: " to an existing message (or creates one from the errno). Returns the code. */
int rkt_error_prefix(RktError **reterr, int code, const char *fmt, ...) _printf_(3, 4);
RktError *rkt_error_free(RktError *e);
DEFINE_TRIVIAL_CLEANUP_FUNC(RktError *, rkt_error_free);
#define _cleanup_error_ _cleanup_(rkt_error_freep)
/* The message, or strerror of the code when none was given. */
const char *rkt_error_message(const RktError *e, int code);
