/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "docker.h"
#include "unit.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check_ref(const char *s, const char *registry, const char *repo, const char *tag,
                      const char *digest, const char *canonical, const char *name) {
        _cleanup_free_ char *c = NULL, *n = NULL;
        DockerRef r;

        assert_int_equal(docker_ref_parse(s, &r, NULL), 0);
        assert_string_equal(r.registry, registry);
        assert_string_equal(r.repository, repo);
        if (tag)
                assert_string_equal(r.tag, tag);
        else
                assert_null(r.tag);
        if (digest)
                assert_string_equal(r.digest, digest);
        else
                assert_null(r.digest);
        c = docker_ref_canonical(&r);
        assert_string_equal(c, canonical);
        assert_int_equal(docker_ref_image_name(&r, &n), 0);
        assert_string_equal(n, name);
        docker_ref_done(&r);
}

static void test_ref_parse(void **state) {
        check_ref("docker://busybox", "registry-1.docker.io", "library/busybox", "latest", NULL,
                  "docker://registry-1.docker.io/library/busybox:latest",
                  "registry-1.docker.io/library/busybox");
        check_ref("docker:busybox:1.36", "registry-1.docker.io", "library/busybox", "1.36", NULL,
                  "docker://registry-1.docker.io/library/busybox:1.36",
                  "registry-1.docker.io/library/busybox");
        check_ref("docker://docker.io/nginx/unit:1.0-min", "registry-1.docker.io", "nginx/unit", "1.0-min",
                  NULL, "docker://registry-1.docker.io/nginx/unit:1.0-min",
                  "registry-1.docker.io/nginx/unit");
        check_ref("docker://127.0.0.1:5000/test/app", "127.0.0.1:5000", "test/app", "latest", NULL,
                  "docker://127.0.0.1:5000/test/app:latest", "127.0.0.1_5000/test/app");
        check_ref("docker://localhost/app@sha256:" D64, "localhost", "app", NULL, "sha256:" D64,
                  "docker://localhost/app@sha256:" D64, "localhost/app");
        check_ref("docker://quay.io/coreos/etcd:v3.5.0@sha256:" D64, "quay.io", "coreos/etcd", NULL,
                  "sha256:" D64, "docker://quay.io/coreos/etcd@sha256:" D64, "quay.io/coreos/etcd");
        /* A one-component name outside Docker Hub keeps its name. */
        check_ref("docker://Example.COM:443/a/b_c__d/e-f.g:T_1", "example.com:443", "a/b_c__d/e-f.g", "T_1",
                  NULL, "docker://example.com:443/a/b_c__d/e-f.g:T_1", "example.com_443/a/b_c__d/e-f.g");
}

static void test_ref_errors(void **state) {
        _cleanup_error_ RktError *e = NULL;
        DockerRef r;

        assert_int_equal(docker_ref_parse("docker://", &r, &e), -EINVAL);
        assert_non_null(strstr(e->message, "no image name"));
        e = rkt_error_free(e);
        assert_int_equal(docker_ref_parse("docker://BusyBox", &r, &e), -EINVAL);
        assert_non_null(strstr(e->message, "not a valid repository name"));
        e = rkt_error_free(e);
        assert_int_equal(docker_ref_parse("docker://busybox@sha256:abc", &r, &e), -EINVAL);
        assert_non_null(strstr(e->message, "not a valid digest"));
        e = rkt_error_free(e);
        assert_int_equal(docker_ref_parse("docker://busybox:", &r, NULL), -EINVAL);
        assert_int_equal(docker_ref_parse("docker://busybox:a/b", &r, NULL), -EINVAL);
        assert_int_equal(docker_ref_parse("docker://a..b", &r, NULL), -EINVAL);
        assert_int_equal(docker_ref_parse("docker://a/", &r, NULL), -EINVAL);
        assert_int_equal(docker_ref_parse("docker://host:99999999/a", &r, NULL), -EINVAL);
        assert_int_equal(docker_ref_parse("docker://ho$t.com/a", &r, NULL), -EINVAL);
        assert_int_equal(docker_ref_parse("docker://../a", &r, NULL), -EINVAL);
}

