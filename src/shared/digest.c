/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "digest.h"
#include "dl.h"
#include "sha2.h"

int digest_init(Digest *d, DigestAlgorithm algorithm, RktError **reterr) {
        int r = crypto_dl_open(reterr);

        if (r < 0)
                return r;
        d->algorithm = algorithm;
        /* These cannot fail: they only set the initial state. */
        if (algorithm == DIGEST_SHA256)
                (void) sym_SHA256_Init(&d->sha256);
        else
                (void) sym_SHA512_Init(&d->sha512);
        return 0;
}

void digest_update(Digest *d, const void *data, size_t size) {
        if (size == 0)
                return;
        if (d->algorithm == DIGEST_SHA256)
                (void) sym_SHA256_Update(&d->sha256, data, size);
        else
                (void) sym_SHA512_Update(&d->sha512, data, size);
}

static void hex_of(const unsigned char *md, size_t n, char out[static DIGEST_HEX_MAX]) {
        static const char hex[] = "0123456789abcdef";

        for (size_t i = 0; i < n; i++) {
                out[2 * i] = hex[md[i] >> 4];
                out[2 * i + 1] = hex[md[i] & 15];
        }
        out[2 * n] = '\0';
}

void digest_final_hex(Digest *d, char out[static DIGEST_HEX_MAX]) {
        unsigned char md[SHA512_DIGEST_LENGTH];
        size_t n;

        if (d->algorithm == DIGEST_SHA256) {
                (void) sym_SHA256_Final(md, &d->sha256);
                n = SHA256_DIGEST_LENGTH;
        } else {
                (void) sym_SHA512_Final(md, &d->sha512);
                n = SHA512_DIGEST_LENGTH;
        }
        sym_OPENSSL_cleanse(d, sizeof(*d));
        hex_of(md, n, out);
}

void digest_buffer_hex(DigestAlgorithm algorithm, const void *data, size_t size,
                       char out[static DIGEST_HEX_MAX]) {
        uint8_t md[SHA512_SIZE];

        if (algorithm == DIGEST_SHA256)
                sha256_buffer(data, size, md);
        else
                sha512_buffer(data, size, md);
        hex_of(md, algorithm == DIGEST_SHA256 ? SHA256_SIZE : SHA512_SIZE, out);
        explicit_bzero(md, sizeof(md));
}
