/* SPDX-License-Identifier: Apache-2.0 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <sys/stat.h>

#include "macro.h"
#include "tar-builder.h"
#include "unit.h"

struct TarBuilder {
        struct archive *a;
};

TarBuilder *tar_builder_new(const char *path, int filter) {
        TarBuilder *b = calloc(1, sizeof(*b));

        assert_non_null(b);
        b->a = archive_write_new();
        assert_non_null(b->a);
        assert_int_equal(archive_write_set_format_pax_restricted(b->a), ARCHIVE_OK);
        assert_int_equal(archive_write_add_filter(b->a, filter), ARCHIVE_OK);
        assert_int_equal(archive_write_open_filename(b->a, path), ARCHIVE_OK);
        return b;
}

static void add(TarBuilder *b, const char *name, mode_t type, mode_t mode, const char *content,
                const char *symlink, const char *hardlink) {
        struct archive_entry *e = archive_entry_new();
        size_t len = content ? strlen(content) : 0;

        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, type);
        archive_entry_set_perm(e, mode);
        archive_entry_set_mtime(e, 1500000000, 0);
        archive_entry_set_size(e, len);
        if (symlink)
                archive_entry_set_symlink(e, symlink);
        if (hardlink) {
                archive_entry_set_hardlink(e, hardlink);
                archive_entry_set_size(e, 0);
        }
        assert_int_equal(archive_write_header(b->a, e), ARCHIVE_OK);
        if (len)
                assert_int_equal(archive_write_data(b->a, content, len), (la_ssize_t) len);
        archive_entry_free(e);
}

void tar_builder_file(TarBuilder *b, const char *name, const char *content, mode_t mode) {
        add(b, name, AE_IFREG, mode, content, NULL, NULL);
}

void tar_builder_dir(TarBuilder *b, const char *name, mode_t mode) {
        add(b, name, AE_IFDIR, mode, NULL, NULL, NULL);
}

void tar_builder_symlink(TarBuilder *b, const char *name, const char *target) {
        add(b, name, AE_IFLNK, 0777, NULL, target, NULL);
}

void tar_builder_hardlink(TarBuilder *b, const char *name, const char *target) {
        add(b, name, AE_IFREG, 0644, NULL, NULL, target);
}

void tar_builder_close(TarBuilder *b) {
        assert_int_equal(archive_write_close(b->a), ARCHIVE_OK);
        archive_write_free(b->a);
        free(b);
}

const char *test_manifest(const char *name) {
        static char buf[512];
        snprintf(buf, sizeof(buf),
                 "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"%s\",\"labels\":"
                 "[{\"name\":\"os\",\"value\":\"linux\"},{\"name\":\"arch\",\"value\":\"amd64\"}]}",
                 name);
        return buf;
}

void write_test_aci(const char *path, int filter, const char *name, const char *const *files) {
        TarBuilder *b = tar_builder_new(path, filter);

        tar_builder_file(b, "manifest", test_manifest(name), 0644);
        tar_builder_dir(b, "rootfs", 0755);
        for (const char *const *f = files; f && *f; f++) {
                const char *eq = strchr(*f, '=');
                char *p;
                assert_non_null(eq);
                assert_true(asprintf(&p, "rootfs/%.*s", (int) (eq - *f), *f) > 0);
                tar_builder_file(b, p, eq + 1, 0644);
                free(p);
        }
        tar_builder_close(b);
}
