/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "fs.h"
#include "pod-process.h"
#include "unit.h"

#define STATUS(blk, cgt)                                                                                    \
        "Name:\tsystemd\nState:\tS (sleeping)\nSigQ:\t0/95174\nSigPnd:\t0000000000000000\n"                 \
        "ShdPnd:\t0000000000000000\nSigBlk:\t" blk "\nSigIgn:\t0000000000001000\nSigCgt:\t" cgt "\n"        \
        "CapInh:\t0000000000000000\n"

static void test_status_masks(void **state) {
        /* systemd before its signal setup: nothing caught or blocked */
        assert_int_equal(pod_process_status_takes_signal(STATUS("0000000000000000", "0000000000000000"),
                                                         SIGRTMIN + 4),
                         0);
        /* systemd's signalfd: SIGRTMIN+4 (38 with glibc's SIGRTMIN of 34) blocked, bit 37 */
        assert_int_equal(pod_process_status_takes_signal(STATUS("7be3c0fe28014a03", "00000001000004ec"), 38),
                         1);
        assert_int_equal(pod_process_status_takes_signal(STATUS("0000000000000000", "0000002000000000"), 38),
                         1);
        /* a neighbouring signal does not count */
        assert_int_equal(pod_process_status_takes_signal(STATUS("0000001000000000", "0000004000000000"), 38),
                         0);
        assert_int_equal(pod_process_status_takes_signal(STATUS("0000000000000000", "8000000000000000"), 64),
                         1);
        /* not a status text, a signal out of range */
        assert_int_equal(pod_process_status_takes_signal("Name:\tx\n", 15), -EINVAL);
        assert_int_equal(pod_process_status_takes_signal("SigBlk:\tzz\nSigCgt:\t0\n", 15), -EINVAL);
        assert_int_equal(pod_process_status_takes_signal(STATUS("0", "0"), 0), -EINVAL);
        assert_int_equal(pod_process_status_takes_signal(STATUS("0", "0"), 65), -EINVAL);
}

static void test_live_process(void **state) {
        _cleanup_free_ char *status = NULL;
        sigset_t set, old;
        pid_t child;

        sigemptyset(&set);
        sigaddset(&set, SIGUSR2);
        assert_int_equal(sigprocmask(SIG_BLOCK, &set, &old), 0);
        assert_int_equal(read_full_file_at(AT_FDCWD, "/proc/self/status", &status, NULL), 0);
        assert_int_equal(pod_process_status_takes_signal(status, SIGUSR2), 1);
        assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);

        assert_true(pod_process_start_time(getpid()) > 0);
        assert_true(pod_process_is(getpid(), "test-pod-proces")); /* comm is cut at 15 characters */
        assert_false(pod_process_is(getpid(), "test"));

        /* A process that is gone has no start time (pod_process_leader(): test-stage1-contract). */
        child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                pause();
                _exit(0);
        }
        assert_true(pod_process_start_time(child) > 0);
        assert_int_equal(kill(child, SIGKILL), 0);
        assert_int_equal(waitpid(child, NULL, 0), child);
        assert_int_equal(pod_process_start_time(child), 0);
}

RUN_TESTS(cmocka_unit_test(test_status_masks), cmocka_unit_test(test_live_process))
