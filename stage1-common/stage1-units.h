/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What stage1's init writes into the pod's systemd, as pure functions of their inputs (no I/O), so that
 * unit tests cover them without root: the app units, the environment files, systemd command-line quoting,
 * and the passwd/group lookups that turn an app's user and group into numeric ids. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "appc.h"
#include "macro.h"
#include "stage1-isolation.h"

/* Everything an app's unit is made of. Strings are borrowed. */
typedef struct Stage1App {
        const char *name;       /* AC Name: the unit is <name>.service */
        const char *image_name; /* for Description=, may be NULL */
        char *const *exec;      /* exec[0] absolute inside the app's rootfs (resolved by init) */
        uid_t uid;
        gid_t gid;
        const gid_t *supplementary_gids;
        size_t n_supplementary_gids;
        const char *working_directory; /* NULL: "/" */
        bool interactive;              /* stdio on the pod's console instead of the journal */
        /* Event handlers: NULL-terminated lists of argvs (exec[0] absolute), run in the app's root with its
         * environment and confinement, before it starts and after it stopped (ExecStartPre=, ExecStopPost=).
         */
        char **const *pre_start;
        char **const *post_stop;
        /* Bounding set, no_new_privs, seccomp, resource limits; NULL: none of them. */
        const Stage1Isolation *isolation;
        /* rkt's kernel protection: /proc and /sys files hidden or read-only (and /proc/sys read-only, as
         * nspawn leaves it for the pod), devices closed. False with --disable-paths. */
        bool protect_paths;
        char *const
                *device_allow; /* with protect_paths: the device volumes, stage1_device_allow() entries */
        bool read_only_rootfs;
        char *const *writable_paths; /* with read_only_rootfs: what stays writable (read-write volumes) */
        bool after_sysctl;           /* the pod sets sysctls first (rkt-sysctl.service) */
        bool socket_activated;       /* <name>.socket holds sockets for it (socket activation) */
        /* The app's /sys is its own volumes' (a mount point already, which systemd leaves alone): no
         * sysfs, so the protection of sysfs's files does not apply. */
        bool own_sys;
        /* The pod's hostname (/proc/sys/kernel/hostname) is bound read-only on the app's /etc/hostname,
         * whose mount point init made. */
        bool bind_hostname;
} Stage1App;

/* Units of the stage1 image an app unit must not replace; init refuses app names that would. */
bool stage1_unit_name_reserved(const char *app_name);

/* The <app>.service text. -EINVAL for a value a unit file cannot carry (a relative or multi-line working
 * directory, an empty exec, a writable path with whitespace, quotes, backslashes or ':'). */
int stage1_app_unit(const Stage1App *app, char **ret);

/* One argv as a systemd command line (ExecStart=): every word double-quoted with C escapes, "$" and "%"
 * doubled so that systemd neither expands variables nor specifiers. */
/* "/dev/char/MAJOR:MINOR rw" (or "/dev/block/…", "r" when read_only): a DeviceAllow= entry for the device
 * node st describes, which systemd takes by number (the node's path in the pod is not under /dev). -EINVAL
 * when st is not a character or block device. */
int stage1_device_allow(const struct stat *st, bool read_only, char **ret);

int stage1_exec_quote(char *const *argv, char **ret);

/* The text of /rkt/env/<app>: KEY="VALUE" lines in the syntax of EnvironmentFile= (inside double quotes
 * only \ " ` $ are escaped; newlines are kept literally). env is a strv of KEY=VALUE. */
int stage1_env_file_format(char *const *env, char **ret);
/* The inverse, for enter: parses exactly what stage1_env_file_format() writes (and plain KEY=VALUE lines)
 * into a KEY=VALUE strv. -EINVAL on malformed input. */
int stage1_env_file_parse(const char *text, char ***ret);
/* Sets name=value in env (a KEY=VALUE strv), in place of an existing one only when replace. */
int stage1_env_put(char ***env, const char *name, const char *value, bool replace);
/* The environment of a command `rkt enter` runs: the app's (env_file, as stage1_env_file_parse() reads it)
 * with the caller's TERM, vt100 when the caller has none. */
int stage1_enter_environment(const char *env_file, char ***ret);

/* The user an app runs as, as its own /etc/passwd names it. Strings are owned. */
typedef struct Stage1User {
        char *name; /* NULL when the uid has no passwd entry */
        uid_t uid;
        gid_t gid; /* the passwd entry's primary group */
        char *home;
        char *shell;
} Stage1User;
void stage1_user_done(Stage1User *u);

/* Looks a user up in the text of a passwd file, by name or, when key is numeric, by uid ("root" is uid 0).
 * A numeric key without an entry still means that uid: then name, home and shell are NULL and gid equals
 * the uid. -ENOENT for an unknown name. */
int stage1_passwd_lookup(const char *passwd, const char *key, Stage1User *ret);
/* Looks a group up in the text of a group file, by name or numeric gid ("root" is gid 0). -ENOENT for an
 * unknown name. */
int stage1_group_lookup(const char *group, const char *key, gid_t *ret);

/* The environment of an app (a KEY=VALUE strv): the manifest's variables in order (the first of a name
 * given twice), then PATH, HOME, USER, LOGNAME and SHELL where the manifest does not set them (HOME, USER,
 * LOGNAME and SHELL from the user's passwd entry when it has one, else rkt's defaults /root, root, root,
 * /bin/sh), then AC_APP_NAME, AC_METADATA_URL (when metadata_url is not NULL) and container=rkt, which
 * always win. user may be NULL. */
int stage1_app_environment(const AppcKV *env, size_t n_env, const char *app_name, const Stage1User *user,
                           const char *metadata_url, char ***ret);

/* AC_METADATA_URL: http://HOST:PORT/TOKEN (HOST an IPv4 address, or an IPv6 one, put in brackets). */
int stage1_metadata_url(const char *host, unsigned port, const char *token, char **ret);

#define STAGE1_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
