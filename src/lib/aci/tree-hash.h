/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

/* The digest of a rendered tree, recorded when the tree store renders it and recomputed by `rkt image
 * verify` (rkt 1.30's tree store kept one too). Entries are visited in byte order of their names, depth
 * first, never following a symlink; for each the digest takes the path relative to the top, the file type,
 * permission bits (setuid/setgid/sticky included), owner, group, the size of a regular file, the target of a
 * symlink, the device number of a device node, the extended attributes of regular files and directories
 * (sorted by name) and the content of regular files. Times, link counts, inode numbers and directory sizes
 * are left out: they change when a tree is copied or restored without its content changing. Hardlinked files
 * are hashed once per name. A top-level entry named skip (the tree's own marker) is left out. */
typedef struct TreeHash {
        char hash[7 + 128 + 1]; /* "sha512-" + hex */
        uint64_t size;          /* the sum of st_size over every entry, directories included */
} TreeHash;

int tree_hash_at(int dirfd, const char *skip, TreeHash *ret);
