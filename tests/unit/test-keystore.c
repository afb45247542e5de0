/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fs.h"
#include "keystore.h"
#include "path.h"
#include "strv.h"
#include "unit.h"

#define KEYS ABS_TOP_SRCDIR "/tests/data/keys/"

static char dir[64];
static char sys_dir[128], loc_dir[128];

static int setup(void **state) {
        strcpy(dir, "/tmp/rkt-test-XXXXXX");
        if (!mkdtemp(dir))
                return -1;
        snprintf(sys_dir, sizeof(sys_dir), "%s/system", dir);
        snprintf(loc_dir, sizeof(loc_dir), "%s/local", dir);
        return 0;
}

static int teardown(void **state) {
        return rm_rf_at(AT_FDCWD, dir);
}

static char *slurp(const char *path, size_t *ret_size) {
        char *t = NULL;
        assert_int_equal(read_full_file_at(AT_FDCWD, path, &t, ret_size), 0);
        return t;
}

static char *fpr(const char *key) {
        _cleanup_free_ char *p = NULL;
        char *t;

        assert_true(asprintf(&p, KEYS "%s.fpr", key) > 0);
        t = slurp(p, NULL);
        t[strcspn(t, "\n")] = 0;
        return t;
}

/* Puts key (or an empty mask when key is NULL) for fingerprint of `as` into top's prefix dir ("" root). */
static void put(const char *top, const char *prefix, const char *as, const char *key) {
        _cleanup_free_ char *d = NULL, *f = NULL, *src = NULL, *data = NULL, *fp = fpr(as);
        size_t size = 0;

        if (*prefix)
                assert_true(asprintf(&d, "%s/trustedkeys/prefix.d/%s", top, prefix) > 0);
        else
                assert_true(asprintf(&d, "%s/trustedkeys/root.d", top) > 0);
        assert_int_equal(mkdir_p(d, 0755), 0);
        f = path_join(d, fp);
        if (key) {
                assert_true(asprintf(&src, KEYS "%s.asc", key) > 0);
                data = slurp(src, &size);
        }
        assert_int_equal(write_file_atomic_at(AT_FDCWD, f, data ?: "", size, 0644), 0);
}

static Keystore *ks_new(void) {
        Keystore *ks = NULL;
        assert_int_equal(keystore_new(sys_dir, loc_dir, &ks), 0);
        return ks;
}

static void test_prefix_covers(void **state) {
        assert_true(keystore_prefix_covers("example.com", "example.com"));
        assert_true(keystore_prefix_covers("example.com", "example.com/app"));
        assert_true(keystore_prefix_covers("example.com/app", "example.com/app/worker"));
        assert_false(keystore_prefix_covers("example.com/app", "example.com/application"));
        assert_false(keystore_prefix_covers("example.com/app", "example.com"));
        assert_false(keystore_prefix_covers("", "example.com"));
}

static void test_fingerprints(void **state) {
        char *f = NULL;

        assert_int_equal(fingerprint_normalize("0xB5B1 A45A 9AD8 2C1A 5270  83B4 438A D4DB 391C BA7B", &f),
                         0);
        assert_string_equal(f, "b5b1a45a9ad82c1a527083b4438ad4db391cba7b");
        free(f);
        assert_int_equal(fingerprint_normalize("b5b1a45a9ad82c1a527083b4438ad4db391cba7", &f), -EINVAL);
        assert_int_equal(fingerprint_normalize("b5b1a45a9ad82c1a527083b4438ad4db391cba7bb", &f), -EINVAL);
        assert_int_equal(fingerprint_normalize("g5b1a45a9ad82c1a527083b4438ad4db391cba7b", &f), -EINVAL);
        f = fingerprint_pretty("b5b1a45a9ad82c1a527083b4438ad4db391cba7b");
        assert_string_equal(f, "B5B1 A45A 9AD8 2C1A 5270  83B4 438A D4DB 391C BA7B");
        free(f);
}

static size_t count_fpr(const TrustedKeyFile *l, size_t n, const char *fp) {
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
                c += streq(l[i].fingerprint, fp);
        return c;
}

