/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "aci-extract.h"
#include "aci-read.h"
#include "cleanup.h"
#include "digest.h"
#include "fs.h"
#include "format.h"
#include "json-table.h"
#include "image-deps.h"
#include "image-ref.h"
#include "lock.h"
#include "path.h"
#include "store.h"
#include "store-internal.h"
#include "strv.h"
#include "tree-hash.h"

bool store_id_valid(const char *id) {
        return id && strlen(id) == ID_LEN && image_ref_is_id(id);
}

char *image_id_short(const char *id, size_t hex_digits) {
        return strndup(id, 7 + hex_digits);
}

/* cas/ itself must be root's or ours, and nobody else may rename what is in it: the sticky bit where its
 * group may write (root adds it to a store made before it mattered). */
static int check_cas(Store *s, RktError **reterr) {
        struct stat st;

        if (fstat(s->dir_fd, &st) < 0)
                return rkt_error_set(reterr, negative_errno(), "cannot examine the store '%s': %m", s->cas);
        s->shared = st.st_mode & S_IWGRP;
        if (store_stat_trusted(s, &st))
                return 0;
        if (st.st_uid == s->uid && fchmod(s->dir_fd, (st.st_mode & 07777) | S_ISVTX) >= 0)
                return 0;
        return rkt_error_set(
                reterr, -EPERM,
                "the store '%s' belongs to uid %u and may be changed by others: refusing to use it", s->cas,
                (unsigned) st.st_uid);
}

int store_open(const char *data_dir, unsigned flags, Store **ret, RktError **reterr) {
        _cleanup_free_ char *cas = path_join(data_dir, "cas");
        Store *s;
        int r;

        if (!cas)
                return -ENOMEM;
        /* The parents of a store that exists are not made again. */
        if ((flags & STORE_WRITABLE) && mkdir(cas, DIR_MODE) < 0 && errno != EEXIST) {
                r = mkdir_p(cas, DIR_MODE);
                if (r < 0)
                        return rkt_error_set(reterr, r, "cannot create the store '%s': %s", cas,
                                             strerror(-r));
        }
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->lock_fd = -1;
        s->writable = flags & STORE_WRITABLE;
        s->cas = TAKE_PTR(cas);
        s->uid = geteuid();
        s->dir_fd = open(s->cas, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->dir_fd < 0) {
                r = negative_errno();
                if (r == -ENOENT && !s->writable) {
                        *ret = s;
                        return 0;
                }
                store_close(s);
                return rkt_error_set(reterr, r, "cannot open the store: %s", strerror(-r));
        }
        r = check_cas(s, reterr);
        if (r >= 0 && s->writable) {
                _cleanup_free_ char *bad = NULL;
                r = store_ensure_layout(s, &bad);
                if (r < 0)
                        rkt_error_set(reterr, r, "cannot create '%s/%s': %s", s->cas, strna(bad),
                                      r == -EPERM ? "someone else owns it or can change it" : strerror(-r));
        }
        if (r < 0) {
                store_close(s);
                return r;
        }
        s->lock_fd =
                lock_path_at(s->dir_fd, "lock", (flags & STORE_EXCLUSIVE) ? LOCK_EX : LOCK_SH, s->writable);
        if (s->lock_fd < 0 && (s->writable || (s->lock_fd != -ENOENT && s->lock_fd != -EACCES))) {
                r = s->lock_fd;
                s->lock_fd = -1;
                store_close(s);
                return rkt_error_set(reterr, r, "cannot lock the store: %s", strerror(-r));
        }
        *ret = s;
        return 0;
}

Store *store_close(Store *s) {
        if (!s)
                return NULL;
        safe_close(s->dir_fd);
        safe_close(s->lock_fd);
        store_manifests_free(s);
        free(s->cas);
        free(s);
        return NULL;
}

char *store_blob_path(const char *kind, const char *id) {
        char *p;
        if (asprintf(&p, "%s/sha512/%.2s/%s", kind, id + 7, id) < 0)
                return NULL;
        return p;
}

