/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "stage1-common.h"
#include "strv.h"
#include "stage1-unit-asserts.h"
#include "unit.h"
#include "stage1-isolation.h"
#include "stage1-units.h"

/* --- isolation (stage1-isolation.c) and its unit lines --- */

static const char groups_text[] = "@default\n"
                                  "    # System calls that are always permitted\n"
                                  "    brk\n"
                                  "    execve\n"
                                  "    exit_group\n"
                                  "\n"
                                  "@clock\n"
                                  "    # Change the system time\n"
                                  "    adjtimex\n"
                                  "    settimeofday\n"
                                  "\n"
                                  "@privileged\n"
                                  "    @clock\n"
                                  "    acct\n";

static void isolators(AppcIsolator **iso, size_t *n, const char *name, const char *json) {
        _cleanup_error_ RktError *e = NULL;
        int r = appc_isolators_add(iso, n, name, json, &e);
        if (r < 0) {
                print_error("%s: %s\n", name, rkt_error_message(e, r));
                fail();
        }
}

static void isolators_free(AppcIsolator *iso, size_t n) {
        while (n > 0) {
                _cleanup_free_ char *name = strdup(iso[0].name);
                assert_non_null(name);
                appc_isolators_remove(&iso, &n, name);
        }
        free(iso);
}

static void test_capability_names(void **state) {
        _cleanup_free_ char *s = NULL;

        assert_int_equal(stage1_capability_from_name("CAP_CHOWN"), 0);
        assert_int_equal(stage1_capability_from_name("cap_net_admin"), 12);
        assert_int_equal(stage1_capability_from_name("SYS_ADMIN"), 21);
        assert_int_equal(stage1_capability_from_name("CAP_CHECKPOINT_RESTORE"), STAGE1_CAP_LAST);
        assert_int_equal(stage1_capability_from_name("CAP_NOPE"), -EINVAL);
        assert_int_equal(stage1_capability_from_name(""), -EINVAL);
        assert_string_equal(stage1_capability_to_name(31), "CAP_SETFCAP");
        assert_null(stage1_capability_to_name(STAGE1_CAP_LAST + 1));
        /* appc's 14 defaults, as the kernel shows them in CapBnd */
        assert_true(stage1_caps_appc_default == UINT64_C(0xa80425fb));
        assert_int_equal(stage1_capabilities_format(STAGE1_CAP_BIT(12) | STAGE1_CAP_BIT(0), ",", &s), 0);
        assert_string_equal(s, "CAP_CHOWN,CAP_NET_ADMIN");
        free(s);
        assert_int_equal(stage1_capabilities_format(0, " ", &s), 0);
        assert_string_equal(s, "");
}

static void test_syscall_groups(void **state) {
        Stage1SyscallGroups g = {};
        _cleanup_strv_free_ char **l = NULL;

        assert_int_equal(stage1_syscall_groups_parse(groups_text, &g), 0);
        assert_int_equal(g.n, 3);
        assert_int_equal(stage1_syscall_groups_expand(&g, "@privileged", &l), 0);
        assert_int_equal(strv_length(l), 3);
        assert_string_equal(l[0], "adjtimex");
        assert_string_equal(l[1], "settimeofday");
        assert_string_equal(l[2], "acct");
        assert_int_equal(stage1_syscall_groups_expand(&g, "@nope", &l), -ENOENT);
        assert_int_equal(stage1_syscall_groups_expand(NULL, "@default", &l), -ENOENT);
        stage1_syscall_groups_done(&g);
        /* a member before any group */
        assert_int_equal(stage1_syscall_groups_parse("    brk\n", &g), -EINVAL);
        assert_int_equal(stage1_syscall_groups_parse("nogroup\n", &g), -EINVAL);
        /* nested groups that refer to each other do not loop */
        assert_int_equal(stage1_syscall_groups_parse("@a\n    @b\n@b\n    @a\n", &g), 0);
        assert_int_equal(stage1_syscall_groups_expand(&g, "@a", &l), -ELOOP);
        stage1_syscall_groups_done(&g);
        /* a group without members, a comment after a name, no newline at the end */
        l = strv_free(l);
        assert_int_equal(
                stage1_syscall_groups_parse("@empty\n@b # note\n\tkill # x\n    @empty\n  read", &g), 0);
        assert_int_equal(g.n, 2);
        assert_string_equal(g.names[1], "@b");
        assert_int_equal(stage1_syscall_groups_expand(&g, "@empty", &l), 0);
        assert_null(l);
        assert_int_equal(stage1_syscall_groups_expand(&g, "@b", &l), 0);
        assert_int_equal(strv_length(l), 2);
        assert_string_equal(l[0], "kill");
        assert_string_equal(l[1], "read");
        stage1_syscall_groups_done(&g);
        assert_int_equal(stage1_syscall_groups_parse("", &g), 0);
        assert_int_equal(g.n, 0);
        stage1_syscall_groups_done(&g);
}

