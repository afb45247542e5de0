/* SPDX-License-Identifier: Apache-2.0 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>

#include "dl.h"
#include "aci-write.h"

#define COPY_BLOCK_SIZE (128U * 1024U)

static int write_manifest(struct archive *w, const char *manifest, size_t size, RktError **reterr) {
        _cleanup_(archive_entry_freep) struct archive_entry *e = sym_archive_entry_new();

        if (!e)
                return -ENOMEM;
        sym_archive_entry_set_pathname(e, "manifest");
        sym_archive_entry_set_filetype(e, AE_IFREG);
        sym_archive_entry_set_perm(e, 0644);
        sym_archive_entry_set_size(e, (la_int64_t) size);
        sym_archive_entry_set_mtime(e, time(NULL), 0);
        if (sym_archive_write_header(w, e) != ARCHIVE_OK ||
            sym_archive_write_data(w, manifest, size) != (la_ssize_t) size)
                return rkt_error_set(reterr, -EIO, "writing the manifest: %s", sym_archive_error_string(w));
        return 0;
}

/* The file's content, read by the disk reader that found it. */
static int copy_data(struct archive *disk, struct archive *w, const char *name, RktError **reterr) {
        char buf[COPY_BLOCK_SIZE];
        la_ssize_t n;

        while ((n = sym_archive_read_data(disk, buf, sizeof(buf))) > 0)
                if (sym_archive_write_data(w, buf, (size_t) n) != n)
                        return rkt_error_set(reterr, -EIO, "writing '%s': %s", name,
                                             sym_archive_error_string(w));
        if (n < 0)
                return rkt_error_set(reterr, -EIO, "reading '%s': %s", name, sym_archive_error_string(disk));
        return 0;
}

/* The rest of path below root ("" for root itself), NULL when path is not below it. */
static const char *below(const char *path, const char *root) {
        size_t n = strlen(root);

        while (n > 1 && root[n - 1] == '/')
                n--;
        if (strncmp(path, root, n) != 0 || (path[n] != 0 && path[n] != '/'))
                return NULL;
        return path + n + strspn(path + n, "/");
}

/* rootfs_path/x/y -> rootfs/x/y (hard links are made later, from these names). */
static int rename_entry(struct archive_entry *e, const char *rootfs_path) {
        const char *rel = below(sym_archive_entry_pathname(e), rootfs_path);
        _cleanup_free_ char *name = NULL;

        if (!rel)
                return -EINVAL;
        if (asprintf(&name, "rootfs%s%s", *rel ? "/" : "", rel) < 0)
                return -ENOMEM;
        sym_archive_entry_copy_pathname(e, name);
        return 0;
}

static int write_entry(struct archive *disk, struct archive *w, struct archive_entry *e, RktError **reterr) {
        const char *name = sym_archive_entry_pathname(e);

        if (sym_archive_write_header(w, e) < ARCHIVE_WARN)
                return rkt_error_set(reterr, -EIO, "writing '%s': %s", name, sym_archive_error_string(w));
        if (sym_archive_entry_size(e) > 0)
                return copy_data(disk, w, name, reterr);
        return 0;
}

static int unshift_entry(struct archive_entry *e, const UidRange *unshift, RktError **reterr) {
        uint32_t uid, gid;

        if (sym_archive_entry_uid(e) < 0 || sym_archive_entry_uid(e) > UINT32_MAX ||
            sym_archive_entry_gid(e) < 0 || sym_archive_entry_gid(e) > UINT32_MAX ||
            uid_range_unshift(unshift, (uint32_t) sym_archive_entry_uid(e), &uid) < 0 ||
            uid_range_unshift(unshift, (uint32_t) sym_archive_entry_gid(e), &gid) < 0)
                return rkt_error_set(reterr, -ERANGE,
                                     "'%s': owner %lld:%lld is outside the pod's user namespace",
                                     sym_archive_entry_pathname(e), (long long) sym_archive_entry_uid(e),
                                     (long long) sym_archive_entry_gid(e));
        sym_archive_entry_set_uid(e, uid);
        sym_archive_entry_set_gid(e, gid);
        return 0;
}

