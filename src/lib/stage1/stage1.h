/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "fetch.h"

#include "appc.h"
#include "error.h"
#include "store.h"

/* How the user chose the stage1 (at most one of these, as rkt 1.30's --stage1-* flags). */
typedef struct Stage1Choice {
        const char *path;     /* --stage1-path: an ACI file */
        const char *url;      /* --stage1-url: file:// only for now */
        const char *name;     /* --stage1-name: name[:version] in the store */
        const char *hash;     /* --stage1-hash: image ID (prefix) in the store */
        const char *from_dir; /* --stage1-from-dir: a file name in the stage1 images directory */
} Stage1Choice;

typedef struct Stage1Config {
        const char *system_config, *local_config, *user_config; /* for the stage1.d JSON files */
        unsigned insecure;
        const char *images_dir; /* paths.d "stage1-images"; NULL: STAGE1_IMAGES_DIR */
        FetchNoticeFn notice; /* what fetching the stage1 says ("using image from file …"); may be NULL */
        void *userdata;
} Stage1Config;

/* The name of the stage1 image this build makes (with the package version as its "version" label). */
#define STAGE1_DEFAULT_NAME "coreos.com/rkt/stage1-nspawn"

/* The stage1 rkt would pick without a --stage1-* flag, as `rkt config` shows it: stage1.d's name, version
 * and location, the build's defaults for what it does not say. */
int stage1_config_effective(const Stage1Config *cfg, char **ret_name, char **ret_version,
                            char **ret_location, RktError **reterr);

/* Picks the stage1 image, imports it into the store when needed (an unchanged file is not read again),
 * and returns its ID. Without a choice: stage1.d configuration (name + version from the store, else its
 * location, else a file of the location's name beside the rkt binary), else stage1-nspawn.aci in the
 * configured stage1 images directory, else beside the rkt binary, else in the build's stage1 images
 * directory. Container Linux's names of the default stage1 (stage1-coreos.aci, coreos.com/rkt/stage1-coreos
 * at this version) resolve to it when no image of that file or name exists. */
int stage1_resolve(Store *s, const Stage1Choice *choice, const Stage1Config *cfg, char **ret_id,
                   RktError **reterr);