static const char schema2[] =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
        "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":7,"
        "\"digest\":\"sha256:" D64 "\"},\"layers\":[{\"mediaType\":"
        "\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":10,\"digest\":\"sha256:" D64 "\"},"
        "{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":20,"
        "\"digest\":\"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}]}";

static void test_manifest_parse(void **state) {
        _cleanup_(docker_manifest_freep) DockerManifest *m = NULL;
        _cleanup_error_ RktError *e = NULL;
        const DockerDescriptor *d = NULL;
        const char *oci_no_type =
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/"
                "vnd.oci.image.config.v1+json\","
                "\"size\":1,\"digest\":\"sha256:" D64 "\"},\"layers\":[{\"mediaType\":"
                "\"application/vnd.oci.image.layer.v1.tar+zstd\",\"size\":1,\"digest\":\"sha256:" D64
                "\"}]}";
        const char *list = "{\"schemaVersion\":2,\"mediaType\":\"application/"
                           "vnd.docker.distribution.manifest.list.v2+json\","
                           "\"manifests\":[{\"mediaType\":\"x\",\"size\":1,\"digest\":\"sha256:" D64 "\","
                           "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
                           "{\"mediaType\":\"x\",\"size\":2,\"digest\":\"sha256:"
                           "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\","
                           "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";

        assert_int_equal(docker_manifest_parse(schema2, strlen(schema2), NULL, &m, NULL), 0);
        assert_false(m->is_list);
        assert_string_equal(m->config.digest, "sha256:" D64);
        assert_int_equal(m->config.size, 7);
        assert_int_equal(m->n_layers, 2);
        assert_int_equal(m->layers[1].size, 20);
        m = docker_manifest_free(m);

        /* An OCI manifest without mediaType, served with a generic type. */
        assert_int_equal(
                docker_manifest_parse(oci_no_type, strlen(oci_no_type), "application/json", &m, NULL), 0);
        assert_int_equal(m->n_layers, 1);
        m = docker_manifest_free(m);

        assert_int_equal(docker_manifest_parse(list, strlen(list), NULL, &m, NULL), 0);
        assert_true(m->is_list);
        assert_int_equal(docker_manifest_pick(m, "linux", "amd64", &d, NULL), 0);
        assert_int_equal(d->size, 2);
        assert_int_equal(docker_manifest_pick(m, "linux", "aarch64", &d, NULL), 0);
        assert_int_equal(d->size, 1);
        assert_int_equal(docker_manifest_pick(m, "linux", "s390x", &d, &e), -ENOENT);
        assert_non_null(strstr(e->message, "no image for linux/s390x"));
        e = rkt_error_free(e);
        m = docker_manifest_free(m);

        assert_int_equal(docker_manifest_parse("{\"schemaVersion\":1,\"fsLayers\":[]}", 33, NULL, &m, &e),
                         -EPROTONOSUPPORT);
        assert_non_null(strstr(e->message, "schema 1"));
        e = rkt_error_free(e);
        {
                const char *foreign =
                        "{\"schemaVersion\":2,\"mediaType\":\"application/"
                        "vnd.docker.distribution.manifest.v2+json\","
                        "\"config\":{\"size\":1,\"digest\":\"sha256:" D64 "\"},\"layers\":[{\"mediaType\":"
                        "\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\",\"size\":1,"
                        "\"digest\":\"sha256:" D64 "\"}]}";
                assert_int_equal(docker_manifest_parse(foreign, strlen(foreign), NULL, &m, &e),
                                 -EPROTONOSUPPORT);
                assert_non_null(strstr(e->message, "foreign"));
                e = rkt_error_free(e);
        }
        {
                const char *bad = "{\"schemaVersion\":2,\"mediaType\":\"application/"
                                  "vnd.docker.distribution.manifest.v2+json\","
                                  "\"config\":{\"size\":1,\"digest\":\"sha256:1234\"},\"layers\":[]}";
                assert_int_equal(docker_manifest_parse(bad, strlen(bad), NULL, &m, &e), -EBADMSG);
                assert_non_null(strstr(e->message, "config has no sha256 digest"));
        }
}

