/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The extractor's state and the steps aci-extract.c (ACIs) and aci-layers.c (docker layers) share; nothing
 * else includes this. */

#include <archive.h>
#include <archive_entry.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "aci-extract.h"
#include "macro.h"

/* libarchive hands out data in blocks of the read size; large blocks keep the syscall count low on
 * 200 MB images. */
#define READ_BLOCK_SIZE (128U * 1024U)
/* Docker/OCI layer whiteouts (the OCI image spec's "whiteouts", AUFS style). */
#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"
/* Directory fds kept open along the path of the current entry; tar lists a directory's entries together,
 * so most entries resolve their parent without a syscall. Deeper levels are walked uncached. */
#define DIR_CACHE_MAX 64
/* Entry names in messages are cut here: a hostile name can be 4 KiB long. */
#define MESSAGE_NAME_MAX 256

typedef struct EntryPath {
        char *norm;  /* normalized: components joined by '/' ("" for the archive root) */
        char *split; /* a copy of norm with the '/' replaced by NUL; comps point into it */
        size_t size; /* allocated bytes of norm and of split */
        char **comps;
        size_t n_comps, comps_size;
} EntryPath;

typedef enum PathProblem {
        PATH_OK,
        PATH_ABSOLUTE,
        PATH_ESCAPES,
        PATH_DOTDOT,
        PATH_TOO_LONG,
        PATH_COMPONENT_TOO_LONG,
} PathProblem;

/* A directory whose final mode and times are applied after the last entry. */
typedef struct DirFixup {
        char *path; /* normalized archive path, for messages */
        size_t rel; /* offset of the path relative to the target in path */
        dev_t dev;
        ino_t ino;
        mode_t mode;
        struct timespec times[2];
        bool dead; /* removed or superseded */
} DirFixup;

/* The inodes this extraction created: a later entry may replace them (tar semantics) without
 * ACI_EXTRACT_OVERWRITE; for directories, the index of their fixup so duplicates merge. */
typedef struct InodeSlot {
        dev_t dev;
        ino_t ino;
        ssize_t fixup;
        bool used;
} InodeSlot;

typedef struct CachedDir {
        char *name;
        int fd;
} CachedDir;

typedef struct Extractor {
        struct archive *archive;
        int root_fd;
        unsigned flags;
        AciEntryFilter filter;
        void *userdata;
        RktError **reterr;
        bool is_root;    /* euid 0: device nodes */
        bool set_owners; /* euid 0 and not ACI_EXTRACT_NO_OWNERS */

        const char *raw; /* the current entry's name as the archive has it */
        size_t offset;   /* components of the archive path above the target: 1 for ROOTFS_ONLY */
        EntryPath path, link;

        CachedDir cache[DIR_CACHE_MAX];
        size_t n_cache;
        int deep_fd;

        ImageBudget *budget;              /* NULL: no limits */
        uint64_t pass_size, pass_entries; /* charged by this pass, on top of budget's */

        DirFixup *fixups;
        size_t n_fixups, fixups_size;
        InodeSlot *inodes;
        size_t n_inodes, inodes_size;
} Extractor;

void aci_cache_truncate(Extractor *x, size_t n);
void aci_extractor_done(Extractor *x);
/* "entry '<name>': <message>". */
int aci_entry_error(Extractor *x, int code, const char *fmt, ...) _printf_(3, 4);
/* Turns a libarchive failure into a message: first, while looking for the first header; in_data, while
 * reading an entry's data. */
int aci_archive_failure(Extractor *x, bool first, bool in_data);
/* Normalizes raw into p without touching the file system; any ".." is refused. */
int aci_extract_parse_path(EntryPath *p, const char *raw, PathProblem *ret_problem);
/* A borrowed fd of the directory comps[0..n) below the target, reusing the cached directories. */
int aci_extract_walk(Extractor *x, char **comps, size_t n, bool create, int *ret_fd, size_t *ret_failed);
/* The escaped archive path of p up to and including component i, for messages. */
char *aci_path_prefix(const EntryPath *p, size_t i);
/* Grows the array *p of *size elements of elem bytes to hold need of them. */
int aci_grow(void **p, size_t *size, size_t need, size_t elem);
/* Records st's inode as made by this extraction; NULL when out of memory. */
InodeSlot *aci_inode_add(Extractor *x, const struct stat *st);
/* Records the inode just created as name in dirfd; *ret_st is its stat. */
int aci_remember_at(Extractor *x, int dirfd, const char *name, struct stat *ret_st);
/* Resolves the parent of the current entry (target components comps[0..n-1)), creating it. */
int aci_open_parent(Extractor *x, char **comps, size_t n, int *ret_fd);
/* Makes room for the entry's name in parent_fd after EEXIST: 1 when an existing directory stays (dir),
 * 0 when the name is free now. */
int aci_prepare_slot(Extractor *x, int parent_fd, const char *name, bool dir);
/* The start of every entry: its name into x->raw, counted against the budget before anything of it is
 * written, and normalized into x->path (aci_extract_parse_path()). */
int aci_entry_begin(Extractor *x, struct archive_entry *e, PathProblem *ret_problem);
/* aci_extract_archive() charging budget (NULL: no limits). */
int aci_extract_archive_budget(struct archive *a, int target_dirfd, unsigned flags, AciEntryFilter filter,
                               void *userdata, ImageBudget *budget, RktError **reterr);
