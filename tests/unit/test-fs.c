/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fs.h"
#include "lock.h"
#include "path.h"
#include "unit.h"

static char *make_tmpdir(void) {
        char t[] = "/tmp/rkt-test-fs-XXXXXX";
        assert_non_null(mkdtemp(t));
        return strdup(t);
}

static void test_atomic_write(void **state) {
        _cleanup_free_ char *d = make_tmpdir(), *f = path_join(d, "rec.json"), *buf = NULL;
        _cleanup_close_ int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct stat st;
        size_t n;

        assert_int_equal(write_file_atomic_at(dfd, "rec.json", "old", 3, 0640), 0);
        assert_int_equal(write_file_atomic_at(dfd, "rec.json", "new!", 4, 0600), 0);
        assert_int_equal(read_full_file_at(AT_FDCWD, f, &buf, &n), 0);
        assert_int_equal(n, 4);
        assert_string_equal(buf, "new!");
        assert_int_equal(stat(f, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        /* without the fsyncs: the same replacement; a symlink is replaced, not followed */
        assert_int_equal(symlinkat("/etc/passwd", dfd, "link"), 0);
        assert_int_equal(write_file_replace_at(dfd, "link", "plain", 5, 0644), 0);
        free(buf);
        buf = NULL;
        assert_int_equal(read_full_file_at(dfd, "link", &buf, &n), 0);
        assert_string_equal(buf, "plain");
        assert_int_equal(fstatat(dfd, "link", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0644);
        assert_int_equal(rm_rf_at(AT_FDCWD, d), 0);
        assert_int_equal(access(d, F_OK), -1);
}

static void test_rm_rf_does_not_follow_symlinks(void **state) {
        _cleanup_free_ char *d = make_tmpdir(), *outside = make_tmpdir();
        _cleanup_free_ char *sub = path_join(d, "a/b"), *link = path_join(d, "a/escape");
        _cleanup_free_ char *victim = path_join(outside, "keep");

        assert_int_equal(mkdir_p(sub, 0755), 0);
        assert_int_equal(symlink(outside, link), 0);
        assert_int_equal(close(open(victim, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)), 0);
        assert_int_equal(rm_rf_at(AT_FDCWD, d), 0);
        assert_int_equal(access(d, F_OK), -1);
        assert_int_equal(access(victim, F_OK), 0);
        assert_int_equal(rm_rf_at(AT_FDCWD, outside), 0);
}

static void test_lock(void **state) {
        _cleanup_free_ char *d = make_tmpdir(), *l = path_join(d, "lock");
        _cleanup_close_ int a = -1, b = -1;

        a = lock_path_at(AT_FDCWD, l, LOCK_EX | LOCK_NB, true);
        assert_true(a >= 0);
        /* flock locks belong to the open file description, so a second open conflicts. */
        b = lock_path_at(AT_FDCWD, l, LOCK_SH | LOCK_NB, false);
        assert_int_equal(b, -EWOULDBLOCK);
        a = safe_close(a);
        b = lock_path_at(AT_FDCWD, l, LOCK_SH | LOCK_NB, false);
        assert_true(b >= 0);
        assert_int_equal(rm_rf_at(AT_FDCWD, d), 0);
}

RUN_TESTS(cmocka_unit_test(test_atomic_write), cmocka_unit_test(test_rm_rf_does_not_follow_symlinks),
          cmocka_unit_test(test_lock))
