/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* How the run entrypoints (stage1-nspawn's init, stage1-fly's run) read an app out of its image, on the
 * host: its user, group and executable looked up inside its rootfs (never following a symlink out of it),
 * its volumes mounted there, the pod's empty volumes, and the pod's lock kept across exec. */

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
int stage1_resolve_user(int rootfd, const char *app, const char *key, const UidRange *users, Stage1User *ret,
                        RktError **reterr);
/* The same for the group, from the image's /etc/group. */
int stage1_resolve_group(int rootfd, const char *app, const char *key, const UidRange *users, gid_t *ret,
                         RktError **reterr);
/* exec[0] as an absolute path inside the app: a bare name is searched in the app's PATH (env, a KEY=VALUE
 * strv) inside its rootfs, a relative path with a '/' is taken relative to wd. */
int stage1_resolve_exec(int rootfd, const char *app, const char *wd, char *const *env, const char *name,
                        char **ret, RktError **reterr);

/* The path of an open file as the host sees it. */
int stage1_fd_path(int fd, char **ret);
/* An O_PATH fd (*ret_fd) of path inside the rootfs at rootfd, resolved by the kernel as if rootfd were "/"
 * (openat2 RESOLVE_IN_ROOT: the image's symlinks as the app sees them, never out of it; what is mounted
 * there already is crossed), creating what is missing through the fd of the directory its parent resolved
 * to: directories, and an empty file for the last component when dir is false. -ENOLINK for a symlink to
 * nothing, -ENOTDIR/-EISDIR when what is there is not of the kind dir asks for. */
int stage1_mount_target(int rootfd, const char *path, bool dir, int *ret_fd);
/* The path of fd (below rootfd) inside the root, "/" for the root itself; for messages and unit files. */
int stage1_path_in_root(int rootfd, int fd, char **ret);
/* Mounts source (a host path; NULL: a fresh tmpfs, mode 1777) on the file or directory of target_fd (an
 * O_PATH fd): a detached copy (open_tree; with its submounts when recursive), read-only (with them) before
 * it is attached (move_mount onto the fd). */
int stage1_bind_at(int target_fd, const char *source, bool recursive, bool read_only);

/* Is path (absolute, resolved) one of trees (absolute, without a trailing '/') or below one? */
bool stage1_path_in_trees(const char *path, char *const *trees);

/* One mount into an app's rootfs. Strings are borrowed. */
typedef struct Stage1MountSpec {
        const char *volume; /* the volume's name; NULL for the stage1's own mounts (fly's /tmp, DNS files) */
        const char *source; /* a host path; NULL: a fresh tmpfs */
        const char *target; /* inside the app, as the manifest gives it */
        bool dir;           /* the mount point is a directory (else a file) */
        bool recursive;     /* the source's submounts come along */
        bool read_only;     /* read-only once mounted (with its submounts when recursive) */
        bool fill;          /* the image's content at target is first copied into source (a directory) */
} Stage1MountSpec;

/* Mounts m in the rootfs at rootfd, its target resolved now, after the mounts made before it, and mounted
 * through its fd (stage1_mount_target(), stage1_bind_at()): a mount lands inside the rootfs or nowhere,
 * whatever the image and the volumes hold. A volume whose target resolves to the app's root, or into one of
 * forbidden (absolute paths inside the app; NULL: none), is refused. *ret_path (when not NULL): where it was
 * mounted, inside the app. Errors name the app, the mount point and the volume. The caller is in a mount
 * namespace of its own and rootfd was opened there. */
int stage1_mount_volume(int rootfd, const char *app, const Stage1MountSpec *m, char *const *forbidden,
                        char **ret_path, RktError **reterr);
/* Binds the directory path of the rootfs at rootfd onto itself (made when missing, resolved in the root):
 * a mount point with the image's content. */
int stage1_bind_self(int rootfd, const char *path);
/* unshare(CLONE_NEWNS) with the host's mounts made our slaves: what we mount does not reach the host,
 * what the host mounts later reaches us. fds opened before lead to the host's mount tree, not to ours. */
int stage1_private_mount_namespace(void);

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

/* An app's image as stage0 left it in the stage1 rootfs (s1fd): its image manifest, parsed, and a directory
 * fd of its rootfs (never a symlink). */
int stage1_app_image_open(int s1fd, const char *app, AppcImageManifest **ret_manifest, int *ret_rootfd,
                          RktError **reterr);