static void test_errno_names(void **state) {
        assert_int_equal(stage1_errno_from_name("EPERM"), EPERM);
        assert_int_equal(stage1_errno_from_name("EACCES"), EACCES);
        assert_int_equal(stage1_errno_from_name("ENOTSUP"), ENOTSUP);
        assert_int_equal(stage1_errno_from_name("EOPNOTSUPP"), EOPNOTSUPP);
        assert_int_equal(stage1_errno_from_name("ENOPE"), -EINVAL);
        assert_int_equal(stage1_errno_from_name(""), -EINVAL);
}

static Stage1SyscallGroups *test_groups(void) {
        static Stage1SyscallGroups g;
        if (g.n == 0)
                assert_int_equal(stage1_syscall_groups_parse(groups_text, &g), 0);
        return &g;
}

static void test_isolation_defaults(void **state) {
        Stage1IsolationOptions o = {.groups = test_groups()};
        _cleanup_(stage1_isolation_done) Stage1Isolation i = {}, u = {};

        assert_int_equal(stage1_isolation_from_isolators(NULL, 0, 0, &o, &i, NULL), 0);
        assert_true(i.restrict_capabilities);
        assert_true(i.capabilities == stage1_caps_appc_default);
        assert_false(i.no_new_privileges);
        assert_int_equal(i.seccomp, STAGE1_SECCOMP_ALLOW);
        assert_null(i.seccomp_errno);
        /* rkt's whitelist, plus systemd's @default, sorted and unique */
        assert_true(strv_contains(i.syscalls, "read"));
        assert_true(strv_contains(i.syscalls, "clone3"));
        assert_true(strv_contains(i.syscalls, "brk"));
        assert_false(strv_contains(i.syscalls, "mount"));
        assert_false(strv_contains(i.syscalls, "sethostname"));
        for (size_t k = 1; i.syscalls[k]; k++)
                assert_true(strcmp(i.syscalls[k - 1], i.syscalls[k]) < 0);
        assert_false(i.memory_max_set || i.cpu_quota_set || i.cpu_weight_set || i.oom_score_adj_set);
        assert_null(i.ignored);

        /* not root, filtered: no_new_privs, as systemd implies it */
        assert_int_equal(stage1_isolation_from_isolators(NULL, 0, 1000, &o, &u, NULL), 0);
        assert_true(u.no_new_privileges);
        stage1_isolation_done(&u);
        /* ... but not without a filter */
        o.disable_seccomp = true;
        o.disable_capabilities = true;
        assert_int_equal(stage1_isolation_from_isolators(NULL, 0, 1000, &o, &u, NULL), 0);
        assert_false(u.no_new_privileges);
        assert_int_equal(u.seccomp, STAGE1_SECCOMP_NONE);
        assert_null(u.syscalls);
        assert_false(u.restrict_capabilities);
        stage1_isolation_done(&u);
        /* an allow list needs systemd's @default */
        o = (Stage1IsolationOptions){};
        assert_int_equal(stage1_isolation_from_isolators(NULL, 0, 0, &o, &u, NULL), -ENOENT);
}

