/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cleanup.h"
#include "digest.h"
#include "format.h"
#include "fs.h"
#include "json-table.h"
#include "store-internal.h"
#include "store.h"
#include "strv.h"

#define REMOTE_DIR "remote"

/* File names derive from a hash of the URL: URLs are long and hold '/' and other characters that do
 * not belong in a file name. The record itself carries the URL, which lookups compare. */
static void url_key(const char *url, char ret[static DIGEST_HEX_MAX]) {
        digest_buffer_hex(DIGEST_SHA256, url, strlen(url), ret);
}

static int remote_path(const char *url, char **ret) {
        char key[DIGEST_HEX_MAX];

        url_key(url, key);
        return asprintf(ret, REMOTE_DIR "/%s.json", key) < 0 ? -ENOMEM : 0;
}

static int remote_validate(const void *p, RktError **reterr);

/* cas/remote/<sha256 of the URL>.json */
static const JsonField remote_fields[] = {
        JSON_FIELD("url", STRING, RemoteRecord, url, .flags = JSON_REQUIRED),
        JSON_FIELD("sigUrl", STRING, RemoteRecord, sig_url, .flags = JSON_OMITEMPTY),
        JSON_FIELD("etag", STRING, RemoteRecord, etag, .flags = JSON_OMITEMPTY),
        JSON_FIELD("id", STRING, RemoteRecord, id, .flags = JSON_REQUIRED),
        JSON_FIELD("downloadTime", UINT64, RemoteRecord, download_time),
        JSON_FIELD("maxAge", UINT64, RemoteRecord, max_age),
        JSON_FIELD("layers", STRV, RemoteRecord, layers, .flags = JSON_OMITEMPTY),
        {},
};

static const JsonTable remote_table = {
        .size = sizeof(RemoteRecord),
        .fields = remote_fields,
        .strict = true,
        .validate = remote_validate,
};

RemoteRecord *remote_record_free(RemoteRecord *r) {
        return json_table_free(&remote_table, r);
}

bool remote_record_fresh(const RemoteRecord *r, uint64_t now) {
        if (r->max_age == 0 || now < r->download_time)
                return false;
        return (now - r->download_time) / 1000000 < r->max_age;
}

static int image_exists(Store *s, const char *id) {
        _cleanup_free_ char *p = NULL;
        _cleanup_close_ int fd = -1;

        if (asprintf(&p, "images/%s.json", id) < 0)
                return -ENOMEM;
        fd = store_open_trusted(s, p, O_PATH);
        return fd < 0 ? -ENOENT : 0;
}

#define LAYER_DIR "docker/blobs/sha256"

static bool layer_digest_valid(const char *d) {
        const char *h = startswith(d, "sha256:");

        if (!h || strlen(h) != 64)
                return false;
        for (; *h; h++)
                if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
                        return false;
        return true;
}

static int remote_validate(const void *p, RktError **reterr) {
        const RemoteRecord *r = p;

        if (!appc_image_id_valid(r->id, true) || strchr(r->id, '/'))
                return json_fail(reterr, "field 'id': not an image ID");
        STRV_FOREACH(l, r->layers)
        if (!layer_digest_valid(*l))
                return json_fail(reterr, "field 'layers': %s is not a sha256 digest", JSON_QUOTE(*l));
        return 0;
}

static int remote_from_json(const char *text, size_t size, const char *file, RemoteRecord **ret) {
        _cleanup_(remote_record_freep) RemoteRecord *r = calloc(1, sizeof(RemoteRecord));
        int k;

        if (!r)
                return -ENOMEM;
        k = json_table_read(&remote_table, text, size, file, r, NULL);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(r);
        return 0;
}

int store_get_remote(Store *s, const char *url, RemoteRecord **ret) {
        _cleanup_(remote_record_freep) RemoteRecord *r = NULL;
        _cleanup_free_ char *p = NULL, *text = NULL;
        size_t size = 0;
        int k;

        if (s->dir_fd < 0)
                return -ENOENT;
        k = remote_path(url, &p);
        if (k < 0)
                return k;
        /* Another user's record only costs a download too. */
        k = store_read_trusted(s, p, &text, &size);
        if (k < 0)
                return -ENOENT;
        /* A damaged record only costs a download: treat it as absent. */
        if (remote_from_json(text, size, p, &r) < 0 || !streq(r->url, url))
                return -ENOENT;
        if (image_exists(s, r->id) < 0)
                return -ENOENT;
        *ret = TAKE_PTR(r);
        return 0;
}

