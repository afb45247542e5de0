/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "stage1-isolation.h"
#include "strv.h"
#include "util.h"

/* --- capabilities --- */

/* clang-format off */
static const char *const cap_names[STAGE1_CAP_LAST + 1] = {
        "CAP_CHOWN",              "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
        "CAP_FSETID",             "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
        "CAP_SETPCAP",            "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",          "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
        "CAP_SYS_MODULE",         "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",          "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",       "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
        "CAP_LEASE",              "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE",       "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND",      "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
};
/* clang-format on */

const uint64_t stage1_caps_appc_default =
        STAGE1_CAP_BIT(29) /* AUDIT_WRITE */ | STAGE1_CAP_BIT(0) /* CHOWN */ |
        STAGE1_CAP_BIT(1) /* DAC_OVERRIDE */ | STAGE1_CAP_BIT(4) /* FSETID */ |
        STAGE1_CAP_BIT(3) /* FOWNER */ | STAGE1_CAP_BIT(5) /* KILL */ | STAGE1_CAP_BIT(27) /* MKNOD */ |
        STAGE1_CAP_BIT(13) /* NET_RAW */ | STAGE1_CAP_BIT(10) /* NET_BIND_SERVICE */ |
        STAGE1_CAP_BIT(7) /* SETUID */ | STAGE1_CAP_BIT(6) /* SETGID */ | STAGE1_CAP_BIT(8) /* SETPCAP */ |
        STAGE1_CAP_BIT(31) /* SETFCAP */ | STAGE1_CAP_BIT(18) /* SYS_CHROOT */;

int stage1_capability_from_name(const char *name) {
        const char *n = name;

        if (strncasecmp(n, "CAP_", 4) == 0)
                n += 4;
        for (int i = 0; i <= STAGE1_CAP_LAST; i++)
                if (strcasecmp(n, cap_names[i] + 4) == 0)
                        return i;
        return -EINVAL;
}

const char *stage1_capability_to_name(int cap) {
        return cap >= 0 && cap <= STAGE1_CAP_LAST ? cap_names[cap] : NULL;
}

