/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <dirent.h>
#include <stddef.h>
#include <sys/types.h>

#include "macro.h"

/* Writes all of data, retrying short writes and EINTR. */
int loop_write(int fd, const void *data, size_t size);
/* Reads fd to its end into a NUL-terminated buffer; -EFBIG beyond max bytes. */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size);
/* Reads a whole file (relative to dirfd, or AT_FDCWD) into a NUL-terminated buffer. */
int read_full_file_at(int dirfd, const char *path, char **ret, size_t *ret_size);
/* Replaces path atomically: writes a temporary file beside it, fsyncs it, renames it over path and
 * fsyncs the directory, so a crash leaves either the old or the new content, never a torn file. */
int write_file_atomic_at(int dirfd, const char *path, const void *data, size_t size, mode_t mode);
/* The same without the fsyncs: readers and a killed process see the old or the new content, but a power
 * loss may leave an empty file. For state that is synced as a whole later (syncfs), or that does not
 * outlive a boot anyway (a running pod's). */
int write_file_replace_at(int dirfd, const char *path, const void *data, size_t size, mode_t mode);
/* Creates path and its missing parents with mode. */
int mkdir_p(const char *path, mode_t mode);
/* Removes a tree below dirfd/name without following symlinks and without crossing mount points. */
int rm_rf_at(int dirfd, const char *name);
int fsync_directory_of(int dirfd, const char *path);
/* Opens the directory dirfd/path for readdir(). A missing directory is not an error: 0 with *ret NULL. */
int opendir_at(int dirfd, const char *path, DIR **ret);
