/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What confines an app, as pure functions of the pod manifest (no I/O), so that unit tests cover them:
 * appc's isolators turned into a capability bounding set, no_new_privs, a seccomp filter and resource
 * limits; the pod's sysctls; the volumes an app mounts; and the confinement file through which enter gives
 * the processes it starts in an app the app's own user, bounding set, no_new_privs and seccomp filter.
 * stage1-units.c turns the same Stage1Isolation into unit directives, so the app and what is entered into
 * it are confined from one description. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "appc.h"
#include "error.h"
#include "macro.h"

/* --- capabilities --- */

/* The highest capability this table knows (CAP_CHECKPOINT_RESTORE, Linux 5.9). */
#define STAGE1_CAP_LAST 40
#define STAGE1_CAP_BIT(c) (UINT64_C(1) << (c))
/* appc's default bounding set (ace.md, "os/linux/capabilities-retain-set"): AUDIT_WRITE, CHOWN,
 * DAC_OVERRIDE, FSETID, FOWNER, KILL, MKNOD, NET_RAW, NET_BIND_SERVICE, SETUID, SETGID, SETPCAP, SETFCAP,
 * SYS_CHROOT. */
extern const uint64_t stage1_caps_appc_default;

/* "CAP_NET_ADMIN", "cap_net_admin" or "NET_ADMIN" -> 12; -EINVAL for an unknown name. */
int stage1_capability_from_name(const char *name);
/* 12 -> "CAP_NET_ADMIN"; NULL beyond STAGE1_CAP_LAST. */
const char *stage1_capability_to_name(int cap);
/* "CAP_CHOWN CAP_KILL" (separator given), in capability order. */
int stage1_capabilities_format(uint64_t caps, const char *separator, char **ret);

/* --- system calls --- */

/* systemd's syscall groups ("@default", "@clock", ...) as `systemd-analyze syscall-filter` prints them:
 * a "@group" line, then its members indented (names or other groups), "#" comments. The stage1 image
 * carries that output for the systemd it ships (usr/lib/rkt/syscall-groups), so that the groups mean in
 * enter exactly what they mean to the pod's systemd. */
typedef struct Stage1SyscallGroups {
        char **names;    /* "@default", ... */
        char ***members; /* members[i]: names[i]'s entries as listed, NULL-terminated */
        size_t n;
        char *text;     /* what names and members point into */
        char **entries; /* what members point into */
} Stage1SyscallGroups;
int stage1_syscall_groups_parse(const char *text, Stage1SyscallGroups *ret);
void stage1_syscall_groups_done(Stage1SyscallGroups *g);
/* Appends the system calls of group (nested groups expanded) to *list. -ENOENT for an unknown group. */
int stage1_syscall_groups_expand(const Stage1SyscallGroups *g, const char *group, char ***list);

/* rkt's default whitelist (the one rkt 1.30 took from Docker), with the calls that a libc of today makes
 * where older ones made others (clone3, statx, rseq, faccessat2, close_range, *_time64 ...). */
extern const char *const stage1_seccomp_default_whitelist[];
/* Docker's (and rkt's) default blacklist. */
extern const char *const stage1_seccomp_default_blacklist[];

/* errno by name ("EPERM" -> 1); -EINVAL when the name is unknown. */
int stage1_errno_from_name(const char *name);

/* --- isolators --- */

typedef enum Stage1SeccompMode {
        STAGE1_SECCOMP_NONE,  /* no filter */
        STAGE1_SECCOMP_ALLOW, /* only the listed calls */
        STAGE1_SECCOMP_DENY,  /* all but the listed calls */
} Stage1SeccompMode;

typedef struct Stage1Isolation {
        bool restrict_capabilities; /* false: the pod's own bounding set (--disable-capabilities-restriction)
                                     */
        uint64_t capabilities;      /* the bounding set, STAGE1_CAP_BIT()s */
        bool no_new_privileges;
        Stage1SeccompMode seccomp;
        /* Explicit names, sorted, unique, groups expanded. In ALLOW mode it includes systemd's @default,
         * which systemd adds to every allow list of its own accord. */
        char **syscalls;
        char *seccomp_errno; /* "EPERM": the errno of a filtered call; NULL: the process is killed */
        /* Resource limits; a field is used when its _set is. */
        bool memory_max_set, cpu_quota_set, cpu_weight_set, oom_score_adj_set;
        uint64_t memory_max;      /* bytes (resource/memory limit) */
        uint64_t cpu_quota_milli; /* thousandths of a CPU (resource/cpu limit) */
        uint64_t cpu_weight;      /* from os/linux/cpu-shares, converted as systemd converts shares */
        int oom_score_adj;
        char **ignored; /* names of the isolators not applied */
} Stage1Isolation;

