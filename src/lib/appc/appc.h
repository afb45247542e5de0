/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The App Container (appc) 0.8.11 schema: image and pod manifests as C structs, their validation and their
 * JSON form.
 *
 * What is accepted follows the reference Go package (github.com/appc/spec/schema, v0.8.11), so that every
 * manifest the reference accepts can be fetched, listed and run. It is stricter where the spec text says
 * MUST/required and the Go code forgot to check, and where a looser value could never work in rkt:
 *   - pod manifests: acVersion, apps[].name, apps[].image.id, apps[].mounts[].{volume,path} are required;
 *   - app ports: name and protocol are required; mountPoints: name and path are required;
 *   - label, annotation, environment and isolator names must be set;
 *   - image IDs are "sha512-" and 1 to 128 lower-case hex digits (a prefix is resolved by the store);
 *   - pathWhitelist entries must be absolute paths;
 *   - supplementaryGIDs and volume uid/gid must fit a 32-bit id; hostPort must be 0..65535;
 *   - the JSON must be strict RFC 8259 JSON in valid UTF-8.
 * It is looser than the Go code in one place, as the spec allows and rkt needs: isolators with names this
 * file does not know are kept (as raw JSON) in apps too, where appc 0.8.11 rejects them ("invalid
 * isolator"). os/linux/apparmor-profile (added to the spec after 0.8.11) is known and validated.
 *
 * As in the Go code, app.exec need not be an absolute path (the spec defines a PATH search) and may be
 * empty; mount point paths are not required to be absolute; AC Names and Identifiers may contain runs of
 * separators ("a--b"), which the Go validator accepts although the spec's regular expression does not.
 * JSON object keys match case-insensitively (ASCII only), as Go's encoding/json does; the spec's own example
 * spells "supplementaryGids". Unknown object keys are dropped, as the reference does when it re-encodes;
 * the store keeps the original manifest bytes.
 *
 * Parsed strings are never NULL where the schema requires a value; optional strings are NULL when absent.
 * Arrays are (pointer, n_) pairs; string lists are NULL-terminated strv (NULL when empty). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "macro.h"
#include "name-value.h"

#define APPC_IMAGE_ID_PREFIX "sha512-"
#define APPC_IMAGE_ID_HEX_LEN 128

/* labels, annotations, environment, userAnnotations, userLabels, sysctl entries */
typedef NameValue AppcKV;

typedef enum AppcIsolatorType {
        APPC_ISOLATOR_UNKNOWN = 0, /* kept as raw JSON, not interpreted */
        APPC_ISOLATOR_RESOURCE_CPU,
        APPC_ISOLATOR_RESOURCE_MEMORY,
        APPC_ISOLATOR_RESOURCE_BLOCK_BANDWIDTH,
        APPC_ISOLATOR_RESOURCE_BLOCK_IOPS,
        APPC_ISOLATOR_RESOURCE_NETWORK_BANDWIDTH,
        APPC_ISOLATOR_CAPABILITIES_RETAIN_SET,
        APPC_ISOLATOR_CAPABILITIES_REMOVE_SET,
        APPC_ISOLATOR_NO_NEW_PRIVILEGES,
        APPC_ISOLATOR_SECCOMP_RETAIN_SET,
        APPC_ISOLATOR_SECCOMP_REMOVE_SET,
        APPC_ISOLATOR_OOM_SCORE_ADJ,
        APPC_ISOLATOR_CPU_SHARES,
        APPC_ISOLATOR_SELINUX_CONTEXT,
        APPC_ISOLATOR_APPARMOR_PROFILE,
        APPC_ISOLATOR_UNIX_SYSCTL,
        _APPC_ISOLATOR_TYPE_MAX,
} AppcIsolatorType;

typedef struct AppcIsolator {
        char *name;
        /* The value as compact JSON ("null" when absent); this is what is serialized. */
        char *value_json;
        AppcIsolatorType type;
        /* The interpreted value, by type. Strings are NULL when not given. */
        union {
                struct {
                        bool is_default;
                        char *request; /* resource quantities as written, e.g. "500m", "1Gi" */
                        char *limit;
                } resource;  /* the resource/... isolators */
                char **caps; /* capabilities-*-set: e.g. "CAP_NET_ADMIN", as written */
                bool no_new_privileges;
                struct {
                        char **set;       /* syscall names, "@group" wildcards */
                        char *errno_name; /* e.g. "EPERM", NULL when not given */
                } seccomp;
                int oom_score_adj;
                int cpu_shares;
                struct {
                        char *user, *role, *type, *level;
                } selinux;
                char *apparmor_profile;
                struct {
                        AppcKV *entries; /* sorted by name */
                        size_t n_entries;
                } sysctl;
        };
} AppcIsolator;

typedef struct AppcEventHandler {
        char *name; /* "pre-start" or "post-stop" */
        char **exec;
} AppcEventHandler;

typedef struct AppcMountPoint {
        char *name; /* AC Name */
        char *path;
        bool read_only;
} AppcMountPoint;

typedef struct AppcPort {
        char *name; /* AC Name */
        char *protocol;
        unsigned port;  /* 1..65535 */
        unsigned count; /* >= 1; a range port .. port+count-1 */
        bool socket_activated;
} AppcPort;

typedef struct AppcApp {
        char **exec; /* NULL when empty */
        char *user;
        char *group;
        uint32_t *supplementary_gids;
        size_t n_supplementary_gids;
        AppcEventHandler *event_handlers;
        size_t n_event_handlers;
        char *working_directory; /* NULL when not given (the spec's default is "/") */
        AppcKV *environment;
        size_t n_environment;
        AppcIsolator *isolators;
        size_t n_isolators;
        AppcMountPoint *mount_points;
        size_t n_mount_points;
        AppcPort *ports;
        size_t n_ports;
        AppcKV *user_annotations; /* sorted by name */
        size_t n_user_annotations;
        AppcKV *user_labels; /* sorted by name */
        size_t n_user_labels;
} AppcApp;

typedef struct AppcDependency {
        char *image_name; /* AC Identifier */
        char *image_id;   /* NULL when not given */
        AppcKV *labels;
        size_t n_labels;
        uint64_t size; /* 0 when not given */
} AppcDependency;

typedef struct AppcImageManifest {
        char *ac_version;
        char *name; /* AC Identifier */
        AppcKV *labels;
        size_t n_labels;
        AppcApp *app; /* NULL when the image has no app */
        AppcDependency *dependencies;
        size_t n_dependencies;
        char **path_whitelist; /* NULL when empty */
        AppcKV *annotations;
        size_t n_annotations;
} AppcImageManifest;

/* A boolean that may be absent. */
typedef enum AppcOptBool {
        APPC_UNSET = -1,
        APPC_FALSE = 0,
        APPC_TRUE = 1,
} AppcOptBool;

typedef enum AppcVolumeKind {
        _APPC_VOLUME_KIND_INVALID = -1,
        APPC_VOLUME_HOST,
        APPC_VOLUME_EMPTY,
} AppcVolumeKind;

typedef struct AppcVolume {
        char *name; /* AC Name */
        AppcVolumeKind kind;
        char *source; /* host: an absolute path; empty: NULL */
        AppcOptBool read_only;
        AppcOptBool recursive;
        /* empty volumes only (parsing fills the defaults "0755", 0, 0); host volumes: mode NULL */
        char *mode;
        uint32_t uid;
        uint32_t gid;
} AppcVolume;

typedef struct AppcMount {
        char *volume; /* AC Name */
        char *path;
        AppcVolume *app_volume; /* NULL when not given */
} AppcMount;

typedef struct AppcRuntimeImage {
        char *name; /* NULL when not given */
        char *id;
        AppcKV *labels;
        size_t n_labels;
} AppcRuntimeImage;

typedef struct AppcRuntimeApp {
        char *name; /* AC Name, unique in the pod */
        AppcRuntimeImage image;
        AppcApp *app; /* NULL: the image's app applies */
        bool read_only_root_fs;
        AppcMount *mounts;
        size_t n_mounts;
        AppcKV *annotations;
        size_t n_annotations;
} AppcRuntimeApp;

typedef struct AppcExposedPort {
        char *name; /* AC Name */
        unsigned host_port;
        char *host_ip;      /* NULL when not given; an IPv4 or IPv6 address as written */
        AppcPort *pod_port; /* NULL when not given */
} AppcExposedPort;

typedef struct AppcPodManifest {
        char *ac_version;
        AppcRuntimeApp *apps;
        size_t n_apps;
        AppcVolume *volumes;
        size_t n_volumes;
        AppcIsolator *isolators;
        size_t n_isolators;
        AppcKV *annotations;
        size_t n_annotations;
        AppcExposedPort *ports;
        size_t n_ports;
        AppcKV *user_annotations; /* sorted by name */
        size_t n_user_annotations;
        AppcKV *user_labels; /* sorted by name */
        size_t n_user_labels;
} AppcPodManifest;

/* --- names and value formats (pure functions) --- */

/* AC Identifier: lower-case letters, digits and "-._~/", starting and ending with a letter or digit. */
bool appc_ac_identifier_valid(const char *s);
/* AC Name: lower-case letters, digits and "-", starting and ending with a letter or digit. */
bool appc_ac_name_valid(const char *s);
/* As appc's SanitizeACName: lower-cases ASCII, replaces every other invalid character (a whole UTF-8
 * sequence counts as one) with '-', and strips leading and trailing '-'. -EINVAL when nothing is left. */
int appc_sanitize_ac_name(const char *s, char **ret);
/* The same for AC Identifiers ('_' as replacement, "-._~/" stripped from the edges). */
int appc_sanitize_ac_identifier(const char *s, char **ret);
/* Environment variable names: [A-Za-z_][A-Za-z0-9_.-]* */
bool appc_env_name_valid(const char *s);
/* MAJOR.MINOR.PATCH[-PRERELEASE][+METADATA] as coreos/go-semver parses it; "0.0.0" is refused. */
bool appc_semver_valid(const char *s);
/* "sha512-" and lower-case hex: exactly 128 digits when full, else 1 to 128 (an ID prefix). */
bool appc_image_id_valid(const char *s, bool full);
/* os (and arch, may be NULL) against appc's table of supported combinations. */
bool appc_os_arch_valid(const char *os, const char *arch);
/* The appc os/arch label values of the machine this was built for; -EOPNOTSUPP when appc has none. */
int appc_host_os_arch(const char **ret_os, const char **ret_arch);
/* Kubernetes-style resource quantities ("500m", "1.5Gi", "2e3", "128974848"). */
bool appc_quantity_valid(const char *s);
/* The value rounded up to an integer, in units or in thousandths; -EINVAL (bad format), -ERANGE. */
int appc_quantity_value(const char *s, int64_t *ret);
int appc_quantity_milli_value(const char *s, int64_t *ret);
/* RFC 3339 date-time, as Go's time.Parse(time.RFC3339) accepts it (the "created" annotation). */
bool appc_date_valid(const char *s);
/* An http or https URL (the "homepage" and "documentation" annotations). */
bool appc_url_valid(const char *s);

/* --- manifests --- */

/* Parses and validates. The error names the field, e.g. "app.exec[0]: must be a string" or
 * "labels[2].name 'Foo!': not a valid AC Identifier (...)". -EINVAL for an invalid manifest. */
int appc_image_manifest_parse(const char *json, size_t size, AppcImageManifest **ret, RktError **reterr);
/* An image manifest with acVersion set to the spec version this implements and nothing else (name, which
 * is required, is the caller's to set). */
AppcImageManifest *appc_image_manifest_new(void);
/* Validates (the same rules as parsing) and serializes: compact, or indented with tabs as rkt's
 * cat-manifest --pretty-print. Field order and names follow the reference encoder. */
int appc_image_manifest_to_json(const AppcImageManifest *m, char **ret_json, RktError **reterr);
int appc_image_manifest_to_json_pretty(const AppcImageManifest *m, char **ret_json, RktError **reterr);
int appc_image_manifest_validate(const AppcImageManifest *m, RktError **reterr);
bool appc_image_manifest_equal(const AppcImageManifest *a, const AppcImageManifest *b);
AppcImageManifest *appc_image_manifest_free(AppcImageManifest *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(AppcImageManifest *, appc_image_manifest_free);

int appc_pod_manifest_parse(const char *json, size_t size, AppcPodManifest **ret, RktError **reterr);
/* The pod-level volumes, isolators, annotations and ports are always written, as [] when empty: the ACE
 * validator compares a pod without annotations against "[]" and fails otherwise. */
int appc_pod_manifest_to_json(const AppcPodManifest *m, char **ret_json, RktError **reterr);
int appc_pod_manifest_to_json_pretty(const AppcPodManifest *m, char **ret_json, RktError **reterr);
int appc_pod_manifest_validate(const AppcPodManifest *m, RktError **reterr);
bool appc_pod_manifest_equal(const AppcPodManifest *a, const AppcPodManifest *b);
AppcPodManifest *appc_pod_manifest_free(AppcPodManifest *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(AppcPodManifest *, appc_pod_manifest_free);

/* Reads just acKind of a manifest ("ImageManifest", "PodManifest", …) into a new string. */
int appc_manifest_kind(const char *json, size_t size, char **ret_kind, RktError **reterr);

/* --- lookups --- */

/* The value of the first entry called name, or NULL. */
const char *appc_kv_get(const AppcKV *kv, size_t n, const char *name);
/* Replaces the value of the entry called name in place, or appends one (appc's Annotations.Set). */
int appc_kv_set(AppcKV **kv, size_t *n, const char *name, const char *value);
/* The last isolator called name (as appc's GetByName), or NULL. */
const AppcIsolator *appc_isolator_get(const AppcIsolator *isolators, size_t n, const char *name);
const char *appc_isolator_type_to_name(AppcIsolatorType t);
AppcIsolatorType appc_isolator_type_from_name(const char *name);
const AppcRuntimeApp *appc_pod_manifest_get_app(const AppcPodManifest *m, const char *name);
const AppcVolume *appc_pod_manifest_get_volume(const AppcPodManifest *m, const char *name);
const char *appc_volume_kind_to_string(AppcVolumeKind k);

/* --- building --- */

/* Parses value_json, checks it against the schema of the isolator called name, and appends it.
 * -EINVAL with a message naming the problem. */
int appc_isolators_add(AppcIsolator **isolators, size_t *n, const char *name, const char *value_json,
                       RktError **reterr);

/* Removes every isolator called name. */
void appc_isolators_remove(AppcIsolator **isolators, size_t *n, const char *name);

AppcApp *appc_app_new(void);
int appc_app_copy(const AppcApp *a, AppcApp **ret);
int appc_app_validate(const AppcApp *a, RktError **reterr);
bool appc_app_equal(const AppcApp *a, const AppcApp *b);
AppcApp *appc_app_free(AppcApp *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(AppcApp *, appc_app_free);

/* Parses rkt's --volume syntax, "NAME,kind=host,source=/x,readOnly=true,recursive=false" or
 * "NAME,kind=empty,mode=0700,uid=1,gid=1", filling the defaults of empty volumes, and validates it. */
int appc_volume_from_string(const char *s, AppcVolume *ret, RktError **reterr);
int appc_volume_copy(const AppcVolume *v, AppcVolume *ret);
void appc_volume_done(AppcVolume *v);

/* A pod manifest with acVersion set to the spec version this implements and nothing else. */
AppcPodManifest *appc_pod_manifest_new(void);
/* Fills a runtime app (image labels, mounts and annotations can be added to it afterwards); app, when
 * not NULL, is deep-copied. -ENOMEM only. */
int appc_runtime_app_init(AppcRuntimeApp *ra, const char *name, const char *image_id, const char *image_name,
                          const AppcApp *app);
int appc_runtime_app_add_mount(AppcRuntimeApp *ra, const char *volume, const char *path);
void appc_runtime_app_done(AppcRuntimeApp *ra);
/* Validates ra (including the uniqueness of its name in the pod) and moves it into the pod: on success
 * *ra is emptied, on failure it is left alone. */
int appc_pod_manifest_add_app(AppcPodManifest *m, AppcRuntimeApp *ra, RktError **reterr);
/* Validates v (and the uniqueness of its name) and appends a copy. */
int appc_pod_manifest_add_volume(AppcPodManifest *m, const AppcVolume *v, RktError **reterr);
int appc_pod_manifest_add_port(AppcPodManifest *m, const char *name, unsigned host_port, const char *host_ip,
                               RktError **reterr);
