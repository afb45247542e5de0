/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/types.h>

/* Writes tar archives for tests, good and hostile, with libarchive. Failures abort the test. */
typedef struct TarBuilder TarBuilder;

/* filter: an ARCHIVE_FILTER_* code (ARCHIVE_FILTER_NONE, _GZIP, _BZIP2, _XZ, _ZSTD). */
TarBuilder *tar_builder_new(const char *path, int filter);
void tar_builder_file(TarBuilder *b, const char *name, const char *content, mode_t mode);
void tar_builder_dir(TarBuilder *b, const char *name, mode_t mode);
void tar_builder_symlink(TarBuilder *b, const char *name, const char *target);
void tar_builder_hardlink(TarBuilder *b, const char *name, const char *target);
void tar_builder_close(TarBuilder *b);

/* A minimal valid image manifest for name (static buffer). */
const char *test_manifest(const char *name);
/* Writes an ACI with manifest for name and the given rootfs files ("path=content", NULL-terminated). */
void write_test_aci(const char *path, int filter, const char *name, const char *const *files);
