/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/xattr.h>

#include "aci-extract-env.h"
#include "fs.h"
#include "path.h"

char *join(const char *a, const char *b) {
        char *r = path_join(a, b);
        assert_non_null(r);
        return r;
}

int setup(void **state) {
        char t[] = "/tmp/rkt-test-aci-extract-XXXXXX";
        Env *env = calloc(1, sizeof(Env));

        assert_non_null(env);
        assert_non_null(mkdtemp(t));
        env->dir = strdup(t);
        env->target = join(t, "target");
        env->sentinel = join(t, "sentinel");
        env->victim = join(t, "victim");
        env->tar = join(t, "image.aci");
        assert_int_equal(mkdir(env->target, 0755), 0);
        assert_int_equal(mkdir(env->sentinel, 0755), 0);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, env->victim, "secret", 6, 0644), 0);
        env->target_fd = open(env->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(env->target_fd >= 0);
        *state = env;
        return 0;
}

static int make_writable(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        if (type == FTW_D || type == FTW_DNR)
                (void) chmod(path, 0700);
        return 0;
}

/* Images have read-only directories; only root removes their children without this. */
static void remove_tree(const char *path) {
        if (geteuid() != 0)
                assert_int_equal(nftw(path, make_writable, 16, FTW_PHYS), 0);
        assert_int_equal(rm_rf_at(AT_FDCWD, path), 0);
}

int teardown(void **state) {
        Env *env = *state;

        safe_close(env->target_fd);
        remove_tree(env->dir);
        free(env->dir);
        free(env->target);
        free(env->sentinel);
        free(env->victim);
        free(env->tar);
        free(env);
        return 0;
}