int stage1_capabilities_format(uint64_t caps, const char *separator, char **ret) {
        _cleanup_strv_free_ char **l = NULL;
        char *s;

        for (int i = 0; i <= STAGE1_CAP_LAST; i++)
                if ((caps & STAGE1_CAP_BIT(i)) && strv_extend(&l, cap_names[i]) < 0)
                        return -ENOMEM;
        s = l ? strv_join(l, separator) : strdup("");
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* --- system calls --- */

/* clang-format off */
const char *const stage1_seccomp_default_whitelist[] = {
        "_llseek", "_newselect", "accept", "accept4", "access", "alarm", "arch_prctl", "bind", "brk",
        "capget", "capset", "chdir", "chmod", "chown", "chown32", "chroot", "clock_getres",
        "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
        "clock_nanosleep_time64", "clone", "clone3", "close", "close_range", "connect", "copy_file_range",
        "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old",
        "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve",
        "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
        "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat",
        "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
        "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
        "ftruncate64", "futex", "futex_time64", "futimesat", "get_robust_list", "get_thread_area", "getcpu",
        "getcwd", "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid",
        "getgid32", "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid",
        "getppid", "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32",
        "getrlimit", "getrusage", "getsid", "getsockname", "getsockopt", "gettid", "gettimeofday", "getuid",
        "getuid32", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
        "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
        "io_submit", "ioctl", "ioprio_get", "ioprio_set", "ipc", "kill", "lchown", "lchown32", "lgetxattr",
        "link", "linkat", "listen", "listxattr", "llistxattr", "lremovexattr", "lseek", "lsetxattr",
        "lstat", "lstat64", "madvise", "membarrier", "memfd_create", "mincore", "mkdir", "mkdirat", "mknod",
        "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "modify_ldt", "mprotect",
        "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
        "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv",
        "msgsnd", "msync", "munlock", "munlockall", "munmap", "nanosleep", "newfstatat", "open", "openat",
        "openat2", "pause", "personality", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "poll",
        "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64", "pselect6",
        "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat",
        "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages",
        "removexattr", "rename", "renameat", "renameat2", "restart_syscall", "rmdir", "rseq",
        "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
        "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
        "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity", "sched_getattr",
        "sched_getparam", "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
        "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
        "seccomp", "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send",
        "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "set_robust_list", "set_thread_area",
        "set_tid_address", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
        "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
        "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit",
        "setsid", "setsockopt", "setuid", "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget",
        "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigreturn", "socket", "socketcall",
        "socketpair", "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat",
        "sync", "sync_file_range", "syncfs", "sysinfo", "syslog", "tee", "tgkill", "time", "timer_create",
        "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
        "timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
        "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname",
        "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice",
        "wait4", "waitid", "waitpid", "write", "writev",
#if defined(__arm__) || defined(__aarch64__)
        /* what rkt added on ARM */
        "arm_fadvise64_64", "arm_sync_file_range", "breakpoint", "cacheflush", "set_tls", "sync_file_range2",
#endif
        NULL,
};
/* clang-format on */

/* clang-format off */
const char *const stage1_seccomp_default_blacklist[] = {
        "_sysctl", "acct", "add_key", "adjtimex", "bpf", "clock_adjtime", "clock_settime",
        "create_module", "delete_module", "finit_module", "get_kernel_syms", "get_mempolicy", "init_module",
        "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mbind",
        "mount", "move_pages", "name_to_handle_at", "nfsservctl", "open_by_handle_at", "perf_event_open",
        "pivot_root", "process_vm_readv", "process_vm_writev", "ptrace", "query_module",
        "quotactl", "reboot", "request_key", "set_mempolicy", "setns", "settimeofday", "stime", "swapoff",
        "swapon", "sysfs", "umount", "umount2", "unshare", "uselib", "userfaultfd", "ustat", "vm86",
        "vm86old",
        NULL,
};
/* clang-format on */

void stage1_syscall_groups_done(Stage1SyscallGroups *g) {
        free(g->members);
        free(g->names);
        free(g->entries);
        free(g->text);
        *g = (Stage1SyscallGroups){};
}

/* One pass to count, one to fill: the names and members point into a copy of text, split in place. The
 * file has ~1,200 lines; appending them one at a time to growing arrays took most of init's instructions. */
int stage1_syscall_groups_parse(const char *text, Stage1SyscallGroups *ret) {
        Stage1SyscallGroups g = {};
        size_t n_groups = 0, n_lines = 0, k = 0;
        char *line, *next;
        int r;

        for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                n_lines++;
                if (*p == '@')
                        n_groups++;
        }
        g.text = strdup(text);
        g.names = calloc(n_groups + 1, sizeof(char *));
        g.members = calloc(n_groups + 1, sizeof(char **));
        /* every line an entry at most, and each group's terminating NULL */
        g.entries = calloc(n_lines + n_groups + 1, sizeof(char *));
        if (!g.text || !g.names || !g.members || !g.entries) {
                r = -ENOMEM;
                goto fail;
        }
        for (line = g.text; line; line = next) {
                char *s = line + strspn(line, " \t");
                size_t len;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                len = strcspn(s, " \t#");
                if (*s == '#' || len == 0)
                        continue;
                s[len] = '\0';
                if (s == line) {
                        /* "@group" at the start of a line begins a group */
                        if (s[0] != '@') {
                                r = -EINVAL;
                                goto fail;
                        }
                        if (g.n > 0)
                                g.entries[k++] = NULL;
                        g.names[g.n] = s;
                        g.members[g.n++] = &g.entries[k];
                        continue;
                }
                if (g.n == 0) {
                        r = -EINVAL;
                        goto fail;
                }
                g.entries[k++] = s;
        }
        *ret = g;
        return 0;
fail:
        stage1_syscall_groups_done(&g);
        return r;
}