char *store_record_path(const char *id) {
        char *p;
        if (asprintf(&p, "images/%s.json", id) < 0)
                return NULL;
        return p;
}

/* --- records --- */

/* images/<id>.json. Labels are pairs of strings; the ID is checked by record_validate(). */
static const JsonField label_fields[] = {
        JSON_FIELD("name", STRING, NameValue, name, .flags = JSON_REQUIRED),
        JSON_FIELD("value", STRING, NameValue, value, .flags = JSON_REQUIRED),
        {},
};

static const JsonTable label_table = {.size = sizeof(NameValue), .fields = label_fields, .strict = true};

static int record_validate(const void *p, RktError **reterr) {
        const ImageRecord *r = p;

        if (!store_id_valid(r->id))
                return json_fail(reterr, "field 'id': not an image ID (sha512- and 128 hex digits)");
        return 0;
}

static const JsonField record_fields[] = {
        JSON_FIELD("id", STRING, ImageRecord, id, .flags = JSON_REQUIRED),
        JSON_FIELD("name", STRING, ImageRecord, name, .flags = JSON_REQUIRED),
        JSON_LIST("labels", ARRAY, ImageRecord, labels, .elem = &label_table),
        JSON_FIELD("importTime", UINT64, ImageRecord, import_time),
        JSON_FIELD("lastUsed", UINT64, ImageRecord, last_used),
        JSON_FIELD("size", UINT64, ImageRecord, size),
        JSON_FIELD("origin", STRING, ImageRecord, origin, .flags = JSON_OMITEMPTY),
        JSON_FIELD("latest", BOOL, ImageRecord, latest, .flags = JSON_OMITEMPTY),
        {},
};

static const JsonTable record_table = {
        .size = sizeof(ImageRecord),
        .fields = record_fields,
        .strict = true,
        .validate = record_validate,
};

ImageRecord *image_record_free(ImageRecord *r) {
        return json_table_free(&record_table, r);
}

void image_records_free(ImageRecord **l, size_t n) {
        for (size_t i = 0; i < n; i++)
                image_record_free(l[i]);
        free(l);
}

/* The record of image id, read from text; what names it in messages. */
static int record_from_json(const char *text, size_t size, const char *id, ImageRecord **ret,
                            RktError **reterr) {
        _cleanup_(image_record_freep) ImageRecord *r = calloc(1, sizeof(ImageRecord));
        _cleanup_free_ char *what = NULL;
        int k;

        if (!r || asprintf(&what, "the record of image '%s'", id) < 0)
                return -ENOMEM;
        k = json_table_read(&record_table, text, size, what, r, reterr);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(r);
        return 0;
}

int store_write_record(Store *s, const ImageRecord *r) {
        _cleanup_free_ char *json = NULL, *path = store_record_path(r->id);
        struct timespec ts[2];
        int k;

        if (!path)
                return -ENOMEM;
        k = json_table_to_text(&record_table, r, &json);
        if (k < 0)
                return k;
        k = write_file_atomic_at(s->dir_fd, path, json, strlen(json), 0640);
        if (k < 0)
                return k;
        /* The mtime is the last use (store_touch); written, the record says it itself. */
        ts[0] = ts[1] = (struct timespec){.tv_sec = (time_t) (r->last_used / 1000000),
                                          .tv_nsec = (long) (r->last_used % 1000000) * 1000};
        (void) utimensat(s->dir_fd, path, ts, 0);
        return 0;
}