int store_put_remote(Store *s, const RemoteRecord *r, RktError **reterr) {
        _cleanup_free_ char *p = NULL, *text = NULL;
        int k;

        if (!s->writable)
                return rkt_error_set(reterr, -EROFS, "the store is open read-only");
        k = remote_path(r->url, &p);
        if (k < 0)
                return k;
        k = json_table_to_text(&remote_table, r, &text);
        if (k < 0)
                return k;
        k = write_file_atomic_at(s->dir_fd, p, text, strlen(text), 0640);
        if (k < 0)
                return rkt_error_set(reterr, k, "writing the remote record for '%s': %s", r->url,
                                     strerror(-k));
        return 0;
}

int store_remote_gc(Store *s) {
        _cleanup_(closedirp) DIR *d = NULL, *ld = NULL;
        _cleanup_strv_free_ char **used = NULL;
        struct dirent *de;
        int r;

        if (s->dir_fd < 0 || !s->writable)
                return 0;
        r = opendir_at(s->dir_fd, REMOTE_DIR, &d);
        if (r < 0)
                return r;
        while (d && (de = readdir(d))) {
                _cleanup_free_ char *text = NULL;
                _cleanup_(remote_record_freep) RemoteRecord *rec = NULL;
                size_t size = 0;

                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, REMOTE_DIR "/%s", de->d_name) < 0)
                        return -ENOMEM;
                if (!endswith(de->d_name, ".json") || store_read_trusted(s, p, &text, &size) < 0 ||
                    remote_from_json(text, size, p, &rec) < 0 || image_exists(s, rec->id) < 0) {
                        (void) unlinkat(dirfd(d), de->d_name, 0);
                        continue;
                }
                STRV_FOREACH(l, rec->layers)
                if (strv_extend(&used, *l + strlen("sha256:")) < 0)
                        return -ENOMEM;
        }
        /* Layers only speed up later fetches: those no current image was made of go. */
        r = opendir_at(s->dir_fd, LAYER_DIR, &ld);
        if (r < 0 || !ld)
                return r;
        while ((de = readdir(ld))) {
                /* gc holds the store exclusively: a ".tmp-" file is what an interrupted fetch left. */
                if (streq(de->d_name, ".") || streq(de->d_name, "..") || strv_contains(used, de->d_name))
                        continue;
                (void) unlinkat(dirfd(ld), de->d_name, 0);
        }
        return 0;
}

/* --- cached layers --- */

static int layer_name(const char *digest, char **ret) {
        if (!layer_digest_valid(digest))
                return -EINVAL;
        return asprintf(ret, LAYER_DIR "/%s", digest + strlen("sha256:")) < 0 ? -ENOMEM : 0;
}

int store_layer_open(Store *s, const char *digest) {
        _cleanup_free_ char *name = NULL;
        int r;

        if (s->dir_fd < 0)
                return -ENOENT;
        r = layer_name(digest, &name);
        if (r < 0)
                return r;
        return store_open_trusted(s, name, O_RDONLY);
}

int store_layer_begin(Store *s, const char *digest, StoreLayerWrite *ret, RktError **reterr) {
        _cleanup_free_ char *name = NULL, *tmp = NULL;
        int r, fd;

        if (!s->writable)
                return rkt_error_set(reterr, -EROFS, "the store is open read-only");
        r = layer_name(digest, &name);
        if (r < 0)
                return rkt_error_set(reterr, r, "'%s' is not a sha256 digest", digest);
        if (asprintf(&tmp, LAYER_DIR "/.partial-%s", digest + strlen("sha256:")) < 0)
                return -ENOMEM;
        /* Layers are root's alone: only root converts docker images. */
        r = store_ensure_path(s, LAYER_DIR, true);
        if (r < 0)
                return rkt_error_set(reterr, r, "cannot create '%s/" LAYER_DIR "': %s", s->cas,
                                     strerror(-r));
        /* The partial file, to resume, unless another fetch of the same layer is writing it. */
        fd = openat(s->dir_fd, tmp, O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0640);
        if (fd >= 0) {
                struct stat st;
                if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
                        *ret = (StoreLayerWrite){.fd = fd,
                                                 .tmp_name = TAKE_PTR(tmp),
                                                 .name = TAKE_PTR(name),
                                                 .resumable = true};
                        return 0;
                }
                fd = safe_close(fd);
        }
        free(tmp);
        if (asprintf(&tmp, LAYER_DIR "/.tmp-%s-%d", digest + strlen("sha256:"), (int) getpid()) < 0)
                return -ENOMEM;
        fd = openat(s->dir_fd, tmp, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0640);
        if (fd < 0)
                return rkt_error_set(reterr, negative_errno(), "cannot create '%s/%s': %m", s->cas, tmp);
        *ret = (StoreLayerWrite){.fd = fd, .tmp_name = TAKE_PTR(tmp), .name = TAKE_PTR(name)};
        return 0;
}

