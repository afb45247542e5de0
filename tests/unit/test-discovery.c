/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "discovery.h"
#include "strv.h"
#include "unit.h"

static void parse(const char *html, DiscoveryMeta **m, size_t *n) {
        assert_int_equal(discovery_parse_meta(html, strlen(html), m, n), 0);
}

static void test_meta_basic(void **state) {
        DiscoveryMeta *m = NULL;
        size_t n = 0;

        parse("<html><head>\n"
              "<meta name=\"ac-discovery\" content=\"example.com "
              "https://example.com/{name}-{version}.{ext}\">\n"
              "<META NAME='ac-discovery-pubkeys' CONTENT='example.com https://example.com/pubkeys.gpg'/>\n"
              "<meta name=\"go-import\" content=\"example.com git https://x\">\n"
              "<meta name=description content=\"not ours\">\n"
              "</head></html>",
              &m, &n);
        assert_int_equal(n, 2);
        assert_string_equal(m[0].name, "ac-discovery");
        assert_string_equal(m[0].prefix, "example.com");
        assert_string_equal(m[0].uri, "https://example.com/{name}-{version}.{ext}");
        assert_string_equal(m[1].name, "ac-discovery-pubkeys");
        assert_string_equal(m[1].uri, "https://example.com/pubkeys.gpg");
        discovery_meta_free(m, n);
}

static void test_meta_skips_comments_scripts_and_text(void **state) {
        DiscoveryMeta *m = NULL;
        size_t n = 0;

        parse("<!-- <meta name=\"ac-discovery\" content=\"a https://comment\"> -->"
              "<script>var s = '<meta name=\"ac-discovery\" content=\"a https://script\">';</script>"
              "<style>/* <meta name=ac-discovery content='a https://style'> */</style>"
              "<title><meta name=ac-discovery content='a https://title'></title>"
              "<textarea><meta name=ac-discovery content='a https://textarea'></textarea>"
              "1 < 2 and <!doctype html> and <?xml?> and </closing>"
              "<meta name=ac-discovery content='a https://real'>",
              &m, &n);
        assert_int_equal(n, 1);
        assert_string_equal(m[0].uri, "https://real");
        discovery_meta_free(m, n);
}

static void test_meta_attribute_forms(void **state) {
        DiscoveryMeta *m = NULL;
        size_t n = 0;

        /* Unquoted values, blanks around '=', tabs and newlines in content, entities, the first of duplicate
         * attributes, attributes in any order. */
        parse("<meta content = \"p1\thttps://a/{name}?x=1&amp;y=2\" name = ac-discovery>"
              "<meta name=ac-discovery name=ignored content='p2\n https://b/&#123;name&#x7d;.&#x7B;ext}'>"
              "<meta data-x=1 name=\"ac-discovery\" content=\"  p3   https://c/x  \" content=\"p9 "
              "https://no\">",
              &m, &n);
        assert_int_equal(n, 3);
        assert_string_equal(m[0].prefix, "p1");
        assert_string_equal(m[0].uri, "https://a/{name}?x=1&y=2");
        assert_string_equal(m[1].prefix, "p2");
        assert_string_equal(m[1].uri, "https://b/{name}.{ext}");
        assert_string_equal(m[2].prefix, "p3");
        assert_string_equal(m[2].uri, "https://c/x");
        discovery_meta_free(m, n);
}

static void test_meta_malformed(void **state) {
        static const char *const bad[] = {
                "<meta name=\"ac-discovery\" content=\"only-prefix\">",
                "<meta name=\"ac-discovery\" content=\"\">",
                "<meta name=\"ac-discovery\">",
                "<meta content=\"a https://x\">",
                "<meta name=\"ac-discovery\" content=\"a https://x",         /* unterminated value */
                "<meta name=\"ac-discovery\" content='a https://x' ",        /* unterminated tag */
                "<meta name=\"ac-discovery\" content=\"a https://x\"",       /* no '>' */
                "<!-- <meta name=\"ac-discovery\" content=\"a https://x\">", /* unterminated comment */
                "<script><meta name=\"ac-discovery\" content=\"a https://x\">",
                "<",
                "<meta",
                "<meta name=",
                "&#xFFFFFFFFFF; &#0; &;",
                "",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                DiscoveryMeta *m = NULL;
                size_t n = 99;
                assert_int_equal(discovery_parse_meta(bad[i], strlen(bad[i]), &m, &n), 0);
                if (n != 0)
                        fail_msg("case %zu found %zu tags", i, n);
                discovery_meta_free(m, n);
        }
}

