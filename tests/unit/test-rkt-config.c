/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rkt-config.h"
#include "fs.h"
#include "path.h"
#include "strv.h"
#include "unit.h"

static char dir[64];

static int setup(void **state) {
        strcpy(dir, "/tmp/rkt-test-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        return rm_rf_at(AT_FDCWD, dir);
}

/* Writes <dir>/<sub>/auth.d/<file>. */
static void put(const char *sub, const char *file, const char *json) {
        _cleanup_free_ char *d = NULL, *f = NULL;

        assert_true(asprintf(&d, "%s/%s/auth.d", dir, sub) > 0);
        assert_int_equal(mkdir_p(d, 0755), 0);
        f = path_join(d, file);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, f, json, strlen(json), 0600), 0);
}

static int load(RktConfig **c, RktError **e) {
        _cleanup_free_ char *s = NULL, *l = NULL, *u = NULL;
        const char *dirs[3];

        assert_true(asprintf(&s, "%s/system", dir) > 0);
        assert_true(asprintf(&l, "%s/local", dir) > 0);
        assert_true(asprintf(&u, "%s/user", dir) > 0);
        dirs[0] = s;
        dirs[1] = l;
        dirs[2] = u;
        return rkt_config_load(dirs, 3, c, e);
}

static void test_empty(void **state) {
        _cleanup_(rkt_config_freep) RktConfig *c = NULL;
        const char *dirs[] = {"/nonexistent-rkt-config", NULL};

        assert_int_equal(rkt_config_load(dirs, 2, &c, NULL), 0);
        assert_int_equal(c->n_auth, 0);
        assert_null(rkt_config_find_auth(c, "example.com"));
        assert_null(rkt_config_find_auth(NULL, "example.com"));
}

static void test_merge_and_headers(void **state) {
        _cleanup_(rkt_config_freep) RktConfig *c = NULL;
        const AuthEntry *a;
        char *h = NULL;

        put("system", "a.json",
            "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"example.com\",\"Other.org:8443\"],"
            "\"type\":\"basic\",\"credentials\":{\"user\":\"bob\",\"password\":\"secret\"}}");
        put("local", "b.json",
            "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"example.com\"],\"type\":\"oauth\","
            "\"credentials\":{\"token\":\"sometoken\"}}");
        put("local", "ignored.txt", "not json");
        put("user", "d.json",
            "{\"rktKind\":\"dockerAuth\",\"rktVersion\":\"v1\",\"registries\":[\"quay.io\"],"
            "\"credentials\":{\"user\":\"u\",\"password\":\"p\"}}");
        assert_int_equal(load(&c, NULL), 0);
        assert_int_equal(c->n_auth, 2);
        assert_int_equal(c->n_docker_auth, 1);

        /* The local dir overrides the system one for example.com. */
        a = rkt_config_find_auth(c, "EXAMPLE.com");
        assert_non_null(a);
        assert_int_equal(a->type, AUTH_OAUTH);
        assert_int_equal(auth_entry_header(a, &h, NULL), 0);
        assert_string_equal(h, "Authorization: Bearer sometoken");
        free(h);

        /* host:port entries match that port only. */
        assert_null(rkt_config_find_auth(c, "other.org"));
        assert_null(rkt_config_find_auth(c, "example.com:8443"));
        a = rkt_config_find_auth(c, "other.org:8443");
        assert_non_null(a);
        assert_int_equal(auth_entry_header(a, &h, NULL), 0);
        assert_string_equal(h, "Authorization: Basic Ym9iOnNlY3JldA=="); /* bob:secret */
        free(h);
}

