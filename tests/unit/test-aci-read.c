/* SPDX-License-Identifier: Apache-2.0 */
#include <archive.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <sys/stat.h>

#include "aci-extract.h"
#include "aci-read.h"
#include "fs.h"
#include "path.h"
#include "tar-builder.h"
#include "unit.h"

static char dir[64];

static int setup(void **state) {
        strcpy(dir, "/tmp/rkt-test-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        return rm_rf_at(AT_FDCWD, dir);
}

static char *tmp(const char *name) {
        return path_join(dir, name);
}

/* sha512 of a file's bytes, "sha512-<hex>". */
static void file_id(const char *path, char ret[136]) {
        _cleanup_free_ char *data = NULL;
        unsigned char d[64];
        unsigned dl = 0;
        size_t n;
        EVP_MD_CTX *md = EVP_MD_CTX_new();

        assert_int_equal(read_full_file_at(AT_FDCWD, path, &data, &n), 0);
        EVP_DigestInit_ex(md, EVP_sha512(), NULL);
        EVP_DigestUpdate(md, data, n);
        EVP_DigestFinal_ex(md, d, &dl);
        EVP_MD_CTX_free(md);
        strcpy(ret, "sha512-");
        for (int i = 0; i < 64; i++)
                sprintf(ret + 7 + 2 * i, "%02x", d[i]);
}

static int read_file(const char *path, const char *copy, AciStreamInfo *info, RktError **e) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC), out = -1;

        if (copy)
                out = open(copy, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        return aci_read_stream(fd, out, info, e);
}

static void test_id_and_copy(void **state) {
        static const char *const files[] = {"etc/hello=world", "bin/x=yyyy", NULL};
        static const int filters[] = {ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_BZIP2, ARCHIVE_FILTER_XZ,
                                      ARCHIVE_FILTER_ZSTD};
        _cleanup_free_ char *plain = tmp("plain.aci"), *copy = tmp("copy.tar");
        char want[136], got[136];
        AciStreamInfo info;

        write_test_aci(plain, ARCHIVE_FILTER_NONE, "example.com/a", files);
        file_id(plain, want);
        assert_int_equal(read_file(plain, copy, &info, NULL), 0);
        assert_string_equal(info.id, want);
        assert_non_null(strstr(info.manifest, "\"example.com/a\""));
        file_id(copy, got);
        assert_string_equal(got, want);
        aci_stream_info_done(&info);

        /* Compressed: the ID is the uncompressed tar's, and what is copied out is that tar. */
        for (size_t i = 0; i < ELEMENTSOF(filters); i++) {
                _cleanup_free_ char *c = tmp("c.aci");
                write_test_aci(c, filters[i], "example.com/a", files);
                assert_int_equal(read_file(c, copy, &info, NULL), 0);
                assert_string_equal(info.id, want);
                file_id(copy, got);
                assert_string_equal(got, want);
                aci_stream_info_done(&info);
        }
}

typedef void (*Builder)(TarBuilder *b);

static void b_dotdot(TarBuilder *b) {
        tar_builder_file(b, "rootfs/../../x", "x", 0644);
}
static void b_absolute(TarBuilder *b) {
        tar_builder_file(b, "/etc/x", "x", 0644);
}
static void b_second_manifest(TarBuilder *b) {
        tar_builder_file(b, "./manifest", test_manifest("example.com/b"), 0644);
}
static void b_symlink_through(TarBuilder *b) {
        tar_builder_symlink(b, "rootfs/l", "/etc");
        tar_builder_file(b, "rootfs/l/passwd", "x", 0644);
}
static void b_symlink_through_nested(TarBuilder *b) {
        tar_builder_dir(b, "rootfs/d", 0755);
        tar_builder_symlink(b, "rootfs/d/l", "../../..");
        tar_builder_file(b, "rootfs/d/l/sub/x", "x", 0644);
}
static void b_hardlink_out(TarBuilder *b) {
        tar_builder_hardlink(b, "rootfs/h", "../etc/shadow");
}
static void b_hardlink_abs(TarBuilder *b) {
        tar_builder_hardlink(b, "rootfs/h", "/etc/shadow");
}
static void b_stray(TarBuilder *b) {
        tar_builder_file(b, "README", "x", 0644);
}
static void b_manifest_dir(TarBuilder *b) {
}

/* What the import accepted and nothing could extract. */
static void b_dir_then_file(TarBuilder *b) {
        tar_builder_dir(b, "rootfs/x", 0755);
        tar_builder_file(b, "rootfs/x", "x", 0644);
}
static void b_implied_dir_then_file(TarBuilder *b) {
        tar_builder_file(b, "rootfs/d/f", "x", 0644);
        tar_builder_symlink(b, "rootfs/d", "elsewhere");
}
static void b_file_then_below(TarBuilder *b) {
        tar_builder_file(b, "rootfs/f", "x", 0644);
        tar_builder_file(b, "rootfs/f/g", "x", 0644);
}
static void b_hardlink_to_dir(TarBuilder *b) {
        tar_builder_dir(b, "rootfs/d", 0755);
        tar_builder_hardlink(b, "rootfs/h", "rootfs/d");
}
static void b_hardlink_to_nothing(TarBuilder *b) {
        tar_builder_hardlink(b, "rootfs/h", "rootfs/missing");
}

