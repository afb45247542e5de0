/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/types.h>

#include "appc.h"
#include "error.h"

/* Deep enough for any real image; a chain of different images of one name, which a server can make up
 * without end, stops here. */
#define DEPENDENCY_DEPTH_MAX 32

/* The labels a dependency is looked up and discovered by: its own, plus os and arch defaulted to the
 * host's when it does not give them (as rkt 1.30 did). The strings are borrowed from d, os and arch; only
 * the array is the caller's to free. */
int dependency_labels(const AppcDependency *d, const char *os, const char *arch, AppcKV **ret,
                      size_t *ret_n);
/* How rkt 1.30 named a dependency in what it printed: "example.com/b:1.0,label=value" (the version after
 * the name, then the other labels the dependency gives, os and arch first). */
char *dependency_format(const AppcDependency *d);

/* The images of one fetch: node 0 is the image asked for, the others were found as dependencies, in the
 * order they were found. */
typedef struct DependencyNode {
        char *id;
        const AppcImageManifest *m; /* borrowed: data owns it */
        size_t *deps;               /* the nodes its dependencies resolved to, in the manifest's order */
        size_t n_deps;
        ssize_t parent; /* the node it was first found as a dependency of; -1 for node 0 */
        char *dep_name; /* the name it was wanted by there */
        unsigned level; /* parent's + 1 */
        void *data;     /* the caller's */
} DependencyNode;

typedef struct DependencyGraph {
        DependencyNode *nodes;
        size_t n;
} DependencyGraph;

int dependency_graph_add(DependencyGraph *g, const char *id, const AppcImageManifest *m, ssize_t parent,
                         const char *dep_name, void *data, size_t *ret);
ssize_t dependency_graph_find_id(const DependencyGraph *g, const char *id);
/* The node that dependency d names: by its imageID (a prefix) when it gives one, else by name and its
 * labels; os and arch, when d does not give them, must be these unless the image has no such label (as
 * the store's lookup by name). -1 when none is. */
ssize_t dependency_graph_find(const DependencyGraph *g, const AppcDependency *d, const char *os,
                              const char *arch);
int dependency_graph_link(DependencyGraph *g, size_t from, size_t to);
/* Every node reachable from node 0, each after all those it depends on: the order in which they can be
 * added to the store one by one, none before what it needs. A cycle, or a chain of more than
 * DEPENDENCY_DEPTH_MAX images that have dependencies, is refused (-ELOOP). */
int dependency_graph_order(const DependencyGraph *g, size_t **ret, size_t *ret_n, RktError **reterr);
/* "dependency 'b' of 'a': dependency 'c' of 'b'": how node k was reached from node 0. */
int dependency_graph_prefix(const DependencyGraph *g, size_t k, RktError **reterr, int r);
void dependency_graph_done(DependencyGraph *g, void (*free_data)(void *));
