/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fs.h"
#include "path.h"
#include "uid-range.h"
#include "unit.h"

static void test_from_random(void **state) {
        uint32_t samples[] = {0, 1, 0x7FFE, 0x7FFF, 0x12345678, UINT32_MAX};

        assert_int_equal(uid_range_from_random(0).shift, 0x10000);
        assert_int_equal(uid_range_from_random(0x7FFE).shift, 0x7FFF0000);
        assert_int_equal(uid_range_from_random(0x7FFF).shift, 0x10000);
        for (size_t i = 0; i < ELEMENTSOF(samples); i++) {
                UidRange r = uid_range_from_random(samples[i]);
                assert_int_equal(r.count, 0x10000);
                assert_int_equal(r.shift % 0x10000, 0);
                assert_true(r.shift >= 0x10000);
                assert_true((uint64_t) r.shift + r.count <= UINT64_C(0x80000000));
        }
}

static void test_random(void **state) {
        UidRange r;

        assert_int_equal(uid_range_random(&r), 0);
        assert_int_equal(r.count, UID_RANGE_COUNT);
        assert_int_equal(r.shift % 0x10000, 0);
        assert_true(r.shift >= 0x10000 && r.shift <= 0x7FFF0000);
}

static void test_parse_format(void **state) {
        const char *bad[] = {"",
                             ":",
                             "65536",
                             "65536:",
                             ":65536",
                             "0:65536",
                             "65536:0",
                             "065536:65536",
                             "65536:65536x",
                             "-65536:65536",
                             "65536: 65536",
                             "2147418112:65537",
                             "4294967296:1",
                             "65536:65536\n\n"};
        _cleanup_free_ char *s = NULL;
        UidRange r = {};

        assert_int_equal(uid_range_parse("65536:65536", &r), 0);
        assert_int_equal(r.shift, 65536);
        assert_int_equal(r.count, 65536);
        assert_int_equal(uid_range_parse("2147418112:65536\n", &r), 0);
        assert_int_equal(r.shift, 2147418112u);
        assert_int_equal(uid_range_format(&r, &s), 0);
        assert_string_equal(s, "2147418112:65536");
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                r = (UidRange){1, 1};
                assert_int_equal(uid_range_parse(bad[i], &r), -EINVAL);
                assert_int_equal(r.shift, 1); /* untouched on failure */
        }
}

static void test_shift_unshift(void **state) {
        UidRange r = {.shift = 0x30000, .count = 0x10000};
        uint32_t id = 7;

        assert_int_equal(uid_range_shift(&r, 0, &id), 0);
        assert_int_equal(id, 0x30000);
        assert_int_equal(uid_range_shift(&r, 0xFFFF, &id), 0);
        assert_int_equal(id, 0x3FFFF);
        assert_int_equal(uid_range_shift(&r, 0x10000, &id), -ERANGE);
        assert_int_equal(uid_range_unshift(&r, 0x30000, &id), 0);
        assert_int_equal(id, 0);
        assert_int_equal(uid_range_unshift(&r, 0x3FFFF, &id), 0);
        assert_int_equal(id, 0xFFFF);
        assert_int_equal(uid_range_unshift(&r, 0x2FFFF, &id), -ERANGE);
        assert_int_equal(uid_range_unshift(&r, 0x40000, &id), -ERANGE);
        assert_int_equal(uid_range_unshift(&r, 0, &id), -ERANGE);
}

static void test_chown_tree(void **state) {
        char t[] = "/tmp/rkt-test-uid-range-XXXXXX";
        _cleanup_free_ char *outside = NULL, *root = NULL, *bin = NULL;
        _cleanup_close_ int dfd = -1, ofd = -1;
        UidRange r = {.shift = 0x50000, .count = 0x10000};
        struct stat st;

        if (geteuid() != 0)
                skip(); /* chown to other owners needs root */
        assert_non_null(mkdtemp(t));
        outside = path_join(t, "outside");
        root = path_join(t, "root");
        bin = path_join(root, "bin");
        assert_int_equal(mkdir(outside, 0755), 0);
        assert_int_equal(mkdir_p(bin, 0755), 0);
        dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ofd = open(outside, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0 && ofd >= 0);
        assert_int_equal(write_file_replace_at(dfd, "bin/su", "x", 1, 0755), 0);
        assert_int_equal(fchmodat(dfd, "bin/su", 04755, 0), 0);
        assert_int_equal(write_file_replace_at(dfd, "owned", "x", 1, 0644), 0);
        assert_int_equal(fchownat(dfd, "owned", 1000, 100, 0), 0);
        assert_int_equal(symlinkat(outside, dfd, "escape"), 0);

        assert_int_equal(uid_range_chown_tree(dfd, &r), 0);
        assert_int_equal(fstat(dfd, &st), 0);
        assert_int_equal(st.st_uid, 0x50000);
        assert_int_equal(fstatat(dfd, "bin/su", &st, 0), 0);
        assert_int_equal(st.st_uid, 0x50000);
        assert_int_equal(st.st_gid, 0x50000);
        assert_int_equal(st.st_mode & 07777, 04755); /* setuid set again after chown cleared it */
        assert_int_equal(fstatat(dfd, "owned", &st, 0), 0);
        assert_int_equal(st.st_uid, 0x50000 + 1000);
        assert_int_equal(st.st_gid, 0x50000 + 100);
        assert_int_equal(fstatat(dfd, "escape", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st.st_uid, 0x50000); /* the link itself */
        assert_int_equal(fstat(ofd, &st), 0);
        assert_int_equal(st.st_uid, 0); /* not what it points to */

        /* Again: what is in the range stays; an ID with no place in it is refused. */
        assert_int_equal(uid_range_chown_tree(dfd, &r), 0);
        assert_int_equal(fstatat(dfd, "owned", &st, 0), 0);
        assert_int_equal(st.st_uid, 0x50000 + 1000);
        assert_int_equal(fchownat(dfd, "owned", 70000, 0, 0), 0);
        assert_int_equal(uid_range_chown_tree(dfd, &r), -ERANGE);
        assert_int_equal(rm_rf_at(AT_FDCWD, t), 0);
}

RUN_TESTS(cmocka_unit_test(test_from_random), cmocka_unit_test(test_random),
          cmocka_unit_test(test_parse_format), cmocka_unit_test(test_shift_unshift),
          cmocka_unit_test(test_chown_tree))
