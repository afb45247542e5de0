/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "escape.h"
#include "fs.h"
#include "log.h"
#include "unit.h"

static void check(const char *in, const char *want) {
        _cleanup_free_ char *out = escape_control(in);

        assert_non_null(out);
        if (!streq(out, want))
                fail_msg("escape('%s') = '%s', want '%s'", in, out, want);
}

static void test_escape(void **state) {
        check("", "");
        check("plain text, 'quoted'", "plain text, 'quoted'");
        /* rkt's own multi-line messages keep their newlines and tabs. */
        check("line one\n\tline two", "line one\n\tline two");
        /* ESC (every escape sequence starts with it): setting the window title, clearing the screen. */
        check("\033]0;pwned\007", "\\x1b]0;pwned\\x07");
        check("\033[2J\033[H", "\\x1b[2J\\x1b[H");
        check("a\rb\bc\x7f", "a\\x0db\\x08c\\x7f");
        check("\x01\x1f", "\\x01\\x1f");
        /* C1 controls as UTF-8 (U+009B is CSI) and as raw bytes, which an 8-bit terminal reads as CSI. */
        check("x\xc2\x9b"
              "2Jy",
              "x\\xc2\\x9b2Jy");
        check("\xc2\x80\xc2\x9f", "\\xc2\\x80\\xc2\\x9f");
        check("\x9b"
              "31m",
              "\\x9b31m");
        /* Other UTF-8 passes unchanged: U+00A0, é, €, an emoji. */
        check("\xc2\xa0\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
              "\xc2\xa0\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
        /* Malformed UTF-8: truncated, overlong (C0 80 would be NUL), a surrogate, past U+10FFFF. */
        check("\xe2\x82", "\\xe2\\x82");
        check("\xc0\x80", "\\xc0\\x80");
        check("\xed\xa0\x80", "\\xed\\xa0\\x80");
        check("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
        check("\xe0\x80\x9b", "\\xe0\\x80\\x9b");
}

static void test_worst_case_fits(void **state) {
        char in[] = "\x1b\x1b\x1b\x9b";
        char out[ESCAPE_CONTROL_MAX(sizeof(in) - 1)];

        memset(out, 'Z', sizeof(out));
        assert_int_equal(escape_control_into(in, sizeof(in) - 1, out), sizeof(out) - 1);
        assert_string_equal(out, "\\x1b\\x1b\\x1b\\x9b");
}

/* What the logging path writes to the terminal: every message goes through the escaping. */
static void test_log_escapes(void **state) {
        char path[] = "/tmp/rkt-test-log-XXXXXX";
        _cleanup_free_ char *text = NULL;
        int fd = mkstemp(path), saved = dup(STDERR_FILENO);

        assert_true(fd >= 0);
        assert_true(saved >= 0);
        fflush(stderr);
        assert_true(dup2(fd, STDERR_FILENO) >= 0);
        log_set_prefix("image");
        log_error("annotation '%s': bad value\nsee\t'%s'", "a\033]0;title\007b",
                  "\xc2\x9b"
                  "2J");
        (void) log_error_errno(-ENOENT, "label '%s': %m", "\033c");
        log_set_prefix(NULL);
        fflush(stderr);
        assert_true(dup2(saved, STDERR_FILENO) >= 0);
        close(saved);
        close(fd);
        assert_int_equal(read_full_file_at(AT_FDCWD, path, &text, NULL), 0);
        unlink(path);
        assert_string_equal(text,
                            "image: annotation 'a\\x1b]0;title\\x07b': bad value\nsee\t'\\xc2\\x9b2J'\n"
                            "image: label '\\x1bc': No such file or directory\n");
}

RUN_TESTS(cmocka_unit_test(test_escape), cmocka_unit_test(test_worst_case_fits),
          cmocka_unit_test(test_log_escapes))
