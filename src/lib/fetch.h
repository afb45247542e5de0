/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "error.h"
#include "store.h"

/* rkt 1.30's --pull-policy: "new" uses the store when it has the image, "update" fetches again (and
 * lets the remote side say nothing changed), "never" uses only the store. */
typedef enum PullPolicy {
        PULL_NEW,
        PULL_UPDATE,
        PULL_NEVER,
} PullPolicy;

int pull_policy_from_string(const char *s, PullPolicy *ret);

typedef struct FetchOptions {
        unsigned insecure; /* InsecureFlags */
        PullPolicy pull_policy;
        bool trusted_location; /* the image comes from rkt's own stage1 images dir: no signature needed */
} FetchOptions;

/* Brings an image into the store and returns its ID. image is an image ID (prefix), a local ACI (a path
 * or file:// URL) or a name with labels (example.com/app:1.0). Local files are imported (checking their
 * signature unless told otherwise); with PULL_NEW a file already imported and unchanged since (same
 * device, inode, size and mtime) is not read again. */
int fetch_image(Store *s, const char *image, const FetchOptions *o, char **ret_id, RktError **reterr);

/* True for the image strings rkt treats as local files. */
bool image_is_local_file(const char *image);
