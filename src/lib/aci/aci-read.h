/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

#include "error.h"
#include "image-limits.h"

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
/* The same within limits (NULL: the defaults), checked as the bytes stream by, before they are written
 * to out_fd: the uncompressed tar, and the sizes its entries declare (a sparse entry declares more than
 * it holds), may not exceed limits->max_size, nor the entries limits->max_entries (-EFBIG); an entry
 * name longer than PATH_MAX is refused (-ENAMETOOLONG), as extraction would refuse it. */
int aci_read_stream_limited(int in_fd, int out_fd, const ImageLimits *limits, AciStreamInfo *ret,
                            RktError **reterr);
/* The one-line error for an image over its size limit. */
int image_limit_error(RktError **reterr, const char *what, uint64_t max_size);
