/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "cli/pod-file.h"
#include "strv.h"
#include "unit.h"

/* Tables shaped like rkt run's: the parser knows no option by name except Image=, Exec= and Name=. */
static const Option pod_opts[] = {
        {"net", 0, 1, OPTION_OPTIONAL, "NAME", "default", "networks"},
        {"port", 0, 2, OPTION_REQUIRED, "NAME:PORT", NULL, "a port"},
        {"set-env", 0, 3, OPTION_REQUIRED, "NAME=VALUE", NULL, "env"},
        {"private-users", 0, 4, OPTION_BOOL, NULL, "false", "userns"},
        {"stage1-name", 0, 5, OPTION_REQUIRED, "NAME", NULL, "stage1"},
        {"name", 0, 6, OPTION_REQUIRED, "NAME", NULL, "the pod's name"},
        {"no-store", 0, 7, OPTION_BOOL, NULL, "false", "old", NULL, "use --pull-policy"},
        {},
};
static const Option global_opts[] = {
        {"insecure-options", 0, 1, OPTION_REQUIRED, "OPTS", NULL, "insecure"},
        {"dir", 0, 2, OPTION_REQUIRED, "DIR", NULL, "data dir"},
        {"help", 'h', 3, OPTION_BOOL, NULL, NULL, "help"},
        {},
};
static const Option app_opts[] = {
        {"exec", 0, 10, OPTION_REQUIRED, "PATH", NULL, "command"},
        {"name", 0, 11, OPTION_REQUIRED, "NAME", NULL, "app name"},
        {"environment", 0, 12, OPTION_REQUIRED, "NAME=VALUE", NULL, "env"},
        {"readonly-rootfs", 0, 13, OPTION_BOOL, NULL, "false", "ro"},
        {"working-dir", 0, 14, OPTION_REQUIRED, "DIR", NULL, "cwd"},
        {},
};
static const PodFileOptions opts = {pod_opts, global_opts, app_opts};

static void test_keys(void **state) {
        const char *pairs[][2] = {{"net", "Net"},
                                  {"set-env", "SetEnv"},
                                  {"private-users", "PrivateUsers"},
                                  {"stage1-name", "Stage1Name"},
                                  {"dns-search", "DnsSearch"}};
        for (size_t i = 0; i < ELEMENTSOF(pairs); i++) {
                char *k = pod_file_key(pairs[i][0]);
                assert_string_equal(k, pairs[i][1]);
                free(k);
        }
}

static char *parse_error(const char *path, const char *text) {
        PodFile *pf = NULL;
        char *error = NULL;
        assert_int_equal(pod_file_parse(path, text, &opts, &pf, &error), -EINVAL);
        assert_null(pf);
        assert_non_null(error);
        return error;
}

#define assert_error(path, text, expected)                                                                  \
        do {                                                                                                \
                char *e_ = parse_error(path, text);                                                         \
                assert_string_equal(e_, expected);                                                          \
                free(e_);                                                                                   \
        } while (0)

