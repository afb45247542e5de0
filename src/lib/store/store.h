/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>
#include <sys/stat.h>

#include "appc.h"
#include "error.h"
#include "image-limits.h"
#include "image-ref.h"

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
        bool latest; /* fetched by discovery without asking for a version (rkt 1.30's latest flag) */
} ImageRecord;

typedef enum StoreOpenFlags {
        STORE_WRITABLE = 1 << 0,  /* create what is missing; otherwise open read-only */
        STORE_EXCLUSIVE = 1 << 1, /* take the store lock exclusively (gc) */
} StoreOpenFlags;

int store_open(const char *data_dir, unsigned flags, Store **ret, RktError **reterr);
Store *store_close(Store *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Store *, store_close);

/* The limits imports check as they stream (NULL: the defaults, see limits.h). */
void store_set_image_limits(Store *s, const ImageLimits *limits);

/* Imports an ACI read from fd (compressed or not) in one pass. *ret_new tells whether it was new. */
int store_import_fd(Store *s, int fd, const char *origin, char **ret_id, bool *ret_new, RktError **reterr);

/* The same in two steps, for images that may appear only together (an image and the ones it depends on).
 * store_stage_fd() reads and checks the image into an unnamed file in the store's tmp dir, nothing of it
 * visible; gate is called once the image has been read and checked: a negative return abandons it.
 * store_publish() then makes it an image of the store (a no-op when the store has it already), and
 * store_staged_free() drops what was not published. A process killed in between leaves no trace (or a
 * tmp/ file gc removes). Fetching verifies the signature in parallel with the read and decides in gate. */
typedef struct StoreStaged StoreStaged;
typedef int (*StoreImportGate)(const char *id, const AppcImageManifest *m, void *userdata,
                               RktError **reterr);
int store_stage_fd(Store *s, int fd, const char *origin, StoreImportGate gate, void *userdata,
                   StoreStaged **ret, RktError **reterr);
const char *store_staged_id(const StoreStaged *st);
const AppcImageManifest *store_staged_manifest(const StoreStaged *st);
int store_publish(Store *s, StoreStaged *st, bool *ret_new, RktError **reterr);
StoreStaged *store_staged_free(StoreStaged *st);
DEFINE_TRIVIAL_CLEANUP_FUNC(StoreStaged *, store_staged_free);

/* Remembers that the file at abs_path (as st describes it) holds image id, so that an unchanged file need
 * not be read and hashed again (rkt's stage1, used on every run, is 10s of MB). lookup fails with -ENOENT
 * unless device, inode, size and mtime all match and the image is still in the store. */
int store_file_cache_lookup(Store *s, const char *abs_path, const struct stat *st, char **ret_id);
int store_file_cache_save(Store *s, const char *abs_path, const struct stat *st, const char *id);

/* Finds an image by ID prefix ("sha512-5f2a") or by name with labels ("example.com/app:1.0,os=linux");
 * for a name with several matches image_record_preferred() picks one. */
int store_resolve(Store *s, const char *ref, char **ret_id, RktError **reterr);
/* The image of ref's name and labels. os and arch, when ref does not ask for them, default to these (NULL:
 * any); an image without that label matches too. image_record_preferred() picks among several; -ENOENT
 * (no message) when none matches. */
int store_find_by_name(Store *s, const ImageRef *ref, const char *os, const char *arch, char **ret_id,
                       RktError **reterr);

int store_get_record(Store *s, const char *id, ImageRecord **ret, RktError **reterr);
/* Marks the image as the latest of its name (it was discovered without a version label). */
int store_set_latest(Store *s, const char *id, RktError **reterr);
/* Whether a is preferred over b among the images matching a lookup by name (rkt 1.30's GetACI): without a
 * version label asked for, an image marked latest first; then the newest import (the higher ID on a tie,
 * so that the choice is stable). */
bool image_record_preferred(const ImageRecord *a, const ImageRecord *b, bool version_requested);
/* All records, unsorted. */
int store_list(Store *s, ImageRecord ***ret, size_t *ret_n, RktError **reterr);
ImageRecord *image_record_free(ImageRecord *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageRecord *, image_record_free);
void image_records_free(ImageRecord **l, size_t n);

/* The manifest bytes as the image carries them. */
int store_read_manifest(Store *s, const char *id, char **ret, size_t *ret_size, RktError **reterr);
/* The same, read once per store handle and then shared: the bytes, and the manifest parsed (once) by
 * appc_image_manifest_parse(), whose error a manifest that does not parse gives each time. Both belong to
 * s and live until store_close(). */
int store_manifest_text(Store *s, const char *id, const char **ret, size_t *ret_size, RktError **reterr);
int store_manifest(Store *s, const char *id, const AppcImageManifest **ret, RktError **reterr);
/* Opens the uncompressed ACI blob for reading. With verify, the caller must hash what it reads. */
int store_open_blob(Store *s, const char *id, RktError **reterr);
/* Copies the blob to fd (-1: only reads it), checking that its content still hashes to id unless verify is
 * false. */
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
/* What `rkt image verify` found of an image's rendered tree. */
typedef enum StoreTreeState {
        STORE_TREE_NONE,     /* never rendered: there was nothing to check but the blobs */
        STORE_TREE_OK,       /* its digest matches the one recorded when it was rendered */
        STORE_TREE_REPAIRED, /* incomplete or damaged (cause says how): rendered again */
} StoreTreeState;

