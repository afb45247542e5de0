/* SPDX-License-Identifier: Apache-2.0 */
#include "run-internal.h"
#include "verbs.h"

/* The flags of run, prepare and run-prepared, and those that follow an image. */

#define NET_OPTIONS                                                                                         \
        {"net",                                                                                             \
         0,                                                                                                 \
         OPT_NET,                                                                                           \
         OPTION_OPTIONAL,                                                                                   \
         "NAME[:ARGS],...",                                                                                 \
         "default",                                                                                         \
         "the pod's networks: default, default-restricted or networks of net.d (ARGS: CNI_ARGS, e.g. "      \
         "default:IP=172.16.28.9), host (the host's) or none (loopback only)",                              \
         "default default-restricted host none"},                                                           \
                {"dns",                                                                                     \
                 0,                                                                                         \
                 OPT_DNS,                                                                                   \
                 OPTION_REQUIRED,                                                                           \
                 "IP[,IP...]|host|none",                                                                    \
                 NULL,                                                                                      \
                 "name servers for the pod's /etc/resolv.conf; host: the host's file; none: ignore the "    \
                 "networks' DNS"},                                                                          \
                {"dns-search",                                                                              \
                 0,                                                                                         \
                 OPT_DNS_SEARCH,                                                                            \
                 OPTION_REQUIRED,                                                                           \
                 "DOMAIN",                                                                                  \
                 NULL,                                                                                      \
                 "a search domain for the pod's /etc/resolv.conf (repeatable)"},                            \
                {"dns-opt",                                                                                 \
                 0,                                                                                         \
                 OPT_DNS_OPT,                                                                               \
                 OPTION_REQUIRED,                                                                           \
                 "OPTION",                                                                                  \
                 NULL,                                                                                      \
                 "an option for the pod's /etc/resolv.conf (repeatable)"},                                  \
                {"dns-domain",                                                                              \
                 0,                                                                                         \
                 OPT_DNS_DOMAIN,                                                                            \
                 OPTION_REQUIRED,                                                                           \
                 "DOMAIN",                                                                                  \
                 NULL,                                                                                      \
                 "the domain of the pod's /etc/resolv.conf"},                                               \
                {"hosts-entry",                                                                             \
                 0,                                                                                         \
                 OPT_HOSTS_ENTRY,                                                                           \
                 OPTION_REQUIRED,                                                                           \
                 "IP=HOST[,...]|host",                                                                      \
                 NULL,                                                                                      \
                 "entries of the pod's /etc/hosts (repeatable); host: the host's /etc/hosts"},              \
                {"hostname", 0, OPT_HOSTNAME, OPTION_REQUIRED, "NAME", "rkt-$UUID", "the pod's hostname"},  \
                {"interactive",                                                                             \
                 0,                                                                                         \
                 OPT_INTERACTIVE,                                                                           \
                 OPTION_BOOL,                                                                               \
                 NULL,                                                                                      \
                 "false",                                                                                   \
                 "run the (single) app interactively, on this terminal"},                                   \
                {"ipc",                                                                                     \
                 0,                                                                                         \
                 OPT_IPC,                                                                                   \
                 OPTION_REQUIRED,                                                                           \
                 "auto|private|parent",                                                                     \
                 "auto",                                                                                    \
                 "the pod's IPC namespace: auto or private (its own); parent (the host's) is refused by "   \
                 "this "                                                                                    \
                 "stage1",                                                                                  \
                 "auto private parent"},                                                                    \
        {                                                                                                   \
                "mds-register", 0, OPT_MDS_REGISTER, OPTION_BOOL, NULL, "false",                            \
                        "register the pod with the metadata service (rkt metadata-service) and give its "   \
                        "apps "                                                                             \
                        "AC_METADATA_URL"                                                                   \
        }

