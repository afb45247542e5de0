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

static bool link_satisfies(const DependencyLink *link, const AppcDependency *d, const AppcKV *labels,
                           size_t n_labels) {
        if (d->image_id)
                return startswith(link->id, d->image_id);
        if (!streq(link->m->name, d->image_name))
                return false;
        for (size_t i = 0; i < n_labels; i++) {
                const char *v = appc_kv_get(link->m->labels, link->m->n_labels, labels[i].name);
                if (!v || !streq(v, labels[i].value))
                        return false;
        }
        return true;
}

ssize_t dependency_cycle(const DependencyLink *chain, size_t n, const AppcDependency *d,
                         const AppcKV *labels, size_t n_labels) {
        for (size_t i = 0; i < n; i++)
                if (link_satisfies(&chain[i], d, labels, n_labels))
                        return (ssize_t) i;
        return -1;
}

char *dependency_cycle_format(const DependencyLink *chain, size_t n, size_t from, const char *name) {
        char *s = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&s, &size);

        if (!f)
                return NULL;
        for (size_t i = from; i < n; i++)
                fprintf(f, "'%s' -> ", chain[i].m->name);
        fprintf(f, "'%s'", name);
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}
