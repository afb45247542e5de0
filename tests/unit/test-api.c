/* SPDX-License-Identifier: Apache-2.0 */
/* The pure parts of rkt api-service: gRPC framing and headers, listen addresses, UTF-8 repair, and
 * rkt 1.30's filter semantics. */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "filter.h"
#include "grpc.h"
#include "server.h"
#include "service.h"
#include "unit.h"

static void test_timeout(void **state) {
        uint64_t t;

        assert_int_equal(grpc_parse_timeout("5S", &t), 0);
        assert_int_equal(t, 5000000);
        assert_int_equal(grpc_parse_timeout("250m", &t), 0);
        assert_int_equal(t, 250000);
        assert_int_equal(grpc_parse_timeout("3000n", &t), 0);
        assert_int_equal(t, 3);
        assert_int_equal(grpc_parse_timeout("99999999H", &t), 0);
        assert_int_equal(t, 99999999ULL * 3600 * 1000000);
        assert_int_equal(grpc_parse_timeout("2M", &t), 0);
        assert_int_equal(t, 120000000);
        assert_int_equal(grpc_parse_timeout("100000000S", &t), -EINVAL); /* 9 digits */
        assert_int_equal(grpc_parse_timeout("S", &t), -EINVAL);
        assert_int_equal(grpc_parse_timeout("5", &t), -EINVAL);
        assert_int_equal(grpc_parse_timeout("5x", &t), -EINVAL);
        assert_int_equal(grpc_parse_timeout("5SS", &t), -EINVAL);
        assert_int_equal(grpc_parse_timeout("-5S", &t), -EINVAL);
}

static void test_percent_encode(void **state) {
        _cleanup_free_ char *a = grpc_percent_encode("pod 'x': 100% gone\n\xc3\xa9");

        assert_string_equal(a, "pod 'x': 100%25 gone%0A%C3%A9");
}

