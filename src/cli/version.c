/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <sys/utsname.h>

#include "verbs.h"

/* The lines Nomad's rkt driver and other tools parse: "rkt Version: X" and "appc Version: Y". */
int verb_version(CliArgs *a) {
        struct utsname u;

        printf("rkt Version: %s\n", PACKAGE_VERSION);
        printf("appc Version: %s\n", APPC_SPEC_VERSION);
        printf("Compiler: gcc %s\n", __VERSION__);
        if (uname(&u) == 0)
                printf("OS/Arch: linux/%s\n", streq(u.machine, "x86_64") ? "amd64" : u.machine);
        printf("Features: %s\n", RKT_FEATURES);
        return 0;
}
