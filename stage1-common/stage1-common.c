/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/magic.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <systemd/sd-daemon.h> /* SD_LISTEN_FDS_START only: nothing of libsystemd is linked */

#include "appc.h"
#include "fd-util.h"
#include "fs.h"
#include "log.h"
#include "pod-name.h"
#include "stage1-common.h"
#include "stage1-exec.h"
#include "strv.h"
#include "sysbus.h"
#include "util.h"

bool stage1_uuid_valid(const char *s) {
        if (!s || strlen(s) != 36)
                return false;
        for (size_t i = 0; i < 36; i++) {
                if (i == 8 || i == 13 || i == 18 || i == 23) {
                        if (s[i] != '-')
                                return false;
                } else if (!isdigit((unsigned char) s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
                        return false;
        }
        return true;
}

void stage1_machine_id(const char *uuid, char ret[static 33]) {
        size_t n = 0;

        for (const char *p = uuid; *p && n < 32; p++)
                if (*p != '-')
                        ret[n++] = *p;
        ret[n] = 0;
}

int stage1_machine_name(const char *uuid, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t n = 0;

        /* Written by stage0 when it claimed the name; checked again, as any file of the pod. */
        if (read_regular_file_at(AT_FDCWD, POD_NAME_FILE, POD_NAME_MAX + 2, &text, &n) >= 0) {
                while (n > 0 && text[n - 1] == '\n')
                        text[--n] = 0;
                if (pod_name_valid(text)) {
                        *ret = TAKE_PTR(text);
                        return 0;
                }
        }
        return asprintf(ret, "rkt-%s", uuid) < 0 ? -ENOMEM : 0;
}

int stage1_scope_name(const char *uuid, char **ret) {
        _cleanup_free_ char *name = NULL;
        char *s, *p;
        int r = stage1_machine_name(uuid, &name);

        if (r < 0)
                return r;
        /* systemd's unit name escaping of the machine name: of its characters, only the dashes need it. */
        s = malloc(STRLEN("machine-") + 4 * strlen(name) + STRLEN(".scope") + 1);
        if (!s)
                return -ENOMEM;
        p = stpcpy(s, "machine-");
        for (const char *u = name; *u; u++) {
                if (*u == '-')
                        p = stpcpy(p, "\\x2d");
                else
                        *p++ = *u;
        }
        strcpy(p, ".scope");
        *ret = s;
        return 0;
}

/* The implementations are shared with stage0 (fd-util.h), which reads pod trees the same way. */
int stage1_open_in_root_walk(int rootfd, const char *path, int flags) {
        return open_in_root_walk(rootfd, path, flags);
}

int stage1_open_in_root(int rootfd, const char *path, int flags) {
        return open_in_root(rootfd, path, flags);
}

int stage1_read_in_root(int rootfd, const char *path, char **ret) {
        return read_file_in_root(rootfd, path, 64 * 1024 * 1024, ret, NULL);
}

int stage1_write_file_at(int dirfd, const char *path, const char *text, mode_t mode) {
        return write_file_replace_at(dirfd, path, text, strlen(text), mode);
}

int stage1_symlink_at(int dirfd, const char *target, const char *path) {
        if (symlinkat(target, dirfd, path) >= 0)
                return 0;
        if (errno != EEXIST)
                return negative_errno();
        if (unlinkat(dirfd, path, 0) < 0 && errno != ENOENT)
                return negative_errno();
        return symlinkat(target, dirfd, path) < 0 ? negative_errno() : 0;
}

static bool is_fs_type(const char *path, long type) {
        struct statfs s;
        return statfs(path, &s) >= 0 && s.f_type == type;
}

bool stage1_cgroup_unified(void) {
        return is_fs_type("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC);
}

int stage1_cgroup_hierarchies(CgroupHierarchy ret[static 2]) {
        int n = 0;

        if (is_fs_type("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC)) {
                ret[n++] = (CgroupHierarchy){"/sys/fs/cgroup", true};
                return n;
        }
        if (is_fs_type("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC))
                ret[n++] = (CgroupHierarchy){"/sys/fs/cgroup/unified", true};
        if (is_fs_type("/sys/fs/cgroup/systemd", CGROUP_SUPER_MAGIC))
                ret[n++] = (CgroupHierarchy){"/sys/fs/cgroup/systemd", false};
        return n;
}

int stage1_cgroup_parse(const char *text, bool unified, char **ret) {
        for (const char *p = text; p && *p;) {
                const char *nl = strchr(p, '\n'), *rest;
                size_t len = nl ? (size_t) (nl - p) : strlen(p);

                /* "ID:CONTROLLERS:PATH" */
                rest = memchr(p, ':', len);
                if (rest) {
                        const char *ctl = rest + 1, *path = memchr(ctl, ':', len - (ctl - p));
                        if (path) {
                                size_t ctl_len = path - ctl;
                                bool match = unified ? (rest - p == 1 && p[0] == '0' && ctl_len == 0)
                                                     : (ctl_len == STRLEN("name=systemd") &&
                                                        strncmp(ctl, "name=systemd", ctl_len) == 0);
                                if (match) {
                                        char *s = strndup(path + 1, len - (path + 1 - p));
                                        if (!s)
                                                return -ENOMEM;
                                        *ret = s;
                                        return 0;
                                }
                        }
                }
                p = nl ? nl + 1 : NULL;
        }
        return -ENOENT;
}

int stage1_cgroup_of_pid(pid_t pid, bool unified, char **ret) {
        _cleanup_free_ char *text = NULL;
        char path[64];
        int r;

        if (pid == 0)
                snprintf(path, sizeof(path), "/proc/self/cgroup");
        else
                snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) pid);
        r = read_full_file_at(AT_FDCWD, path, &text, NULL);
        if (r < 0)
                return r;
        return stage1_cgroup_parse(text, unified, ret);
}

int stage1_terminate_machine(const char *uuid) {
        _cleanup_(sysbus_closep) SysBus *bus = NULL;
        _cleanup_free_ char *name = NULL, *error = NULL;
        SysBusMessage reply;
        int r;

        if (!stage1_systemd_booted() || sysbus_open_system(&bus) < 0)
                return 0;
        if (stage1_machine_name(uuid, &name) < 0)
                return -ENOMEM;
        r = sysbus_call(bus, "org.freedesktop.machine1", "/org/freedesktop/machine1",
                        "org.freedesktop.machine1.Manager", "TerminateMachine", STRV_MAKE(name), &reply,
                        &error);
        if (r == -EREMOTEIO && streq_ptr(error, "org.freedesktop.machine1.NoSuchMachine"))
                return 0;
        return r < 0 ? r : 1;
}

bool stage1_systemd_booted(void) {
        struct stat st;

        return lstat("/run/systemd/system/", &st) >= 0 && S_ISDIR(st.st_mode);
}

int stage1_cgroup_unit(const char *path, char **ret) {
        const char *p = path, *end;
        size_t len;

        for (;; p = end) {
                p += strspn(p, "/");
                end = p + strcspn(p, "/");
                len = (size_t) (end - p);
                if (len <= STRLEN(".slice") ||
                    strncmp(end - STRLEN(".slice"), ".slice", STRLEN(".slice")) != 0)
                        break;
        }
        /* systemd escapes a cgroup name that could be taken for something else with a leading '_'. */
        if (len > 0 && *p == '_') {
                p++;
                len--;
        }
        if (len == 0 || !memchr(p, '.', len) || *p == '.' || p[len - 1] == '.')
                return -ENXIO;
        *ret = strndup(p, len);
        return *ret ? 0 : -ENOMEM;
}

int stage1_own_unit(char **ret) {
        _cleanup_free_ char *path = NULL;

        /* The hierarchy systemd tracks units in: the unified one where it is the only one, else its named
         * v1 one. The kernel lists a v1 hierarchy that exists anywhere on it, mounted here or not, so
         * which line counts follows what is mounted at /sys/fs/cgroup, as systemd decides it. */
        if (stage1_cgroup_of_pid(0, stage1_cgroup_unified(), &path) < 0)
                return -ENXIO;
        return stage1_cgroup_unit(path, ret);
}

int stage1_notify(const char *message) {
        const char *socket_path = getenv("NOTIFY_SOCKET");
        struct sockaddr_un sa;
        _cleanup_close_ int fd = -1;
        socklen_t len;
        int r;

        if (!socket_path)
                return 0;
        r = sockaddr_un_from(socket_path, &sa, &len);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (sendto(fd, message, strlen(message), MSG_NOSIGNAL, (struct sockaddr *) &sa, len) < 0)
                return -errno;
        return 1;
}

int stage1_enter_parse_args(int argc, char **argv, pid_t *ret_pid, const char **ret_app, char ***ret_cmd,
                            RktError **reterr) {
        pid_t pid = 0;
        const char *app = NULL;
        static const struct option options[] = {
                {"pid", required_argument, NULL, 'p'},
                {"appname", required_argument, NULL, 'a'},
                {},
        };
        int c;

        opterr = 0;
        /* "+": stop at the first non-option, CMD's own options are not ours. */
        while ((c = getopt_long(argc, argv, "+", options, NULL)) >= 0) {
                switch (c) {
                case 'p':
                        if (stage1_parse_pid(optarg, &pid) < 0)
                                return rkt_error_set(reterr, -EINVAL, "invalid --pid='%s'", optarg);
                        break;
                case 'a':
                        if (!appc_ac_name_valid(optarg))
                                return rkt_error_set(reterr, -EINVAL, "invalid --appname='%s'", optarg);
                        app = optarg;
                        break;
                default:
                        return rkt_error_set(reterr, -EINVAL, "unknown or incomplete option '%s'",
                                             argv[optind - 1]);
                }
        }
        if (pid == 0 || !app)
                return rkt_error_set(reterr, -EINVAL, "--pid= and --appname= are required");
        if (optind >= argc)
                return rkt_error_set(reterr, -EINVAL, "no command given");
        *ret_pid = pid;
        *ret_app = app;
        *ret_cmd = argv + optind;
        return 0;
}

int stage1_stop_args(int argc, char **argv, bool *ret_force) {
        static const struct option options[] = {
                {"force", no_argument, NULL, 'f'},
                {},
        };
        bool force = false;
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (c != 'f') {
                        log_error("stop: unknown option '%s'; usage: stop [--force] UUID", argv[optind - 1]);
                        return -EINVAL;
                }
                force = true;
        }
        if (optind != argc - 1 || !stage1_uuid_valid(argv[optind])) {
                log_error("stop: usage: stop [--force] UUID");
                return -EINVAL;
        }
        *ret_force = force;
        return 0;
}

int stage1_stop_main(int argc, char **argv, int (*stop)(bool force, RktError **reterr),
                     const char *error_prefix) {
        _cleanup_error_ RktError *error = NULL;
        bool force;
        int r;

        log_set_prefix("stage1");
        if (stage1_stop_args(argc, argv, &force) < 0)
                return STAGE1_EXIT_FAILURE;
        r = stop(force, &error);
        if (r < 0) {
                log_error("%s%s", error_prefix, rkt_error_message(error, r));
                return STAGE1_EXIT_FAILURE;
        }
        return 0;
}

int stage1_flag_bool(const char *name, const char *v, bool *ret, RktError **reterr) {
        int b;

        if (!v) {
                *ret = true;
                return 0;
        }
        b = parse_boolean(v);
        if (b < 0)
                return rkt_error_set(reterr, -EINVAL, "--%s: invalid boolean '%s'", name, v);
        *ret = b;
        return 0;
}

int stage1_run_args_finish(int argc, char **argv, NetDnsConfig *dns, const char **ret_uuid,
                           RktError **reterr) {
        int r = net_dns_config_finish(dns, reterr);

        if (r < 0)
                return r;
        if (optind != argc - 1)
                return rkt_error_set(reterr, -EINVAL, "expected exactly one argument, the pod's UUID");
        if (!stage1_uuid_valid(argv[optind]))
                return rkt_error_set(reterr, -EINVAL, "invalid pod UUID '%s'", argv[optind]);
        *ret_uuid = argv[optind];
        return 0;
}

int stage1_run_main(int argc, char **argv, void *args, const bool *debug,
                    int (*parse)(int argc, char **argv, void *args, RktError **reterr),
                    int (*run)(const void *args, RktError **reterr)) {
        _cleanup_error_ RktError *error = NULL;
        int r;

        log_set_prefix("stage1");
        r = parse(argc, argv, args, &error);
        if (r >= 0) {
                if (*debug)
                        log_set_max_level(LOG_LEVEL_DEBUG);
                r = run(args, &error);
        }
        if (r < 0) {
                log_error("%s", rkt_error_message(error, r));
                /* rkt 1.30 left a missing volume source to nspawn, which exited 1. */
                return error && error->hint == RKT_HINT_VOLUME_SOURCE ? 1 : STAGE1_EXIT_FAILURE;
        }
        return r;
}

int stage1_gc_args(int argc, char **argv, const char **ret_uuid) {
        static const struct option options[] = {
                {"debug", optional_argument, NULL, 'd'},
                {"local-config", required_argument, NULL, 'l'},
                {},
        };
        int c;

        log_set_prefix("stage1");
        opterr = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (c == 'd') {
                        if (!optarg || parse_boolean(optarg) > 0)
                                log_set_max_level(LOG_LEVEL_DEBUG);
                } else if (c != 'l') {
                        log_error("gc: unknown option '%s'; usage: gc [--debug] [--local-config=DIR] UUID",
                                  argv[optind - 1]);
                        return -EINVAL;
                }
        }
        if (optind != argc - 1 || !stage1_uuid_valid(argv[optind])) {
                log_error("gc: usage: gc [--debug] [--local-config=DIR] UUID");
                return -EINVAL;
        }
        *ret_uuid = argv[optind];
        return 0;
}

int stage1_close_fds_but_lock(void) {
        return stage1_close_fds_but_lock_and_listen(0);
}

int stage1_close_fds_but_lock_and_listen(int n_listen) {
        const char *v = getenv("RKT_LOCK_FD");
        pid_t fd;
        int keep[1 + STAGE1_LISTEN_FDS_MAX];

        if (n_listen < 0 || n_listen > STAGE1_LISTEN_FDS_MAX)
                return -E2BIG;
        keep[0] = v && stage1_parse_pid(v, &fd) >= 0 ? (int) fd : -1;
        for (int i = 0; i < n_listen; i++)
                keep[1 + i] = SD_LISTEN_FDS_START + i;
        return close_all_fds_except(keep, 1 + (size_t) n_listen);
}