static void test_config_to_manifest(void **state) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *m = NULL;
        _cleanup_error_ RktError *e = NULL;
        DockerRef r;
        const char *config =
                "{\"architecture\":\"arm64\",\"os\":\"linux\",\"created\":\"2024-01-02T03:04:05Z\","
                "\"config\":{\"User\":\"daemon\",\"Env\":[\"PATH=/bin\",\"A=b=c\",\"junk\"],"
                "\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo hi\"],\"WorkingDir\":\"/srv\","
                "\"ExposedPorts\":{\"8080/tcp\":{},\"53/udp\":{},\"80\":{}}}}";
        const char *cmd_only = "{\"config\":{\"Cmd\":[\"x\"]}}",
                   *user_group = "{\"config\":{\"User\":\"1:2\"}}";
        const char *bad_port = "{\"config\":{\"ExposedPorts\":{\"http\":{}}}}",
                   *mips = "{\"architecture\":\"mips\"}";
        const char *volumes =
                "{\"config\":{\"Volumes\":{\"/var/lib/db\":{},\"/data\":{},\"/DATA\":{},\"/database\":{}}}}";
        const char *bad_volume = "{\"config\":{\"Volumes\":{\"data\":{}}}}";

        assert_int_equal(docker_ref_parse("docker://127.0.0.1:5000/test/app:1.0", &r, NULL), 0);
        assert_int_equal(
                docker_config_to_manifest(config, strlen(config), &r, "sha256:" D64, "sha256:m", &m, &e), 0);
        assert_string_equal(m->name, "127.0.0.1_5000/test/app");
        assert_string_equal(appc_kv_get(m->labels, m->n_labels, "version"), "1.0");
        assert_string_equal(appc_kv_get(m->labels, m->n_labels, "arch"), "aarch64");
        assert_string_equal(appc_kv_get(m->labels, m->n_labels, "os"), "linux");
        assert_string_equal(m->app->exec[0], "/bin/sh");
        assert_string_equal(m->app->exec[2], "echo hi");
        assert_null(m->app->exec[3]);
        assert_string_equal(m->app->user, "daemon");
        assert_string_equal(m->app->group, "daemon");
        assert_string_equal(m->app->working_directory, "/srv");
        assert_int_equal(m->app->n_environment, 2);
        assert_string_equal(appc_kv_get(m->app->environment, m->app->n_environment, "A"), "b=c");
        assert_int_equal(m->app->n_ports, 3);
        assert_string_equal(m->app->ports[0].name, "53-udp");
        assert_string_equal(m->app->ports[0].protocol, "udp");
        assert_string_equal(m->app->ports[1].name, "80");
        assert_string_equal(m->app->ports[1].protocol, "tcp");
        assert_string_equal(m->app->ports[2].name, "8080-tcp");
        assert_int_equal(m->app->ports[2].port, 8080);
        assert_string_equal(appc_kv_get(m->annotations, m->n_annotations, "appc.io/docker/entrypoint"),
                            "[\"/bin/sh\",\"-c\"]");
        assert_string_equal(appc_kv_get(m->annotations, m->n_annotations, "appc.io/docker/cmd"),
                            "[\"echo hi\"]");
        assert_string_equal(appc_kv_get(m->annotations, m->n_annotations, "appc.io/docker/imageid"),
                            "sha256:" D64);
        assert_string_equal(appc_kv_get(m->annotations, m->n_annotations, "appc.io/docker/registryurl"),
                            "127.0.0.1:5000");
        m = appc_image_manifest_free(m);

        /* No User: root; no config at all: no app. */
        assert_int_equal(docker_config_to_manifest(cmd_only, strlen(cmd_only), &r, "d", "m", &m, NULL), 0);
        assert_string_equal(m->app->user, "0");
        assert_string_equal(m->app->group, "0");
        assert_string_equal(appc_kv_get(m->labels, m->n_labels, "arch"), "amd64");
        m = appc_image_manifest_free(m);
        assert_int_equal(docker_config_to_manifest(user_group, strlen(user_group), &r, "d", "m", &m, NULL),
                         0);
        assert_string_equal(m->app->user, "1");
        assert_string_equal(m->app->group, "2");
        m = appc_image_manifest_free(m);

        /* Volumes: mount points named as docker2aci named them, sorted; a name taken gets "-1" */
        assert_int_equal(docker_config_to_manifest(volumes, strlen(volumes), &r, "d", "m", &m, NULL), 0);
        assert_int_equal(m->app->n_mount_points, 4);
        assert_string_equal(m->app->mount_points[0].name, "volume-data");
        assert_string_equal(m->app->mount_points[1].name, "volume-data-1");
        assert_string_equal(m->app->mount_points[2].name, "volume-database");
        assert_string_equal(m->app->mount_points[3].name, "volume-var-lib-db");
        assert_string_equal(m->app->mount_points[3].path, "/var/lib/db");
        m = appc_image_manifest_free(m);
        assert_int_equal(docker_config_to_manifest(bad_volume, strlen(bad_volume), &r, "d", "m", &m, &e),
                         -EBADMSG);
        assert_non_null(strstr(e->message, "volume 'data' is not an absolute path"));
        e = rkt_error_free(e);

        assert_int_equal(docker_config_to_manifest(bad_port, strlen(bad_port), &r, "d", "m", &m, &e),
                         -EBADMSG);
        assert_non_null(strstr(e->message, "'http' is not a port number"));
        e = rkt_error_free(e);
        assert_int_equal(docker_config_to_manifest(mips, strlen(mips), &r, "d", "m", &m, &e),
                         -EPROTONOSUPPORT);
        docker_ref_done(&r);
}

