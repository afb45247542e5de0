/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "cli.h"
#include "net-info.h"
#include "pod.h"

/* What the pod verbs (list, status, stop, rm, gc, cat-manifest, enter) share. Errors are logged here. */

/* Finds the pod uuid (a UUID or an unambiguous prefix); logs "<what>: <cause>" when that fails. */
int pod_open_logged(const CliArgs *a, const char *uuid, const char *what, Pod **ret);

/* The UUIDs a verb works on: read from --uuid-file, or the arguments (at least one; at most one unless
 * many). --uuid-file with arguments is refused, unless file_wins: then the file names the pod and the
 * arguments are ignored with a warning (rkt 1.30's cat-manifest). Returns 0, -EINVAL after logging a usage
 * error, or -EIO after logging that the file could not be read (rkt 1.30's status and stop exit 1 then, rm
 * and cat-manifest 254). */
int pod_uuids_from_args(const CliArgs *a, const char *uuid_file, bool many, bool file_wins, char ***ret);

/* The pod manifest, parsed leniently (list and status show what they can). -ENOENT/-EBADMSG. */
int pod_manifest_json(const Pod *p, json_object **ret);
/* Whether the manifest can be expected in this state (not while preparing or being deleted). */
bool pod_manifest_available(const Pod *p);
/* apps[i].name, or NULL. */
const char *pod_manifest_app_name(json_object *manifest, size_t i);
size_t pod_manifest_n_apps(json_object *manifest);

/* net-info.json of a running or exited pod: none without the file (--net=host), and none with a warning
 * naming the file and the field when it is damaged. */
typedef struct PodNets {
        NetInfo *nets;
        size_t n;
} PodNets;
PodNets pod_nets(const Pod *p);
void pod_nets_done(PodNets *n);
/* "default:ip4=172.16.28.7, other:ip4=…" as rkt list and status print networks. */
char *pod_nets_string(const PodNets *n);

/* The pod as rkt's api/v1 Pod JSON object (what list and status print with --format=json). */
json_object *pod_api_json(const Pod *p, json_object *manifest, const PodNets *nets);

/* Runs the stage1 entrypoint named by annotation with args (argv[1]…, NULL-terminated), cwd = the pod
 * directory, and waits for it: the file from the pod's stage1 tree in the store, never from the pod
 * (stage1-exec.h), with no fd but stdio. stdout_to_null: rkt 1.30 discards gc's stdout. Returns its exit
 * status (0…255), or a negative errno after logging. */
int pod_run_entrypoint(const Pod *p, const char *annotation, char *const *args, bool stdout_to_null);

/* Deletes a pod that is locked by us and in exited garbage or garbage: stage1 gc (for pods that ran),
 * leftover mounts, then the directory. Logs and returns 0 or a negative errno. */
int pod_delete(const CliArgs *a, Pod *p);

/* Go's time.Duration.String(): "30m0s", "24h0m0s", "1.5s", "250ms", "0s". */
char *format_go_duration(uint64_t usec);
