/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/types.h>

/* fork(), with the child's signals reset: every signal to its default action and an empty signal mask,
 * whatever the parent ignored, caught or blocked (a shell's background job ignores INT and QUIT; init
 * blocks all signals while it supervises the pod). An ignored signal would otherwise stick across exec
 * and be dropped where the program we run waits for it. Returns what fork() returns, or a negative errno.
 * The parent should block signals around the call when its handlers must not run in the child. */
pid_t safe_fork(void);
/* waitpid(pid, ret_status, flags), again when a signal interrupts it: 0, or a negative errno. */
int wait_pid(pid_t pid, int *ret_status, int flags);
