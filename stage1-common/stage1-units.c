/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/sysmacros.h>

#include "path.h"
#include "stage1-contract.h"
#include "strv.h"
#include "stage1-units.h"

/* An in-memory text builder: appends stay cheap and a failed allocation is reported once, at the end. */
typedef struct Text {
        FILE *f;
        char *buf;
        size_t size;
} Text;

static int text_open(Text *t) {
        *t = (Text){};
        t->f = open_memstream(&t->buf, &t->size);
        return t->f ? 0 : -ENOMEM;
}

static void text_done(Text *t) {
        if (t->f)
                fclose(t->f);
        free(t->buf);
        *t = (Text){};
}

static int text_finish(Text *t, char **ret) {
        bool err = ferror(t->f);
        int r = fclose(t->f);
        t->f = NULL;
        if (err || r != 0) {
                t->buf = mfree(t->buf);
                return -ENOMEM;
        }
        *ret = TAKE_PTR(t->buf);
        return 0;
}

/* Unit files expand "%" specifiers in most values. */
static void put_no_specifiers(FILE *f, const char *s) {
        for (; *s; s++) {
                if (*s == '%')
                        fputc('%', f);
                fputc(*s, f);
        }
}

/* One word of a command line, for systemd's unquoting with C escapes. */
static void put_exec_word(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                switch (*p) {
                case '"':
                        fputs("\\\"", f);
                        break;
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                case '%': /* specifiers */
                        fputs("%%", f);
                        break;
                case '$': /* environment variable substitution */
                        fputs("$$", f);
                        break;
                default:
                        /* Control characters, and every non-ASCII byte (so that a name that is not UTF-8
                         * survives the unit file parser, which wants valid UTF-8). */
                        if (*p < 0x20 || *p >= 0x7f)
                                fprintf(f, "\\x%02x", *p);
                        else
                                fputc(*p, f);
                }
        }
        fputc('"', f);
}

int stage1_exec_quote(char *const *argv, char **ret) {
        Text t;
        int r;

        if (!argv || !argv[0])
                return -EINVAL;
        r = text_open(&t);
        if (r < 0)
                return r;
        STRV_FOREACH(a, argv) {
                if (a != argv)
                        fputc(' ', t.f);
                put_exec_word(t.f, *a);
        }
        r = text_finish(&t, ret);
        text_done(&t);
        return r;
}

static const char *const reserved_units[] = {
        "default",
        "shutdown",
        "exit",
        "halt",
        "poweroff",
        "reboot",
        "ctrl-alt-del",
        "supervisor-ready",
        "systemd-journald",
        "systemd-exit",
        "systemd-halt",
        "systemd-poweroff",
        "systemd-journald-dev-log",
        "rkt-sysctl",
        "rkt-console",
};

bool stage1_unit_name_reserved(const char *app_name) {
        for (size_t i = 0; i < ELEMENTSOF(reserved_units); i++)
                if (streq(app_name, reserved_units[i]))
                        return true;
        /* The reapers: reaper-success@.service, reaper-failure@.service, reaper-exit.service. */
        return startswith(app_name, "reaper-") != NULL;
}

/* A value written verbatim after "Key=": no line breaks or control characters, no whitespace at the ends
 * (the parser strips it) and no trailing backslash (a line continuation). */
