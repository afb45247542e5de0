/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

#include "error.h"

/* rkt's configuration files: `*.json` directly in `<dir>/auth.d` of the system (/usr/lib/rkt), local
 * (/etc/rkt) and user config dirs, each with "rktKind" and "rktVersion": "v1". Within one dir a domain may
 * be configured once; a later dir overrides an earlier one per domain (rkt 1.30's merge). Secrets are kept
 * in memory only as long as the config lives and are wiped when it is freed; nothing here ever puts them
 * into a message. */

typedef enum AuthType {
        AUTH_BASIC, /* user + password: Authorization: Basic */
        AUTH_OAUTH, /* token: Authorization: Bearer */
        AUTH_AWS,   /* accepted in the files as rkt 1.30 does, but requests cannot be signed yet */
} AuthType;

typedef struct AuthEntry {
        char *domain; /* host, or host:port */
        AuthType type;
        char *user, *password; /* basic */
        char *token;           /* oauth */
        char *source;          /* the file it came from, for messages */
} AuthEntry;

typedef struct DockerAuthEntry {
        char *registry;
        char *user, *password;
        char *source;
} DockerAuthEntry;

typedef struct RktConfig {
        AuthEntry *auth;
        size_t n_auth;
        DockerAuthEntry *docker_auth;
        size_t n_docker_auth;
} RktConfig;

/* Reads auth.d of each of the n dirs (NULL entries are skipped), later ones overriding earlier ones. A
 * missing dir is fine; a malformed file is an error naming the file. */
int rkt_config_load(const char *const *dirs, size_t n, RktConfig **ret, RktError **reterr);
RktConfig *rkt_config_free(RktConfig *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(RktConfig *, rkt_config_free);

/* The credentials for a request to hostport, the URL's host[:port] as written (rkt 1.30 compared the
 * configured domains against exactly that): "localhost:8443" matches an entry for "localhost:8443", not one
 * for "localhost". Case-insensitive. NULL when nothing applies. */
const AuthEntry *rkt_config_find_auth(const RktConfig *c, const char *hostport);

/* The "Authorization: …" header line for entry a. -EOPNOTSUPP for AWS. */
int auth_entry_header(const AuthEntry *a, char **ret_header, RktError **reterr);

/* paths.d: `*.json` files with "rktKind": "paths", "rktVersion": "v1", in the same dirs. Keys:
 * "net-plugins": the directories searched for CNI plugins, in order (a JSON array of absolute paths without
 * ':'); "data": the data directory used when --dir is not given; "stage1-images": the directory of stage1
 * images (--stage1-from-dir and the default stage1), instead of <libdir>/rkt/stage1-images. Both are
 * absolute paths. Within one dir a key may be set once; a later dir overrides an earlier one per key. */
typedef struct RktPaths {
        char **net_plugins; /* NULL: not configured (and so below) */
        char *data;
        char *stage1_images;
} RktPaths;

int rkt_paths_load(const char *const *dirs, size_t n, RktPaths *ret, RktError **reterr);
void rkt_paths_done(RktPaths *p);