#define PREPARE_OPTIONS                                                                                     \
        {"mount",                                                                                           \
         0,                                                                                                 \
         OPT_POD_MOUNT,                                                                                     \
         OPTION_REQUIRED,                                                                                   \
         "volume=NAME,target=PATH",                                                                         \
         NULL,                                                                                              \
         "mount a volume into every app (after an image: into that app)"},                                  \
                {"name",                                                                                    \
                 0,                                                                                         \
                 OPT_POD_NAME,                                                                              \
                 OPTION_REQUIRED,                                                                           \
                 "NAME",                                                                                    \
                 NULL,                                                                                      \
                 "the pod's name, unique among pods that are not garbage: pod verbs take it for the UUID, " \
                 "and "                                                                                     \
                 "the pod is the machine NAME (after an image: the app's name)"},                           \
                {"no-overlay",                                                                              \
                 0,                                                                                         \
                 OPT_NO_OVERLAY,                                                                            \
                 OPTION_BOOL,                                                                               \
                 NULL,                                                                                      \
                 "false",                                                                                   \
                 "copy the images into the pod instead of mounting overlays"},                              \
                {"no-store",                                                                                \
                 0,                                                                                         \
                 OPT_NO_STORE,                                                                              \
                 OPTION_BOOL,                                                                               \
                 NULL,                                                                                      \
                 "false",                                                                                   \
                 "fetch the images again (--pull-policy=update)",                                           \
                 NULL,                                                                                      \
                 "please use --pull-policy=update"},                                                        \
                {"store-only",                                                                              \
                 0,                                                                                         \
                 OPT_STORE_ONLY,                                                                            \
                 OPTION_BOOL,                                                                               \
                 NULL,                                                                                      \
                 "false",                                                                                   \
                 "use only images in the store (--pull-policy=never)",                                      \
                 NULL,                                                                                      \
                 "please use --pull-policy=never"},                                                         \
                {"pod-manifest",                                                                            \
                 0,                                                                                         \
                 OPT_POD_MANIFEST,                                                                          \
                 OPTION_REQUIRED,                                                                           \
                 "FILE",                                                                                    \
                 NULL,                                                                                      \
                 "run the pod described by an appc pod manifest (no images or app flags then)"},            \
                {"port",                                                                                    \
                 0,                                                                                         \
                 OPT_PORT,                                                                                  \
                 OPTION_REQUIRED,                                                                           \
                 "NAME:[HOSTIP:]HOSTPORT",                                                                  \
                 NULL,                                                                                      \
                 "forward a port the image declares to the host (repeatable; needs a network of the pod's " \
                 "own)"},                                                                                   \
                {"private-users",                                                                           \
                 0,                                                                                         \
                 OPT_PRIVATE_USERS,                                                                         \
                 OPTION_BOOL,                                                                               \
                 NULL,                                                                                      \
                 "false",                                                                                   \
                 "run the pod in a user namespace with a random UID/GID shift (copies the images; needs a " \
                 "network of the pod's own)"},                                                              \
                {"pull-policy",                                                                             \
                 0,                                                                                         \
                 OPT_PULL_POLICY,                                                                           \
                 OPTION_REQUIRED,                                                                           \
                 "POLICY",                                                                                  \
                 "new",                                                                                     \
                 "when to fetch an image: new (only when not in the store), update (always), never (store " \
                 "only)",                                                                                   \
                 "new update never"},                                                                       \
                {"set-env",                                                                                 \
                 0,                                                                                         \
                 OPT_SET_ENV,                                                                               \
                 OPTION_REQUIRED,                                                                           \
                 "NAME=VALUE",                                                                              \
                 NULL,                                                                                      \
                 "an environment variable for all apps (repeatable)"},                                      \
                {"set-env-file",                                                                            \
                 0,                                                                                         \
                 OPT_SET_ENV_FILE,                                                                          \
                 OPTION_REQUIRED,                                                                           \
                 "FILE",                                                                                    \
                 NULL,                                                                                      \
                 "environment variables for all apps from a file of NAME=VALUE lines"},                     \
                {"inherit-env",                                                                             \
                 0,                                                                                         \
                 OPT_INHERIT_ENV,                                                                           \
                 OPTION_BOOL,                                                                               \
                 NULL,                                                                                      \
                 "false",                                                                                   \
                 "give the apps rkt's environment (below the image's and --set-env's)"},                    \
                {"stage1-from-dir",                                                                         \
                 0,                                                                                         \
                 OPT_STAGE1_FROM_DIR,                                                                       \
                 OPTION_REQUIRED,                                                                           \
                 "FILE",                                                                                    \
                 NULL,                                                                                      \
                 "a stage1 image file from the stage1 images directory"},                                   \
                {"stage1-hash",                                                                             \
                 0,                                                                                         \
                 OPT_STAGE1_HASH,                                                                           \
                 OPTION_REQUIRED,                                                                           \
                 "ID",                                                                                      \
                 NULL,                                                                                      \
                 "a stage1 image in the store, by ID"},                                                     \
                {"stage1-name",                                                                             \
                 0,                                                                                         \
                 OPT_STAGE1_NAME,                                                                           \
                 OPTION_REQUIRED,                                                                           \
                 "NAME",                                                                                    \
                 NULL,                                                                                      \
                 "a stage1 image in the store, by name[:version]"},                                         \
                {"stage1-path", 0, OPT_STAGE1_PATH, OPTION_REQUIRED, "PATH", NULL, "a stage1 image file"},  \
                {"stage1-url",                                                                              \
                 0,                                                                                         \
                 OPT_STAGE1_URL,                                                                            \
                 OPTION_REQUIRED,                                                                           \
                 "URL",                                                                                     \
                 NULL,                                                                                      \
                 "a stage1 image file:// URL"},                                                             \
                {"uuid-file-save",                                                                          \
                 0,                                                                                         \
                 OPT_UUID_FILE_SAVE,                                                                        \
                 OPTION_REQUIRED,                                                                           \
                 "FILE",                                                                                    \
                 NULL,                                                                                      \
                 "write the pod's UUID to FILE as soon as the pod exists"},                                 \
        {                                                                                                   \
                "volume", 0, OPT_VOLUME, OPTION_REQUIRED, "NAME,kind=host|empty,…", NULL,                   \
                        "a pod volume: NAME,kind=host,source=PATH[,readOnly=BOOL][,recursive=BOOL] or "     \
                        "NAME,kind=empty[,mode=0755][,uid=0][,gid=0]"                                       \
        }

