/* SPDX-License-Identifier: Apache-2.0 */
/* Image references as users, dependencies and stage1.d name them: NAME[:VERSION][,LABEL=VALUE...] or an
 * image ID. */
#include "appc.h"
#include "fuzz.h"
#include "image-ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = fuzz_string(data, size);
        _cleanup_(image_ref_done) ImageRef ref = {};

        (void) image_ref_is_id(s);
        (void) appc_image_id_valid(s, false);
        if (image_ref_parse(s, &ref, NULL) < 0)
                return 0;
        FUZZ_CHECK(ref.name);
        for (size_t i = 0; i < ref.n_labels; i++) {
                FUZZ_CHECK(ref.labels[i].name && ref.labels[i].value);
                FUZZ_CHECK(image_ref_label(&ref, ref.labels[i].name));
        }
        return 0;
}
