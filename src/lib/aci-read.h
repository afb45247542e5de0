/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

#include "error.h"

/* What one pass over an ACI yields: its image ID, the uncompressed size and the manifest bytes. */
typedef struct AciStreamInfo {
        char id[7 + 128 + 1]; /* "sha512-" + 128 hex */
        uint64_t size;        /* of the uncompressed tar */
        char *manifest;       /* NUL-terminated */
        size_t manifest_size;
} AciStreamInfo;

void aci_stream_info_done(AciStreamInfo *info);

/* Reads a (possibly gzip, bzip2, xz or zstd compressed, detected by content) ACI from in_fd once:
 * decompresses it, hashes the uncompressed tar with sha512, copies the uncompressed bytes to out_fd
 * (when >= 0) and checks the layout as it goes by: exactly one `manifest` file, a `rootfs` tree, nothing
 * else, no entry or hardlink target that climbs out of the image. The manifest is returned unparsed. */
int aci_read_stream(int in_fd, int out_fd, AciStreamInfo *ret, RktError **reterr);
