/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "appc.h"
#include "fly-mounts.h"
#include "stage1-isolation.h"
#include "unit.h"

/* The order: /tmp first (volumes below it land in it), then the volumes as given, the DNS files read-only,
 * and the host's trees last and recursive (no mount point is ever made in them). */
static void test_plan_order(void **state) {
        const FlyVolume v[] = {
                {.name = "data", .source = "/srv/data", .target = "/data", .dir = true, .read_only = true},
                {.name = "sock", .source = "/run/x.sock", .target = "/tmp/x.sock", .recursive = true},
        };
        FlyMount *m = NULL;
        size_t n = 0;

        assert_int_equal(
                fly_mount_plan(v, 2, "/pod/stage1/rootfs/etc/rkt-resolv.conf", "/etc/hosts", &m, &n), 0);
        assert_int_equal(n, 8);
        assert_null(m[0].source);
        assert_string_equal(m[0].target, "/tmp");
        assert_true(m[0].dir);
        assert_false(m[0].read_only);
        assert_string_equal(m[1].volume, "data");
        assert_string_equal(m[1].source, "/srv/data");
        assert_true(m[1].read_only);
        assert_false(m[1].recursive);
        assert_true(m[1].dir);
        assert_string_equal(m[2].target, "/tmp/x.sock");
        assert_true(m[2].recursive);
        assert_false(m[2].dir);
        assert_string_equal(m[3].target, "/etc/resolv.conf");
        assert_string_equal(m[3].source, "/pod/stage1/rootfs/etc/rkt-resolv.conf");
        assert_true(m[3].read_only);
        assert_false(m[3].dir);
        assert_null(m[3].volume);
        assert_string_equal(m[4].target, "/etc/hosts");
        assert_true(m[4].read_only);
        for (size_t i = 5; i < 8; i++) {
                static const char *const trees[] = {"/dev", "/proc", "/sys"};
                assert_string_equal(m[i].source, trees[i - 5]);
                assert_string_equal(m[i].target, trees[i - 5]);
                assert_true(m[i].recursive);
                assert_true(m[i].dir);
                assert_false(m[i].read_only);
                assert_null(m[i].volume);
        }
        free(m);

        /* Without DNS files the image's own stay. */
        assert_int_equal(fly_mount_plan(NULL, 0, NULL, NULL, &m, &n), 0);
        assert_int_equal(n, 4);
        assert_string_equal(m[0].target, "/tmp");
        assert_string_equal(m[1].target, "/dev");
        free(m);
}

static void test_host_tree(void **state) {
        assert_true(fly_path_in_host_tree("/dev"));
        assert_true(fly_path_in_host_tree("/dev/fuse"));
        assert_true(fly_path_in_host_tree("/proc/sys/net"));
        assert_true(fly_path_in_host_tree("/sys"));
        assert_false(fly_path_in_host_tree("/"));
        assert_false(fly_path_in_host_tree("/devices"));
        assert_false(fly_path_in_host_tree("/system/x"));
        assert_false(fly_path_in_host_tree("/var/dev"));
        assert_false(fly_path_in_host_tree("/tmp"));
}

/* fly's volumes are not recursive unless the volume says so (rkt's fly); nspawn's are. */
static void test_recursive_default(void **state) {
        static const char pod_json[] =
                "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[{\"name\":\"a\",\"image\":{"
                "\"id\":"
                "\"sha512-0000000000000000000000000000000000000000000000000000000000000000\"},\"app\":{"
                "\"exec\":["
                "\"/x\"],\"user\":\"0\",\"group\":\"0\"},\"mounts\":[{\"volume\":\"plain\",\"path\":\"/p\"},"
                "{\"volume\":\"rec\",\"path\":\"/r\"},{\"volume\":\"flat\",\"path\":\"/f\"}]}],"
                "\"volumes\":[{\"name\":\"plain\",\"kind\":\"host\",\"source\":\"/srv/p\"},"
                "{\"name\":\"rec\",\"kind\":\"host\",\"source\":\"/srv/r\",\"recursive\":true},"
                "{\"name\":\"flat\",\"kind\":\"host\",\"source\":\"/srv/f\",\"recursive\":false}]}";
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *pod = NULL;
        Stage1Mount *m = NULL;
        size_t n = 0;

        assert_int_equal(appc_pod_manifest_parse(pod_json, strlen(pod_json), &pod, NULL), 0);
        assert_int_equal(stage1_app_mounts(&pod->apps[0], pod->apps[0].app, pod->volumes, pod->n_volumes,
                                           false, &m, &n, NULL),
                         0);
        assert_int_equal(n, 3);
        assert_false(m[0].recursive);
        assert_true(m[1].recursive);
        assert_false(m[2].recursive);
        stage1_mounts_free(m, n);
        assert_int_equal(stage1_app_mounts(&pod->apps[0], pod->apps[0].app, pod->volumes, pod->n_volumes,
                                           true, &m, &n, NULL),
                         0);
        assert_true(m[0].recursive);
        assert_true(m[1].recursive);
        assert_false(m[2].recursive);
        stage1_mounts_free(m, n);
}

RUN_TESTS(cmocka_unit_test(test_plan_order), cmocka_unit_test(test_host_tree),
          cmocka_unit_test(test_recursive_default))
