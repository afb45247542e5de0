/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>

#include "fetch-internal.h"
#include "image-ref.h"
#include "strv.h"

FetchedImage *fetched_image_free(FetchedImage *fi) {
        if (!fi)
                return NULL;
        store_staged_free(fi->staged);
        remote_record_free(fi->remote);
        free(fi->cache_path);
        free(fi);
        return NULL;
}

void fetched_image_free_void(void *fi) {
        fetched_image_free(fi);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(FetchedImage *, fetched_image_free);

int fetch_graph_add(Fetch *f, const char *id, ssize_t parent, const char *dep_name, size_t *ret,
                    RktError **reterr) {
        _cleanup_(fetched_image_freep) FetchedImage *fi = NULL;
        ssize_t k = dependency_graph_find_id(&f->graph, id);
        const AppcImageManifest *m;
        int r;

        if (f->pending && streq(store_staged_id(f->pending->staged), id))
                fi = TAKE_PTR(f->pending);
        f->pending = fetched_image_free(f->pending);
        /* The same image found again (by another name, or downloaded again): the copy goes. */
        if (k >= 0) {
                *ret = (size_t) k;
                return 0;
        }
        if (!fi) {
                fi = calloc(1, sizeof(FetchedImage));
                if (!fi)
                        return -ENOMEM;
                r = store_manifest(f->s, id, &fi->manifest, reterr);
                if (r < 0)
                        return r;
        }
        m = fi->staged ? store_staged_manifest(fi->staged) : fi->manifest;
        r = dependency_graph_add(&f->graph, id, m, parent, dep_name, fi, ret);
        if (r < 0)
                return r;
        TAKE_PTR(fi);
        return 0;
}

/* A dependency in the store: by its imageID when it gives one, else by name and labels. */
static int lookup_dependency(Store *s, const AppcDependency *d, const char *os, const char *arch,
                             char **ret_id, RktError **reterr) {
        const ImageRef ref = {.name = d->image_name, .labels = d->labels, .n_labels = d->n_labels};
        _cleanup_error_ RktError *e = NULL;
        int r;

        if (!d->image_id)
                return store_find_by_name(s, &ref, os, arch, ret_id, NULL);
        r = store_resolve(s, d->image_id, ret_id, &e);
        if (r < 0 && r != -ENOENT)
                return rkt_error_set(reterr, r, "%s", rkt_error_message(e, r));
        return r;
}

/* Resolves dependency d of node parent to a node of f->graph, with a line for each image new to this
 * fetch (rkt 1.30's): one that is already a node is not looked for again. */
static int fetch_dependency(Fetch *f, size_t parent, const AppcDependency *d, RktError **reterr) {
        _cleanup_free_ AppcKV *labels = NULL;
        _cleanup_free_ char *id = NULL, *shown = NULL;
        const char *os = NULL, *arch = NULL;
        size_t n = 0, k;
        ssize_t seen;
        int r;

        (void) appc_host_os_arch(&os, &arch);
        r = lookup_dependency(f->s, d, os, arch, &id, reterr);
        if (r >= 0) {
                seen = dependency_graph_find_id(&f->graph, id);
                if (seen >= 0)
                        return dependency_graph_link(&f->graph, parent, (size_t) seen);
                shown = dependency_format(d);
                fetch_notice(f, FETCH_NOTICE_INFO, "using image from local store for image name %s",
                             shown ?: d->image_name);
        } else if (r != -ENOENT)
                return r;
        else {
                /* Staged by this fetch: in the store only once this fetch is done. */
                seen = dependency_graph_find(&f->graph, d, os, arch);
                if (seen >= 0)
                        return dependency_graph_link(&f->graph, parent, (size_t) seen);
                if (f->o->pull_policy == PULL_NEVER)
                        return rkt_error_set_hint(reterr, -ENOENT, RKT_HINT_PULL_NEVER, NULL,
                                                  "not in the store");
                r = dependency_labels(d, os, arch, &labels, &n);
                if (r >= 0)
                        r = fetch_discovered(f, d->image_name, labels, n, d->image_id, &id, reterr);
                if (r < 0)
                        return r;
        }
        r = fetch_check_image_id(d->image_id, id, reterr);
        if (r >= 0)
                r = fetch_graph_add(f, id, (ssize_t) parent, d->image_name, &k, reterr);
        if (r >= 0)
                r = dependency_graph_link(&f->graph, parent, k);
        return r;
}

int fetch_dependencies(Fetch *f, RktError **reterr) {
        /* The graph grows while it is walked: the dependencies found join its end. */
        for (size_t i = 0; i < f->graph.n; i++) {
                const AppcImageManifest *m = f->graph.nodes[i].m;
                int r = 0;

                if (m->n_dependencies > 0 && f->graph.nodes[i].level >= DEPENDENCY_DEPTH_MAX)
                        r = rkt_error_set(reterr, -ELOOP, "dependencies nest deeper than %d images",
                                          DEPENDENCY_DEPTH_MAX);
                for (size_t j = 0; r >= 0 && j < m->n_dependencies; j++) {
                        r = fetch_dependency(f, i, &m->dependencies[j], reterr);
                        if (r < 0)
                                r = rkt_error_prefix(reterr, r, "dependency '%s' of '%s'",
                                                     m->dependencies[j].image_name, m->name);
                }
                if (r < 0)
                        return dependency_graph_prefix(&f->graph, i, reterr, r);
        }
        return 0;
}

int fetch_publish(Fetch *f, RktError **reterr) {
        _cleanup_free_ size_t *order = NULL;
        size_t n = 0;
        int r;

        r = dependency_graph_order(&f->graph, &order, &n, reterr);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const DependencyNode *node = &f->graph.nodes[order[i]];
                FetchedImage *fi = node->data;
                bool created = false;

                if (!fi->staged)
                        continue;
                r = store_publish(f->s, fi->staged, &created, reterr);
                if (r < 0)
                        return r;
                if (created && strv_extend(&f->published, node->id) < 0)
                        return -ENOMEM;
                /* Each only spares work or sets a preference: a failure costs a download, a re-read or
                 * the choice among images of one name. */
                if (fi->remote)
                        (void) store_put_remote(f->s, fi->remote, NULL);
                if (fi->latest)
                        (void) store_set_latest(f->s, node->id, NULL);
                if (fi->cache_path)
                        (void) store_file_cache_save(f->s, fi->cache_path, &fi->cache_st, node->id);
        }
        return 0;
}