static void test_meta_entities_never_overflow(void **state) {
        DiscoveryMeta *m = NULL;
        size_t n = 0;

        /* Numeric references that decode to 4 bytes, U+FFFD for NUL and surrogates. */
        parse("<meta name=ac-discovery content='p https://x/&#x1F600;&#0;&#xD800;&#65;&#9;z'>", &m, &n);
        assert_int_equal(n, 1);
        assert_string_equal(m[0].uri, "https://x/\xF0\x9F\x98\x80\xEF\xBF\xBD\xEF\xBF\xBD"
                                      "A\tz");
        discovery_meta_free(m, n);
}

static void test_meta_random_input(void **state) {
        /* Untrusted pages: random bytes and random mixes of HTML fragments never crash or leak. */
        static const char *const frags[] = {"<",   ">",        "meta",      " name=",      "ac-discovery",
                                            "'",   "\"",       " content=", "a https://x", "<!--",
                                            "-->", "<script>", "</script>", "&#",          "&amp;",
                                            ";",   "/",        "=",         " ",           "\n",
                                            "{",   "}"};
        unsigned seed = 12345;
        for (int round = 0; round < 2000; round++) {
                char buf[512];
                size_t len = 0;
                DiscoveryMeta *m = NULL;
                size_t n = 0;

                while (len < sizeof(buf) - 16) {
                        seed = seed * 1103515245 + 12345;
                        if (round % 2) {
                                const char *f = frags[(seed >> 16) % ELEMENTSOF(frags)];
                                size_t l = strlen(f);
                                if (len + l >= sizeof(buf))
                                        break;
                                memcpy(buf + len, f, l);
                                len += l;
                        } else
                                buf[len++] = (char) (seed >> 16);
                }
                assert_int_equal(discovery_parse_meta(buf, len, &m, &n), 0);
                assert_true(n <= DISCOVERY_MAX_META);
                discovery_meta_free(m, n);
        }
}

static void test_meta_cap(void **state) {
        _cleanup_free_ char *html = NULL;
        DiscoveryMeta *m = NULL;
        size_t n = 0, len = 0;
        const char *tag = "<meta name=ac-discovery content='a https://x'>";

        html = malloc(strlen(tag) * 1000 + 1);
        for (int i = 0; i < 1000; i++) {
                memcpy(html + len, tag, strlen(tag));
                len += strlen(tag);
        }
        assert_int_equal(discovery_parse_meta(html, len, &m, &n), 0);
        assert_int_equal(n, DISCOVERY_MAX_META);
        discovery_meta_free(m, n);
}

static void test_render(void **state) {
        const AppcKV labels[] = {{.name = (char *) "version", .value = (char *) "1.0"},
                                 {.name = (char *) "os", .value = (char *) "linux"},
                                 {.name = (char *) "arch", .value = (char *) "amd64"},
                                 {.name = (char *) "evil", .value = (char *) "{ext}"}};
        char *out = NULL;

        assert_int_equal(discovery_render("https://example.com/{name}-{version}-{os}-{arch}.{ext}",
                                          "example.com/app", labels, 3, "aci", &out),
                         0);
        assert_string_equal(out, "https://example.com/example.com/app-1.0-linux-amd64.aci");
        free(out);
        /* Values are not expanded again. */
        assert_int_equal(discovery_render("https://x/{evil}.{ext}", "n", labels, 4, "aci.asc", &out), 0);
        assert_string_equal(out, "https://x/{ext}.aci.asc");
        free(out);
        /* An unknown placeholder: the template does not apply. */
        assert_int_equal(discovery_render("https://x/{name}/{channel}.{ext}", "n", labels, 3, "aci", &out),
                         -ENOENT);
        /* Braces that are no placeholder stay. */
        assert_int_equal(discovery_render("https://x/}{name}{", "n", labels, 3, "aci", &out), 0);
        assert_string_equal(out, "https://x/}n{");
        free(out);
        assert_int_equal(discovery_render("", "n", NULL, 0, "aci", &out), 0);
        assert_string_equal(out, "");
        free(out);
}