static void test_isolation_capabilities(void **state) {
        Stage1IsolationOptions o = {.groups = test_groups()};
        AppcIsolator *iso = NULL;
        size_t n = 0;
        Stage1Isolation i = {};
        _cleanup_error_ RktError *e = NULL;

        isolators(&iso, &n, "os/linux/capabilities-retain-set",
                  "{\"set\":[\"CAP_NET_ADMIN\",\"cap_chown\"]}");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 0, &o, &i, NULL), 0);
        assert_true(i.capabilities == (STAGE1_CAP_BIT(12) | STAGE1_CAP_BIT(0)));
        stage1_isolation_done(&i);
        isolators_free(iso, n);
        iso = NULL;
        n = 0;

        isolators(&iso, &n, "os/linux/capabilities-remove-set", "{\"set\":[\"CAP_CHOWN\",\"CAP_KILL\"]}");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 0, &o, &i, NULL), 0);
        assert_true(i.capabilities == (stage1_caps_appc_default & ~(STAGE1_CAP_BIT(0) | STAGE1_CAP_BIT(5))));
        stage1_isolation_done(&i);

        isolators(&iso, &n, "os/linux/capabilities-retain-set", "{\"set\":[\"CAP_KILL\"]}");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 0, &o, &i, &e), -EINVAL);
        assert_non_null(strstr(rkt_error_message(e, -EINVAL), "exclude each other"));
        isolators_free(iso, n);
        iso = NULL;
        n = 0;
        e = rkt_error_free(e);

        isolators(&iso, &n, "os/linux/capabilities-retain-set", "{\"set\":[\"CAP_BOGUS\"]}");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 0, &o, &i, &e), -EINVAL);
        assert_non_null(strstr(rkt_error_message(e, -EINVAL), "unknown capability 'CAP_BOGUS'"));
        isolators_free(iso, n);
}

