/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* How the run entrypoints (stage1-nspawn's init, stage1-fly's run) read an app out of its image, on the
 * host: its user, group and executable looked up inside its rootfs (never following a symlink out of it),
 * its mount points made there, the pod's empty volumes, and the pod's lock kept across exec. */

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "error.h"
#include "stage1-isolation.h"
#include "stage1-units.h"
#include "uid-range.h"

/* Where the pod's empty volumes are made, in the pod directory. */
#define STAGE1_SHARED_VOLUMES "sharedVolumes"

/* appc: the user is a name from the image's /etc/passwd (rootfd: the app's rootfs), a uid, or the path of
 * a file whose owner it is. Errors name the app and the user. */
int stage1_resolve_user(int rootfd, const char *app, const char *key, Stage1User *ret, RktError **reterr);
/* The same for the group, from the image's /etc/group. */
int stage1_resolve_group(int rootfd, const char *app, const char *key, gid_t *ret, RktError **reterr);
/* exec[0] as an absolute path inside the app: a bare name is searched in the app's PATH (env, a KEY=VALUE
 * strv) inside its rootfs, a relative path with a '/' is taken relative to wd. */
int stage1_resolve_exec(int rootfd, const char *app, const char *wd, char *const *env, const char *name,
                        char **ret, RktError **reterr);

/* The path of an open file as the host sees it. */
int stage1_fd_path(int fd, char **ret);
/* Resolves path inside the rootfs at rootfd, whose host path is root (symlinks resolved in it, as the app
 * would see them), creating what is missing: directories, and an empty file for the last component when
 * dir is false. *ret: the resolved path, absolute inside the rootfs. -ENOLINK for a symlink to nothing. */
int stage1_mount_point(int rootfd, const char *root, const char *path, bool dir, char **ret);
/* <pod_dir>/sharedVolumes/<name>, with the empty volume's mode and owner (shifted into users, the pod's user
 * namespace range, when not NULL): one directory for every app that mounts it. */
int stage1_shared_volume(const char *pod_dir, const Stage1Mount *m, const UidRange *users, char **ret,
                         RktError **reterr);

/* Where an app's mount gets its files from: the host path of a host volume (which must exist; *ret_st is
 * its stat), or the pod's shared directory of an empty volume (*ret_st: a directory; users: the pod's
 * user namespace range, which shifts the volume's owner, or NULL). Warns about an implicit
 * empty volume (a mount point no volume fills). */
int stage1_mount_source(const char *pod_dir, const char *app, const Stage1Mount *m, const UidRange *users,
                        char **ret, struct stat *ret_st, RktError **reterr);

/* Clears FD_CLOEXEC on RKT_LOCK_FD (when set): what the entrypoint execs inherits the pod's lock and holds
 * it, hence keeps the pod running, until it is gone. */
int stage1_keep_lock_fd(RktError **reterr);
