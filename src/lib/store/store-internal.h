/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "image-limits.h"
#include "store.h"

typedef struct StoreManifest StoreManifest;

/* The store's innards, shared by the files that implement it (src/lib/store/). Nothing outside them
 * includes this. */
struct Store {
        char *cas;  /* <data dir>/cas */
        int dir_fd; /* -1: read-only and the store does not exist yet */
        int lock_fd;
        bool writable;
        bool shared;              /* cas/ is writable by its group: its directories are made for sharing */
        uid_t uid;                /* whose entries, besides root's, this process uses (store-trust.c) */
        ImageLimits limits;       /* of imports; zeros: the defaults */
        StoreManifest *manifests; /* read so far (store-manifest.c) */
        size_t n_manifests;
};

/* What root moved out of the way because someone else made it (store-trust.c); gc removes it. */
#define STORE_UNTRUSTED_PREFIX "untrusted-"

/* Whether an entry with this stat is one this process may use: root's or its own, changeable by nobody
 * else. */
bool store_stat_trusted(const Store *s, const struct stat *st);
/* Opens path (relative to cas/) with flags, never following a symlink, only when it and every directory
 * on the way are trusted: -EPERM when something on the way is not, -ENOENT when it does not exist. */
int store_open_trusted(const Store *s, const char *path, int flags);
int store_read_trusted(const Store *s, const char *path, char **ret, size_t *ret_size);
/* Makes dirfd/name a trusted directory of that mode (> 0: it was made or changed now); root moves aside
 * what someone else made there. */
int store_ensure_dir(const Store *s, int dirfd, const char *name, mode_t mode);
/* The same for each directory of path (relative to cas/); private ones are root's alone (0700). > 0: the
 * last one was made or changed now. */
int store_ensure_path(const Store *s, const char *path, bool private);
/* The store's directories, made or repaired; *ret_bad names the one that could not be. */
int store_ensure_layout(const Store *s, char **ret_bad);
int store_sweep_untrusted(const Store *s);

/* --- shared by store.c, store-tree.c and store-gc.c --- */

/* "sha512-" and 128 hex digits. */
#define ID_LEN (7 + 128)
#define DIR_MODE 0750
#define RECORD_MAX (1024 * 1024)

bool store_id_valid(const char *id);
/* Paths relative to cas/ of an image's blob (kind "blob") and of its record. */
char *store_blob_path(const char *kind, const char *id);
char *store_record_path(const char *id);
int store_write_record(Store *s, const ImageRecord *r);
/* Calls f for every image ID in the store; stops at the first negative return. */
int store_for_each_id(Store *s, int (*f)(const char *id, void *userdata), void *userdata);
/* flock() op on the image's lock file (LOCK_SH while rendering it, LOCK_EX while removing it). */
int store_lock_image(Store *s, const char *id, int op);
/* store_find_by_name() with a message naming text when nothing matches. */
int store_resolve_name(Store *s, const ImageRef *ref, const char *os, const char *arch, const char *text,
                       char **ret_id, RktError **reterr);
/* store_manifest() with a parse error naming the image. */
int store_read_manifest_parsed(Store *s, const char *id, const AppcImageManifest **ret, RktError **reterr);
/* Hands an image's manifest (bytes and parsed) to the store's manifests, which then own them (1), unless
 * they hold it already (0: the caller keeps them). */
int store_manifest_keep(Store *s, const char *id, char **text, size_t size, AppcImageManifest *m);
/* Drops a removed image's manifest. */
void store_manifest_forget(Store *s, const char *id);
void store_manifests_free(Store *s);
/* A rendered tree's marker: the images it holds, its size and its hash. */
int store_read_tree_marker(int casfd, const char *tree_id, char ***ret_images, uint64_t *ret_size,
                           char **ret_hash);
/* The image ID an entry of the local files' cache (files/, text read from file) holds; -EBADMSG when it is
 * damaged. */
int store_file_cache_id(const char *text, size_t size, const char *file, char **ret_id);
/* Calls f for every rendered tree; stops at the first negative return. */
int store_for_each_tree(Store *s, int (*f)(Store *s, const char *tree_id, void *userdata), void *userdata);
