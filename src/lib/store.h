/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>
#include <sys/stat.h>

#include "appc.h"
#include "error.h"

/* The content-addressed image store under <dir>/cas. No database: one small JSON record per image,
 * written write-temp + fsync + rename after the blob and manifest it describes, so an image exists
 * exactly when its record does, and a crash at any instant leaves the old or the new state. A shared
 * flock on cas/lock is held by every user of the store; gc takes it exclusively. */
typedef struct Store Store;

typedef struct ImageRecord {
        char *id; /* sha512-<128 hex> */
        char *name;
        AppcKV *labels;
        size_t n_labels;
        uint64_t import_time; /* µs since the epoch */
        uint64_t last_used;   /* µs since the epoch */
        uint64_t size;        /* of the uncompressed ACI */
        char *origin;         /* where it came from: a file:// or http(s):// URL */
} ImageRecord;

typedef enum StoreOpenFlags {
        STORE_WRITABLE = 1 << 0,  /* create what is missing; otherwise open read-only */
        STORE_EXCLUSIVE = 1 << 1, /* take the store lock exclusively (gc) */
} StoreOpenFlags;

int store_open(const char *data_dir, unsigned flags, Store **ret, RktError **reterr);
Store *store_close(Store *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Store *, store_close);

/* Imports an ACI read from fd (compressed or not) in one pass. *ret_new tells whether it was new. */
int store_import_fd(Store *s, int fd, const char *origin, char **ret_id, bool *ret_new, RktError **reterr);

/* Remembers that the file at abs_path (as st describes it) holds image id, so that an unchanged file need
 * not be read and hashed again (rkt's stage1, used on every run, is 10s of MB). lookup fails with -ENOENT
 * unless device, inode, size and mtime all match and the image is still in the store. */
int store_file_cache_lookup(Store *s, const char *abs_path, const struct stat *st, char **ret_id);
int store_file_cache_save(Store *s, const char *abs_path, const struct stat *st, const char *id);

/* Finds an image by ID prefix ("sha512-5f2a") or by name with labels ("example.com/app:1.0,os=linux");
 * for a name with several matches the newest import wins. */
int store_resolve(Store *s, const char *ref, char **ret_id, RktError **reterr);

int store_get_record(Store *s, const char *id, ImageRecord **ret, RktError **reterr);
/* All records, unsorted. */
int store_list(Store *s, ImageRecord ***ret, size_t *ret_n, RktError **reterr);
ImageRecord *image_record_free(ImageRecord *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageRecord *, image_record_free);
void image_records_free(ImageRecord **l, size_t n);

/* The manifest bytes as the image carries them. */
int store_read_manifest(Store *s, const char *id, char **ret, size_t *ret_size, RktError **reterr);
/* Opens the uncompressed ACI blob for reading. With verify, the caller must hash what it reads. */
int store_open_blob(Store *s, const char *id, RktError **reterr);
/* Copies the blob to fd, checking that its content still hashes to id unless verify is false. */
int store_export(Store *s, const char *id, int fd, bool verify, RktError **reterr);
/* Records a use now (run, prepare, render). */
int store_touch(Store *s, const char *id, RktError **reterr);
/* Removes the image: the record first (the commit point), then its blob, manifest and the trees rendered
 * from it, except those in keep_trees (pods still use them). */
int store_remove(Store *s, const char *id, char *const *keep_trees, RktError **reterr);

/* Renders id with its dependencies (resolved from the store by ID or by name + labels, pathWhitelist
 * applied) into target_dirfd: the rootfs contents only, or manifest + rootfs/. */
int store_render(Store *s, const char *id, int target_dirfd, bool rootfs_only, RktError **reterr);
/* Renders id once into the tree store and returns the tree's ID ("deps-sha512-…") and its directory
 * (holding rootfs/ and manifest). Later calls return the same tree without work. */
int store_render_tree(Store *s, const char *id, char **ret_tree_id, char **ret_tree_dir, RktError **reterr);
/* Sum of the file sizes in the trees rendered for image id. */
uint64_t store_tree_size(Store *s, const char *id);

typedef struct StoreGcResult {
        char **removed_images;
        char **removed_trees;
} StoreGcResult;
/* Removes images last used before cutoff (µs since the epoch) that no pod references, trees no pod
 * references, and leftovers of interrupted imports and renders. keep_ids/keep_trees name what pods use.
 * Needs a store opened with STORE_EXCLUSIVE. */
int store_gc(Store *s, uint64_t cutoff, char *const *keep_ids, char *const *keep_trees, StoreGcResult *ret,
             RktError **reterr);
void store_gc_result_done(StoreGcResult *r);

/* The short forms rkt prints: 12 hex digits in listings, 32 after a fetch. */
char *image_id_short(const char *id, size_t hex_digits);