static void test_challenge_parse(void **state) {
        DockerChallenge c;

        assert_int_equal(
                docker_challenge_parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry."
                                       "docker.io\",scope=\"repository:library/busybox:pull\"",
                                       &c),
                0);
        assert_string_equal(c.scheme, "bearer");
        assert_string_equal(c.realm, "https://auth.docker.io/token");
        assert_string_equal(c.service, "registry.docker.io");
        assert_string_equal(c.scope, "repository:library/busybox:pull");
        docker_challenge_done(&c);

        /* Unquoted values, blanks, unknown parameters, escapes, scopes with commas inside quotes. */
        assert_int_equal(docker_challenge_parse("  BASIC  realm=reg , charset=\"UTF-8\"", &c), 0);
        assert_string_equal(c.scheme, "basic");
        assert_string_equal(c.realm, "reg");
        assert_null(c.service);
        docker_challenge_done(&c);
        assert_int_equal(
                docker_challenge_parse("Bearer realm=\"a\\\"b\",scope=\"repository:a:pull,push\"", &c), 0);
        assert_string_equal(c.realm, "a\"b");
        assert_string_equal(c.scope, "repository:a:pull,push");
        docker_challenge_done(&c);

        assert_int_equal(docker_challenge_parse("", &c), -EBADMSG);
        assert_int_equal(docker_challenge_parse("Bearer realm=\"unterminated", &c), -EBADMSG);
        assert_int_equal(docker_challenge_parse("Bearer =x", &c), -EBADMSG);
}

/* The registry's credentials go to a token server on its own host only (any port), and Docker Hub's to
 * its token server. */