int store_get_record(Store *s, const char *id, ImageRecord **ret, RktError **reterr) {
        _cleanup_free_ char *path = store_record_path(id), *text = NULL;
        _cleanup_close_ int fd = -1;
        size_t size = 0;
        struct stat st;
        int r;

        if (!path)
                return -ENOMEM;
        fd = store_open_trusted(s, path, O_RDONLY);
        if (fd == -ENOENT)
                return rkt_error_set(reterr, fd, "image '%s' is not in the store", id);
        if (fd == -EPERM)
                return rkt_error_set(
                        reterr, fd,
                        "image '%s' was stored by another user, whom this one does not trust: fetch "
                        "it again",
                        id);
        if (fd < 0)
                return rkt_error_set(reterr, fd, "reading the record of image '%s': %s", id, strerror(-fd));
        r = read_full_fd(fd, RECORD_MAX, &text, &size);
        if (r < 0)
                return rkt_error_set(reterr, r, "reading the record of image '%s': %s", id, strerror(-r));
        r = record_from_json(text, size, id, ret, reterr);
        if (r < 0)
                return r;
        /* Use is recorded in the record's mtime (store_touch), not in its content. */
        if (fstat(fd, &st) >= 0) {
                uint64_t mtime =
                        (uint64_t) st.st_mtim.tv_sec * 1000000 + (uint64_t) st.st_mtim.tv_nsec / 1000;
                (*ret)->last_used = MAX((*ret)->last_used, mtime);
        }
        return 0;
}

/* Calls f for every image ID that has a record. */
int store_for_each_id(Store *s, int (*f)(const char *id, void *userdata), void *userdata) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r;

        if (s->dir_fd < 0)
                return 0;
        r = opendir_at(s->dir_fd, "images", &d);
        if (r < 0 || !d)
                return r;
        while ((de = readdir(d))) {
                char id[ID_LEN + 1];
                const char *ext = endswith(de->d_name, ".json");

                if (!ext || ext - de->d_name != ID_LEN)
                        continue;
                memcpy(id, de->d_name, ID_LEN);
                id[ID_LEN] = 0;
                if (!store_id_valid(id))
                        continue;
                r = f(id, userdata);
                if (r != 0)
                        return r;
        }
        return 0;
}

typedef struct ListState {
        Store *s;
        ImageRecord **l;
        size_t n;
} ListState;

static int list_one(const char *id, void *userdata) {
        ListState *st = userdata;
        ImageRecord *r = NULL, **n;

        /* A record removed meanwhile, or unreadable, is not an image we can show. */
        if (store_get_record(st->s, id, &r, NULL) < 0)
                return 0;
        n = realloc(st->l, sizeof(*n) * (st->n + 1));
        if (!n) {
                image_record_free(r);
                return -ENOMEM;
        }
        st->l = n;
        st->l[st->n++] = r;
        return 0;
}

int store_list(Store *s, ImageRecord ***ret, size_t *ret_n, RktError **reterr) {
        ListState st = {.s = s};
        int r = store_for_each_id(s, list_one, &st);

        if (r < 0) {
                image_records_free(st.l, st.n);
                return rkt_error_set(reterr, r, "listing the store: %s", strerror(-r));
        }
        *ret = st.l;
        *ret_n = st.n;
        return 0;
}

/* --- import --- */

static int open_tmpfile(Store *s, char **ret_name) {
        _cleanup_free_ char *name = NULL;
        int fd;

        /* An unnamed file vanishes by itself when we are killed mid-import. */
        fd = openat(s->dir_fd, "tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0640);
        if (fd >= 0) {
                *ret_name = NULL;
                return fd;
        }
        if (asprintf(&name, "tmp/import-%d-%llu", (int) getpid(), (unsigned long long) now_usec()) < 0)
                return -ENOMEM;
        fd = openat(s->dir_fd, name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0640);
        if (fd < 0)
                return negative_errno();
        *ret_name = TAKE_PTR(name);
        return fd;
}

/* Gives the import's file its final name, replacing whatever has it: an earlier copy (the same bytes) or
 * something another user put there, which this process does not use. */
static int link_tmpfile(Store *s, int fd, char **tmpname, const char *path) {
        char proc[64];
        int r;

        if (!*tmpname) {
                if (asprintf(tmpname, "tmp/link-%d-%llu", (int) getpid(), (unsigned long long) now_usec()) <
                    0)
                        return -ENOMEM;
                snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
                if (linkat(AT_FDCWD, proc, s->dir_fd, *tmpname, AT_SYMLINK_FOLLOW) < 0) {
                        r = negative_errno();
                        *tmpname = mfree(*tmpname);
                        return r;
                }
        }
        if (renameat(s->dir_fd, *tmpname, s->dir_fd, path) < 0)
                return negative_errno();
        *tmpname = mfree(*tmpname);
        return 0;
}

/* The directories above path (relative to cas/), trusted. */
static int ensure_parents(Store *s, const char *path) {
        _cleanup_free_ char *dir = path_dirname(path);

        if (!dir)
                return -ENOMEM;
        return store_ensure_path(s, dir, false);
}

/* Whether the image is in the store whole, in entries this process may use. */
static bool image_complete(Store *s, const char *bpath, const char *mpath, const char *rpath) {
        const char *const paths[] = {bpath, mpath, rpath};

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_close_ int fd = store_open_trusted(s, paths[i], O_PATH);
                if (fd < 0)
                        return false;
        }
        return true;
}

