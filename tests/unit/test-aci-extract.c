/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "aci-extract-env.h"
#include "fs.h"

/* Extracting images and Docker/OCI layers: what lands in the target; hostile archives are
 * test-aci-extract-hostile.c's. */

static void test_extract_image(void **state) {
        Env *env = *state;
        bool root = geteuid() == 0;
        struct stat a, b;
        char value[16];

        write_tar(env,
                  ENTS(MANIFEST, {.path = "rootfs", .mode = S_IFDIR | 0755, .mtime = 1000},
                       {.path = "rootfs/etc", .mode = S_IFDIR | 0750, .mtime = 2000},
                       {.path = "rootfs/etc/passwd",
                        .mode = S_IFREG | 0644,
                        .data = "root:x:0:0\n",
                        .mtime = 3000,
                        .xattr = "user.origin",
                        .xattr_value = "image",
                        .xattr_size = 5},
                       DIR_("rootfs/bin"),
                       {.path = "rootfs/bin/su", .mode = S_IFREG | 04755, .data = "su", .uid = 0},
                       {.path = "rootfs/bin/wall",
                        .mode = S_IFREG | 02755,
                        .data = "wall",
                        .uid = 1000,
                        .gid = 5},
                       {.path = "rootfs/tmp", .mode = S_IFDIR | 01777}, LINK_("rootfs/bin/sh", "/bin/dash"),
                       LINK_("rootfs/escape", "../../../../../sentinel"),
                       HARD_("rootfs/etc/passwd-", "rootfs/etc/passwd"),
                       /* A read-only directory must not block its own children. */
                       {.path = "rootfs/ro", .mode = S_IFDIR | 0555, .mtime = 4000},
                       {.path = "rootfs/ro/sub", .mode = S_IFDIR | 0500, .mtime = 5000},
                       {.path = "rootfs/ro/sub/file", .mode = S_IFREG | 0400, .data = "ro"},
                       /* No entries for rootfs/home and rootfs/home/u: created 0755. */
                       {.path = "rootfs/home/u/.profile",
                        .mode = S_IFREG | 0600,
                        .data = "PS1=$\n",
                        .uid = 1234,
                        .gid = 5678},
                       {.path = "rootfs/run/fifo", .mode = S_IFIFO | 0620}, FILE_("rootfs/empty", "")));
        assert_extracts(env, 0);

        assert_file(env, "manifest", "{\"acKind\":\"ImageManifest\"}", 0644);
        assert_dir(env, "rootfs", 0755);
        assert_dir(env, "rootfs/etc", 0750);
        assert_file(env, "rootfs/etc/passwd", "root:x:0:0\n", 0644);
        assert_file(env, "rootfs/bin/su", "su", 04755);
        assert_file(env, "rootfs/bin/wall", "wall", 02755);
        assert_dir(env, "rootfs/tmp", 01777);
        assert_symlink(env, "rootfs/bin/sh", "/bin/dash");
        assert_symlink(env, "rootfs/escape", "../../../../../sentinel");
        assert_dir(env, "rootfs/ro", 0555);
        assert_dir(env, "rootfs/ro/sub", 0500);
        assert_file(env, "rootfs/ro/sub/file", "ro", 0400);
        assert_dir(env, "rootfs/home", 0755);
        assert_dir(env, "rootfs/home/u", 0755);
        assert_file(env, "rootfs/home/u/.profile", "PS1=$\n", 0600);
        assert_file(env, "rootfs/empty", "", 0644);
        assert_int_equal(fstatat(env->target_fd, "rootfs/run/fifo", &a, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISFIFO(a.st_mode));
        assert_int_equal(a.st_mode & 07777, 0620);

        /* The hardlink is one inode with the file. */
        assert_int_equal(fstatat(env->target_fd, "rootfs/etc/passwd", &a, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(fstatat(env->target_fd, "rootfs/etc/passwd-", &b, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(a.st_ino, b.st_ino);
        assert_int_equal(a.st_nlink, 2);

        /* mtimes, of directories too (their children were created after them). */
        assert_int_equal(mtime_of(env, "rootfs"), 1000);
        assert_int_equal(mtime_of(env, "rootfs/etc"), 2000);
        assert_int_equal(mtime_of(env, "rootfs/etc/passwd"), 3000);
        assert_int_equal(mtime_of(env, "rootfs/ro"), 4000);
        assert_int_equal(mtime_of(env, "rootfs/ro/sub"), 5000);
        assert_int_equal(mtime_of(env, "rootfs/bin/sh"), 1500000000);

        if (root) {
                assert_int_equal(fstatat(env->target_fd, "rootfs/home/u/.profile", &a, 0), 0);
                assert_int_equal(a.st_uid, 1234);
                assert_int_equal(a.st_gid, 5678);
                /* chown clears setgid: the mode must have been applied after it. */
                assert_int_equal(fstatat(env->target_fd, "rootfs/bin/wall", &a, 0), 0);
                assert_int_equal(a.st_uid, 1000);
                assert_int_equal(a.st_gid, 5);
        }
        if (user_xattrs_supported(env->dir)) {
                _cleanup_free_ char *p = join(env->target, "rootfs/etc/passwd");
                assert_int_equal(getxattr(p, "user.origin", value, sizeof(value)), 5);
                assert_memory_equal(value, "image", 5);
        }
        assert_contained(env);
}

static void test_extract_rootfs_only(void **state) {
        Env *env = *state;
        struct stat a, b;

        write_tar(env, ENTS(MANIFEST, {.path = "rootfs/", .mode = S_IFDIR | 0751, .mtime = 1234},
                            DIR_("rootfs/etc"), FILE_("rootfs/etc/os-release", "ID=test\n"),
                            HARD_("rootfs/etc/os-release.bak", "rootfs/etc/os-release"),
                            LINK_("rootfs/etc/mtab", "/proc/self/mounts")));
        assert_extracts(env, ACI_EXTRACT_ROOTFS_ONLY);
        assert_absent(env, "manifest");
        assert_absent(env, "rootfs");
        assert_file(env, "etc/os-release", "ID=test\n", 0644);
        assert_symlink(env, "etc/mtab", "/proc/self/mounts");
        assert_int_equal(fstatat(env->target_fd, "etc/os-release", &a, 0), 0);
        assert_int_equal(fstatat(env->target_fd, "etc/os-release.bak", &b, 0), 0);
        assert_int_equal(a.st_ino, b.st_ino);
        /* The "rootfs" entry is the target itself. */
        assert_dir(env, ".", 0751);
        assert_int_equal(mtime_of(env, "."), 1234);
        assert_contained(env);
}

typedef struct FilterLog {
        char seen[16][64];
        mode_t types[16];
        size_t n;
} FilterLog;

static bool filter_no_skip(const char *path, mode_t type, void *userdata) {
        FilterLog *log = userdata;

        assert_true(log->n < ELEMENTSOF(log->seen));
        snprintf(log->seen[log->n], sizeof(log->seen[0]), "%s", path);
        log->types[log->n++] = type;
        return !streq(path, "skipdir") && !strstr(path, "/skip");
}

static void test_filter(void **state) {
        Env *env = *state;
        FilterLog log = {};
        _cleanup_error_ RktError *err = NULL;
        static const struct {
                const char *path;
                mode_t type;
        } expected[] = {
                {"etc", S_IFDIR},           {"etc/passwd", S_IFREG},   {"etc/skip-me", S_IFREG},
                {"skipdir", S_IFDIR},       {"skipdir/kept", S_IFREG}, {"etc/link", S_IFLNK},
                {"etc/passwd.hl", S_IFREG}, {"etc/skip.hl", S_IFREG},
        };

        write_tar(env,
                  ENTS(MANIFEST, ROOTFS, DIR_("./rootfs/etc"), FILE_("rootfs/etc/passwd", "p"),
                       FILE_("rootfs//etc/skip-me", "s"), {.path = "rootfs/skipdir", .mode = S_IFDIR | 0700},
                       FILE_("rootfs/skipdir/kept", "k"), LINK_("rootfs/etc/link", "passwd"),
                       HARD_("rootfs/etc/passwd.hl", "rootfs/etc/passwd"),
                       HARD_("rootfs/etc/skip.hl", "rootfs/etc/passwd")));
        assert_int_equal(extract(env, 0, filter_no_skip, &log, &err), 0);

        /* Neither the manifest nor the rootfs directory itself go through the filter. */
        assert_int_equal(log.n, ELEMENTSOF(expected));
        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                assert_string_equal(log.seen[i], expected[i].path);
                assert_int_equal(log.types[i], expected[i].type);
        }
        assert_file(env, "manifest", "{\"acKind\":\"ImageManifest\"}", 0644);
        assert_file(env, "rootfs/etc/passwd", "p", 0644);
        assert_file(env, "rootfs/etc/passwd.hl", "p", 0644);
        assert_symlink(env, "rootfs/etc/link", "passwd");
        assert_absent(env, "rootfs/etc/skip-me");
        assert_absent(env, "rootfs/etc/skip.hl");
        /* A kept entry below a filtered directory gets a default parent. */
        assert_dir(env, "rootfs/skipdir", 0755);
        assert_file(env, "rootfs/skipdir/kept", "k", 0644);

        /* Filtering applies to the rootfs-relative path with ROOTFS_ONLY as well. */
        reset_target(env);
        log.n = 0;
        assert_int_equal(extract(env, ACI_EXTRACT_ROOTFS_ONLY, filter_no_skip, &log, &err), 0);
        assert_int_equal(log.n, ELEMENTSOF(expected));
        assert_string_equal(log.seen[1], "etc/passwd");
        assert_file(env, "etc/passwd", "p", 0644);
        assert_absent(env, "etc/skip-me");
}

static bool filter_reject_hardlink_target(const char *path, mode_t type, void *userdata) {
        return !streq(path, "a");
}

static void test_filter_hardlink_target_dropped(void **state) {
        Env *env = *state;
        _cleanup_error_ RktError *err = NULL;

        write_tar(env, ENTS(MANIFEST, ROOTFS, FILE_("rootfs/a", "a"), HARD_("rootfs/b", "rootfs/a")));
        assert_true(extract(env, 0, filter_reject_hardlink_target, NULL, &err) < 0);
        assert_string_equal(err->message, "entry 'rootfs/b': hardlink target 'rootfs/a' does not exist");
}

static const char *magic_of(int filter) {
        switch (filter) {
        case ARCHIVE_FILTER_GZIP:
                return "\x1f\x8b";
        case ARCHIVE_FILTER_BZIP2:
                return "BZh";
        case ARCHIVE_FILTER_XZ:
                return "\xfd"
                       "7zXZ";
        case ARCHIVE_FILTER_ZSTD:
                return "\x28\xb5\x2f\xfd";
        default:
                return NULL;
        }
}

static void test_formats_and_compressions(void **state) {
        Env *env = *state;
        static const int formats[] = {ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED,
                                      ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE, ARCHIVE_FORMAT_TAR_GNUTAR};
        static const int filters[] = {ARCHIVE_FILTER_NONE, ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_BZIP2,
                                      ARCHIVE_FILTER_XZ, ARCHIVE_FILTER_ZSTD};

        for (size_t f = 0; f < ELEMENTSOF(formats); f++)
                for (size_t c = 0; c < ELEMENTSOF(filters); c++) {
                        const char *magic = magic_of(filters[c]);
                        _cleanup_free_ char *head = NULL;
                        size_t n;

                        write_tar_as(env->tar, formats[f], filters[c],
                                     ENTS(MANIFEST, ROOTFS, DIR_("rootfs/usr"),
                                          FILE_("rootfs/usr/hello", "hi\n"),
                                          LINK_("rootfs/hello", "usr/hello")));
                        /* The reader must detect the compression from the bytes, not a file name. */
                        assert_int_equal(read_full_file_at(AT_FDCWD, env->tar, &head, &n), 0);
                        if (magic)
                                assert_memory_equal(head, magic, strlen(magic));
                        else
                                assert_memory_equal(head + 257, "ustar", 5);
                        reset_target(env);
                        assert_extracts(env, ACI_EXTRACT_ROOTFS_ONLY);
                        assert_file(env, "usr/hello", "hi\n", 0644);
                        assert_symlink(env, "hello", "usr/hello");
                }
}

static void test_duplicates(void **state) {
        Env *env = *state;

        /* Tar semantics: a later entry replaces an earlier non-directory, never writing through a symlink.
         */
        write_tar(env,
                  ENTS(MANIFEST, ROOTFS, FILE_("rootfs/a", "1"), FILE_("rootfs/a", "2"),
                       LINK_("rootfs/s", env->victim), FILE_("rootfs/s", "not the victim"),
                       FILE_("rootfs/b", "file first"), DIR_("rootfs/b"), FILE_("rootfs/b/c", "c"),
                       LINK_("rootfs/d", "x"), LINK_("rootfs/d", "y"),
                       {.path = "rootfs/m", .mode = S_IFDIR | 0700, .mtime = 100}, FILE_("rootfs/m/f", "f"),
                       {.path = "rootfs/m", .mode = S_IFDIR | 0751, .mtime = 200}));
        assert_extracts(env, 0);
        assert_file(env, "rootfs/a", "2", 0644);
        assert_file(env, "rootfs/s", "not the victim", 0644);
        assert_file(env, "rootfs/b/c", "c", 0644);
        assert_symlink(env, "rootfs/d", "y");
        assert_dir(env, "rootfs/m", 0751);
        assert_int_equal(mtime_of(env, "rootfs/m"), 200);
        assert_contained(env);

        /* A non-directory over a directory fails without OVERWRITE... */
        write_tar(env, ENTS(MANIFEST, ROOTFS, DIR_("rootfs/c"), FILE_("rootfs/c/keep", "k"),
                            FILE_("rootfs/c", "f")));
        assert_fails_as(env, 0, "entry 'rootfs/c': would replace a directory with a non-directory", false);
        /* ...and replaces the whole tree with it (later files overwrite earlier ones). */
        reset_target(env);
        assert_extracts(env, ACI_EXTRACT_OVERWRITE);
        assert_file(env, "rootfs/c", "f", 0644);
}

static void test_overwrite_existing(void **state) {
        Env *env = *state;

        assert_int_equal(mkdirat(env->target_fd, "rootfs", 0755), 0);
        assert_int_equal(write_file_atomic_at(env->target_fd, "rootfs/pre", "old", 3, 0644), 0);
        assert_int_equal(symlinkat(env->victim, env->target_fd, "rootfs/link"), 0);
        assert_int_equal(symlinkat(env->sentinel, env->target_fd, "rootfs/dir"), 0);

        write_tar_keep(env, ENTS(ROOTFS, FILE_("rootfs/pre", "new")));
        assert_fails_as(env, 0, "entry 'rootfs/pre': a file of that name already exists in the target",
                        false);
        write_tar_keep(env, ENTS(ROOTFS, FILE_("rootfs/link", "new")));
        assert_fails_as(env, 0, "entry 'rootfs/link': a file of that name already exists in the target",
                        false);
        write_tar_keep(env, ENTS(ROOTFS, DIR_("rootfs/dir"), FILE_("rootfs/dir/f", "new")));
        assert_fails_as(env, 0, "entry 'rootfs/dir/': a file of that name already exists in the target",
                        false);

        /* OVERWRITE replaces them, symlinks included, and follows none. */
        write_tar_keep(env, ENTS(ROOTFS, FILE_("rootfs/pre", "new"), FILE_("rootfs/link", "new"),
                                 DIR_("rootfs/dir"), FILE_("rootfs/dir/f", "new")));
        assert_extracts(env, ACI_EXTRACT_OVERWRITE);
        assert_file(env, "rootfs/pre", "new", 0644);
        assert_file(env, "rootfs/link", "new", 0644);
        assert_dir(env, "rootfs/dir", 0755);
        assert_file(env, "rootfs/dir/f", "new", 0644);
        assert_contained(env);

        /* An existing directory merges and takes the entry's metadata. */
        write_tar_keep(env, ENTS({.path = "rootfs/dir", .mode = S_IFDIR | 0711, .mtime = 77},
                                 FILE_("rootfs/dir/g", "g")));
        assert_extracts(env, ACI_EXTRACT_OVERWRITE);
        assert_file(env, "rootfs/dir/f", "new", 0644);
        assert_file(env, "rootfs/dir/g", "g", 0644);
        assert_dir(env, "rootfs/dir", 0711);
        assert_int_equal(mtime_of(env, "rootfs/dir"), 77);
}

static void test_layout(void **state) {
        Env *env = *state;

        write_tar(env, ENTS(MANIFEST, ROOTFS, DIR_("etc"), FILE_("etc/passwd", "x")));
        assert_fails_as(
                env, 0,
                "entry 'etc/': unexpected top-level path (an image holds only 'manifest' and 'rootfs/')",
                false);
        write_tar(env, ENTS(MANIFEST, LINK_("rootfs", "/"), FILE_("rootfs/etc/passwd", "x")));
        assert_fails_as(env, 0, "entry 'rootfs': 'rootfs' must be a directory", false);
        write_tar(env, ENTS(MANIFEST, FILE_("rootfs", "x")));
        assert_fails_as(env, ACI_EXTRACT_ROOTFS_ONLY, "entry 'rootfs': 'rootfs' must be a directory", false);
        write_tar(env, ENTS(LINK_("manifest", "/etc/passwd")));
        assert_fails_as(env, 0, "entry 'manifest': 'manifest' must be a regular file", false);
        write_tar(env, ENTS(DIR_("manifest"), FILE_("manifest/x", "x")));
        assert_fails_as(env, 0, "entry 'manifest/': 'manifest' must be a regular file", false);
        reset_target(env);

        /* "./" prefixes, as "tar -C dir -cf x.aci ." writes them. */
        write_tar(env, ENTS(DIR_("./"), {.path = "./manifest", .mode = S_IFREG | 0644, .data = "{}"},
                            DIR_("./rootfs/"), FILE_("./rootfs/f", "f")));
        assert_extracts(env, 0);
        assert_file(env, "manifest", "{}", 0644);
        assert_file(env, "rootfs/f", "f", 0644);
}

static void test_long_paths(void **state) {
        Env *env = *state;
        char component[300], path[PATH_MAX + 100], expected[1024];
        size_t n;

        /* Long but valid: beyond ustar's 100 bytes, pax records carry it. */
        memset(component, 'c', 200);
        component[200] = 0;
        snprintf(path, sizeof(path), "rootfs/%s/%s/%s", component, component, component);
        write_tar(env, ENTS(MANIFEST, ROOTFS, FILE_(path, "deep")));
        assert_extracts(env, 0);
        assert_file(env, path, "deep", 0644);

        /* A component longer than NAME_MAX. */
        reset_target(env);
        memset(component, 'c', 256);
        component[256] = 0;
        snprintf(path, sizeof(path), "rootfs/%s", component);
        write_tar(env, ENTS(MANIFEST, ROOTFS, FILE_(path, "x")));
        snprintf(expected, sizeof(expected), "entry '%.256s...': path component longer than 255 bytes",
                 path);
        assert_fails_as(env, 0, expected, false);

        /* Longer than PATH_MAX; the message shows only the start of the name. */
        reset_target(env);
        strcpy(path, "rootfs");
        for (n = strlen(path); n + 3 < PATH_MAX + 10;)
                n += (size_t) sprintf(path + n, "/d");
        write_tar(env, ENTS(MANIFEST, ROOTFS, FILE_(path, "x")));
        snprintf(expected, sizeof(expected), "entry '%.256s...': path is longer than 4095 bytes", path);
        assert_fails_as(env, 0, expected, false);
}

static void test_deep_tree(void **state) {
        Env *env = *state;
        char path[2048] = "rootfs";
        size_t n = strlen(path);
        Ent ents[3 * 100 + 2] = {MANIFEST, ROOTFS};
        char paths[100][3][512];
        size_t k = 2;

        /* Deeper than the directory cache: the uncached walk and the final modes there. */
        for (size_t depth = 0; depth < 100; depth++) {
                n += (size_t) sprintf(path + n, "/%c", 'a' + (int) (depth % 26));
                snprintf(paths[depth][0], sizeof(paths[0][0]), "%s", path);
                snprintf(paths[depth][1], sizeof(paths[0][1]), "%s/file1", path);
                snprintf(paths[depth][2], sizeof(paths[0][2]), "%s/file2", path);
                ents[k++] = (Ent){.path = paths[depth][0], .mode = S_IFDIR | 0711, .mtime = 10 + depth};
                ents[k++] = (Ent){.path = paths[depth][1], .mode = S_IFREG | 0644, .data = "f"};
                ents[k++] = (Ent){.path = paths[depth][2], .mode = S_IFREG | 0600, .data = "g"};
        }
        write_tar(env, ents, k);
        assert_extracts(env, 0);
        for (size_t depth = 0; depth < 100; depth++) {
                assert_dir(env, paths[depth][0], 0711);
                assert_int_equal(mtime_of(env, paths[depth][0]), 10 + (time_t) depth);
                assert_file(env, paths[depth][1], "f", 0644);
                assert_file(env, paths[depth][2], "g", 0600);
        }
}

static void octal(unsigned char *field, size_t n, unsigned long v) {
        snprintf((char *) field, n, "%0*lo", (int) n - 1, v);
}

/* A GNU tar header by hand: libarchive's writer does not write sparse data. */
static void gnu_header(unsigned char *h, const char *name, char type, unsigned long size, unsigned mode) {
        memset(h, 0, 512);
        strcpy((char *) h, name);
        octal(h + 100, 8, mode);
        octal(h + 108, 8, 0);
        octal(h + 116, 8, 0);
        octal(h + 124, 12, size);
        octal(h + 136, 12, 1500000000);
        h[156] = (unsigned char) type;
        memcpy(h + 257, "ustar  ", 8);
}

static void gnu_checksum(unsigned char *h) {
        unsigned sum = 0;

        memset(h + 148, ' ', 8);
        for (size_t i = 0; i < 512; i++)
                sum += h[i];
        snprintf((char *) h + 148, 8, "%06o", sum);
        h[155] = ' ';
}

static void test_sparse_file(void **state) {
        Env *env = *state;
        unsigned char tar[512 * 5] = {};
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t n;

        gnu_header(tar, "rootfs/", '5', 0, 0755);
        gnu_checksum(tar);
        /* 1 MiB: "hello" at 64 KiB, "end" at 512 KiB, a hole to the end. */
        gnu_header(tar + 512, "rootfs/sparse", 'S', 8, 0644);
        octal(tar + 512 + 386, 12, 65536);
        octal(tar + 512 + 398, 12, 5);
        octal(tar + 512 + 410, 12, 524288);
        octal(tar + 512 + 422, 12, 3);
        octal(tar + 512 + 483, 12, 1048576);
        gnu_checksum(tar + 512);
        memcpy(tar + 1024, "helloend", 8);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, env->tar, tar, sizeof(tar), 0644), 0);

        assert_extracts(env, ACI_EXTRACT_ROOTFS_ONLY);
        assert_int_equal(read_full_file_at(env->target_fd, "sparse", &buf, &n), 0);
        assert_int_equal(n, 1048576);
        for (size_t i = 0; i < n; i++)
                if (i >= 65536 && i < 65536 + 5)
                        assert_int_equal(buf[i], "hello"[i - 65536]);
                else if (i >= 524288 && i < 524288 + 3)
                        assert_int_equal(buf[i], "end"[i - 524288]);
                else if (buf[i] != 0)
                        fail_msg("byte %zu is 0x%02x, expected a hole", i, (unsigned char) buf[i]);
        /* The holes stayed holes. */
        assert_int_equal(fstatat(env->target_fd, "sparse", &st, 0), 0);
        assert_true(st.st_blocks * 512 < 1048576 / 2);
}

static void test_truncated(void **state) {
        Env *env = *state;
        static const int filters[] = {ARCHIVE_FILTER_NONE, ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_XZ,
                                      ARCHIVE_FILTER_ZSTD};
        _cleanup_free_ char *big = malloc(256 * 1024);
        struct stat st;

        assert_non_null(big);
        /* Not compressible, so that the truncation lands inside the file's data. */
        for (size_t i = 0; i < 256 * 1024; i++)
                big[i] = (char) ((i * 2654435761u) >> 13);
        for (size_t i = 0; i < ELEMENTSOF(filters); i++) {
                reset_target(env);
                write_tar_as(env->tar, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, filters[i],
                             ENTS(MANIFEST, ROOTFS,
                                  {.path = "rootfs/big",
                                   .mode = S_IFREG | 0644,
                                   .data = big,
                                   .size = 256 * 1024}));
                assert_int_equal(stat(env->tar, &st), 0);
                assert_int_equal(truncate(env->tar, st.st_size / 2), 0);
                assert_fails_as(env, 0, "archive is truncated: ", true);
        }

        /* Cut inside the second header. */
        write_tar(env, ENTS(MANIFEST, ROOTFS, FILE_("rootfs/f", "f")));
        assert_int_equal(truncate(env->tar, 512 * 3 + 100), 0);
        assert_fails_as(env, 0, "archive is truncated: ", true);
}

static void test_not_an_archive(void **state) {
        Env *env = *state;
        char junk[8192];
        uint32_t seed = 42;

        for (size_t i = 0; i < sizeof(junk); i++) {
                seed = seed * 1103515245u + 12345u;
                junk[i] = (char) (seed >> 16);
        }
        assert_int_equal(write_file_atomic_at(AT_FDCWD, env->tar, junk, sizeof(junk), 0644), 0);
        assert_fails_as(env, 0, "not an archive: ", true);
        /* Plain text, and an empty file, are not archives either. */
        assert_int_equal(
                write_file_atomic_at(AT_FDCWD, env->tar, "{\"acKind\":\"ImageManifest\"}\n", 27, 0644), 0);
        assert_fails_as(env, 0, "not an archive: ", true);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, env->tar, "", 0, 0644), 0);
        assert_fails_as(env, 0, "not an archive: ", true);
        /* gzip magic and a damaged stream. */
        memcpy(junk, "\x1f\x8b\x08\x00", 4);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, env->tar, junk, sizeof(junk), 0644), 0);
        {
                _cleanup_error_ RktError *err = NULL;
                assert_true(extract(env, 0, NULL, NULL, &err) < 0);
                assert_non_null(err);
                assert_true(startswith(err->message, "not an archive: ") ||
                            startswith(err->message, "archive is truncated: "));
        }
        assert_contained(env);
}