static void test_realm_is_registry_host(void **state) {
        (void) state;
        assert_true(docker_realm_is_registry_host("127.0.0.1:5000", "127.0.0.1"));
        assert_true(docker_realm_is_registry_host("reg.example.com", "reg.example.com"));
        assert_true(docker_realm_is_registry_host("Reg.Example.com:443", "reg.example.com"));
        assert_true(docker_realm_is_registry_host("[::1]:5000", "[::1]"));
        assert_true(docker_realm_is_registry_host(DOCKER_HUB_REGISTRY, "auth.docker.io"));

        assert_false(docker_realm_is_registry_host("127.0.0.1:5000", "127.0.0.2"));
        assert_false(docker_realm_is_registry_host("reg.example.com", "reg.example.com.evil.org"));
        assert_false(docker_realm_is_registry_host("reg.example.com", "eg.example.com"));
        assert_false(docker_realm_is_registry_host("reg.example.com:5000", "reg.example.co"));
        assert_false(docker_realm_is_registry_host("[::1]:5000", "[::2]"));
        assert_false(docker_realm_is_registry_host("[::1", "[::1"));
        assert_false(docker_realm_is_registry_host("quay.io", "auth.docker.io"));
        assert_false(docker_realm_is_registry_host(DOCKER_HUB_REGISTRY, "docker.io"));
}

/* A registry's documents are hostile: each bad one is refused with one line naming the member, and none
 * leaks or crashes. */
static void expect_manifest_error(const char *json, int code, const char *message) {
        _cleanup_(docker_manifest_freep) DockerManifest *m = NULL;
        _cleanup_error_ RktError *e = NULL;
        int r = docker_manifest_parse(json, strlen(json), NULL, &m, &e);

        if (r != code || !e || !streq(e->message, message))
                fail_msg("%s: got %d '%s', not %d '%s'", json, r, e ? e->message : "", code, message);
        assert_null(m);
}

#define SCHEMA2_HEAD                                                                                        \
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
#define CONFIG_OK "\"config\":{\"size\":1,\"digest\":\"sha256:" D64 "\"}"
#define LAYER_OK "{\"size\":1,\"digest\":\"sha256:" D64 "\"}"

