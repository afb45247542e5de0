/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/types.h>

#include "appc.h"

/* Deep enough for any real image; a cycle the checks below cannot see (dependencies resolved to
 * different images of one name) stops here rather than looping. */
#define DEPENDENCY_DEPTH_MAX 32

/* The labels a dependency is looked up and discovered by: its own, plus os and arch defaulted to the
 * host's when it does not give them (as rkt 1.30 did). The strings are borrowed from d, os and arch; only
 * the array is the caller's to free. */
int dependency_labels(const AppcDependency *d, const char *os, const char *arch, AppcKV **ret,
                      size_t *ret_n);

/* One image on the path from the image being fetched down to the dependency being resolved. */
typedef struct DependencyLink {
        const char *id;
        const AppcImageManifest *m;
} DependencyLink;

/* The index of the image on chain that dependency d (wanted with labels) would be: by its imageID when it
 * gives one, else by name and labels; -1 when it is none of them. */
ssize_t dependency_cycle(const DependencyLink *chain, size_t n, const AppcDependency *d,
                         const AppcKV *labels, size_t n_labels);
/* "'a' -> 'b' -> 'a'": the names on chain from index from, then name. */
char *dependency_cycle_format(const DependencyLink *chain, size_t n, size_t from, const char *name);
