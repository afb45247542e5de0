/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "path.h"
#include "pod-name.h"
#include "unit.h"

static char dir[64];

static int setup(void **state) {
        strcpy(dir, "/tmp/rkt-test-pod-name-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        return rm_rf_at(AT_FDCWD, dir);
}

static void test_valid(void **state) {
        const char *good[] = {
                "web", "a",    "Web_1.prod-2",
                "db",  "0abc", "x123456789012345678901234567890123456789012345678901234567890123"};
        const char *bad[] = {"",
                             "-web",
                             "web-",
                             "web.",
                             ".web",
                             "a..b",
                             "a/b",
                             "a b",
                             "we$b",
                             "é",
                             "0123abcd-4567-89ef-0123-456789abcdef",
                             "x1234567890123456789012345678901234567890123456789012345678901234",
                             "_web"};
        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                assert_true(pod_name_valid(good[i]));
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_false(pod_name_valid(bad[i]));
        assert_false(pod_name_valid(NULL));
}

static void test_claim_resolve_release(void **state) {
        _cleanup_(pod_freep) Pod *a = NULL, *b = NULL, *opened = NULL;
        _cleanup_free_ char *name = NULL;
        RktError *err = NULL;
        char uuid[37];

        /* Nothing claimed yet, not even the directory. */
        assert_int_equal(pod_name_resolve(dir, "web", uuid), -ENOENT);
        assert_int_equal(pod_name_claim(dir, "web", NULL, NULL), 0);
        assert_int_equal(pod_name_claim(dir, "-web", NULL, &err), -EINVAL);
        assert_non_null(strstr(err->message, "invalid pod name '-web'"));
        err = rkt_error_free(err);

        assert_int_equal(pod_new(dir, &a, NULL), 0);
        assert_int_equal(pod_name_claim(dir, "web", a, NULL), 0);
        assert_int_equal(pod_name_resolve(dir, "web", uuid), 0);
        assert_string_equal(uuid, a->uuid);
        assert_int_equal(pod_name_read(a, &name), 0);
        assert_string_equal(name, "web");
        /* pod_open() takes the name. */
        assert_int_equal(pod_open(dir, "web", &opened, NULL), 0);
        assert_string_equal(opened->uuid, a->uuid);

        /* Taken while the pod is not garbage: a check and a claim are refused alike. */
        assert_int_equal(pod_new(dir, &b, NULL), 0);
        assert_int_equal(pod_name_claim(dir, "web", NULL, &err), -EEXIST);
        err = rkt_error_free(err);
        assert_int_equal(pod_name_claim(dir, "web", b, &err), -EEXIST);
        assert_non_null(strstr(err->message, "pod name 'web' is taken by pod "));
        assert_non_null(strstr(err->message, a->uuid));
        err = rkt_error_free(err);
        assert_int_equal(pod_name_resolve(dir, "web", uuid), 0);
        assert_string_equal(uuid, a->uuid);

        /* a's prepare is aborted (its lock released while preparing): the name is free for b. */
        a = pod_free(a);
        assert_int_equal(pod_name_claim(dir, "web", b, NULL), 0);
        assert_int_equal(pod_name_resolve(dir, "web", uuid), 0);
        assert_string_equal(uuid, b->uuid);

        /* Releasing a pod that no longer holds the name leaves the link alone. */
        assert_int_equal(pod_open(dir, opened->uuid, &a, NULL), 0);
        assert_int_equal(pod_name_release(a), 0);
        assert_int_equal(pod_name_resolve(dir, "web", uuid), 0);
        assert_int_equal(pod_name_release(b), 0);
        assert_int_equal(pod_name_resolve(dir, "web", uuid), -ENOENT);
}

static void test_hostile_link(void **state) {
        _cleanup_free_ char *names = path_join(dir, "pods/names"), *link = path_join(names, "web");
        char uuid[37];

        assert_int_equal(mkdir_p(names, 0750), 0);
        /* A link that is no UUID names no pod, and is never followed. */
        assert_int_equal(symlink("../../../etc", link), 0);
        assert_int_equal(pod_name_resolve(dir, "web", uuid), -ENOENT);
        assert_int_equal(pod_name_claim(dir, "web", NULL, NULL), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid),
                cmocka_unit_test_setup_teardown(test_claim_resolve_release, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hostile_link, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
