/* SPDX-License-Identifier: Apache-2.0 */
/* The appc value checks that need no manifest: names and formats, isolator values, lookups. The manifests
 * themselves are in test-appc.c. */
#include <inttypes.h>
#include <stdio.h>

#include "appc.h"
#include "strv.h"
#include "unit.h"

#define HASH_A                                                                                              \
        "sha512-a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4"                           \
        "a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4"

/* --- names and formats --- */

static void test_ac_identifier(void **state) {
        static const char *const good[] = {
                "asdf",
                "foo-bar-baz",
                "zab_rab_oof",
                "database",
                "my~database",
                "example.com/database",
                "example.com/~bob/database",
                "example.com/ourapp-1.0.0",
                "sub-domain.example.com/org/product/~alice/release-1.0.0",
                "a",
                "0",
                "a--b",
                "a/_.b",
        };
        static const char *const bad[] = {
                "",     "BAR",  "foo#", "EXAMPLE.com", "foo.com/BAR", "/app", "app/", "-app", "app-",
                ".app", "app.", "_app", "app_",        "~app",        "app~", "a b",  "a:b",  "ä",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                if (!appc_ac_identifier_valid(good[i]))
                        fail_msg("'%s' should be a valid AC Identifier", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (appc_ac_identifier_valid(bad[i]))
                        fail_msg("'%s' should not be a valid AC Identifier", bad[i]);
        assert_false(appc_ac_identifier_valid(NULL));
}

static void test_ac_name(void **state) {
        static const char *const good[] = {"asdf", "foo-bar-baz", "database",          "a",
                                           "9",    "a--b",        "ace-validator-main"};
        static const char *const bad[] = {
                "",
                "foo#",
                "example.com",
                "EXAMPLE.com",
                "example/database",
                "example/database-1.0.0",
                "foo.com/BAR",
                "example.com/app_1",
                "/app",
                "app/",
                "-app",
                "app-",
                ".app",
                "app.",
                "a_b",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                if (!appc_ac_name_valid(good[i]))
                        fail_msg("'%s' should be a valid AC Name", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (appc_ac_name_valid(bad[i]))
                        fail_msg("'%s' should not be a valid AC Name", bad[i]);
}

static void test_sanitize(void **state) {
        static const char *const names[][2] = {
                {"foo#", "foo"},
                {"EXAMPLE.com", "example-com"},
                {"foo.com/BAR", "foo-com-bar"},
                {"example.com/app_1", "example-com-app-1"},
                {"/app", "app"},
                {"app///", "app"},
                {"-/.app..", "app"},
                {"-/app.name-test/-/", "app-name-test"},
                {"sub-domain.example.com/org/product/release-1.0.0",
                 "sub-domain-example-com-org-product-release-1-0-0"},
                /* a UTF-8 sequence is one character */
                {"\xc3\x9c"
                 "n\xc3\xaf"
                 "code",
                 "n-code"},
        };
        static const char *const identifiers[][2] = {
                {"foo#", "foo"},
                {"FOO", "foo"},
                {"EXAMPLE.com", "example.com"},
                {"foo.com/BAR", "foo.com/bar"},
                {"/app", "app"},
                {"app~", "app"},
                {"-/.app..", "app"},
                {"-/app.name-test/-/", "app.name-test"},
                {"sub-domain.example.com/org/product/~alice/release-1.0.0",
                 "sub-domain.example.com/org/product/~alice/release-1.0.0"},
                {"a b", "a_b"},
        };
        static const char *const bad[] = {"__", "..", "//", "", ".//-"};
        char *s = NULL;

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                assert_int_equal(appc_sanitize_ac_name(names[i][0], &s), 0);
                assert_string_equal(s, names[i][1]);
                assert_true(appc_ac_name_valid(s));
                s = mfree(s);
        }
        for (size_t i = 0; i < ELEMENTSOF(identifiers); i++) {
                assert_int_equal(appc_sanitize_ac_identifier(identifiers[i][0], &s), 0);
                assert_string_equal(s, identifiers[i][1]);
                assert_true(appc_ac_identifier_valid(s));
                s = mfree(s);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                s = (char *) "untouched";
                assert_int_equal(appc_sanitize_ac_name(bad[i], &s), -EINVAL);
                assert_int_equal(appc_sanitize_ac_identifier(bad[i], &s), -EINVAL);
                assert_string_equal(s, "untouched");
        }
}

static void test_env_name(void **state) {
        assert_true(appc_env_name_valid("PATH"));
        assert_true(appc_env_name_valid("_x"));
        assert_true(appc_env_name_valid("a.b-c_9"));
        assert_false(appc_env_name_valid(""));
        assert_false(appc_env_name_valid("9A"));
        assert_false(appc_env_name_valid("-A"));
        assert_false(appc_env_name_valid("A=B"));
        assert_false(appc_env_name_valid("A B"));
}

static void test_semver(void **state) {
        static const char *const good[] = {
                "0.8.11",
                "1.0.0",
                "0.0.1",
                "0.0.0-rc1",
                "1.0.0-alpha.1+build.5",
                "1.2.3+x-y.z",
                "01.2.3",
                "9223372036854775807.0.0",
        };
        static const char *const bad[] = {
                "",
                "0.8",
                "1.2.3.4",
                "v1.2.3",
                "0.0.0",
                "1.2.x",
                "1.2.3-a..b",
                "1.2.3-al_pha",
                "1..3",
                "9223372036854775808.0.0",
                "1.2.3+meta+more",
                " 1.2.3",
                "-1.2.3",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                if (!appc_semver_valid(good[i]))
                        fail_msg("'%s' should be a valid version", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (appc_semver_valid(bad[i]))
                        fail_msg("'%s' should not be a valid version", bad[i]);
}

static void test_image_id(void **state) {
        char longer[200];

        assert_true(appc_image_id_valid(HASH_A, true));
        assert_true(appc_image_id_valid(HASH_A, false));
        assert_true(appc_image_id_valid("sha512-0123abcd", false));
        assert_false(appc_image_id_valid("sha512-0123abcd", true));
        assert_false(appc_image_id_valid("sha512-", false));
        assert_false(appc_image_id_valid("sha512-ABCD", false));
        assert_false(appc_image_id_valid("sha512-...", false));
        assert_false(appc_image_id_valid("sha256-abcd", false));
        assert_false(appc_image_id_valid("abcd", false));
        assert_false(appc_image_id_valid("", false));
        snprintf(longer, sizeof(longer), "%s0", HASH_A);
        assert_false(appc_image_id_valid(longer, false));
}

static void test_os_arch(void **state) {
        static const char *const linux_archs[] = {"amd64",  "i386",   "aarch64", "aarch64_be", "armv6l",
                                                  "armv7l", "armv7b", "ppc64",   "ppc64le",    "s390x"};
        const char *os, *arch;

        for (size_t i = 0; i < ELEMENTSOF(linux_archs); i++)
                assert_true(appc_os_arch_valid("linux", linux_archs[i]));
        assert_true(appc_os_arch_valid("freebsd", "amd64"));
        assert_true(appc_os_arch_valid("freebsd", "i386"));
        assert_true(appc_os_arch_valid("freebsd", "arm"));
        assert_true(appc_os_arch_valid("darwin", "x86_64"));
        assert_true(appc_os_arch_valid("darwin", "i386"));
        assert_true(appc_os_arch_valid("linux", NULL));
        /* arch means something only with an os */
        assert_true(appc_os_arch_valid(NULL, "whatever"));
        assert_false(appc_os_arch_valid("linux", "x86_64"));
        assert_false(appc_os_arch_valid("linux", "arm"));
        assert_false(appc_os_arch_valid("darwin", "amd64"));
        assert_false(appc_os_arch_valid("freebsd", "aarch64"));
        assert_false(appc_os_arch_valid("windows", NULL));
        assert_false(appc_os_arch_valid("Linux", "amd64"));

        if (appc_host_os_arch(&os, &arch) == 0)
                assert_true(appc_os_arch_valid(os, arch));
}

static void test_quantity(void **state) {
        static const struct {
                const char *s;
                int64_t value, milli;
        } ok[] = {
                {"0", 0, 0},
                {"500m", 1, 500},
                {"250m", 1, 250},
                {"1", 1, 1000},
                {"2", 2, 2000},
                {"1k", 1000, 1000000},
                {"1Ki", 1024, 1024000},
                {"1Gi", 1073741824, 1073741824000},
                {"1.5Gi", 1610612736, 1610612736000},
                {"1G", 1000000000, 1000000000000},
                {"2e3", 2000, 2000000},
                {"1E", 1000000000000000000, -1},
                {"0.1", 1, 100},
                {".5", 1, 500},
                {"1e-3", 1, 1},
                {"128974848", 128974848, 128974848000},
                {"-1", -1, -1000},
                {"+3", 3, 3000},
                {"100u", 1, 1},
                {"1n", 1, 1},
                {"007", 7, 7000},
                {"1.", 1, 1000},
        };
        static const char *const bad[] = {"",    "1K",  "1e",  "1.2.3", "12Mi3",
                                          "1Gx", "abc", "1 G", "1Ei5",  "--1"};
        int64_t v;

        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                if (!appc_quantity_valid(ok[i].s))
                        fail_msg("'%s' should be a valid quantity", ok[i].s);
                assert_int_equal(appc_quantity_value(ok[i].s, &v), 0);
                if (v != ok[i].value)
                        fail_msg("'%s': value %" PRIi64 ", expected %" PRIi64, ok[i].s, v, ok[i].value);
                if (ok[i].milli == -1) {
                        assert_int_equal(appc_quantity_milli_value(ok[i].s, &v), -ERANGE);
                        continue;
                }
                assert_int_equal(appc_quantity_milli_value(ok[i].s, &v), 0);
                if (v != ok[i].milli)
                        fail_msg("'%s': milli value %" PRIi64 ", expected %" PRIi64, ok[i].s, v,
                                 ok[i].milli);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                if (appc_quantity_valid(bad[i]))
                        fail_msg("'%s' should not be a valid quantity", bad[i]);
                assert_int_equal(appc_quantity_value(bad[i], &v), -EINVAL);
        }
        assert_true(appc_quantity_valid("9E"));
        assert_int_equal(appc_quantity_value("9E", &v), 0);
        assert_int_equal(appc_quantity_value("10E", &v), -ERANGE);
        assert_int_equal(appc_quantity_value("8Ei", &v), -ERANGE);
        assert_int_equal(appc_quantity_value("1234567890123456789012", &v), -ERANGE);

        /* Huge exponents are out of range, not a signed overflow that wraps round to a tiny value. */
        v = 42;
        assert_int_equal(appc_quantity_milli_value("1e9223372036854775806", &v), -ERANGE);
        assert_int_equal(appc_quantity_value("10e9223372036854775807", &v), -ERANGE);
        assert_int_equal(appc_quantity_value("1e9223372036854775807", &v), -ERANGE);
        assert_int_equal(appc_quantity_milli_value("1.5e9223372036854775807", &v), -ERANGE);
        assert_int_equal(appc_quantity_value("1e4097", &v), -ERANGE);
        assert_int_equal(v, 42);
        /* ... tiny ones round up to 1 (or 0 when negative), as ceil() says. */
        assert_int_equal(appc_quantity_value("1e-9223372036854775808", &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(appc_quantity_value("-1e-9223372036854775808", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(appc_quantity_value("0e9223372036854775807", &v), 0);
        assert_int_equal(v, 0);
        /* An exponent that does not fit in 64 bits is not a quantity. */
        assert_false(appc_quantity_valid("1e9223372036854775808"));
        assert_int_equal(appc_quantity_value("1e9223372036854775808", &v), -EINVAL);
        assert_false(appc_quantity_valid("1e+"));
        assert_false(appc_quantity_valid("1e 5"));
}

static void test_date(void **state) {
        static const char *const good[] = {
                "2014-10-27T19:32:27.67021798Z", "2014-10-27T19:32:27Z", "2014-10-27T19:32:27+02:00",
                "2016-02-29T00:00:00-07:30",     "2000-02-29T23:59:59Z", "2014-10-27T9:32:27Z",
                "2014-10-27T19:32:27,5Z",
        };
        static const char *const bad[] = {
                "",
                "2015-02-29T00:00:00Z",
                "1900-02-29T00:00:00Z",
                "2014-13-01T00:00:00Z",
                "2014-00-01T00:00:00Z",
                "2014-10-27 19:32:27Z",
                "2014-10-27T19:32:27",
                "2014-10-27T24:00:00Z",
                "2014-10-27T19:60:00Z",
                "2014-10-27T19:32:27.Z",
                "2014-10-27t19:32:27Z",
                "2014-10-27T19:32:27z",
                "14-10-27T19:32:27Z",
                "2014-10-27T19:32:27+0200",
                "2014-10-27T19:32:27Z ",
                "2014-04-31T00:00:00Z",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                if (!appc_date_valid(good[i]))
                        fail_msg("'%s' should be a valid date", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (appc_date_valid(bad[i]))
                        fail_msg("'%s' should not be a valid date", bad[i]);
}

static void test_url(void **state) {
        static const char *const good[] = {
                "http://example.com",
                "https://example.com/docs",
                "HTTPS://EXAMPLE.com/a?b=c d#frag",
                "http://user:pw@h:8080/p",
                "http://[::1]:80/",
                "https://github.com/appc/spec",
                "http:opaque",
                "http://h:/",
                "http://x/%41",
        };
        static const char *const bad[] = {
                "",
                "ftp://example.com",
                "example.com",
                "://x",
                "http://exa mple.com",
                "http://h:80a/",
                "http://x/%zz",
                "http://x/\n",
                "mailto:a@b",
                "http://[::1",
                "1http://x",
                "http://x/#%g0",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                if (!appc_url_valid(good[i]))
                        fail_msg("'%s' should be a valid URL", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (appc_url_valid(bad[i]))
                        fail_msg("'%s' should not be a valid URL", bad[i]);
}

/* --- isolators --- */

static void add_isolator_ok(AppcIsolator **is, size_t *n, const char *name, const char *value) {
        _cleanup_error_ RktError *e = NULL;
        int r;

        r = appc_isolators_add(is, n, name, value, &e);
        if (r < 0)
                fail_msg("isolator %s %s: %s", name, value, rkt_error_message(e, r));
}

static void add_isolator_bad(const char *name, const char *value, const char *expect) {
        _cleanup_error_ RktError *e = NULL;
        AppcIsolator *is = NULL;
        size_t n = 0;
        int r;

        r = appc_isolators_add(&is, &n, name, value, &e);
        if (r >= 0)
                fail_msg("isolator %s %s should be refused", name, value);
        assert_int_equal(r, -EINVAL);
        assert_int_equal(n, 0);
        assert_null(is);
        if (!strstr(e->message, expect))
                fail_msg("isolator %s %s: \"%s\" does not contain \"%s\"", name, value, e->message, expect);
}

static void test_isolator_values(void **state) {
        AppcIsolator *is = NULL;
        size_t n = 0;

        add_isolator_ok(&is, &n, "resource/cpu", "{\"request\": \"100m\", \"limit\": 1}");
        add_isolator_ok(&is, &n, "resource/memory", "{\"limit\": \"512Mi\", \"request\": null}");
        add_isolator_ok(&is, &n, "resource/block-bandwidth", "{\"default\": true, \"limit\": \"1M\"}");
        add_isolator_ok(&is, &n, "resource/block-iops", "{\"default\": true}");
        add_isolator_ok(&is, &n, "resource/network-bandwidth", "{\"default\": true, \"limit\": \"1G\"}");
        add_isolator_ok(&is, &n, "os/linux/capabilities-retain-set",
                        "{\"set\": [\"CAP_CHOWN\", \"CAP_KILL\"]}");
        add_isolator_ok(&is, &n, "os/linux/capabilities-remove-set", "{\"set\": [\"CAP_SYS_ADMIN\"]}");
        add_isolator_ok(&is, &n, "os/linux/no-new-privileges", "false");
        add_isolator_ok(&is, &n, "os/linux/seccomp-retain-set",
                        "{\"set\": [\"@appc.io/all\"], \"errno\": \"\"}");
        add_isolator_ok(&is, &n, "os/linux/seccomp-remove-set",
                        "{\"set\": [\"reboot\"], \"errno\": \"E2BIG\"}");
        add_isolator_ok(&is, &n, "os/linux/oom-score-adj", "-1000");
        add_isolator_ok(&is, &n, "os/linux/cpu-shares", "262144");
        add_isolator_ok(&is, &n, "os/linux/selinux-context",
                        "{\"user\": \"u\", \"role\": \"r\", \"type\": \"t\", \"level\": \"s0:c0.c1023\"}");
        add_isolator_ok(&is, &n, "os/linux/apparmor-profile", "{\"profile\": \"rkt-default\"}");
        add_isolator_ok(&is, &n, "os/unix/sysctl", "{\"vm.swappiness\": \"10\", \"kernel.shmmax\": \"1\"}");
        add_isolator_ok(&is, &n, "example.com/custom", "{ \"anything\" : [ 1, 2.50, null ] }");
        add_isolator_ok(&is, &n, "os/linux/cpu-shares", "2");
        assert_int_equal(n, 17);

        assert_int_equal(is[0].type, APPC_ISOLATOR_RESOURCE_CPU);
        assert_string_equal(is[0].resource.request, "100m");
        assert_string_equal(is[0].resource.limit, "1");
        assert_false(is[0].resource.is_default);
        assert_null(is[1].resource.request);
        assert_string_equal(is[1].resource.limit, "512Mi");
        assert_true(is[2].resource.is_default);
        assert_null(is[3].resource.limit);
        assert_string_equal(is[5].caps[1], "CAP_KILL");
        assert_int_equal(is[7].type, APPC_ISOLATOR_NO_NEW_PRIVILEGES);
        assert_false(is[7].no_new_privileges);
        assert_null(is[8].seccomp.errno_name);
        assert_string_equal(is[9].seccomp.errno_name, "E2BIG");
        assert_string_equal(is[9].seccomp.set[0], "reboot");
        assert_int_equal(is[10].oom_score_adj, -1000);
        assert_int_equal(is[11].cpu_shares, 262144);
        assert_string_equal(is[12].selinux.level, "s0:c0.c1023");
        assert_string_equal(is[13].apparmor_profile, "rkt-default");
        assert_int_equal(is[14].sysctl.n_entries, 2);
        assert_string_equal(is[14].sysctl.entries[0].name, "kernel.shmmax");
        /* unknown isolators are kept as (canonical) JSON */
        assert_int_equal(is[15].type, APPC_ISOLATOR_UNKNOWN);
        assert_string_equal(is[15].value_json, "{\"anything\":[1,2.50,null]}");
        /* the last one of a name */
        assert_ptr_equal(appc_isolator_get(is, n, "os/linux/cpu-shares"), &is[16]);
        assert_null(appc_isolator_get(is, n, "os/linux/selinux"));

        for (AppcIsolatorType t = APPC_ISOLATOR_UNKNOWN + 1; t < _APPC_ISOLATOR_TYPE_MAX; t++)
                assert_int_equal(appc_isolator_type_from_name(appc_isolator_type_to_name(t)), t);
        assert_null(appc_isolator_type_to_name(APPC_ISOLATOR_UNKNOWN));
        assert_int_equal(appc_isolator_type_from_name("resource/gpu"), APPC_ISOLATOR_UNKNOWN);

        {
                /* the whole set lives in an app: the app rules apply on validation */
                _cleanup_(appc_app_freep) AppcApp *a = appc_app_new();
                _cleanup_error_ RktError *e = NULL;

                a->user = strdup("0");
                a->group = strdup("0");
                a->isolators = TAKE_PTR(is);
                a->n_isolators = n;
                assert_int_equal(appc_app_validate(a, &e), -EINVAL);
                assert_string_equal(e->message,
                                    "app.isolators[9].name 'os/linux/seccomp-remove-set': conflicts with "
                                    "'os/linux/seccomp-retain-set' in app.isolators[8]");
        }
}

static void test_isolator_value_errors(void **state) {
        add_isolator_bad("resource/cpu", "{\"limit\": \"1.5.0\"}",
                         "value.limit '1.5.0': not a valid quantity");
        add_isolator_bad("resource/cpu", "{\"limit\": {}}", "value.limit: must be a quantity string");
        add_isolator_bad("resource/cpu", "\"500m\"", "value: must be an object");
        add_isolator_bad("resource/memory", "{\"default\": true}",
                         "value.default: must be false for resource/memory");
        add_isolator_bad("resource/memory", "{\"default\": \"no\"}", "value.default: must be a boolean");
        add_isolator_bad("resource/block-bandwidth", "{\"limit\": \"1M\"}",
                         "must be true for resource/block-bandwidth");
        add_isolator_bad("resource/network-bandwidth", "{\"default\": true, \"request\": \"1\"}",
                         "value.request: not supported by resource/network-bandwidth");
        add_isolator_bad("os/linux/capabilities-retain-set", "{}", "value.set: must not be empty");
        add_isolator_bad("os/linux/capabilities-remove-set", "{\"set\": \"CAP_CHOWN\"}",
                         "value.set: must be an array");
        add_isolator_bad("os/linux/no-new-privileges", "1", "value: must be a boolean");
        add_isolator_bad("os/linux/no-new-privileges", "null",
                         "value: must be set for os/linux/no-new-privileges");
        add_isolator_bad("os/linux/seccomp-remove-set", "{\"set\": [\"reboot\"], \"errno\": \"EPERm\"}",
                         "value.errno 'EPERm': must be an errno name");
        add_isolator_bad("os/linux/seccomp-remove-set", "{\"set\": [\"reboot\"], \"errno\": \"PERM\"}",
                         "must be an errno name");
        add_isolator_bad("os/linux/seccomp-retain-set", "{\"errno\": \"EPERM\"}",
                         "value.set: must not be empty");
        add_isolator_bad("os/linux/oom-score-adj", "1001",
                         "must be an integer between -1000 and 1000, got 1001");
        add_isolator_bad("os/linux/oom-score-adj", "1.5", "must be an integer between -1000 and 1000");
        add_isolator_bad("os/linux/cpu-shares", "262145",
                         "must be an integer between 2 and 262144, got 262145");
        add_isolator_bad("os/linux/cpu-shares", "\"1024\"", "must be an integer between 2 and 262144");
        add_isolator_bad("os/linux/selinux-context",
                         "{\"user\": \"u\", \"role\": \"\", \"type\": \"t\", \"level\": \"s0\"}",
                         "value.role: must be set");
        add_isolator_bad("os/linux/selinux-context",
                         "{\"user\": \"u\", \"role\": \"r\", \"type\": \"a:b\", \"level\": \"s0\"}",
                         "value.type 'a:b': must not contain ':'");
        add_isolator_bad("os/linux/apparmor-profile", "{}", "value.profile: must be set");
        add_isolator_bad("os/unix/sysctl", "[]", "value: must be an object");
        add_isolator_bad("os/unix/sysctl", "{\"a\": true}", "value.a: must be a string");
        add_isolator_bad("Resource/CPU", "{}", "name 'Resource/CPU': not a valid AC Identifier");
        add_isolator_bad("resource/cpu", "{\"limit\": 1,}", "value is not valid JSON");
}

static void test_app_isolator_rules(void **state) {
        static const char *const once[] = {
                "os/linux/seccomp-retain-set",
                "os/linux/seccomp-remove-set",
                "os/linux/oom-score-adj",
                "os/linux/cpu-shares",
                "os/linux/selinux-context",
                "os/linux/apparmor-profile",
                "os/unix/sysctl",
        };
        static const char *const values[] = {
                "{\"set\":[\"a\"]}",
                "{\"set\":[\"a\"]}",
                "1",
                "2",
                "{\"user\":\"u\",\"role\":\"r\",\"type\":\"t\",\"level\":\"l\"}",
                "{\"profile\":\"p\"}",
                "{}",
        };
        static const char *const many[][2] = {
                {"resource/memory", "{\"limit\":\"1G\"}"},
                {"os/linux/capabilities-retain-set", "{\"set\":[\"CAP_KILL\"]}"},
                {"os/linux/no-new-privileges", "true"},
                {"example.com/unknown", "{}"},
        };

        for (size_t i = 0; i < ELEMENTSOF(once); i++) {
                _cleanup_(appc_app_freep) AppcApp *a = appc_app_new();
                _cleanup_error_ RktError *e = NULL;
                char expect[200];

                a->user = strdup("0");
                a->group = strdup("0");
                add_isolator_ok(&a->isolators, &a->n_isolators, once[i], values[i]);
                assert_int_equal(appc_app_validate(a, NULL), 0);
                add_isolator_ok(&a->isolators, &a->n_isolators, once[i], values[i]);
                assert_int_equal(appc_app_validate(a, &e), -EINVAL);
                snprintf(expect, sizeof(expect),
                         "app.isolators[1].name '%s': only one such isolator is allowed in an app", once[i]);
                assert_string_equal(e->message, expect);
        }
        for (size_t i = 0; i < ELEMENTSOF(many); i++) {
                _cleanup_(appc_app_freep) AppcApp *a = appc_app_new();

                a->user = strdup("0");
                a->group = strdup("0");
                add_isolator_ok(&a->isolators, &a->n_isolators, many[i][0], many[i][1]);
                add_isolator_ok(&a->isolators, &a->n_isolators, many[i][0], many[i][1]);
                assert_int_equal(appc_app_validate(a, NULL), 0);
        }
}

/* --- lookups --- */

static void test_manifest_kind(void **state) {
        _cleanup_error_ RktError *e = NULL;
        char *kind = NULL;

        assert_int_equal(appc_manifest_kind("{\"acKind\":\"PodManifest\"}", 24, &kind, &e), 0);
        assert_string_equal(kind, "PodManifest");
        kind = mfree(kind);
        assert_int_equal(appc_manifest_kind("{\"acVersion\":\"0.8.11\"}", 22, &kind, &e), -EINVAL);
        assert_null(kind);
        assert_string_equal(e->message, "acKind: must be set");
}

static void test_kv(void **state) {
        AppcKV *kv = NULL;
        size_t n = 0;

        assert_null(appc_kv_get(kv, n, "a"));
        assert_int_equal(appc_kv_set(&kv, &n, "a", "1"), 0);
        assert_int_equal(appc_kv_set(&kv, &n, "b", "2"), 0);
        assert_int_equal(appc_kv_set(&kv, &n, "a", "3"), 0);
        assert_int_equal(n, 2);
        assert_string_equal(appc_kv_get(kv, n, "a"), "3");
        assert_string_equal(kv[0].name, "a");
        assert_string_equal(appc_kv_get(kv, n, "b"), "2");
        assert_null(appc_kv_get(kv, n, "A"));
        for (size_t i = 0; i < n; i++) {
                free(kv[i].name);
                free(kv[i].value);
        }
        free(kv);
}

RUN_TESTS(cmocka_unit_test(test_ac_identifier), cmocka_unit_test(test_ac_name),
          cmocka_unit_test(test_sanitize), cmocka_unit_test(test_env_name), cmocka_unit_test(test_semver),
          cmocka_unit_test(test_image_id), cmocka_unit_test(test_os_arch), cmocka_unit_test(test_quantity),
          cmocka_unit_test(test_date), cmocka_unit_test(test_url), cmocka_unit_test(test_isolator_values),
          cmocka_unit_test(test_isolator_value_errors), cmocka_unit_test(test_app_isolator_rules),
          cmocka_unit_test(test_manifest_kind), cmocka_unit_test(test_kv))
