/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/stat.h>

#include "fetch.h"
#include "http.h"
#include "image-deps.h"
#include "rkt-config.h"

/* An image of one fetch, the data of its node in Fetch.graph. */
typedef struct FetchedImage {
        StoreStaged *staged;               /* read and verified, not yet in the store; NULL: it was there */
        const AppcImageManifest *manifest; /* of an image that was in the store: the store's */
        /* What is recorded about a staged image once it is published: */
        RemoteRecord *remote; /* the URL it came from */
        bool latest;          /* discovered without a version */
        char *cache_path;     /* the local file it came from, as cache_st describes it */
        struct stat cache_st;
} FetchedImage;

/* The context of one fetch. */
typedef struct Fetch {
        Store *s;
        const FetchOptions *o;
        Keystore *ks; /* NULL: no signature is checked */
        RktConfig *config;
        HttpClient *http;
        /* The image asked for (node 0) and what it depends on, breadth first, as rkt 1.30 fetched them.
         * The images read in are staged: they enter the store together, each after what it needs. */
        DependencyGraph graph;
        FetchedImage *pending; /* staged by the last import, not yet a node of graph */
        char **published;      /* images this fetch added to the store: removed again if it fails */
        bool named_url; /* the image's URL is the user's own (rkt 1.30 fetched it even over plain http) */
} Fetch;

void fetch_notice(Fetch *f, FetchNoticeLevel level, const char *fmt, ...) _printf_(3, 4);

/* The image fetched, id, must be the one a dependency's imageID (want, a prefix; NULL: any) asks for. */
int fetch_check_image_id(const char *want, const char *id, RktError **reterr);
/* fetch.c: finds name with labels (os and arch included) by appc discovery and stages it (f->pending),
 * or returns the stored image the server said is unchanged. */
int fetch_discovered(Fetch *f, const char *name, const AppcKV *labels, size_t n, const char *image_id,
                     char **ret_id, RktError **reterr);

/* fetch-deps.c */
FetchedImage *fetched_image_free(FetchedImage *fi);
void fetched_image_free_void(void *fi);
/* Makes image id (staged in f->pending, or in the store) a node of f->graph, found as a dependency
 * named dep_name of node parent (-1: the image asked for); the node it already is, if any. */
int fetch_graph_add(Fetch *f, const char *id, ssize_t parent, const char *dep_name, size_t *ret,
                    RktError **reterr);
/* Resolves the dependencies of the nodes of f->graph, breadth first (rkt 1.30's fetchImageDeps), each
 * from the store when it is there, else from this fetch's images, else by appc discovery. */
int fetch_dependencies(Fetch *f, RktError **reterr);
/* Adds the staged images to the store, each after those it depends on (a cycle is refused first). */
int fetch_publish(Fetch *f, RktError **reterr);
