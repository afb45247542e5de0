/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"

pid_t safe_fork(void) {
        sigset_t none;
        pid_t pid = fork();

        if (pid < 0)
                return -errno;
        if (pid > 0)
                return pid;
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        return 0;
}

int wait_pid(pid_t pid, int *ret_status, int flags) {
        while (waitpid(pid, ret_status, flags) < 0)
                if (errno != EINTR)
                        return -errno;
        return 0;
}