int store_lock_image(Store *s, const char *id, int op) {
        _cleanup_free_ char *p = NULL;

        if (asprintf(&p, "imagelocks/%s", id) < 0)
                return -ENOMEM;
        return lock_path_at(s->dir_fd, p, op, true);
}

static int record_from_manifest(const char *id, const AppcImageManifest *m, uint64_t size,
                                const char *origin, ImageRecord **ret) {
        _cleanup_(image_record_freep) ImageRecord *r = calloc(1, sizeof(ImageRecord));

        if (!r)
                return -ENOMEM;
        r->id = strdup(id);
        r->name = strdup(m->name);
        r->origin = origin ? strdup(origin) : NULL;
        r->labels = calloc(m->n_labels ? m->n_labels : 1, sizeof(AppcKV));
        if (!r->id || !r->name || !r->labels || (origin && !r->origin))
                return -ENOMEM;
        for (size_t i = 0; i < m->n_labels; i++) {
                r->labels[i].name = strdup(m->labels[i].name);
                r->labels[i].value = strdup(m->labels[i].value);
                r->n_labels++;
                if (!r->labels[i].name || !r->labels[i].value)
                        return -ENOMEM;
        }
        r->size = size;
        r->import_time = r->last_used = now_usec();
        *ret = TAKE_PTR(r);
        return 0;
}

struct StoreStaged {
        Store *s;
        int fd;        /* the uncompressed ACI */
        char *tmpname; /* its name in tmp/ when the file system has no unnamed files; NULL: none */
        char *id;
        char *origin;
        AppcImageManifest *m; /* owned by the store's manifests once kept there (m_kept) */
        bool m_kept;
        char *manifest; /* its bytes */
        size_t manifest_size;
        uint64_t size;
};

StoreStaged *store_staged_free(StoreStaged *st) {
        if (!st)
                return NULL;
        if (st->tmpname)
                (void) unlinkat(st->s->dir_fd, st->tmpname, 0);
        safe_close(st->fd);
        free(st->tmpname);
        free(st->id);
        free(st->origin);
        if (!st->m_kept)
                appc_image_manifest_free(st->m);
        free(st->manifest);
        free(st);
        return NULL;
}

const char *store_staged_id(const StoreStaged *st) {
        return st->id;
}

const AppcImageManifest *store_staged_manifest(const StoreStaged *st) {
        return st->m;
}

