/* SPDX-License-Identifier: Apache-2.0 */
/* appc manifests: the spec's examples, the corpus, messages, output and building. Names, formats and
 * isolator values are in test-appc-values.c. */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "appc-internal.h"
#include "appc.h"
#include "strv.h"
#include "unit.h"

#ifndef ABS_TOP_SRCDIR
#error "ABS_TOP_SRCDIR must be defined"
#endif

#define HASH_A                                                                                              \
        "sha512-a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4"                           \
        "a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4"

static const char *corpus_dir(void) {
        static char dir[4096];
        const char *top = getenv("abs_top_srcdir");

        snprintf(dir, sizeof(dir), "%s/tests/data/manifests", isempty(top) ? ABS_TOP_SRCDIR : top);
        return dir;
}

static char *read_file(const char *path, size_t *ret_size) {
        FILE *f = fopen(path, "re");
        char *buf;
        long n;

        assert_non_null(f);
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        assert_true(n >= 0);
        rewind(f);
        buf = malloc((size_t) n + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t) n, f), (size_t) n);
        buf[n] = '\0';
        fclose(f);
        *ret_size = (size_t) n;
        return buf;
}

static char *read_corpus(const char *sub, const char *name, size_t *ret_size) {
        char path[4200];

        snprintf(path, sizeof(path), "%s/%s/%s", corpus_dir(), sub, name);
        return read_file(path, ret_size);
}

static AppcImageManifest *parse_image(const char *json) {
        _cleanup_error_ RktError *e = NULL;
        AppcImageManifest *m = NULL;
        int r;

        r = appc_image_manifest_parse(json, strlen(json), &m, &e);
        if (r < 0)
                fail_msg("unexpected error: %s", rkt_error_message(e, r));
        return m;
}

/* Parses json as an image manifest that must fail, and checks the whole message. */
static void assert_image_error(const char *json, const char *message) {
        _cleanup_error_ RktError *e = NULL;
        AppcImageManifest *m = NULL;
        int r;

        r = appc_image_manifest_parse(json, strlen(json), &m, &e);
        assert_int_equal(r, -EINVAL);
        assert_null(m);
        assert_non_null(e);
        assert_string_equal(e->message, message);
}

/* --- the spec's examples --- */

/* A message's field path is formatted from its parts only when the message is made. */
static void test_field_path(void **state) {
        const AppcPath *app = APPC_PATH_AT(NULL, "apps", 1, ".");
        const AppcPath *port = APPC_PATH_AT(APPC_PATH(app, "app."), "ports", 0, ".");
        char long_text[400];

        assert_string_equal(APPC_PATH_TEXT(NULL), "");
        assert_string_equal(APPC_PATH_TEXT(APPC_PATH(port, "name")), "apps[1].app.ports[0].name");
        assert_string_equal(APPC_PATH_TEXT(APPC_PATH_AT(NULL, "pathWhitelist", 12, NULL)),
                            "pathWhitelist[12]");
        /* Cut where JSON_PATH() cuts: JSON_PATH_MAX - 1 characters. */
        memset(long_text, 'x', sizeof(long_text) - 1);
        long_text[sizeof(long_text) - 1] = 0;
        assert_int_equal(strlen(APPC_PATH_TEXT(APPC_PATH_AT(APPC_PATH(NULL, long_text), "a", 1, ".b"))),
                         JSON_PATH_MAX - 1);
        assert_int_equal(strlen(APPC_PATH_TEXT(APPC_PATH_AT(NULL, "a", 1, long_text))), JSON_PATH_MAX - 1);
}

