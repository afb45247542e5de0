/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "error.h"

/* What the pods under <data dir>/pods still use of the store: the rendered trees of every pod that
 * exists (any state: a prepared pod must still run after `rkt image rm`), and the image IDs of pods that
 * are prepared or running. Image gc keeps both. */
int pod_refs_collect(const char *data_dir, char ***ret_image_ids, char ***ret_tree_ids, RktError **reterr);
/* The rendered trees that running pods have mounted (pods in run/ whose lock is held): replacing one
 * would change files under a running app. */
int pod_refs_running_trees(const char *data_dir, char ***ret_tree_ids, RktError **reterr);
