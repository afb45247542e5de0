/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "appc.h"
#include "error.h"
#include "pod.h"
#include "store.h"

/* Fills a preparing pod's directory as stage1 expects it (stage1-nspawn/README.md): the stage1 and each
 * app rendered once in the tree store and mounted into the pod with overlayfs (upper and work dirs in
 * the pod), or copied when overlay is false or the file system cannot do overlays; manifests, tree IDs
 * and the pod manifest. *ret_overlay tells which was used. With a user namespace range (private_users not
 * NULL) the images are copied and every file of the stage1 rootfs (the apps' included) is given owners of
 * the range, which POD_PRIVATE_USERS then records. */
int pod_prepare(Pod *p, Store *s, const char *stage1_id, const AppcPodManifest *m, bool overlay,
                const UidRange *private_users, bool *ret_overlay, RktError **reterr);

/* Refuses an app whose image cannot run here, as rkt 1.30 did (its texts first): an image manifest
 * without an "os" or an "arch" label, or one made for another os than linux. Reads each app's manifest
 * from the store; run before the pod is made, so that nothing is left behind. */
int pod_check_app_images(Store *s, const AppcPodManifest *m, RktError **reterr);

/* Mounts a prepared pod's overlays again when they are gone (after a reboot). */
int pod_remount(Pod *p, Store *s, RktError **reterr);