static int write_rootfs(struct archive *w, const char *rootfs_path, const UidRange *unshift,
                        RktError **reterr) {
        _cleanup_(archive_read_freep) struct archive *disk = sym_archive_read_disk_new();
        _cleanup_(archive_entry_linkresolver_freep) struct archive_entry_linkresolver *links =
                sym_archive_entry_linkresolver_new();
        int r = 0;

        if (!disk || !links)
                return -ENOMEM;
        sym_archive_entry_linkresolver_set_strategy(links, sym_archive_format(w));
        sym_archive_read_disk_set_symlink_physical(disk);
        if (sym_archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS) != ARCHIVE_OK ||
            sym_archive_read_disk_open(disk, rootfs_path) != ARCHIVE_OK)
                return rkt_error_set(reterr, -EIO, "reading '%s': %s", rootfs_path,
                                     sym_archive_error_string(disk));
        for (;;) {
                _cleanup_(archive_entry_freep) struct archive_entry *e = sym_archive_entry_new();
                struct archive_entry *spare = NULL;
                int k;

                if (!e)
                        return -ENOMEM;
                k = sym_archive_read_next_header2(disk, e);
                if (k == ARCHIVE_EOF)
                        break;
                if (k < ARCHIVE_WARN)
                        return rkt_error_set(reterr, -EIO, "reading '%s': %s", rootfs_path,
                                             sym_archive_error_string(disk));
                if (sym_archive_read_disk_can_descend(disk))
                        (void) sym_archive_read_disk_descend(disk);
                r = rename_entry(e, rootfs_path);
                if (r < 0)
                        return rkt_error_set(reterr, r, "'%s' is outside '%s'",
                                             sym_archive_entry_pathname(e), rootfs_path);
                if (unshift && (r = unshift_entry(e, unshift, reterr)) < 0)
                        return r;
                /* The second and later names of a file become hard links to the first. */
                sym_archive_entry_linkify(links, &e, &spare);
                if (e)
                        r = write_entry(disk, w, e, reterr);
                sym_archive_entry_free(spare);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int write_dir(int fd, const char *manifest, size_t manifest_size, const char *rootfs_path,
                     const UidRange *unshift, bool gzip, RktError **reterr) {
        _cleanup_(archive_write_freep) struct archive *w = NULL;
        int r = archive_dl_open(reterr);

        if (r < 0)
                return r;
        w = sym_archive_write_new();
        if (!w)
                return -ENOMEM;
        if (sym_archive_write_set_format_pax_restricted(w) != ARCHIVE_OK ||
            (gzip && sym_archive_write_add_filter_gzip(w) != ARCHIVE_OK) ||
            sym_archive_write_open_fd(w, fd) != ARCHIVE_OK)
                return rkt_error_set(reterr, -EIO, "starting the ACI: %s", sym_archive_error_string(w));
        r = write_manifest(w, manifest, manifest_size, reterr);
        if (r < 0)
                return r;
        r = write_rootfs(w, rootfs_path, unshift, reterr);
        if (r < 0)
                return r;
        if (sym_archive_write_close(w) != ARCHIVE_OK)
                return rkt_error_set(reterr, -EIO, "finishing the ACI: %s", sym_archive_error_string(w));
        return 0;
}

int aci_write_dir(int fd, const char *manifest, size_t manifest_size, const char *rootfs_path,
                  const UidRange *unshift, RktError **reterr) {
        return write_dir(fd, manifest, manifest_size, rootfs_path, unshift, true, reterr);
}

int aci_write_dir_uncompressed(int fd, const char *manifest, size_t manifest_size, const char *rootfs_path,
                               RktError **reterr) {
        return write_dir(fd, manifest, manifest_size, rootfs_path, NULL, false, reterr);
}
