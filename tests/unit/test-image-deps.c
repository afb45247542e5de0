/* SPDX-License-Identifier: Apache-2.0 */
#include "image-deps.h"
#include "store.h"
#include "unit.h"

static void test_labels_default_os_arch(void **state) {
        AppcKV given[] = {{(char *) "version", (char *) "1.0"}},
               with_os[] = {{(char *) "os", (char *) "freebsd"}};
        AppcDependency d = {.image_name = (char *) "example.com/b", .labels = given, .n_labels = 1};
        _cleanup_free_ AppcKV *l = NULL, *l2 = NULL;
        size_t n = 0;

        assert_int_equal(dependency_labels(&d, "linux", "amd64", &l, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(appc_kv_get(l, n, "version"), "1.0");
        assert_string_equal(appc_kv_get(l, n, "os"), "linux");
        assert_string_equal(appc_kv_get(l, n, "arch"), "amd64");

        /* What the dependency gives is kept. */
        d = (AppcDependency){.image_name = (char *) "example.com/b", .labels = with_os, .n_labels = 1};
        assert_int_equal(dependency_labels(&d, "linux", "amd64", &l2, &n), 0);
        assert_int_equal(n, 2);
        assert_string_equal(appc_kv_get(l2, n, "os"), "freebsd");
        assert_string_equal(appc_kv_get(l2, n, "arch"), "amd64");
}

static void test_cycle(void **state) {
        AppcKV la[] = {{(char *) "version", (char *) "1"}, {(char *) "os", (char *) "linux"}};
        AppcKV want1[] = {{(char *) "version", (char *) "1"}},
               want2[] = {{(char *) "version", (char *) "2"}};
        AppcImageManifest a = {.name = (char *) "example.com/a", .labels = la, .n_labels = 2};
        AppcImageManifest b = {.name = (char *) "example.com/b"};
        DependencyLink chain[] = {{"sha512-aaaa1111", &a}, {"sha512-bbbb2222", &b}};
        AppcDependency to_a = {.image_name = (char *) "example.com/a"};
        AppcDependency to_c = {.image_name = (char *) "example.com/c"};
        AppcDependency by_id = {.image_name = (char *) "example.com/renamed",
                                .image_id = (char *) "sha512-bbbb"};
        AppcDependency other_id = {.image_name = (char *) "example.com/b",
                                   .image_id = (char *) "sha512-cccc"};
        _cleanup_free_ char *text = NULL;

        assert_int_equal(dependency_cycle(chain, 2, &to_a, want1, 1), 0);
        assert_int_equal(dependency_cycle(chain, 2, &to_a, NULL, 0), 0);
        /* Another version of a is another image: no cycle. */
        assert_int_equal(dependency_cycle(chain, 2, &to_a, want2, 1), -1);
        assert_int_equal(dependency_cycle(chain, 2, &to_c, NULL, 0), -1);
        /* An imageID decides by itself, whatever the name says. */
        assert_int_equal(dependency_cycle(chain, 2, &by_id, NULL, 0), 1);
        assert_int_equal(dependency_cycle(chain, 2, &other_id, NULL, 0), -1);
        assert_int_equal(dependency_cycle(chain, 0, &to_a, NULL, 0), -1);

        text = dependency_cycle_format(chain, 2, 0, "example.com/a");
        assert_string_equal(text, "'example.com/a' -> 'example.com/b' -> 'example.com/a'");
}

static void test_preferred(void **state) {
        ImageRecord old_latest = {.id = (char *) "sha512-1", .import_time = 100, .latest = true};
        ImageRecord newer = {.id = (char *) "sha512-2", .import_time = 200};
        ImageRecord twin = {.id = (char *) "sha512-3", .import_time = 200};

        /* Without a version asked for, latest wins over newer imports. */
        assert_true(image_record_preferred(&old_latest, &newer, false));
        assert_false(image_record_preferred(&newer, &old_latest, false));
        /* With one, only the import time counts. */
        assert_true(image_record_preferred(&newer, &old_latest, true));
        assert_false(image_record_preferred(&old_latest, &newer, true));
        /* A tie goes to the higher ID, whatever the order of comparison. */
        assert_true(image_record_preferred(&twin, &newer, false));
        assert_false(image_record_preferred(&newer, &twin, false));
}

RUN_TESTS(cmocka_unit_test(test_labels_default_os_arch), cmocka_unit_test(test_cycle),
          cmocka_unit_test(test_preferred))
