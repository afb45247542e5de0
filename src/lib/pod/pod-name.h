/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "pod.h"

/* Pod names (rkt run|prepare --name=NAME). A name is claimed in <data dir>/pods/names/: a symlink NAME whose
 * target is the pod's UUID (it is never followed), made under an exclusive flock on that directory, so
 * that of two concurrent claims one wins and the other sees the winner. The pod keeps its name in the file
 * "name" of its directory too (list, status, stage1's machine name). A name is free when its link is
 * missing or names a pod that is gone or garbage (aborted prepare, exited garbage, deleting, garbage). */

#define POD_NAME_FILE "name"
#define POD_NAME_MAX 64

/* Letters, digits, '_', '.' and '-', at most 64, starting with a letter or digit, not ending in '.' or '-',
 * no "..", and not shaped like a UUID: at once a valid machine name, host name and unit name prefix. */
bool pod_name_valid(const char *name);

/* The UUID (36 characters + NUL) the name is claimed for; -ENOENT when it is not. The pod may be gone. */
int pod_name_resolve(const char *data_dir, const char *name, char ret_uuid[static 37]);

/* Claims name for p (held locked by the caller, preparing): writes p's "name" file and the link, unless
 * another pod that is not garbage holds it (-EEXIST, its UUID in the message). With p NULL, only checks
 * that the name is free (a quick refusal before images are fetched). */
int pod_name_claim(const char *data_dir, const char *name, Pod *p, RktError **reterr);

/* The pod's name ("name" file), -ENOENT when it has none, -EBADMSG when the file holds no valid name. */
int pod_name_read(const Pod *p, char **ret);

/* Removes the pod's name link when it still names this pod (the pod is being deleted). */
int pod_name_release(const Pod *p);