static void expect_rejected(Builder f, bool with_manifest, const char *substring) {
        _cleanup_free_ char *p = tmp("bad.aci");
        _cleanup_error_ RktError *e = NULL;
        AciStreamInfo info;
        TarBuilder *b = tar_builder_new(p, ARCHIVE_FILTER_NONE);

        if (with_manifest)
                tar_builder_file(b, "manifest", test_manifest("example.com/a"), 0644);
        tar_builder_dir(b, "rootfs", 0755);
        f(b);
        tar_builder_close(b);
        assert_true(read_file(p, NULL, &info, &e) < 0);
        assert_non_null(e);
        if (!strstr(e->message, substring))
                fail_msg("'%s' does not contain '%s'", e->message, substring);
}

static void test_hostile(void **state) {
        expect_rejected(b_dotdot, true, "escapes the image root");
        expect_rejected(b_absolute, true, "absolute path");
        expect_rejected(b_second_manifest, true, "second 'manifest'");
        expect_rejected(b_symlink_through, true, "parent 'rootfs/l' is a symlink");
        expect_rejected(b_symlink_through_nested, true, "parent 'rootfs/d/l' is a symlink");
        expect_rejected(b_hardlink_out, true, "outside the image");
        expect_rejected(b_hardlink_abs, true, "outside the image");
        expect_rejected(b_stray, true, "only 'manifest' and 'rootfs/'");
        expect_rejected(b_manifest_dir, false, "no 'manifest'");
        expect_rejected(
                b_dir_then_file, true,
                "entry 'rootfs/x': a non-directory where an earlier entry made the directory 'rootfs/x'");
        expect_rejected(b_implied_dir_then_file, true, "the directory 'rootfs/d'");
        expect_rejected(b_file_then_below, true, "entry 'rootfs/f/g': parent 'rootfs/f' is not a directory");
        expect_rejected(b_hardlink_to_dir, true,
                        "hard link to 'rootfs/d', which no earlier entry made a file");
        expect_rejected(b_hardlink_to_nothing, true, "hard link to 'rootfs/missing'");
}

/* What the import accepts, extraction can use: duplicates and a later entry replacing an earlier file. */
static void test_accepted_extracts(void **state) {
        _cleanup_free_ char *p = tmp("dups.aci"), *t = tmp("target"), *text = NULL;
        _cleanup_error_ RktError *e = NULL;
        _cleanup_close_ int fd = -EBADF, tfd = -EBADF;
        AciStreamInfo info;
        TarBuilder *b = tar_builder_new(p, ARCHIVE_FILTER_NONE);

        tar_builder_file(b, "manifest", test_manifest("example.com/a"), 0644);
        tar_builder_dir(b, "rootfs", 0755);
        tar_builder_dir(b, "rootfs/d", 0755);
        tar_builder_dir(b, "rootfs/d", 0700);
        tar_builder_file(b, "rootfs/f", "one", 0644);
        tar_builder_file(b, "rootfs/f", "two", 0644);
        tar_builder_file(b, "rootfs/g", "x", 0644);
        tar_builder_dir(b, "rootfs/g", 0755);
        tar_builder_file(b, "rootfs/g/h", "x", 0644);
        tar_builder_hardlink(b, "rootfs/d/l", "rootfs/f");
        tar_builder_close(b);
        assert_int_equal(read_file(p, NULL, &info, NULL), 0);
        aci_stream_info_done(&info);

        assert_int_equal(mkdir(t, 0755), 0);
        tfd = open(t, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        fd = open(p, O_RDONLY | O_CLOEXEC);
        assert_true(tfd >= 0 && fd >= 0);
        if (aci_extract_fd(fd, tfd, ACI_EXTRACT_NO_OWNERS, NULL, NULL, &e) < 0)
                fail_msg("extracting what the import accepted: %s", rkt_error_message(e, -EIO));
        assert_int_equal(read_full_file_at(tfd, "rootfs/d/l", &text, NULL), 0);
        assert_string_equal(text, "two");
}

static void test_not_an_archive(void **state) {
        _cleanup_free_ char *p = tmp("garbage"), *t = tmp("trunc.aci"), *full = NULL;
        _cleanup_error_ RktError *e = NULL;
        static const char *const files[] = {"big=0123456789012345678901234567890123456789", NULL};
        AciStreamInfo info;
        size_t n;

        assert_int_equal(write_file_atomic_at(AT_FDCWD, p, "\x01\x02garbage garbage garbage", 23, 0644), 0);
        assert_true(read_file(p, NULL, &info, &e) < 0);
        assert_non_null(strstr(e->message, "not a valid ACI"));
        e = rkt_error_free(e);

        write_test_aci(t, ARCHIVE_FILTER_GZIP, "example.com/a", files);
        assert_int_equal(read_full_file_at(AT_FDCWD, t, &full, &n), 0);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, t, full, n / 2, 0644), 0);
        assert_true(read_file(t, NULL, &info, &e) < 0);
        assert_non_null(e);
}

