/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>

#include "aci-extract-env.h"
#include "path.h"

/* Hostile archives: entries that aim outside the target, write through what an earlier entry planted, or
 * name themselves to fool a terminal. The extraction refuses them and nothing outside the target changes. */

static void test_reject_dotdot(void **state) {
        Env *env = *state;
        static const struct {
                const char *path, *message;
        } cases[] = {
                {"rootfs/../../sentinel/x", "entry 'rootfs/../../sentinel/x': path escapes the image root"},
                {"../sentinel/x", "entry '../sentinel/x': path escapes the image root"},
                {"rootfs/a/../../..", "entry 'rootfs/a/../../..': path escapes the image root"},
                {"./rootfs/./../../sentinel",
                 "entry './rootfs/./../../sentinel': path escapes the image root"},
                {"rootfs/a/../b", "entry 'rootfs/a/../b': path contains a '..' component"},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                write_tar(env, ENTS(MANIFEST, ROOTFS, DIR_("rootfs/a"), FILE_(cases[i].path, "pwned")));
                assert_fails_as(env, 0, cases[i].message, false);
                assert_fails_as(env, ACI_EXTRACT_ROOTFS_ONLY | ACI_EXTRACT_OVERWRITE, cases[i].message,
                                false);
        }
}

static void test_reject_absolute(void **state) {
        Env *env = *state;
        _cleanup_free_ char *abs = join(env->sentinel, "x"), *expected = NULL;

        write_tar(env, ENTS(MANIFEST, ROOTFS, FILE_(abs, "pwned")));
        assert_true(asprintf(&expected, "entry '%s': absolute path", abs) > 0);
        assert_fails_as(env, 0, expected, false);

        write_tar(env, ENTS(MANIFEST, DIR_("/rootfs"), FILE_("/rootfs/etc", "pwned")));
        assert_fails_as(env, ACI_EXTRACT_ROOTFS_ONLY, "entry '/rootfs/': absolute path", false);
}