static void test_isolation_seccomp(void **state) {
        Stage1IsolationOptions o = {.groups = test_groups()};
        AppcIsolator *iso = NULL;
        size_t n = 0;
        Stage1Isolation i = {};
        _cleanup_error_ RktError *e = NULL;

        /* a remove set with an errno: a deny list of just those, sorted */
        isolators(&iso, &n, "os/linux/seccomp-remove-set",
                  "{\"set\":[\"umount2\",\"mkdir\",\"mkdir\"],\"errno\":\"ENOTSUP\"}");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 0, &o, &i, NULL), 0);
        assert_int_equal(i.seccomp, STAGE1_SECCOMP_DENY);
        assert_int_equal(strv_length(i.syscalls), 2);
        assert_string_equal(i.syscalls[0], "mkdir");
        assert_string_equal(i.syscalls[1], "umount2");
        assert_string_equal(i.seccomp_errno, "ENOTSUP");
        assert_false(i.no_new_privileges);
        stage1_isolation_done(&i);
        /* two seccomp isolators */
        isolators(&iso, &n, "os/linux/seccomp-retain-set", "{\"set\":[\"read\"]}");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 0, &o, &i, &e), -EINVAL);
        assert_non_null(strstr(rkt_error_message(e, -EINVAL), "more than one seccomp isolator"));
        isolators_free(iso, n);
        iso = NULL;
        n = 0;
        e = rkt_error_free(e);

        /* a retain set with a systemd group: the group expanded, @default added */
        isolators(&iso, &n, "os/linux/seccomp-retain-set", "{\"set\":[\"read\",\"@systemd/clock\"]}");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 1000, &o, &i, NULL), 0);
        assert_int_equal(i.seccomp, STAGE1_SECCOMP_ALLOW);
        assert_int_equal(strv_length(i.syscalls), 6);
        assert_string_equal(i.syscalls[0], "adjtimex");
        assert_string_equal(i.syscalls[1], "brk");
        assert_string_equal(i.syscalls[3], "exit_group");
        assert_string_equal(i.syscalls[4], "read");
        assert_true(i.no_new_privileges);
        stage1_isolation_done(&i);
        isolators_free(iso, n);
        iso = NULL;
        n = 0;

        /* @appc.io/all in a retain set: no filter, hence no forced no_new_privs */
        isolators(&iso, &n, "os/linux/seccomp-retain-set",
                  "{\"set\":[\"@appc.io/all\"],\"errno\":\"EPERM\"}");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 1000, &o, &i, NULL), 0);
        assert_int_equal(i.seccomp, STAGE1_SECCOMP_NONE);
        assert_null(i.syscalls);
        assert_null(i.seccomp_errno);
        assert_false(i.no_new_privileges);
        stage1_isolation_done(&i);
        isolators_free(iso, n);
        iso = NULL;
        n = 0;

        /* @appc.io/empty in a remove set: the default whitelist */
        isolators(&iso, &n, "os/linux/seccomp-remove-set", "{\"set\":[\"@appc.io/empty\"]}");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 0, &o, &i, NULL), 0);
        assert_int_equal(i.seccomp, STAGE1_SECCOMP_ALLOW);
        assert_true(strv_contains(i.syscalls, "openat"));
        stage1_isolation_done(&i);
        isolators_free(iso, n);
        iso = NULL;
        n = 0;

        /* rkt's blacklist wildcard */
        isolators(&iso, &n, "os/linux/seccomp-remove-set", "{\"set\":[\"@rkt/default-blacklist\"]}");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 0, &o, &i, NULL), 0);
        assert_int_equal(i.seccomp, STAGE1_SECCOMP_DENY);
        assert_true(strv_contains(i.syscalls, "mount"));
        assert_true(strv_contains(i.syscalls, "ptrace"));
        assert_false(strv_contains(i.syscalls, "read"));
        stage1_isolation_done(&i);
        isolators_free(iso, n);
        iso = NULL;
        n = 0;

        static const char *const bad[] = {
                "{\"set\":[\"@appc.io/empty\"]}", /* retain nothing */
                "{\"set\":[\"@nope/x\"]}",        "{\"set\":[\"@systemd/nope\"]}",
                "{\"set\":[\"Read!\"]}",          "{\"set\":[\"read\"],\"errno\":\"ENOPE\"}",
        };
        for (size_t k = 0; k < ELEMENTSOF(bad); k++) {
                isolators(&iso, &n, "os/linux/seccomp-retain-set", bad[k]);
                assert_true(stage1_isolation_from_isolators(iso, n, 0, &o, &i, NULL) < 0);
                isolators_free(iso, n);
                iso = NULL;
                n = 0;
        }
        isolators(&iso, &n, "os/linux/seccomp-remove-set", "{\"set\":[\"@appc.io/all\"]}");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 0, &o, &i, NULL), -EINVAL);
        isolators_free(iso, n);
}

static void test_isolation_resources(void **state) {
        Stage1IsolationOptions o = {.groups = test_groups()};
        AppcIsolator *iso = NULL;
        size_t n = 0;
        Stage1Isolation i = {};

        isolators(&iso, &n, "resource/memory", "{\"limit\":\"1G\",\"request\":\"1M\"}");
        isolators(&iso, &n, "resource/cpu", "{\"limit\":\"250m\"}");
        isolators(&iso, &n, "os/linux/cpu-shares", "512");
        isolators(&iso, &n, "os/linux/oom-score-adj", "-100");
        isolators(&iso, &n, "os/linux/no-new-privileges", "true");
        isolators(&iso, &n, "resource/network-bandwidth", "{\"default\":true,\"limit\":\"1M\"}");
        isolators(&iso, &n, "example.com/unknown", "{}");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 0, &o, &i, NULL), 0);
        assert_true(i.memory_max_set && i.memory_max == 1000000000);
        assert_true(i.cpu_quota_set && i.cpu_quota_milli == 250);
        assert_true(i.cpu_weight_set && i.cpu_weight == 50);
        assert_true(i.oom_score_adj_set && i.oom_score_adj == -100);
        assert_true(i.no_new_privileges);
        assert_int_equal(strv_length(i.ignored), 2);
        assert_string_equal(i.ignored[0], "resource/network-bandwidth");
        assert_string_equal(i.ignored[1], "example.com/unknown");
        stage1_isolation_done(&i);
        isolators_free(iso, n);
        iso = NULL;
        n = 0;

        /* shares convert as systemd converts them, within its weight range */
        isolators(&iso, &n, "os/linux/cpu-shares", "2");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 0, &o, &i, NULL), 0);
        assert_true(i.cpu_weight == 1);
        stage1_isolation_done(&i);
        isolators_free(iso, n);
        iso = NULL;
        n = 0;
        isolators(&iso, &n, "os/linux/cpu-shares", "262144");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 0, &o, &i, NULL), 0);
        assert_true(i.cpu_weight == 10000);
        stage1_isolation_done(&i);
        isolators_free(iso, n);
        iso = NULL;
        n = 0;

        isolators(&iso, &n, "resource/cpu", "{\"limit\":\"0\"}");
        assert_int_equal(stage1_isolation_from_isolators(iso, n, 0, &o, &i, NULL), -EINVAL);
        isolators_free(iso, n);
}