static void test_errors_name_the_file_not_the_secret(void **state) {
        static const struct {
                const char *json;
                const char *message;
        } cases[] = {
                {"{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"a\"],\"type\":\"basic\","
                 "\"credentials\":{\"user\":\"u\"}}",
                 "password not specified"},
                {"{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[],\"type\":\"basic\","
                 "\"credentials\":{\"user\":\"u\",\"password\":\"hunter2\"}}",
                 "no domains specified"},
                {"{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"a\"],\"type\":\"kerberos\","
                 "\"credentials\":{}}",
                 "unknown auth type 'kerberos'"},
                {"{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"a\"],\"type\":\"oauth\","
                 "\"credentials\":{}}",
                 "no oauth bearer token specified"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"/x\"}",
                 "auth.d holds files of kind"},
                {"{\"rktKind\":\"auth\",\"rktVersion\":\"v2\"}",
                 "no parser for kind \"auth\" and version \"v2\""},
                {"{\"rktVersion\":\"v1\"}", "no rktKind specified"},
                {"{\"password\":\"hunter2\"", "not a JSON object"},
                /* A value of the wrong type is the file's error, naming the key. */
                {"{\"rktKind\":null,\"rktVersion\":\"v1\"}", "field 'rktKind': must be a string, not null"},
                {"{\"rktKind\":\"auth\",\"rktVersion\":1}",
                 "field 'rktVersion': must be a string, not an integer"},
                {"{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":null,\"type\":\"basic\"}",
                 "field 'domains': must be an array, not null"},
                {"{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"a\"],\"type\":{},"
                 "\"credentials\":{}}",
                 "field 'type': must be a string, not an object"},
                {"{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"a\"],\"type\":\"basic\","
                 "\"credentials\":{\"user\":\"u\",\"password\":null}}",
                 "field 'credentials.password': must be a string, not null"},
                /* Found by fuzz-config: auth.d quoted a kind with a newline in it. */
                {"{\"rktKind\":\"dockerAut\\n\",\"rktVersion\":\"v1\"}",
                 "field 'rktKind': must not contain control characters"},
                {"{\"rktKind\":\"dockerAuth\",\"rktVersion\":\"v1\",\"registries\":[\"q\"],"
                 "\"credentials\":[]}",
                 "field 'credentials': must be an object, not an array"},
                {"{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"a/b\"],\"type\":\"oauth\","
                 "\"credentials\":{\"token\":\"hunter2\"}}",
                 "domains must be host names"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(rkt_config_freep) RktConfig *c = NULL;
                _cleanup_error_ RktError *e = NULL;
                _cleanup_free_ char *sub = NULL;

                assert_true(asprintf(&sub, "case%zu", i) > 0);
                (void) rm_rf_at(AT_FDCWD, dir);
                assert_int_equal(mkdir(dir, 0700), 0);
                put("local", "x.json", cases[i].json);
                assert_int_equal(load(&c, &e), -EINVAL);
                if (!strstr(e->message, cases[i].message))
                        fail_msg("case %zu: '%s' lacks '%s'", i, e->message, cases[i].message);
                assert_non_null(strstr(e->message, "/local/auth.d/x.json"));
                assert_null(strstr(e->message, "hunter2"));
        }
}

static void test_duplicates(void **state) {
        _cleanup_(rkt_config_freep) RktConfig *c = NULL;
        _cleanup_error_ RktError *e = NULL;
        const char *basic = "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"example.com\"],"
                            "\"type\":\"basic\","
                            "\"credentials\":{\"user\":\"u\",\"password\":\"p\"}}";

        /* The same domain twice in one dir is an error; across dirs, the later one wins. */
        put("local", "a.json", basic);
        put("local", "b.json", basic);
        assert_int_equal(load(&c, &e), -EINVAL);
        assert_non_null(strstr(e->message, "domain 'example.com' is already configured in"));
}

static void test_aws_is_refused_when_used(void **state) {
        _cleanup_(rkt_config_freep) RktConfig *c = NULL;
        _cleanup_error_ RktError *e = NULL;
        char *h = NULL;

        put("local", "aws.json",
            "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"s3.amazonaws.com\"],\"type\":"
            "\"aws\","
            "\"credentials\":{\"accessKeyID\":\"AK\",\"secretAccessKey\":\"SECRETKEY123\"}}");
        assert_int_equal(load(&c, NULL), 0);
        assert_int_equal(auth_entry_header(rkt_config_find_auth(c, "s3.amazonaws.com"), &h, &e),
                         -EOPNOTSUPP);
        assert_non_null(strstr(e->message, "'aws'"));
        assert_null(strstr(e->message, "SECRETKEY123"));
}

/* Writes <dir>/<sub>/paths.d/<file>. */
static void put_paths(const char *sub, const char *file, const char *json) {
        _cleanup_free_ char *d = NULL, *f = NULL;

        assert_true(asprintf(&d, "%s/%s/paths.d", dir, sub) > 0);
        assert_int_equal(mkdir_p(d, 0755), 0);
        f = path_join(d, file);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, f, json, strlen(json), 0644), 0);
}

