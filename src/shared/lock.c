/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "lock.h"
#include "macro.h"

int lock_path_at(int dirfd, const char *path, int operation, bool create) {
        _cleanup_close_ int fd = -1;
        struct stat st;

        /* Lock files may sit in directories others can write to: never follow a symlink (O_CREAT would
         * create its target), never block on a FIFO, never lock anything but a file. */
        fd = openat(dirfd, path,
                    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK | (create ? O_CREAT : 0),
                    0640);
        if (fd < 0)
                return errno == ELOOP ? -EPERM : negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
                return -EPERM;
        while (flock(fd, operation) < 0) {
                if (errno != EINTR)
                        return negative_errno();
        }
        return TAKE_FD(fd);
}
