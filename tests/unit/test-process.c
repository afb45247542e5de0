/* SPDX-License-Identifier: Apache-2.0 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"
#include "unit.h"

/* What the parent ignores or blocks, the child has at the default and unblocked. */
static void test_safe_fork_resets_signals(void **state) {
        struct sigaction old_int;
        sigset_t block, old_mask;
        int status;
        pid_t pid;

        assert_int_equal(sigaction(SIGINT, &(struct sigaction){.sa_handler = SIG_IGN}, &old_int), 0);
        sigemptyset(&block);
        sigaddset(&block, SIGUSR2);
        assert_int_equal(sigprocmask(SIG_BLOCK, &block, &old_mask), 0);

        pid = safe_fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct sigaction sa;
                sigset_t mask;
                if (sigaction(SIGINT, NULL, &sa) < 0 || sa.sa_handler != SIG_DFL)
                        _exit(1);
                if (sigprocmask(SIG_SETMASK, NULL, &mask) < 0 || sigismember(&mask, SIGUSR2))
                        _exit(2);
                _exit(0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);

        /* The parent keeps its own. */
        struct sigaction now;
        assert_int_equal(sigaction(SIGINT, NULL, &now), 0);
        assert_ptr_equal(now.sa_handler, SIG_IGN);
        assert_int_equal(sigaction(SIGINT, &old_int, NULL), 0);
        assert_int_equal(sigprocmask(SIG_SETMASK, &old_mask, NULL), 0);
}

RUN_TESTS(cmocka_unit_test(test_safe_fork_resets_signals))
