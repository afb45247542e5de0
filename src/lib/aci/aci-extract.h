/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "image-limits.h"

struct archive;

/* Safe extraction of ACI tar archives (appc: a tar holding only "manifest", a regular file, and
 * "rootfs/", a directory).
 *
 * Whatever the archive says, nothing is created or written outside target_dirfd: absolute entry names
 * and ".." components are refused, parent directories are resolved one component at a time with
 * openat(O_NOFOLLOW) from the target, so a symlink in a parent position is never followed, and hardlinks
 * must name an existing non-directory inside the image (a hardlink to a symlink links the symlink
 * itself). Symlink targets are stored as they are: they are resolved later, inside the container root.
 *
 * Decisions:
 * - Any other top-level name (and a "manifest" that is not a regular file or a "rootfs" that is not a
 *   directory) fails the extraction: the spec allows only those two and a stray top-level entry is a
 *   malformed or hostile image, not something to skip quietly. "./" prefixes and a "./" entry are fine.
 * - A later entry for a path replaces an earlier non-directory of the same extraction (tar semantics),
 *   never following it if it is a symlink; a pre-existing non-directory is replaced only with
 *   ACI_EXTRACT_OVERWRITE. A directory entry over an existing directory merges (later metadata wins).
 *   A non-directory over a directory fails, unless ACI_EXTRACT_OVERWRITE, which removes the directory
 *   tree (without following symlinks or crossing mount points) — "later files overwrite earlier ones"
 *   of the appc dependency rendering.
 * - A symlink or other non-directory where an entry needs a parent directory fails ("parent 'rootfs/x'
 *   is a symlink"); with ACI_EXTRACT_OVERWRITE it is replaced by a directory ("symlinked directories are
 *   replaced, not followed").
 * - Missing parent directories are created 0755. Directories are created 0700 and get their final mode
 *   and mtime after the last entry, so a read-only directory does not block its children and the
 *   creation of children does not change the recorded mtimes.
 * - Owners are numeric (the image's uids, not the host's names) and are applied only as root and
 *   without ACI_EXTRACT_NO_OWNERS; modes are applied after the owner, so setuid/setgid bits stay.
 * - Device nodes need root; as non-root they are skipped (fifos are still created).
 * - Extended attributes are restored (security.capability after chown, which clears it); a file system
 *   without user.* xattrs is tolerated, any other xattr failure is an error.
 * - With ACI_EXTRACT_ROOTFS_ONLY, the metadata of the "rootfs" entry is applied to the target itself.
 *
 * On failure the target holds a partial tree: extract into a fresh directory and remove it then. */

typedef enum AciExtractFlags {
        /* Write only the rootfs/ contents, stripped of the "rootfs/" prefix, into the target. */
        ACI_EXTRACT_ROOTFS_ONLY = 1 << 0,
        /* Replace existing files (default: fail on an existing non-directory). */
        ACI_EXTRACT_OVERWRITE = 1 << 1,
        /* Do not chown (unprivileged extraction). */
        ACI_EXTRACT_NO_OWNERS = 1 << 2,
        /* The archive is a Docker/OCI image layer: its entries are relative to the target (no manifest, no
         * rootfs/) and whiteout entries are markers, not files (see aci_extract_layer_fd()). */
        ACI_EXTRACT_LAYER = 1 << 3,
} AciExtractFlags;

/* Per-entry filter for dependency rendering: return true to extract the entry. path is the normalized
 * path relative to the rootfs ("etc/passwd"), type the st_mode file type bits (S_IFREG for hardlinks).
 * It is called for every entry below rootfs/, not for the rootfs directory itself nor the manifest.
 * Parents of an accepted entry that were filtered out are created 0755; a hardlink whose target was
 * filtered out fails ("does not exist"), so keep hardlinked paths together. */
typedef bool (*AciEntryFilter)(const char *path, mode_t type, void *userdata);

/* Extracts an uncompressed or gzip/bzip2/xz/zstd-compressed (detected by content) ACI read from fd into
 * the directory target_dirfd. Returns 0, or a negative errno with *reterr naming the entry and the cause:
 * "entry 'rootfs/x/passwd': parent 'rootfs/x' is a symlink", "archive is truncated: …". */
int aci_extract_fd(int fd, int target_dirfd, unsigned flags, AciEntryFilter filter, void *userdata,
                   RktError **reterr);

/* The same from an opened libarchive reader that has not read its first header yet (so that a caller can
 * hash the stream while extracting). The reader is left open; the caller frees it. A caller hashing in its
 * read callback must give the reader no skip callback (libarchive seeks over the data of entries that are
 * not extracted) and must drain the input afterwards (libarchive stops at the end-of-archive blocks,
 * before the padding of the last record). */
int aci_extract_archive(struct archive *a, int target_dirfd, unsigned flags, AciEntryFilter filter,
                        void *userdata, RktError **reterr);

/* Applies a Docker/OCI layer (a tar, gzip- or zstd-compressed or not, detected by content; fd must be
 * seekable) on top of what the layers below it left in target_dirfd, with the same safety as an ACI:
 * first its whiteouts — ".wh.NAME" removes NAME, ".wh..wh..opq" empties its directory — are applied to the
 * target (they hide what the layers below have, wherever they appear in the archive), then its entries are
 * extracted, replacing what is there (ACI_EXTRACT_OVERWRITE), without the whiteout markers. */
int aci_extract_layer_fd(int fd, int target_dirfd, unsigned flags, RktError **reterr);
/* The same, charging what the layer's entries declare (sizes, and their number) to budget, which the layers
 * of one image share: a layer that would take the image over budget->limits fails (-EFBIG) in the whiteout
 * pass, from its headers, before any of its files is written (whiteouts before the failing entry may have
 * been applied: the target is scratch space to throw away then). */
int aci_extract_layer_fd_budget(int fd, int target_dirfd, unsigned flags, ImageBudget *budget,
                                RktError **reterr);
