/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <sys/file.h>

/* Opens (creating if asked) and flocks path relative to dirfd. operation is LOCK_SH or LOCK_EX, optionally
 * | LOCK_NB (then -EWOULDBLOCK when held elsewhere). Returns the fd holding the lock; close() releases it.
 */
int lock_path_at(int dirfd, const char *path, int operation, bool create);