static int groups_expand(const Stage1SyscallGroups *g, const char *group, char ***list, unsigned depth) {
        if (depth > 16)
                return -ELOOP;
        for (size_t i = 0; i < g->n; i++) {
                if (!streq(g->names[i], group))
                        continue;
                STRV_FOREACH(m, g->members[i]) {
                        int r = (*m)[0] == '@' ? groups_expand(g, *m, list, depth + 1)
                                               : strv_extend(list, *m);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        return -ENOENT;
}

int stage1_syscall_groups_expand(const Stage1SyscallGroups *g, const char *group, char ***list) {
        return g ? groups_expand(g, group, list, 0) : -ENOENT;
}

int stage1_errno_from_name(const char *name) {
        /* Names glibc only knows as another's alias (strerrorname_np() gives the canonical one). */
        static const struct {
                const char *name;
                int value;
        } aliases[] = {
                {"ENOTSUP", ENOTSUP},
                {"EWOULDBLOCK", EWOULDBLOCK},
                {"EDEADLOCK", EDEADLOCK},
        };

        if (isempty(name))
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(aliases); i++)
                if (streq(name, aliases[i].name))
                        return aliases[i].value;
        for (int e = 1; e < 4096; e++) {
                const char *n = strerrorname_np(e);
                if (n && streq(n, name))
                        return e;
        }
        return -EINVAL;
}

/* --- isolators --- */

void stage1_isolation_done(Stage1Isolation *i) {
        strv_free(i->syscalls);
        free(i->seccomp_errno);
        strv_free(i->ignored);
        *i = (Stage1Isolation){};
}

static int str_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Sorts and removes duplicates, in place. */
static void strv_sort_unique(char **l) {
        size_t n = strv_length(l), k = 0;

        if (n == 0)
                return;
        qsort(l, n, sizeof(char *), str_cmp);
        for (size_t i = 1; i < n; i++) {
                if (streq(l[i], l[k]))
                        free(l[i]);
                else
                        l[++k] = l[i];
        }
        l[k + 1] = NULL;
}

/* One allocation for all of names (~350 for the default whitelist), not one scan and one per name. */
static int extend_static(char ***l, const char *const *names) {
        size_t n = strv_length(*l), m = 0;
        char **c;

        while (names[m])
                m++;
        c = realloc(*l, (n + m + 1) * sizeof(char *));
        if (!c)
                return -ENOMEM;
        *l = c;
        for (size_t i = 0; i < m; i++) {
                c[n + i] = strdup(names[i]);
                c[n + i + 1] = NULL;
                if (!c[n + i])
                        return -ENOMEM;
        }
        return 0;
}

static bool syscall_name_valid(const char *s) {
        return !isempty(s) && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(s) &&
               strlen(s) < 64;
}

enum {
        SECCOMP_FLAG_NONE,
        SECCOMP_FLAG_ALL,   /* @appc.io/all */
        SECCOMP_FLAG_EMPTY, /* @appc.io/empty */
};

/* The names of a seccomp set with its wildcards expanded. */
static int seccomp_set_expand(const AppcIsolator *iso, const Stage1SyscallGroups *groups, char ***list,
                              int *flag, RktError **reterr) {
        STRV_FOREACH(item, iso->seccomp.set) {
                const char *it = *item, *slash;
                int r;

                if (it[0] != '@') {
                        if (!syscall_name_valid(it))
                                return rkt_error_set(reterr, -EINVAL, "%s: '%s' is not a system call name",
                                                     iso->name, it);
                        r = strv_extend(list, it);
                } else if (streq(it, "@appc.io/all")) {
                        *flag = SECCOMP_FLAG_ALL;
                        r = 0;
                } else if (streq(it, "@appc.io/empty")) {
                        *flag = SECCOMP_FLAG_EMPTY;
                        r = 0;
                } else if (streq(it, "@rkt/default-whitelist") || streq(it, "@docker/default-whitelist"))
                        r = extend_static(list, stage1_seccomp_default_whitelist);
                else if (streq(it, "@rkt/default-blacklist") || streq(it, "@docker/default-blacklist"))
                        r = extend_static(list, stage1_seccomp_default_blacklist);
                else if ((slash = startswith(it, "@systemd/"))) {
                        _cleanup_free_ char *group = NULL;
                        if (asprintf(&group, "@%s", slash) < 0)
                                return -ENOMEM;
                        r = stage1_syscall_groups_expand(groups, group, list);
                        if (r == -ENOENT)
                                return rkt_error_set(
                                        reterr, r,
                                        "%s: '%s': the stage1's systemd has no syscall group '%s'",
                                        iso->name, it, group);
                } else
                        return rkt_error_set(
                                reterr, -EINVAL,
                                "%s: unknown wildcard '%s' (known: @appc.io/all, @appc.io/empty, "
                                "@rkt/ and @docker/default-whitelist and -blacklist, @systemd/<group>)",
                                iso->name, it);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int isolation_seccomp(const AppcIsolator *isolators, size_t n, const Stage1IsolationOptions *o,
                             Stage1Isolation *s, RktError **reterr) {
        const AppcIsolator *iso = NULL;
        int flag = SECCOMP_FLAG_NONE, r;

        for (size_t i = 0; i < n; i++) {
                if (isolators[i].type != APPC_ISOLATOR_SECCOMP_RETAIN_SET &&
                    isolators[i].type != APPC_ISOLATOR_SECCOMP_REMOVE_SET)
                        continue;
                if (iso)
                        return rkt_error_set(
                                reterr, -EINVAL,
                                "more than one seccomp isolator ('%s' and '%s'): appc allows one", iso->name,
                                isolators[i].name);
                iso = &isolators[i];
        }
        if (o->disable_seccomp)
                return 0;
        if (!iso) {
                s->seccomp = STAGE1_SECCOMP_ALLOW;
                r = extend_static(&s->syscalls, stage1_seccomp_default_whitelist);
        } else {
                bool retain = iso->type == APPC_ISOLATOR_SECCOMP_RETAIN_SET;

                if (iso->seccomp.errno_name) {
                        if (stage1_errno_from_name(iso->seccomp.errno_name) < 0)
                                return rkt_error_set(reterr, -EINVAL, "%s: unknown errno '%s'", iso->name,
                                                     iso->seccomp.errno_name);
                        s->seccomp_errno = strdup(iso->seccomp.errno_name);
                        if (!s->seccomp_errno)
                                return -ENOMEM;
                }
                r = seccomp_set_expand(iso, o->groups, &s->syscalls, &flag, reterr);
                if (r < 0)
                        return r;
                if (retain && flag == SECCOMP_FLAG_ALL) {
                        /* Opting out of filtering. */
                        s->syscalls = strv_free(s->syscalls);
                        s->seccomp_errno = mfree(s->seccomp_errno);
                        return 0;
                }
                if ((retain && flag == SECCOMP_FLAG_EMPTY) || (!retain && flag == SECCOMP_FLAG_ALL))
                        return rkt_error_set(reterr, -EINVAL, "%s: it leaves no system call to run the app",
                                             iso->name);
                if (!retain && flag == SECCOMP_FLAG_EMPTY) {
                        /* Removing nothing means the default whitelist (as rkt read it). */
                        s->syscalls = strv_free(s->syscalls);
                        s->seccomp = STAGE1_SECCOMP_ALLOW;
                        r = extend_static(&s->syscalls, stage1_seccomp_default_whitelist);
                } else {
                        s->seccomp = retain ? STAGE1_SECCOMP_ALLOW : STAGE1_SECCOMP_DENY;
                        r = 0;
                }
        }
        if (r < 0)
                return r;
        if (s->seccomp == STAGE1_SECCOMP_ALLOW) {
                /* systemd adds @default to every allow list; the list says so too, for enter. */
                r = stage1_syscall_groups_expand(o->groups, "@default", &s->syscalls);
                if (r == -ENOENT)
                        return rkt_error_set(
                                reterr, r,
                                "the stage1 image does not describe its systemd's syscall groups "
                                "(usr/lib/rkt/syscall-groups with @default)");
                if (r < 0)
                        return r;
        }
        if (!s->syscalls) {
                s->syscalls = calloc(1, sizeof(char *));
                if (!s->syscalls)
                        return -ENOMEM;
        }
        strv_sort_unique(s->syscalls);
        return 0;
}

static int isolation_capabilities(const AppcIsolator *isolators, size_t n, Stage1Isolation *s,
                                  RktError **reterr) {
        uint64_t retain = 0, remove = 0;
        bool have_retain = false, have_remove = false;

        for (size_t i = 0; i < n; i++) {
                const AppcIsolator *iso = &isolators[i];
                bool is_retain = iso->type == APPC_ISOLATOR_CAPABILITIES_RETAIN_SET;

                if (!is_retain && iso->type != APPC_ISOLATOR_CAPABILITIES_REMOVE_SET)
                        continue;
                STRV_FOREACH(c, iso->caps) {
                        int cap = stage1_capability_from_name(*c);
                        if (cap < 0)
                                return rkt_error_set(reterr, -EINVAL, "%s: unknown capability '%s'",
                                                     iso->name, *c);
                        if (is_retain)
                                retain |= STAGE1_CAP_BIT(cap);
                        else
                                remove |= STAGE1_CAP_BIT(cap);
                }
                if (is_retain)
                        have_retain = true;
                else
                        have_remove = true;
        }
        if (have_retain && have_remove)
                return rkt_error_set(reterr, -EINVAL,
                                     "os/linux/capabilities-retain-set and os/linux/capabilities-remove-set "
                                     "exclude each other");
        s->capabilities = have_retain ? retain : stage1_caps_appc_default & ~remove;
        return 0;
}

int stage1_isolation_from_isolators(const AppcIsolator *isolators, size_t n, uid_t uid,
                                    const Stage1IsolationOptions *o, Stage1Isolation *ret,
                                    RktError **reterr) {
        _cleanup_(stage1_isolation_done) Stage1Isolation s = {};
        int r;

        r = isolation_capabilities(isolators, n, &s, reterr);
        if (r < 0)
                return r;
        s.restrict_capabilities = !o->disable_capabilities;
        r = isolation_seccomp(isolators, n, o, &s, reterr);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n; i++) {
                const AppcIsolator *iso = &isolators[i];
                int64_t v;

                switch (iso->type) {
                case APPC_ISOLATOR_NO_NEW_PRIVILEGES:
                        s.no_new_privileges = s.no_new_privileges || iso->no_new_privileges;
                        break;
                case APPC_ISOLATOR_RESOURCE_MEMORY:
                        if (!iso->resource.limit)
                                break;
                        r = appc_quantity_value(iso->resource.limit, &v);
                        if (r < 0 || v <= 0)
                                return rkt_error_set(reterr, r < 0 ? r : -EINVAL,
                                                     "%s: limit '%s' must be a positive number of bytes",
                                                     iso->name, iso->resource.limit);
                        s.memory_max = (uint64_t) v;
                        s.memory_max_set = true;
                        break;
                case APPC_ISOLATOR_RESOURCE_CPU:
                        if (!iso->resource.limit)
                                break;
                        r = appc_quantity_milli_value(iso->resource.limit, &v);
                        if (r < 0 || v <= 0)
                                return rkt_error_set(reterr, r < 0 ? r : -EINVAL,
                                                     "%s: limit '%s' must be a positive CPU quantity",
                                                     iso->name, iso->resource.limit);
                        s.cpu_quota_milli = (uint64_t) v;
                        s.cpu_quota_set = true;
                        break;
                case APPC_ISOLATOR_CPU_SHARES:
                        /* systemd's own conversion of cgroup v1 shares to v2 weights (1024 -> 100). */
                        s.cpu_weight = MIN(MAX((uint64_t) iso->cpu_shares * 100 / 1024, (uint64_t) 1),
                                           (uint64_t) 10000);
                        s.cpu_weight_set = true;
                        break;
                case APPC_ISOLATOR_OOM_SCORE_ADJ:
                        s.oom_score_adj = iso->oom_score_adj;
                        s.oom_score_adj_set = true;
                        break;
                case APPC_ISOLATOR_CAPABILITIES_RETAIN_SET:
                case APPC_ISOLATOR_CAPABILITIES_REMOVE_SET:
                case APPC_ISOLATOR_SECCOMP_RETAIN_SET:
                case APPC_ISOLATOR_SECCOMP_REMOVE_SET:
                        break;
                default:
                        /* Block and network bandwidth, SELinux, AppArmor, os/unix/sysctl (a pod's), unknown.
                         */
                        if (!strv_contains(s.ignored, iso->name) && strv_extend(&s.ignored, iso->name) < 0)
                                return -ENOMEM;
                }
        }
        /* A filtered process that is not root has lost CAP_SYS_ADMIN when systemd loads its filter, which
         * the kernel then only allows with no_new_privs: systemd sets it on its own, so does enter. */
        if (s.seccomp != STAGE1_SECCOMP_NONE && uid != 0)
                s.no_new_privileges = true;
        *ret = s;
        s = (Stage1Isolation){};
        return 0;
}

/* --- the confinement file --- */

void stage1_confinement_done(Stage1Confinement *c) {
        free(c->groups);
        stage1_isolation_done(&c->isolation);
        *c = (Stage1Confinement){};
}

static const char *const seccomp_mode_names[] = {
        [STAGE1_SECCOMP_NONE] = "none",
        [STAGE1_SECCOMP_ALLOW] = "allow",
        [STAGE1_SECCOMP_DENY] = "deny",
};

int stage1_confinement_format(const Stage1Confinement *c, char **ret) {
        const Stage1Isolation *i = &c->isolation;
        _cleanup_free_ char *syscalls = NULL;
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (i->syscalls) {
                syscalls = strv_join(i->syscalls, " ");
                if (!syscalls)
                        return -ENOMEM;
        }
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "uid=%" PRIu32 "\ngid=%" PRIu32 "\ngroups=", (uint32_t) c->uid, (uint32_t) c->gid);
        for (size_t k = 0; k < c->n_groups; k++)
                fprintf(f, "%s%" PRIu32, k > 0 ? " " : "", (uint32_t) c->groups[k]);
        if (i->restrict_capabilities)
                fprintf(f, "\ncapabilities=0x%" PRIx64 "\n", i->capabilities);
        else
                fputs("\ncapabilities=all\n", f);
        fprintf(f, "no-new-privileges=%d\nseccomp=%s\nseccomp-errno=%s\nsyscalls=%s\n", i->no_new_privileges,
                seccomp_mode_names[i->seccomp], strempty(i->seccomp_errno), strempty(syscalls));
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

static int parse_u32(const char *s, uint32_t *ret) {
        uint64_t v;

        /* (uid_t) -1 is no ID. */
        if (parse_uint_max(s, UINT32_MAX - 1, &v) < 0)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

int stage1_confinement_parse(const char *text, Stage1Confinement *ret) {
        _cleanup_(stage1_confinement_done) Stage1Confinement c = {};
        _cleanup_strv_free_ char **lines = NULL;
        unsigned seen = 0;
        int r;

        r = strv_split(text, "\n", &lines);
        if (r < 0)
                return r;
        STRV_FOREACH(l, lines) {
                char *v = strchr(*l, '=');
                const char *k = *l;
                uint32_t u;

                if (!v)
                        return -EINVAL;
                *v++ = 0;
                if (streq(k, "uid")) {
                        if (parse_u32(v, &u) < 0)
                                return -EINVAL;
                        c.uid = u;
                        seen |= 1;
                } else if (streq(k, "gid")) {
                        if (parse_u32(v, &u) < 0)
                                return -EINVAL;
                        c.gid = u;
                        seen |= 2;
                } else if (streq(k, "groups")) {
                        _cleanup_strv_free_ char **g = NULL;
                        if (strv_split(v, " ", &g) < 0)
                                return -ENOMEM;
                        free(c.groups);
                        c.groups = calloc(strv_length(g) + 1, sizeof(gid_t));
                        c.n_groups = 0;
                        if (!c.groups)
                                return -ENOMEM;
                        STRV_FOREACH(s, g) {
                                if (parse_u32(*s, &u) < 0)
                                        return -EINVAL;
                                c.groups[c.n_groups++] = u;
                        }
                        seen |= 4;
                } else if (streq(k, "capabilities")) {
                        char *end;
                        if (streq(v, "all"))
                                c.isolation.restrict_capabilities = false;
                        else {
                                if (!startswith(v, "0x") || !isxdigit((unsigned char) v[2]))
                                        return -EINVAL;
                                errno = 0;
                                c.isolation.capabilities = strtoull(v + 2, &end, 16);
                                if (errno || *end)
                                        return -EINVAL;
                                c.isolation.restrict_capabilities = true;
                        }
                        seen |= 8;
                } else if (streq(k, "no-new-privileges")) {
                        if (!streq(v, "0") && !streq(v, "1"))
                                return -EINVAL;
                        c.isolation.no_new_privileges = streq(v, "1");
                        seen |= 16;
                } else if (streq(k, "seccomp")) {
                        size_t m;
                        for (m = 0; m < ELEMENTSOF(seccomp_mode_names); m++)
                                if (streq(v, seccomp_mode_names[m]))
                                        break;
                        if (m == ELEMENTSOF(seccomp_mode_names))
                                return -EINVAL;
                        c.isolation.seccomp = (Stage1SeccompMode) m;
                        seen |= 32;
                } else if (streq(k, "seccomp-errno")) {
                        free(c.isolation.seccomp_errno);
                        c.isolation.seccomp_errno = NULL;
                        if (*v) {
                                if (stage1_errno_from_name(v) < 0)
                                        return -EINVAL;
                                c.isolation.seccomp_errno = strdup(v);
                                if (!c.isolation.seccomp_errno)
                                        return -ENOMEM;
                        }
                        seen |= 64;
                } else if (streq(k, "syscalls")) {
                        strv_free(c.isolation.syscalls);
                        c.isolation.syscalls = NULL;
                        if (strv_split(v, " ", &c.isolation.syscalls) < 0)
                                return -ENOMEM;
                        STRV_FOREACH(s, c.isolation.syscalls)
                        if (!syscall_name_valid(*s))
                                return -EINVAL;
                        seen |= 128;
                } else
                        return -EINVAL;
        }
        if (seen != 255)
                return -EINVAL;
        if (c.isolation.seccomp == STAGE1_SECCOMP_NONE &&
            (strv_length(c.isolation.syscalls) > 0 || c.isolation.seccomp_errno))
                return -EINVAL;
        *ret = c;
        c = (Stage1Confinement){};
        return 0;
}

/* --- sysctls --- */

int stage1_sysctl_check(const char *name, const char *value, bool private_network, RktError **reterr) {
        static const char *const ipc[] = {
                "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
        };
        size_t l = strlen(name);
        bool ok = false;

        if (l == 0 || l > 200 || name[0] == '.' || name[l - 1] == '.' || strstr(name, "..") ||
            strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != l)
                return rkt_error_set(reterr, -EINVAL, "os/unix/sysctl: invalid sysctl name '%s'", name);
        /* The reaper prints what it sets to the pod's console: no terminal control of any kind (C0, DEL,
         * C1 in UTF-8). */
        for (const unsigned char *p = (const unsigned char *) value; *p; p++)
                if ((*p < 0x20 && *p != '\t') || *p == 0x7f ||
                    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
                        return rkt_error_set(reterr, -EINVAL, "os/unix/sysctl: invalid value for '%s'",
                                             name);
        for (size_t i = 0; i < ELEMENTSOF(ipc); i++)
                ok = ok || streq(name, ipc[i]);
        ok = ok || startswith(name, "fs.mqueue.");
        if (startswith(name, "net.")) {
                if (!private_network)
                        return rkt_error_set(
                                reterr, -EPERM,
                                "os/unix/sysctl: '%s' would change the host's network settings: "
                                "the pod shares the host's network namespace",
                                name);
                ok = true;
        }
        if (!ok)
                return rkt_error_set(reterr, -EPERM,
                                     "os/unix/sysctl: '%s' is not in a namespace of the pod (only net.*, "
                                     "kernel.msg*, kernel.sem, kernel.shm* and fs.mqueue.* are): setting it "
                                     "would change the host",
                                     name);
        return 0;
}

int stage1_sysctl_file_format(const AppcKV *entries, size_t n, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s=%s\n", entries[i].name, entries[i].value);
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

/* --- volumes --- */

void stage1_mounts_free(Stage1Mount *m, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(m[i].volume);
                free(m[i].path);
                free(m[i].source);
                free(m[i].mode);
        }
        free(m);
}

static int mount_add(Stage1Mount **l, size_t *n, const char *volume, const char *path, const AppcVolume *v,
                     bool read_only, bool recursive_default, bool implicit) {
        Stage1Mount *m = realloc(*l, (*n + 1) * sizeof(Stage1Mount));

        if (!m)
                return -ENOMEM;
        *l = m;
        m = &m[*n];
        *m = (Stage1Mount){
                .kind = v->kind,
                .read_only = read_only,
                .recursive = v->recursive == APPC_UNSET ? recursive_default : v->recursive == APPC_TRUE,
                .uid = v->uid,
                .gid = v->gid,
                .implicit = implicit,
        };
        m->volume = strdup(volume);
        m->path = strdup(path);
        m->source = v->source ? strdup(v->source) : NULL;
        m->mode = v->mode ? strdup(v->mode) : (v->kind == APPC_VOLUME_EMPTY ? strdup("0755") : NULL);
        (*n)++;
        if (!m->volume || !m->path || (v->source && !m->source) ||
            (v->kind == APPC_VOLUME_EMPTY && !m->mode))
                return -ENOMEM;
        return 0;
}

static const AppcVolume *find_volume(const AppcVolume *volumes, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(volumes[i].name, name))
                        return &volumes[i];
        return NULL;
}

int stage1_app_mounts(const AppcRuntimeApp *ra, const AppcApp *app, const AppcVolume *volumes,
                      size_t n_volumes, bool recursive_default, Stage1Mount **ret, size_t *ret_n,
                      RktError **reterr) {
        Stage1Mount *l = NULL;
        size_t n = 0;
        int r = 0;

        /* stage0 refuses such an image; a pod made by hand or by another stage0 gets here too. */
        for (size_t k = 0; app && k < app->n_mount_points; k++)
                for (size_t j = 0; j < k; j++)
                        if (streq(app->mount_points[k].name, app->mount_points[j].name))
                                return rkt_error_set(reterr, -EINVAL,
                                                     "app '%s': the image declares mount point '%s' twice "
                                                     "('%s' and '%s')",
                                                     ra->name, app->mount_points[k].name,
                                                     app->mount_points[j].path, app->mount_points[k].path);
        for (size_t i = 0; i < ra->n_mounts && r >= 0; i++) {
                const AppcMount *m = &ra->mounts[i];
                const AppcVolume *v = m->app_volume ?: find_volume(volumes, n_volumes, m->volume);
                bool ro = false;

                if (!v) {
                        r = rkt_error_set(reterr, -ENOENT,
                                          "app '%s': mount of volume '%s' at '%s': the pod has "
                                          "no such volume",
                                          ra->name, m->volume, m->path);
                        break;
                }
                for (size_t k = 0; app && k < app->n_mount_points; k++)
                        if (streq(app->mount_points[k].name, m->volume)) {
                                ro = app->mount_points[k].read_only;
                                break;
                        }
                if (v->read_only != APPC_UNSET)
                        ro = v->read_only == APPC_TRUE;
                r = mount_add(&l, &n, v->name, m->path, v, ro, recursive_default, false);
        }
        for (size_t k = 0; app && k < app->n_mount_points && r >= 0; k++) {
                const AppcMountPoint *mp = &app->mount_points[k];
                const AppcVolume *v;
                bool mounted = false, ro = mp->read_only;

                for (size_t i = 0; i < ra->n_mounts; i++)
                        mounted = mounted || streq(ra->mounts[i].path, mp->path);
                if (mounted)
                        continue;
                v = find_volume(volumes, n_volumes, mp->name);
                if (v) {
                        if (v->read_only != APPC_UNSET)
                                ro = v->read_only == APPC_TRUE;
                        r = mount_add(&l, &n, v->name, mp->path, v, ro, recursive_default, false);
                } else {
                        _cleanup_free_ char *name = NULL;
                        AppcVolume empty = {.kind = APPC_VOLUME_EMPTY,
                                            .read_only = APPC_UNSET,
                                            .recursive = APPC_UNSET,
                                            .mode = (char *) "0755"};
                        if (asprintf(&name, "%s-%s", ra->name, mp->name) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                        r = mount_add(&l, &n, name, mp->path, &empty, ro, recursive_default, true);
                }
        }
        if (r < 0) {
                stage1_mounts_free(l, n);
                return r;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}