static void test_keyring_files_and_masks(void **state) {
        _cleanup_(keystore_freep) Keystore *ks = ks_new();
        _cleanup_free_ char *signer = fpr("signer"), *other = fpr("other"), *expired = fpr("expired");
        TrustedKeyFile *l = NULL;
        size_t n = 0;

        put(sys_dir, "example.com", "signer", "signer");
        put(sys_dir, "", "other", "other");
        put(loc_dir, "example.com/app/sub", "expired", "expired");
        put(loc_dir, "example.com/application", "expired", "expired");

        assert_int_equal(keystore_keyring_files(ks, "example.com/app", &l, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_int_equal(count_fpr(l, n, signer), 1);
        assert_int_equal(count_fpr(l, n, other), 1);
        trusted_key_files_free(l, n);

        assert_int_equal(keystore_keyring_files(ks, "example.com/app/sub/x", &l, &n, NULL), 0);
        assert_int_equal(n, 3);
        assert_int_equal(count_fpr(l, n, expired), 1);
        trusted_key_files_free(l, n);

        /* A local empty file masks the system key for names it applies to. */
        put(loc_dir, "example.com/app", "signer", NULL);
        assert_int_equal(keystore_keyring_files(ks, "example.com/app/x", &l, &n, NULL), 0);
        assert_int_equal(count_fpr(l, n, signer), 0);
        trusted_key_files_free(l, n);
        assert_int_equal(keystore_keyring_files(ks, "example.com/web", &l, &n, NULL), 0);
        assert_int_equal(count_fpr(l, n, signer), 1);
        assert_false(l[0].mask);
        trusted_key_files_free(l, n);
        put(loc_dir, "", "other", NULL);
        assert_int_equal(keystore_keyring_files(ks, "example.com/web", &l, &n, NULL), 0);
        assert_int_equal(count_fpr(l, n, other), 0);
        trusted_key_files_free(l, n);

        /* A local key file beats a local mask. */
        put(loc_dir, "example.com", "signer", "signer");
        assert_int_equal(keystore_keyring_files(ks, "example.com/app/x", &l, &n, NULL), 0);
        assert_int_equal(count_fpr(l, n, signer), 1);
        assert_false(l[0].system);
        trusted_key_files_free(l, n);

        assert_true(keystore_has_prefix_keys(ks, "example.com/x"));
        assert_false(keystore_has_prefix_keys(ks, "other.org/x"));

        /* Everything, masks included, system first. */
        assert_int_equal(keystore_list_files(ks, &l, &n, NULL), 0);
        assert_int_equal(n, 7);
        assert_true(l[0].system);
        assert_false(l[n - 1].system);
        trusted_key_files_free(l, n);
}

static void test_junk_is_ignored(void **state) {
        _cleanup_(keystore_freep) Keystore *ks = ks_new();
        _cleanup_free_ char *d = NULL, *f = NULL;
        TrustedKeyFile *l = NULL;
        size_t n = 0;

        assert_true(asprintf(&d, "%s/trustedkeys/root.d", loc_dir) > 0);
        assert_int_equal(mkdir_p(d, 0755), 0);
        assert_true(asprintf(&f, "%s/README", d) > 0);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, f, "x", 1, 0644), 0);
        free(f);
        assert_true(asprintf(&f, "%s/B5B1A45A9AD82C1A527083B4438AD4DB391CBA7B", d) > 0); /* not lowercase */
        assert_int_equal(write_file_atomic_at(AT_FDCWD, f, "x", 1, 0644), 0);
        assert_int_equal(keystore_list_files(ks, &l, &n, NULL), 0);
        assert_int_equal(n, 0);
        trusted_key_files_free(l, n);
}

static void test_parse_keys(void **state) {
        _cleanup_free_ char *a = NULL, *b = NULL, *both = NULL, *signer = fpr("signer"),
                            *other = fpr("other");
        _cleanup_error_ RktError *e = NULL;
        size_t as = 0, bs = 0, n = 0;
        PgpKey *k = NULL;

        a = slurp(KEYS "signer.asc", &as);
        b = slurp(KEYS "other.asc", &bs);
        assert_int_equal(pgp_keys_parse(a, as, &k, &n, NULL), 0);
        assert_int_equal(n, 1);
        assert_string_equal(k[0].fingerprint, signer);
        assert_string_equal(k[0].uids[0], "Unit Signer <signer@unit.test>");
        assert_false(k[0].expired || k[0].revoked);
        assert_true(k[0].can_sign);
        assert_non_null(strstr(k[0].armored, "-----BEGIN PGP PUBLIC KEY BLOCK-----"));
        pgp_keys_free(k, n);

        assert_true(asprintf(&both, "%s%s", a, b) > 0);
        assert_int_equal(pgp_keys_parse(both, strlen(both), &k, &n, NULL), 0);
        assert_int_equal(n, 2);
        /* Each export holds its own key only. */
        for (size_t i = 0; i < n; i++) {
                PgpKey *one = NULL;
                size_t m = 0;
                assert_int_equal(pgp_keys_parse(k[i].armored, strlen(k[i].armored), &one, &m, NULL), 0);
                assert_int_equal(m, 1);
                assert_string_equal(one[0].fingerprint, k[i].fingerprint);
                pgp_keys_free(one, m);
        }
        assert_true(streq(k[0].fingerprint, other) || streq(k[1].fingerprint, other));
        pgp_keys_free(k, n);

        free(a);
        a = slurp(KEYS "expired.asc", &as);
        assert_int_equal(pgp_keys_parse(a, as, &k, &n, NULL), 0);
        assert_true(k[0].expired);
        pgp_keys_free(k, n);
        free(a);
        a = slurp(KEYS "revoked.asc", &as);
        assert_int_equal(pgp_keys_parse(a, as, &k, &n, NULL), 0);
        assert_true(k[0].revoked);
        pgp_keys_free(k, n);

        assert_int_equal(pgp_keys_parse("not a key", 9, &k, &n, &e), -EBADMSG);
        assert_non_null(e);
}