typedef struct Stage1IsolationOptions {
        bool disable_capabilities; /* --disable-capabilities-restriction */
        bool disable_seccomp;      /* --disable-seccomp */
        const Stage1SyscallGroups *groups;
} Stage1IsolationOptions;

/* The isolation of an app from its isolators (the effective app section's), as rkt 1.30 derived it:
 *   - capabilities: the retain set, or appc's default minus the remove set, or appc's default; both sets
 *     at once is an error;
 *   - seccomp: one retain or remove set at most ({set, errno}); "@appc.io/all" in a retain set means no
 *     filter, "@appc.io/empty" in a remove set means the default whitelist; "@rkt/" and "@docker/"
 *     "default-whitelist" and "default-blacklist", and "@systemd/<group>" expand; without a set, the
 *     default whitelist;
 *   - no_new_privileges: the isolator, and always for a filtered app that does not run as root (systemd
 *     would imply it, and enter must do the same);
 *   - resource/memory and resource/cpu limits (requests are not used, as in rkt), os/linux/cpu-shares,
 *     os/linux/oom-score-adj.
 * Isolators this stage1 does not apply (block and network bandwidth, SELinux, AppArmor, unknown ones) are
 * listed in ignored, for init to tell the user (appc: an executor MAY ignore an isolator but MUST say so).
 */
int stage1_isolation_from_isolators(const AppcIsolator *isolators, size_t n, uid_t uid,
                                    const Stage1IsolationOptions *o, Stage1Isolation *ret,
                                    RktError **reterr);
void stage1_isolation_done(Stage1Isolation *i);

/* --- the confinement file: rkt/confine/<app>, what enter applies --- */

typedef struct Stage1Confinement {
        uid_t uid;
        gid_t gid;
        gid_t *groups; /* supplementary */
        size_t n_groups;
        Stage1Isolation isolation; /* capabilities, no_new_privileges and seccomp only */
} Stage1Confinement;

/* KEY=VALUE lines: uid, gid, groups, capabilities (hex mask, or "all"), no-new-privileges (0|1), seccomp
 * (none|allow|deny), seccomp-errno (a name, or empty: kill), syscalls (space-separated). */
int stage1_confinement_format(const Stage1Confinement *c, char **ret);
/* The inverse; -EINVAL for anything malformed or missing (enter refuses to run unconfined). */
int stage1_confinement_parse(const char *text, Stage1Confinement *ret);
void stage1_confinement_done(Stage1Confinement *c);

/* --- the pod's sysctls (os/unix/sysctl) --- */

/* Only sysctls of the pod's own namespaces may be set: IPC (kernel.msg*, kernel.sem, kernel.shm*,
 * fs.mqueue.*) always, net.* only when the pod has a network namespace of its own (else they would be the
 * host's). -EPERM with a message naming the sysctl otherwise, -EINVAL for a malformed name or value. */
int stage1_sysctl_check(const char *name, const char *value, bool private_network, RktError **reterr);
/* The text of /rkt/sysctl: "name=value" lines. */
int stage1_sysctl_file_format(const AppcKV *entries, size_t n, char **ret);

/* --- volumes --- */

typedef struct Stage1Mount {
        char *volume; /* the volume's name; "<app>-<mountPoint>" for an implicit empty volume */
        char *path;   /* inside the app, as the manifest gives it */
        AppcVolumeKind kind;
        char *source; /* host volumes: the host path */
        bool read_only;
        bool recursive;
        char *mode; /* empty volumes: octal, e.g. "0755" */
        uint32_t uid, gid;
        bool implicit; /* an image mountPoint no pod volume satisfies */
} Stage1Mount;

/* The mounts of an app, as rkt 1.30 generated them: the runtime app's mounts (their volume from the pod, or
 * their own appVolume; read-only from the volume when it says, else from the image's mountPoint of the same
 * name), then the image's mountPoints not mounted yet, filled from the pod volume of the same name or, when
 * there is none, from an implicit empty volume "<app>-<mountPoint>". Recursive when the volume says so,
 * else recursive_default (stage1-nspawn: true, as rkt's nspawn stage1; stage1-fly: false, as rkt's fly).
 */
int stage1_app_mounts(const AppcRuntimeApp *ra, const AppcApp *app, const AppcVolume *volumes,
                      size_t n_volumes, bool recursive_default, Stage1Mount **ret, size_t *ret_n,
                      RktError **reterr);
void stage1_mounts_free(Stage1Mount *m, size_t n);
