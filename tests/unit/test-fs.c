/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sched.h>
#include <sys/mount.h>
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

static void touch(const char *path) {
        int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(close(fd), 0);
}

/* A bind mount of the same file system has the same device as the tree around it: only the mount ID tells
 * that the walk would leave the tree (`rkt image extract --overwrite DIR` deleted what was bound in DIR). */
static void test_rm_rf_stops_at_bind_mounts(void **state) {
        _cleanup_free_ char *d = NULL, *outside = NULL, *inner = NULL, *bound = NULL, *gone = NULL;
        _cleanup_free_ char *victim = NULL, *victim_dir = NULL, *busy = NULL;
        _cleanup_close_ int dfd = -1;
        MountKey key;

        if (geteuid() != 0) {
                print_message("skipped: bind mounts need root\n");
                skip();
        }
        /* A mount namespace of our own: a failing assertion leaves no mount behind on the host. */
        assert_int_equal(unshare(CLONE_NEWNS), 0);
        assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);

        d = make_tmpdir();
        outside = make_tmpdir();
        inner = path_join(d, "a/inner");
        bound = path_join(d, "a/inner/bound");
        gone = path_join(d, "a/gone");
        victim = path_join(outside, "keep");
        victim_dir = path_join(outside, "sub/keep-too");
        assert_int_equal(mkdir_p(bound, 0755), 0);
        assert_int_equal(mkdir_p(victim_dir, 0755), 0);
        touch(gone);
        touch(victim);
        assert_int_equal(mount(outside, bound, NULL, MS_BIND, NULL), 0);

        /* The walk refuses to enter the mount point, names it, and removes everything else. */
        assert_int_equal(rm_rf_at_full(AT_FDCWD, d, NULL, &busy), -EBUSY);
        assert_non_null(busy);
        assert_string_equal(busy, bound);
        assert_int_equal(access(victim, F_OK), 0);
        assert_int_equal(access(victim_dir, F_OK), 0);
        assert_int_equal(access(gone, F_OK), -1);
        assert_int_equal(access(bound, F_OK), 0);

        /* Plain rm_rf_at() is the same walk. */
        assert_int_equal(rm_rf_at(AT_FDCWD, d), -EBUSY);
        assert_int_equal(access(victim, F_OK), 0);

        /* A tree that is itself on another mount than the root given is not entered at all. */
        dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        assert_int_equal(mount_key_at(dfd, "", &key, NULL), 0);
        assert_true(key.has_mnt_id);
        assert_int_equal(rm_rf_at_full(dfd, "a/inner/bound", &key, NULL), -EBUSY);
        assert_int_equal(access(victim_dir, F_OK), 0);

        assert_int_equal(umount2(bound, 0), 0);
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
          cmocka_unit_test(test_rm_rf_stops_at_bind_mounts), cmocka_unit_test(test_lock))
