/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "image-limits.h"

/* The store's innards, shared by the files that implement it (store.c, store-remote.c). Nothing
 * outside src/lib/store*.c includes this. */
struct Store {
        char *cas;  /* <data dir>/cas */
        int dir_fd; /* -1: read-only and the store does not exist yet */
        int lock_fd;
        bool writable;
        ImageLimits limits; /* of imports; zeros: the defaults */
};

#define STORE_DIR_MODE 0750