static void test_spec_image_example(void **state) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *m = NULL;
        _cleanup_free_ char *json = NULL;
        const AppcIsolator *iso;
        const AppcApp *a;
        int64_t v;
        size_t size;

        json = read_corpus("valid", "image-spec-example.json", &size);
        m = parse_image(json);
        assert_string_equal(m->ac_version, "0.8.11");
        assert_string_equal(m->name, "example.com/reduce-worker");
        assert_int_equal(m->n_labels, 3);
        assert_string_equal(appc_kv_get(m->labels, m->n_labels, "version"), "1.0.0");
        assert_string_equal(appc_kv_get(m->labels, m->n_labels, "os"), "linux");
        assert_null(appc_kv_get(m->labels, m->n_labels, "channel"));

        a = m->app;
        assert_non_null(a);
        assert_int_equal(strv_length(a->exec), 2);
        assert_string_equal(a->exec[0], "/usr/bin/reduce-worker");
        assert_string_equal(a->user, "100");
        assert_string_equal(a->group, "300");
        /* the example spells "supplementaryGids": keys match case-insensitively, as in Go */
        assert_int_equal(a->n_supplementary_gids, 2);
        assert_int_equal(a->supplementary_gids[0], 400);
        assert_int_equal(a->supplementary_gids[1], 500);
        assert_int_equal(a->n_event_handlers, 2);
        assert_string_equal(a->event_handlers[1].name, "post-stop");
        assert_string_equal(a->event_handlers[1].exec[1], "--verbose");
        assert_string_equal(a->working_directory, "/opt/work");
        assert_string_equal(appc_kv_get(a->environment, a->n_environment, "REDUCE_WORKER_DEBUG"), "true");

        assert_int_equal(a->n_isolators, 3);
        iso = appc_isolator_get(a->isolators, a->n_isolators, "resource/cpu");
        assert_non_null(iso);
        assert_int_equal(iso->type, APPC_ISOLATOR_RESOURCE_CPU);
        assert_string_equal(iso->resource.request, "250m");
        assert_int_equal(appc_quantity_milli_value(iso->resource.limit, &v), 0);
        assert_int_equal(v, 500);
        iso = appc_isolator_get(a->isolators, a->n_isolators, "resource/memory");
        assert_int_equal(appc_quantity_value(iso->resource.limit, &v), 0);
        assert_int_equal(v, 2000000000);
        iso = appc_isolator_get(a->isolators, a->n_isolators, "os/linux/capabilities-retain-set");
        assert_int_equal(iso->type, APPC_ISOLATOR_CAPABILITIES_RETAIN_SET);
        assert_string_equal(iso->caps[0], "CAP_NET_BIND_SERVICE");
        assert_null(iso->caps[1]);
        assert_null(appc_isolator_get(a->isolators, a->n_isolators, "os/linux/cpu-shares"));

        assert_int_equal(a->n_mount_points, 1);
        assert_string_equal(a->mount_points[0].path, "/var/lib/work");
        assert_false(a->mount_points[0].read_only);
        assert_int_equal(a->n_ports, 2);
        assert_int_equal(a->ports[0].count, 1); /* defaulted */
        assert_true(a->ports[0].socket_activated);
        assert_int_equal(a->ports[1].port, 20000);
        assert_int_equal(a->ports[1].count, 1000);

        assert_int_equal(m->n_dependencies, 1);
        assert_string_equal(m->dependencies[0].image_name, "example.com/reduce-worker-base");
        assert_string_equal(m->dependencies[0].image_id, HASH_A);
        assert_int_equal(m->dependencies[0].size, 22017258);
        assert_string_equal(appc_kv_get(m->dependencies[0].labels, m->dependencies[0].n_labels, "env"),
                            "canary");
        assert_int_equal(strv_length(m->path_whitelist), 5);
        assert_string_equal(m->path_whitelist[4], "/etc/systemd/system/");
        assert_int_equal(m->n_annotations, 5);
        assert_string_equal(appc_kv_get(m->annotations, m->n_annotations, "created"),
                            "2014-10-27T19:32:27.67021798Z");
}

static void test_spec_pod_example(void **state) {
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        _cleanup_error_ RktError *e = NULL;
        _cleanup_free_ char *json = NULL;
        const AppcRuntimeApp *ra;
        const AppcVolume *v;
        size_t size;
        int r;

        json = read_corpus("valid", "pod-spec-example.json", &size);
        r = appc_pod_manifest_parse(json, size, &m, &e);
        if (r < 0)
                fail_msg("%s", rkt_error_message(e, r));
        assert_int_equal(m->n_apps, 3);
        ra = appc_pod_manifest_get_app(m, "backup");
        assert_non_null(ra);
        assert_string_equal(ra->image.name, "example.com/worker-backup");
        assert_string_equal(appc_kv_get(ra->annotations, ra->n_annotations, "foo"), "baz");
        assert_string_equal(ra->mounts[0].volume, "worklib");
        assert_string_equal(ra->app->isolators[0].resource.limit, "1G");
        assert_false(ra->read_only_root_fs);
        ra = appc_pod_manifest_get_app(m, "reduce-worker");
        assert_true(ra->read_only_root_fs);
        ra = appc_pod_manifest_get_app(m, "register");
        assert_null(ra->app);
        assert_null(appc_pod_manifest_get_app(m, "nope"));

        v = appc_pod_manifest_get_volume(m, "worklib");
        assert_non_null(v);
        assert_int_equal(v->kind, APPC_VOLUME_HOST);
        assert_string_equal(v->source, "/opt/tenant1/work");
        assert_int_equal(v->read_only, APPC_TRUE);
        assert_int_equal(v->recursive, APPC_TRUE);
        assert_null(v->mode);

        assert_int_equal(m->n_isolators, 1);
        assert_string_equal(m->isolators[0].resource.limit, "4G");
        assert_string_equal(appc_kv_get(m->annotations, m->n_annotations, "ip-address"), "10.1.2.3");
        assert_int_equal(m->n_ports, 1);
        assert_string_equal(m->ports[0].name, "ftp");
        assert_int_equal(m->ports[0].host_port, 2121);
        assert_null(m->ports[0].host_ip);
}

