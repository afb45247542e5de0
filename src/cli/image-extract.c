/* SPDX-License-Identifier: Apache-2.0 */
#include "image-common.h"
#include "verbs.h"

int verb_image_extract(CliArgs *a) {
        return image_extract_to_dir(a, false);
}
