/* SPDX-License-Identifier: Apache-2.0 */
/* Part of /reaper (libc only, inside the pod). Paths are resolved inside the app's root as the app would
 * see them (openat2 RESOLVE_IN_ROOT against /opt/stage2/APP/rootfs, volumes included), never outside it. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "reaper-diag.h"
#include "stage1-contract.h"

static int open_in_app(int rootfd, const char *path) {
        struct open_how how = {.flags = O_RDONLY | O_CLOEXEC,
                               .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};

        return (int) syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

static void report(const char *path, int err) {
        int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);

        if (fd >= 0) {
                dprintf(fd, "Error: Unable to open \"%s\": %s\n", path, strerror(err));
                close(fd);
        }
        fprintf(stderr, "Error: Unable to open \"%s\": %s\n", path, strerror(err));
}

/* The interpreter a file names: "#!" line, or an ELF program's PT_INTERP. 0 and an empty string: none. */
static int interpreter_of(int fd, char *buf, size_t size) {
        unsigned char head[256];
        ssize_t n = pread(fd, head, sizeof(head), 0);

        buf[0] = 0;
        if (n >= 2 && head[0] == '#' && head[1] == '!') {
                size_t i = 2, k = 0;
                while (i < (size_t) n && (head[i] == ' ' || head[i] == '\t'))
                        i++;
                while (i < (size_t) n && k + 1 < size && head[i] != ' ' && head[i] != '\t' &&
                       head[i] != '\n')
                        buf[k++] = (char) head[i++];
                buf[k] = 0;
                return 0;
        }
        if (n >= (ssize_t) sizeof(Elf64_Ehdr) && memcmp(head, ELFMAG, SELFMAG) == 0 &&
            head[EI_CLASS] == ELFCLASS64) {
                Elf64_Ehdr eh;
                memcpy(&eh, head, sizeof(eh));
                for (unsigned i = 0; i < eh.e_phnum && i < 256; i++) {
                        Elf64_Phdr ph;
                        if (pread(fd, &ph, sizeof(ph),
                                  (off_t) (eh.e_phoff + (uint64_t) i * eh.e_phentsize)) != sizeof(ph))
                                return -EIO;
                        if (ph.p_type != PT_INTERP)
                                continue;
                        if (ph.p_filesz == 0 || ph.p_filesz >= size)
                                return -EINVAL;
                        if (pread(fd, buf, ph.p_filesz, (off_t) ph.p_offset) != (ssize_t) ph.p_filesz)
                                return -EIO;
                        buf[ph.p_filesz] = 0;
                        return 0;
                }
        }
        return 0;
}

void reaper_diagnose_exec(const char *app) {
        char path[4096], root[4096], record[4096];
        int fd, rootfd;
        ssize_t n;

        snprintf(record, sizeof(record), "/rkt/exec/%s", app);
        fd = open(record, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return;
        n = read(fd, path, sizeof(path) - 1);
        close(fd);
        if (n <= 0)
                return;
        path[n] = 0;
        snprintf(root, sizeof(root), "/" STAGE2_DIR "/%s/" STAGE2_ROOTFS, app);
        rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return;
        /* The executable, then what it needs to start, one level at a time (a script's interpreter may be
         * a dynamically linked program itself). */
        for (int depth = 0; depth < 4 && path[0]; depth++) {
                char next[4096];

                fd = open_in_app(rootfd, path);
                if (fd < 0) {
                        report(path, errno);
                        break;
                }
                if (interpreter_of(fd, next, sizeof(next)) < 0) {
                        close(fd);
                        break;
                }
                close(fd);
                memcpy(path, next, sizeof(path));
        }
        close(rootfd);
}