static void test_confinement_roundtrip(void **state) {
        gid_t groups[] = {1000, 1234};
        char *syscalls[] = {"mkdir", "rmdir", NULL};
        Stage1Confinement c = {
                .uid = 1000,
                .gid = 100,
                .groups = groups,
                .n_groups = 2,
                .isolation = {.restrict_capabilities = true,
                              .capabilities = stage1_caps_appc_default,
                              .no_new_privileges = true,
                              .seccomp = STAGE1_SECCOMP_DENY,
                              .syscalls = syscalls,
                              .seccomp_errno = "ENOTSUP"},
        };
        _cleanup_(stage1_confinement_done) Stage1Confinement p = {};
        _cleanup_free_ char *text = NULL;

        assert_int_equal(stage1_confinement_format(&c, &text), 0);
        assert_string_equal(
                text, "uid=1000\ngid=100\ngroups=1000 1234\ncapabilities=0xa80425fb\nno-new-privileges=1\n"
                      "seccomp=deny\nseccomp-errno=ENOTSUP\nsyscalls=mkdir rmdir\n");
        assert_int_equal(stage1_confinement_parse(text, &p), 0);
        assert_int_equal(p.uid, 1000);
        assert_int_equal(p.gid, 100);
        assert_int_equal(p.n_groups, 2);
        assert_int_equal(p.groups[1], 1234);
        assert_true(p.isolation.restrict_capabilities);
        assert_true(p.isolation.capabilities == stage1_caps_appc_default);
        assert_true(p.isolation.no_new_privileges);
        assert_int_equal(p.isolation.seccomp, STAGE1_SECCOMP_DENY);
        assert_string_equal(p.isolation.seccomp_errno, "ENOTSUP");
        assert_int_equal(strv_length(p.isolation.syscalls), 2);
        stage1_confinement_done(&p);

        /* no restriction at all is written as such */
        free(text);
        c = (Stage1Confinement){.uid = 0, .gid = 0};
        assert_int_equal(stage1_confinement_format(&c, &text), 0);
        assert_int_equal(stage1_confinement_parse(text, &p), 0);
        assert_false(p.isolation.restrict_capabilities);
        assert_int_equal(p.isolation.seccomp, STAGE1_SECCOMP_NONE);
        assert_int_equal(p.n_groups, 0);
        stage1_confinement_done(&p);

        /* anything missing, unknown or malformed: enter refuses to run */
        static const char *const bad[] = {
                "",
                "uid=0\ngid=0\ngroups=\ncapabilities=all\nno-new-privileges=0\nseccomp=none\nseccomp-errno="
                "\n",
                "uid=0\ngid=0\ngroups=\ncapabilities=all\nno-new-privileges=0\nseccomp=none\nseccomp-errno="
                "\nsyscalls=\nx=1\n",
                "uid=-1\ngid=0\ngroups=\ncapabilities=all\nno-new-privileges=0\nseccomp=none\nseccomp-errno="
                "\nsyscalls=\n",
                "uid=0\ngid=0\ngroups=\ncapabilities=fff\nno-new-privileges=0\nseccomp=none\nseccomp-errno="
                "\nsyscalls=\n",
                "uid=0\ngid=0\ngroups=\ncapabilities=all\nno-new-privileges=2\nseccomp=none\nseccomp-errno="
                "\nsyscalls=\n",
                "uid=0\ngid=0\ngroups=\ncapabilities=all\nno-new-privileges=0\nseccomp=maybe\nseccomp-errno="
                "\nsyscalls=\n",
                "uid=0\ngid=0\ngroups=\ncapabilities=all\nno-new-privileges=0\nseccomp=deny\nseccomp-errno="
                "ENOPE\nsyscalls=\n",
                "uid=0\ngid=0\ngroups=\ncapabilities=all\nno-new-privileges=0\nseccomp=deny\nseccomp-errno="
                "\nsyscalls=a;b\n",
                "uid=0\ngid=0\ngroups=\ncapabilities=all\nno-new-privileges=0\nseccomp=none\nseccomp-errno="
                "\nsyscalls=read\n",
        };
        for (size_t k = 0; k < ELEMENTSOF(bad); k++) {
                Stage1Confinement x = {};
                assert_int_equal(stage1_confinement_parse(bad[k], &x), -EINVAL);
        }
}

