/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

#include "error.h"
#include "uid-range.h"

/* Writes a gzip-compressed ACI to fd: "manifest" (the given bytes), then the tree at rootfs_path as
 * "rootfs/…", walked without following symlinks and without crossing into mounts below it; owners are
 * numeric, hard links stay hard links, special files and extended attributes are kept. With unshift (a
 * tree of a user namespace's pod) owners and groups are written as the namespace saw them; an ID outside
 * the range is an error. */
int aci_write_dir(int fd, const char *manifest, size_t manifest_size, const char *rootfs_path,
                  const UidRange *unshift, RktError **reterr);
/* The same, as an uncompressed tar: for an ACI that goes straight into the store, which keeps images
 * uncompressed (compressing it would only be undone at once). */
int aci_write_dir_uncompressed(int fd, const char *manifest, size_t manifest_size, const char *rootfs_path,
                               RktError **reterr);
