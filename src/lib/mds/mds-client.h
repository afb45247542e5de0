/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Registering pods with the metadata service (`rkt metadata-service`), for stage0: `rkt run
 * --mds-register` registers a pod before its apps start, `rkt gc` unregisters it.
 *
 * The protocol is rkt 1.30's, plain HTTP/1.1 over the unix socket MDS_SOCKET_PATH
 * (/run/rkt/metadata-svc.sock, mode 0600 root: only root registers):
 *
 *   PUT /pods/UUID?token=TOKEN&ip=IP     Content-Type: application/json; body: the pod manifest
 *       200 registered (a pod already registered under UUID is replaced, its apps forgotten)
 *       400 bad UUID, token, ip or manifest (the body says which); 409 TOKEN belongs to another pod
 *   PUT /pods/UUID/APP                   Content-Type: application/json; body: the image manifest of APP
 *       200; 400 bad name or manifest, or APP is not an app of the pod manifest; 404 UUID not registered
 *   DELETE /pods/UUID
 *       200; 404 not registered
 *
 * UUID in any form appc's NewUUID reads (32 hex digits once '-' are removed). TOKEN: 1 to 256 characters
 * of [A-Za-z0-9._~-]; mds_token_new() makes 128 random bits as 32 hex digits, as rkt did (the appc spec
 * asks for at least 128 bits and that the token not be the UUID). IP is optional and only recorded: like
 * rkt 1.30, the service tells pods apart by token alone. Errors come with a text/plain reason.
 *
 * Apps then reach the public side at AC_METADATA_URL=http://HOST:18112/TOKEN, HOST being an address of
 * the host that the pod can reach (the host end of its network), under /acMetadata/v1 (see mds.h).
 *
 * The pod directory keeps a marker, MDS_REGISTERED_FILE, once registration succeeded, so that gc
 * unregisters exactly the pods that were registered (rkt's "mds-registered"). */

#include <stddef.h>

#include "error.h"
#include "mds.h"

#define MDS_REGISTERED_FILE "mds-registered"

typedef struct MdsAppManifest {
        const char *name;     /* the app's name in the pod manifest */
        const char *manifest; /* its image manifest, JSON */
        size_t size;
} MdsAppManifest;

/* 128 random bits as 32 lower-case hex digits. */
int mds_token_new(char **ret);

/* socket_path NULL: MDS_SOCKET_PATH. Registers the pod, then each app; when an app fails the pod is
 * unregistered again. Errors: -ECONNREFUSED when no service listens there (no socket, or nobody behind it;
 * the message says how to start one), -EINVAL/-EEXIST/-ENOENT/-EIO after a 400/409/404/other answer, with
 * the service's reason. */
int mds_register_pod(const char *socket_path, const char *uuid, const char *pod_manifest,
                     size_t pod_manifest_size, const char *token, const char *ip, const MdsAppManifest *apps,
                     size_t n_apps, RktError **reterr);
/* -ENOENT when the service does not know the pod (404), -ECONNREFUSED when there is no service. */
int mds_unregister_pod(const char *socket_path, const char *uuid, RktError **reterr);

/* The same for a prepared pod directory: reads its pod manifest ("pod") and each app's image manifest
 * (stage1/rootfs/opt/stage2/APP/manifest), registers them and then writes MDS_REGISTERED_FILE. */
int mds_register_pod_at(int pod_dirfd, const char *socket_path, const char *uuid, const char *token,
                        const char *ip, RktError **reterr);
/* Unregisters the pod when its directory holds MDS_REGISTERED_FILE; 0 when it does not, or when the
 * service no longer knows the pod (it restarted). A service that cannot be reached is an error. */
int mds_unregister_pod_at(int pod_dirfd, const char *socket_path, const char *uuid, RktError **reterr);
