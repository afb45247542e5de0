/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "macro.h"

static inline bool path_is_absolute(const char *p) {
        return p && p[0] == '/';
}
/* Joins two components with exactly one '/'. */
char *path_join(const char *a, const char *b);
/* The directory part ("." for a bare name, "/" for "/x"). */
char *path_dirname(const char *p);
/* Makes p absolute against the working directory and removes "." / ".." / repeated slashes lexically
 * (symlinks are left alone). */
int path_make_absolute_cwd(const char *p, char **ret);
/* Lexical normalisation of a relative or absolute path; returns NULL for "..", which would climb above
 * the start (used to keep archive entries inside their root). */
char *path_normalize_inside(const char *p);
