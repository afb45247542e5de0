/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

/* The security checks --insecure-options can switch off, as rkt 1.30 names them. */
typedef enum InsecureFlags {
        INSECURE_IMAGE = 1u << 0,        /* image signature verification */
        INSECURE_TLS = 1u << 1,          /* TLS certificate and host checks */
        INSECURE_ONDISK = 1u << 2,       /* re-hashing store blobs on use */
        INSECURE_HTTP = 1u << 3,         /* plain HTTP for discovery and fetches */
        INSECURE_PUBKEY = 1u << 4,       /* fetching trust keys over insecure channels */
        INSECURE_CAPABILITIES = 1u << 5, /* capability restriction of apps */
        INSECURE_PATHS = 1u << 6,        /* masking of /proc and /sys paths */
        INSECURE_SECCOMP = 1u << 7,      /* the default seccomp filter */
} InsecureFlags;

#define INSECURE_ALL_FETCH (INSECURE_IMAGE | INSECURE_TLS | INSECURE_HTTP | INSECURE_PUBKEY)
#define INSECURE_ALL_RUN (INSECURE_CAPABILITIES | INSECURE_PATHS | INSECURE_SECCOMP)
#define INSECURE_ALL (INSECURE_ALL_FETCH | INSECURE_ALL_RUN | INSECURE_ONDISK)

/* Parses a comma-separated list ("image,tls", "all-fetch", "none"). On an unknown word, returns -EINVAL
 * and points *ret_bad at it (inside value) when ret_bad is not NULL. */
int insecure_parse(const char *value, unsigned *ret, const char **ret_bad, size_t *ret_bad_len);
/* The comma-separated names of the individual flags set in f ("none" for 0); the caller frees it. */
char *insecure_to_string(unsigned f);
/* "none,image,tls,…" for help texts. */
const char *insecure_option_names(void);
