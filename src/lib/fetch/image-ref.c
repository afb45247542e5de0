/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>

#include "image-ref.h"

bool image_ref_is_id(const char *s) {
        const char *hex = startswith(s, "sha512-");

        if (!hex)
                return false;
        for (; *hex; hex++)
                if (!isxdigit((unsigned char) *hex))
                        return false;
        return true;
}

static int add_label(ImageRef *ref, const char *name, size_t nlen, const char *value, size_t vlen) {
        AppcKV *n;

        for (size_t i = 0; i < ref->n_labels; i++)
                if (strlen(ref->labels[i].name) == nlen && strncmp(ref->labels[i].name, name, nlen) == 0)
                        return -EEXIST;
        n = realloc(ref->labels, sizeof(*n) * (ref->n_labels + 1));
        if (!n)
                return -ENOMEM;
        ref->labels = n;
        n[ref->n_labels].name = strndup(name, nlen);
        n[ref->n_labels].value = strndup(value, vlen);
        if (!n[ref->n_labels].name || !n[ref->n_labels].value) {
                free(n[ref->n_labels].name);
                free(n[ref->n_labels].value);
                return -ENOMEM;
        }
        ref->n_labels++;
        return 0;
}

int image_ref_parse(const char *s, ImageRef *ret, RktError **reterr) {
        ImageRef ref = {};
        const char *comma = strchr(s, ','), *colon;
        size_t name_end = comma ? (size_t) (comma - s) : strlen(s);
        int r;

        colon = memchr(s, ':', name_end);
        if (name_end == 0 || colon == s)
                return rkt_error_set(reterr, -EINVAL, "image '%s': empty name", s);
        ref.name = strndup(s, colon ? (size_t) (colon - s) : name_end);
        if (!ref.name)
                return -ENOMEM;
        if (colon) {
                size_t vlen = name_end - (colon + 1 - s);
                if (vlen == 0) {
                        image_ref_done(&ref);
                        return rkt_error_set(reterr, -EINVAL, "image '%s': empty version after ':'", s);
                }
                r = add_label(&ref, "version", 7, colon + 1, vlen);
                if (r < 0) {
                        image_ref_done(&ref);
                        return r;
                }
        }
        while (comma) {
                const char *item = comma + 1, *eq;
                size_t len;

                comma = strchr(item, ',');
                len = comma ? (size_t) (comma - item) : strlen(item);
                eq = memchr(item, '=', len);
                if (!eq || eq == item || eq == item + len - 1) {
                        image_ref_done(&ref);
                        return rkt_error_set(reterr, -EINVAL, "image '%s': label '%.*s' is not NAME=VALUE",
                                             s, (int) len, item);
                }
                r = add_label(&ref, item, eq - item, eq + 1, len - (eq + 1 - item));
                if (r == -EEXIST) {
                        image_ref_done(&ref);
                        return rkt_error_set(reterr, -EINVAL, "image '%s': label '%.*s' given twice", s,
                                             (int) (eq - item), item);
                }
                if (r < 0) {
                        image_ref_done(&ref);
                        return r;
                }
        }
        *ret = ref;
        return 0;
}

void image_ref_done(ImageRef *ref) {
        for (size_t i = 0; i < ref->n_labels; i++) {
                free(ref->labels[i].name);
                free(ref->labels[i].value);
        }
        free(ref->labels);
        free(ref->name);
        *ref = (ImageRef){};
}

const char *image_ref_label(const ImageRef *ref, const char *name) {
        for (size_t i = 0; i < ref->n_labels; i++)
                if (streq(ref->labels[i].name, name))
                        return ref->labels[i].value;
        return NULL;
}
