/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "cli.h"

/* Pod files (rkt.pod(5)): NAME.pod, in the syntax of systemd unit files, describes the pod `rkt run`
 * would run from its flags. Its keys are rkt run's long options spelled the systemd way (each
 * dash-separated word capitalised: --set-env is SetEnv=), looked up in the CLI's own option tables, so
 * the two cannot drift apart. Parsing and unit generation are pure functions of their inputs: the
 * generator (pod-generator.c) and `rkt pod-file verify` share them, and unit tests cover them. */

/* The option tables the keys come from. */
typedef struct PodFileOptions {
        const Option *pod;     /* [Pod]: rkt run's own flags */
        const Option *globals; /* [Pod] too: the global flags (Dir=, InsecureOptions=, …) */
        const Option *app;     /* [App]: the flags that follow an image */
} PodFileOptions;

/* rkt run's tables (pod-file-verify.c). */
extern const PodFileOptions pod_file_rkt_options;

typedef struct PodFile {
        char *path;
        char *name;         /* from the file name: NAME.pod */
        char **global_args; /* --dir=…, before the verb (of rkt run and of rkt gc) */
        char **run_args;    /* --name=NAME, pod flags, then per app: IMAGE, its flags, [-- ARGS… ---] */
        size_t n_apps;
        char **unit_lines; /* [Unit], [Service], [Install] as written ("Key=Value") */
        char **service_lines;
        char **install_lines;
} PodFile;

PodFile *pod_file_free(PodFile *pf);
DEFINE_TRIVIAL_CLEANUP_FUNC(PodFile *, pod_file_free);

/* The key of an option: "set-env" -> "SetEnv". */
char *pod_file_key(const char *option_name);

/* The pod's name from the file's: "/etc/rkt/pods/web.pod" -> "web". -EINVAL (and a message) when the file
 * name does not end in ".pod" or is no valid pod name. */
int pod_file_name_from_path(const char *path, char **ret, char **ret_error);

/* Parses text (the content of path). On -EINVAL, *ret_error is "PATH:LINE: Key=: what is wrong" (or
 * "PATH: …" for the file as a whole). */
int pod_file_parse(const char *path, const char *text, const PodFileOptions *o, PodFile **ret,
                   char **ret_error);

/* The unit NAME.service for the pod; rkt is the absolute path of the rkt binary. */
int pod_file_unit(const PodFile *pf, const char *rkt, char **ret);

/* The unit written in place of one whose pod file could not be converted: it fails, with error in its
 * description and (by running `rkt pod-file verify` on the file) in its log. */
int pod_file_error_unit(const char *path, const char *name, const char *error, const char *rkt, char **ret);

/* One argument quoted for a unit file's Exec lines: no specifier or variable is expanded. */
char *pod_file_quote_exec_arg(const char *s);
