/* SPDX-License-Identifier: Apache-2.0 */
#include <archive.h>
#include <archive_entry.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "digest.h"
#include "dl.h"
#include "aci-read.h"
#include "format.h"
#include "fs.h"
#include "path.h"
#include "set.h"

/* A manifest is a few KiB; a huge one is an attack on our memory, not an image. */
#define MANIFEST_MAX (4u * 1024 * 1024)

/* The decompressing reader ("raw" format) feeds the tar reader through this callback, which also hashes
 * and copies every uncompressed byte: one read of the input does it all. */
typedef struct Pipe {
        struct archive *raw;
        Digest *md;
        int out_fd;
        uint64_t size;
        uint64_t max_size;
        int error;                 /* negative errno of a write or hash failure; -EFBIG: over max_size */
        const char *archive_error; /* set when the decompressor failed */
} Pipe;

static int pipe_consume(Pipe *p, const void *buf, size_t n) {
        int r;

        /* Checked before the bytes are written: a decompression bomb stops at the limit. */
        if (p->size + n > p->max_size)
                return -EFBIG;
        digest_update(p->md, buf, n);
        if (p->out_fd >= 0) {
                r = loop_write(p->out_fd, buf, n);
                if (r < 0)
                        return r;
        }
        p->size += n;
        return 0;
}

static la_ssize_t pipe_read(struct archive *a, void *userdata, const void **buf) {
        Pipe *p = userdata;
        size_t n = 0;
        la_int64_t offset;
        int r;

        r = sym_archive_read_data_block(p->raw, buf, &n, &offset);
        if (r == ARCHIVE_EOF)
                return 0;
        if (r < ARCHIVE_WARN) {
                p->archive_error = sym_archive_error_string(p->raw);
                sym_archive_set_error(a, EIO, "%s", strempty(p->archive_error));
                return -1;
        }
        r = pipe_consume(p, *buf, n);
        if (r < 0) {
                p->error = r;
                sym_archive_set_error(a, -r, "%s", strerror(-r));
                return -1;
        }
        return (la_ssize_t) n;
}

static int read_manifest(struct archive *tar, AciStreamInfo *info, RktError **reterr) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;

        buf = malloc(MANIFEST_MAX + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                la_ssize_t n = sym_archive_read_data(tar, buf + size, MANIFEST_MAX + 1 - size);
                if (n < 0)
                        return rkt_error_set(reterr, -EBADMSG, "reading 'manifest': %s",
                                             strempty(sym_archive_error_string(tar)));
                if (n == 0)
                        break;
                size += n;
                if (size > MANIFEST_MAX)
                        return rkt_error_set(reterr, -EFBIG, "'manifest' is larger than %u bytes",
                                             MANIFEST_MAX);
        }
        buf[size] = 0;
        info->manifest = TAKE_PTR(buf);
        info->manifest_size = size;
        return 0;
}

/* What the entries so far made of each path below rootfs/, with the parents they imply: what the store
 * holds must extract, and extraction refuses to put a non-directory where a directory is, or anything
 * below a non-directory. */
typedef struct Layout {
        StrSet dirs;     /* directories, given or implied by a deeper entry */
        StrSet others;   /* everything else */
        StrSet symlinks; /* the symlinks among others */
} Layout;

static void layout_done(Layout *l) {
        strset_done(&l->dirs);
        strset_done(&l->others);
        strset_done(&l->symlinks);
}

/* Fails when a parent of norm is a symlink an earlier entry made (extracting it would write through the
 * link, wherever it points) or another non-directory; records the others as directories. */
