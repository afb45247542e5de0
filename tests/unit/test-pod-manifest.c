/* SPDX-License-Identifier: Apache-2.0 */
#include "pod-manifest.h"
#include "strv.h"
#include "unit.h"

#define ID_A                                                                                                \
        "sha512-"                                                                                           \
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
        "aaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B                                                                                                \
        "sha512-"                                                                                           \
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" \
        "bbbbbbbbbbbbbbbbbbbbbbbbbbb"

static AppcImageManifest *image(const char *json) {
        AppcImageManifest *m = NULL;
        assert_int_equal(appc_image_manifest_parse(json, strlen(json), &m, NULL), 0);
        return m;
}

static const char *const with_app =
        "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/my_app\","
        "\"labels\":[{\"name\":\"version\",\"value\":\"1\"}],"
        "\"app\":{\"exec\":[\"/bin/server\",\"--port\",\"80\"],\"user\":\"100\",\"group\":\"100\","
        "\"environment\":[{\"name\":\"A\",\"value\":\"image\"},{\"name\":\"B\",\"value\":\"image\"},"
        "{\"name\":\"C\",\"value\":\"image\"}],"
        "\"isolators\":[{\"name\":\"resource/memory\",\"value\":{\"limit\":\"1G\"}}]}}";
static const char *const without_app =
        "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/base\"}";

static void test_defaults_and_overrides(void **state) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *im = image(with_app);
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        _cleanup_strv_free_ char **args = NULL;
        AppcKV set_env[] = {{"B", "set-env"}, {"C", "set-env"}};
        AppcKV env[] = {{"C", "environment"}};
        AppSpec app = {.image = "example.com/my_app",
                       .image_id = ID_A,
                       .manifest = im,
                       .environment = env,
                       .n_environment = 1,
                       .memory = "512M",
                       .cpu = "500m",
                       .user = "0"};
        PodSpec spec = {.apps = &app, .n_apps = 1, .set_env = set_env, .n_set_env = 2};
        const AppcApp *a;

        assert_int_equal(strv_extend(&args, "--verbose"), 0);
        app.args = args;
        assert_int_equal(pod_manifest_generate(&spec, &m, NULL), 0);
        assert_int_equal(m->n_apps, 1);
        assert_string_equal(m->apps[0].name, "my-app");
        assert_string_equal(m->apps[0].image.id, ID_A);
        assert_string_equal(m->apps[0].image.name, "example.com/my_app");
        assert_string_equal(appc_kv_get(m->apps[0].image.labels, m->apps[0].image.n_labels, "version"), "1");
        a = m->apps[0].app;
        /* args are appended to the image's command */
        assert_int_equal(strv_length(a->exec), 4);
        assert_string_equal(a->exec[0], "/bin/server");
        assert_string_equal(a->exec[3], "--verbose");
        assert_string_equal(a->user, "0");
        assert_string_equal(a->group, "100");
        /* image < --set-env < --environment */
        assert_string_equal(appc_kv_get(a->environment, a->n_environment, "A"), "image");
        assert_string_equal(appc_kv_get(a->environment, a->n_environment, "B"), "set-env");
        assert_string_equal(appc_kv_get(a->environment, a->n_environment, "C"), "environment");
        /* --memory replaces the image's memory isolator */
        assert_int_equal(a->n_isolators, 2);
        assert_string_equal(
                appc_isolator_get(a->isolators, a->n_isolators, "resource/memory")->resource.limit, "512M");
        assert_string_equal(appc_isolator_get(a->isolators, a->n_isolators, "resource/cpu")->resource.limit,
                            "500m");
}

static void test_inherit_env(void **state) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *im = image(with_app);
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        char *parent[] = {"A=parent", "B=parent", "D=parent", "E=parent", "BASH_FUNC_x%%=() {}",
                          "NOEQUALS", NULL};
        AppcKV set_env[] = {{"B", "set-env"}, {"E", "set-env"}};
        AppSpec app = {.image = "example.com/my_app", .image_id = ID_A, .manifest = im};
        PodSpec spec = {
                .apps = &app, .n_apps = 1, .set_env = set_env, .n_set_env = 2, .inherit_env = parent};
        const AppcApp *a;

        assert_int_equal(pod_manifest_generate(&spec, &m, NULL), 0);
        a = m->apps[0].app;
        /* --inherit-env < image < --set-env; names no variable may have are not inherited */
        assert_string_equal(appc_kv_get(a->environment, a->n_environment, "A"), "image");
        assert_string_equal(appc_kv_get(a->environment, a->n_environment, "B"), "set-env");
        assert_string_equal(appc_kv_get(a->environment, a->n_environment, "C"), "image");
        assert_string_equal(appc_kv_get(a->environment, a->n_environment, "D"), "parent");
        assert_string_equal(appc_kv_get(a->environment, a->n_environment, "E"), "set-env");
        assert_null(appc_kv_get(a->environment, a->n_environment, "BASH_FUNC_x%%"));
        assert_null(appc_kv_get(a->environment, a->n_environment, "NOEQUALS"));
        assert_int_equal(a->n_environment, 5);
}

static void test_exec_override_and_no_app(void **state) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *im = image(with_app),
                                                               *base = image(without_app);
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        _cleanup_error_ RktError *e = NULL;
        AppSpec apps[] = {
                {.image = "a", .image_id = ID_A, .manifest = im, .exec = "/bin/sh", .name = "first"},
                {.image = "b", .image_id = ID_B, .manifest = base},
        };
        PodSpec spec = {.apps = apps, .n_apps = 2};

        assert_int_equal(pod_manifest_generate(&spec, &m, &e), -EINVAL);
        assert_non_null(strstr(e->message, "has no app section"));
        e = rkt_error_free(e);
        apps[1].exec = "/bin/true";
        assert_int_equal(pod_manifest_generate(&spec, &m, NULL), 0);
        assert_int_equal(strv_length(m->apps[0].app->exec), 1);
        assert_string_equal(m->apps[0].app->exec[0], "/bin/sh");
        assert_string_equal(m->apps[1].name, "base");
        assert_string_equal(m->apps[1].app->user, "0");
}

