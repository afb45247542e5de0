/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "appc.h"
#include "error.h"

/* An image named the way users write it: "example.com/app:1.0,os=linux,arch=amd64". ":X" is the
 * "version" label. */
typedef struct ImageRef {
        char *name;
        AppcKV *labels;
        size_t n_labels;
} ImageRef;

int image_ref_parse(const char *s, ImageRef *ret, RktError **reterr);
void image_ref_done(ImageRef *ref);
const char *image_ref_label(const ImageRef *ref, const char *name);
/* True for strings that name an image by ID ("sha512-…"), as opposed to by name. */
bool image_ref_is_id(const char *s);