static void layer_write_release(StoreLayerWrite *w) {
        w->fd = safe_close(w->fd);
        w->tmp_name = mfree(w->tmp_name);
        w->name = mfree(w->name);
}

int store_layer_commit(Store *s, StoreLayerWrite *w, RktError **reterr) {
        int r = 0;

        if (fsync(w->fd) < 0 || renameat(s->dir_fd, w->tmp_name, s->dir_fd, w->name) < 0)
                r = rkt_error_set(reterr, negative_errno(), "cannot store the layer '%s/%s': %m", s->cas,
                                  w->name);
        else
                (void) fsync_directory_of(s->dir_fd, w->name);
        if (r < 0)
                (void) unlinkat(s->dir_fd, w->tmp_name, 0);
        layer_write_release(w);
        return r;
}

void store_layer_abort(Store *s, StoreLayerWrite *w) {
        if (w->tmp_name)
                (void) unlinkat(s->dir_fd, w->tmp_name, 0);
        layer_write_release(w);
}

void store_layer_suspend(Store *s, StoreLayerWrite *w) {
        if (!w->resumable) {
                store_layer_abort(s, w);
                return;
        }
        layer_write_release(w);
}

int store_mkdtemp(Store *s, char **ret_path, RktError **reterr) {
        _cleanup_free_ char *p = NULL;

        if (!s->writable)
                return rkt_error_set(reterr, -EROFS, "the store is open read-only");
        if (asprintf(&p, "%s/tmp/work-XXXXXX", s->cas) < 0)
                return -ENOMEM;
        if (!mkdtemp(p))
                return rkt_error_set(reterr, negative_errno(), "cannot create a directory in '%s/tmp': %m",
                                     s->cas);
        *ret_path = TAKE_PTR(p);
        return 0;
}

/* --- downloads --- */

static void download_free_names(StoreDownload *d) {
        d->name = mfree(d->name);
        d->meta_name = mfree(d->meta_name);
        d->etag = mfree(d->etag);
        d->last_modified = mfree(d->last_modified);
}

/* A download's validators (cas/downloads/<name>.meta): what the server said of the partial file. */
typedef struct Validators {
        char *url, *etag, *last_modified;
} Validators;

static const JsonField validators_fields[] = {
        JSON_FIELD("url", STRING, Validators, url, .flags = JSON_REQUIRED),
        JSON_FIELD("etag", STRING, Validators, etag, .flags = JSON_OMITEMPTY),
        JSON_FIELD("lastModified", STRING, Validators, last_modified, .flags = JSON_OMITEMPTY),
        {},
};

static const JsonTable validators_table = {
        .size = sizeof(Validators), .fields = validators_fields, .strict = true};

static void read_validators(Store *s, StoreDownload *d, const char *url) {
        _cleanup_free_ char *text = NULL;
        Validators v = {};
        size_t size = 0;

        if (store_read_trusted(s, d->meta_name, &text, &size) < 0 ||
            json_table_read(&validators_table, text, size, d->meta_name, &v, NULL) < 0)
                return;
        if (streq(v.url, url)) {
                d->etag = TAKE_PTR(v.etag);
                d->last_modified = TAKE_PTR(v.last_modified);
        }
        json_table_done(&validators_table, &v);
}

/* Whether this process holds a flock on the file open at fd (through another open file): waiting for it
 * would wait forever. /proc/locks names the holder's pid and the file's device and inode. */
static bool locked_by_us(int fd) {
        _cleanup_free_ char *text = NULL;
        struct stat st;

        if (fstat(fd, &st) < 0 || read_full_file_at(AT_FDCWD, "/proc/locks", &text, NULL) < 0)
                return false;
        for (char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                unsigned maj, min;
                unsigned long long ino;
                int pid;

                if (sscanf(line, "%*d: FLOCK %*s %*s %d %x:%x:%llu", &pid, &maj, &min, &ino) == 4 &&
                    pid == getpid() && ino == (unsigned long long) st.st_ino &&
                    makedev(maj, min) == st.st_dev)
                        return true;
        }
        return false;
}

