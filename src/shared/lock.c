/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdbool.h>

#include "lock.h"
#include "macro.h"

int lock_path_at(int dirfd, const char *path, int operation, bool create) {
        _cleanup_close_ int fd = -1;

        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (create ? O_CREAT : 0), 0640);
        if (fd < 0)
                return negative_errno();
        while (flock(fd, operation) < 0) {
                if (errno != EINTR)
                        return negative_errno();
        }
        return TAKE_FD(fd);
}
