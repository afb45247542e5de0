/* SPDX-License-Identifier: Apache-2.0 */
/* ACIs: the import's streaming pass (layout checks, limits, hash), then extraction into a fresh directory.
 * Whatever the bytes, nothing appears outside the target; what the import accepts, extraction writes. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aci-extract.h"
#include "aci-read.h"
#include "fs.h"
#include "fuzz.h"

static char base[] = "/tmp/rkt-fuzz-aci-XXXXXX";

/* The names in dir (".", ".." aside). */
static size_t count_entries(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        size_t n = 0;

        FUZZ_CHECK(d);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static bool ready;
        const ImageLimits limits = {.max_size = 16 * 1024 * 1024, .max_entries = 4096};
        _cleanup_close_ int fd = -EBADF, target = -EBADF, basefd = -EBADF;
        _cleanup_error_ RktError *e = NULL;
        AciStreamInfo info = {};
        bool accepted;
        int r;

        if (!ready) {
                FUZZ_CHECK(mkdtemp(base));
                ready = true;
        }
        fd = memfd_create("aci", MFD_CLOEXEC);
        FUZZ_CHECK(fd >= 0);
        FUZZ_CHECK(loop_write(fd, data, size) >= 0);

        FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0);
        accepted = aci_read_stream_limited(fd, -EBADF, &limits, &info, NULL) >= 0;
        aci_stream_info_done(&info);

        basefd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        FUZZ_CHECK(basefd >= 0);
        FUZZ_CHECK(mkdirat(basefd, "target", 0755) >= 0);
        target = openat(basefd, "target", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        FUZZ_CHECK(target >= 0);
        FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0);
        r = aci_extract_fd(fd, target, ACI_EXTRACT_NO_OWNERS, NULL, NULL, &e);
        if (accepted && r < 0) {
                fprintf(stderr, "the import accepted what extraction refuses: %s\n",
                        rkt_error_message(e, r));
                abort();
        }
        /* The extraction wrote below target only. */
        FUZZ_CHECK(count_entries(base) == 1);
        target = safe_close(target);
        FUZZ_CHECK(rm_rf_at(basefd, "target") >= 0);
        return 0;
}
