/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"
#include "insecure.h"
#include "log.h"
#include "unit.h"

enum { OPT_FULL = 1, OPT_NAME };

static const Option opts[] = {
        {"full", 0, OPT_FULL, OPTION_BOOL, NULL, "false", "print the full hash"},
        {"name", 'n', OPT_NAME, OPTION_REQUIRED, "NAME", NULL, "the name"},
        {},
};

static const Verb verbs[] = {
        {.name = "fetch", .summary = "fetch", .options = opts, .max_args = 8},
        {.name = "run", .summary = "run", .options = opts, .flags = VERB_NO_INTERSPERSED, .max_args = 8},
        {.name = "run-prepared", .summary = "run prepared", .max_args = 1},
        {},
};

static RktGlobals g;

static int setup(void **state) {
        g = (RktGlobals){.dir = strdup("/var/lib/rkt"),
                         .local_config = strdup("/etc/rkt"),
                         .system_config = strdup("/usr/lib/rkt")};
        return 0;
}

static int teardown(void **state) {
        free(g.dir);
        free(g.local_config);
        free(g.system_config);
        free(g.user_config);
        return 0;
}

#define PARSE(verb, a, ...)                                                                                 \
        ({                                                                                                  \
                char *argv_[] = {__VA_ARGS__};                                                              \
                cli_parse((verb), "rkt x", ELEMENTSOF(argv_), argv_, &g, (a));                              \
        })

static void test_flags_and_globals(void **state) {
        CliArgs a;

        assert_int_equal(PARSE(&verbs[0], &a, "--full", "img1", "--insecure-options=image,tls", "--dir",
                               "/tmp/../srv/x", "img2", "--name", "n1", "-n=n2"),
                         0);
        assert_int_equal(a.n_args, 2);
        assert_string_equal(a.args[0], "img1");
        assert_string_equal(a.args[1], "img2");
        assert_null(a.args[2]);
        assert_int_equal(a.n_options, 3);
        assert_int_equal(a.options[0].option->id, OPT_FULL);
        assert_null(a.options[0].value);
        assert_string_equal(a.options[1].value, "n1");
        assert_string_equal(a.options[2].value, "n2");
        assert_int_equal(g.insecure, INSECURE_IMAGE | INSECURE_TLS);
        assert_string_equal(g.dir, "/srv/x");
        cli_args_done(&a);
}

static void test_errors(void **state) {
        CliArgs a;

        assert_int_equal(PARSE(&verbs[0], &a, "--bogus"), -EINVAL);
        cli_args_done(&a);
        assert_int_equal(PARSE(&verbs[0], &a, "--name"), -EINVAL);
        cli_args_done(&a);
        assert_int_equal(PARSE(&verbs[0], &a, "--full=perhaps"), -EINVAL);
        cli_args_done(&a);
        assert_int_equal(PARSE(&verbs[0], &a, "--insecure-options=imagee"), -EINVAL);
        cli_args_done(&a);
        assert_int_equal(PARSE(&verbs[2], &a, "a", "b"), -EINVAL);
        cli_args_done(&a);
        assert_int_equal(PARSE(&verbs[0], &a, "x", "--help"), 1);
        cli_args_done(&a);
}

static void test_not_interspersed(void **state) {
        CliArgs a;

        assert_int_equal(PARSE(&verbs[1], &a, "--full", "img", "--name", "x", "--", "arg"), 0);
        assert_int_equal(a.n_options, 1);
        assert_int_equal(a.n_args, 5);
        assert_string_equal(a.args[1], "--name");
        assert_string_equal(a.args[3], "--");
        cli_args_done(&a);
}

static void test_lookup(void **state) {
        const char *s = NULL;

        assert_ptr_equal(verb_lookup(verbs, "fetch", &s), &verbs[0]);
        assert_ptr_equal(verb_lookup(verbs, "fe", &s), &verbs[0]);
        /* "run" is exact even though "run-prepared" shares the prefix. */
        assert_ptr_equal(verb_lookup(verbs, "run", &s), &verbs[1]);
        assert_ptr_equal(verb_lookup(verbs, "run-p", &s), &verbs[2]);
        assert_null(verb_lookup(verbs, "fecth", &s));
        assert_string_equal(s, "fetch");
        assert_null(verb_lookup(verbs, "zzzzzzzz", &s));
        assert_null(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_flags_and_globals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_interspersed, setup, teardown),
                cmocka_unit_test(test_lookup),
        };
        log_set_max_level(LOG_LEVEL_ERROR);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
