/* SPDX-License-Identifier: Apache-2.0 */
/* stage1-fly's gc entrypoint (/gc [--debug] [--local-config=DIR] UUID), cwd = the pod directory of an
 * exited pod. The app's mounts lived in its own mount namespace and went with it; the pod's overlays are
 * stage0's to unmount, and nothing else of the pod is on the host (no network, cgroup or machine). So gc
 * checks its arguments, as every stage1's gc takes them, and has nothing to remove. */
#include <getopt.h>

#include "log.h"
#include "stage1-common.h"

int main(int argc, char **argv) {
        static const struct option options[] = {
                {"debug", optional_argument, NULL, 'd'},
                {"local-config", required_argument, NULL, 'l'},
                {},
        };
        int c;

        log_set_prefix("stage1");
        opterr = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                if (c != 'd' && c != 'l') {
                        log_error("gc: unknown option '%s'; usage: gc [--debug] [--local-config=DIR] UUID",
                                  argv[optind - 1]);
                        return STAGE1_EXIT_FAILURE;
                }
        if (optind != argc - 1 || !stage1_uuid_valid(argv[optind])) {
                log_error("gc: usage: gc [--debug] [--local-config=DIR] UUID");
                return STAGE1_EXIT_FAILURE;
        }
        return 0;
}
