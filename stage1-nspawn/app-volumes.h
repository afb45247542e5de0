/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "appc.h"

/* Does the app have a volume mounted at path (an absolute path inside the app, compared lexically)?
 * s1fd: the stage1 rootfs, where the app's image manifest is (opt/stage2/<app>/manifest). Returns 1, 0, or
 * a negative errno when the app's mounts cannot be worked out. */
int stage1_app_has_volume_at(int s1fd, const AppcPodManifest *pod, const AppcRuntimeApp *ra, const char *path);