static void test_sysctl(void **state) {
        _cleanup_error_ RktError *e = NULL;
        _cleanup_free_ char *text = NULL;
        AppcKV kv[] = {{"kernel.shmmni", "1234"}, {"net.ipv4.ip_forward", "1"}};

        assert_int_equal(stage1_sysctl_check("kernel.shmmni", "1", false, NULL), 0);
        assert_int_equal(stage1_sysctl_check("kernel.shmmni", "1\x1b]0;x\x07", false, NULL), -EINVAL);
        assert_int_equal(stage1_sysctl_check("kernel.shmmni", "1\x7f", false, NULL), -EINVAL);
        assert_int_equal(stage1_sysctl_check("kernel.shmmni", "1\xc2\x9b", false, NULL), -EINVAL);
        assert_int_equal(stage1_sysctl_check("kernel.sem", "250\t32000", false, NULL), 0);
        assert_int_equal(stage1_sysctl_check("fs.mqueue.msg_max", "1", false, NULL), 0);
        assert_int_equal(stage1_sysctl_check("net.ipv4.ip_forward", "1", true, NULL), 0);
        assert_int_equal(stage1_sysctl_check("net.ipv4.ip_forward", "1", false, &e), -EPERM);
        assert_non_null(strstr(rkt_error_message(e, -EPERM), "host's network"));
        e = rkt_error_free(e);
        assert_int_equal(stage1_sysctl_check("vm.swappiness", "1", true, &e), -EPERM);
        assert_non_null(strstr(rkt_error_message(e, -EPERM), "not in a namespace of the pod"));
        assert_int_equal(stage1_sysctl_check("kernel.core_pattern", "|x", true, NULL), -EPERM);
        assert_int_equal(stage1_sysctl_check("../kernel/shmmni", "1", true, NULL), -EINVAL);
        assert_int_equal(stage1_sysctl_check("kernel..shmmni", "1", true, NULL), -EINVAL);
        assert_int_equal(stage1_sysctl_check("kernel.shmmni", "1\n2", true, NULL), -EINVAL);
        assert_int_equal(stage1_sysctl_file_format(kv, 2, &text), 0);
        assert_string_equal(text, "kernel.shmmni=1234\nnet.ipv4.ip_forward=1\n");
}

static size_t check_deny_lines(const char *text) {
        size_t n = 0;
        for (const char *line = text; line && *line;
             line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                size_t len = strcspn(line, "\n");
                if (strncmp(line, "SystemCallFilter=", STRLEN("SystemCallFilter=")) != 0)
                        continue;
                assert_true(line[STRLEN("SystemCallFilter=")] == '~');
                assert_true(len <= 100);
                n++;
        }
        return n;
}