static void test_reject_write_through_symlink(void **state) {
        Env *env = *state;
        struct stat st;

        /* A symlink out of the image, then an entry through it. */
        write_tar(env, ENTS(MANIFEST, ROOTFS, LINK_("rootfs/x", env->sentinel),
                            FILE_("rootfs/x/passwd", "pwned")));
        assert_fails_as(env, 0, "entry 'rootfs/x/passwd': parent 'rootfs/x' is a symlink", false);

        /* The same through a directory entry, and one level deeper. */
        write_tar(env, ENTS(MANIFEST, ROOTFS, LINK_("rootfs/x", env->sentinel), DIR_("rootfs/x/etc"),
                            FILE_("rootfs/x/etc/passwd", "pwned")));
        assert_fails_as(env, 0, "entry 'rootfs/x/etc/': parent 'rootfs/x' is a symlink", false);

        /* With OVERWRITE the symlink is replaced by a directory, never followed. */
        write_tar(env, ENTS(MANIFEST, ROOTFS, LINK_("rootfs/x", env->sentinel),
                            FILE_("rootfs/x/passwd", "kept")));
        assert_extracts(env, ACI_EXTRACT_OVERWRITE);
        assert_dir(env, "rootfs/x", 0755);
        assert_file(env, "rootfs/x/passwd", "kept", 0644);
        assert_contained(env);

        /* A regular file in a parent position. */
        write_tar(env, ENTS(MANIFEST, ROOTFS, FILE_("rootfs/f", "f"), FILE_("rootfs/f/g", "g")));
        assert_fails_as(env, 0, "entry 'rootfs/f/g': parent 'rootfs/f' is not a directory", false);

        /* A pre-existing symlink in the target is not followed either. */
        write_tar(env, ENTS(MANIFEST, FILE_("rootfs/passwd", "pwned")));
        assert_int_equal(symlinkat(env->sentinel, env->target_fd, "rootfs"), 0);
        assert_fails_as(env, 0, "entry 'rootfs/passwd': parent 'rootfs' is a symlink", false);
        assert_int_equal(fstatat(env->target_fd, "rootfs", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISLNK(st.st_mode));
}

static void test_reject_symlink_to_parent(void **state) {
        Env *env = *state;

        /* rootfs/up -> ../.. is the directory holding target and sentinel. */
        write_tar(env, ENTS(MANIFEST, ROOTFS, LINK_("rootfs/up", "../.."),
                            FILE_("rootfs/up/sentinel/x", "pwned")));
        assert_fails_as(env, 0, "entry 'rootfs/up/sentinel/x': parent 'rootfs/up' is a symlink", false);

        write_tar(env, ENTS(MANIFEST, ROOTFS, DIR_("rootfs/d"), LINK_("rootfs/d/self", "."),
                            LINK_("rootfs/d/parent", ".."), FILE_("rootfs/d/self/f", "x")));
        assert_fails_as(env, 0, "entry 'rootfs/d/self/f': parent 'rootfs/d/self' is a symlink", false);

        write_tar(env, ENTS(MANIFEST, ROOTFS, DIR_("rootfs/d"), LINK_("rootfs/d/parent", "../../.."),
                            HARD_("rootfs/h", "rootfs/d/parent/victim")));
        assert_fails_as(env, 0,
                        "entry 'rootfs/h': hardlink target 'rootfs/d/parent/victim': parent "
                        "'rootfs/d/parent' is a symlink",
                        false);

        /* The symlink itself is fine: it is only data. */
        write_tar(env, ENTS(MANIFEST, ROOTFS, LINK_("rootfs/up", "../..")));
        assert_extracts(env, 0);
        assert_symlink(env, "rootfs/up", "../..");
}

static void test_reject_hardlink_outside(void **state) {
        Env *env = *state;
        _cleanup_free_ char *expected = NULL, *victim_dir = NULL;

        write_tar(env, ENTS(MANIFEST, ROOTFS, HARD_("rootfs/l", "/etc/shadow")));
        assert_fails_as(env, 0, "entry 'rootfs/l': hardlink target '/etc/shadow' is outside the image",
                        false);

        write_tar(env, ENTS(MANIFEST, ROOTFS, HARD_("rootfs/l", env->victim)));
        assert_true(asprintf(&expected, "entry 'rootfs/l': hardlink target '%s' is outside the image",
                             env->victim) > 0);
        assert_fails_as(env, 0, expected, false);

        write_tar(env, ENTS(MANIFEST, ROOTFS, HARD_("rootfs/l", "rootfs/../../victim")));
        assert_fails_as(env, 0,
                        "entry 'rootfs/l': hardlink target 'rootfs/../../victim' is outside the image",
                        false);
        write_tar(env, ENTS(MANIFEST, ROOTFS, HARD_("rootfs/l", "../victim")));
        assert_fails_as(env, ACI_EXTRACT_ROOTFS_ONLY,
                        "entry 'rootfs/l': hardlink target '../victim' is outside the image", false);

        /* Inside the archive but not below rootfs/. */
        write_tar(env, ENTS(MANIFEST, ROOTFS, HARD_("rootfs/l", "manifest")));
        assert_fails_as(env, 0, "entry 'rootfs/l': hardlink target 'manifest' is outside the image's rootfs",
                        false);

        /* Through a symlinked parent. */
        victim_dir = path_dirname(env->victim);
        write_tar(env, ENTS(MANIFEST, ROOTFS, LINK_("rootfs/s", victim_dir),
                            HARD_("rootfs/l", "rootfs/s/victim")));
        assert_fails_as(
                env, 0,
                "entry 'rootfs/l': hardlink target 'rootfs/s/victim': parent 'rootfs/s' is a symlink",
                false);

        /* Missing, or a directory. */
        write_tar(env, ENTS(MANIFEST, ROOTFS, HARD_("rootfs/l", "rootfs/nothing")));
        assert_fails_as(env, 0, "entry 'rootfs/l': hardlink target 'rootfs/nothing' does not exist", false);
        write_tar(env, ENTS(MANIFEST, ROOTFS, DIR_("rootfs/d"), HARD_("rootfs/l", "rootfs/d")));
        assert_fails_as(env, 0, "entry 'rootfs/l': hardlink target 'rootfs/d' is a directory", false);
}

static void test_hardlink_to_symlink_is_not_followed(void **state) {
        Env *env = *state;
        struct stat a, b;

        write_tar(env,
                  ENTS(MANIFEST, ROOTFS, LINK_("rootfs/s", env->victim), HARD_("rootfs/l", "rootfs/s")));
        assert_extracts(env, 0);
        /* l is the symlink inode itself, not the file it points to. */
        assert_int_equal(fstatat(env->target_fd, "rootfs/s", &a, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(fstatat(env->target_fd, "rootfs/l", &b, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISLNK(b.st_mode));
        assert_int_equal(a.st_ino, b.st_ino);
        assert_symlink(env, "rootfs/l", env->victim);
        assert_contained(env);
}

static void test_hostile_names_are_escaped(void **state) {
        Env *env = *state;

        write_tar(env, ENTS(MANIFEST, ROOTFS, FILE_("/\x1b[2J\nfake: ok\\", "x")));
        assert_fails_as(env, 0, "entry '/\\x1b[2J\\x0afake: ok\\x5c': absolute path", false);
}

RUN_TESTS(T(test_reject_dotdot), T(test_reject_absolute), T(test_reject_write_through_symlink),
          T(test_reject_symlink_to_parent), T(test_reject_hardlink_outside),
          T(test_hardlink_to_symlink_is_not_followed), T(test_hostile_names_are_escaped))