static void test_errors(void **state) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *im = image(with_app);
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        _cleanup_error_ RktError *e = NULL;
        AppSpec apps[] = {
                {.image = "a", .image_id = ID_A, .manifest = im},
                {.image = "a", .image_id = ID_A, .manifest = im},
        };
        PodSpec spec = {.apps = apps, .n_apps = 2};

        assert_int_equal(pod_manifest_generate(&spec, &m, &e), -EINVAL);
        assert_non_null(strstr(e->message, "used twice"));
        e = rkt_error_free(e);
        apps[1].name = "Bad_Name";
        assert_int_equal(pod_manifest_generate(&spec, &m, &e), -EINVAL);
        assert_non_null(strstr(e->message, "not a valid app name"));
        e = rkt_error_free(e);
        spec.n_apps = 1;
        apps[0].caps_retain = "net_admin";
        apps[0].caps_remove = "chown";
        assert_int_equal(pod_manifest_generate(&spec, &m, &e), -EINVAL);
        e = rkt_error_free(e);
        apps[0].caps_remove = NULL;
        apps[0].cpu_shares = "lots";
        assert_int_equal(pod_manifest_generate(&spec, &m, &e), -EINVAL);
        assert_non_null(strstr(e->message, "not an integer"));
        e = rkt_error_free(e);
        /* The integer rules of every flag: no blanks around the digits. */
        apps[0].cpu_shares = " 5";
        assert_int_equal(pod_manifest_generate(&spec, &m, &e), -EINVAL);
        e = rkt_error_free(e);
        apps[0].cpu_shares = NULL;
        apps[0].supplementary_gids = "10, 20";
        assert_int_equal(pod_manifest_generate(&spec, &m, &e), -EINVAL);
        assert_non_null(strstr(e->message, "is not a group ID"));
        e = rkt_error_free(e);
        apps[0].supplementary_gids = NULL;
        spec.n_apps = 0;
        assert_int_equal(pod_manifest_generate(&spec, &m, &e), -EINVAL);
}

static void test_volumes_and_mounts(void **state) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *im = image(with_app);
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        _cleanup_strv_free_ char **volumes = NULL, **pod_mounts = NULL, **app_mounts = NULL;
        AppSpec app = {.image = "a", .image_id = ID_A, .manifest = im, .caps_retain = "net_admin,CAP_CHOWN"};
        PodSpec spec = {.apps = &app, .n_apps = 1};
        const AppcIsolator *caps;

        assert_int_equal(strv_extend(&volumes, "data,kind=host,source=/srv/data,readOnly=true"), 0);
        assert_int_equal(strv_extend(&volumes, "scratch,kind=empty"), 0);
        assert_int_equal(strv_extend(&pod_mounts, "volume=scratch,target=/tmp/x"), 0);
        assert_int_equal(strv_extend(&pod_mounts, "volume=data,target=/data"), 0);
        assert_int_equal(strv_extend(&app_mounts, "volume=scratch,target=/data"), 0);
        spec.volumes = volumes;
        spec.mounts = pod_mounts;
        app.mounts = app_mounts;
        assert_int_equal(pod_manifest_generate(&spec, &m, NULL), 0);
        assert_int_equal(m->n_volumes, 2);
        assert_int_equal(m->volumes[0].kind, APPC_VOLUME_HOST);
        assert_string_equal(m->volumes[0].source, "/srv/data");
        assert_int_equal(m->apps[0].n_mounts, 2);
        /* the app's own mount on /data replaces the pod-wide one */
        assert_string_equal(m->apps[0].mounts[1].path, "/data");
        assert_string_equal(m->apps[0].mounts[1].volume, "scratch");
        caps = appc_isolator_get(m->apps[0].app->isolators, m->apps[0].app->n_isolators,
                                 "os/linux/capabilities-retain-set");
        assert_non_null(caps);
        assert_string_equal(caps->caps[0], "CAP_NET_ADMIN");
        assert_string_equal(caps->caps[1], "CAP_CHOWN");
}

static void test_env_file(void **state) {
        _cleanup_error_ RktError *e = NULL;
        AppcKV *kv = NULL;
        size_t n = 0;

        assert_int_equal(
                env_file_parse("# comment\n; also\n\nFOO=bar\n  BAZ=x=y  \nEMPTY=\n", "f", &kv, &n, NULL),
                0);
        assert_int_equal(n, 3);
        assert_string_equal(appc_kv_get(kv, n, "FOO"), "bar");
        assert_string_equal(appc_kv_get(kv, n, "BAZ"), "x=y");
        assert_string_equal(appc_kv_get(kv, n, "EMPTY"), "");
        assert_int_equal(env_file_parse("A=1\nA=2\n", "f", &kv, &n, &e), -EINVAL);
        assert_non_null(strstr(e->message, "line 2"));
        e = rkt_error_free(e);
        assert_int_equal(env_file_parse("novalue\n", "f", &kv, &n, &e), -EINVAL);
        for (size_t i = 0; i < n; i++) {
                free(kv[i].name);
                free(kv[i].value);
        }
        free(kv);
}

RUN_TESTS(cmocka_unit_test(test_defaults_and_overrides), cmocka_unit_test(test_inherit_env),
          cmocka_unit_test(test_exec_override_and_no_app), cmocka_unit_test(test_errors),
          cmocka_unit_test(test_volumes_and_mounts), cmocka_unit_test(test_env_file))
