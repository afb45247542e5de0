/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Shared by the files that implement pods (pod.c, pod-mounts.c); nothing else includes this. */

#include "pod.h"

/* The path of a file of the pod (name relative to its directory). */
char *pod_file(const Pod *p, const char *name);
/* The stage1 tree ID, checked to be one (it names a directory of the pod and one of the store). */
int pod_stage1_tree_id(const Pod *p, char **ret);