static void test_parse_and_generate(void **state) {
        const char *text = "# comment\n"
                           "[Unit]\n"
                           "After=db.service\n"
                           "[Pod]\n"
                           "Net=\n"
                           "Port = http:8080\n"
                           "SetEnv=A=1\n"
                           "SetEnv=B=2\n"
                           "PrivateUsers=yes\n"
                           "InsecureOptions=image\n"
                           "[App]\n"
                           "Image=example.com/nginx:1.22\n"
                           "Exec=/usr/sbin/nginx -g \"daemon off;\" \\\n"
                           "  'x y' 50% $HOME ;\n"
                           "ReadonlyRootfs=off\n"
                           "[App]\n"
                           "Image=/srv/side car.aci\n"
                           "Name=side\n"
                           "[Service]\n"
                           "TimeoutStartSec=5min\n"
                           "[Install]\n"
                           "WantedBy=multi-user.target\n";
        const char *expected_run[] = {"--name=web",
                                      "--net",
                                      "--port=http:8080",
                                      "--set-env=A=1",
                                      "--set-env=B=2",
                                      "--private-users=true",
                                      "example.com/nginx:1.22",
                                      "--exec=/usr/sbin/nginx",
                                      "--readonly-rootfs=false",
                                      "--",
                                      "-g",
                                      "daemon off;",
                                      "x y",
                                      "50%",
                                      "$HOME",
                                      ";",
                                      "---",
                                      "/srv/side car.aci",
                                      "--name=side",
                                      NULL};
        PodFile *pf = NULL;
        char *error = NULL, *unit = NULL;

        assert_int_equal(pod_file_parse("/etc/rkt/pods/web.pod", text, &opts, &pf, &error), 0);
        assert_null(error);
        assert_string_equal(pf->name, "web");
        assert_int_equal(pf->n_apps, 2);
        assert_int_equal(strv_length(pf->run_args), ELEMENTSOF(expected_run) - 1);
        for (size_t i = 0; expected_run[i]; i++)
                assert_string_equal(pf->run_args[i], expected_run[i]);
        assert_int_equal(strv_length(pf->global_args), 1);
        assert_string_equal(pf->global_args[0], "--insecure-options=image");

        assert_int_equal(pod_file_unit(pf, "/usr/bin/rkt", &unit), 0);
        assert_non_null(strstr(unit, "\n[Unit]\nDescription=rkt pod web\n"));
        assert_non_null(strstr(unit, "SourcePath=/etc/rkt/pods/web.pod\n"));
        assert_non_null(strstr(unit, "\nAfter=db.service\n"));
        assert_non_null(strstr(unit, "\nType=notify\nKillMode=mixed\nSlice=machine.slice\n"));
        assert_non_null(strstr(
                unit, "\nExecStart=/usr/bin/rkt --insecure-options=image run --name=web --net "
                      "--port=http:8080 --set-env=A=1 --set-env=B=2 --private-users=true "
                      "example.com/nginx:1.22 --exec=/usr/sbin/nginx --readonly-rootfs=false -- -g "
                      "\"daemon off;\" \"x y\" 50%% $$HOME \\; --- \"/srv/side car.aci\" --name=side\n"));
        assert_non_null(
                strstr(unit, "\nExecStopPost=/usr/bin/rkt --insecure-options=image gc --mark-only\n"));
        /* Passed through after the generated lines, so that they can override them. */
        assert_true(strstr(unit, "TimeoutStartSec=5min\n") > strstr(unit, "ExecStopPost="));
        assert_non_null(strstr(unit, "\n[Install]\nWantedBy=multi-user.target\n"));
        free(unit);
        pod_file_free(pf);
}

