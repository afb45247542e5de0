/* SPDX-License-Identifier: Apache-2.0 */
/* stage1-fly's gc entrypoint (/gc [--debug] [--local-config=DIR] UUID), cwd = the pod directory of an
 * exited pod. The app's mounts lived in its own mount namespace and went with it; the pod's overlays are
 * stage0's to unmount, and nothing else of the pod is on the host (no network, cgroup or machine). So gc
 * checks its arguments, as every stage1's gc takes them, and has nothing to remove. */
#include "stage1-common.h"

int main(int argc, char **argv) {
        const char *uuid;

        return stage1_gc_args(argc, argv, &uuid) < 0 ? STAGE1_EXIT_FAILURE : 0;
}
