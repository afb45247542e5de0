/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "fs.h"
#include "path.h"
#include "tree-hash.h"
#include "unit.h"

static char dir[64];

static int setup(void **state) {
        strcpy(dir, "/tmp/rkt-test-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        return rm_rf_at(AT_FDCWD, dir);
}

static void put(const char *tree, const char *name, const char *content) {
        _cleanup_free_ char *p = NULL;
        assert_true(asprintf(&p, "%s/%s/%s", dir, tree, name) > 0);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, p, content, strlen(content), 0644), 0);
}

static void make_tree(const char *tree) {
        _cleanup_free_ char *top = path_join(dir, tree), *sub = NULL, *link = NULL;
        assert_int_equal(mkdir(top, 0755), 0);
        sub = path_join(top, "etc");
        assert_int_equal(mkdir(sub, 0755), 0);
        put(tree, "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
        put(tree, "a", "alpha");
        put(tree, "rendered", "{}");
        link = path_join(top, "sh");
        assert_int_equal(symlink("/bin/busybox", link), 0);
}

static TreeHash hash_of(const char *tree, const char *skip) {
        _cleanup_free_ char *p = path_join(dir, tree);
        _cleanup_close_ int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        TreeHash th;

        assert_true(fd >= 0);
        assert_int_equal(tree_hash_at(fd, skip, &th), 0);
        return th;
}

static char *at(const char *tree, const char *name) {
        char *p;
        assert_true(asprintf(&p, "%s/%s/%s", dir, tree, name) > 0);
        return p;
}

static void test_same_content_same_hash(void **state) {
        _cleanup_free_ char *p = NULL;
        TreeHash a, b;

        make_tree("a");
        make_tree("b");
        a = hash_of("a", "rendered");
        b = hash_of("b", "rendered");
        assert_string_equal(a.hash, b.hash);
        assert_non_null(startswith(a.hash, "sha512-"));
        assert_int_equal(strlen(a.hash), 7 + 128);
        assert_true(a.size >= strlen("alpha") + strlen("root:x:0:0::/root:/bin/sh\n"));

        /* times are not part of it; the skipped marker is not either */
        p = at("b", "a");
        assert_int_equal(utimes(p, (struct timeval[2]){{1, 0}, {1, 0}}), 0);
        put("b", "rendered", "{\"hash\":\"x\"}");
        b = hash_of("b", "rendered");
        assert_string_equal(a.hash, b.hash);
        /* unless it is not skipped */
        b = hash_of("b", NULL);
        assert_string_not_equal(a.hash, b.hash);
}

static void test_changes_change_hash(void **state) {
        _cleanup_free_ char *f = NULL, *l = NULL, *n = NULL;
        TreeHash a, b;

        make_tree("t");
        a = hash_of("t", "rendered");

        put("t", "etc/passwd", "root:x:0:0::/root:/bin/bash\n"); /* content */
        b = hash_of("t", "rendered");
        assert_string_not_equal(a.hash, b.hash);
        put("t", "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
        b = hash_of("t", "rendered");
        assert_string_equal(a.hash, b.hash);

        f = at("t", "a"); /* mode */
        assert_int_equal(chmod(f, 04755), 0);
        b = hash_of("t", "rendered");
        assert_string_not_equal(a.hash, b.hash);
        assert_int_equal(chmod(f, 0644), 0);

        l = at("t", "sh"); /* symlink target */
        assert_int_equal(unlink(l), 0);
        assert_int_equal(symlink("/bin/dash", l), 0);
        b = hash_of("t", "rendered");
        assert_string_not_equal(a.hash, b.hash);
        assert_int_equal(unlink(l), 0);
        assert_int_equal(symlink("/bin/busybox", l), 0);
        b = hash_of("t", "rendered");
        assert_string_equal(a.hash, b.hash);

        n = at("t", "b"); /* name */
        assert_int_equal(rename(f, n), 0);
        b = hash_of("t", "rendered");
        assert_string_not_equal(a.hash, b.hash);
        assert_int_equal(rename(n, f), 0);

        assert_int_equal(unlink(f), 0); /* a missing file */
        b = hash_of("t", "rendered");
        assert_string_not_equal(a.hash, b.hash);
        put("t", "a", "alphA"); /* same size, one byte off */
        b = hash_of("t", "rendered");
        assert_string_not_equal(a.hash, b.hash);
}

static void test_empty_and_moved_content(void **state) {
        _cleanup_free_ char *x = at("x", ""), *y = at("y", "");
        TreeHash a, b;

        /* "ab" + "" and "a" + "b" must not collide: every field is delimited */
        assert_int_equal(mkdir(x, 0755), 0);
        assert_int_equal(mkdir(y, 0755), 0);
        put("x", "f", "ab");
        put("x", "g", "");
        put("y", "f", "a");
        put("y", "g", "b");
        a = hash_of("x", NULL);
        b = hash_of("y", NULL);
        assert_string_not_equal(a.hash, b.hash);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_same_content_same_hash, setup, teardown),
                cmocka_unit_test_setup_teardown(test_changes_change_hash, setup, teardown),
                cmocka_unit_test_setup_teardown(test_empty_and_moved_content, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