static void test_manifest_hostile(void **state) {
        static const struct {
                const char *json, *message;
                int code;
        } bad[] = {
                {"[]", "the manifest is not a JSON object", -EBADMSG},
                {"{\"schemaVersion\":\"2\"}", "schemaVersion: must be an integer between 0 and 2147483647",
                 -EBADMSG},
                {SCHEMA2_HEAD CONFIG_OK "}", "the manifest has no 'layers' list", -EBADMSG},
                {SCHEMA2_HEAD "\"layers\":[]}", "the manifest has no 'config'", -EBADMSG},
                {SCHEMA2_HEAD "\"config\":null,\"layers\":[]}", "the manifest has no 'config'", -EBADMSG},
                {SCHEMA2_HEAD "\"config\":\"x\",\"layers\":[]}", "config: must be an object", -EBADMSG},
                {SCHEMA2_HEAD CONFIG_OK ",\"layers\":{}}", "layers: must be an array", -EBADMSG},
                {SCHEMA2_HEAD CONFIG_OK ",\"layers\":[" LAYER_OK ",7]}", "layers[1]: must be an object",
                 -EBADMSG},
                {SCHEMA2_HEAD CONFIG_OK ",\"layers\":[{\"digest\":\"sha256:" D64 "\"}]}",
                 "layers[0].size: must be set", -EBADMSG},
                {SCHEMA2_HEAD CONFIG_OK ",\"layers\":[{\"size\":-1,\"digest\":\"sha256:" D64 "\"}]}",
                 "layers[0].size: must be a non-negative integer", -EBADMSG},
                {SCHEMA2_HEAD CONFIG_OK ",\"layers\":[{\"size\":1.5,\"digest\":\"sha256:" D64 "\"}]}",
                 "layers[0].size: must be a non-negative integer", -EBADMSG},
                {SCHEMA2_HEAD CONFIG_OK ",\"layers\":[{\"size\":1,\"digest\":7}]}",
                 "layers[0].digest: must be a string", -EBADMSG},
                {SCHEMA2_HEAD CONFIG_OK ",\"layers\":[{\"size\":1}]}", "layers[0] has no sha256 digest",
                 -EBADMSG},
                {SCHEMA2_HEAD CONFIG_OK ",\"layers\":[{\"size\":1,\"digest\":\"sha256:../../x\"}]}",
                 "layers[0] has no sha256 digest", -EBADMSG},
                {SCHEMA2_HEAD CONFIG_OK ",\"layers\":[{\"size\":1,\"mediaType\":[],\"digest\":\"sha256:" D64
                                        "\"}]}",
                 "layers[0].mediaType: must be a string", -EBADMSG},
                {"{\"mediaType\":7}", "mediaType: must be a string", -EBADMSG},
                {"{\"mediaType\":\"text/html\"}", "unsupported manifest type 'text/html'", -EPROTONOSUPPORT},
                {"{}", "unsupported manifest type 'n/a'", -EPROTONOSUPPORT},
                /* what the server says is quoted on one line */
                {"{\"mediaType\":\"a\\nb\"}", "unsupported manifest type 'a\\nb'", -EPROTONOSUPPORT},
                {SCHEMA2_HEAD CONFIG_OK
                 ",\"layers\":[{\"size\":1,\"mediaType\":\"x\\r\",\"digest\":\"sha256:" D64 "\"}]}",
                 "layer 'sha256:" D64 "' has the unsupported type 'x\\x0d'", -EPROTONOSUPPORT},
                {"{\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}",
                 "the manifest has no 'manifests' list", -EBADMSG},
                {"{\"manifests\":[{\"size\":1,\"digest\":\"sha256:" D64 "\",\"platform\":[]}]}",
                 "manifests[0].platform: must be an object", -EBADMSG},
                {"{\"manifests\":[{\"size\":1,\"digest\":\"sha256:" D64 "\",\"platform\":{\"os\":1}}]}",
                 "manifests[0].platform.os: must be a string", -EBADMSG},
                {"{\"manifests\":[{\"size\":1,\"digest\":\"sha256:x\"}]}",
                 "manifests[0] has no sha256 digest", -EBADMSG},
                /* NUL in a string, escaped or raw */
                {SCHEMA2_HEAD CONFIG_OK ",\"layers\":[{\"size\":1,\"mediaType\":\"a\\u0000b\"}]}",
                 "the manifest is not valid JSON: NUL character in string at offset 223", -EBADMSG},
                {"{\"mediaType\":\"x", "the manifest is not valid JSON: unexpected end of data at offset 15",
                 -EBADMSG},
        };
        _cleanup_(docker_manifest_freep) DockerManifest *m = NULL;
        _cleanup_error_ RktError *e = NULL;
        _cleanup_free_ char *huge = NULL;
        size_t n = 30000, len;
        char *p;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                expect_manifest_error(bad[i].json, bad[i].code, bad[i].message);
        /* a raw NUL byte */
        assert_int_equal(docker_manifest_parse("{\"a\":\"\0\"}", 9, NULL, &m, &e), -EBADMSG);
        assert_string_equal(e->message, "the manifest is not valid JSON: NUL byte at offset 6");
        e = rkt_error_free(e);

        /* Keys are Go's: matched ignoring case. */
        {
                const char *upper = "{\"MEDIATYPE\":\"application/vnd.oci.image.manifest.v1+json\","
                                    "\"Config\":{\"Size\":3,\"Digest\":\"sha256:" D64 "\"},\"Layers\":[]}";
                assert_int_equal(docker_manifest_parse(upper, strlen(upper), NULL, &m, NULL), 0);
                assert_int_equal(m->config.size, 3);
                assert_int_equal(m->n_layers, 0);
                m = docker_manifest_free(m);
        }

        /* A huge list of layers (what fits in the 4 MiB a manifest may have) is read whole; a bad
         * element at its end is named. */
        len = strlen(SCHEMA2_HEAD CONFIG_OK ",\"layers\":[]}") + n * (strlen(LAYER_OK) + 1) + 1;
        huge = malloc(len);
        assert_non_null(huge);
        p = stpcpy(huge, SCHEMA2_HEAD CONFIG_OK ",\"layers\":[");
        for (size_t i = 0; i < n; i++)
                p = stpcpy(stpcpy(p, i ? "," : ""), LAYER_OK);
        strcpy(p, "]}");
        assert_true(strlen(huge) < 4u * 1024 * 1024);
        assert_int_equal(docker_manifest_parse(huge, strlen(huge), NULL, &m, NULL), 0);
        assert_int_equal(m->n_layers, n);
        m = docker_manifest_free(m);
        strcpy(p - strlen(LAYER_OK), "null]}");
        assert_int_equal(docker_manifest_parse(huge, strlen(huge), NULL, &m, &e), -EBADMSG);
        assert_string_equal(e->message, "layers[29999]: must be an object");
}

