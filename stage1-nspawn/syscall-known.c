/* SPDX-License-Identifier: Apache-2.0 */
/* A build tool, not part of the stage1 image: copies `systemd-analyze syscall-filter`'s listing from stdin
 * to stdout without the system calls libseccomp cannot name. systemd's groups list some calls that are
 * newer than the libseccomp it runs with (riscv_hwprobe, uretprobe with systemd 252 and libseccomp 2.5);
 * systemd passes over them in its own groups, but a unit that names them in SystemCallFilter= gets a
 * "Failed to parse system call, ignoring" warning per name. The apps' filters are rendered from these
 * groups, and the stage1 image carries the very libseccomp this tool is linked with. */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A member line: four spaces, then a name (group headers start with '@', comments with '#'). */
static const char *member_name(const char *line) {
        if (strncmp(line, "    ", 4) != 0)
                return NULL;
        line += 4;
        if (!*line || strchr("#@ ", *line))
                return NULL;
        return line;
}

int main(void) {
        char line[4096];

        while (fgets(line, sizeof(line), stdin)) {
                size_t len = strlen(line);
                const char *name;

                if (len > 0 && line[len - 1] == '\n')
                        line[--len] = 0;
                name = member_name(line);
                if (name && seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR)
                        continue;
                if (puts(line) == EOF)
                        return EXIT_FAILURE;
        }
        return ferror(stdin) || fflush(stdout) == EOF ? EXIT_FAILURE : EXIT_SUCCESS;
}