/* --- the corpus --- */

static bool is_pod_file(const char *name) {
        return startswith(name, "pod-") != NULL;
}

static int parse_any(const char *name, const char *json, size_t size, void **ret, RktError **e) {
        if (is_pod_file(name))
                return appc_pod_manifest_parse(json, size, (AppcPodManifest **) ret, e);
        return appc_image_manifest_parse(json, size, (AppcImageManifest **) ret, e);
}

static int to_json_any(const char *name, void *m, bool pretty, char **ret, RktError **e) {
        if (is_pod_file(name))
                return pretty ? appc_pod_manifest_to_json_pretty(m, ret, e)
                              : appc_pod_manifest_to_json(m, ret, e);
        return pretty ? appc_image_manifest_to_json_pretty(m, ret, e)
                      : appc_image_manifest_to_json(m, ret, e);
}

static bool equal_any(const char *name, void *a, void *b) {
        if (is_pod_file(name))
                return appc_pod_manifest_equal(a, b);
        return appc_image_manifest_equal(a, b);
}

static void free_any(const char *name, void *m) {
        if (is_pod_file(name))
                appc_pod_manifest_free(m);
        else
                appc_image_manifest_free(m);
}

static char **list_corpus(const char *sub, const char *suffix) {
        _cleanup_strv_free_ char **l = NULL;
        char dir[4200];
        struct dirent *de;
        DIR *d;

        snprintf(dir, sizeof(dir), "%s/%s", corpus_dir(), sub);
        d = opendir(dir);
        if (!d)
                fail_msg("cannot open the corpus '%s': %m", dir);
        while ((de = readdir(d)))
                if (endswith(de->d_name, suffix))
                        assert_int_equal(strv_extend(&l, de->d_name), 0);
        closedir(d);
        return TAKE_PTR(l);
}

static void test_valid_corpus_round_trip(void **state) {
        _cleanup_strv_free_ char **files = list_corpus("valid", ".json");

        assert_true(strv_length(files) >= 8);
        STRV_FOREACH(f, files) {
                _cleanup_error_ RktError *e = NULL;
                _cleanup_free_ char *json = NULL, *out = NULL, *out2 = NULL, *pretty = NULL;
                void *m = NULL, *m2 = NULL, *m3 = NULL;
                size_t size;
                int r;

                json = read_corpus("valid", *f, &size);
                r = parse_any(*f, json, size, &m, &e);
                if (r < 0)
                        fail_msg("%s: %s", *f, rkt_error_message(e, r));
                assert_int_equal(to_json_any(*f, m, false, &out, &e), 0);
                r = parse_any(*f, out, strlen(out), &m2, &e);
                if (r < 0)
                        fail_msg("%s: re-reading %s: %s", *f, out, rkt_error_message(e, r));
                if (!equal_any(*f, m, m2))
                        fail_msg("%s: the round trip changed the manifest: %s", *f, out);
                assert_int_equal(to_json_any(*f, m2, false, &out2, &e), 0);
                assert_string_equal(out, out2);

                assert_int_equal(to_json_any(*f, m, true, &pretty, &e), 0);
                assert_non_null(strstr(pretty, "\n\t\""));
                r = parse_any(*f, pretty, strlen(pretty), &m3, &e);
                if (r < 0)
                        fail_msg("%s: re-reading the pretty form: %s", *f, rkt_error_message(e, r));
                assert_true(equal_any(*f, m, m3));
                free_any(*f, m);
                free_any(*f, m2);
                free_any(*f, m3);
        }
}

static void test_invalid_corpus(void **state) {
        _cleanup_strv_free_ char **files = list_corpus("invalid", ".json");
        size_t n = 0, failed = 0;

        STRV_FOREACH(f, files) {
                _cleanup_error_ RktError *e = NULL;
                _cleanup_free_ char *json = NULL, *expect = NULL, *expect_name = NULL;
                void *m = NULL;
                size_t size, esize;
                int r;

                json = read_corpus("invalid", *f, &size);
                assert_true(asprintf(&expect_name, "%.*s.expect", (int) (strlen(*f) - strlen(".json")), *f) >
                            0);
                expect = read_corpus("invalid", expect_name, &esize);
                while (esize > 0 && expect[esize - 1] == '\n')
                        expect[--esize] = '\0';
                assert_true(esize > 0);

                r = parse_any(*f, json, size, &m, &e);
                if (r >= 0) {
                        free_any(*f, m);
                        print_error("%s: parsed, but should fail with \"%s\"\n", *f, expect);
                        failed++;
                } else if (r != -EINVAL || m || !e || !strstr(e->message, expect)) {
                        print_error("%s: error %i \"%s\" does not contain \"%s\"\n", *f, r,
                                    rkt_error_message(e, r), expect);
                        failed++;
                }
                n++;
        }
        assert_int_equal(failed, 0);
        assert_true(n >= 25);
}

