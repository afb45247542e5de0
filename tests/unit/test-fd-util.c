/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fd-util.h"
#include "fs.h"
#include "path.h"
#include "unit.h"

static bool is_open(int fd) {
        return fcntl(fd, F_GETFD) >= 0;
}

/* In a child (the fds of the test runner stay as they are): fds 7, 8, 20 and 21 open, keep 8 and 21 (in
 * that order or reversed), then report what is left as a bit mask in the exit status. */
static int run_close(int (*close_fn)(const int *, size_t), bool reversed) {
        int status;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                int fd = open("/", O_RDONLY | O_DIRECTORY), keep[2] = {8, 21}, bits = 0;
                if (fd < 0 || dup2(fd, 7) < 0 || dup2(fd, 8) < 0 || dup2(fd, 20) < 0 || dup2(fd, 21) < 0)
                        _exit(255);
                if (reversed) {
                        keep[0] = 21;
                        keep[1] = 8;
                }
                if (close_fn(keep, 2) < 0)
                        _exit(254);
                bits |= is_open(0) && is_open(1) && is_open(2) ? 1 : 0;
                bits |= is_open(7) ? 2 : 0;
                bits |= is_open(8) ? 4 : 0;
                bits |= is_open(20) ? 8 : 0;
                bits |= is_open(21) ? 16 : 0;
                bits |= fd != 7 && fd != 8 && fd != 20 && fd != 21 && is_open(fd) ? 32 : 0;
                _exit(bits);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static void test_close_all_fds_except(void **state) {
        /* stdio and the kept fds stay, everything else goes. */
        assert_int_equal(run_close(close_all_fds_except, false), 1 | 4 | 16);
        assert_int_equal(run_close(close_all_fds_except, true), 1 | 4 | 16);
        assert_int_equal(run_close(close_all_fds_except_by_listing, false), 1 | 4 | 16);
}

static int close_none_kept(const int *keep, size_t n) {
        (void) keep;
        (void) n;
        return close_all_fds_except(NULL, 0);
}

static void test_close_all_fds_keep_nothing(void **state) {
        assert_int_equal(run_close(close_none_kept, false), 1);
}

static void test_close_all_fds_too_many(void **state) {
        int keep[65];

        for (size_t i = 0; i < ELEMENTSOF(keep); i++)
                keep[i] = 100 + (int) i;
        assert_int_equal(close_all_fds_except(keep, ELEMENTSOF(keep)), -E2BIG);
}

static void test_read_regular_file_at(void **state) {
        char d[] = "/tmp/rkt-test-fd-util-XXXXXX";
        _cleanup_close_ int dfd = -1;
        _cleanup_free_ char *text = NULL;
        size_t n;

        assert_non_null(mkdtemp(d));
        dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        assert_int_equal(write_file_replace_at(dfd, "pid", "42\n", 3, 0644), 0);
        assert_int_equal(read_regular_file_at(dfd, "pid", 16, &text, &n), 0);
        assert_string_equal(text, "42\n");
        assert_int_equal(n, 3);
        text = mfree(text);
        /* Bounded, no symlink followed, no FIFO waited on. */
        assert_int_equal(read_regular_file_at(dfd, "pid", 2, &text, &n), -EFBIG);
        assert_int_equal(symlinkat("/etc/passwd", dfd, "link"), 0);
        assert_int_equal(read_regular_file_at(dfd, "link", 4096, &text, &n), -ELOOP);
        assert_int_equal(mkfifoat(dfd, "fifo", 0644), 0);
        assert_int_equal(read_regular_file_at(dfd, "fifo", 4096, &text, &n), -EBADF);
        assert_int_equal(read_regular_file_at(dfd, "missing", 4096, &text, &n), -ENOENT);

        /* Inside a root: an absolute symlink resolves in the root, not on the host. */
        assert_int_equal(read_file_in_root(dfd, "link", 4096, &text, &n), -ENOENT);
        assert_int_equal(read_file_in_root(dfd, "/pid", 4096, &text, &n), 0);
        assert_string_equal(text, "42\n");
        assert_int_equal(read_file_in_root(dfd, "fifo", 4096, &text, &n), -EBADF);
        assert_int_equal(rm_rf_at(AT_FDCWD, d), 0);
}

/* O_NOFOLLOW concerns the last component alone, with openat2 and without it (Linux < 5.6, valgrind): a pod's
 * rkt/supervisor-status is a symlink whose target ("ready") is read, not followed. The walk used to resolve
 * it, found no "rkt/ready", and so `rkt status --wait-ready` never saw a pod become ready there. */
static void check_nofollow_last(int (*open_fn)(int, const char *, int)) {
        char d[] = "/tmp/test-fd-util.XXXXXX";
        _cleanup_close_ int dfd = -1, fd = -1;
        char target[16];
        struct stat st;
        ssize_t n;

        assert_non_null(mkdtemp(d));
        dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        assert_int_equal(mkdirat(dfd, "rkt", 0755), 0);
        assert_int_equal(symlinkat("ready", dfd, "rkt/supervisor-status"), 0);
        assert_int_equal(symlinkat("rkt", dfd, "via"), 0);

        fd = open_fn(dfd, "via/supervisor-status", O_PATH | O_NOFOLLOW);
        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        n = readlinkat(fd, "", target, sizeof(target) - 1);
        assert_int_equal(n, 5);
        target[n] = 0;
        assert_string_equal(target, "ready");
        /* Without O_PATH a symlink cannot be opened itself; without O_NOFOLLOW it is followed. */
        assert_int_equal(open_fn(dfd, "rkt/supervisor-status", O_RDONLY | O_NOFOLLOW), -ELOOP);
        assert_int_equal(open_fn(dfd, "rkt/supervisor-status", O_RDONLY), -ENOENT);
        assert_int_equal(rm_rf_at(AT_FDCWD, d), 0);
}

static void test_open_in_root_nofollow_last(void **state) {
        check_nofollow_last(open_in_root);
        check_nofollow_last(open_in_root_walk);
}

RUN_TESTS(cmocka_unit_test(test_close_all_fds_except), cmocka_unit_test(test_close_all_fds_keep_nothing),
          cmocka_unit_test(test_close_all_fds_too_many), cmocka_unit_test(test_read_regular_file_at),
          cmocka_unit_test(test_open_in_root_nofollow_last))
