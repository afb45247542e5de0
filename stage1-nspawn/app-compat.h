/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "appc.h"

/* Does the app have a volume mounted at path (an absolute path inside the app, compared lexically)?
 * s1fd: the stage1 rootfs, where the app's image manifest is (opt/stage2/<app>/manifest). Returns 1, 0, or
 * a negative errno when the app's mounts cannot be worked out. */
int stage1_app_has_volume_at(int s1fd, const AppcPodManifest *pod, const AppcRuntimeApp *ra,
                             const char *path);

/* rkt/exec/<app> in the stage1 rootfs: the app's exec[0] as resolved, which /reaper (inside the pod) reads
 * when the app could not be executed (status 203) to print rkt 1.30's diagnostic
 * ('Error: Unable to open "/x": No such file or directory'). */
int stage1_write_exec_record(int s1fd, const char *app, const char *exec0);

/* /etc/mtab in the app's root (rootfd) as a symlink to ../proc/self/mounts, as rkt 1.30 made it, unless the
 * image has something there. */
int stage1_app_ensure_mtab(int rootfd);

/* rkt 1.30 bound the pod's hostname (/proc/sys/kernel/hostname) on every app's /etc/hostname, made as an
 * empty 0644 file when the image has none. Makes that mount point in the app's root (rootfd) and returns 1
 * when the app gets the bind: not when the user mounted a volume there, nor when the image has something
 * there that is not a file (a directory, a symlink to nothing), which stays as it is. */
int stage1_app_hostname_mount_point(int s1fd, int rootfd, const AppcPodManifest *pod,
                                    const AppcRuntimeApp *ra);