int store_stage_fd(Store *s, int fd, const char *origin, StoreImportGate gate, void *userdata,
                   StoreStaged **ret, RktError **reterr) {
        _cleanup_(store_staged_freep) StoreStaged *st = NULL;
        AciStreamInfo info = {};
        int r;

        if (!s->writable)
                return rkt_error_set(reterr, -EROFS, "the store is open read-only");
        st = calloc(1, sizeof(StoreStaged));
        if (!st)
                return -ENOMEM;
        *st = (StoreStaged){.s = s, .fd = -1};
        if (origin && !(st->origin = strdup(origin)))
                return -ENOMEM;
        st->fd = open_tmpfile(s, &st->tmpname);
        if (st->fd < 0)
                return rkt_error_set(reterr, st->fd, "cannot create a file in '%s/tmp': %s", s->cas,
                                     strerror(-st->fd));

        r = aci_read_stream_limited(fd, st->fd, &s->limits, &info, reterr);
        if (r >= 0) {
                r = appc_image_manifest_parse(info.manifest, info.manifest_size, &st->m, reterr);
                if (r < 0)
                        rkt_error_prefix(reterr, r, "invalid image manifest");
        }
        /* The last word before the image may become visible (signature checks). */
        if (r >= 0 && gate)
                r = gate(info.id, st->m, userdata, reterr);
        if (r >= 0) {
                st->id = strdup(info.id);
                st->manifest = TAKE_PTR(info.manifest);
                st->manifest_size = info.manifest_size;
                st->size = info.size;
                if (!st->id)
                        r = -ENOMEM;
        }
        aci_stream_info_done(&info);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(st);
        return 0;
}

int store_publish(Store *s, StoreStaged *st, bool *ret_new, RktError **reterr) {
        _cleanup_(image_record_freep) ImageRecord *rec = NULL;
        _cleanup_free_ char *bpath = NULL, *mpath = NULL, *rpath = NULL;
        _cleanup_close_ int lockfd = -1;
        int r;

        if (ret_new)
                *ret_new = false;
        bpath = store_blob_path("blob", st->id);
        mpath = store_blob_path("manifest", st->id);
        rpath = store_record_path(st->id);
        if (!bpath || !mpath || !rpath)
                return -ENOMEM;

        lockfd = store_lock_image(s, st->id, LOCK_EX);
        if (lockfd < 0)
                return rkt_error_set(reterr, lockfd, "cannot lock image '%s': %s", st->id,
                                     strerror(-lockfd));
        if (image_complete(s, bpath, mpath, rpath))
                return 0; /* already there: same bytes, same ID */

        /* Blob, then manifest, then the record that makes them an image. */
        if (fsync(st->fd) < 0)
                return rkt_error_set(reterr, negative_errno(), "writing the image: %m");
        r = ensure_parents(s, bpath);
        if (r >= 0)
                r = link_tmpfile(s, st->fd, &st->tmpname, bpath);
        if (r >= 0)
                r = fsync_directory_of(s->dir_fd, bpath);
        if (r >= 0)
                r = ensure_parents(s, mpath);
        if (r >= 0)
                r = write_file_atomic_at(s->dir_fd, mpath, st->manifest, st->manifest_size, 0640);
        if (r >= 0)
                r = record_from_manifest(st->id, st->m, st->size, st->origin, &rec);
        if (r >= 0)
                r = store_write_record(s, rec);
        if (r < 0)
                return rkt_error_set(reterr, r, "storing image '%s': %s", st->id,
                                     r == -EPERM ? "another user stored it, and this one may not replace it"
                                                 : strerror(-r));
        /* What this process wrote is the manifest later steps read: they need not read it again (when
         * there is no memory to keep it, they do). */
        st->m_kept = store_manifest_keep(s, st->id, &st->manifest, st->manifest_size, st->m) > 0;
        if (ret_new)
                *ret_new = true;
        return 0;
}

int store_import_fd(Store *s, int fd, const char *origin, char **ret_id, bool *ret_new, RktError **reterr) {
        _cleanup_(store_staged_freep) StoreStaged *st = NULL;
        int r;

        r = store_stage_fd(s, fd, origin, NULL, NULL, &st, reterr);
        if (r >= 0)
                r = store_publish(s, st, ret_new, reterr);
        if (r < 0)
                return r;
        *ret_id = TAKE_PTR(st->id);
        return 0;
}

/* --- the file cache --- */

static int file_cache_path(const char *abs_path, char **ret) {
        char hex[DIGEST_HEX_MAX];

        digest_buffer_hex(DIGEST_SHA256, abs_path, strlen(abs_path), hex);
        return asprintf(ret, "files/%s.json", hex) < 0 ? -ENOMEM : 0;
}