static int verify(Keystore *ks, const char *name, const char *data_path, const char *sig_file,
                  SignatureInfo *si, RktError **e) {
        _cleanup_free_ char *sig = NULL, *p = NULL;
        _cleanup_close_ int fd = -1;
        size_t size = 0;

        assert_true(asprintf(&p, KEYS "%s", sig_file) > 0);
        sig = slurp(p, &size);
        if (data_path) {
                fd = open(data_path, O_RDONLY | O_CLOEXEC);
                assert_true(fd >= 0);
        }
        return keystore_verify(ks, name, fd, sig, size, si, e);
}

/* The remedy is the program's to word (RktHint): the test's words show which remedy and for what. */
static char *hint_words(RktHint hint, const char *arg, const char *message) {
        char *s = NULL;
        return asprintf(&s, "%s [remedy %d for %s]", message, (int) hint, strna(arg)) < 0 ? NULL : s;
}

static void test_verify(void **state) {
        _cleanup_(keystore_freep) Keystore *ks = ks_new();
        _cleanup_free_ char *signer = fpr("signer"), *other = fpr("other"), *expired = fpr("expired"),
                            *revoked = fpr("revoked"), *modified = NULL;
        SignatureInfo si = {};
        RktError *e = NULL;

        put(loc_dir, "example.com/app", "signer", "signer");
        rkt_error_hints_set(hint_words);

        /* A key trusted nowhere. */
        assert_int_equal(verify(ks, "example.com/app", KEYS "data", "data.other.asc", &si, &e), -ENOKEY);
        assert_non_null(strstr(e->message, "signature made by unknown key"));
        assert_non_null(strstr(e->message, other));
        assert_int_equal(e->hint, RKT_HINT_TRUST);
        assert_non_null(strstr(e->message, "[remedy 8 for example.com/app]"));
        e = rkt_error_free(e);

        put(loc_dir, "example.com/other", "other", "other");
        put(loc_dir, "example.com/app", "expired", "expired");
        put(loc_dir, "example.com/app", "revoked", "revoked");

        /* Good, armored and binary. */
        assert_int_equal(verify(ks, "example.com/app", KEYS "data", "data.signer.asc", &si, NULL), 0);
        assert_string_equal(si.fingerprint, signer);
        assert_string_equal(si.uids[0], "Unit Signer <signer@unit.test>");
        assert_non_null(strstr(si.key_file, "prefix.d/example.com/app/"));
        signature_info_done(&si);
        assert_int_equal(verify(ks, "example.com/app/sub", KEYS "data", "data.signer.sig", &si, NULL), 0);
        signature_info_done(&si);

        /* Modified data. */
        modified = path_join(dir, "modified");
        assert_int_equal(
                write_file_atomic_at(AT_FDCWD, modified, "The data the unit tests sign!\n", 30, 0644), 0);
        assert_int_equal(verify(ks, "example.com/app", modified, "data.signer.asc", &si, &e), -EKEYREJECTED);
        assert_non_null(strstr(e->message, "image was modified or signature does not match"));
        assert_non_null(strstr(e->message, signer));
        e = rkt_error_free(e);

        /* A key trusted for other prefixes. */
        assert_int_equal(verify(ks, "example.com/app", KEYS "data", "data.other.asc", &si, &e), -ENOKEY);
        assert_non_null(strstr(e->message, other));
        assert_non_null(
                strstr(e->message, "trusted for prefix 'example.com/other' but not for 'example.com/app'"));
        assert_int_equal(e->hint, RKT_HINT_TRUST_MASKED);
        assert_non_null(strstr(e->message, "[remedy 7 for example.com/app]"));
        e = rkt_error_free(e);
        assert_int_equal(verify(ks, "example.org/x", KEYS "data", "data.signer.asc", &si, &e), -ENOKEY);
        assert_non_null(
                strstr(e->message, "trusted for prefix 'example.com/app' but not for 'example.org/x'"));
        e = rkt_error_free(e);

        /* Expired and revoked keys. */
        assert_int_equal(verify(ks, "example.com/app", KEYS "data", "data.expired.asc", &si, &e),
                         -EKEYEXPIRED);
        assert_non_null(strstr(e->message, expired));
        assert_non_null(strstr(e->message, "expired on 2020-01-02"));
        e = rkt_error_free(e);
        assert_int_equal(verify(ks, "example.com/app", KEYS "data", "data.revoked.asc", &si, &e),
                         -EKEYREVOKED);
        assert_non_null(strstr(e->message, revoked));
        assert_non_null(strstr(e->message, "has been revoked"));
        e = rkt_error_free(e);

        /* Not a signature at all. */
        assert_int_equal(verify(ks, "example.com/app", KEYS "data", "signer.asc", &si, &e), -EBADMSG);
        e = rkt_error_free(e);

        /* Only the signer, before the data are there. */
        assert_int_equal(verify(ks, "example.com/app", NULL, "data.signer.asc", NULL, NULL), 0);
        assert_int_equal(verify(ks, "example.com/app", NULL, "data.other.asc", NULL, &e), -ENOKEY);
        e = rkt_error_free(e);

        /* A key file that holds another key than its name says poisons nothing: it is refused. */
        put(loc_dir, "example.com/app", "signer", "other");
        assert_int_equal(verify(ks, "example.com/app", KEYS "data", "data.signer.asc", &si, &e), -EUCLEAN);
        assert_non_null(strstr(e->message, "does not hold exactly the key its name says"));
        e = rkt_error_free(e);
}

