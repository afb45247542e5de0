/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

#include "error.h"
#include "keystore.h"
#include "store.h"

/* rkt 1.30's --pull-policy: "new" uses the store when it has the image, "update" fetches again (and
 * lets the remote side say nothing changed), "never" uses only the store. */
typedef enum PullPolicy {
        PULL_NEW,
        PULL_UPDATE,
        PULL_NEVER,
} PullPolicy;

int pull_policy_from_string(const char *s, PullPolicy *ret);

typedef enum FetchNoticeLevel {
        FETCH_NOTICE_DEBUG, /* shown with --debug */
        FETCH_NOTICE_INFO,
        FETCH_NOTICE_WARNING,
} FetchNoticeLevel;

/* What the CLI may show while a fetch runs; the library itself prints nothing. */
typedef void (*FetchNoticeFn)(FetchNoticeLevel level, const char *message, void *userdata);
/* Download progress of an image: label says what ("Downloading ACI"), total 0 when unknown; called a last
 * time with finished set. */
typedef void (*FetchProgressFn)(const char *label, uint64_t done, uint64_t total, bool finished,
                                void *userdata);
/* Whether to trust key, discovered at location for prefix while fetching an image by name (rkt 1.30 asks
 * the user). Without a callback such keys are trusted only with trust_keys_from_https. */
typedef bool (*FetchConfirmKeyFn)(const char *prefix, const char *location, const PgpKey *key,
                                  void *userdata);

typedef struct FetchOptions {
        unsigned insecure; /* InsecureFlags */
        PullPolicy pull_policy;
        bool trusted_location; /* the image comes from rkt's own stage1 images dir: no signature needed */
        /* Where the trust store (trustedkeys/) and auth.d live; NULL: rkt's defaults (/usr/lib/rkt,
         * /etc/rkt, no user dir). */
        const char *system_config;
        const char *local_config;
        const char *user_config;
        bool trust_keys_from_https;    /* --trust-keys-from-https: trust keys discovered over https */
        const char *signature;         /* a signature file to use instead of the one beside the image */
        uint64_t connect_timeout_usec; /* 0: 30 s */
        uint64_t stall_timeout_usec;   /* 0: 30 s */
        uint64_t max_image_size;  /* of an image uncompressed (and of a docker image's layers); 0: 16 GiB */
        unsigned parallel_layers; /* docker layers downloaded at once; 0: $RKT_DOCKER_PARALLEL_LAYERS, else 3
                                   */
        FetchNoticeFn notice;
        FetchProgressFn progress;
        FetchConfirmKeyFn confirm_key;
        void *userdata;
} FetchOptions;

/* Brings an image into the store and returns its ID. image is
 *   - an image ID (prefix): looked up in the store;
 *   - a local ACI (a path or file:// URL): imported (with PULL_NEW a file that was imported unchanged before
 *     is not read again, when no signature needs checking);
 *   - an http(s):// URL of an ACI: downloaded, with its signature from <URL minus .aci>.aci.asc;
 *   - a name with labels (example.com/app:1.0,os=linux): looked up in the store (PULL_NEW, PULL_NEVER) or
 *     found by appc discovery and downloaded.
 * Unless the insecure flags say otherwise or the image is in a trusted location, the signature is checked
 * against the trust store BEFORE anything is imported: an image that fails leaves no trace in the store.
 * Downloads land in the store's tmp dir and resume there when interrupted; ETag and Cache-Control max-age
 * are remembered per URL. */
int fetch_image(Store *s, const char *image, const FetchOptions *o, char **ret_id, RktError **reterr);

/* True for the image strings rkt treats as local files. */
bool image_is_local_file(const char *image);
/* Where rkt looks for an image's signature: <image minus .aci>.aci.asc (a path or a URL). */
char *signature_location(const char *image);