static void test_errors(void **state) {
        const char *p = "/etc/rkt/pods/web.pod";

        assert_error(p, "[Pod]\nProt=x\n[App]\nImage=a\n",
                     "/etc/rkt/pods/web.pod:2: Prot=: unknown key in [Pod]: keys are the long options of "
                     "'rkt run' "
                     "(--set-env is SetEnv=)");
        assert_error(p, "[Pod]\nnet=host\n",
                     "/etc/rkt/pods/web.pod:2: net=: unknown key in [Pod]; did you mean Net=?");
        assert_error(p, "[App]\nImage=a\nSetEnv=A=1\n",
                     "/etc/rkt/pods/web.pod:3: SetEnv=: a key of [Pod] (for the whole pod), not of [App]: "
                     "an app's "
                     "own variables are Environment=");
        assert_error(p, "[Pod]\nWorkingDir=/x\n",
                     "/etc/rkt/pods/web.pod:2: WorkingDir=: a key of [App], not of [Pod]");
        assert_error(p, "[Pod]\nName=x\n[App]\nImage=a\n",
                     "/etc/rkt/pods/web.pod:2: Name=: the pod's name is the file's name (NAME.pod)");
        /* Deprecated options and --help are no keys. */
        assert_error(
                p, "[Pod]\nNoStore=yes\n",
                "/etc/rkt/pods/web.pod:2: NoStore=: unknown key in [Pod]: keys are the long options of 'rkt "
                "run' (--set-env is SetEnv=)");
        assert_error(p, "[Pod]\nHelp=yes\n",
                     "/etc/rkt/pods/web.pod:2: Help=: unknown key in [Pod]: keys are the long options of "
                     "'rkt run' "
                     "(--set-env is SetEnv=)");
        assert_error(p, "[Pod]\nPrivateUsers=maybe\n",
                     "/etc/rkt/pods/web.pod:2: PrivateUsers=: 'maybe' is not a boolean (yes or no)");
        assert_error(p, "[Pod]\nPort=\n", "/etc/rkt/pods/web.pod:2: Port=: needs a value (NAME:PORT)");
        assert_error(p, "\n\n[App]\nImage=a\nExec=/bin/sh -c \"echo\n",
                     "/etc/rkt/pods/web.pod:5: Exec=: unterminated \"");
        assert_error(p, "[App]\nImage=a\nImage=b\n",
                     "/etc/rkt/pods/web.pod:3: Image=: given twice in one [App] (one image each)");
        assert_error(p, "[App]\nExec=/bin/true\n", "/etc/rkt/pods/web.pod: [App] number 1 has no Image=");
        assert_error(p, "[Pod]\nNet=host\n",
                     "/etc/rkt/pods/web.pod: no [App] section: a pod needs at least one app");
        assert_error(p, "Net=host\n",
                     "/etc/rkt/pods/web.pod:1: Net=: outside of a section (start with [Pod] or [App])");
        assert_error(
                p, "[Container]\n",
                "/etc/rkt/pods/web.pod:1: unknown section [Container]: a pod file has [Pod], [App], [Unit], "
                "[Service] and [Install]");
        assert_error(p, "[App]\nImage=a\n[Service]\nExecStart=/bin/true\n",
                     "/etc/rkt/pods/web.pod:4: ExecStart=: the pod is the service's command: describe it in "
                     "[Pod] "
                     "and [App]");
        assert_error(p, "[App]\nImage=a\njust words\n",
                     "/etc/rkt/pods/web.pod:3: 'just words' is not KEY=VALUE");
        assert_error(p, "[App]\nImage=a\nEnvironment=A=\x01\n",
                     "/etc/rkt/pods/web.pod:3: Environment=: control characters in the value");
        assert_error("/etc/rkt/pods/-bad.pod", "[App]\nImage=a\n",
                     "/etc/rkt/pods/-bad.pod: '-bad' is not a valid pod name: 1 to 64 letters, digits, '_', "
                     "'.' and "
                     "'-', starting with a letter or digit, not ending in '.' or '-', and not a UUID");
        assert_error("/etc/rkt/pods/web.conf", "[App]\nImage=a\n",
                     "/etc/rkt/pods/web.conf: a pod file's name is NAME.pod");
}

static void test_error_unit(void **state) {
        char *unit = NULL;

        assert_int_equal(pod_file_error_unit("/etc/rkt/pods/web.pod", "web",
                                             "/etc/rkt/pods/web.pod:2: Prot=: 100% wrong", "/usr/bin/rkt",
                                             &unit),
                         0);
        assert_non_null(
                strstr(unit, "\nDescription=rkt pod web: invalid pod file: /etc/rkt/pods/web.pod:2: Prot=: "
                             "100%% wrong\n"));
        assert_non_null(strstr(unit, "\nType=oneshot\nExecStart=/usr/bin/rkt pod-file verify --quiet "
                                     "/etc/rkt/pods/web.pod\nExecStart=/bin/sh -c "));
        assert_null(strstr(unit, "[Install]"));
        free(unit);
}

static void test_quote(void **state) {
        const char *cases[][2] = {{"plain", "plain"},     {"a b", "\"a b\""},      {"", "\"\""},
                                  {"100%", "100%%"},      {"$X", "$$X"},           {";", "\\;"},
                                  {"a\"b", "\"a\\\"b\""}, {"c:\\d", "\"c:\\\\d\""}};
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *q = pod_file_quote_exec_arg(cases[i][0]);
                assert_string_equal(q, cases[i][1]);
                free(q);
        }
}

RUN_TESTS(cmocka_unit_test(test_keys), cmocka_unit_test(test_parse_and_generate),
          cmocka_unit_test(test_errors), cmocka_unit_test(test_error_unit), cmocka_unit_test(test_quote))