static void test_from_meta(void **state) {
        const AppcKV labels[] = {{.name = (char *) "os", .value = (char *) "linux"},
                                 {.name = (char *) "arch", .value = (char *) "amd64"}};
        DiscoveryMeta *m = NULL;
        DiscoveryResult r = {};
        size_t n = 0;

        parse("<meta name=ac-discovery content='example.com/other https://wrong/{name}.{ext}'>"
              "<meta name=ac-discovery content='example.com https://a/{name}-{version}-{os}-{arch}.{ext}'>"
              "<meta name=ac-discovery content='example.com https://b/{name}-{channel}.{ext}'>"
              "<meta name=ac-discovery content='example.com file:///etc/{name}.{ext}'>"
              "<meta name=ac-discovery content='example.com http://c/{name}.{ext}'>"
              "<meta name=ac-discovery-pubkeys content='example.com https://keys/a.gpg'>"
              "<meta name=ac-discovery-pubkeys content='example.com javascript:alert(1)'>"
              "<meta name=ac-discovery-pubkeys content='other.org https://keys/b.gpg'>",
              &m, &n);
        assert_int_equal(n, 8);
        assert_int_equal(discovery_from_meta(m, n, "example.com/app", labels, 2, &r), 0);
        assert_int_equal(r.n_endpoints, 2);
        /* No version asked for: "latest". */
        assert_string_equal(r.endpoints[0].aci, "https://a/example.com/app-latest-linux-amd64.aci");
        assert_string_equal(r.endpoints[0].asc, "https://a/example.com/app-latest-linux-amd64.aci.asc");
        assert_string_equal(r.endpoints[1].aci, "http://c/example.com/app.aci");
        assert_int_equal(strv_length(r.pubkeys), 1);
        assert_string_equal(r.pubkeys[0], "https://keys/a.gpg");
        discovery_result_done(&r);
        /* The prefix is a string prefix of the name, as appc's code has it. */
        assert_int_equal(discovery_from_meta(m, n, "example.com/other-app", labels, 2, &r), 0);
        assert_int_equal(r.n_endpoints, 3);
        assert_string_equal(r.endpoints[0].aci, "https://wrong/example.com/other-app.aci");
        discovery_result_done(&r);
        assert_int_equal(discovery_from_meta(m, n, "other.org/x", labels, 2, &r), 0);
        assert_int_equal(r.n_endpoints, 0);
        assert_int_equal(strv_length(r.pubkeys), 1);
        discovery_result_done(&r);
        discovery_meta_free(m, n);
}

static void test_discover_refuses_http(void **state) {
        _cleanup_(http_client_freep) HttpClient *c = NULL;
        _cleanup_error_ RktError *e = NULL;
        HttpClientOptions o = {.connect_timeout_usec = 1000000};
        DiscoveryResult r = {};

        /* Port 9 on loopback refuses connections: every level fails, and the error lists them all. */
        assert_int_equal(http_client_new(&o, &c, NULL), 0);
        assert_int_equal(discover(c, false, "127.0.0.1:9/a/b", NULL, 0, DISCOVER_ENDPOINTS, &r, &e),
                         -ENOENT);
        assert_non_null(strstr(e->message, "discovery found no image for '127.0.0.1:9/a/b'"));
        assert_non_null(strstr(e->message, "https://127.0.0.1:9/a/b?ac-discovery=1"));
        assert_non_null(strstr(e->message, "https://127.0.0.1:9/a?ac-discovery=1"));
        assert_non_null(strstr(e->message, "https://127.0.0.1:9?ac-discovery=1"));
}

RUN_TESTS(cmocka_unit_test(test_meta_basic), cmocka_unit_test(test_meta_skips_comments_scripts_and_text),
          cmocka_unit_test(test_meta_attribute_forms), cmocka_unit_test(test_meta_malformed),
          cmocka_unit_test(test_meta_entities_never_overflow), cmocka_unit_test(test_meta_random_input),
          cmocka_unit_test(test_meta_cap), cmocka_unit_test(test_render), cmocka_unit_test(test_from_meta),
          cmocka_unit_test(test_discover_refuses_http))
