/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "appc.h"
#include "error.h"

/* What the command line says about one app of a pod: its image and the flags that followed it. */
typedef struct AppSpec {
        const char *image;                 /* as the user wrote it, for messages */
        const char *image_id;              /* resolved */
        const AppcImageManifest *manifest; /* the image's, the store's: valid while the store is open */
        const char *name;                  /* --name */
        const char *exec;                  /* --exec: replaces the image's exec */
        char **args;                       /* after "--": appended to the exec */
        const char *user, *group;          /* --user, --group */
        const char *working_dir;           /* --working-dir */
        const char *signature;             /* --signature: the image's signature file (stage0 only) */
        const char *supplementary_gids;    /* --supplementary-gids=1,2 */
        AppcKV *environment;               /* --environment */
        size_t n_environment;
        AppcKV *annotations; /* --annotation */
        size_t n_annotations;
        AppcKV *user_annotations, *user_labels; /* --user-annotation, --user-label */
        size_t n_user_annotations, n_user_labels;
        char **mounts; /* --mount volume=NAME,target=PATH */
        bool readonly_rootfs;
        /* isolator overrides; NULL when not given */
        const char *memory, *cpu, *cpu_shares, *oom_score_adj, *caps_retain, *caps_remove, *seccomp;
} AppSpec;

typedef struct PodSpec {
        AppSpec *apps;
        size_t n_apps;
        AppcKV *set_env; /* --set-env-file then --set-env, later entries winning */
        size_t n_set_env;
        char *const
                *inherit_env; /* --inherit-env: rkt's own environment (KEY=VALUE), borrowed; NULL: none */
        char **volumes;       /* --volume */
        char **mounts;        /* --mount given before the first image: applies to every app */
        AppcKV *annotations, *user_annotations, *user_labels;
        size_t n_annotations, n_user_annotations, n_user_labels;
} PodSpec;

/* Builds the pod manifest (a pure function of spec): app names (from --name or the image name), the
 * effective app sections (image app + overrides; environment --inherit-env < image < --set-env-file <
 * --set-env < --environment, an inherited variable never replacing one the image sets; names that are not
 * valid environment variable names are not inherited;
 * isolators from the flags replacing the image's of the same name), volumes and mounts. */
int pod_manifest_generate(const PodSpec *spec, AppcPodManifest **ret, RktError **reterr);

/* The default app name for an image name: its last path component, made a valid AC Name. */
int app_name_from_image_name(const char *image_name, char **ret);
/* Reads a --set-env-file: KEY=VALUE lines, '#' and ';' comments, blank lines ignored, duplicate keys an
 * error. Appends to *kv. */
int env_file_parse(const char *text, const char *filename, AppcKV **kv, size_t *n, RktError **reterr);
