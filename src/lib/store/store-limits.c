/* SPDX-License-Identifier: Apache-2.0 */
#include "store-internal.h"
#include "store.h"

void store_set_image_limits(Store *s, const ImageLimits *limits) {
        s->limits = limits ? *limits : (ImageLimits){};
}
