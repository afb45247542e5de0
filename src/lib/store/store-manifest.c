/* SPDX-License-Identifier: Apache-2.0 */
/* The images' manifests, read from the store and parsed once per store handle. A `rkt run` looks at each
 * image's manifest several times (to resolve its dependencies, to check its os and arch, to make the pod
 * manifest, to render it, to copy it into the pod); an image's manifest never changes, the image ID being
 * the digest of the image that carries it. */
#include <stdlib.h>

#include "store.h"
#include "store-internal.h"

struct StoreManifest {
        char *id;
        char *text; /* as the store holds it */
        size_t size;
        AppcImageManifest *m; /* NULL until a caller needs it parsed */
};

static void entry_done(StoreManifest *e) {
        free(e->id);
        free(e->text);
        appc_image_manifest_free(e->m);
}

void store_manifests_free(Store *s) {
        for (size_t i = 0; i < s->n_manifests; i++)
                entry_done(&s->manifests[i]);
        s->manifests = mfree(s->manifests);
        s->n_manifests = 0;
}

static StoreManifest *find(Store *s, const char *id) {
        for (size_t i = 0; i < s->n_manifests; i++)
                if (streq(s->manifests[i].id, id))
                        return &s->manifests[i];
        return NULL;
}

/* A new entry for id, holding nothing yet; NULL when out of memory. */
static StoreManifest *append(Store *s, const char *id) {
        _cleanup_free_ char *copy = strdup(id);
        StoreManifest *n = copy ? realloc(s->manifests, sizeof(*n) * (s->n_manifests + 1)) : NULL;

        if (!n)
                return NULL;
        s->manifests = n;
        n = &s->manifests[s->n_manifests++];
        *n = (StoreManifest){.id = TAKE_PTR(copy)};
        return n;
}

/* The entry of id; the store's bytes are read once, with store_read_manifest()'s checks and errors. */
static int entry(Store *s, const char *id, StoreManifest **ret, RktError **reterr) {
        _cleanup_free_ char *text = NULL;
        StoreManifest *e = find(s, id);
        size_t size;
        int r;

        if (!e) {
                r = store_read_manifest(s, id, &text, &size, reterr);
                if (r < 0)
                        return r;
                e = append(s, id);
                if (!e)
                        return -ENOMEM;
                e->text = TAKE_PTR(text);
                e->size = size;
        }
        *ret = e;
        return 0;
}

int store_manifest_text(Store *s, const char *id, const char **ret, size_t *ret_size, RktError **reterr) {
        StoreManifest *e;
        int r = entry(s, id, &e, reterr);

        if (r < 0)
                return r;
        *ret = e->text;
        *ret_size = e->size;
        return 0;
}

/* A manifest that does not parse is not kept parsed: each caller gets the parser's error. */
static int parsed(Store *s, const char *id, bool name_image, const AppcImageManifest **ret,
                  RktError **reterr) {
        StoreManifest *e;
        int r = entry(s, id, &e, reterr);

        if (r < 0)
                return r;
        if (!e->m) {
                r = appc_image_manifest_parse(e->text, e->size, &e->m, reterr);
                if (r < 0)
                        return name_image ? rkt_error_prefix(reterr, r, "the manifest of image '%s'", id)
                                          : r;
        }
        *ret = e->m;
        return 0;
}

int store_manifest(Store *s, const char *id, const AppcImageManifest **ret, RktError **reterr) {
        return parsed(s, id, false, ret, reterr);
}

int store_read_manifest_parsed(Store *s, const char *id, const AppcImageManifest **ret, RktError **reterr) {
        return parsed(s, id, true, ret, reterr);
}

void store_manifest_forget(Store *s, const char *id) {
        StoreManifest *e = find(s, id);

        if (!e)
                return;
        entry_done(e);
        *e = s->manifests[--s->n_manifests];
}

int store_manifest_keep(Store *s, const char *id, char **text, size_t size, AppcImageManifest *m) {
        StoreManifest *e;

        if (find(s, id))
                return 0;
        e = append(s, id);
        if (!e)
                return -ENOMEM;
        e->text = TAKE_PTR(*text);
        e->size = size;
        e->m = m;
        return 1;
}
