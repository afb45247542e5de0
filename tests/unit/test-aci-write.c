/* SPDX-License-Identifier: Apache-2.0 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "aci-write.h"
#include "fs.h"
#include "path.h"
#include "unit.h"

#define MANIFEST "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/x\"}"

typedef struct Seen {
        char names[16][64];
        char links[16][64]; /* hard link or symlink target */
        mode_t types[16];
        char data[16][128];
        size_t n;
} Seen;

static void read_back(int fd, Seen *seen) {
        struct archive *a = archive_read_new();
        struct archive_entry *e;

        assert_non_null(a);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        archive_read_support_filter_gzip(a);
        archive_read_support_format_tar(a);
        assert_int_equal(archive_read_open_fd(a, fd, 4096), ARCHIVE_OK);
        assert_int_equal(archive_filter_code(a, 0), ARCHIVE_FILTER_GZIP);
        while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
                size_t i = seen->n++;
                const char *link = archive_entry_hardlink(e) ?: archive_entry_symlink(e);
                la_ssize_t n;

                assert_true(i < 16);
                snprintf(seen->names[i], 64, "%s", archive_entry_pathname(e));
                snprintf(seen->links[i], 64, "%s", strempty(link));
                seen->types[i] = archive_entry_filetype(e);
                n = archive_read_data(a, seen->data[i], sizeof(seen->data[i]) - 1);
                seen->data[i][n > 0 ? n : 0] = 0;
        }
        archive_read_free(a);
}

static size_t find(const Seen *s, const char *name) {
        for (size_t i = 0; i < s->n; i++)
                if (streq(s->names[i], name))
                        return i;
        fail_msg("'%s' is not in the ACI", name);
        return 0;
}

static void test_write_dir(void **state) {
        char tmpl[] = "/tmp/rkt-test-aci-write-XXXXXX";
        _cleanup_free_ char *root = NULL, *rootslash = NULL;
        _cleanup_close_ int fd = memfd_create("aci", MFD_CLOEXEC);
        Seen seen = {};
        size_t a, b, m;

        assert_non_null(mkdtemp(tmpl));
        root = path_join(tmpl, "rootfs");
        assert_int_equal(mkdir(root, 0755), 0);
        assert_int_equal(chdir(root), 0);
        assert_int_equal(mkdir("etc", 0700), 0);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, "etc/a", "hello", 5, 0600), 0);
        assert_int_equal(link("etc/a", "etc/b"), 0);
        assert_int_equal(symlink("/etc/passwd", "escape"), 0);
        assert_int_equal(mkfifo("fifo", 0644), 0);
        assert_int_equal(chdir("/"), 0);

        /* a trailing slash names the same tree */
        assert_true(asprintf(&rootslash, "%s/", root) > 0);
        assert_int_equal(aci_write_dir(fd, MANIFEST, strlen(MANIFEST), rootslash, NULL, NULL), 0);
        read_back(fd, &seen);

        m = find(&seen, "manifest");
        assert_int_equal(m, 0);
        assert_string_equal(seen.data[m], MANIFEST);
        assert_int_equal(seen.types[find(&seen, "rootfs/")], AE_IFDIR);
        assert_int_equal(seen.types[find(&seen, "rootfs/etc/")], AE_IFDIR);
        /* directories end in "/"; one name carries the data, the other is a hard link to it */
        a = find(&seen, "rootfs/etc/a");
        b = find(&seen, "rootfs/etc/b");
        assert_true((streq(seen.links[a], "rootfs/etc/b") && streq(seen.data[b], "hello")) ||
                    (streq(seen.links[b], "rootfs/etc/a") && streq(seen.data[a], "hello")));
        /* a symlink stays a symlink, not what it points to on this host */
        assert_int_equal(seen.types[find(&seen, "rootfs/escape")], AE_IFLNK);
        assert_string_equal(seen.links[find(&seen, "rootfs/escape")], "/etc/passwd");
        assert_int_equal(seen.types[find(&seen, "rootfs/fifo")], AE_IFIFO);
        assert_int_equal(seen.n, 7);
        assert_int_equal(rm_rf_at(AT_FDCWD, tmpl), 0);
}

static void test_missing_rootfs(void **state) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_close_ int fd = memfd_create("aci", MFD_CLOEXEC);

        assert_true(aci_write_dir(fd, MANIFEST, strlen(MANIFEST), "/nonexistent/rootfs", NULL, &err) < 0);
        assert_non_null(strstr(rkt_error_message(err, -EIO), "/nonexistent/rootfs"));
}

RUN_TESTS(cmocka_unit_test(test_write_dir), cmocka_unit_test(test_missing_rootfs))