static void test_cut_at_entry_boundary(void **state) {
        _cleanup_free_ char *p = tmp("cut.aci"), *data = NULL;
        _cleanup_error_ RktError *e = NULL;
        static const char *const files[] = {"f=x", NULL};
        AciStreamInfo info;
        size_t n;

        /* pax_restricted without pax headers: manifest (512 + 512), rootfs (512), rootfs/f (512 + 512), then
         * the end marker. Cutting right after the last entry leaves a well-formed but unterminated tar. */
        write_test_aci(p, ARCHIVE_FILTER_NONE, "example.com/a", files);
        assert_int_equal(read_full_file_at(AT_FDCWD, p, &data, &n), 0);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, p, data, 5 * 512, 0644), 0);
        assert_true(read_file(p, NULL, &info, &e) < 0);
        assert_non_null(strstr(e->message, "truncated"));
}

static void test_symlink_replaced_by_dir(void **state) {
        _cleanup_free_ char *p = tmp("ok.aci");
        AciStreamInfo info;
        TarBuilder *b = tar_builder_new(p, ARCHIVE_FILTER_NONE);

        /* A later entry that makes the path a directory again may have children. */
        tar_builder_file(b, "manifest", test_manifest("example.com/a"), 0644);
        tar_builder_dir(b, "rootfs", 0755);
        tar_builder_symlink(b, "rootfs/l", "x");
        tar_builder_dir(b, "rootfs/l", 0755);
        tar_builder_file(b, "rootfs/l/f", "x", 0644);
        tar_builder_close(b);
        assert_int_equal(read_file(p, NULL, &info, NULL), 0);
        aci_stream_info_done(&info);
}

/* The limits hold while the image streams: what passes them is what gets copied, never more. */
static void test_limits(void **state) {
        _cleanup_free_ char *p = tmp("big.aci"), *copy = tmp("big.tar"), *data = NULL, *big = NULL;
        static const char *const files[] = {"f=x", NULL};
        ImageLimits limits = {.max_size = 1024 * 1024};
        AciStreamInfo info;
        struct stat st;
        size_t n;

        /* Padding after the end-of-archive is part of the tar: 2 MiB of it passes no entry check. */
        write_test_aci(p, ARCHIVE_FILTER_NONE, "example.com/a", files);
        assert_int_equal(read_full_file_at(AT_FDCWD, p, &data, &n), 0);
        big = calloc(1, n + 2 * 1024 * 1024);
        assert_non_null(big);
        memcpy(big, data, n);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, p, big, n + 2 * 1024 * 1024, 0644), 0);
        {
                _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
                _cleanup_close_ int out = open(copy, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                _cleanup_error_ RktError *e = NULL;
                assert_int_equal(aci_read_stream_limited(fd, out, &limits, &info, &e), -EFBIG);
                assert_non_null(strstr(rkt_error_message(e, -EFBIG), "limit of 1MiB"));
                assert_int_equal(stat(copy, &st), 0);
                assert_true(st.st_size <= 1024 * 1024);
        }
        /* The default limit takes it. */
        assert_int_equal(read_file(p, NULL, &info, NULL), 0);
        aci_stream_info_done(&info);

        /* A file entry declaring more than the limit fails at its header (gzip: 2 MiB in a few KiB). */
        {
                TarBuilder *b = tar_builder_new(p, ARCHIVE_FILTER_GZIP);
                _cleanup_free_ char *content = malloc(2 * 1024 * 1024 + 1);
                _cleanup_close_ int fd = -1;
                _cleanup_error_ RktError *e = NULL;

                assert_non_null(content);
                memset(content, 'x', 2 * 1024 * 1024);
                content[2 * 1024 * 1024] = 0;
                tar_builder_file(b, "manifest", test_manifest("example.com/a"), 0644);
                tar_builder_dir(b, "rootfs", 0755);
                tar_builder_file(b, "rootfs/big", content, 0644);
                tar_builder_close(b);
                fd = open(p, O_RDONLY | O_CLOEXEC);
                assert_int_equal(aci_read_stream_limited(fd, -1, &limits, &info, &e), -EFBIG);
                assert_non_null(
                        strstr(rkt_error_message(e, -EFBIG), "the image expands to more than the limit"));
        }
        /* Entries are counted. */
        {
                static const char *const many[] = {"a=", "b=", "c=", "d=", NULL};
                ImageLimits few = {.max_entries = 4};
                _cleanup_close_ int fd = -1;
                _cleanup_error_ RktError *e = NULL;

                write_test_aci(p, ARCHIVE_FILTER_NONE, "example.com/a", many);
                fd = open(p, O_RDONLY | O_CLOEXEC);
                assert_int_equal(aci_read_stream_limited(fd, -1, &few, &info, &e), -EFBIG);
                assert_non_null(strstr(rkt_error_message(e, -EFBIG), "more than 4 entries"));
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_id_and_copy),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_not_an_archive),
                cmocka_unit_test(test_cut_at_entry_boundary),
                cmocka_unit_test(test_symlink_replaced_by_dir),
                cmocka_unit_test(test_accepted_extracts),
                cmocka_unit_test(test_limits),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
