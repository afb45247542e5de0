/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "cli.h"
#include "run-common.h"

/* What the parts of run-common share: the ids of the flags of run, prepare and run-prepared (run-options.c
 * defines the tables, run-args.c reads them) and the checks both the parser and the pod's preparation
 * make. */

enum {
        /* pod-level */
        OPT_NET = 1,
        OPT_HOSTNAME,
        OPT_INTERACTIVE,
        OPT_SET_ENV,
        OPT_SET_ENV_FILE,
        OPT_INHERIT_ENV,
        OPT_VOLUME,
        OPT_POD_MOUNT,
        OPT_UUID_FILE_SAVE,
        OPT_NO_OVERLAY,
        OPT_PRIVATE_USERS,
        OPT_PULL_POLICY,
        OPT_POD_MANIFEST,
        OPT_STAGE1_PATH,
        OPT_STAGE1_URL,
        OPT_STAGE1_NAME,
        OPT_STAGE1_HASH,
        OPT_STAGE1_FROM_DIR,
        OPT_QUIET,
        OPT_MDS_REGISTER,
        OPT_PORT,
        OPT_DNS,
        OPT_DNS_SEARCH,
        OPT_DNS_OPT,
        OPT_DNS_DOMAIN,
        OPT_HOSTS_ENTRY,
        OPT_NO_STORE,
        OPT_STORE_ONLY,
        OPT_IPC,
        OPT_POD_NAME,
        /* per app */
        APP_NAME,
        APP_EXEC,
        APP_WORKING_DIR,
        APP_USER,
        APP_GROUP,
        APP_SUPP_GIDS,
        APP_ENVIRONMENT,
        APP_ANNOTATION,
        APP_USER_ANNOTATION,
        APP_USER_LABEL,
        APP_MOUNT,
        APP_READONLY_ROOTFS,
        APP_MEMORY,
        APP_CPU,
        APP_CPU_SHARES,
        APP_OOM_SCORE_ADJ,
        APP_CAPS_RETAIN,
        APP_CAPS_REMOVE,
        APP_SECCOMP,
        APP_SIGNATURE,
};

/* NAME:[HOSTIP:]HOSTPORT of --port, checked; logs the error. */
int run_parse_port(const char *v, char **ret_name, char **ret_ip, unsigned *ret_port);
/* Refuses --private-users with --net=host; logs the error. */
int run_check_private_users_net(const char *net);
