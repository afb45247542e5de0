/* SPDX-License-Identifier: Apache-2.0 */
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

RUN_TESTS(cmocka_unit_test(test_ref_parse), cmocka_unit_test(test_ref_errors),
          cmocka_unit_test(test_manifest_parse), cmocka_unit_test(test_config_to_manifest),
          cmocka_unit_test(test_challenge_parse))
