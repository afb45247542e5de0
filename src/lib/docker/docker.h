/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

#include "appc.h"
#include "error.h"
#include "fetch.h"
#include "http.h"
#include "rkt-config.h"
#include "store.h"

/* Docker and OCI images from registries (Docker Registry HTTP API v2), converted to one ACI as rkt 1.30
 * did through docker2aci. The pure parts (references, manifests, image configs, challenges) are here and
 * unit-tested; the registry client and the conversion are in docker-fetch.c. */

#define DOCKER_HUB_REGISTRY "registry-1.docker.io"
/* Docker Hub's token server: part of Docker Hub, it gets Docker Hub's dockerAuth credentials */
#define DOCKER_HUB_TOKEN_HOST "auth.docker.io"

#define DOCKER_MEDIA_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define DOCKER_MEDIA_MANIFEST_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define OCI_MEDIA_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_MEDIA_INDEX "application/vnd.oci.image.index.v1+json"

/* docker://[REGISTRY/]NAME[:TAG|@sha256:DIGEST] (also "docker:…"). */
typedef struct DockerRef {
        char *registry;   /* host[:port]; Docker Hub is "registry-1.docker.io" */
        char *repository; /* "library/busybox" for Docker Hub's one-component names */
        char *tag;        /* "latest" unless given; NULL with a digest */
        char *digest;     /* "sha256:<64 hex>", or NULL */
} DockerRef;

int docker_ref_parse(const char *s, DockerRef *ret, RktError **reterr);
void docker_ref_done(DockerRef *r);
/* The canonical form, "docker://REGISTRY/REPO:TAG" or "…@DIGEST": what the store remembers. */
char *docker_ref_canonical(const DockerRef *r);
/* The ACI name docker2aci gave: REGISTRY/REPO, sanitized to an AC identifier ("127.0.0.1:5000/a" becomes
 * "127.0.0.1_5000/a"). */
int docker_ref_image_name(const DockerRef *r, char **ret);

typedef struct DockerPlatform {
        char *os, *architecture, *variant;
} DockerPlatform;

typedef struct DockerDescriptor {
        char *media_type;
        char *digest; /* "sha256:<64 hex>" */
        uint64_t size;
        DockerPlatform platform; /* in manifest lists only */
} DockerDescriptor;

typedef struct DockerManifest {
        bool is_list; /* a manifest list / OCI index: manifests[] is set, config and layers are not */
        DockerDescriptor config;
        DockerDescriptor *layers;
        size_t n_layers;
        DockerDescriptor *manifests;
        size_t n_manifests;
        /* the document as read, for docker_manifest_parse() */
        unsigned schema_version;
        char *media_type;
        bool has_config, has_layers, has_manifests;
} DockerManifest;

/* Parses an image manifest (Docker schema 2, OCI) or a manifest list (Docker, OCI index). The kind comes
 * from the document's mediaType, else from content_type. Schema 1 manifests, foreign layers and unknown
 * media types are refused with a message naming them. */
int docker_manifest_parse(const char *json, size_t size, const char *content_type, DockerManifest **ret,
                          RktError **reterr);
DockerManifest *docker_manifest_free(DockerManifest *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(DockerManifest *, docker_manifest_free);
/* The entry of a manifest list for the appc os/arch (as appc_host_os_arch() names them). */
int docker_manifest_pick(const DockerManifest *list, const char *os, const char *arch,
                         const DockerDescriptor **ret, RktError **reterr);

/* The ACI manifest for an image config, as docker2aci wrote it: name from docker_ref_image_name(),
 * labels version (the tag), os, arch; the app's exec (Entrypoint + Cmd), user and group (User; "0"
 * when unset, the user's value for the group when only the user is given), workingDirectory,
 * environment (Env), ports (ExposedPorts, named "80-tcp"); annotations appc.io/docker/{registryurl,
 * repository, imageid, manifesthash, entrypoint, cmd}, created and author. */
int docker_config_to_manifest(const char *json, size_t size, const DockerRef *ref, const char *config_digest,
                              const char *manifest_digest, AppcImageManifest **ret, RktError **reterr);

/* The token of a token server's answer, {"token": "…"} or {"access_token": "…"} (one without a token, or
 * with control characters in it, is refused). The caller wipes it. */
int docker_token_parse(const char *json, size_t size, char **ret, RktError **reterr);

/* A WWW-Authenticate challenge: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */
typedef struct DockerChallenge {
        char *scheme; /* lowercase: "bearer", "basic" */
        char *realm, *service, *scope;
} DockerChallenge;

int docker_challenge_parse(const char *header, DockerChallenge *ret);
void docker_challenge_done(DockerChallenge *c);

/* Whether the token server on realm_host (lowercase; an IPv6 literal in brackets) is the registry's own,
 * so that the registry's dockerAuth credentials may go to it: the registry's host, on any port, or
 * Docker Hub's token server for Docker Hub. */
bool docker_realm_is_registry_host(const char *registry, const char *realm_host);

/* True for "sha256:" + 64 lowercase hex. */
bool docker_digest_valid(const char *d);

/* The fetch: pulls ref from its registry (credentials from config's dockerAuth entries; plain http as
 * http allows it), verifies every blob's sha256, caches layers by digest in the store, squashes the
 * layers into one ACI and imports it. PULL_NEW and PULL_NEVER use what the store remembers for the
 * reference; PULL_UPDATE asks the registry and reuses the stored image when the manifest is unchanged. */
int docker_fetch(Store *s, HttpClient *http, const RktConfig *config, const FetchOptions *o,
                 const char *image, char **ret_id, RktError **reterr);
