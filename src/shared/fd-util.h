/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "macro.h"

/* Closes every file descriptor above stderr except the n_keep in keep (negative entries are ignored), for
 * a child about to exec something else: nothing a caller of rkt held (a directory fd is a way out of a pod
 * through /proc/PID/fd) and nothing of ours (the pod's lock) may reach it unless it is passed on purpose.
 * close_range() where the kernel has it (5.9), /proc/self/fd otherwise. Async-signal-safe enough for a
 * child after fork(): no allocation. Returns 0 or a negative errno (nothing could be listed). */
int close_all_fds_except(const int *keep, size_t n_keep);
/* What close_all_fds_except() does without close_range(); exposed for the tests. */
int close_all_fds_except_by_listing(const int *keep, size_t n_keep);

/* Opens path inside the tree at rootfd as if rootfd were "/": absolute symlinks and ".." stay inside and
 * magic links (/proc/PID/fd/N) are refused (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). For trees
 * that are not trusted: images, and a pod's stage1 rootfs, which the pod's root can write. */
int open_in_root(int rootfd, const char *path, int flags);
/* What open_in_root() does without openat2 (Linux < 5.6, valgrind): the path walked one component at a
 * time; exposed for the tests. */
int open_in_root_walk(int rootfd, const char *path, int flags);
/* Reads a whole regular file (not a FIFO or a device that could block or feed us forever) inside the tree
 * at rootfd, the same way, NUL-terminated; -EBADF for other kinds of files, -EFBIG beyond max bytes. */
int read_file_in_root(int rootfd, const char *path, size_t max, char **ret, size_t *ret_size);
/* Reads dirfd/path, which must be a regular file and not a symlink, bounded by max bytes. For files that
 * rkt's own processes wrote but that are read by host root later (a pod directory's pid files, records). */
int read_regular_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_size);

/* The address of an AF_UNIX socket named as systemd and D-Bus name them: "/path", or "@name" for an
 * abstract one. -EAFNOSUPPORT for anything else, -ENAMETOOLONG when it does not fit. */
int sockaddr_un_from(const char *path, struct sockaddr_un *ret, socklen_t *ret_len);
