/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

/* What one image may expand to, checked while it streams in (an ACI import, the layers of a docker
 * image being converted): a small compressed file must not fill the disk or the memory of the host.
 *
 * The default size is 16 GiB of uncompressed data: above the largest images rkt's users run (distribution
 * and language images are 0.1–2 GiB, CUDA/ML images reach 10 GiB), and what the store holds twice (the
 * uncompressed blob and its rendered tree). `--max-image-size` sets another. The entry count is fixed:
 * a full distribution image has about 10^5 files; 4 Mi entries are far above that and bound the memory
 * and inodes an extraction uses (each entry costs an inode and some bookkeeping). */
#define IMAGE_DEFAULT_MAX_SIZE (16ULL * 1024 * 1024 * 1024)
#define IMAGE_DEFAULT_MAX_ENTRIES (4ULL * 1024 * 1024)

typedef struct ImageLimits {
        uint64_t max_size;    /* bytes: of the uncompressed tar, and of the sizes its entries declare; 0:
                                 default */
        uint64_t max_entries; /* 0: default */
} ImageLimits;

/* What an extraction has used of its limits so far (across the layers of one docker image). */
typedef struct ImageBudget {
        ImageLimits limits;
        uint64_t size;
        uint64_t entries;
} ImageBudget;

static inline uint64_t image_limits_max_size(const ImageLimits *l) {
        return l && l->max_size > 0 ? l->max_size : IMAGE_DEFAULT_MAX_SIZE;
}

static inline uint64_t image_limits_max_entries(const ImageLimits *l) {
        return l && l->max_entries > 0 ? l->max_entries : IMAGE_DEFAULT_MAX_ENTRIES;
}