static int load_paths(RktPaths *p, RktError **e) {
        _cleanup_free_ char *s = NULL, *l = NULL;

        assert_true(asprintf(&s, "%s/system", dir) > 0);
        assert_true(asprintf(&l, "%s/local", dir) > 0);
        return rkt_paths_load((const char *const[]){s, l, NULL}, 3, p, e);
}

static void test_paths_net_plugins(void **state) {
        RktPaths p = {};
        _cleanup_free_ char *joined = NULL;

        assert_int_equal(load_paths(&p, NULL), 0);
        assert_null(p.net_plugins);

        /* Other keys are left alone; the local dir overrides the system one. */
        put_paths("system", "a.json",
                  "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"/srv/rkt\","
                  "\"net-plugins\":[\"/opt/a\"]}");
        assert_int_equal(load_paths(&p, NULL), 0);
        joined = strv_join(p.net_plugins, ":");
        assert_string_equal(joined, "/opt/a");
        rkt_paths_done(&p);
        put_paths("local", "b.json",
                  "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"net-plugins\":[\"/opt/b\",\"/usr/lib/"
                  "cni\"]}");
        assert_int_equal(load_paths(&p, NULL), 0);
        free(joined);
        joined = strv_join(p.net_plugins, ":");
        assert_string_equal(joined, "/opt/b:/usr/lib/cni");
        rkt_paths_done(&p);
        assert_null(p.net_plugins);

        const struct {
                const char *json, *expect;
        } bad[] = {
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"net-plugins\":\"/opt/c\"}",
                 "c.json': field 'net-plugins': must be an array, not a string"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"net-plugins\":[]}",
                 "c.json': field 'net-plugins': not a list of directories"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"net-plugins\":[\"opt/c\"]}",
                 "c.json': field 'net-plugins': 'opt/c' is not an absolute path without ':'"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"net-plugins\":[\"/a:b\"]}",
                 "field 'net-plugins': '/a:b' is not an absolute path"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"net-plugins\":[7]}",
                 "c.json': field 'net-plugins[0]': must be a string, not an integer"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"net-plugins\":null}",
                 "c.json': field 'net-plugins': must be an array, not null"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"net-plugins\":[\"/a\\tb\"]}",
                 "c.json': field 'net-plugins': an entry holds control characters"},
                {"{\"rktKind\":\"auth\",\"rktVersion\":\"v1\"}", "c.json': field 'rktKind': paths.d holds"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v2\"}", "c.json': field 'rktVersion': no parser"},
                {"[1]", "c.json': not a JSON object"},
        };
        _cleanup_free_ char *b = NULL;
        assert_true(asprintf(&b, "%s/local/paths.d/b.json", dir) > 0);
        assert_int_equal(unlink(b), 0);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_error_ RktError *err = NULL;
                int r;
                put_paths("local", "c.json", bad[i].json);
                r = load_paths(&p, &err);
                assert_true(r < 0);
                if (!strstr(rkt_error_message(err, r), bad[i].expect))
                        fail_msg("%zu: '%s' not in '%s'", i, bad[i].expect, rkt_error_message(err, r));
        }

        /* Twice in one dir. */
        _cleanup_error_ RktError *err = NULL;
        put_paths("local", "b.json",
                  "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"net-plugins\":[\"/opt/b\"]}");
        put_paths("local", "c.json",
                  "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"net-plugins\":[\"/opt/c\"]}");
        int r = load_paths(&p, &err);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(rkt_error_message(err, r), "c.json': field 'net-plugins': already set in '"));
        assert_non_null(strstr(rkt_error_message(err, r), "/local/paths.d/b.json'"));
}