static void expect_config_error(const char *json, int code, const char *message) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *m = NULL;
        _cleanup_error_ RktError *e = NULL;
        DockerRef ref;
        int r;

        assert_int_equal(docker_ref_parse("docker://127.0.0.1:5000/test/app:1.0", &ref, NULL), 0);
        r = docker_config_to_manifest(json, strlen(json), &ref, "d", "m", &m, &e);
        docker_ref_done(&ref);
        if (r != code || !e || !streq(e->message, message))
                fail_msg("%s: got %d '%s', not %d '%s'", json, r, e ? e->message : "", code, message);
        assert_null(m);
}

static void test_config_hostile(void **state) {
        static const struct {
                const char *json, *message;
                int code;
        } bad[] = {
                {"7", "the image config is not a JSON object", -EBADMSG},
                {"{\"architecture\":1}", "architecture: must be a string", -EBADMSG},
                {"{\"architecture\":\"mips\\n\"}", "unsupported image architecture 'mips\\n'",
                 -EPROTONOSUPPORT},
                {"{\"os\":[]}", "os: must be a string", -EBADMSG},
                {"{\"created\":{}}", "created: must be a string", -EBADMSG},
                {"{\"config\":[]}", "config: must be an object", -EBADMSG},
                {"{\"config\":{\"User\":0}}", "config.User: must be a string", -EBADMSG},
                {"{\"config\":{\"Entrypoint\":\"/bin/sh\"}}", "config.Entrypoint: must be an array",
                 -EBADMSG},
                {"{\"config\":{\"Cmd\":[\"a\",null]}}", "config.Cmd[1]: must be a string", -EBADMSG},
                {"{\"config\":{\"Env\":[1]}}", "config.Env[0]: must be a string", -EBADMSG},
                {"{\"config\":{\"ExposedPorts\":[\"80\"]}}", "config.ExposedPorts: must be an object",
                 -EBADMSG},
                {"{\"config\":{\"ExposedPorts\":{\"80\":1}}}",
                 "config.ExposedPorts: '80': must be an object", -EBADMSG},
                {"{\"config\":{\"ExposedPorts\":{\"99999/tcp\":{}}}}",
                 "exposed port '99999/tcp' is not a port number", -EBADMSG},
                {"{\"config\":{\"Volumes\":\"/data\"}}", "config.Volumes: must be an object", -EBADMSG},
                {"{\"config\":{\"Volumes\":{\"/a\\nb\":{},\"x\":{}}}}", "volume 'x' is not an absolute path",
                 -EBADMSG},
                {"{\"config\":{\"WorkingDir\":\"/\\u0000\"}}",
                 "the image config is not valid JSON: NUL character in string at offset 26", -EBADMSG},
        };
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *m = NULL;
        _cleanup_free_ char *huge = NULL;
        const size_t n = 20000;
        DockerRef ref;
        char *p;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                expect_config_error(bad[i].json, bad[i].code, bad[i].message);

        /* null is absent, as for Go: no entrypoint, no volumes, the default os */
        {
                const char *nulls = "{\"os\":null,\"config\":{\"Entrypoint\":null,\"Cmd\":[\"x\"],"
                                    "\"Volumes\":null,\"ExposedPorts\":{\"80/tcp\":null},\"Env\":null}}";
                assert_int_equal(docker_ref_parse("docker://127.0.0.1:5000/test/app:1.0", &ref, NULL), 0);
                assert_int_equal(docker_config_to_manifest(nulls, strlen(nulls), &ref, "d", "m", &m, NULL),
                                 0);
                assert_string_equal(appc_kv_get(m->labels, m->n_labels, "os"), "linux");
                assert_string_equal(m->app->exec[0], "x");
                assert_int_equal(m->app->n_ports, 1);
                assert_int_equal(m->app->n_mount_points, 0);
                assert_null(appc_kv_get(m->annotations, m->n_annotations, "appc.io/docker/entrypoint"));
                m = appc_image_manifest_free(m);
        }

        /* Huge lists: every environment variable and exposed port is kept. */
        huge = malloc(64 + n * 40);
        assert_non_null(huge);
        p = stpcpy(huge, "{\"config\":{\"Env\":[");
        for (size_t i = 0; i < n; i++)
                p += sprintf(p, "%s\"V%zu=x\"", i ? "," : "", i);
        p = stpcpy(p, "],\"ExposedPorts\":{");
        for (size_t i = 0; i < n; i++)
                p += sprintf(p, "%s\"%zu/tcp\":{}", i ? "," : "", i + 1);
        strcpy(p, "}}}");
        assert_int_equal(docker_config_to_manifest(huge, strlen(huge), &ref, "d", "m", &m, NULL), 0);
        assert_int_equal(m->app->n_environment, n);
        assert_int_equal(m->app->n_ports, n);
        docker_ref_done(&ref);
}