/* files/<sha256 of the path>.json: the image a local file gave, while the file is unchanged. */
typedef struct FileCacheEntry {
        char *path;
        uint64_t dev, ino, size, mtime; /* mtime in ns */
        char *id;
} FileCacheEntry;

static const JsonField file_cache_fields[] = {
        JSON_FIELD("path", STRING, FileCacheEntry, path, .flags = JSON_REQUIRED),
        JSON_FIELD("dev", UINT64, FileCacheEntry, dev),
        JSON_FIELD("ino", UINT64, FileCacheEntry, ino),
        JSON_FIELD("size", UINT64, FileCacheEntry, size),
        JSON_FIELD("mtime", UINT64, FileCacheEntry, mtime),
        JSON_FIELD("id", STRING, FileCacheEntry, id, .flags = JSON_REQUIRED),
        {},
};

static int file_cache_validate(const void *p, RktError **reterr) {
        if (!store_id_valid(((const FileCacheEntry *) p)->id))
                return json_fail(reterr, "field 'id': not an image ID");
        return 0;
}

static const JsonTable file_cache_table = {
        .size = sizeof(FileCacheEntry),
        .fields = file_cache_fields,
        .strict = true,
        .validate = file_cache_validate,
};

static void file_cache_entry_done(FileCacheEntry *e) {
        json_table_done(&file_cache_table, e);
}

int store_file_cache_id(const char *text, size_t size, const char *file, char **ret_id) {
        _cleanup_(file_cache_entry_done) FileCacheEntry e = {};
        int r;

        r = json_table_read(&file_cache_table, text, size, file, &e, NULL);
        if (r < 0)
                return r;
        *ret_id = TAKE_PTR(e.id);
        return 0;
}

static FileCacheEntry file_cache_now(const char *abs_path, const struct stat *st, const char *id) {
        return (FileCacheEntry){
                .path = (char *) abs_path,
                .dev = (uint64_t) st->st_dev,
                .ino = (uint64_t) st->st_ino,
                .size = (uint64_t) st->st_size,
                .mtime = (uint64_t) ((int64_t) st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec),
                .id = (char *) id,
        };
}

int store_file_cache_lookup(Store *s, const char *abs_path, const struct stat *st, char **ret_id) {
        _cleanup_free_ char *p = NULL, *text = NULL, *rpath = NULL;
        _cleanup_(file_cache_entry_done) FileCacheEntry saved = {};
        FileCacheEntry now;
        size_t size = 0;
        int r;

        if (s->dir_fd < 0)
                return -ENOENT;
        r = file_cache_path(abs_path, &p);
        if (r < 0)
                return r;
        r = store_read_trusted(s, p, &text, &size);
        if (r < 0)
                return r;
        /* A damaged entry only costs an import. */
        if (json_table_read(&file_cache_table, text, size, p, &saved, NULL) < 0)
                return -ENOENT;
        now = file_cache_now(abs_path, st, saved.id);
        if (!json_table_equal(&file_cache_table, &saved, &now))
                return -ENOENT;
        rpath = store_record_path(saved.id);
        if (!rpath)
                return -ENOMEM;
        r = store_open_trusted(s, rpath, O_PATH);
        if (r < 0)
                return -ENOENT;
        safe_close(r);
        *ret_id = TAKE_PTR(saved.id);
        return 0;
}

int store_file_cache_save(Store *s, const char *abs_path, const struct stat *st, const char *id) {
        _cleanup_free_ char *p = NULL, *text = NULL;
        FileCacheEntry e = file_cache_now(abs_path, st, id);
        int r;

        if (!s->writable)
                return -EROFS;
        r = file_cache_path(abs_path, &p);
        if (r < 0)
                return r;
        r = json_table_to_text(&file_cache_table, &e, &text);
        if (r < 0)
                return r;
        return write_file_atomic_at(s->dir_fd, p, text, strlen(text), 0640);
}

/* --- lookup --- */

typedef struct PrefixState {
        const char *prefix;
        char *match;
        size_t n;
} PrefixState;

