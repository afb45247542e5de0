/* SPDX-License-Identifier: Apache-2.0 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "digest.h"
#include "unit.h"

/* FIPS 180-2's examples. */
static void test_known_answers(void **state) {
        char hex[DIGEST_HEX_MAX];

        digest_buffer_hex(DIGEST_SHA256, "abc", 3, hex);
        assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        digest_buffer_hex(DIGEST_SHA256, "", 0, hex);
        assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        digest_buffer_hex(DIGEST_SHA512, "abc", 3, hex);
        assert_string_equal(hex, ("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                                  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"));
}

/* Fed in pieces of every size, a long input hashes as libcrypto's EVP hashes it whole. */
static void test_pieces_match_evp(void **state) {
        static const DigestAlgorithm algorithms[] = {DIGEST_SHA256, DIGEST_SHA512};
        unsigned char data[3001], md[EVP_MAX_MD_SIZE];
        char hex[DIGEST_HEX_MAX], want[DIGEST_HEX_MAX];
        unsigned n = 0;

        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (unsigned char) (i * 7 + 3);
        for (size_t a = 0; a < 2; a++) {
                Digest d;

                assert_int_equal(digest_init(&d, algorithms[a], NULL), 0);
                for (size_t off = 0, step = 0; off < sizeof(data); off += step, step++)
                        digest_update(&d, data + off, step < sizeof(data) - off ? step : sizeof(data) - off);
                digest_final_hex(&d, hex);
                assert_int_equal(EVP_Digest(data, sizeof(data), md, &n,
                                            algorithms[a] == DIGEST_SHA256 ? EVP_sha256() : EVP_sha512(),
                                            NULL),
                                 1);
                for (unsigned i = 0; i < n; i++)
                        sprintf(want + 2 * i, "%02x", md[i]);
                assert_int_equal(strlen(hex), 2 * n);
                assert_string_equal(hex, want);
        }
}

/* One buffer of every length up to a few blocks (sha2.c, not libcrypto: every place the padding can fall
 * in), as EVP hashes it. */
static void test_buffers_match_evp(void **state) {
        static const DigestAlgorithm algorithms[] = {DIGEST_SHA256, DIGEST_SHA512};
        unsigned char data[600], md[EVP_MAX_MD_SIZE];
        char hex[DIGEST_HEX_MAX], want[DIGEST_HEX_MAX];
        unsigned n = 0;

        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (unsigned char) (i * 13 + 5);
        for (size_t a = 0; a < 2; a++)
                for (size_t len = 0; len <= sizeof(data); len++) {
                        digest_buffer_hex(algorithms[a], data, len, hex);
                        assert_int_equal(
                                EVP_Digest(data, len, md, &n,
                                           algorithms[a] == DIGEST_SHA256 ? EVP_sha256() : EVP_sha512(),
                                           NULL),
                                1);
                        for (unsigned i = 0; i < n; i++)
                                sprintf(want + 2 * i, "%02x", md[i]);
                        assert_string_equal(hex, want);
                }
}

RUN_TESTS(cmocka_unit_test(test_known_answers), cmocka_unit_test(test_pieces_match_evp),
          cmocka_unit_test(test_buffers_match_evp))
