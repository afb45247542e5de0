/* SPDX-License-Identifier: Apache-2.0 */
/* Docker/OCI layers: whiteouts applied to what the layers below left, then the layer extracted like an
 * ACI's rootfs. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <dirent.h>

#include "cleanup.h"
#include "dl.h"
#include "aci-extract.h"
#include "aci-extract-internal.h"
#include "aci-read.h"
#include "fs.h"

/* --- Docker/OCI layers --- */

static bool dot_or_dot_dot(const char *s) {
        return streq(s, ".") || streq(s, "..");
}

/* Removes everything in the directory dirfd (an O_PATH fd is fine). */
static int empty_dir(int dir_fd) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r = opendir_at(dir_fd, ".", &d);

        if (r < 0 || !d)
                return r;
        while ((de = readdir(d))) {
                if (dot_or_dot_dot(de->d_name))
                        continue;
                r = rm_rf_at(dirfd(d), de->d_name);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        return 0;
}

/* The first pass over a layer: its whiteouts remove what the layers below left in the target. They apply
 * to the layers below only, whatever their place in the archive, so they all go before any entry of the
 * layer is written. A whiteout of something the target does not have (or that sits below a symlink, which
 * is never followed) removes nothing. */
static int apply_whiteouts(Extractor *x) {
        for (bool first = true;; first = false) {
                struct archive_entry *e;
                PathProblem problem;
                const char *base;
                size_t failed;
                int parent_fd, r = sym_archive_read_next_header(x->archive, &e);

                if (r == ARCHIVE_EOF)
                        return 0;
                if (r < ARCHIVE_WARN)
                        return aci_archive_failure(x, first, false);
                /* Over budget is known from the headers: the layer fails before any of its files is
                 * written (and before the extraction pass decompresses it again). */
                r = aci_entry_begin(x, e, &problem);
                if (r < 0)
                        return r;
                if (problem != PATH_OK)
                        return aci_entry_error(x, problem == PATH_DOTDOT ? -EINVAL : -EXDEV,
                                               "whiteout or entry path leaves the layer");
                if (x->path.n_comps == 0)
                        continue;
                base = x->path.comps[x->path.n_comps - 1];
                if (!startswith(base, WHITEOUT_PREFIX))
                        continue;
                if (!streq(base, WHITEOUT_OPAQUE) && (dot_or_dot_dot(base + strlen(WHITEOUT_PREFIX)) ||
                                                      isempty(base + strlen(WHITEOUT_PREFIX))))
                        return aci_entry_error(x, -EINVAL, "invalid whiteout name");
                r = aci_extract_walk(x, x->path.comps, x->path.n_comps - 1, false, &parent_fd, &failed);
                if (r == -ENOENT || r == -ELOOP || r == -ENOTDIR)
                        continue;
                if (r < 0)
                        return aci_entry_error(x, r, "opening the whiteout's directory: %s", strerror(-r));
                if (streq(base, WHITEOUT_OPAQUE))
                        r = empty_dir(parent_fd);
                else
                        r = rm_rf_at(parent_fd, base + strlen(WHITEOUT_PREFIX));
                /* The cached directories may be gone now. */
                aci_cache_truncate(x, 0);
                if (r < 0 && r != -ENOENT)
                        return aci_entry_error(x, r, "applying the whiteout: %s", strerror(-r));
        }
}

static int open_layer_reader(int fd, struct archive **ret, RktError **reterr) {
        _cleanup_(archive_read_freep) struct archive *a = NULL;
        Extractor x = {.reterr = reterr};
        int r = archive_reader_new(ARCHIVE_READER_GZIP | ARCHIVE_READER_ZSTD | ARCHIVE_READER_TAR, &a,
                                   reterr);

        if (r < 0)
                return r;
        x.archive = a;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return rkt_error_set(reterr, negative_errno(), "cannot rewind the layer: %m");
        if (sym_archive_read_open_fd(a, fd, READ_BLOCK_SIZE) != ARCHIVE_OK)
                return aci_archive_failure(&x, true, false);
        *ret = TAKE_PTR(a);
        return 0;
}

int aci_extract_layer_fd(int fd, int target_dirfd, unsigned flags, RktError **reterr) {
        return aci_extract_layer_fd_budget(fd, target_dirfd, flags, NULL, reterr);
}

int aci_extract_layer_fd_budget(int fd, int target_dirfd, unsigned flags, ImageBudget *budget,
                                RktError **reterr) {
        _cleanup_(archive_read_freep) struct archive *a = NULL;
        int r = archive_dl_open(reterr);

        if (r < 0)
                return r;
        r = open_layer_reader(fd, &a, reterr);
        if (r < 0)
                return r;
        {
                _cleanup_(aci_extractor_done) Extractor x = {
                        .archive = a,
                        .root_fd = target_dirfd,
                        .flags = flags | ACI_EXTRACT_LAYER,
                        .reterr = reterr,
                        .deep_fd = -1,
                        .budget = budget,
                };
                r = apply_whiteouts(&x);
                if (r < 0)
                        return r;
        }
        sym_archive_read_free(TAKE_PTR(a));
        r = open_layer_reader(fd, &a, reterr);
        if (r < 0)
                return r;
        return aci_extract_archive_budget(a, target_dirfd, flags | ACI_EXTRACT_LAYER | ACI_EXTRACT_OVERWRITE,
                                          NULL, NULL, budget, reterr);
}