static void test_add_remove_list(void **state) {
        _cleanup_(keystore_freep) Keystore *ks = ks_new();
        _cleanup_free_ char *a = NULL, *path = NULL, *signer = fpr("signer"), *mask = NULL;
        _cleanup_strv_free_ char **removed = NULL, **masked = NULL;
        _cleanup_error_ RktError *e = NULL;
        TrustedKeyInfo *info = NULL;
        PgpKey *k = NULL;
        size_t as = 0, n = 0;
        struct stat st;

        a = slurp(KEYS "signer.asc", &as);
        assert_int_equal(pgp_keys_parse(a, as, &k, &n, NULL), 0);
        assert_int_equal(keystore_add(ks, "example.com/app", &k[0], &path, NULL), 0);
        assert_non_null(strstr(path, "/local/trustedkeys/prefix.d/example.com/app/"));
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        free(path);
        assert_int_equal(keystore_add(ks, NULL, &k[0], &path, NULL), 0);
        assert_non_null(strstr(path, "/local/trustedkeys/root.d/"));
        free(path);
        path = NULL;
        assert_int_equal(keystore_add(ks, "../../etc", &k[0], &path, &e), -EINVAL);
        e = rkt_error_free(e);
        pgp_keys_free(k, n);
        put(sys_dir, "example.com", "signer", "signer");

        assert_int_equal(keystore_list_keys(ks, &info, &n, NULL), 0);
        assert_int_equal(n, 3);
        for (size_t i = 0; i < n; i++) {
                assert_string_equal(info[i].uids[0], "Unit Signer <signer@unit.test>");
                assert_false(info[i].masked);
                assert_null(info[i].error);
        }
        trusted_key_infos_free(info, n);

        /* Only root.d: one local file goes. */
        assert_int_equal(keystore_remove(ks, signer, KEYSTORE_SCOPE_ROOT, NULL, &removed, &masked, NULL), 0);
        assert_int_equal(strv_length(removed), 1);
        assert_null(masked);
        removed = strv_free(removed);
        /* Everywhere: the local prefix file goes, the system one is masked. */
        assert_int_equal(keystore_remove(ks, signer, KEYSTORE_SCOPE_ALL, NULL, &removed, &masked, NULL), 0);
        assert_int_equal(strv_length(removed), 1);
        assert_int_equal(strv_length(masked), 1);
        assert_true(asprintf(&mask, "%s/trustedkeys/prefix.d/example.com/%s", loc_dir, signer) > 0);
        assert_string_equal(masked[0], mask);
        assert_int_equal(stat(mask, &st), 0);
        assert_int_equal(st.st_size, 0);
        assert_int_equal(keystore_list_keys(ks, &info, &n, NULL), 0);
        assert_int_equal(n, 1);
        assert_true(info[0].masked);
        trusted_key_infos_free(info, n);
        /* Nothing left to remove. */
        assert_int_equal(
                keystore_remove(ks, signer, KEYSTORE_SCOPE_PREFIX, "example.com/app", &removed, &masked, &e),
                -ENOENT);
}

RUN_TESTS(cmocka_unit_test(test_prefix_covers), cmocka_unit_test(test_fingerprints),
          cmocka_unit_test_setup_teardown(test_keyring_files_and_masks, setup, teardown),
          cmocka_unit_test_setup_teardown(test_junk_is_ignored, setup, teardown),
          cmocka_unit_test(test_parse_keys), cmocka_unit_test_setup_teardown(test_verify, setup, teardown),
          cmocka_unit_test_setup_teardown(test_add_remove_list, setup, teardown))
