/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "appc.h"
#include "error.h"
#include "pod.h"
#include "store.h"

/* Fills a preparing pod's directory as stage1 expects it (stage1-nspawn/README.md): the stage1 and each
 * app rendered once in the tree store and mounted into the pod with overlayfs (upper and work dirs in
 * the pod), or copied when overlay is false or the file system cannot do overlays; manifests, tree IDs
 * and the pod manifest. *ret_overlay tells which was used. */
int pod_prepare(Pod *p, Store *s, const char *stage1_id, const AppcPodManifest *m, bool overlay, bool *ret_overlay,
                RktError **reterr);

/* Mounts a prepared pod's overlays again when they are gone (after a reboot). */
int pod_remount(Pod *p, Store *s, RktError **reterr);