static int check_parents(Layout *l, const char *name, const char *norm, RktError **reterr) {
        for (const char *sl = strchr(norm, '/'); sl; sl = strchr(sl + 1, '/')) {
                size_t len = (size_t) (sl - norm);
                int r;

                if (strset_containsn(&l->symlinks, norm, len))
                        return rkt_error_set(reterr, -EBADMSG, "entry '%s': parent '%.*s' is a symlink",
                                             name, (int) len, norm);
                if (strset_containsn(&l->others, norm, len))
                        return rkt_error_set(
                                reterr, -EBADMSG,
                                "entry '%s': parent '%.*s' is not a directory (an earlier entry made it "
                                "a file)",
                                name, (int) len, norm);
                r = strset_addn(&l->dirs, norm, len);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Records the entry norm of type (link: the normalized target of a hard link, or NULL). */
static int layout_add(Layout *l, const char *name, const char *norm, mode_t type, const char *link,
                      RktError **reterr) {
        int r;

        /* A hard link's target is an earlier entry, and linkat() links no directory. */
        if (link && !strset_contains(&l->others, link))
                return rkt_error_set(reterr, -EBADMSG,
                                     "entry '%s': hard link to '%s', which no earlier entry made a file",
                                     name, link);
        if (type == AE_IFDIR && !link) {
                strset_remove(&l->others, norm);
                strset_remove(&l->symlinks, norm);
                r = strset_add(&l->dirs, norm);
                return r < 0 ? r : 0;
        }
        if (strset_contains(&l->dirs, norm))
                return rkt_error_set(
                        reterr, -EBADMSG,
                        "entry '%s': a non-directory where an earlier entry made the directory '%s'", name,
                        norm);
        r = strset_add(&l->others, norm);
        if (r >= 0 && type == AE_IFLNK && !link)
                r = strset_add(&l->symlinks, norm);
        else
                strset_remove(&l->symlinks, norm);
        return r < 0 ? r : 0;
}

/* Checks one entry's place in the ACI layout. */
static int check_entry(struct archive_entry *e, Layout *layout, bool *seen_manifest, bool *seen_rootfs,
                       RktError **reterr) {
        const char *name = sym_archive_entry_pathname(e), *link = sym_archive_entry_hardlink(e);
        _cleanup_free_ char *norm = NULL, *ln = NULL;
        mode_t type = sym_archive_entry_filetype(e);

        if (!name || !*name)
                return rkt_error_set(reterr, -EBADMSG, "entry with an empty name");
        if (path_is_absolute(name))
                return rkt_error_set(reterr, -EBADMSG, "entry '%s': absolute path", name);
        norm = path_normalize_inside(name);
        if (!norm)
                return rkt_error_set(reterr, -EBADMSG, "entry '%s': path escapes the image root", name);
        if (link) {
                ln = path_is_absolute(link) ? NULL : path_normalize_inside(link);
                if (!ln || !(streq(ln, "rootfs") || startswith(ln, "rootfs/")))
                        return rkt_error_set(reterr, -EBADMSG,
                                             "entry '%s': hardlink target '%s' is outside the image", name,
                                             link);
        }
        if (streq(norm, "manifest")) {
                if (*seen_manifest)
                        return rkt_error_set(reterr, -EBADMSG, "entry '%s': second 'manifest' in the image",
                                             name);
                if (type != AE_IFREG || link)
                        return rkt_error_set(reterr, -EBADMSG,
                                             "entry '%s': 'manifest' must be a regular file", name);
                *seen_manifest = true;
                return 1; /* the caller reads it */
        }
        if (streq(norm, "rootfs")) {
                if (type != AE_IFDIR || link)
                        return rkt_error_set(reterr, -EBADMSG, "entry '%s': 'rootfs' must be a directory",
                                             name);
                *seen_rootfs = true;
                return 0;
        }
        if (startswith(norm, "rootfs/")) {
                int r = check_parents(layout, name, norm, reterr);
                if (r < 0)
                        return r;
                r = layout_add(layout, name, norm, type, ln, reterr);
                if (r < 0)
                        return r;
                *seen_rootfs = true;
                return 0;
        }
        if (streq(norm, "")) /* "./" */
                return 0;
        return rkt_error_set(reterr, -EBADMSG, "entry '%s': an ACI holds only 'manifest' and 'rootfs/'",
                             name);
}

int image_limit_error(RktError **reterr, const char *what, uint64_t max_size) {
        _cleanup_free_ char *limit = format_bytes(max_size);

        return rkt_error_set_hint(reterr, -EFBIG, RKT_HINT_IMAGE_SIZE, NULL,
                                  "%s expands to more than the limit of %s uncompressed", what,
                                  strna(limit));
}

int aci_read_stream(int in_fd, int out_fd, AciStreamInfo *ret, RktError **reterr) {
        return aci_read_stream_limited(in_fd, out_fd, NULL, ret, reterr);
}

int aci_read_stream_limited(int in_fd, int out_fd, const ImageLimits *limits, AciStreamInfo *ret,
                            RktError **reterr) {
        _cleanup_(archive_read_freep) struct archive *raw = NULL, *tar = NULL;
        AciStreamInfo info = {};
        Layout layout = {};
        bool seen_manifest = false, seen_rootfs = false;
        Digest md;
        Pipe p = {.out_fd = out_fd, .max_size = image_limits_max_size(limits)};
        uint64_t max_entries = image_limits_max_entries(limits), entries = 0, declared = 0;
        la_int64_t end;
        int r;

        r = archive_dl_open(reterr);
        if (r < 0)
                return r;
        r = digest_init(&md, DIGEST_SHA512, reterr);
        if (r < 0)
                return r;
        p.md = &md;

        /* The compressed stream decompressed as one raw entry, read by a tar reader in turn. */
        r = archive_reader_new(ARCHIVE_READER_ACI_FILTERS | ARCHIVE_READER_RAW, &raw, reterr);
        if (r < 0)
                return r;
        r = archive_reader_new(ARCHIVE_READER_TAR, &tar, reterr);
        if (r < 0)
                return r;
        if (sym_archive_read_open_fd(raw, in_fd, 128 * 1024) != ARCHIVE_OK)
                return rkt_error_set(reterr, -EBADMSG, "cannot read the image: %s",
                                     strempty(sym_archive_error_string(raw)));
        {
                struct archive_entry *e;
                if (sym_archive_read_next_header(raw, &e) != ARCHIVE_OK)
                        return rkt_error_set(reterr, -EBADMSG, "cannot read the image: %s",
                                             strempty(sym_archive_error_string(raw)));
        }
        p.raw = raw;

        if (sym_archive_read_open(tar, &p, NULL, pipe_read, NULL) != ARCHIVE_OK)
                goto tar_error;

        for (;;) {
                struct archive_entry *e;
                r = sym_archive_read_next_header(tar, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        goto tar_error;
                /* What extracting it would write, whatever the tar holds: a sparse entry declares GiBs in a
                 * few blocks, and millions of empty entries cost millions of inodes. */
                if (sym_archive_entry_size_is_set(e) && sym_archive_entry_size(e) > 0)
                        declared += (uint64_t) sym_archive_entry_size(e);
                if (++entries > max_entries || declared > p.max_size) {
                        layout_done(&layout);
                        aci_stream_info_done(&info);
                        if (entries > max_entries)
                                return rkt_error_set(reterr, -EFBIG, "the image has more than %llu entries",
                                                     (unsigned long long) max_entries);
                        return image_limit_error(reterr, "the image", p.max_size);
                }
                if (strlen(strempty(sym_archive_entry_pathname(e))) >= PATH_MAX) {
                        layout_done(&layout);
                        aci_stream_info_done(&info);
                        return rkt_error_set(reterr, -ENAMETOOLONG, "an entry name is longer than %d bytes",
                                             PATH_MAX - 1);
                }
                r = check_entry(e, &layout, &seen_manifest, &seen_rootfs, reterr);
                if (r < 0) {
                        layout_done(&layout);
                        aci_stream_info_done(&info);
                        return r;
                }
                if (r > 0) {
                        r = read_manifest(tar, &info, reterr);
                        if (r < 0) {
                                aci_stream_info_done(&info);
                                return r;
                        }
                }
                /* Entry data is skipped by reading through it, so every byte passes the hash. */
        }
        layout_done(&layout);
        end = sym_archive_read_header_position(tar);
        /* Whatever follows the end-of-archive blocks is part of the tar file and of its hash. */
        for (;;) {
                const void *buf;
                la_ssize_t n = pipe_read(tar, &p, &buf);
                if (n == 0)
                        break;
                if (n < 0)
                        goto tar_error;
        }
        /* A tar cut at an entry boundary reads like a shorter archive: only the end-of-archive marker (zero
         * blocks) after the last entry tells a whole archive from a truncated one. */
        if (end < 0 || p.size < (uint64_t) end + 512) {
                aci_stream_info_done(&info);
                return rkt_error_set(
                        reterr, -EBADMSG,
                        "the image is truncated: it ends without the tar end-of-archive marker");
        }
        if (!seen_manifest) {
                aci_stream_info_done(&info);
                return rkt_error_set(reterr, -EBADMSG, "the image has no 'manifest'");
        }
        if (!seen_rootfs) {
                aci_stream_info_done(&info);
                return rkt_error_set(reterr, -EBADMSG, "the image has no 'rootfs' directory");
        }
        strcpy(info.id, "sha512-");
        digest_final_hex(&md, info.id + 7);
        info.size = p.size;
        *ret = info;
        return 0;

tar_error:
        layout_done(&layout);
        aci_stream_info_done(&info);
        if (p.error == -EFBIG)
                return image_limit_error(reterr, "the image", p.max_size);
        if (p.error < 0)
                return rkt_error_set(reterr, p.error, "writing the image: %s", strerror(-p.error));
        if (p.archive_error)
                return rkt_error_set(reterr, -EBADMSG, "the image is damaged or truncated: %s",
                                     p.archive_error);
        return rkt_error_set(reterr, -EBADMSG, "not a valid ACI (tar) archive: %s",
                             strempty(sym_archive_error_string(tar)));
}

void aci_stream_info_done(AciStreamInfo *info) {
        free(info->manifest);
        info->manifest = NULL;
        info->manifest_size = 0;
}