static bool unit_value_ok(const char *s) {
        size_t l = strlen(s);

        if (l == 0 || isspace((unsigned char) s[0]) || isspace((unsigned char) s[l - 1]) || s[l - 1] == '\\')
                return false;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

/* A path for the space-separated list of ReadWritePaths=: absolute, and nothing that the list would split or
 * unquote (nor ':', which nspawn's --bind= of the same volume cannot carry). */
static bool list_path_ok(const char *s) {
        if (!path_is_absolute(s) || !unit_value_ok(s))
                return false;
        for (const char *p = s; *p; p++)
                if (isspace((unsigned char) *p) || strchr("\\\"':", *p))
                        return false;
        return true;
}

/* "Key=" and each of the values, several per line (long lists, such as system calls, stay readable). */
static void put_list(FILE *f, const char *key, const char *prefix, char *const *values) {
        size_t col = 0;

        STRV_FOREACH(v, values) {
                if (col == 0 || col + 1 + strlen(*v) > 100) {
                        if (col > 0)
                                fputc('\n', f);
                        col = fprintf(f, "%s=%s%s", key, prefix, *v);
                } else
                        col += fprintf(f, " %s", *v);
        }
        if (col > 0)
                fputc('\n', f);
}

/* Files and directories of the kernel an app has no business with (rkt's list): hidden, or read-only. */
static const char *const hidden_paths[] = {
        "/proc/config.gz", "/proc/kallsyms", "/proc/sched_debug", "/proc/kcore",  "/proc/kmem",  "/proc/mem",
        "/sys/firmware/",  "/sys/fs/",       "/sys/hypervisor/",  "/sys/module/", "/sys/power/",
};
/* One entry per subtree: systemd re-reads the app's mountinfo for every entry when it makes it read-only,
 * a large part of an app's start time. /proc/sys/ covers rkt's core_pattern, modprobe and panic_on_oom,
 * /sys/ its block, bus, class, dev, devices and kernel (the rest of /sys is hidden above). */
static const char *const read_only_paths[] = {
        /* systemd mounts a proc of its own for the app (MountAPIVFS=), whose /proc/sys is writable; nspawn
         * leaves the pod's read-only, so the app's is too (rkt's apps saw the pod's). */
        "/proc/sys/",
        "/proc/bus/",
        "/proc/sysrq-trigger",
        "/sys/",
};

static int put_isolation(FILE *f, const Stage1Isolation *i) {
        if (i->restrict_capabilities) {
                _cleanup_free_ char *caps = NULL;
                int r = stage1_capabilities_format(i->capabilities, " ", &caps);
                if (r < 0)
                        return r;
                /* Empty: no capability at all. */
                fprintf(f, "CapabilityBoundingSet=%s\n", caps);
        }
        fprintf(f, "NoNewPrivileges=%s\n", i->no_new_privileges ? "yes" : "no");
        if (i->seccomp != STAGE1_SECCOMP_NONE) {
                /* Every line of a deny list starts with "~" (one without would take names out of it). */
                if (strv_length(i->syscalls) == 0)
                        fprintf(f, "SystemCallFilter=%s@default\n",
                                i->seccomp == STAGE1_SECCOMP_DENY ? "~" : "");
                put_list(f, "SystemCallFilter", i->seccomp == STAGE1_SECCOMP_DENY ? "~" : "", i->syscalls);
                if (i->seccomp_errno)
                        fprintf(f, "SystemCallErrorNumber=%s\n", i->seccomp_errno);
        }
        if (i->memory_max_set)
                fprintf(f, "MemoryMax=%" PRIu64 "\n", i->memory_max);
        if (i->cpu_quota_set) {
                /* 1000 thousandths of a CPU are 100%; systemd takes one decimal. */
                fprintf(f, "CPUQuota=%" PRIu64, i->cpu_quota_milli / 10);
                if (i->cpu_quota_milli % 10)
                        fprintf(f, ".%" PRIu64, i->cpu_quota_milli % 10);
                fputs("%\n", f);
        }
        if (i->cpu_weight_set)
                fprintf(f, "CPUWeight=%" PRIu64 "\n", i->cpu_weight);
        if (i->oom_score_adj_set)
                fprintf(f, "OOMScoreAdjust=%d\n", i->oom_score_adj);
        return 0;
}

int stage1_app_unit(const Stage1App *app, char **ret) {
        _cleanup_free_ char *exec = NULL;
        const char *wd = app->working_directory ?: "/";
        const char *out;
        Text t;
        int r;

        if (isempty(app->name) || !app->exec || !app->exec[0] || !path_is_absolute(app->exec[0]))
                return -EINVAL;
        /* "-" and "~" would mean "ignore if missing" and "the user's home" to systemd. */
        if (wd[0] != '/' || !unit_value_ok(wd))
                return -EINVAL;
        if (app->image_name && !unit_value_ok(app->image_name))
                return -EINVAL;
        STRV_FOREACH(w, app->writable_paths)
        if (!list_path_ok(*w))
                return -EINVAL;
        for (char **const *h = app->pre_start; h && *h; h++)
                if (!(*h)[0] || !path_is_absolute((*h)[0]))
                        return -EINVAL;
        for (char **const *h = app->post_stop; h && *h; h++)
                if (!(*h)[0] || !path_is_absolute((*h)[0]))
                        return -EINVAL;
        r = stage1_exec_quote(app->exec, &exec);
        if (r < 0)
                return r;

        r = text_open(&t);
        if (r < 0)
                return r;
        FILE *f = t.f;

        fputs("[Unit]\n", f);
        fprintf(f, "Description=Application=%s", app->name);
        if (app->image_name) {
                fputs(" Image=", f);
                put_no_specifiers(f, app->image_name);
        }
        fputc('\n', f);
        /* The pod has no sysinit/basic targets; everything an app needs is listed here. */
        fputs("DefaultDependencies=no\n", f);
        /* journald's sockets are listening before any unit runs, and an app's output waits in them: the
         * app starts while journald does. What must come after journald is the pod's end, so that the
         * output of an app that exits at once is read first: the reapers are ordered after it. */
        fputs("Wants=systemd-journald.service\n", f);
        fputs("After=systemd-journald.socket\n", f);
        /* Reaching default.target (READY=1, supervisor-status) means every app has been started. */
        fputs("Before=default.target\n", f);
        /* Stopped by exit/halt/poweroff (what DefaultDependencies= would have added). */
        fputs("Conflicts=shutdown.target\n", f);
        fputs("Before=shutdown.target\n", f);
        /* The reaper records the exit status and ends the pod. Two templates, because systemd passes the
         * MONITOR_* variables only when a unit is the target of a single OnSuccess=/OnFailure=. */
        fprintf(f, "OnSuccess=reaper-success@%s.service\n", app->name);
        fprintf(f, "OnFailure=reaper-failure@%s.service\n", app->name);
        if (app->after_sysctl) {
                fputs("Requires=rkt-sysctl.service\n", f);
                fputs("After=rkt-sysctl.service\n", f);
        }
        if (app->socket_activated) {
                fprintf(f, "Requires=%s.socket\n", app->name);
                fprintf(f, "After=%s.socket\n", app->name);
        }

        fputs("\n[Service]\n", f);
        /* exec: the start job completes once the binary has been executed (a missing binary fails it). */
        fputs("Type=exec\n", f);
        fputs("Restart=no\n", f);
        fprintf(f, "RootDirectory=/" STAGE2_DIR "/%s/" STAGE2_ROOTFS "\n", app->name);
        /* The app gets its own /proc, /sys and /dev inside its root. */
        fputs("MountAPIVFS=yes\n", f);
        fputs("WorkingDirectory=", f);
        put_no_specifiers(f, wd);
        fputc('\n', f);
        fprintf(f, "EnvironmentFile=/rkt/env/%s\n", app->name);
        fprintf(f, "User=%" PRIu32 "\n", (uint32_t) app->uid);
        fprintf(f, "Group=%" PRIu32 "\n", (uint32_t) app->gid);
        if (app->n_supplementary_gids > 0) {
                fputs("SupplementaryGroups=", f);
                for (size_t i = 0; i < app->n_supplementary_gids; i++)
                        fprintf(f, "%s%" PRIu32, i > 0 ? " " : "", (uint32_t) app->supplementary_gids[i]);
                fputc('\n', f);
        }
        fprintf(f, "SyslogIdentifier=%s\n", app->name);
        out = app->interactive ? "tty" : "journal+console";
        fprintf(f, "StandardInput=%s\n", app->interactive ? "tty" : "null");
        fprintf(f, "StandardOutput=%s\n", out);
        fprintf(f, "StandardError=%s\n", out);
        for (char **const *h = app->pre_start; h && *h; h++) {
                _cleanup_free_ char *q = NULL;
                r = stage1_exec_quote(*h, &q);
                if (r < 0)
                        goto fail;
                /* "!": as root (rkt 1.30 set PermissionsStartOnly=), still in the app's root and sandbox. */
                fprintf(f, "ExecStartPre=!%s\n", q);
        }
        fprintf(f, "ExecStart=%s\n", exec);
        for (char **const *h = app->post_stop; h && *h; h++) {
                _cleanup_free_ char *q = NULL;
                r = stage1_exec_quote(*h, &q);
                if (r < 0)
                        goto fail;
                fprintf(f, "ExecStopPost=!%s\n", q);
        }
        if (app->isolation) {
                r = put_isolation(f, app->isolation);
                if (r < 0)
                        goto fail;
        }
        /* Paths below are the pod's: systemd applies them before it changes into RootDirectory=. */
        if (app->protect_paths) {
                fputs("DevicePolicy=closed\n", f);
                STRV_FOREACH(d, app->device_allow)
                fprintf(f, "DeviceAllow=%s\n", *d);
                for (size_t i = 0; i < ELEMENTSOF(hidden_paths); i++)
                        if (!app->own_sys || !startswith(hidden_paths[i], "/sys/"))
                                fprintf(f, "InaccessiblePaths=-/" STAGE2_DIR "/%s/" STAGE2_ROOTFS "%s\n",
                                        app->name, hidden_paths[i]);
                for (size_t i = 0; i < ELEMENTSOF(read_only_paths); i++)
                        if (!app->own_sys || !startswith(read_only_paths[i], "/sys/"))
                                fprintf(f, "ReadOnlyPaths=-/" STAGE2_DIR "/%s/" STAGE2_ROOTFS "%s\n",
                                        app->name, read_only_paths[i]);
        }
        if (app->bind_hostname)
                fputs("BindReadOnlyPaths=/proc/sys/kernel/hostname:/etc/hostname\n", f);
        if (app->read_only_rootfs) {
                fprintf(f, "ReadOnlyPaths=/" STAGE2_DIR "/%s/" STAGE2_ROOTFS "\n", app->name);
                /* What systemd mounts for the app stays writable (/dev/null, /dev/shm, /proc/self/...). */
                fprintf(f, "ReadWritePaths=-/" STAGE2_DIR "/%s/" STAGE2_ROOTFS "/dev\n", app->name);
                fprintf(f, "ReadWritePaths=-/" STAGE2_DIR "/%s/" STAGE2_ROOTFS "/proc\n", app->name);
                STRV_FOREACH(w, app->writable_paths) {
                        fprintf(f, "ReadWritePaths=-/" STAGE2_DIR "/%s/" STAGE2_ROOTFS, app->name);
                        put_no_specifiers(f, streq(*w, "/") ? "" : *w);
                        fputc('\n', f);
                }
        }

        r = text_finish(&t, ret);
fail:
        text_done(&t);
        return r;
}

int stage1_device_allow(const struct stat *st, bool read_only, char **ret) {
        char *s;

        if (!S_ISCHR(st->st_mode) && !S_ISBLK(st->st_mode))
                return -EINVAL;
        if (asprintf(&s, "/dev/%s/%u:%u %s", S_ISCHR(st->st_mode) ? "char" : "block", major(st->st_rdev),
                     minor(st->st_rdev), read_only ? "r" : "rw") < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int stage1_env_file_format(char *const *env, char **ret) {
        Text t;
        int r;

        r = text_open(&t);
        if (r < 0)
                return r;
        STRV_FOREACH(e, env) {
                const char *eq = strchr(*e, '=');
                if (!eq || eq == *e) {
                        text_done(&t);
                        return -EINVAL;
                }
                fprintf(t.f, "%.*s=\"", (int) (eq - *e), *e);
                for (const char *p = eq + 1; *p; p++) {
                        if (strchr("\\\"`$", *p))
                                fputc('\\', t.f);
                        fputc(*p, t.f);
                }
                fputs("\"\n", t.f);
        }
        r = text_finish(&t, ret);
        text_done(&t);
        return r;
}

int stage1_env_file_parse(const char *text, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p = text;

        while (*p) {
                _cleanup_free_ char *kv = NULL;
                const char *eq, *nl;
                size_t klen;
                Text t;
                int r;

                if (*p == '\n') {
                        p++;
                        continue;
                }
                eq = strchr(p, '=');
                nl = strchr(p, '\n');
                if (!eq || (nl && nl < eq) || eq == p)
                        return -EINVAL;
                klen = eq - p;
                r = text_open(&t);
                if (r < 0)
                        return r;
                fprintf(t.f, "%.*s=", (int) klen, p);
                p = eq + 1;
                if (*p == '"') {
                        for (p++; *p && *p != '"'; p++) {
                                if (*p == '\\' && p[1]) {
                                        p++;
                                        if (!strchr("\\\"`$", *p))
                                                fputc('\\', t.f);
                                }
                                fputc(*p, t.f);
                        }
                        if (*p != '"') {
                                text_done(&t);
                                return -EINVAL;
                        }
                        p++;
                        if (*p && *p != '\n') {
                                text_done(&t);
                                return -EINVAL;
                        }
                } else {
                        for (; *p && *p != '\n'; p++)
                                fputc(*p, t.f);
                }
                r = text_finish(&t, &kv);
                text_done(&t);
                if (r < 0)
                        return r;
                r = strv_push(&l, kv);
                if (r < 0)
                        return r;
                kv = NULL;
        }
        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

void stage1_user_done(Stage1User *u) {
        free(u->name);
        free(u->home);
        free(u->shell);
        *u = (Stage1User){};
}

/* A decimal id as passwd and group files and rkt's manifests write it; 2^32-1 is (uid_t) -1, invalid. */
static int parse_id(const char *s, size_t len, uint32_t *ret) {
        uint64_t v = 0;

        if (len == 0 || len > 10)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (!isdigit((unsigned char) s[i]))
                        return -EINVAL;
                v = v * 10 + (s[i] - '0');
        }
        if (v >= UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

/* Splits one line of a colon-separated database into at most n fields (pointers into a copy). */
static int split_fields(const char *line, size_t len, char **ret_copy, char **fields, size_t n) {
        char *copy = strndup(line, len), *s;
        size_t i = 0;

        if (!copy)
                return -ENOMEM;
        for (s = copy; i < n; i++) {
                fields[i] = s;
                s = strchr(s, ':');
                if (!s) {
                        i++;
                        break;
                }
                *s++ = 0;
        }
        *ret_copy = copy;
        return (int) i;
}

int stage1_passwd_lookup(const char *passwd, const char *key, Stage1User *ret) {
        uint32_t want_uid = 0;
        /* "root" is uid 0 whatever the image's files say, as in rkt 1.30 (an image may have none). */
        bool numeric = streq_ptr(key, "root") || parse_id(key, strlen(key), &want_uid) >= 0;
        const char *p = passwd;

        if (isempty(key))
                return -EINVAL;
        while (p && *p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                _cleanup_free_ char *copy = NULL;
                char *f[7];
                uint32_t uid, gid;
                int n;

                n = split_fields(p, len, &copy, f, ELEMENTSOF(f));
                if (n < 0)
                        return n;
                p = nl ? nl + 1 : NULL;
                if (n < 7 || f[0][0] == '#' || f[0][0] == '+' || f[0][0] == '-')
                        continue;
                if (parse_id(f[2], strlen(f[2]), &uid) < 0 || parse_id(f[3], strlen(f[3]), &gid) < 0)
                        continue;
                if (numeric ? uid != want_uid : !streq(f[0], key))
                        continue;

                Stage1User u = {.uid = uid, .gid = gid};
                u.name = strdup(f[0]);
                u.home = strdup(f[5]);
                u.shell = strdup(f[6]);
                if (!u.name || !u.home || !u.shell) {
                        stage1_user_done(&u);
                        return -ENOMEM;
                }
                *ret = u;
                return 0;
        }
        if (!numeric)
                return -ENOENT;
        *ret = (Stage1User){.uid = want_uid, .gid = want_uid};
        return 0;
}

int stage1_group_lookup(const char *group, const char *key, gid_t *ret) {
        uint32_t want = 0;
        const char *p = group;

        if (isempty(key))
                return -EINVAL;
        if (streq(key, "root") || parse_id(key, strlen(key), &want) >= 0) {
                *ret = want;
                return 0;
        }
        while (p && *p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                _cleanup_free_ char *copy = NULL;
                char *f[4];
                uint32_t gid;
                int n;

                n = split_fields(p, len, &copy, f, ELEMENTSOF(f));
                if (n < 0)
                        return n;
                p = nl ? nl + 1 : NULL;
                if (n < 3 || !streq(f[0], key) || parse_id(f[2], strlen(f[2]), &gid) < 0)
                        continue;
                *ret = gid;
                return 0;
        }
        return -ENOENT;
}

static bool env_has(char *const *env, const char *name) {
        size_t l = strlen(name);
        STRV_FOREACH(e, env) {
                if (strncmp(*e, name, l) == 0 && (*e)[l] == '=')
                        return true;
        }
        return false;
}

int stage1_env_put(char ***env, const char *name, const char *value, bool replace) {
        _cleanup_free_ char *kv = NULL;
        size_t l = strlen(name);
        int r;

        if (asprintf(&kv, "%s=%s", name, value) < 0)
                return -ENOMEM;
        for (char **e = *env; e && *e; e++)
                if (strncmp(*e, name, l) == 0 && (*e)[l] == '=') {
                        if (!replace)
                                return 0;
                        free(*e);
                        *e = TAKE_PTR(kv);
                        return 0;
                }
        r = strv_push(env, kv);
        if (r < 0)
                return r;
        kv = NULL;
        return 0;
}

int stage1_enter_environment(const char *env_file, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        const char *term = getenv("TERM");
        int r;

        r = stage1_env_file_parse(env_file, &env);
        if (r < 0)
                return r;
        /* What is entered is typically interactive, in the caller's terminal (rkt 1.30). */
        r = stage1_env_put(&env, "TERM", !isempty(term) ? term : "vt100", true);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(env);
        return 0;
}

int stage1_app_environment(const AppcKV *env_in, size_t n_env, const char *app_name, const Stage1User *user,
                           const char *metadata_url, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        bool known = user && user->name;
        int r;

        for (size_t i = 0; i < n_env; i++) {
                /* A name given twice: the first wins, as the manifest's reader (appc's Get) sees it. */
                if (env_has(env, env_in[i].name))
                        continue;
                r = stage1_env_put(&env, env_in[i].name, env_in[i].value, false);
                if (r < 0)
                        return r;
        }
        const struct {
                const char *name, *value;
        } defaults[] = {
                {"PATH", STAGE1_DEFAULT_PATH},
                {"HOME", known && !isempty(user->home) ? user->home : "/root"},
                {"USER", known ? user->name : "root"},
                {"LOGNAME", known ? user->name : "root"},
                {"SHELL", known && !isempty(user->shell) ? user->shell : "/bin/sh"},
        };
        for (size_t i = 0; i < ELEMENTSOF(defaults); i++) {
                r = stage1_env_put(&env, defaults[i].name, defaults[i].value, false);
                if (r < 0)
                        return r;
        }
        r = stage1_env_put(&env, "AC_APP_NAME", app_name, true);
        if (r < 0)
                return r;
        if (metadata_url) {
                r = stage1_env_put(&env, "AC_METADATA_URL", metadata_url, true);
                if (r < 0)
                        return r;
        }
        r = stage1_env_put(&env, "container", "rkt", true);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(env);
        return 0;
}

int stage1_metadata_url(const char *host, unsigned port, const char *token, char **ret) {
        bool v6 = strchr(host, ':') != NULL;

        if (isempty(host) || isempty(token) || strchr(token, '/'))
                return -EINVAL;
        return asprintf(ret, "http://%s%s%s:%u/%s", v6 ? "[" : "", host, v6 ? "]" : "", port, token) < 0
                       ? -ENOMEM
                       : 0;
}
