/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "cli.h"
#include "store.h"

/* What the image verbs share: opening the store and naming an image, with errors already logged. */
int image_store_open(const CliArgs *a, unsigned flags, Store **ret);
int image_resolve(Store *s, const char *ref, char **ret_id);
/* Both: the store opened with flags, and the image ref names in it. */
int image_open_resolved(const CliArgs *a, unsigned flags, const char *ref, Store **ret_store, char **ret_id);
/* The store to ourselves (exclusive: fetches and pods being prepared hold it shared while they use their
 * images), and the images and trees the pods use, which must stay: what image gc and image rm start with. */
int image_store_open_for_removal(const CliArgs *a, Store **ret_store, char ***ret_pod_images,
                                 char ***ret_pod_trees);
/* Creates dir for extract/render: it must not exist, unless overwrite (then it is replaced). */
int image_target_dir(const char *dir, bool overwrite, int *ret_fd);
/* The value of the boolean option id among a's options (def when absent); logs bad values. */

/* `image extract` (the image alone) and `image render` (with its dependencies) into the directory
 * a->args[1]; a half-made directory is removed on failure. */
extern const Option image_extract_options[];
int image_extract_to_dir(CliArgs *a, bool render);