int store_download_open(Store *s, const char *url, StoreDownload *ret, RktError **reterr) {
        StoreDownload d = {.fd = -1};
        char key[DIGEST_HEX_MAX];
        int r;

        if (!s->writable)
                return rkt_error_set(reterr, -EROFS, "the store is open read-only");
        url_key(url, key);
        /* One download file per user: nobody resumes (or changes) what another user downloaded. */
        if (asprintf(&d.name, "tmp/download-%u-%s", (unsigned) s->uid, key) < 0 ||
            asprintf(&d.meta_name, "tmp/download-%u-%s.json", (unsigned) s->uid, key) < 0) {
                download_free_names(&d);
                return -ENOMEM;
        }
        /* Lock, then make sure the file we locked is still the one under that name: the holder before us
         * may have finished and removed it. */
        for (;;) {
                struct stat a, b;

                d.fd = openat(s->dir_fd, d.name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
                if (d.fd < 0) {
                        r = negative_errno();
                        download_free_names(&d);
                        return rkt_error_set(reterr, r, "cannot create a download file in '%s/tmp': %s",
                                             s->cas, strerror(-r));
                }
                if (flock(d.fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK && locked_by_us(d.fd)) {
                        safe_close(d.fd);
                        download_free_names(&d);
                        return rkt_error_set(
                                reterr, -EDEADLK,
                                "'%s' is being downloaded by this fetch already (an image and one of "
                                "its dependencies at one URL)",
                                url);
                }
                if (flock(d.fd, LOCK_EX) < 0) {
                        r = negative_errno();
                        safe_close(d.fd);
                        download_free_names(&d);
                        return rkt_error_set(reterr, r, "cannot lock the download file: %s", strerror(-r));
                }
                if (fstat(d.fd, &a) == 0 && !store_stat_trusted(s, &a)) {
                        /* Made by someone else under our name: not ours to resume. */
                        if (unlinkat(s->dir_fd, d.name, 0) < 0) {
                                r = negative_errno();
                                safe_close(d.fd);
                                download_free_names(&d);
                                return rkt_error_set(reterr, r,
                                                     "cannot remove the download file of another user: %s",
                                                     strerror(-r));
                        }
                        d.fd = safe_close(d.fd);
                        continue;
                }
                if (fstat(d.fd, &a) == 0 && fstatat(s->dir_fd, d.name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
                    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                        break;
                d.fd = safe_close(d.fd);
        }
        read_validators(s, &d, url);
        /* Partial content without a validator cannot be resumed safely: start over. */
        if (!d.etag && !d.last_modified && ftruncate(d.fd, 0) < 0) {
                r = negative_errno();
                store_download_discard(s, &d);
                return rkt_error_set(reterr, r, "cannot truncate the download file: %s", strerror(-r));
        }
        *ret = d;
        return 0;
}

int store_download_set_validators(Store *s, StoreDownload *d, const char *url, const char *etag,
                                  const char *last_modified) {
        _cleanup_free_ char *text = NULL;
        Validators v;
        int r;

        free(d->etag);
        free(d->last_modified);
        d->etag = etag ? strdup(etag) : NULL;
        d->last_modified = last_modified ? strdup(last_modified) : NULL;
        if ((etag && !d->etag) || (last_modified && !d->last_modified))
                return -ENOMEM;
        if (!etag && !last_modified) {
                (void) unlinkat(s->dir_fd, d->meta_name, 0);
                return 0;
        }
        v = (Validators){
                .url = (char *) url, .etag = (char *) etag, .last_modified = (char *) last_modified};
        r = json_table_to_text(&validators_table, &v, &text);
        if (r < 0)
                return r;
        return write_file_atomic_at(s->dir_fd, d->meta_name, text, strlen(text), 0640);
}

void store_download_discard(Store *s, StoreDownload *d) {
        if (d->name) {
                /* Names first, lock last: whoever waits on the lock then sees the name gone and starts anew.
                 */
                (void) unlinkat(s->dir_fd, d->meta_name, 0);
                (void) unlinkat(s->dir_fd, d->name, 0);
        }
        d->fd = safe_close(d->fd);
        download_free_names(d);
}

void store_download_done(StoreDownload *d) {
        d->fd = safe_close(d->fd);
        download_free_names(d);
}

int store_tmpfile(Store *s, RktError **reterr) {
        int fd;

        if (!s->writable)
                return rkt_error_set(reterr, -EROFS, "the store is open read-only");
        fd = openat(s->dir_fd, "tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd >= 0)
                return fd;
        /* No O_TMPFILE on this file system: a named file, unlinked at once. */
        for (unsigned i = 0; i < 100; i++) {
                _cleanup_free_ char *name = NULL;
                if (asprintf(&name, "tmp/copy-%d-%llu-%u", (int) getpid(), (unsigned long long) now_usec(),
                             i) < 0)
                        return -ENOMEM;
                fd = openat(s->dir_fd, name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd >= 0) {
                        (void) unlinkat(s->dir_fd, name, 0);
                        return fd;
                }
                if (errno != EEXIST)
                        break;
        }
        return rkt_error_set(reterr, negative_errno(), "cannot create a file in '%s/tmp': %m", s->cas);
}
