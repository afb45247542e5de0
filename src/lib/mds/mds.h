/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The appc metadata service's state and its HTTP semantics, without any I/O: the registry of pods (by UUID
 * and by token), the rendering of each answer, and HMAC signing. The HTTP server (mds-server.c) and the CLI
 * verb (src/cli/metadata-service.c) only move bytes in and out of these functions, so every status code,
 * content type and body can be unit-tested without sockets or root.
 *
 * Two request handlers, one per listener, behave as rkt 1.30's metadata service:
 *
 * Registration (the root-only unix socket /run/rkt/metadata-svc.sock):
 *   PUT    /pods/UUID?token=TOKEN[&ip=ADDR]  body: the pod manifest       200 | 400 | 409 (token taken)
 *   PUT    /pods/UUID/APP                    body: APP's image manifest   200 | 400 | 404 (pod unknown)
 *   DELETE /pods/UUID                                                     200 | 400 | 404
 *   Re-registering a UUID replaces the pod and forgets its apps. ip is optional and informational (rkt 1.30
 *   identifies pods by token only). Manifests are validated (src/lib/appc/appc.h) and served re-encoded, as
 *   rkt did; the pod manifest always carries "annotations" (as [] when empty), which the ACE validator
 * needs.
 *
 * Public (TCP 18112, for apps; AC_METADATA_URL is http://HOST:18112/TOKEN), under /TOKEN/acMetadata/v1:
 *   GET  /pod/annotations                 application/json               [{"name":…,"value":…}…]
 *   GET  /pod/annotations/NAME            text/plain; charset=us-ascii   the value
 *   GET  /pod/manifest                    application/json
 *   GET  /pod/uuid                        text/plain; charset=us-ascii   no trailing newline
 *   GET  /apps/APP/annotations            application/json               the image's annotations, each pod
 *                                                                        app annotation replacing one of the
 *                                                                        same name in place or appended
 *   GET  /apps/APP/annotations/NAME       text/plain; charset=us-ascii
 *   GET  /apps/APP/image/manifest         application/json
 *   GET  /apps/APP/image/id               text/plain; charset=us-ascii   no trailing newline
 *   POST /pod/hmac/sign    form content                     base64(HMAC-SHA512(key, uuid16 ‖ content))
 *   POST /pod/hmac/verify  form content, uuid, signature    200 valid | 403 not | 400 malformed
 *   An unknown token is 401 (as rkt 1.30), an unknown app or annotation 404, a known path with another
 *   method 405, anything else 404. verify needs no registered token (rkt did not ask for one either): it
 *   checks a signature another pod presents, and answers nothing but yes or no. The key is 64 random bytes
 *   per service start, so signatures do not survive a restart. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "appc.h"
#include "error.h"
#include "macro.h"

#define MDS_SOCKET_PATH "/run/rkt/metadata-svc.sock"
#define MDS_DEFAULT_PORT 18112

#define MDS_HMAC_KEY_SIZE 64
#define MDS_UUID_SIZE 16
#define MDS_TOKEN_MAX 256

#define MDS_CONTENT_TYPE_JSON "application/json"
#define MDS_CONTENT_TYPE_TEXT "text/plain; charset=us-ascii"
#define MDS_CONTENT_TYPE_ERROR "text/plain; charset=utf-8"

/* --- values --- */

/* A UUID as appc's types.NewUUID reads it: 32 hex digits (either case) once every '-' is removed. */
int mds_uuid_parse(const char *s, uint8_t ret[MDS_UUID_SIZE]);
/* The canonical form: lower case, 8-4-4-4-12. buf has room for 37 bytes. */
char *mds_uuid_format(const uint8_t uuid[MDS_UUID_SIZE], char buf[static 37]);
/* Tokens go into URL paths: 1 to MDS_TOKEN_MAX characters of [A-Za-z0-9._~-]. */
bool mds_token_valid(const char *s);

/* Standard base64 with padding (Go's base64.StdEncoding). Decoding ignores '\r' and '\n' as Go does and
 * refuses anything else outside the alphabet (-EINVAL). */
char *mds_base64_encode(const void *data, size_t size);
int mds_base64_decode(const char *s, uint8_t **ret, size_t *ret_size);

/* base64(HMAC-SHA512(key, uuid ‖ content)), the signature /pod/hmac/sign returns. */
int mds_hmac_sign(const uint8_t *key, size_t key_size, const uint8_t uuid[MDS_UUID_SIZE],
                  const void *content, size_t content_size, char **ret_signature);
/* 1 when signature (base64) is the signature of content by uuid, 0 when not, -EINVAL when signature is not
 * base64. The comparison takes the same time wherever the signatures differ. */
int mds_hmac_verify(const uint8_t *key, size_t key_size, const uint8_t uuid[MDS_UUID_SIZE],
                    const void *content, size_t content_size, const char *signature);

/* --- rendering --- */

/* [{"name":…,"value":…},…] in order; "[]" when n is 0. */
int mds_render_annotations(const AppcKV *annotations, size_t n, char **ret_json);
/* An app's annotations as the service answers them: the image's, then each of the pod app's replacing the
 * one of the same name in place or appended (appc's Annotations.Set), so order follows the image. */
int mds_merge_app_annotations(const AppcImageManifest *im, const AppcRuntimeApp *ra, AppcKV **ret,
                              size_t *ret_n);

/* --- the registry --- */

typedef struct MdsRegistry MdsRegistry;

/* key: MDS_HMAC_KEY_SIZE bytes, copied (the CLI draws them from getrandom() at each start). */
int mds_registry_new(const uint8_t *key, size_t key_size, MdsRegistry **ret);
MdsRegistry *mds_registry_free(MdsRegistry *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(MdsRegistry *, mds_registry_free);

size_t mds_registry_n_pods(const MdsRegistry *r);

/* -EINVAL (bad UUID, token, ip or manifest; the error says which), -EEXIST (another pod has this token).
 * A pod already registered under uuid is replaced, apps and all. */
int mds_registry_add_pod(MdsRegistry *r, const char *uuid, const char *token, const char *ip,
                         const char *pod_manifest, size_t size, RktError **reterr);
/* -ENOENT (no such pod), -EINVAL (bad name or manifest, or the pod manifest has no app of that name). */
int mds_registry_add_app(MdsRegistry *r, const char *uuid, const char *app, const char *image_manifest,
                         size_t size, RktError **reterr);
/* -ENOENT when no pod has that UUID, -EINVAL when uuid is not one. */
int mds_registry_remove_pod(MdsRegistry *r, const char *uuid);

/* The canonical UUID of the pod registered with token, or NULL. */
const char *mds_registry_lookup_token(const MdsRegistry *r, const char *token);

/* --- HTTP --- */

/* Form (or query) fields in arrival order; lookups return the first field of a name, so a caller that
 * adds the body's fields before the URL's gets Go's FormValue precedence. Values are NUL-terminated and
 * may contain NUL bytes (value_size tells). */
typedef struct MdsFormField {
        char *key;
        char *value;
        size_t value_size;
} MdsFormField;

typedef struct MdsForm {
        MdsFormField *fields;
        size_t n_fields;
} MdsForm;

/* off 0 starts a new field; off > 0 continues the last field called key (a value that arrives in pieces,
 * as MHD's post processor hands them out). -ENOMEM, -EINVAL (a continuation of nothing). */
int mds_form_add(MdsForm *f, const char *key, const void *data, size_t size, uint64_t off);
const char *mds_form_get(const MdsForm *f, const char *key, size_t *ret_size);
void mds_form_done(MdsForm *f);

typedef struct MdsResponse {
        unsigned status;
        const char *content_type; /* static; NULL: no Content-Type */
        const char *allow;        /* static; set with 405 */
        char *body;               /* may be NULL when body_size is 0 */
        size_t body_size;
} MdsResponse;

void mds_response_done(MdsResponse *resp);

/* path is the decoded URL path without the query. Fill *ret (status always set); return -ENOMEM only, the
 * caller answering 500 then. */
int mds_handle_registration(MdsRegistry *r, const char *method, const char *path, const MdsForm *query,
                            const void *body, size_t body_size, MdsResponse *ret);
int mds_handle_public(MdsRegistry *r, const char *method, const char *path, const MdsForm *form,
                      MdsResponse *ret);
