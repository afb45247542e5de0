/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* SHA-256 and SHA-512. Long data (images, layers, trees) goes through libcrypto's digest functions proper,
 * not through EVP: in OpenSSL 3 the first EVP digest of a process reads openssl.cnf and sets up the default
 * provider's algorithm tables, ~2 MB of memory and 1-10 ms. libcrypto itself is loaded on first use
 * (dl.h): loading it costs ~2.5 M instructions, more than all the rest of `rkt run` before the stage1,
 * which only hashes short strings, with digest_buffer_hex() (sha2.h, no libcrypto). */

#include <openssl/sha.h>
#include <stddef.h>

#include "error.h"

/* The longest digest in hex with its NUL: SHA-512's. */
#define DIGEST_HEX_MAX (2 * SHA512_DIGEST_LENGTH + 1)

typedef enum DigestAlgorithm {
        DIGEST_SHA256,
        DIGEST_SHA512,
} DigestAlgorithm;

typedef struct Digest {
        DigestAlgorithm algorithm;
        union {
                SHA256_CTX sha256;
                SHA512_CTX sha512;
        };
} Digest;

/* Loads libcrypto when first needed: a one-line error naming it when it cannot. */
int digest_init(Digest *d, DigestAlgorithm algorithm, RktError **reterr);
void digest_update(Digest *d, const void *data, size_t size);
/* Writes the digest as lower-case hex and a NUL to out (64 + 1 or 128 + 1 bytes) and wipes the state. */
void digest_final_hex(Digest *d, char out[static DIGEST_HEX_MAX]);

/* The digest of one buffer in memory (a name, a path, a manifest), likewise, without libcrypto. */
void digest_buffer_hex(DigestAlgorithm algorithm, const void *data, size_t size,
                       char out[static DIGEST_HEX_MAX]);