static int prefix_one(const char *id, void *userdata) {
        PrefixState *st = userdata;

        if (!startswith(id, st->prefix))
                return 0;
        if (st->n++ == 0) {
                st->match = strdup(id);
                if (!st->match)
                        return -ENOMEM;
        }
        return 0;
}

static bool record_matches(const ImageRecord *r, const ImageRef *ref, const char *os, const char *arch) {
        const char *v;

        if (!streq(r->name, ref->name))
                return false;
        for (size_t i = 0; i < ref->n_labels; i++) {
                v = appc_kv_get(r->labels, r->n_labels, ref->labels[i].name);
                if (!v || !streq(v, ref->labels[i].value))
                        return false;
        }
        if (os && !image_ref_label(ref, "os") && (v = appc_kv_get(r->labels, r->n_labels, "os")) &&
            !streq(v, os))
                return false;
        if (arch && !image_ref_label(ref, "arch") && (v = appc_kv_get(r->labels, r->n_labels, "arch")) &&
            !streq(v, arch))
                return false;
        return true;
}

bool image_record_preferred(const ImageRecord *a, const ImageRecord *b, bool version_requested) {
        if (!version_requested && a->latest != b->latest)
                return a->latest;
        if (a->import_time != b->import_time)
                return a->import_time > b->import_time;
        return strcmp(a->id, b->id) > 0;
}

int store_find_by_name(Store *s, const ImageRef *ref, const char *os, const char *arch, char **ret_id,
                       RktError **reterr) {
        bool version = image_ref_label(ref, "version");
        ImageRecord **l = NULL;
        const ImageRecord *best = NULL;
        size_t n = 0;
        int r;

        r = store_list(s, &l, &n, reterr);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (record_matches(l[i], ref, os, arch) &&
                    (!best || image_record_preferred(l[i], best, version)))
                        best = l[i];
        if (!best)
                r = -ENOENT;
        else {
                *ret_id = strdup(best->id);
                r = *ret_id ? 0 : -ENOMEM;
        }
        image_records_free(l, n);
        return r;
}

int store_resolve_name(Store *s, const ImageRef *ref, const char *os, const char *arch, const char *text,
                       char **ret_id, RktError **reterr) {
        int r = store_find_by_name(s, ref, os, arch, ret_id, reterr);

        if (r == -ENOENT)
                return rkt_error_set(reterr, -ENOENT, "no image named '%s' in the store", text);
        return r;
}

int store_resolve(Store *s, const char *ref, char **ret_id, RktError **reterr) {
        ImageRef parsed;
        int r;

        if (image_ref_is_id(ref)) {
                PrefixState st = {.prefix = ref};
                if (strlen(ref) > ID_LEN)
                        return rkt_error_set(reterr, -EINVAL, "image ID '%s' is too long", ref);
                /* rkt 1.30's words for both, which scripts match on. */
                if (strlen(ref) < strlen("sha512-") + 2)
                        return rkt_error_set(
                                reterr, -EINVAL,
                                "image ID too short: '%s' (give 2 hex digits after 'sha512-' at least)",
                                ref);
                r = store_for_each_id(s, prefix_one, &st);
                if (r < 0) {
                        free(st.match);
                        return rkt_error_set(reterr, r, "listing the store: %s", strerror(-r));
                }
                if (st.n == 0)
                        return rkt_error_set(reterr, -ENOENT,
                                             "no image IDs found: no image with ID '%s' in the store", ref);
                if (st.n > 1) {
                        free(st.match);
                        return rkt_error_set(reterr, -ENOTUNIQ,
                                             "ambiguous image ID: '%s' matches %zu images", ref, st.n);
                }
                *ret_id = st.match;
                return 0;
        }
        r = image_ref_parse(ref, &parsed, reterr);
        if (r < 0)
                return r;
        r = store_resolve_name(s, &parsed, NULL, NULL, ref, ret_id, reterr);
        image_ref_done(&parsed);
        return r;
}

