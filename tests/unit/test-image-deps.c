/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

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

static void test_format(void **state) {
        AppcKV labels[] = {{(char *) "zone", (char *) "eu"},
                           {(char *) "arch", (char *) "arm64"},
                           {(char *) "version", (char *) "1.0"},
                           {(char *) "channel", (char *) "beta"}};
        AppcDependency plain = {.image_name = (char *) "example.com/b"};
        AppcDependency labelled = {.image_name = (char *) "example.com/b", .labels = labels, .n_labels = 4};
        _cleanup_free_ char *a = dependency_format(&plain), *b = dependency_format(&labelled);

        assert_string_equal(a, "example.com/b");
        /* rkt 1.30's order: version after the name, then os and arch, then the others by name. */
        assert_string_equal(b, "example.com/b:1.0,arch=arm64,channel=beta,zone=eu");
}

static void test_graph_find(void **state) {
        AppcKV la[] = {{(char *) "version", (char *) "1"}, {(char *) "os", (char *) "linux"}};
        AppcKV want1[] = {{(char *) "version", (char *) "1"}},
               want2[] = {{(char *) "version", (char *) "2"}},
               os_bsd[] = {{(char *) "os", (char *) "freebsd"}};
        AppcImageManifest a = {.name = (char *) "example.com/a", .labels = la, .n_labels = 2};
        AppcImageManifest b = {.name = (char *) "example.com/b"};
        AppcDependency to_a1 = {.image_name = (char *) "example.com/a", .labels = want1, .n_labels = 1};
        AppcDependency to_a2 = {.image_name = (char *) "example.com/a", .labels = want2, .n_labels = 1};
        AppcDependency to_a_bsd = {.image_name = (char *) "example.com/a", .labels = os_bsd, .n_labels = 1};
        AppcDependency to_b = {.image_name = (char *) "example.com/b"};
        AppcDependency to_c = {.image_name = (char *) "example.com/c"};
        AppcDependency by_id = {.image_name = (char *) "example.com/renamed",
                                .image_id = (char *) "sha512-bbbb"};
        AppcDependency other_id = {.image_name = (char *) "example.com/b",
                                   .image_id = (char *) "sha512-cccc"};
        DependencyGraph g = {};
        size_t k;

        assert_int_equal(dependency_graph_add(&g, "sha512-aaaa1111", &a, -1, NULL, NULL, &k), 0);
        assert_int_equal(dependency_graph_add(&g, "sha512-bbbb2222", &b, 0, "example.com/b", NULL, &k), 0);
        assert_int_equal(k, 1);
        assert_int_equal(g.nodes[1].level, 1);
        assert_int_equal(dependency_graph_find_id(&g, "sha512-bbbb2222"), 1);
        assert_int_equal(dependency_graph_find_id(&g, "sha512-bbbb"), -1);

        assert_int_equal(dependency_graph_find(&g, &to_a1, "linux", "amd64"), 0);
        /* Another version, or another os than the image's, is another image. */
        assert_int_equal(dependency_graph_find(&g, &to_a2, "linux", "amd64"), -1);
        assert_int_equal(dependency_graph_find(&g, &to_a1, "freebsd", "amd64"), -1);
        assert_int_equal(dependency_graph_find(&g, &to_a_bsd, "linux", "amd64"), -1);
        /* An image without os and arch labels matches the host's defaults. */
        assert_int_equal(dependency_graph_find(&g, &to_b, "linux", "amd64"), 1);
        assert_int_equal(dependency_graph_find(&g, &to_c, "linux", "amd64"), -1);
        /* An imageID decides by itself, whatever the name says. */
        assert_int_equal(dependency_graph_find(&g, &by_id, "linux", "amd64"), 1);
        assert_int_equal(dependency_graph_find(&g, &other_id, "linux", "amd64"), -1);
        dependency_graph_done(&g, NULL);
}