/* --- messages --- */

static void test_error_messages(void **state) {
        assert_image_error(
                "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/app\","
                "\"labels\":[{\"name\":\"os\",\"value\":\"linux\"},{\"name\":\"version\",\"value\":\"1\"},"
                "{\"name\":\"Foo!\",\"value\":\"x\"}]}",
                "labels[2].name 'Foo!': not a valid AC Identifier (only lower case letters, digits and "
                "\"-._~/\" are allowed)");
        assert_image_error("{\"name\":\"x\"}", "acKind: must be \"ImageManifest\"");
        assert_image_error("{\"acKind\":\"ImageManifest\"",
                           "manifest is not valid JSON: unexpected end of data at offset 25");
        assert_image_error("", "manifest is not valid JSON: unexpected end of data at offset 0");
        assert_image_error("null", "manifest is not a JSON object");
        assert_image_error(
                "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/app\","
                "\"app\":{\"user\":\"0\",\"group\":\"0\",\"exec\":[\"/bin/"
                "sh\"],\"workingDirectory\":\"w\"}}",
                "app.workingDirectory 'w': must be an absolute path");
        /* one volume name at two mount points: one would be reached through the other's content */
        assert_image_error(
                "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/app\","
                "\"app\":{\"user\":\"0\",\"group\":\"0\",\"exec\":[\"/bin/sh\"],\"mountPoints\":["
                "{\"name\":\"data\",\"path\":\"/data\"},{\"name\":\"data\",\"path\":\"/data/a/etc\"}]}}",
                "app.mountPoints[1].name 'data': duplicate mount point name");
        /* user strings are quoted, escaped and shortened */
        assert_image_error(
                "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"a\\nb\"}",
                "name 'a\\nb': not a valid AC Identifier (only lower case letters, digits and \"-._~/\" "
                "are allowed)");
        {
                char json[600], name[300];
                _cleanup_error_ RktError *e = NULL;
                AppcImageManifest *m = NULL;

                memset(name, 'X', sizeof(name) - 1);
                name[sizeof(name) - 1] = '\0';
                snprintf(json, sizeof(json),
                         "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"%s\"}", name);
                assert_int_equal(appc_image_manifest_parse(json, strlen(json), &m, &e), -EINVAL);
                assert_true(strlen(e->message) < 250);
                assert_non_null(strstr(e->message, "...'"));
        }
}

static void test_json_strictness(void **state) {
        static const char *const bad[] = {
                ("{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"x\",\"app\":{\"user\":1."
                 "}"
                 "}"),
                "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"x\\u0000y\"}",
                "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"x\xff\"}",
                "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"x\",\"labels\":Infinity}",
                "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"x\",}",
                "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"x\"} {}",
                "{\"acKind\":\"ImageManifest\",/*c*/\"acVersion\":\"0.8.11\",\"name\":\"x\"}",
        };
        char deep[400];
        size_t o = 0;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_error_ RktError *e = NULL;
                AppcImageManifest *m = NULL;

                if (appc_image_manifest_parse(bad[i], strlen(bad[i]), &m, &e) != -EINVAL)
                        fail_msg("#%zu should be refused: %s", i, bad[i]);
                assert_non_null(startswith(e->message, "manifest is not valid JSON: "));
        }
        {
                /* an embedded NUL is not JSON */
                static const char nul[] = "{\"acKind\":\"ImageManifest\"}\0{}";
                _cleanup_error_ RktError *e = NULL;
                AppcImageManifest *m = NULL;

                assert_int_equal(appc_image_manifest_parse(nul, sizeof(nul) - 1, &m, &e), -EINVAL);
                assert_string_equal(e->message, "manifest is not valid JSON: NUL byte at offset 26");
        }
        o += (size_t) snprintf(deep, sizeof(deep), "{\"acKind\":\"ImageManifest\",\"x\":");
        for (int i = 0; i < 100; i++)
                deep[o++] = '[';
        for (int i = 0; i < 100; i++)
                deep[o++] = ']';
        deep[o++] = '}';
        deep[o] = '\0';
        {
                _cleanup_error_ RktError *e = NULL;
                AppcImageManifest *m = NULL;

                assert_int_equal(appc_image_manifest_parse(deep, strlen(deep), &m, &e), -EINVAL);
                assert_non_null(strstr(e->message, "nesting too deep"));
        }
}

