/* SPDX-License-Identifier: Apache-2.0 */
/* OpenSSL 3 deprecates the SHA*_Init/Update/Final functions in favour of EVP (digest.h says why rkt uses
 * them); they stay in its ABI. */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <openssl/crypto.h>

#include "digest.h"

void digest_init(Digest *d, DigestAlgorithm algorithm) {
        d->algorithm = algorithm;
        /* These cannot fail: they only set the initial state. */
        if (algorithm == DIGEST_SHA256)
                (void) SHA256_Init(&d->sha256);
        else
                (void) SHA512_Init(&d->sha512);
}

void digest_update(Digest *d, const void *data, size_t size) {
        if (size == 0)
                return;
        if (d->algorithm == DIGEST_SHA256)
                (void) SHA256_Update(&d->sha256, data, size);
        else
                (void) SHA512_Update(&d->sha512, data, size);
}

void digest_final_hex(Digest *d, char out[static DIGEST_HEX_MAX]) {
        static const char hex[] = "0123456789abcdef";
        unsigned char md[SHA512_DIGEST_LENGTH];
        size_t n;

        if (d->algorithm == DIGEST_SHA256) {
                (void) SHA256_Final(md, &d->sha256);
                n = SHA256_DIGEST_LENGTH;
        } else {
                (void) SHA512_Final(md, &d->sha512);
                n = SHA512_DIGEST_LENGTH;
        }
        OPENSSL_cleanse(d, sizeof(*d));
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = hex[md[i] >> 4];
                out[2 * i + 1] = hex[md[i] & 15];
        }
        out[2 * n] = '\0';
}

void digest_buffer_hex(DigestAlgorithm algorithm, const void *data, size_t size,
                       char out[static DIGEST_HEX_MAX]) {
        Digest d;

        digest_init(&d, algorithm);
        digest_update(&d, data, size);
        digest_final_hex(&d, out);
}
