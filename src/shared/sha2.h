/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* SHA-256 and SHA-512 (FIPS 180-4) in plain C, for the short strings rkt names things by (the stage1 file
 * cache key, the tree store ID, a docker manifest's digest): loading libcrypto for them cost `rkt run` 2.5 M
 * of its 4.4 M instructions before it started the stage1. Long data (images, layers, trees) is hashed
 * by libcrypto's assembly, loaded when first needed (digest.h). */

#include <stddef.h>
#include <stdint.h>

#define SHA256_SIZE 32
#define SHA512_SIZE 64

void sha256_buffer(const void *data, size_t size, uint8_t out[static SHA256_SIZE]);
void sha512_buffer(const void *data, size_t size, uint8_t out[static SHA512_SIZE]);