static void test_go_decoding_rules(void **state) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *m = NULL;
        _cleanup_free_ char *json = NULL, *out = NULL;
        size_t size;

        json = read_corpus("valid", "image-go-decoding.json", &size);
        m = parse_image(json);
        /* the last of several case-insensitive matches wins */
        assert_string_equal(m->name, "example.com/last-one-wins");
        assert_string_equal(m->ac_version, "1.0.0-rc.1+build.5");
        assert_string_equal(appc_kv_get(m->labels, m->n_labels, "version"), "v1.2");
        assert_string_equal(appc_kv_get(m->labels, m->n_labels, "channel"), "");
        assert_null(m->app->exec);
        assert_null(m->app->working_directory);
        assert_int_equal(m->app->supplementary_gids[1], 4294967295u);
        assert_int_equal(m->app->ports[0].count, 1);
        /* maps come out sorted */
        assert_string_equal(m->app->user_annotations[0].name, "alpha");
        assert_string_equal(m->app->user_annotations[1].name, "zeta");
        assert_int_equal(m->dependencies[0].size, UINT64_MAX);
        assert_null(m->path_whitelist);

        assert_int_equal(appc_image_manifest_to_json(m, &out, NULL), 0);
        assert_null(strstr(out, "unknownField"));
        assert_null(strstr(out, "pathWhitelist"));
        assert_non_null(strstr(out, "\"acKind\":\"ImageManifest\",\"acVersion\":\"1.0.0-rc.1+build.5\","
                                    "\"name\":\"example.com/last-one-wins\""));
        assert_non_null(strstr(out, "\"exec\":[],"));
        assert_non_null(strstr(out, "\"supplementaryGIDs\":[0,4294967295]"));
        assert_non_null(strstr(out, "{\"name\":\"dns\",\"protocol\":\"udp\",\"port\":53,\"count\":1,"
                                    "\"socketActivated\":false}"));
        assert_non_null(strstr(out, "\"alpha\":\"a \xc3\xa9 \\\"quoted\\\" / slash\\ttab\""));
        assert_non_null(strstr(out, "\"size\":18446744073709551615"));
}

/* --- output --- */