static void test_paths_data_and_stage1_images(void **state) {
        _cleanup_free_ char *a = NULL;
        RktPaths p = {};

        put_paths("system", "a.json",
                  "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"/srv/rkt\","
                  "\"stage1-images\":\"/opt/stage1\"}");
        assert_int_equal(load_paths(&p, NULL), 0);
        assert_string_equal(p.data, "/srv/rkt");
        assert_string_equal(p.stage1_images, "/opt/stage1");
        assert_null(p.net_plugins);
        rkt_paths_done(&p);
        assert_null(p.data);
        assert_null(p.stage1_images);

        /* Per key: local overrides data, the system's stage1-images stays. Keys in other files of one dir
         * combine. */
        put_paths("local", "b.json",
                  "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"/var/lib/other\"}");
        put_paths("local", "c.json",
                  "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"net-plugins\":[\"/opt/cni\"]}");
        assert_int_equal(load_paths(&p, NULL), 0);
        assert_string_equal(p.data, "/var/lib/other");
        assert_string_equal(p.stage1_images, "/opt/stage1");
        assert_string_equal(p.net_plugins[0], "/opt/cni");
        rkt_paths_done(&p);

        const struct {
                const char *json, *expect;
        } bad[] = {
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"var/lib/rkt\"}",
                 "c.json': field 'data': 'var/lib/rkt' is not an absolute path"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"\"}",
                 "c.json': field 'data': '' is not an absolute path"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":[\"/x\"]}",
                 "c.json': field 'data': must be a string, not an array"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"stage1-images\":7}",
                 "c.json': field 'stage1-images': must be a string, not an integer"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"stage1-images\":\"./s\"}",
                 "c.json': field 'stage1-images': './s' is not an absolute path"},
                {"{\"rktKind\":null,\"rktVersion\":\"v1\"}",
                 "c.json': field 'rktKind': must be a string, not null"},
                /* Found by fuzz-config: a quoted value broke the message into two lines. */
                {"{\"rktKind\":\"pat1\\nhs\",\"rktVersion\":\"v1\"}",
                 "c.json': field 'rktKind': must not contain control characters"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"/x\\n/y\"}",
                 "c.json': field 'data': must not contain control characters"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":{}}",
                 "c.json': field 'rktVersion': must be a string, not an object"},
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":null}",
                 "c.json': field 'data': must be a string, not null"},
                /* b.json of the same dir sets it too */
                {"{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"/x\"}",
                 "c.json': field 'data': already set in '"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                put_paths("local", "b.json",
                          i == ELEMENTSOF(bad) - 1
                                  ? "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"/b\"}"
                                  : "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\"}");
                _cleanup_error_ RktError *err = NULL;
                int r;
                put_paths("local", "c.json", bad[i].json);
                r = load_paths(&p, &err);
                assert_int_equal(r, -EINVAL);
                if (!strstr(rkt_error_message(err, r), bad[i].expect))
                        fail_msg("%zu: '%s' not in '%s'", i, bad[i].expect, rkt_error_message(err, r));
                assert_null(strchr(rkt_error_message(err, r), '\n'));
        }
        /* The same key in two dirs is no error: the later wins. */
        assert_true(asprintf(&a, "%s/local/paths.d/c.json", dir) > 0);
        assert_int_equal(unlink(a), 0);
        put_paths("local", "b.json",
                  "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"stage1-images\":\"/s2\"}");
        assert_int_equal(load_paths(&p, NULL), 0);
        assert_string_equal(p.stage1_images, "/s2");
        assert_string_equal(p.data, "/srv/rkt");
        rkt_paths_done(&p);
}

RUN_TESTS(cmocka_unit_test(test_empty),
          cmocka_unit_test_setup_teardown(test_paths_net_plugins, setup, teardown),
          cmocka_unit_test_setup_teardown(test_paths_data_and_stage1_images, setup, teardown),
          cmocka_unit_test_setup_teardown(test_merge_and_headers, setup, teardown),
          cmocka_unit_test_setup_teardown(test_errors_name_the_file_not_the_secret, setup, teardown),
          cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
          cmocka_unit_test_setup_teardown(test_aws_is_refused_when_used, setup, teardown))