static void test_token_parse(void **state) {
        static const struct {
                const char *json, *message;
                int code;
        } bad[] = {
                {"", "the answer is not valid JSON: unexpected end of data at offset 0", -EBADMSG},
                {"token", "the answer is not valid JSON: boolean expected at offset 1", -EBADMSG},
                {"[\"t\"]", "the answer is not a JSON object", -EBADMSG},
                {"{}", "the answer has no token", -EPROTO},
                {"{\"token\":\"\"}", "the answer has no token", -EPROTO},
                {"{\"token\":7}", "token: must be a string", -EBADMSG},
                {"{\"token\":null,\"access_token\":{}}", "access_token: must be a string", -EBADMSG},
                {"{\"token\":\"a\\r\\nX-Evil: 1\"}", "token: must not contain control characters", -EPROTO},
                {"{\"token\":\"a\\u0000b\"}",
                 "the answer is not valid JSON: NUL character in string at offset 11", -EBADMSG},
        };
        static const char ok[] = "{\"token\":\"abc\",\"expires_in\":300}",
                          ok2[] = "{\"access_token\":\"xyz\"}";
        char *t = NULL;

        assert_int_equal(docker_token_parse(ok, strlen(ok), &t, NULL), 0);
        assert_string_equal(t, "abc");
        t = mfree(t);
        assert_int_equal(docker_token_parse(ok2, strlen(ok2), &t, NULL), 0);
        assert_string_equal(t, "xyz");
        t = mfree(t);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_error_ RktError *e = NULL;
                int r = docker_token_parse(bad[i].json, strlen(bad[i].json), &t, &e);

                if (r != bad[i].code || !e || !streq(e->message, bad[i].message))
                        fail_msg("%s: got %d '%s'", bad[i].json, r, e ? e->message : "");
                assert_null(t);
        }
}

RUN_TESTS(cmocka_unit_test(test_ref_parse), cmocka_unit_test(test_ref_errors),
          cmocka_unit_test(test_manifest_parse), cmocka_unit_test(test_config_to_manifest),
          cmocka_unit_test(test_challenge_parse), cmocka_unit_test(test_realm_is_registry_host),
          cmocka_unit_test(test_manifest_hostile), cmocka_unit_test(test_config_hostile),
          cmocka_unit_test(test_token_parse))
