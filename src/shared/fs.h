/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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
/* The mount a file sits on: its mount ID (statx STATX_MNT_ID, else name_to_handle_at()) and its device.
 * Bind mounts of one file system share the device; only the mount ID tells them apart. */
typedef struct MountKey {
        uint64_t mnt_id;
        dev_t dev;
        bool has_mnt_id;
} MountKey;

/* dirfd/name itself, not a symlink's target ("" for dirfd). */
int mount_key_at(int dirfd, const char *name, MountKey *ret, mode_t *ret_mode);
bool mount_key_equal(const MountKey *a, const MountKey *b);

/* Removes the tree dirfd/name without following symlinks and without entering mount points: a directory
 * on another mount than root (NULL: the mount name itself is on) — another file system or a bind mount of
 * the same one — is left whole, everything else is removed, and -EBUSY is returned, with the path of the
 * first such mount point ("name/sub/dir", relative to dirfd) in *ret_busy when it is not NULL. name
 * itself on another mount than root is refused at once (-EBUSY). A missing name is not an error. */
int rm_rf_at_full(int dirfd, const char *name, const MountKey *root, char **ret_busy);
/* rm_rf_at_full(dirfd, name, NULL, NULL). */
int rm_rf_at(int dirfd, const char *name);
int fsync_directory_of(int dirfd, const char *path);
/* Opens the directory dirfd/path for readdir(). A missing directory is not an error: 0 with *ret NULL. */
int opendir_at(int dirfd, const char *path, DIR **ret);
/* Copies the content of the directory from_fd into the directory to_fd: directories, regular files,
 * symlinks (as symlinks, never followed), FIFOs and device nodes, with their owners, modes and times.
 * Nothing is looked up by path across a symlink; mount points below from_fd are copied like directories.
 * Hard links become separate files. -ELOOP beyond 256 levels of directories. */
int copy_tree_at(int from_fd, int to_fd);
/* Whether the kernel knows overlayfs (/proc/filesystems). */
bool overlayfs_available(void);