const Option run_options[] = {NET_OPTIONS, PREPARE_OPTIONS, {}};

const Option prepare_options[] = {
        PREPARE_OPTIONS,
        {"quiet", 0, OPT_QUIET, OPTION_BOOL, NULL, "false", "print nothing but the pod's UUID"},
        {},
};

const Option run_prepared_options[] = {NET_OPTIONS, {}};

/* The flags that follow an IMAGE and apply to it. */
const Option run_app_options[] = {
        {"annotation", 0, APP_ANNOTATION, OPTION_REQUIRED, "NAME=VALUE", NULL, "an app annotation"},
        {"caps-remove", 0, APP_CAPS_REMOVE, OPTION_REQUIRED, "CAPS", NULL, "capabilities to remove"},
        {"caps-retain", 0, APP_CAPS_RETAIN, OPTION_REQUIRED, "CAPS", NULL, "capabilities to keep"},
        {"cap-remove", 0, APP_CAPS_REMOVE, OPTION_REQUIRED, "CAPS", NULL, "capabilities to remove", NULL,
         "use --caps-remove instead"},
        {"cap-retain", 0, APP_CAPS_RETAIN, OPTION_REQUIRED, "CAPS", NULL, "capabilities to keep", NULL,
         "use --caps-retain instead"},
        {"cpu", 0, APP_CPU, OPTION_REQUIRED, "QUANTITY", NULL, "CPU limit (e.g. 500m)"},
        {"cpu-shares", 0, APP_CPU_SHARES, OPTION_REQUIRED, "N", NULL, "CPU shares"},
        {"environment", 0, APP_ENVIRONMENT, OPTION_REQUIRED, "NAME=VALUE", NULL, "an environment variable"},
        {"exec", 0, APP_EXEC, OPTION_REQUIRED, "PATH", NULL, "the command to run instead of the image's"},
        {"group", 0, APP_GROUP, OPTION_REQUIRED, "GROUP", NULL, "group to run the app as"},
        {"memory", 0, APP_MEMORY, OPTION_REQUIRED, "QUANTITY", NULL, "memory limit (e.g. 512M)"},
        {"mount", 0, APP_MOUNT, OPTION_REQUIRED, "volume=NAME,target=PATH", NULL, "mount a volume"},
        {"name", 0, APP_NAME, OPTION_REQUIRED, "NAME", NULL, "the app's name"},
        {"oom-score-adj", 0, APP_OOM_SCORE_ADJ, OPTION_REQUIRED, "N", NULL, "OOM score adjustment"},
        {"readonly-rootfs", 0, APP_READONLY_ROOTFS, OPTION_BOOL, NULL, "false",
         "mount the app's rootfs read-only"},
        {"seccomp", 0, APP_SECCOMP, OPTION_REQUIRED, "mode=retain|remove,…", NULL, "seccomp filter"},
        {"signature", 0, APP_SIGNATURE, OPTION_REQUIRED, "FILE", NULL,
         "a local signature file for the image (instead of the one beside it)"},
        {"supplementary-gids", 0, APP_SUPP_GIDS, OPTION_REQUIRED, "GIDS", NULL, "supplementary group IDs"},
        {"user", 0, APP_USER, OPTION_REQUIRED, "USER", NULL, "user to run the app as"},
        {"user-annotation", 0, APP_USER_ANNOTATION, OPTION_REQUIRED, "NAME=VALUE", NULL,
         "a user annotation"},
        {"user-label", 0, APP_USER_LABEL, OPTION_REQUIRED, "NAME=VALUE", NULL, "a user label"},
        {"working-dir", 0, APP_WORKING_DIR, OPTION_REQUIRED, "DIR", NULL, "the app's working directory"},
        {},
};