int store_read_manifest(Store *s, const char *id, char **ret, size_t *ret_size, RktError **reterr) {
        _cleanup_free_ char *p = store_blob_path("manifest", id);
        int r;

        if (!p)
                return -ENOMEM;
        if (s->dir_fd < 0)
                return rkt_error_set(reterr, -ENOENT, "image '%s' is not in the store", id);
        r = store_read_trusted(s, p, ret, ret_size);
        if (r < 0)
                return rkt_error_set(reterr, r, "reading the manifest of image '%s': %s", id, strerror(-r));
        return 0;
}

int store_open_blob(Store *s, const char *id, RktError **reterr) {
        _cleanup_free_ char *p = store_blob_path("blob", id);
        int fd;

        if (!p)
                return -ENOMEM;
        if (s->dir_fd < 0)
                return rkt_error_set(reterr, -ENOENT, "image '%s' is not in the store", id);
        fd = store_open_trusted(s, p, O_RDONLY);
        if (fd < 0)
                return rkt_error_set(reterr, fd, "opening the blob of image '%s': %s", id,
                                     fd == -EPERM ? "another user stored it, whom this one does not trust"
                                                  : strerror(-fd));
        return fd;
}

int store_export(Store *s, const char *id, int out_fd, bool verify, RktError **reterr) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = malloc(256 * 1024);
        Digest md;
        int r;

        if (!buf)
                return -ENOMEM;
        if (verify) {
                r = digest_init(&md, DIGEST_SHA512, reterr);
                if (r < 0)
                        return r;
        }
        fd = store_open_blob(s, id, reterr);
        if (fd < 0)
                return fd;
        for (;;) {
                ssize_t n = read(fd, buf, 256 * 1024);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return rkt_error_set(reterr, negative_errno(), "reading image '%s': %m", id);
                if (n == 0)
                        break;
                if (verify)
                        digest_update(&md, buf, n);
                if (out_fd < 0)
                        continue;
                int w = loop_write(out_fd, buf, n);
                if (w < 0)
                        return rkt_error_set(reterr, w, "writing image '%s': %s", id, strerror(-w));
        }
        if (verify) {
                char hex[DIGEST_HEX_MAX];
                digest_final_hex(&md, hex);
                if (!streq(hex, id + 7))
                        return rkt_error_set(
                                reterr, -EBADMSG,
                                "image '%s' in the store is damaged: its content no longer matches its ID",
                                id);
        }
        return 0;
}

/* The record's mtime is the image's last use: a metadata update, no rewrite of the commit point and no
 * fsync (a power loss can only make the image look used a little earlier). */
int store_touch(Store *s, const char *id, RktError **reterr) {
        _cleanup_free_ char *path = store_record_path(id);
        _cleanup_close_ int lockfd = -1;

        if (!path)
                return -ENOMEM;
        if (!s->writable)
                return rkt_error_set(reterr, -EROFS, "the store is open read-only");
        lockfd = store_lock_image(s, id, LOCK_SH);
        if (lockfd < 0)
                return rkt_error_set(reterr, lockfd, "cannot lock image '%s': %s", id, strerror(-lockfd));
        if (utimensat(s->dir_fd, path, NULL, 0) < 0) {
                int r = negative_errno();
                return rkt_error_set(reterr, r, "updating the last use of image '%s': %s", id, strerror(-r));
        }
        return 0;
}

int store_set_latest(Store *s, const char *id, RktError **reterr) {
        _cleanup_(image_record_freep) ImageRecord *rec = NULL;
        _cleanup_close_ int lockfd = -1;
        int r;

        if (!s->writable)
                return rkt_error_set(reterr, -EROFS, "the store is open read-only");
        lockfd = store_lock_image(s, id, LOCK_EX);
        if (lockfd < 0)
                return rkt_error_set(reterr, lockfd, "cannot lock image '%s': %s", id, strerror(-lockfd));
        r = store_get_record(s, id, &rec, reterr);
        if (r < 0 || rec->latest)
                return r;
        rec->latest = true;
        r = store_write_record(s, rec);
        if (r < 0)
                return rkt_error_set(reterr, r, "marking image '%s' as latest: %s", id, strerror(-r));
        return 0;
}