static void test_pretty_print(void **state) {
        static const char expected[] = "{\n"
                                       "\t\"acVersion\": \"0.8.11\",\n"
                                       "\t\"acKind\": \"PodManifest\",\n"
                                       "\t\"apps\": [\n"
                                       "\t\t{\n"
                                       "\t\t\t\"name\": \"web\",\n"
                                       "\t\t\t\"image\": {\n"
                                       "\t\t\t\t\"id\": \"sha512-0a\"\n"
                                       "\t\t\t}\n"
                                       "\t\t}\n"
                                       "\t],\n"
                                       "\t\"volumes\": [],\n"
                                       "\t\"isolators\": [\n"
                                       "\t\t{\n"
                                       "\t\t\t\"name\": \"example.com/x\",\n"
                                       "\t\t\t\"value\": {\n"
                                       "\t\t\t\t\"a\": [\n"
                                       "\t\t\t\t\t1,\n"
                                       "\t\t\t\t\t\"b,c:{}\"\n"
                                       "\t\t\t\t],\n"
                                       "\t\t\t\t\"e\": {}\n"
                                       "\t\t\t}\n"
                                       "\t\t}\n"
                                       "\t],\n"
                                       "\t\"annotations\": [],\n"
                                       "\t\"ports\": []\n"
                                       "}";
        static const char compact[] = "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":[{"
                                      "\"name\":\"web\",\"image\":{\"id\":"
                                      "\"sha512-0a\"}}],\"volumes\":[],\"isolators\":[{\"name\":\"example."
                                      "com/x\",\"value\":{\"a\":[1,"
                                      "\"b,c:{}\"],\"e\":{}}}],\"annotations\":[],\"ports\":[]}";
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        _cleanup_free_ char *out = NULL, *pretty = NULL;
        _cleanup_error_ RktError *e = NULL;
        static const char input[] =
                "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[{\"name\":\"web\","
                "\"image\":{\"id\":\"sha512-0a\"}}],\"isolators\":[{\"name\":\"example.com/x\","
                "\"value\":{\"a\": [1, \"b,c:{}\"], \"e\": { }}}]}";

        assert_int_equal(appc_pod_manifest_parse(input, strlen(input), &m, &e), 0);
        assert_int_equal(appc_pod_manifest_to_json(m, &out, &e), 0);
        assert_string_equal(out, compact);
        assert_int_equal(appc_pod_manifest_to_json_pretty(m, &pretty, &e), 0);
        assert_string_equal(pretty, expected);
}

static void test_to_json_validates(void **state) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *m = parse_image(
                "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/app\"}");
        _cleanup_error_ RktError *e = NULL;
        char *out = NULL;

        free(m->name);
        m->name = strdup("Not Valid");
        assert_int_equal(appc_image_manifest_to_json(m, &out, &e), -EINVAL);
        assert_null(out);
        assert_string_equal(e->message,
                            "name 'Not Valid': not a valid AC Identifier (only lower case letters, digits "
                            "and \"-._~/\" are allowed)");
        e = rkt_error_free(e);
        free(m->name);
        m->name = strdup("example.com/app");
        assert_int_equal(strv_extend(&m->path_whitelist, "relative"), 0);
        assert_int_equal(appc_image_manifest_to_json_pretty(m, &out, &e), -EINVAL);
        assert_string_equal(e->message, "pathWhitelist[0] 'relative': must be an absolute path");
}

/* --- building a pod --- */

static void test_pod_builder(void **state) {
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = appc_pod_manifest_new(), *back = NULL;
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *image = NULL;
        _cleanup_free_ char *json = NULL, *out = NULL;
        _cleanup_error_ RktError *e = NULL;
        AppcRuntimeApp ra = {}, dup = {};
        AppcVolume v = {};
        size_t size;

        assert_non_null(m);
        assert_string_equal(m->ac_version, APPC_SPEC_VERSION);
        json = read_corpus("valid", "image-ace-validator-main.json", &size);
        image = parse_image(json);

        assert_int_equal(appc_runtime_app_init(&ra, "ace-validator-main", HASH_A, image->name, image->app),
                         0);
        assert_true(appc_app_equal(ra.app, image->app));
        assert_ptr_not_equal(ra.app, image->app);
        for (size_t i = 0; i < image->n_labels; i++)
                assert_int_equal(appc_kv_set(&ra.image.labels, &ra.image.n_labels, image->labels[i].name,
                                             image->labels[i].value),
                                 0);
        assert_int_equal(appc_runtime_app_add_mount(&ra, "database", "/db"), 0);
        assert_int_equal(
                appc_kv_set(&ra.annotations, &ra.n_annotations, "coreos.com/rkt/stage1/mutable", "false"),
                0);
        assert_int_equal(
                appc_kv_set(&ra.annotations, &ra.n_annotations, "coreos.com/rkt/stage1/mutable", "true"), 0);
        assert_int_equal(ra.n_annotations, 1);
        assert_int_equal(appc_pod_manifest_add_app(m, &ra, &e), 0);
        assert_null(ra.name); /* moved into the pod */
        assert_int_equal(m->n_apps, 1);
        assert_string_equal(appc_kv_get(m->apps[0].annotations, m->apps[0].n_annotations,
                                        "coreos.com/rkt/stage1/mutable"),
                            "true");

        /* a refused app stays the caller's */
        assert_int_equal(appc_runtime_app_init(&dup, "ace-validator-main", HASH_A, NULL, NULL), 0);
        assert_int_equal(appc_pod_manifest_add_app(m, &dup, &e), -EINVAL);
        assert_string_equal(e->message, "apps[1].name 'ace-validator-main': duplicate app name");
        assert_string_equal(dup.name, "ace-validator-main");
        e = rkt_error_free(e);
        free(dup.name);
        dup.name = strdup("sidekick");
        free(dup.image.id);
        dup.image.id = strdup("sha512-xyz");
        assert_int_equal(appc_pod_manifest_add_app(m, &dup, &e), -EINVAL);
        assert_string_equal(e->message, "apps[1].image.id 'sha512-xyz': not a valid image ID (hash value "
                                        "must be lower case hex digits)");
        e = rkt_error_free(e);
        appc_runtime_app_done(&dup);
        assert_int_equal(m->n_apps, 1);

        assert_int_equal(appc_volume_from_string("database,kind=empty,mode=0700,uid=1,gid=2", &v, &e), 0);
        assert_string_equal(v.name, "database");
        assert_int_equal(v.kind, APPC_VOLUME_EMPTY);
        assert_string_equal(v.mode, "0700");
        assert_int_equal(v.uid, 1);
        assert_int_equal(v.gid, 2);
        assert_int_equal(v.read_only, APPC_UNSET);
        assert_int_equal(appc_pod_manifest_add_volume(m, &v, &e), 0);
        assert_int_equal(appc_pod_manifest_add_volume(m, &v, &e), -EINVAL);
        assert_string_equal(e->message, "volumes[1].name 'database': duplicate volume name");
        e = rkt_error_free(e);
        appc_volume_done(&v);
        assert_int_equal(appc_volume_from_string(
                                 "config,kind=host,source=/etc/app,readOnly=true,recursive=False", &v, &e),
                         0);
        assert_int_equal(v.kind, APPC_VOLUME_HOST);
        assert_string_equal(v.source, "/etc/app");
        assert_int_equal(v.read_only, APPC_TRUE);
        assert_int_equal(v.recursive, APPC_FALSE);
        assert_null(v.mode);
        assert_int_equal(appc_pod_manifest_add_volume(m, &v, &e), 0);
        appc_volume_done(&v);
        assert_int_equal(appc_volume_from_string("tmp,kind=empty", &v, &e), 0);
        assert_string_equal(v.mode, "0755");
        assert_int_equal(v.uid, 0);
        assert_int_equal(appc_pod_manifest_add_volume(m, &v, &e), 0);
        appc_volume_done(&v);

        {
                static const char *const bad[][2] = {
                        {"x,kind=host", "volume 'x,kind=host': source: must be set for a host volume"},
                        {"x,kind=host,source=rel",
                         "volume 'x,kind=host,source=rel': source 'rel': must be an absolute path"},
                        {"x,kind=bogus",
                         "volume 'x,kind=bogus': kind 'bogus': must be \"empty\" or \"host\""},
                        {"x", "volume 'x': kind: must be \"empty\" or \"host\""},
                        {"x,kind=host,source=/a,uid=1",
                         "volume 'x,kind=host,source=/a,uid=1': uid: must not be set for a host volume"},
                        {"x,kind=host,source=/a,mode=0700", "volume 'x,kind=host,source=/a,mode=0700': "
                                                            "mode: must not be set for a host volume"},
                        {"x,kind=empty,source=/a", "volume 'x,kind=empty,source=/a': source '/a': must not "
                                                   "be set for an empty volume"},
                        {"x,kind=empty,readOnly=maybe", "readOnly 'maybe': not a boolean"},
                        {"x,kind=empty,uid=-1", "uid '-1': not a valid id"},
                        {"x,kind=empty,foo=1", "unknown parameter 'foo'"},
                        {"x,kind=empty,kind=host", "parameter kind given more than once"},
                        {"x,kind=empty,recursive", "parameter 'recursive' has no value"},
                        {"X,kind=empty", "name 'X': not a valid AC Name"},
                        {"name=x,kind=empty", "name 'name=x': not a valid AC Name"},
                };

                for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                        _cleanup_error_ RktError *ve = NULL;
                        AppcVolume bv = {};

                        assert_int_equal(appc_volume_from_string(bad[i][0], &bv, &ve), -EINVAL);
                        assert_null(bv.name);
                        if (!strstr(ve->message, bad[i][1]))
                                fail_msg("'%s': \"%s\" does not contain \"%s\"", bad[i][0], ve->message,
                                         bad[i][1]);
                }
        }

        assert_int_equal(appc_pod_manifest_add_port(m, "www", 8080, NULL, &e), 0);
        assert_int_equal(appc_pod_manifest_add_port(m, "dns", 53, "::1", &e), 0);
        assert_int_equal(appc_pod_manifest_add_port(m, "x", 8080, "localhost", &e), -EINVAL);
        assert_string_equal(e->message, "ports[2].hostIP 'localhost': not a valid IP address");
        e = rkt_error_free(e);
        assert_int_equal(appc_pod_manifest_add_port(m, "x", 70000, NULL, &e), -EINVAL);
        assert_string_equal(e->message, "ports[2].hostPort: must be between 0 and 65535, got 70000");
        e = rkt_error_free(e);
        assert_int_equal(m->n_ports, 2);
        assert_int_equal(appc_isolators_add(&m->isolators, &m->n_isolators, "os/unix/sysctl",
                                            "{\"net.core.somaxconn\": \"1024\"}", &e),
                         0);
        assert_int_equal(appc_kv_set(&m->user_labels, &m->n_user_labels, "env", "prod"), 0);

        assert_int_equal(appc_pod_manifest_to_json(m, &out, &e), 0);
        /* an ACE validator trap: the pod annotations must read as [] */
        assert_non_null(strstr(out, "\"annotations\":[],\"ports\":["));
        assert_non_null(strstr(
                out, "\"volumes\":[{\"name\":\"database\",\"kind\":\"empty\",\"mode\":\"0700\","
                     "\"uid\":1,\"gid\":2},{\"name\":\"config\",\"kind\":\"host\",\"source\":\"/etc/app\","
                     "\"readOnly\":true,\"recursive\":false},"));
        assert_int_equal(appc_pod_manifest_parse(out, strlen(out), &back, &e), 0);
        assert_true(appc_pod_manifest_equal(m, back));
        assert_true(appc_app_equal(back->apps[0].app, image->app));

        free(m->ac_version);
        m->ac_version = strdup("latest");
        assert_int_equal(appc_pod_manifest_validate(m, &e), -EINVAL);
        assert_string_equal(
                e->message,
                "acVersion 'latest': not a valid semantic version (not in MAJOR.MINOR.PATCH form)");
        assert_false(appc_pod_manifest_equal(m, back));
}