/* a -> (b, c, d), c -> (b, e), d -> (b, e), e -> f, numbered in the order breadth first finds them. */
static void test_graph_order(void **state) {
        static const char *const names[] = {"a", "b", "c", "d", "e", "f"};
        AppcImageManifest m[6] = {};
        DependencyGraph g = {};
        _cleanup_free_ size_t *order = NULL;
        size_t pos[6], n = 0, k;
        char id[32];

        for (size_t i = 0; i < 6; i++) {
                m[i].name = (char *) names[i];
                snprintf(id, sizeof(id), "sha512-%zu", i);
                assert_int_equal(dependency_graph_add(&g, id, &m[i], i == 0 ? -1 : 0, names[i], NULL, &k),
                                 0);
        }
        assert_int_equal(dependency_graph_link(&g, 0, 1), 0);
        assert_int_equal(dependency_graph_link(&g, 0, 2), 0);
        assert_int_equal(dependency_graph_link(&g, 0, 3), 0);
        assert_int_equal(dependency_graph_link(&g, 2, 1), 0);
        assert_int_equal(dependency_graph_link(&g, 2, 4), 0);
        assert_int_equal(dependency_graph_link(&g, 3, 1), 0);
        assert_int_equal(dependency_graph_link(&g, 3, 4), 0);
        assert_int_equal(dependency_graph_link(&g, 4, 5), 0);
        assert_int_equal(dependency_graph_order(&g, &order, &n, NULL), 0);
        assert_int_equal(n, 6);
        for (size_t i = 0; i < n; i++)
                pos[order[i]] = i;
        /* Each after what it depends on. */
        for (size_t i = 0; i < g.n; i++)
                for (size_t j = 0; j < g.nodes[i].n_deps; j++)
                        assert_true(pos[g.nodes[i].deps[j]] < pos[i]);
        assert_int_equal(order[n - 1], 0);
        dependency_graph_done(&g, NULL);
}

static void test_graph_cycle_and_depth(void **state) {
        AppcImageManifest m[3] = {{.name = (char *) "example.com/a"},
                                  {.name = (char *) "example.com/b"},
                                  {.name = (char *) "example.com/c"}};
        AppcImageManifest chain[DEPENDENCY_DEPTH_MAX + 2] = {};
        _cleanup_error_ RktError *e = NULL, *e2 = NULL;
        _cleanup_free_ size_t *order = NULL;
        DependencyGraph g = {};
        size_t n = 0, k;
        char id[32];

        for (size_t i = 0; i < 3; i++) {
                snprintf(id, sizeof(id), "sha512-%zu", i);
                assert_int_equal(dependency_graph_add(&g, id, &m[i], (ssize_t) i - 1, m[i].name, NULL, &k),
                                 0);
        }
        assert_int_equal(dependency_graph_link(&g, 0, 1), 0);
        assert_int_equal(dependency_graph_link(&g, 1, 2), 0);
        assert_int_equal(dependency_graph_link(&g, 2, 1), 0);
        assert_int_equal(dependency_graph_order(&g, &order, &n, &e), -ELOOP);
        assert_string_equal(rkt_error_message(e, 0),
                            "dependency cycle: 'example.com/b' -> 'example.com/c' -> 'example.com/b'");
        /* How node 2 was reached. */
        assert_int_equal(dependency_graph_prefix(&g, 2, &e, -ELOOP), -ELOOP);
        assert_string_equal(rkt_error_message(e, 0),
                            "dependency 'example.com/b' of 'example.com/a': dependency 'example.com/c' of "
                            "'example.com/b': dependency cycle: 'example.com/b' -> 'example.com/c' -> "
                            "'example.com/b'");
        dependency_graph_done(&g, NULL);

        /* DEPENDENCY_DEPTH_MAX images with dependencies on a path are fine, one more is not. */
        for (size_t i = 0; i < ELEMENTSOF(chain); i++) {
                chain[i].name = (char *) "example.com/x";
                snprintf(id, sizeof(id), "sha512-%zu", i);
                assert_int_equal(dependency_graph_add(&g, id, &chain[i], (ssize_t) i - 1, "x", NULL, &k), 0);
                if (i > 0)
                        assert_int_equal(dependency_graph_link(&g, i - 1, i), 0);
        }
        g.nodes[DEPENDENCY_DEPTH_MAX].n_deps = 0;
        order = mfree(order);
        assert_int_equal(dependency_graph_order(&g, &order, &n, NULL), 0);
        assert_int_equal(n, DEPENDENCY_DEPTH_MAX + 1);
        g.nodes[DEPENDENCY_DEPTH_MAX].n_deps = 1;
        order = mfree(order);
        assert_int_equal(dependency_graph_order(&g, &order, &n, &e2), -ELOOP);
        assert_string_equal(rkt_error_message(e2, 0), "dependencies nest deeper than 32 images");
        dependency_graph_done(&g, NULL);
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

RUN_TESTS(cmocka_unit_test(test_labels_default_os_arch), cmocka_unit_test(test_format),
          cmocka_unit_test(test_graph_find), cmocka_unit_test(test_graph_order),
          cmocka_unit_test(test_graph_cycle_and_depth), cmocka_unit_test(test_preferred))
