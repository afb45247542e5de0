/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* SHA-256 and SHA-512 by libcrypto's digest functions proper, not through EVP: in OpenSSL 3 the first EVP
 * digest of a process reads openssl.cnf and sets up the default provider's algorithm tables, ~2 MB of
 * memory and 1-10 ms, which `rkt run` paid to hash two short strings (the stage1 file cache key and the tree
 * store ID). These functions run the same assembly on the data. */

#include <openssl/sha.h>
#include <stddef.h>

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

void digest_init(Digest *d, DigestAlgorithm algorithm);
void digest_update(Digest *d, const void *data, size_t size);
/* Writes the digest as lower-case hex and a NUL to out (64 + 1 or 128 + 1 bytes) and wipes the state. */
void digest_final_hex(Digest *d, char out[static DIGEST_HEX_MAX]);

/* The digest of one buffer, likewise. */
void digest_buffer_hex(DigestAlgorithm algorithm, const void *data, size_t size,
                       char out[static DIGEST_HEX_MAX]);