static void test_app_copy(void **state) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *m = NULL;
        _cleanup_(appc_app_freep) AppcApp *c = NULL;
        _cleanup_free_ char *json = NULL;
        size_t size;

        json = read_corpus("valid", "image-isolators.json", &size);
        m = parse_image(json);
        assert_int_equal(appc_app_copy(m->app, &c), 0);
        assert_true(appc_app_equal(c, m->app));
        assert_string_equal(c->isolators[12].selinux.type, "dhcpc_t");
        assert_ptr_not_equal(c->isolators[12].selinux.type, m->app->isolators[12].selinux.type);
        free(c->isolators[0].value_json);
        c->isolators[0].value_json = strdup("{\"limit\":3}");
        assert_false(appc_app_equal(c, m->app));
        assert_false(appc_app_equal(c, NULL));
        assert_true(appc_app_equal(NULL, NULL));
}

static void test_image_builder(void **state) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *m = appc_image_manifest_new(), *back = NULL;
        _cleanup_error_ RktError *e = NULL;
        _cleanup_free_ char *out = NULL;
        char *bad = NULL;

        assert_non_null(m);
        assert_int_equal(appc_image_manifest_to_json(m, &bad, &e), -EINVAL);
        assert_null(bad);
        assert_string_equal(e->message, "name: must be set");
        e = rkt_error_free(e);

        m->name = strdup("example.com/built");
        assert_int_equal(appc_kv_set(&m->labels, &m->n_labels, "os", "linux"), 0);
        assert_int_equal(appc_kv_set(&m->labels, &m->n_labels, "arch", "amd64"), 0);
        m->app = appc_app_new();
        assert_non_null(m->app);
        assert_int_equal(strv_extend(&m->app->exec, "/bin/sh"), 0);
        m->app->user = strdup("0");
        m->app->group = strdup("0");
        assert_int_equal(appc_kv_set(&m->app->environment, &m->app->n_environment, "PATH", "/bin"), 0);
        assert_int_equal(appc_isolators_add(&m->app->isolators, &m->app->n_isolators, "resource/memory",
                                            "{\"limit\":\"1G\"}", &e),
                         0);
        assert_int_equal(appc_image_manifest_to_json(m, &out, &e), 0);
        assert_string_equal(
                out,
                "{\"acKind\":\"ImageManifest\",\"acVersion\":\"" APPC_SPEC_VERSION
                "\",\"name\":\"example.com/built\",\"labels\":[{\"name\":\"os\",\"value\":\"linux\"},"
                "{\"name\":\"arch\",\"value\":\"amd64\"}],\"app\":{\"exec\":[\"/bin/sh\"],\"user\":\"0\","
                "\"group\":\"0\",\"environment\":[{\"name\":\"PATH\",\"value\":\"/bin\"}],"
                "\"isolators\":[{\"name\":\"resource/memory\",\"value\":{\"limit\":\"1G\"}}]}}");
        assert_int_equal(appc_image_manifest_parse(out, strlen(out), &back, &e), 0);
        assert_true(appc_image_manifest_equal(m, back));

        assert_int_equal(appc_kv_set(&m->labels, &m->n_labels, "arch", "sparc"), 0);
        assert_int_equal(appc_image_manifest_validate(m, &e), -EINVAL);
        assert_string_equal(e->message,
                            "labels[1].value 'sparc': unsupported arch for os 'linux' (supported: amd64, "
                            "i386, aarch64, aarch64_be, armv6l, armv7l, armv7b, ppc64, ppc64le, s390x)");
        assert_false(appc_image_manifest_equal(m, back));
}

RUN_TESTS(cmocka_unit_test(test_field_path), cmocka_unit_test(test_spec_image_example),
          cmocka_unit_test(test_spec_pod_example), cmocka_unit_test(test_valid_corpus_round_trip),
          cmocka_unit_test(test_invalid_corpus), cmocka_unit_test(test_error_messages),
          cmocka_unit_test(test_json_strictness), cmocka_unit_test(test_go_decoding_rules),
          cmocka_unit_test(test_pretty_print), cmocka_unit_test(test_to_json_validates),
          cmocka_unit_test(test_pod_builder), cmocka_unit_test(test_app_copy),
          cmocka_unit_test(test_image_builder))