static void test_unframe(void **state) {
        const uint8_t ok[] = {0, 0, 0, 0, 2, 0x10, 0x01}, empty[] = {0, 0, 0, 0, 0},
                      compressed[] = {1, 0, 0, 0, 1, 0}, short_[] = {0, 0, 0, 0, 3, 1},
                      two[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, huge[] = {0, 0x7f, 0xff, 0xff, 0xff};
        const uint8_t *m;
        size_t n;

        assert_int_equal(grpc_unframe(ok, sizeof(ok), &m, &n), 0);
        assert_ptr_equal(m, ok + 5);
        assert_int_equal(n, 2);
        assert_int_equal(grpc_unframe(empty, sizeof(empty), &m, &n), 0);
        assert_int_equal(n, 0);
        assert_int_equal(grpc_unframe(compressed, sizeof(compressed), &m, &n), -ENOTSUP);
        assert_int_equal(grpc_unframe(short_, sizeof(short_), &m, &n), -EBADMSG);
        assert_int_equal(grpc_unframe(two, sizeof(two), &m, &n), -EBADMSG);
        assert_int_equal(grpc_unframe(huge, sizeof(huge), &m, &n), -EFBIG);
        assert_int_equal(grpc_unframe(ok, 4, &m, &n), -EBADMSG);
}

static void check_address(const char *a, const char *host, const char *port) {
        _cleanup_free_ char *h = NULL, *p = NULL;

        assert_int_equal(api_split_address(a, &h, &p), 0);
        if (host)
                assert_string_equal(h, host);
        else
                assert_null(h);
        assert_string_equal(p, port);
}

static void test_address(void **state) {
        char *h, *p;

        check_address("localhost:15441", "localhost", "15441");
        check_address("0.0.0.0:1", "0.0.0.0", "1");
        check_address("[::1]:15441", "::1", "15441");
        check_address(":80", NULL, "80");
        assert_int_equal(api_split_address("localhost", &h, &p), -EINVAL);
        assert_int_equal(api_split_address("::1:80", &h, &p), -EINVAL);
        assert_int_equal(api_split_address("[::1]80", &h, &p), -EINVAL);
        assert_int_equal(api_split_address("host:", &h, &p), -EINVAL);
        assert_int_equal(api_split_address("host:65536", &h, &p), -EINVAL);
        assert_int_equal(api_split_address("host:8x", &h, &p), -EINVAL);
}

static void test_string(void **state) {
        Arena a = {};

        assert_string_equal(api_string(&a, NULL), "");
        assert_string_equal(api_string(&a, "caf\xc3\xa9 \xf0\x9f\x90\xb3"), "caf\xc3\xa9 \xf0\x9f\x90\xb3");
        /* a stray continuation byte, a truncated sequence, an overlong '/', a surrogate */
        assert_string_equal(api_string(&a, "a\x80z"), "a\xef\xbf\xbdz");
        assert_string_equal(api_string(&a, "\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");
        assert_string_equal(api_string(&a, "\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");
        assert_string_equal(api_string(&a, "\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
        arena_done(&a);
}

static void test_pod_filters(void **state) {
        V1alpha__KeyValue kv = V1ALPHA__KEY_VALUE__INIT, other = V1ALPHA__KEY_VALUE__INIT, *kvs[] = {&kv},
                          *want[] = {&other};
        V1alpha__Image img = V1ALPHA__IMAGE__INIT;
        V1alpha__App a1 = V1ALPHA__APP__INIT, a2 = V1ALPHA__APP__INIT, *apps[] = {&a1, &a2};
        V1alpha__Network net = V1ALPHA__NETWORK__INIT, *nets[] = {&net};
        V1alpha__Pod pod = V1ALPHA__POD__INIT;
        V1alpha__PodFilter f = V1ALPHA__POD_FILTER__INIT, g = V1ALPHA__POD_FILTER__INIT, *fs[] = {&f, &g};
        V1alpha__PodState states[] = {V1ALPHA__POD_STATE__POD_STATE_EXITED,
                                      V1ALPHA__POD_STATE__POD_STATE_RUNNING};
        char *ids[] = {(char *) "a", (char *) "p1"}, *names[] = {(char *) "one", (char *) "two"},
             *net_names[] = {(char *) "default"}, *cg[] = {(char *) "/machine.slice/m.scope/system.slice"};

        kv.key = (char *) "k";
        kv.value = (char *) "v";
        img.id = (char *) "sha512-1";
        a1.name = (char *) "one";
        a1.image = &img;
        a2.name = (char *) "two";
        a2.image = &img;
        net.name = (char *) "default";
        pod.id = (char *) "p1";
        pod.state = V1ALPHA__POD_STATE__POD_STATE_RUNNING;
        pod.apps = apps;
        pod.n_apps = 2;
        pod.networks = nets;
        pod.n_networks = 1;
        pod.annotations = kvs;
        pod.n_annotations = 1;
        pod.cgroup = (char *) "/machine.slice/m.scope";

        /* no filters, an empty filter: everything */
        assert_true(api_pod_filters_match(&pod, NULL, 0));
        assert_true(api_pod_filter_match(&pod, &f));
        /* ids and states: any of */
        f.ids = ids;
        f.n_ids = 2;
        f.states = states;
        f.n_states = 2;
        assert_true(api_pod_filter_match(&pod, &f));
        f.n_ids = 1;
        assert_false(api_pod_filter_match(&pod, &f));
        f.n_ids = 0;
        f.n_states = 1;
        assert_false(api_pod_filter_match(&pod, &f));
        f.n_states = 0;
        /* apps, networks, annotations: all of */
        f.app_names = names;
        f.n_app_names = 2;
        f.network_names = net_names;
        f.n_network_names = 1;
        f.annotations = kvs;
        f.n_annotations = 1;
        assert_true(api_pod_filter_match(&pod, &f));
        pod.n_apps = 1;
        assert_false(api_pod_filter_match(&pod, &f));
        pod.n_apps = 2;
        other.key = (char *) "k";
        other.value = (char *) "w";
        f.annotations = want;
        assert_false(api_pod_filter_match(&pod, &f));
        /* filters OR-ed */
        g.ids = ids + 1;
        g.n_ids = 1;
        assert_true(api_pod_filters_match(&pod, fs, 2));
        assert_false(api_pod_filters_match(&pod, fs, 1));
        /* a sub-cgroup: below the pod's */
        g.n_ids = 0;
        g.pod_sub_cgroups = cg;
        g.n_pod_sub_cgroups = 1;
        assert_true(api_pod_filter_match(&pod, &g));
        pod.cgroup = (char *) "";
        assert_false(api_pod_filter_match(&pod, &g));
}

static void test_image_filters(void **state) {
        V1alpha__Image img = V1ALPHA__IMAGE__INIT;
        V1alpha__ImageFilter f = V1ALPHA__IMAGE_FILTER__INIT;
        char *etcd[] = {(char *) "etcd"}, *prefix[] = {(char *) "coreos.com/"};

        img.id = (char *) "sha512-1";
        img.name = (char *) "coreos.com/etcd";
        img.import_timestamp = 100;
        f.base_names = etcd;
        f.n_base_names = 1;
        assert_true(api_image_filter_match(&img, &f));
        img.name = (char *) "k8s.io/etcd-backup";
        assert_false(api_image_filter_match(&img, &f));
        f.n_base_names = 0;
        f.keywords = etcd;
        f.n_keywords = 1;
        assert_true(api_image_filter_match(&img, &f));
        f.prefixes = prefix;
        f.n_prefixes = 1;
        assert_false(api_image_filter_match(&img, &f));
        f.n_prefixes = 0;
        f.imported_after = 100;
        assert_false(api_image_filter_match(&img, &f));
        f.imported_after = 99;
        f.imported_before = 101;
        assert_true(api_image_filter_match(&img, &f));
}

static void test_event_filter(void **state) {
        V1alpha__Event e = V1ALPHA__EVENT__INIT;
        V1alpha__EventFilter f = V1ALPHA__EVENT_FILTER__INIT;
        V1alpha__EventType types[] = {V1ALPHA__EVENT_TYPE__EVENT_TYPE_POD_EXITED};
        char *names[] = {(char *) "app"};

        e.type = V1ALPHA__EVENT_TYPE__EVENT_TYPE_POD_STARTED;
        e.id = (char *) "p";
        e.from = (char *) "app";
        e.time = 50;
        assert_true(api_event_filter_match(&e, NULL));
        assert_true(api_event_filter_match(&e, &f));
        f.types = types;
        f.n_types = 1;
        assert_false(api_event_filter_match(&e, &f));
        e.type = V1ALPHA__EVENT_TYPE__EVENT_TYPE_POD_EXITED;
        f.names = names;
        f.n_names = 1;
        f.since_time = 50;
        assert_true(api_event_filter_match(&e, &f));
        f.since_time = 51;
        assert_false(api_event_filter_match(&e, &f));
}

static void test_pod_state(void **state) {
        assert_int_equal(api_pod_state(POD_EXITED_GARBAGE), V1ALPHA__POD_STATE__POD_STATE_GARBAGE);
        assert_int_equal(api_pod_state(POD_EXITED_DELETING), V1ALPHA__POD_STATE__POD_STATE_DELETING);
        assert_int_equal(api_pod_state(POD_ABORTED_PREPARE), V1ALPHA__POD_STATE__POD_STATE_ABORTED_PREPARE);
        assert_int_equal(api_pod_state(POD_RUNNING), V1ALPHA__POD_STATE__POD_STATE_RUNNING);
}

RUN_TESTS(cmocka_unit_test(test_timeout), cmocka_unit_test(test_percent_encode),
          cmocka_unit_test(test_unframe), cmocka_unit_test(test_address), cmocka_unit_test(test_string),
          cmocka_unit_test(test_pod_filters), cmocka_unit_test(test_image_filters),
          cmocka_unit_test(test_event_filter), cmocka_unit_test(test_pod_state))