/* A fresh, empty target (for tests that extract several archives). */
void reset_target(Env *env) {
        safe_close(env->target_fd);
        remove_tree(env->target);
        assert_int_equal(mkdir(env->target, 0755), 0);
        env->target_fd = open(env->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(env->target_fd >= 0);
}

static void add_entry(struct archive *a, const Ent *ent) {
        _cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();
        size_t size = ent->size ?: (ent->data ? strlen(ent->data) : 0);

        assert_non_null(e);
        archive_entry_set_pathname(e, ent->path);
        archive_entry_set_mode(e, ent->mode);
        archive_entry_set_uid(e, ent->uid);
        archive_entry_set_gid(e, ent->gid);
        archive_entry_set_mtime(e, ent->mtime ?: 1500000000, 0);
        if (ent->xattr)
                archive_entry_xattr_add_entry(e, ent->xattr, ent->xattr_value, ent->xattr_size);
        if (ent->hardlink) {
                archive_entry_set_hardlink(e, ent->hardlink);
                size = 0;
        } else if (S_ISLNK(ent->mode)) {
                archive_entry_set_symlink(e, ent->data);
                size = 0;
        } else if (S_ISCHR(ent->mode) || S_ISBLK(ent->mode))
                archive_entry_set_rdev(e, ent->rdev);
        if (!S_ISREG(ent->mode))
                size = 0;
        archive_entry_set_size(e, size);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (size > 0)
                assert_int_equal(archive_write_data(a, ent->data, size), (ssize_t) size);
}

void write_tar_as(const char *path, int format, int filter, const Ent *ents, size_t n) {
        _cleanup_(archive_write_freep) struct archive *a = archive_write_new();

        assert_non_null(a);
        assert_int_equal(archive_write_set_format(a, format), ARCHIVE_OK);
        assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
        assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
        for (size_t i = 0; i < n; i++)
                add_entry(a, &ents[i]);
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
}

/* Writes the archive, keeping what the target holds. */
void write_tar_keep(Env *env, const Ent *ents, size_t n) {
        write_tar_as(env->tar, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE, ents, n);
}

/* Writes the archive and empties the target. */
void write_tar(Env *env, const Ent *ents, size_t n) {
        reset_target(env);
        write_tar_keep(env, ents, n);
}

int extract(Env *env, unsigned flags, AciEntryFilter filter, void *userdata, RktError **reterr) {
        _cleanup_close_ int fd = open(env->tar, O_RDONLY | O_CLOEXEC);

        assert_true(fd >= 0);
        return aci_extract_fd(fd, env->target_fd, flags, filter, userdata, reterr);
}

void assert_extracts(Env *env, unsigned flags) {
        _cleanup_error_ RktError *err = NULL;
        int r = extract(env, flags, NULL, NULL, &err);

        if (r < 0)
                fail_msg("extraction failed: %s", rkt_error_message(err, r));
        assert_null(err);
}

static bool dir_is_empty(const char *path) {
        DIR *d = opendir(path);
        struct dirent *de;
        bool empty = true;

        assert_non_null(d);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        empty = false;
        closedir(d);
        return empty;
}

/* Nothing reached outside the target: the sentinel is empty, the victim untouched and unlinked. */
void assert_contained(Env *env) {
        _cleanup_free_ char *buf = NULL;
        struct stat st;

        assert_true(dir_is_empty(env->sentinel));
        assert_int_equal(lstat(env->victim, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_nlink, 1);
        assert_int_equal(st.st_mode & 07777, 0644);
        assert_int_equal(read_full_file_at(AT_FDCWD, env->victim, &buf, NULL), 0);
        assert_string_equal(buf, "secret");
}

/* Extraction fails with exactly message (or, with prefix_only, a message starting with it). */
void assert_fails_as(Env *env, unsigned flags, const char *message, bool prefix_only) {
        _cleanup_error_ RktError *err = NULL;
        int r = extract(env, flags, NULL, NULL, &err);

        assert_true(r < 0);
        assert_non_null(err);
        assert_int_equal(err->code, r);
        assert_non_null(err->message);
        assert_null(strchr(err->message, '\n'));
        if (prefix_only ? !startswith(err->message, message) : !streq(err->message, message))
                fail_msg("expected '%s'%s, got '%s'", message, prefix_only ? "…" : "", err->message);
        assert_contained(env);
}

void assert_file(Env *env, const char *rel, const char *content, mode_t mode) {
        _cleanup_free_ char *buf = NULL;
        struct stat st;

        assert_int_equal(fstatat(env->target_fd, rel, &st, AT_SYMLINK_NOFOLLOW), 0);
        if (!S_ISREG(st.st_mode))
                fail_msg("'%s' is not a regular file (mode 0%o)", rel, st.st_mode);
        if ((st.st_mode & 07777) != mode)
                fail_msg("'%s' has mode 0%o, expected 0%o", rel, st.st_mode & 07777, mode);
        assert_int_equal(read_full_file_at(env->target_fd, rel, &buf, NULL), 0);
        assert_string_equal(buf, content);
}

void assert_dir(Env *env, const char *rel, mode_t mode) {
        struct stat st;

        assert_int_equal(fstatat(env->target_fd, rel, &st, AT_SYMLINK_NOFOLLOW), 0);
        if (!S_ISDIR(st.st_mode))
                fail_msg("'%s' is not a directory (mode 0%o)", rel, st.st_mode);
        if ((st.st_mode & 07777) != mode)
                fail_msg("'%s' has mode 0%o, expected 0%o", rel, st.st_mode & 07777, mode);
}

void assert_symlink(Env *env, const char *rel, const char *target) {
        char buf[PATH_MAX];
        ssize_t n = readlinkat(env->target_fd, rel, buf, sizeof(buf) - 1);

        assert_true(n >= 0);
        buf[n] = 0;
        assert_string_equal(buf, target);
}

void assert_absent(Env *env, const char *rel) {
        struct stat st;

        if (fstatat(env->target_fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0)
                fail_msg("'%s' exists", rel);
        assert_int_equal(errno, ENOENT);
}

time_t mtime_of(Env *env, const char *rel) {
        struct stat st;

        assert_int_equal(fstatat(env->target_fd, rel, &st, AT_SYMLINK_NOFOLLOW), 0);
        return st.st_mtim.tv_sec;
}

bool user_xattrs_supported(const char *dir) {
        _cleanup_free_ char *p = join(dir, "xattr-probe");
        bool ok;

        assert_int_equal(write_file_atomic_at(AT_FDCWD, p, "", 0, 0644), 0);
        ok = setxattr(p, "user.probe", "1", 1, 0) == 0;
        assert_int_equal(unlink(p), 0);
        return ok;
}
