/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include "aci-extract.h"
#include "cleanup.h"
#include "unit.h"

/* What the tests of aci-extract share: archives written from a list of entries, a scratch target with a
 * sentinel and a victim outside it, and assertions on what the extraction left. */

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free);

/* One archive entry as the tests describe it. */
typedef struct Ent {
        const char *path;
        mode_t mode;      /* type and permission bits */
        const char *data; /* file content or symlink target */
        size_t size;      /* of data when it is not a string */
        const char *hardlink;
        uid_t uid;
        gid_t gid;
        time_t mtime;
        dev_t rdev;
        const char *xattr;
        const void *xattr_value;
        size_t xattr_size;
} Ent;

/* clang-format off */
#define MANIFEST { .path = "manifest", .mode = S_IFREG | 0644, .data = "{\"acKind\":\"ImageManifest\"}" }
#define ROOTFS { .path = "rootfs", .mode = S_IFDIR | 0755 }
#define DIR_(p) { .path = (p), .mode = S_IFDIR | 0755 }
#define FILE_(p, d) { .path = (p), .mode = S_IFREG | 0644, .data = (d) }
#define LINK_(p, t) { .path = (p), .mode = S_IFLNK | 0777, .data = (t) }
#define HARD_(p, t) { .path = (p), .mode = S_IFREG | 0644, .hardlink = (t) }
#define ENTS(...) (const Ent[]) { __VA_ARGS__ }, ELEMENTSOF(((const Ent[]) { __VA_ARGS__ }))
/* clang-format on */

typedef struct Env {
        char *dir;      /* everything of one test */
        char *target;   /* <dir>/target: the extraction target */
        char *sentinel; /* <dir>/sentinel: must stay empty whatever the archive says */
        char *victim;   /* <dir>/victim: a file outside the target hostile archives aim at */
        char *tar;      /* <dir>/image.aci */
        int target_fd;
} Env;

/* path_join() that cannot fail. */
char *join(const char *a, const char *b);
/* The fixture of every test: a fresh scratch directory, removed afterwards. */
int setup(void **state);
int teardown(void **state);
void reset_target(Env *env);
/* Archives: write_tar() empties the target first, write_tar_keep() keeps what it holds. */
void write_tar_as(const char *path, int format, int filter, const Ent *ents, size_t n);
void write_tar_keep(Env *env, const Ent *ents, size_t n);
void write_tar(Env *env, const Ent *ents, size_t n);
/* Extracting env->tar into the target, and what must hold then. */
int extract(Env *env, unsigned flags, AciEntryFilter filter, void *userdata, RktError **reterr);
void assert_extracts(Env *env, unsigned flags);
void assert_contained(Env *env);
void assert_fails_as(Env *env, unsigned flags, const char *message, bool prefix_only);
void assert_file(Env *env, const char *rel, const char *content, mode_t mode);
void assert_dir(Env *env, const char *rel, mode_t mode);
void assert_symlink(Env *env, const char *rel, const char *target);
void assert_absent(Env *env, const char *rel);
time_t mtime_of(Env *env, const char *rel);
bool user_xattrs_supported(const char *dir);

#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
