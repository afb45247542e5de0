/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "mds.h"
#include "unit.h"

#define UUID "8b3a5d5e-9c1b-4b36-8f4e-2c2b1f3e6a7d"
#define TOKEN "0123456789abcdef0123456789abcdef"
#define ID_MAIN                                                                                             \
        "sha512-"                                                                                           \
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"                                  \
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID_SIDE                                                                                             \
        "sha512-"                                                                                           \
        "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"                                  \
        "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define BASE "/" TOKEN "/acMetadata/v1"

/* Signatures of UUID ‖ content under the key 0, 1, …, 63, computed independently (Python's hmac). */
#define SIG_FARM "JKPpTRdOmhxmOkOUPViZQgkORoJzgTFYFla7k3OZzTsTnd8g/MtavXZTQr+toTyPTQV+0b0yXPgB168QcLGV5Q=="
#define SIG_NUL "DfLvv6ylk1y6DTZoXC6YAohjUP9W2bagP+JZYyBai1/apWfIxcsqo0WCw3bxcoIqqu/zn1aw9vrcA1REnOl6mA=="

static const char pod_manifest[] =
        "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":["
        "{\"name\":\"main\",\"image\":{\"name\":\"example.com/main\",\"id\":\"" ID_MAIN "\"},"
        "\"annotations\":[{\"name\":\"lorem\",\"value\":\"dolor\"},{\"name\":\"extra\",\"value\":\"x\"}]},"
        "{\"name\":\"side\",\"image\":{\"id\":\"" ID_SIDE "\"}}],"
        "\"annotations\":[{\"name\":\"example.com/owner\",\"value\":\"team \\\"a\\\"\"},"
        "{\"name\":\"zeta\",\"value\":\"1\"},{\"name\":\"alpha\",\"value\":\"2\"}],"
        "\"someUnknownKey\":true}";

/* No "annotations" at all: served as [] both in the manifest and on its own (the ACE validator's trap). */
static const char pod_manifest_bare[] = "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":["
                                        "{\"name\":\"main\",\"image\":{\"id\":\"" ID_MAIN "\"}}]}";

static const char image_main[] =
        "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/main\","
        "\"annotations\":[{\"name\":\"created\",\"value\":\"2015-01-01T00:00:00Z\"},"
        "{\"name\":\"lorem\",\"value\":\"ipsum\"},{\"name\":\"homepage\",\"value\":\"https://example.com/"
        "x\"}]}";
static const char image_side[] =
        "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/side\"}";

static const uint8_t *test_key(void) {
        static uint8_t key[MDS_HMAC_KEY_SIZE];
        for (size_t i = 0; i < sizeof(key); i++)
                key[i] = (uint8_t) i;
        return key;
}

static MdsRegistry *registry_new(void) {
        MdsRegistry *r = NULL;
        assert_int_equal(mds_registry_new(test_key(), MDS_HMAC_KEY_SIZE, &r), 0);
        return r;
}

static MdsRegistry *registry_with_pod(void) {
        MdsRegistry *r = registry_new();
        assert_int_equal(mds_registry_add_pod(r, UUID, TOKEN, "172.16.28.2", pod_manifest,
                                              strlen(pod_manifest), NULL),
                         0);
        assert_int_equal(mds_registry_add_app(r, UUID, "main", image_main, strlen(image_main), NULL), 0);
        assert_int_equal(mds_registry_add_app(r, UUID, "side", image_side, strlen(image_side), NULL), 0);
        return r;
}

/* One request; want_body NULL: not compared. */
static void check_public(MdsRegistry *r, const char *method, const char *path, const MdsForm *form,
                         unsigned want_status, const char *want_type, const char *want_body) {
        MdsResponse resp;

        assert_int_equal(mds_handle_public(r, method, path, form, &resp), 0);
        if (resp.status != want_status)
                fail_msg("%s %s: status %u, want %u (%.*s)", method, path, resp.status, want_status,
                         (int) resp.body_size, resp.body ? resp.body : "");
        if (want_type)
                assert_string_equal(strna(resp.content_type), want_type);
        if (want_body) {
                assert_int_equal(resp.body_size, strlen(want_body));
                assert_memory_equal(resp.body ? resp.body : "", want_body, strlen(want_body));
        }
        mds_response_done(&resp);
}

static void check_registration(MdsRegistry *r, const char *method, const char *path, const char *token,
                               const char *body, unsigned want_status, const char *want_in_body) {
        MdsForm q = {};
        MdsResponse resp;

        if (token)
                assert_int_equal(mds_form_add(&q, "token", token, strlen(token), 0), 0);
        assert_int_equal(mds_handle_registration(r, method, path, &q, body, body ? strlen(body) : 0, &resp),
                         0);
        if (resp.status != want_status)
                fail_msg("%s %s: status %u, want %u (%.*s)", method, path, resp.status, want_status,
                         (int) resp.body_size, resp.body ? resp.body : "");
        if (want_in_body) {
                assert_non_null(resp.body);
                if (!strstr(resp.body, want_in_body))
                        fail_msg("'%s' not in '%s'", want_in_body, resp.body);
        }
        mds_response_done(&resp);
        mds_form_done(&q);
}

static void test_uuid(void **state) {
        uint8_t u[MDS_UUID_SIZE], v[MDS_UUID_SIZE];
        char buf[37];

        assert_int_equal(mds_uuid_parse(UUID, u), 0);
        assert_string_equal(mds_uuid_format(u, buf), UUID);
        assert_int_equal(u[0], 0x8b);
        assert_int_equal(u[15], 0x7d);
        /* As appc's NewUUID: dashes anywhere, either case. */
        assert_int_equal(mds_uuid_parse("8B3A5D5E9C1B4B368F4E2C2B1F3E6A7D", v), 0);
        assert_memory_equal(u, v, sizeof(u));
        assert_int_equal(mds_uuid_parse("8b3a-5d5e-9c1b-4b36-8f4e-2c2b-1f3e-6a7d", v), 0);
        assert_memory_equal(u, v, sizeof(u));

        assert_int_equal(mds_uuid_parse(NULL, v), -EINVAL);
        assert_int_equal(mds_uuid_parse("", v), -EINVAL);
        assert_int_equal(mds_uuid_parse("8b3a5d5e-9c1b-4b36-8f4e-2c2b1f3e6a7", v), -EINVAL);
        assert_int_equal(mds_uuid_parse("8b3a5d5e-9c1b-4b36-8f4e-2c2b1f3e6a7d0", v), -EINVAL);
        assert_int_equal(mds_uuid_parse("8b3a5d5e-9c1b-4b36-8f4e-2c2b1f3e6a7d00", v), -EINVAL);
        assert_int_equal(mds_uuid_parse("8b3a5d5e-9c1b-4b36-8f4e-2c2b1f3e6a7g", v), -EINVAL);
        assert_int_equal(mds_uuid_parse("8b3a5d5e 9c1b-4b36-8f4e-2c2b1f3e6a7d", v), -EINVAL);
}

static void test_token(void **state) {
        char long_token[MDS_TOKEN_MAX + 2];

        assert_true(mds_token_valid(TOKEN));
        assert_true(mds_token_valid("a"));
        assert_true(mds_token_valid("A-z_0.9~"));
        assert_false(mds_token_valid(NULL));
        assert_false(mds_token_valid(""));
        assert_false(mds_token_valid("a/b"));
        assert_false(mds_token_valid("a b"));
        assert_false(mds_token_valid("a%20"));
        assert_false(mds_token_valid("a?b"));
        memset(long_token, 'a', sizeof(long_token));
        long_token[MDS_TOKEN_MAX] = 0;
        assert_true(mds_token_valid(long_token));
        long_token[MDS_TOKEN_MAX] = 'a';
        long_token[MDS_TOKEN_MAX + 1] = 0;
        assert_false(mds_token_valid(long_token));
}

static void check_b64(const char *plain, const char *encoded) {
        _cleanup_free_ char *e = mds_base64_encode(plain, strlen(plain));
        _cleanup_free_ uint8_t *d = NULL;
        size_t n = 99;

        assert_string_equal(e, encoded);
        assert_int_equal(mds_base64_decode(encoded, &d, &n), 0);
        assert_int_equal(n, strlen(plain));
        assert_memory_equal(d, plain, n);
}

static void check_b64_invalid(const char *s) {
        uint8_t *d = NULL;
        size_t n = 0;
        if (mds_base64_decode(s, &d, &n) != -EINVAL)
                fail_msg("'%s' decoded", s);
        assert_null(d);
}

static void test_base64(void **state) {
        _cleanup_free_ uint8_t *d = NULL;
        size_t n = 0;

        /* RFC 4648 §10 */
        check_b64("", "");
        check_b64("f", "Zg==");
        check_b64("fo", "Zm8=");
        check_b64("foo", "Zm9v");
        check_b64("foob", "Zm9vYg==");
        check_b64("fooba", "Zm9vYmE=");
        check_b64("foobar", "Zm9vYmFy");
        check_b64("\xff\xfe\xfd", "//79");
        check_b64("\xfb\xff", "+/8=");

        /* Go's decoder skips line breaks. */
        assert_int_equal(mds_base64_decode("Zm9v\r\nYmFy\n", &d, &n), 0);
        assert_int_equal(n, 6);
        assert_memory_equal(d, "foobar", 6);

        check_b64_invalid("Zg");
        check_b64_invalid("Zg=");
        check_b64_invalid("Z===");
        check_b64_invalid("====");
        check_b64_invalid("Zg==Zg==");
        check_b64_invalid("Zm=v");
        check_b64_invalid("Zm9v!A==");
        check_b64_invalid("Zm9-");
        check_b64_invalid("Zm9_");
        check_b64_invalid("Zm 9v");
        check_b64_invalid(NULL);
}

static void test_hmac_known_answer(void **state) {
        _cleanup_free_ char *s1 = NULL, *s2 = NULL;
        uint8_t u[MDS_UUID_SIZE];

        assert_int_equal(mds_uuid_parse(UUID, u), 0);
        assert_int_equal(
                mds_hmac_sign(test_key(), MDS_HMAC_KEY_SIZE, u, "Old MacDonald Had A Farm", 24, &s1), 0);
        assert_string_equal(s1, SIG_FARM);
        /* Content is bytes, not a C string. */
        assert_int_equal(mds_hmac_sign(test_key(), MDS_HMAC_KEY_SIZE, u, "a\0b", 3, &s2), 0);
        assert_string_equal(s2, SIG_NUL);
}

static void test_hmac_verify(void **state) {
        const uint8_t *key = test_key();
        uint8_t u[MDS_UUID_SIZE], other[MDS_UUID_SIZE], key2[MDS_HMAC_KEY_SIZE];
        char tampered[] = SIG_FARM;

        assert_int_equal(mds_uuid_parse(UUID, u), 0);
        memcpy(other, u, sizeof(u));
        other[15] ^= 1;
        memcpy(key2, key, sizeof(key2));
        key2[0] ^= 1;

        assert_int_equal(
                mds_hmac_verify(key, MDS_HMAC_KEY_SIZE, u, "Old MacDonald Had A Farm", 24, SIG_FARM), 1);
        assert_int_equal(
                mds_hmac_verify(key, MDS_HMAC_KEY_SIZE, u, "Old MacDonald Had A Farm!", 25, SIG_FARM), 0);
        assert_int_equal(mds_hmac_verify(key, MDS_HMAC_KEY_SIZE, u, "Old MacDonald Had A Far", 23, SIG_FARM),
                         0);
        assert_int_equal(
                mds_hmac_verify(key, MDS_HMAC_KEY_SIZE, other, "Old MacDonald Had A Farm", 24, SIG_FARM), 0);
        assert_int_equal(
                mds_hmac_verify(key2, MDS_HMAC_KEY_SIZE, u, "Old MacDonald Had A Farm", 24, SIG_FARM), 0);
        tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
        assert_int_equal(
                mds_hmac_verify(key, MDS_HMAC_KEY_SIZE, u, "Old MacDonald Had A Farm", 24, tampered), 0);
        /* Valid base64 of the wrong length, and empty. */
        assert_int_equal(mds_hmac_verify(key, MDS_HMAC_KEY_SIZE, u, "Old MacDonald Had A Farm", 24, "Zm9v"),
                         0);
        assert_int_equal(mds_hmac_verify(key, MDS_HMAC_KEY_SIZE, u, "Old MacDonald Had A Farm", 24, ""), 0);
        assert_int_equal(
                mds_hmac_verify(key, MDS_HMAC_KEY_SIZE, u, "Old MacDonald Had A Farm", 24, "not base64!"),
                -EINVAL);
}

static void test_render_annotations(void **state) {
        const AppcKV kv[] = {{"b", "1"}, {"a", "x/\"y\"\n"}, {"example.com/c", ""}};
        _cleanup_free_ char *empty = NULL, *s = NULL;

        assert_int_equal(mds_render_annotations(NULL, 0, &empty), 0);
        assert_string_equal(empty, "[]");
        assert_int_equal(mds_render_annotations(kv, ELEMENTSOF(kv), &s), 0);
        /* Order as given, nothing sorted; '/' left alone. */
        assert_string_equal(
                s, "[{\"name\":\"b\",\"value\":\"1\"},{\"name\":\"a\",\"value\":\"x/\\\"y\\\"\\n\"},"
                   "{\"name\":\"example.com/c\",\"value\":\"\"}]");
}

static void free_kv(AppcKV *kv, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(kv[i].name);
                free(kv[i].value);
        }
        free(kv);
}

static void test_merge_app_annotations(void **state) {
        AppcKV image_kv[] = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
        AppcKV app_kv[] = {{"d", "4"}, {"b", "X"}};
        AppcImageManifest im = {.annotations = image_kv, .n_annotations = ELEMENTSOF(image_kv)};
        AppcRuntimeApp ra = {.annotations = app_kv, .n_annotations = ELEMENTSOF(app_kv)};
        AppcKV *kv = NULL;
        size_t n = 0;

        /* The pod app's value replaces the image's in place; new names are appended in their order. */
        assert_int_equal(mds_merge_app_annotations(&im, &ra, &kv, &n), 0);
        assert_int_equal(n, 4);
        assert_string_equal(kv[0].name, "a");
        assert_string_equal(kv[1].name, "b");
        assert_string_equal(kv[1].value, "X");
        assert_string_equal(kv[2].name, "c");
        assert_string_equal(kv[3].name, "d");
        free_kv(kv, n);

        assert_int_equal(mds_merge_app_annotations(&im, NULL, &kv, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(kv[1].value, "2");
        free_kv(kv, n);

        im.n_annotations = 0;
        assert_int_equal(mds_merge_app_annotations(&im, &ra, &kv, &n), 0);
        assert_int_equal(n, 2);
        assert_string_equal(kv[0].name, "d");
        assert_string_equal(kv[1].name, "b");
        free_kv(kv, n);
}

static void test_form(void **state) {
        MdsForm f = {};
        size_t n = 0;

        assert_int_equal(mds_form_add(&f, "content", "Old ", 4, 0), 0);
        assert_int_equal(mds_form_add(&f, "uuid", "u", 1, 0), 0);
        assert_int_equal(mds_form_add(&f, "content", "MacDonald", 9, 4), 0);
        assert_int_equal(mds_form_add(&f, "content", "second", 6, 0), 0);
        assert_int_equal(mds_form_add(&f, "nul", "a\0b", 3, 0), 0);
        assert_int_equal(mds_form_add(&f, "missing", "x", 1, 3), -EINVAL);

        assert_string_equal(mds_form_get(&f, "content", &n), "Old MacDonald");
        assert_int_equal(n, 13);
        assert_string_equal(mds_form_get(&f, "uuid", NULL), "u");
        assert_non_null(mds_form_get(&f, "nul", &n));
        assert_int_equal(n, 3);
        assert_null(mds_form_get(&f, "missing", NULL));
        assert_null(mds_form_get(NULL, "content", NULL));
        mds_form_done(&f);
        assert_int_equal(f.n_fields, 0);
}

static void test_registry(void **state) {
        _cleanup_(mds_registry_freep) MdsRegistry *r = registry_new();
        _cleanup_error_ RktError *err = NULL;
        MdsRegistry *bad = NULL;
        const char *other = "11111111-2222-3333-4444-555555555555";

        assert_int_equal(mds_registry_new(test_key(), 32, &bad), -EINVAL);
        assert_int_equal(mds_registry_n_pods(r), 0);
        assert_null(mds_registry_lookup_token(r, TOKEN));

        /* Any UUID spelling; stored canonical. */
        assert_int_equal(mds_registry_add_pod(r, "8B3A5D5E9C1B4B368F4E2C2B1F3E6A7D", TOKEN, NULL,
                                              pod_manifest, strlen(pod_manifest), NULL),
                         0);
        assert_int_equal(mds_registry_n_pods(r), 1);
        assert_string_equal(mds_registry_lookup_token(r, TOKEN), UUID);
        assert_null(mds_registry_lookup_token(r, TOKEN "0"));
        assert_null(mds_registry_lookup_token(r, "0123456789abcdef"));
        assert_null(mds_registry_lookup_token(r, NULL));

        assert_int_equal(mds_registry_add_app(r, UUID, "main", image_main, strlen(image_main), NULL), 0);
        assert_int_equal(mds_registry_add_app(r, UUID, "main", image_main, strlen(image_main), NULL), 0);

        /* Another pod cannot take the token. */
        assert_int_equal(
                mds_registry_add_pod(r, other, TOKEN, NULL, pod_manifest, strlen(pod_manifest), &err),
                -EEXIST);
        assert_non_null(strstr(err->message, "another pod"));
        err = rkt_error_free(err);
        assert_int_equal(
                mds_registry_add_pod(r, other, "tok2", "fd00::1", pod_manifest, strlen(pod_manifest), NULL),
                0);
        assert_int_equal(mds_registry_n_pods(r), 2);

        /* Re-registering replaces the pod, token and apps. */
        assert_int_equal(mds_registry_add_pod(r, UUID, "tok3", NULL, pod_manifest_bare,
                                              strlen(pod_manifest_bare), NULL),
                         0);
        assert_int_equal(mds_registry_n_pods(r), 2);
        assert_null(mds_registry_lookup_token(r, TOKEN));
        assert_string_equal(mds_registry_lookup_token(r, "tok3"), UUID);
        check_public(r, "GET", "/tok3/acMetadata/v1/apps/main/image/id", NULL, 404, NULL, NULL);

        /* Refusals. */
        assert_int_equal(
                mds_registry_add_pod(r, "nope", "t", NULL, pod_manifest, strlen(pod_manifest), &err),
                -EINVAL);
        assert_non_null(strstr(err->message, "'nope' is not a UUID"));
        err = rkt_error_free(err);
        assert_int_equal(
                mds_registry_add_pod(r, UUID, "a/b", NULL, pod_manifest, strlen(pod_manifest), &err),
                -EINVAL);
        err = rkt_error_free(err);
        assert_int_equal(mds_registry_add_pod(r, UUID, NULL, NULL, pod_manifest, strlen(pod_manifest), NULL),
                         -EINVAL);
        assert_int_equal(
                mds_registry_add_pod(r, UUID, "t", "1.2.3", pod_manifest, strlen(pod_manifest), &err),
                -EINVAL);
        assert_non_null(strstr(err->message, "not an IP address"));
        err = rkt_error_free(err);
        assert_int_equal(mds_registry_add_pod(r, UUID, "t", NULL, "{\"acKind\":\"PodManifest\"}", 24, &err),
                         -EINVAL);
        assert_non_null(strstr(err->message, "pod manifest"));
        err = rkt_error_free(err);
        assert_int_equal(mds_registry_add_pod(r, UUID, "t", NULL, "not json", 8, NULL), -EINVAL);
        /* A refused re-registration leaves the old one alone. */
        assert_string_equal(mds_registry_lookup_token(r, "tok3"), UUID);

        assert_int_equal(mds_registry_add_app(r, "11111111-0000-0000-0000-000000000000", "main", image_main,
                                              strlen(image_main), &err),
                         -ENOENT);
        err = rkt_error_free(err);
        assert_int_equal(mds_registry_add_app(r, UUID, "side", image_side, strlen(image_side), &err),
                         -EINVAL);
        assert_non_null(strstr(err->message, "has no app 'side'"));
        err = rkt_error_free(err);
        assert_int_equal(mds_registry_add_app(r, UUID, "Main", image_main, strlen(image_main), NULL),
                         -EINVAL);
        assert_int_equal(mds_registry_add_app(r, UUID, "main", "{}", 2, &err), -EINVAL);
        assert_non_null(strstr(err->message, "image manifest of app 'main'"));
        err = rkt_error_free(err);
        assert_int_equal(mds_registry_add_app(r, "x", "main", image_main, strlen(image_main), NULL),
                         -EINVAL);

        assert_int_equal(mds_registry_remove_pod(r, "x"), -EINVAL);
        assert_int_equal(mds_registry_remove_pod(r, UUID), 0);
        assert_int_equal(mds_registry_remove_pod(r, UUID), -ENOENT);
        assert_null(mds_registry_lookup_token(r, "tok3"));
        assert_string_equal(mds_registry_lookup_token(r, "tok2"), other);
        assert_int_equal(mds_registry_n_pods(r), 1);
}

static void test_public_pod(void **state) {
        _cleanup_(mds_registry_freep) MdsRegistry *r = registry_with_pod();

        check_public(r, "GET", BASE "/pod/uuid", NULL, 200, MDS_CONTENT_TYPE_TEXT, UUID);
        check_public(r, "GET", BASE "/pod/annotations", NULL, 200, MDS_CONTENT_TYPE_JSON,
                     "[{\"name\":\"example.com/owner\",\"value\":\"team \\\"a\\\"\"},"
                     "{\"name\":\"zeta\",\"value\":\"1\"},{\"name\":\"alpha\",\"value\":\"2\"}]");
        check_public(r, "GET", BASE "/pod/annotations/zeta", NULL, 200, MDS_CONTENT_TYPE_TEXT, "1");
        /* Annotation names are AC Identifiers: they may hold '/'. */
        check_public(r, "GET", BASE "/pod/annotations/example.com/owner", NULL, 200, MDS_CONTENT_TYPE_TEXT,
                     "team \"a\"");
        check_public(r, "GET", BASE "/pod/annotations/nope", NULL, 404, MDS_CONTENT_TYPE_ERROR, NULL);
        check_public(r, "GET", BASE "/pod/annotations/Not_Valid", NULL, 400, MDS_CONTENT_TYPE_ERROR, NULL);
        check_public(r, "GET", BASE "/pod/annotations/", NULL, 400, NULL, NULL);
        /* Re-encoded: the unknown key is gone, empty lists are there. */
        check_public(r, "GET", BASE "/pod/manifest", NULL, 200, MDS_CONTENT_TYPE_JSON,
                     "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":["
                     "{\"name\":\"main\",\"image\":{\"name\":\"example.com/main\",\"id\":\"" ID_MAIN "\"},"
                     "\"annotations\":[{\"name\":\"lorem\",\"value\":\"dolor\"},{\"name\":\"extra\","
                     "\"value\":\"x\"}]},"
                     "{\"name\":\"side\",\"image\":{\"id\":\"" ID_SIDE "\"}}],"
                     "\"volumes\":[],\"isolators\":[],"
                     "\"annotations\":[{\"name\":\"example.com/owner\",\"value\":\"team \\\"a\\\"\"},"
                     "{\"name\":\"zeta\",\"value\":\"1\"},{\"name\":\"alpha\",\"value\":\"2\"}],"
                     "\"ports\":[]}");
}

static void test_public_pod_without_annotations(void **state) {
        _cleanup_(mds_registry_freep) MdsRegistry *r = registry_new();

        assert_int_equal(mds_registry_add_pod(r, UUID, TOKEN, NULL, pod_manifest_bare,
                                              strlen(pod_manifest_bare), NULL),
                         0);
        check_public(r, "GET", BASE "/pod/annotations", NULL, 200, MDS_CONTENT_TYPE_JSON, "[]");
        check_public(r, "GET", BASE "/pod/manifest", NULL, 200, MDS_CONTENT_TYPE_JSON,
                     "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":["
                     "{\"name\":\"main\",\"image\":{\"id\":\"" ID_MAIN "\"}}],"
                     "\"volumes\":[],\"isolators\":[],\"annotations\":[],\"ports\":[]}");
        /* Registered pod, app not (yet) registered. */
        check_public(r, "GET", BASE "/apps/main/image/id", NULL, 404, NULL, NULL);
}

static void test_public_apps(void **state) {
        _cleanup_(mds_registry_freep) MdsRegistry *r = registry_with_pod();

        check_public(r, "GET", BASE "/apps/main/image/id", NULL, 200, MDS_CONTENT_TYPE_TEXT, ID_MAIN);
        check_public(r, "GET", BASE "/apps/side/image/id", NULL, 200, MDS_CONTENT_TYPE_TEXT, ID_SIDE);
        check_public(r, "GET", BASE "/apps/main/image/manifest", NULL, 200, MDS_CONTENT_TYPE_JSON,
                     image_main);
        check_public(r, "GET", BASE "/apps/side/image/manifest", NULL, 200, MDS_CONTENT_TYPE_JSON,
                     image_side);
        /* The image's order, lorem overridden in place by the pod, extra appended. */
        check_public(r, "GET", BASE "/apps/main/annotations", NULL, 200, MDS_CONTENT_TYPE_JSON,
                     "[{\"name\":\"created\",\"value\":\"2015-01-01T00:00:00Z\"},"
                     "{\"name\":\"lorem\",\"value\":\"dolor\"},"
                     "{\"name\":\"homepage\",\"value\":\"https://example.com/x\"},"
                     "{\"name\":\"extra\",\"value\":\"x\"}]");
        check_public(r, "GET", BASE "/apps/side/annotations", NULL, 200, MDS_CONTENT_TYPE_JSON, "[]");
        check_public(r, "GET", BASE "/apps/main/annotations/lorem", NULL, 200, MDS_CONTENT_TYPE_TEXT,
                     "dolor");
        check_public(r, "GET", BASE "/apps/main/annotations/created", NULL, 200, MDS_CONTENT_TYPE_TEXT,
                     "2015-01-01T00:00:00Z");
        check_public(r, "GET", BASE "/apps/main/annotations/nope", NULL, 404, NULL, NULL);
        check_public(r, "GET", BASE "/apps/main/annotations/UPPER", NULL, 400, NULL, NULL);
        check_public(r, "GET", BASE "/apps/nope/image/id", NULL, 404, MDS_CONTENT_TYPE_ERROR, NULL);
        check_public(r, "GET", BASE "/apps/nope/annotations", NULL, 404, NULL, NULL);
        check_public(r, "GET", BASE "/apps/main/image", NULL, 404, NULL, NULL);
        check_public(r, "GET", BASE "/apps/main/image/idx", NULL, 404, NULL, NULL);
        check_public(r, "GET", BASE "/apps//image/id", NULL, 404, NULL, NULL);
}

static void test_public_errors(void **state) {
        _cleanup_(mds_registry_freep) MdsRegistry *r = registry_with_pod();
        static const char *const token_paths[] = {
                "/pod/annotations",    "/pod/annotations/zeta",     "/pod/manifest",
                "/pod/uuid",           "/apps/main/annotations",    "/apps/main/annotations/lorem",
                "/apps/main/image/id", "/apps/main/image/manifest",
        };
        MdsResponse resp;

        for (size_t i = 0; i < ELEMENTSOF(token_paths); i++) {
                _cleanup_free_ char *p = NULL;
                assert_true(asprintf(&p, "/wrong/acMetadata/v1%s", token_paths[i]) > 0);
                /* rkt 1.30 answers 401 for a token it does not know. */
                check_public(r, "GET", p, NULL, 401, MDS_CONTENT_TYPE_ERROR, NULL);
                free(p);
                p = NULL;
                assert_true(asprintf(&p, "/%s/acMetadata/v1%s", UUID, token_paths[i]) > 0);
                check_public(r, "GET", p, NULL, 401, NULL, NULL);
        }
        check_public(r, "POST", "/wrong/acMetadata/v1/pod/hmac/sign", NULL, 401, NULL, NULL);

        check_public(r, "GET", "/", NULL, 404, NULL, NULL);
        check_public(r, "GET", "/" TOKEN, NULL, 404, NULL, NULL);
        check_public(r, "GET", "/" TOKEN "/acMetadata/v1", NULL, 404, NULL, NULL);
        check_public(r, "GET", "/" TOKEN "/acMetadata/v2/pod/uuid", NULL, 404, NULL, NULL);
        check_public(r, "GET", "//acMetadata/v1/pod/uuid", NULL, 404, NULL, NULL);
        check_public(r, "GET", "/acMetadata/v1/pod/uuid", NULL, 404, NULL, NULL);
        check_public(r, "GET", BASE "/pod/uuid/", NULL, 404, NULL, NULL);
        check_public(r, "GET", BASE "/pod", NULL, 404, NULL, NULL);

        assert_int_equal(mds_handle_public(r, "POST", BASE "/pod/uuid", NULL, &resp), 0);
        assert_int_equal(resp.status, 405);
        assert_string_equal(resp.allow, "GET");
        mds_response_done(&resp);
        assert_int_equal(mds_handle_public(r, "GET", BASE "/pod/hmac/sign", NULL, &resp), 0);
        assert_int_equal(resp.status, 405);
        assert_string_equal(resp.allow, "POST");
        mds_response_done(&resp);
        check_public(r, "DELETE", BASE "/apps/main/image/id", NULL, 405, NULL, NULL);
        check_public(r, "PUT", BASE "/pod/hmac/verify", NULL, 405, NULL, NULL);
}

static void form_set(MdsForm *f, const char *key, const char *value) {
        assert_int_equal(mds_form_add(f, key, value, strlen(value), 0), 0);
}

static void test_public_hmac(void **state) {
        _cleanup_(mds_registry_freep) MdsRegistry *r = registry_with_pod();
        MdsForm sign = {}, good = {}, bad = {}, f = {};

        form_set(&sign, "content", "Old MacDonald Had A Farm");
        check_public(r, "POST", BASE "/pod/hmac/sign", &sign, 200, MDS_CONTENT_TYPE_TEXT, SIG_FARM);
        check_public(r, "POST", BASE "/pod/hmac/sign", NULL, 400, NULL, NULL);
        form_set(&f, "content", "");
        check_public(r, "POST", BASE "/pod/hmac/sign", &f, 400, NULL, NULL);
        mds_form_done(&f);

        form_set(&good, "content", "Old MacDonald Had A Farm");
        form_set(&good, "uuid", UUID);
        form_set(&good, "signature", SIG_FARM);
        check_public(r, "POST", BASE "/pod/hmac/verify", &good, 200, MDS_CONTENT_TYPE_TEXT, "");
        /* Verifying needs no registered token (rkt's behaviour): another party checks a pod's claim. */
        check_public(r, "POST", "/other/acMetadata/v1/pod/hmac/verify", &good, 200, MDS_CONTENT_TYPE_TEXT,
                     "");

        form_set(&bad, "content", "Old MacDonald Had A Farm.");
        form_set(&bad, "uuid", UUID);
        form_set(&bad, "signature", SIG_FARM);
        check_public(r, "POST", BASE "/pod/hmac/verify", &bad, 403, MDS_CONTENT_TYPE_TEXT, "");
        mds_form_done(&bad);

        form_set(&bad, "content", "Old MacDonald Had A Farm");
        form_set(&bad, "uuid", "11111111-2222-3333-4444-555555555555");
        form_set(&bad, "signature", SIG_FARM);
        check_public(r, "POST", BASE "/pod/hmac/verify", &bad, 403, NULL, NULL);
        mds_form_done(&bad);

        form_set(&bad, "content", "Old MacDonald Had A Farm");
        form_set(&bad, "uuid", UUID);
        form_set(&bad, "signature", "%%%");
        check_public(r, "POST", BASE "/pod/hmac/verify", &bad, 400, MDS_CONTENT_TYPE_TEXT, NULL);
        mds_form_done(&bad);

        form_set(&bad, "content", "Old MacDonald Had A Farm");
        form_set(&bad, "uuid", "not-a-uuid");
        form_set(&bad, "signature", SIG_FARM);
        check_public(r, "POST", BASE "/pod/hmac/verify", &bad, 400, MDS_CONTENT_TYPE_TEXT, NULL);
        mds_form_done(&bad);

        form_set(&bad, "uuid", UUID);
        form_set(&bad, "signature", SIG_FARM);
        check_public(r, "POST", BASE "/pod/hmac/verify", &bad, 400, MDS_CONTENT_TYPE_TEXT, NULL);
        mds_form_done(&bad);

        /* Without a signature: decodes to nothing, which is no valid signature. */
        form_set(&bad, "content", "Old MacDonald Had A Farm");
        form_set(&bad, "uuid", UUID);
        check_public(r, "POST", BASE "/pod/hmac/verify", &bad, 403, NULL, NULL);
        mds_form_done(&bad);

        mds_form_done(&sign);
        mds_form_done(&good);
}

static void test_hmac_key_per_registry(void **state) {
        _cleanup_(mds_registry_freep) MdsRegistry *r = registry_with_pod(), *r2 = NULL;
        uint8_t key[MDS_HMAC_KEY_SIZE];
        MdsForm good = {};

        memset(key, 7, sizeof(key));
        assert_int_equal(mds_registry_new(key, sizeof(key), &r2), 0);
        form_set(&good, "content", "Old MacDonald Had A Farm");
        form_set(&good, "uuid", UUID);
        form_set(&good, "signature", SIG_FARM);
        check_public(r, "POST", BASE "/pod/hmac/verify", &good, 200, NULL, NULL);
        /* Another start, another key: old signatures no longer verify. */
        check_public(r2, "POST", BASE "/pod/hmac/verify", &good, 403, NULL, NULL);
        mds_form_done(&good);
}

static void test_registration(void **state) {
        _cleanup_(mds_registry_freep) MdsRegistry *r = registry_new();
        MdsForm q = {};
        MdsResponse resp;

        check_registration(r, "PUT", "/pods/" UUID, TOKEN, pod_manifest, 200, NULL);
        check_public(r, "GET", BASE "/pod/uuid", NULL, 200, NULL, UUID);
        check_registration(r, "PUT", "/pods/" UUID "/main", NULL, image_main, 200, NULL);
        check_public(r, "GET", BASE "/apps/main/image/id", NULL, 200, NULL, ID_MAIN);

        check_registration(r, "PUT", "/pods/" UUID, NULL, pod_manifest, 400, "token");
        check_registration(r, "PUT", "/pods/" UUID, "", pod_manifest, 400, "token");
        check_registration(r, "PUT", "/pods/xyz", TOKEN, pod_manifest, 400, "'xyz' is not a UUID");
        check_registration(r, "PUT", "/pods/" UUID, TOKEN, "{\"acKind\":", 400, "pod manifest");
        check_registration(r, "PUT", "/pods/11111111-2222-3333-4444-555555555555", TOKEN, pod_manifest, 409,
                           "another pod");
        check_registration(r, "PUT", "/pods/11111111-2222-3333-4444-555555555555/main", NULL, image_main,
                           404, "not registered");
        check_registration(r, "PUT", "/pods/" UUID "/nope", NULL, image_main, 400, "has no app 'nope'");
        check_registration(r, "PUT", "/pods/" UUID "/main", NULL, "[]", 400, "image manifest");
        check_registration(r, "PUT", "/pods/" UUID "/", NULL, image_main, 400, "AC Name");
        check_registration(r, "PUT", "/pods/" UUID "/a/b", NULL, image_main, 400, "AC Name");

        /* ip goes with the token in the query. */
        assert_int_equal(mds_form_add(&q, "token", "t2", 2, 0), 0);
        assert_int_equal(mds_form_add(&q, "ip", "not-an-ip", 9, 0), 0);
        assert_int_equal(mds_handle_registration(r, "PUT", "/pods/11111111-2222-3333-4444-555555555555", &q,
                                                 pod_manifest, strlen(pod_manifest), &resp),
                         0);
        assert_int_equal(resp.status, 400);
        mds_response_done(&resp);
        mds_form_done(&q);

        assert_int_equal(mds_handle_registration(r, "GET", "/pods/" UUID, NULL, NULL, 0, &resp), 0);
        assert_int_equal(resp.status, 405);
        assert_string_equal(resp.allow, "PUT, DELETE");
        mds_response_done(&resp);
        assert_int_equal(mds_handle_registration(r, "DELETE", "/pods/" UUID "/main", NULL, NULL, 0, &resp),
                         0);
        assert_int_equal(resp.status, 405);
        assert_string_equal(resp.allow, "PUT");
        mds_response_done(&resp);
        check_registration(r, "PUT", "/", TOKEN, pod_manifest, 404, NULL);
        check_registration(r, "PUT", "/pods/", TOKEN, pod_manifest, 404, NULL);
        check_registration(r, "PUT", "/pod/" UUID, TOKEN, pod_manifest, 404, NULL);

        check_registration(r, "DELETE", "/pods/xyz", NULL, NULL, 400, NULL);
        check_registration(r, "DELETE", "/pods/" UUID, NULL, NULL, 200, NULL);
        check_public(r, "GET", BASE "/pod/uuid", NULL, 401, NULL, NULL);
        check_registration(r, "DELETE", "/pods/" UUID, NULL, NULL, 404, "not registered");
        assert_int_equal(mds_registry_n_pods(r), 0);
}

RUN_TESTS(cmocka_unit_test(test_uuid), cmocka_unit_test(test_token), cmocka_unit_test(test_base64),
          cmocka_unit_test(test_hmac_known_answer), cmocka_unit_test(test_hmac_verify),
          cmocka_unit_test(test_render_annotations), cmocka_unit_test(test_merge_app_annotations),
          cmocka_unit_test(test_form), cmocka_unit_test(test_registry), cmocka_unit_test(test_public_pod),
          cmocka_unit_test(test_public_pod_without_annotations), cmocka_unit_test(test_public_apps),
          cmocka_unit_test(test_public_errors), cmocka_unit_test(test_public_hmac),
          cmocka_unit_test(test_hmac_key_per_registry), cmocka_unit_test(test_registration))
