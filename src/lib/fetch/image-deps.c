/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>

#include "image-deps.h"
#include "util.h"

int dependency_labels(const AppcDependency *d, const char *os, const char *arch, AppcKV **ret,
                      size_t *ret_n) {
        AppcKV *l = calloc(d->n_labels + 2, sizeof(AppcKV));
        size_t n = 0;

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < d->n_labels; i++)
                l[n++] = d->labels[i];
        if (!appc_kv_get(d->labels, d->n_labels, "os"))
                l[n++] = (AppcKV){.name = (char *) "os", .value = (char *) os};
        if (!appc_kv_get(d->labels, d->n_labels, "arch"))
                l[n++] = (AppcKV){.name = (char *) "arch", .value = (char *) arch};
        *ret = l;
        *ret_n = n;
        return 0;
}

static unsigned label_rank(const char *name) {
        static const char *const ranked[] = {"version", "os", "arch"};

        for (unsigned i = 0; i < ELEMENTSOF(ranked); i++)
                if (streq(name, ranked[i]))
                        return i;
        return ELEMENTSOF(ranked);
}

static int label_cmp(const void *a, const void *b) {
        const AppcKV *x = *(const AppcKV *const *) a, *y = *(const AppcKV *const *) b;
        unsigned rx = label_rank(x->name), ry = label_rank(y->name);

        return rx != ry ? (rx < ry ? -1 : 1) : strcmp(x->name, y->name);
}

