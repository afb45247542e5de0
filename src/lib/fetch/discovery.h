/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "appc.h"
#include "error.h"
#include "http.h"

/* appc discovery: an image name (example.com/app) and labels become the URLs of its ACI and signature
 * through <meta name="ac-discovery" content="PREFIX TEMPLATE"> tags found at
 * https://example.com/app?ac-discovery=1, then at each parent of the name's path (example.com), until a page
 * yields an endpoint. Keys for `rkt trust` come the same way from "ac-discovery-pubkeys" tags. The pages
 * are untrusted input: the parser below is a bounded tokenizer that never fails on malformed HTML, it
 * only finds fewer tags. */

typedef struct DiscoveryMeta {
        char *name;   /* "ac-discovery", "ac-discovery-pubkeys", … (any "ac-" name) */
        char *prefix; /* the first word of content */
        char *uri;    /* the rest of content */
} DiscoveryMeta;

#define DISCOVERY_MAX_META 256

/* The "ac-*" meta tags of an HTML page, in document order (at most DISCOVERY_MAX_META). Comments,
 * <script>/<style> contents and other tags are skipped; attribute values are entity-decoded. */
int discovery_parse_meta(const char *html, size_t size, DiscoveryMeta **ret, size_t *ret_n);
void discovery_meta_free(DiscoveryMeta *m, size_t n);

/* Expands the {NAME} placeholders of tpl in one pass: "name" is name, "ext" is ext, anything else a label
 * ({version}, {os}, {arch}, …). Values are inserted as they are and never expanded again. -ENOENT when a
 * placeholder has no value (such a template does not apply). */
int discovery_render(const char *tpl, const char *name, const AppcKV *labels, size_t n_labels,
                     const char *ext, char **ret);

typedef struct DiscoveryEndpoint {
        char *aci;
        char *asc;
} DiscoveryEndpoint;

typedef struct DiscoveryResult {
        DiscoveryEndpoint *endpoints;
        size_t n_endpoints;
        char **pubkeys; /* NULL-terminated (NULL when none) */
        char *page;     /* the URL of the page that answered */
} DiscoveryResult;

void discovery_result_done(DiscoveryResult *r);

/* What one page's tags say for name + labels: endpoints from the "ac-discovery" tags whose prefix is a
 * prefix of name and whose template expands fully (the version label defaults to "latest"), keys from the
 * matching "ac-discovery-pubkeys" tags. Only http(s) URLs are kept. */
int discovery_from_meta(const DiscoveryMeta *m, size_t n, const char *name, const AppcKV *labels,
                        size_t n_labels, DiscoveryResult *ret);

typedef enum DiscoverWhat {
        DISCOVER_ENDPOINTS,
        DISCOVER_PUBKEYS,
} DiscoverWhat;

/* Fetches the discovery pages (https; http as well when allow_http, after https failed) walking up name's
 * path until one yields what is asked for. The error lists what each level answered. */
int discover(HttpClient *c, bool allow_http, const char *name, const AppcKV *labels, size_t n_labels,
             DiscoverWhat what, DiscoveryResult *ret, RktError **reterr);