static void test_device_allow(void **state) {
        struct stat st = {.st_mode = S_IFCHR | 0666, .st_rdev = makedev(1, 3)};
        char *s = NULL;

        (void) state;
        assert_int_equal(stage1_device_allow(&st, false, &s), 0);
        assert_string_equal(s, "/dev/char/1:3 rw");
        free(s);
        st = (struct stat){.st_mode = S_IFBLK | 0660, .st_rdev = makedev(259, 70000)};
        assert_int_equal(stage1_device_allow(&st, true, &s), 0);
        assert_string_equal(s, "/dev/block/259:70000 r");
        free(s);
        st.st_mode = S_IFREG | 0644;
        assert_int_equal(stage1_device_allow(&st, false, &s), -EINVAL);
        st.st_mode = S_IFDIR | 0755;
        assert_int_equal(stage1_device_allow(&st, true, &s), -EINVAL);
}

static void test_unit_isolation(void **state) {
        char *exec[] = {"/bin/app", NULL};
        char *pre0[] = {"/bin/pre", "a b", NULL}, *post0[] = {"/bin/post", NULL};
        char **pre[] = {pre0, NULL}, **post[] = {post0, NULL};
        char *syscalls[] = {"mkdir", "rmdir", NULL};
        char *writable[] = {"/data", "/var/lib/x", NULL};
        Stage1Isolation iso = {
                .restrict_capabilities = true,
                .capabilities = STAGE1_CAP_BIT(0) | STAGE1_CAP_BIT(12),
                .no_new_privileges = true,
                .seccomp = STAGE1_SECCOMP_DENY,
                .syscalls = syscalls,
                .seccomp_errno = "ENOTSUP",
                .memory_max_set = true,
                .memory_max = 1000000000,
                .cpu_quota_set = true,
                .cpu_quota_milli = 125,
                .cpu_weight_set = true,
                .cpu_weight = 50,
                .oom_score_adj_set = true,
                .oom_score_adj = -5,
        };
        Stage1App a = {.name = "web",
                       .exec = exec,
                       .pre_start = pre,
                       .post_stop = post,
                       .isolation = &iso,
                       .protect_paths = true,
                       .device_allow = (char *[]){"/dev/char/1:3 rw", NULL},
                       .read_only_rootfs = true,
                       .writable_paths = writable,
                       .after_sysctl = true,
                       .socket_activated = true};
        _cleanup_free_ char *u = unit_of(&a);

        assert_has_line(u, "Requires=web.socket");
        assert_has_line(u, "After=web.socket");
        assert_has_line(u, "Requires=rkt-sysctl.service");
        assert_has_line(u, "After=rkt-sysctl.service");
        assert_has_line(u, "ExecStartPre=!\"/bin/pre\" \"a b\"");
        assert_has_line(u, "ExecStopPost=!\"/bin/post\"");
        assert_true(strstr(u, "ExecStartPre=") < strstr(u, "ExecStart=\"/bin/app\""));
        assert_has_line(u, "CapabilityBoundingSet=CAP_CHOWN CAP_NET_ADMIN");
        assert_has_line(u, "NoNewPrivileges=yes");
        assert_has_line(u, "SystemCallFilter=~mkdir rmdir");
        assert_has_line(u, "SystemCallErrorNumber=ENOTSUP");
        assert_has_line(u, "MemoryMax=1000000000");
        assert_has_line(u, "CPUQuota=12.5%");
        assert_has_line(u, "CPUWeight=50");
        assert_has_line(u, "OOMScoreAdjust=-5");
        assert_has_line(u, "DevicePolicy=closed");
        assert_has_line(u, "DeviceAllow=/dev/char/1:3 rw");
        assert_has_line(u, "InaccessiblePaths=-/opt/stage2/web/rootfs/proc/kcore");
        assert_has_line(u, "InaccessiblePaths=-/opt/stage2/web/rootfs/sys/firmware/");
        assert_has_line(u, "ReadOnlyPaths=-/opt/stage2/web/rootfs/proc/sys/");
        assert_has_line(u, "ReadOnlyPaths=-/opt/stage2/web/rootfs/sys/");
        assert_null(strstr(u, "rootfs/sys/devices/"));
        assert_has_line(u, "ReadOnlyPaths=/opt/stage2/web/rootfs");
        assert_has_line(u, "ReadWritePaths=-/opt/stage2/web/rootfs/dev");
        assert_has_line(u, "ReadWritePaths=-/opt/stage2/web/rootfs/data");
        assert_has_line(u, "ReadWritePaths=-/opt/stage2/web/rootfs/var/lib/x");
        free(u);

        /* an allow list, every line without "~"; whole CPUs; an empty bounding set; nothing else */
        iso = (Stage1Isolation){.restrict_capabilities = true,
                                .seccomp = STAGE1_SECCOMP_ALLOW,
                                .syscalls = syscalls,
                                .cpu_quota_set = true,
                                .cpu_quota_milli = 2000};
        a = (Stage1App){.name = "web", .exec = exec, .isolation = &iso};
        u = unit_of(&a);
        assert_has_line(u, "CapabilityBoundingSet=");
        assert_has_line(u, "NoNewPrivileges=no");
        assert_has_line(u, "SystemCallFilter=mkdir rmdir");
        assert_has_line(u, "CPUQuota=200%");
        assert_no_key(u, "SystemCallErrorNumber");
        assert_no_key(u, "MemoryMax");
        assert_no_key(u, "DevicePolicy");
        assert_no_key(u, "DeviceAllow");
        assert_no_key(u, "InaccessiblePaths");
        assert_no_key(u, "ReadOnlyPaths");
        assert_no_key(u, "ReadWritePaths");
        assert_no_key(u, "ExecStartPre");
        assert_null(strstr(u, "rkt-sysctl"));
        assert_null(strstr(u, "web.socket"));
        free(u);

        /* a long list is split over lines, every one a deny line */
        char *many[200];
        for (size_t k = 0; k < 199; k++)
                many[k] = "some_system_call";
        many[199] = NULL;
        iso = (Stage1Isolation){.seccomp = STAGE1_SECCOMP_DENY, .syscalls = many};
        u = unit_of(&a);
        assert_int_equal(check_deny_lines(u), 50); /* 4 names of 16 characters a line */
        free(u);
        u = NULL;

        /* --disable-capabilities-restriction: no bounding set line */
        iso = (Stage1Isolation){.restrict_capabilities = false};
        u = unit_of(&a);
        assert_no_key(u, "CapabilityBoundingSet");
        assert_no_key(u, "SystemCallFilter");
        free(u);
        u = NULL;

        /* what the lists cannot carry */
        char *bad_writable[] = {"/a b", NULL};
        a.read_only_rootfs = true;
        a.writable_paths = bad_writable;
        assert_int_equal(stage1_app_unit(&a, &u), -EINVAL);
        bad_writable[0] = "/a:b";
        assert_int_equal(stage1_app_unit(&a, &u), -EINVAL);
        bad_writable[0] = "relative";
        assert_int_equal(stage1_app_unit(&a, &u), -EINVAL);
        a.writable_paths = NULL;
        char *rel[] = {"pre", NULL};
        char **rel_handlers[] = {rel, NULL};
        a.pre_start = rel_handlers;
        assert_int_equal(stage1_app_unit(&a, &u), -EINVAL);
        assert_null(u);
}

RUN_TESTS(cmocka_unit_test(test_capability_names), cmocka_unit_test(test_syscall_groups),
          cmocka_unit_test(test_errno_names), cmocka_unit_test(test_isolation_defaults),
          cmocka_unit_test(test_isolation_capabilities), cmocka_unit_test(test_isolation_seccomp),
          cmocka_unit_test(test_isolation_resources), cmocka_unit_test(test_confinement_roundtrip),
          cmocka_unit_test(test_sysctl), cmocka_unit_test(test_unit_isolation),
          cmocka_unit_test(test_device_allow))