static void test_device_nodes(void **state) {
        Env *env = *state;
        struct stat st;

        if (geteuid() != 0) {
                print_message("# SKIP device nodes need root\n");
                skip();
        }
        write_tar(env,
                  ENTS(MANIFEST, ROOTFS, DIR_("rootfs/dev"),
                       {.path = "rootfs/dev/null", .mode = S_IFCHR | 0666, .rdev = makedev(1, 3), .uid = 0},
                       {.path = "rootfs/dev/loop9",
                        .mode = S_IFBLK | 0660,
                        .rdev = makedev(7, 9),
                        .gid = 6,
                        .mtime = 999}));
        assert_extracts(env, 0);
        assert_int_equal(fstatat(env->target_fd, "rootfs/dev/null", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISCHR(st.st_mode));
        assert_int_equal(st.st_rdev, makedev(1, 3));
        assert_int_equal(st.st_mode & 07777, 0666);
        assert_int_equal(fstatat(env->target_fd, "rootfs/dev/loop9", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISBLK(st.st_mode));
        assert_int_equal(st.st_rdev, makedev(7, 9));
        assert_int_equal(st.st_mode & 07777, 0660);
        assert_int_equal(st.st_gid, 6);
        assert_int_equal(st.st_mtim.tv_sec, 999);
}

static void test_file_capabilities(void **state) {
        Env *env = *state;
        struct vfs_cap_data cap = {
                .magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE,
                .data = {{.permitted = 1u << CAP_NET_RAW}},
        };
        struct vfs_cap_data got = {};
        _cleanup_free_ char *p = join(env->target, "rootfs/bin/ping");
        struct stat st;

        if (geteuid() != 0) {
                print_message("# SKIP setting security.capability needs root\n");
                skip();
        }
        /* Owned by a non-root user: chown after the xattr would have dropped it. */
        write_tar(env, ENTS(MANIFEST, ROOTFS, DIR_("rootfs/bin"),
                            {.path = "rootfs/bin/ping",
                             .mode = S_IFREG | 0755,
                             .data = "ping",
                             .uid = 1000,
                             .gid = 1000,
                             .xattr = "security.capability",
                             .xattr_value = &cap,
                             .xattr_size = XATTR_CAPS_SZ_2}));
        assert_extracts(env, 0);
        assert_int_equal(getxattr(p, "security.capability", &got, sizeof(got)), XATTR_CAPS_SZ_2);
        assert_memory_equal(&got, &cap, XATTR_CAPS_SZ_2);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_uid, 1000);
}

static size_t count_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        size_t n = 0;

        assert_non_null(d);
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

static void test_no_fd_leaks(void **state) {
        Env *env = *state;
        size_t before = count_fds();
        _cleanup_error_ RktError *err = NULL;

        write_tar(env,
                  ENTS(MANIFEST, ROOTFS, DIR_("rootfs/a"), DIR_("rootfs/a/b"), FILE_("rootfs/a/b/c", "c"),
                       HARD_("rootfs/a/h", "rootfs/a/b/c"), DIR_("rootfs/d")));
        assert_extracts(env, 0);
        assert_int_equal(count_fds(), before);
        write_tar(env, ENTS(MANIFEST, ROOTFS, DIR_("rootfs/a"), FILE_("rootfs/a/x", "x"),
                            HARD_("rootfs/a/y", "/etc/passwd")));
        assert_true(extract(env, ACI_EXTRACT_OVERWRITE, NULL, NULL, &err) < 0);
        assert_int_equal(count_fds(), before);
}

/* The store reads the stream once, hashing it as it goes: the reader is its own. */
static void test_extract_archive_api(void **state) {
        Env *env = *state;
        _cleanup_(archive_read_freep) struct archive *a = archive_read_new();
        _cleanup_error_ RktError *err = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t n;

        write_tar_as(env->tar, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP,
                     ENTS(MANIFEST, ROOTFS, FILE_("rootfs/f", "from memory")));
        assert_int_equal(read_full_file_at(AT_FDCWD, env->tar, &buf, &n), 0);
        assert_non_null(a);
        assert_int_equal(archive_read_support_filter_gzip(a), ARCHIVE_OK);
        assert_int_equal(archive_read_support_format_tar(a), ARCHIVE_OK);
        assert_int_equal(archive_read_open_memory(a, buf, n), ARCHIVE_OK);
        assert_int_equal(aci_extract_archive(a, env->target_fd, ACI_EXTRACT_ROOTFS_ONLY, NULL, NULL, &err),
                         0);
        assert_file(env, "f", "from memory", 0644);
}

/* --- Docker/OCI layers --- */

static int extract_layer(Env *env, RktError **reterr) {
        _cleanup_close_ int fd = open(env->tar, O_RDONLY | O_CLOEXEC);

        assert_true(fd >= 0);
        return aci_extract_layer_fd(fd, env->target_fd, 0, reterr);
}

static void assert_layer_extracts(Env *env) {
        _cleanup_error_ RktError *err = NULL;
        int r = extract_layer(env, &err);

        if (r < 0)
                fail_msg("layer extraction failed: %s", rkt_error_message(err, r));
}

static bool exists_in(Env *env, const char *p) {
        return faccessat(env->target_fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The whiteouts of a layer hide what the layers below have, wherever they stand in the archive: the
 * opaque marker after the new file of its directory must not remove that file. */
static void test_layer_whiteouts(void **state) {
        Env *env = *state;

        write_tar(env, ENTS(DIR_("dir"), FILE_("dir/a", "a"), DIR_("dir/sub"), FILE_("dir/sub/x", "x"),
                            DIR_("etc"), FILE_("etc/gone", "1"), FILE_("etc/keep", "2"),
                            FILE_("etc/replaced", "old")));
        assert_layer_extracts(env);
        write_tar_keep(env,
                       ENTS(FILE_("dir/b", "b"), FILE_("dir/.wh..wh..opq", ""), FILE_("etc/.wh.gone", ""),
                            FILE_("etc/replaced", "new"), FILE_("etc/.wh.never-there", "")));
        assert_layer_extracts(env);
        assert_true(exists_in(env, "dir/b"));
        assert_false(exists_in(env, "dir/a"));
        assert_false(exists_in(env, "dir/sub"));
        assert_false(exists_in(env, "dir/.wh..wh..opq"));
        assert_true(exists_in(env, "etc/keep"));
        assert_false(exists_in(env, "etc/gone"));
        assert_false(exists_in(env, "etc/.wh.gone"));
        {
                _cleanup_free_ char *c = NULL;
                assert_int_equal(read_full_file_at(env->target_fd, "etc/replaced", &c, NULL), 0);
                assert_string_equal(c, "new");
        }
        /* A whole directory whited out, then made again by the same layer. */
        write_tar_keep(env, ENTS(FILE_(".wh.dir", ""), DIR_("dir"), FILE_("dir/c", "c")));
        assert_layer_extracts(env);
        assert_true(exists_in(env, "dir/c"));
        assert_false(exists_in(env, "dir/b"));
}

/* The layers of one image share one budget: the layer that takes the image over it fails in its first
 * (whiteout) pass, from the headers, before any of its files is written. */
static void test_layer_budget(void **state) {
        Env *env = *state;
        ImageBudget budget = {.limits = {.max_size = 10, .max_entries = 100}};
        _cleanup_error_ RktError *err = NULL;
        int fd;

        write_tar(env, ENTS(DIR_("etc"), FILE_("etc/a", "123456")));
        fd = open(env->tar, O_RDONLY | O_CLOEXEC);
        assert_int_equal(aci_extract_layer_fd_budget(fd, env->target_fd, 0, &budget, &err), 0);
        close(fd);
        assert_int_equal(budget.size, 6);
        assert_int_equal(budget.entries, 2);
        write_tar_keep(env, ENTS(FILE_("etc/.wh.a", ""), FILE_("etc/b", "12345")));
        fd = open(env->tar, O_RDONLY | O_CLOEXEC);
        assert_int_equal(aci_extract_layer_fd_budget(fd, env->target_fd, 0, &budget, &err), -EFBIG);
        close(fd);
        assert_non_null(strstr(rkt_error_message(err, -EFBIG), "more than the limit of 10B"));
        assert_false(exists_in(env, "etc/b"));
        err = rkt_error_free(err);
        /* Too many entries, however small. */
        budget = (ImageBudget){.limits = {.max_size = 1000, .max_entries = 2}};
        write_tar_keep(env, ENTS(FILE_("x", ""), FILE_("y", ""), FILE_("z", "")));
        fd = open(env->tar, O_RDONLY | O_CLOEXEC);
        assert_int_equal(aci_extract_layer_fd_budget(fd, env->target_fd, 0, &budget, &err), -EFBIG);
        close(fd);
        assert_non_null(strstr(rkt_error_message(err, -EFBIG), "more than 2 entries"));
        assert_false(exists_in(env, "x"));
}

/* A whiteout is hostile input like any entry: it removes nothing outside the target and never goes
 * through a symlink a lower layer planted. */
static void test_layer_whiteout_hostile(void **state) {
        Env *env = *state;
        _cleanup_error_ RktError *err = NULL;

        write_tar(env, ENTS(LINK_("out", env->dir), LINK_("up", "..")));
        assert_layer_extracts(env);
        write_tar_keep(env, ENTS(FILE_("out/.wh.victim", ""), FILE_("up/.wh.victim", ""),
                                 FILE_("out/.wh..wh..opq", "")));
        assert_layer_extracts(env);
        assert_int_equal(access(env->victim, F_OK), 0);
        assert_int_equal(access(env->sentinel, F_OK), 0);
        assert_true(exists_in(env, "out"));

        write_tar_keep(env, ENTS(FILE_("../.wh.victim", "")));
        assert_true(extract_layer(env, &err) < 0);
        assert_non_null(err);
        assert_int_equal(access(env->victim, F_OK), 0);
        err = rkt_error_free(err);
        write_tar_keep(env, ENTS(FILE_("etc/.wh...", "")));
        assert_int_equal(extract_layer(env, &err), -EINVAL);
        assert_non_null(strstr(err->message, "invalid whiteout"));
}

RUN_TESTS(T(test_layer_budget), T(test_layer_whiteouts), T(test_layer_whiteout_hostile),
          T(test_extract_image), T(test_extract_rootfs_only), T(test_filter),
          T(test_filter_hardlink_target_dropped), T(test_formats_and_compressions), T(test_duplicates),
          T(test_overwrite_existing), T(test_layout), T(test_long_paths), T(test_deep_tree),
          T(test_sparse_file), T(test_truncated), T(test_not_an_archive), T(test_device_nodes),
          T(test_file_capabilities), T(test_no_fd_leaks), T(test_extract_archive_api))