char *dependency_format(const AppcDependency *d) {
        _cleanup_free_ const AppcKV **sorted = calloc(d->n_labels + 1, sizeof(AppcKV *));
        const char *version = appc_kv_get(d->labels, d->n_labels, "version");
        char *s = NULL;
        size_t size = 0;
        FILE *f;

        if (!sorted)
                return NULL;
        for (size_t i = 0; i < d->n_labels; i++)
                sorted[i] = &d->labels[i];
        qsort(sorted, d->n_labels, sizeof(*sorted), label_cmp);
        f = open_memstream(&s, &size);
        if (!f)
                return NULL;
        fputs(d->image_name, f);
        if (version)
                fprintf(f, ":%s", version);
        for (size_t i = 0; i < d->n_labels; i++)
                if (!streq(sorted[i]->name, "version"))
                        fprintf(f, ",%s=%s", sorted[i]->name, sorted[i]->value);
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

int dependency_graph_add(DependencyGraph *g, const char *id, const AppcImageManifest *m, ssize_t parent,
                         const char *dep_name, void *data, size_t *ret) {
        DependencyNode *nodes = realloc(g->nodes, sizeof(DependencyNode) * (g->n + 1));
        DependencyNode *n;

        if (!nodes)
                return -ENOMEM;
        g->nodes = nodes;
        n = &g->nodes[g->n];
        *n = (DependencyNode){.m = m, .parent = parent, .data = data};
        n->id = strdup(id);
        n->dep_name = dep_name ? strdup(dep_name) : NULL;
        if (!n->id || (dep_name && !n->dep_name)) {
                free(n->id);
                free(n->dep_name);
                return -ENOMEM;
        }
        if (parent >= 0)
                n->level = g->nodes[parent].level + 1;
        *ret = g->n++;
        return 0;
}

ssize_t dependency_graph_find_id(const DependencyGraph *g, const char *id) {
        for (size_t i = 0; i < g->n; i++)
                if (streq(g->nodes[i].id, id))
                        return (ssize_t) i;
        return -1;
}

static bool label_defaults_to(const AppcImageManifest *m, const AppcDependency *d, const char *name,
                              const char *value) {
        const char *v = appc_kv_get(m->labels, m->n_labels, name);

        return appc_kv_get(d->labels, d->n_labels, name) || !v || !value || streq(v, value);
}

static bool node_satisfies(const DependencyNode *n, const AppcDependency *d, const char *os,
                           const char *arch) {
        if (d->image_id)
                return startswith(n->id, d->image_id);
        if (!streq(n->m->name, d->image_name))
                return false;
        for (size_t i = 0; i < d->n_labels; i++) {
                const char *v = appc_kv_get(n->m->labels, n->m->n_labels, d->labels[i].name);
                if (!v || !streq(v, d->labels[i].value))
                        return false;
        }
        return label_defaults_to(n->m, d, "os", os) && label_defaults_to(n->m, d, "arch", arch);
}

ssize_t dependency_graph_find(const DependencyGraph *g, const AppcDependency *d, const char *os,
                              const char *arch) {
        for (size_t i = 0; i < g->n; i++)
                if (node_satisfies(&g->nodes[i], d, os, arch))
                        return (ssize_t) i;
        return -1;
}

int dependency_graph_link(DependencyGraph *g, size_t from, size_t to) {
        DependencyNode *n = &g->nodes[from];
        size_t *deps = realloc(n->deps, sizeof(size_t) * (n->n_deps + 1));

        if (!deps)
                return -ENOMEM;
        n->deps = deps;
        n->deps[n->n_deps++] = to;
        return 0;
}

enum { UNSEEN, ON_PATH, DONE };

typedef struct OrderWalk {
        const DependencyGraph *g;
        unsigned char *state;
        size_t path[DEPENDENCY_DEPTH_MAX];
        size_t depth;
        size_t *order;
        size_t n_order;
} OrderWalk;

static int cycle_error(const OrderWalk *w, size_t v, RktError **reterr) {
        _cleanup_free_ char *s = NULL;
        size_t size = 0, from = 0;
        FILE *f = open_memstream(&s, &size);

        if (!f)
                return -ENOMEM;
        while (w->path[from] != v)
                from++;
        for (size_t i = from; i < w->depth; i++)
                fprintf(f, "'%s' -> ", w->g->nodes[w->path[i]].m->name);
        fprintf(f, "'%s'", w->g->nodes[v].m->name);
        if (fclose(f) != 0)
                return -ENOMEM;
        return rkt_error_set(reterr, -ELOOP, "dependency cycle: %s", s);
}

/* Depth first, each node after its dependencies; a node is on the path while its own are walked. */
static int order_visit(OrderWalk *w, size_t v, RktError **reterr) {
        const DependencyNode *n = &w->g->nodes[v];
        int r;

        if (w->state[v] == DONE)
                return 0;
        if (w->state[v] == ON_PATH)
                return cycle_error(w, v, reterr);
        if (n->n_deps > 0) {
                if (w->depth >= DEPENDENCY_DEPTH_MAX)
                        return rkt_error_set(reterr, -ELOOP, "dependencies nest deeper than %d images",
                                             DEPENDENCY_DEPTH_MAX);
                w->state[v] = ON_PATH;
                w->path[w->depth++] = v;
                for (size_t i = 0; i < n->n_deps; i++) {
                        r = order_visit(w, n->deps[i], reterr);
                        if (r < 0)
                                return r;
                }
                w->depth--;
        }
        w->state[v] = DONE;
        w->order[w->n_order++] = v;
        return 0;
}

int dependency_graph_order(const DependencyGraph *g, size_t **ret, size_t *ret_n, RktError **reterr) {
        _cleanup_free_ unsigned char *state = calloc(g->n ?: 1, 1);
        _cleanup_free_ size_t *order = calloc(g->n ?: 1, sizeof(size_t));
        OrderWalk w = {.g = g};
        int r;

        if (!state || !order)
                return -ENOMEM;
        w.state = state;
        w.order = order;
        if (g->n > 0) {
                r = order_visit(&w, 0, reterr);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(order);
        *ret_n = w.n_order;
        return 0;
}

int dependency_graph_prefix(const DependencyGraph *g, size_t k, RktError **reterr, int r) {
        for (const DependencyNode *n = &g->nodes[k]; n->parent >= 0; n = &g->nodes[n->parent])
                r = rkt_error_prefix(reterr, r, "dependency '%s' of '%s'", n->dep_name,
                                     g->nodes[n->parent].m->name);
        return r;
}

void dependency_graph_done(DependencyGraph *g, void (*free_data)(void *)) {
        for (size_t i = 0; i < g->n; i++) {
                free(g->nodes[i].id);
                free(g->nodes[i].deps);
                free(g->nodes[i].dep_name);
                if (free_data)
                        free_data(g->nodes[i].data);
        }
        free(g->nodes);
        *g = (DependencyGraph){};
}