typedef struct StoreVerifyResult {
        StoreTreeState tree;
        char *cause; /* STORE_TREE_REPAIRED: why */
} StoreVerifyResult;

/* Checks image id: the blobs of the image and of its dependencies against their IDs (sha512), then its
 * rendered tree against the digest recorded in the tree's marker. A damaged or incomplete tree is rendered
 * again from the checked blobs when repair is true (as root: owners are kept), and fails with -EPERM
 * otherwise, or with -EBUSY when the tree is one of busy_trees (mounted by running pods: replacing it would
 * change files under running apps).
 * A damaged or missing blob fails with -EBADMSG and leaves everything as it was: it cannot be repaired,
 * only removed and fetched again. */
int store_verify(Store *s, const char *id, bool repair, char *const *busy_trees, StoreVerifyResult *ret,
                 RktError **reterr);
void store_verify_result_done(StoreVerifyResult *r);
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

/* ---------------------------------------------------------------------------------------------------
 * Remote records and downloads (src/lib/store/store-remote.c)
 * --------------------------------------------------------------------------------------------------- */

/* What rkt remembers about an image fetched over HTTP(S): one JSON record per URL under cas/remote/,
 * written write-temp + rename like the image records. A later fetch revalidates with the ETag, skips
 * the network while max-age holds, and --pull-policy=new uses the image without asking the server. */
typedef struct RemoteRecord {
        char *url;              /* the ACI URL */
        char *sig_url;          /* where its signature came from; NULL when none was checked */
        char *etag;             /* NULL: the server sent none */
        char *id;               /* the image the URL gave */
        uint64_t download_time; /* µs since the epoch, of the last download or revalidation */
        uint64_t max_age;       /* seconds, from Cache-Control; 0: revalidate every time */
        char **layers;          /* docker:// images: the digests of the layers the image was made of */
} RemoteRecord;

/* -ENOENT when there is none, or when its image has been removed since. */
int store_get_remote(Store *s, const char *url, RemoteRecord **ret);
int store_put_remote(Store *s, const RemoteRecord *r, RktError **reterr);
RemoteRecord *remote_record_free(RemoteRecord *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(RemoteRecord *, remote_record_free);
/* True while max-age (counted from download_time) has not run out at now (µs since the epoch). */
bool remote_record_fresh(const RemoteRecord *r, uint64_t now);
/* Removes the records whose image is gone, then the cached layers no record names (for gc, under the
 * exclusive store lock). */
int store_remote_gc(Store *s);

/* Layers of docker:// images, cached by digest in cas/docker/blobs/sha256/<hex> so that images sharing
 * layers, and a changed image fetched again, download only what is new. A layer enters the cache by
 * write-temp + fsync + rename once its digest has been checked; gc removes the layers no remote record
 * names. */
typedef struct StoreLayerWrite {
        int fd;
        char *tmp_name; /* relative to the cas dir */
        char *name;
        bool resumable; /* tmp_name is the layer's own partial file, which outlives an interrupted download
                         */
} StoreLayerWrite;

/* An fd of the cached layer (digest "sha256:<hex>"), or -ENOENT. */
int store_layer_open(Store *s, const char *digest);
/* A temporary file for the layer digest, to download into: the layer's partial file, locked, holding what
 * an interrupted download of it left (to resume; its digest is checked over the whole content anyway), or,
 * while another process holds that one, an empty file of this process's own. */
int store_layer_begin(Store *s, const char *digest, StoreLayerWrite *ret, RktError **reterr);
/* Puts the (verified) content of w into the cache and releases w; w->fd stays usable until then. */
int store_layer_commit(Store *s, StoreLayerWrite *w, RktError **reterr);
/* Drops the temporary file and releases w. */
void store_layer_abort(Store *s, StoreLayerWrite *w);
/* Releases w, keeping a partial file for a later download to resume (a file of its own is dropped). */
void store_layer_suspend(Store *s, StoreLayerWrite *w);

/* A new empty directory in the store's tmp dir (its absolute path), for a caller's scratch work; gc
 * removes what an interrupted caller leaves. */
int store_mkdtemp(Store *s, char **ret_path, RktError **reterr);

/* A download in progress: cas/tmp/download-<sha256 of the URL>, plus a small JSON file beside it with
 * the validators (ETag, Last-Modified) of the partial content, so that an interrupted download resumes
 * where it stopped. The fd holds an exclusive flock: two rkt fetching one URL take turns. */
typedef struct StoreDownload {
        int fd;
        char *name; /* relative to the cas dir */
        char *meta_name;
        char *etag; /* validators of what fd holds; NULL when unknown */
        char *last_modified;
} StoreDownload;

int store_download_open(Store *s, const char *url, StoreDownload *ret, RktError **reterr);
/* Remembers the validators of the content being written (call before writing the body). */
int store_download_set_validators(Store *s, StoreDownload *d, const char *url, const char *etag,
                                  const char *last_modified);
/* Removes the file (done with it, or it failed verification) and releases d. */
void store_download_discard(Store *s, StoreDownload *d);
/* Keeps the partial content for a later resume and releases d. */
void store_download_done(StoreDownload *d);

/* An unnamed file in cas/tmp, gone when closed: a private copy of an image to verify and import. */
int store_tmpfile(Store *s, RktError **reterr);
