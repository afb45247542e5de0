/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "cli.h"
#include "fetch.h"
#include "pod-manifest.h"
#include "pod.h"
#include "stage1.h"

/* What `rkt run`, `rkt prepare` and `rkt run-prepared` share: the pod's images and flags, preparing the
 * pod directory, and handing the pod to stage1. */

extern const Option run_options[];
extern const Option prepare_options[];
extern const Option run_prepared_options[];

typedef struct RunArgs {
        PodSpec spec;
        Stage1Choice stage1;
        PullPolicy pull_policy;
        bool pull_policy_set; /* --pull-policy, --no-store or --store-only given: conflicts with
                                 --pod-manifest */
        const char *uuid_file_save;
        const char *name;         /* --name before the images: the pod's name (pod-name.h) */
        const char *pod_manifest; /* --pod-manifest FILE */
        bool no_overlay;
        bool overlay_asked; /* --no-overlay=false */
        bool private_users; /* --private-users (run, prepare) */
        bool quiet;
        char **ports; /* --port NAME:[HOSTIP:]HOSTPORT (run, prepare): into the pod manifest */
        /* run and run-prepared */
        char *net;       /* --net, checked and joined ("default" when not given) */
        char **dns_args; /* --dns, --dns-search, --dns-opt, --dns-domain, --hosts-entry: for stage1 */
        const char *hostname;
        const char *ipc; /* --ipc: auto, private or parent (NULL: not given) */
        bool interactive;
        bool mds_register;
        char **net_plugin_dirs; /* paths.d "net-plugins", for stage1; NULL: its defaults */
} RunArgs;

/* Parses the flags and the IMAGE [APP FLAGS] [-- ARGS [---]]… list. */
int run_args_parse(CliArgs *a, RunArgs *ret);
/* Parses only the flags of run-prepared. */
int run_prepared_args_parse(CliArgs *a, RunArgs *ret);
void run_args_done(RunArgs *r);

/* What run and prepare share: parses the flags and images (run_args_parse()), fetches the images and the
 * stage1, writes the pod manifest and prepares a new pod, left locked, then moves it on with mark
 * (pod_mark_running() or pod_mark_prepared()). *r is to be released with run_args_done() whatever this
 * returns. */
int run_new_pod(CliArgs *a, RunArgs *r, int (*mark)(Pod *p, RktError **reterr), Pod **ret);
/* stage1's --private-users=SHIFT:COUNT argument for a prepared pod (NULL when it has no user namespace),
 * after checking that the pod's network (r->net) can go with it. */
int run_private_users(const RunArgs *r, const Pod *p, char **ret_arg);
/* Execs the stage1 run entrypoint for a running pod (cwd the pod dir, RKT_LOCK_FD set). Returns only on
 * failure. */
int run_exec_stage1(CliArgs *a, const RunArgs *r, Pod *p);
