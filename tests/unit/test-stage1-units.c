/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "stage1-common.h"
#include "strv.h"
#include "unit.h"
#include "stage1-isolation.h"
#include "stage1-units.h"

static char *unit_of(const Stage1App *a) {
        char *u = NULL;
        assert_int_equal(stage1_app_unit(a, &u), 0);
        return u;
}

static void assert_has_line(const char *text, const char *line) {
        _cleanup_free_ char *needle = NULL;
        assert_true(asprintf(&needle, "\n%s\n", line) > 0);
        if (!strstr(text, needle)) {
                print_error("missing line '%s' in:\n%s\n", line, text);
                fail();
        }
}

static void assert_no_line(const char *text, const char *line) {
        _cleanup_free_ char *needle = NULL;
        assert_true(asprintf(&needle, "\n%s\n", line) > 0);
        assert_null(strstr(text, needle));
}

static void assert_no_key(const char *text, const char *key) {
        _cleanup_free_ char *needle = NULL;
        assert_true(asprintf(&needle, "\n%s=", key) > 0);
        assert_null(strstr(text, needle));
}

static void test_simple_app(void **state) {
        char *exec[] = {"/bin/true", NULL};
        Stage1App a = {.name = "hello", .image_name = "example.com/hello", .exec = exec};
        _cleanup_free_ char *u = unit_of(&a);

        assert_true(startswith(u, "[Unit]\n"));
        assert_has_line(u, "Description=Application=hello Image=example.com/hello");
        assert_has_line(u, "DefaultDependencies=no");
        assert_has_line(u, "Wants=systemd-journald.service");
        assert_has_line(u, "After=systemd-journald.socket");
        /* The app does not wait for journald; the reapers, which end the pod, do. */
        assert_no_line(u, "After=systemd-journald.service");
        assert_has_line(u, "Before=default.target");
        assert_has_line(u, "Conflicts=shutdown.target");
        assert_has_line(u, "OnSuccess=reaper-success@hello.service");
        assert_has_line(u, "OnFailure=reaper-failure@hello.service");
        assert_has_line(u, "[Service]");
        assert_has_line(u, "Type=exec");
        assert_has_line(u, "Restart=no");
        assert_has_line(u, "RootDirectory=/opt/stage2/hello/rootfs");
        assert_has_line(u, "MountAPIVFS=yes");
        assert_has_line(u, "WorkingDirectory=/");
        assert_has_line(u, "EnvironmentFile=/rkt/env/hello");
        assert_has_line(u, "User=0");
        assert_has_line(u, "Group=0");
        assert_has_line(u, "SyslogIdentifier=hello");
        assert_has_line(u, "StandardInput=null");
        assert_has_line(u, "StandardOutput=journal+console");
        assert_has_line(u, "StandardError=journal+console");
        assert_has_line(u, "ExecStart=\"/bin/true\"");
        assert_no_key(u, "SupplementaryGroups");
        /* [Unit] comes before [Service]. */
        assert_true(strstr(u, "[Unit]") < strstr(u, "[Service]"));
        assert_true(strstr(u, "OnFailure=") < strstr(u, "[Service]"));
        assert_true(strstr(u, "ExecStart=") > strstr(u, "[Service]"));
}

static void test_args_quoting(void **state) {
        char *exec[] = {"/bin/sh", "-c", "echo \"$HOME\" 100% \\ done;", ";", "tab\there", "new\nline", "é",
                        "",        NULL};
        Stage1App a = {.name = "q", .exec = exec};
        _cleanup_free_ char *u = unit_of(&a);

        assert_has_line(u, "ExecStart=\"/bin/sh\" \"-c\" \"echo \\\"$$HOME\\\" 100%% \\\\ done;\" \";\" "
                           "\"tab\\there\" \"new\\nline\" \"\\xc3\\xa9\" \"\"");
        /* No image name: no " Image=". */
        assert_has_line(u, "Description=Application=q");
}

static void test_exec_quote(void **state) {
        char *argv[] = {"/usr/bin/x", "a b", "%n", "${X}", NULL};
        char *empty[] = {NULL};
        _cleanup_free_ char *s = NULL;

        assert_int_equal(stage1_exec_quote(argv, &s), 0);
        assert_string_equal(s, "\"/usr/bin/x\" \"a b\" \"%%n\" \"$${X}\"");
        assert_int_equal(stage1_exec_quote(empty, &s), -EINVAL);
}

static void test_user_group_workdir(void **state) {
        char *exec[] = {"/bin/id", NULL};
        gid_t groups[] = {10, 20};
        Stage1App a = {.name = "app-1",
                       .exec = exec,
                       .uid = 1000,
                       .gid = 100,
                       .supplementary_gids = groups,
                       .n_supplementary_gids = 2,
                       .working_directory = "/var/lib/my app%"};
        _cleanup_free_ char *u = unit_of(&a);

        assert_has_line(u, "User=1000");
        assert_has_line(u, "Group=100");
        assert_has_line(u, "SupplementaryGroups=10 20");
        assert_has_line(u, "WorkingDirectory=/var/lib/my app%%");
        assert_has_line(u, "RootDirectory=/opt/stage2/app-1/rootfs");
}

static void test_interactive(void **state) {
        char *exec[] = {"/bin/sh", NULL};
        Stage1App a = {.name = "sh", .exec = exec, .interactive = true};
        _cleanup_free_ char *u = unit_of(&a);

        assert_has_line(u, "StandardInput=tty");
        assert_has_line(u, "StandardOutput=tty");
        assert_has_line(u, "StandardError=tty");
        assert_null(strstr(u, "journal+console"));
}

static void test_invalid(void **state) {
        char *exec[] = {"/bin/sh", NULL};
        char *relative[] = {"sh", NULL};
        Stage1App a = {.name = "x", .exec = exec};
        char *u = NULL;

        a.working_directory = "relative";
        assert_int_equal(stage1_app_unit(&a, &u), -EINVAL);
        a.working_directory = "/two\nlines";
        assert_int_equal(stage1_app_unit(&a, &u), -EINVAL);
        a.working_directory = "/continued\\";
        assert_int_equal(stage1_app_unit(&a, &u), -EINVAL);
        a.working_directory = "-/ignore-missing";
        assert_int_equal(stage1_app_unit(&a, &u), -EINVAL);
        a.working_directory = NULL;
        a.exec = relative;
        assert_int_equal(stage1_app_unit(&a, &u), -EINVAL);
        a.exec = NULL;
        assert_int_equal(stage1_app_unit(&a, &u), -EINVAL);
        assert_null(u);
}

static void test_reserved_names(void **state) {
        assert_true(stage1_unit_name_reserved("systemd-journald"));
        assert_true(stage1_unit_name_reserved("default"));
        assert_true(stage1_unit_name_reserved("reaper-success"));
        assert_false(stage1_unit_name_reserved("nginx"));
        assert_false(stage1_unit_name_reserved("reaper"));
}

static void test_env_file_roundtrip(void **state) {
        char *env[] = {"PATH=/bin:/usr/bin",
                       "Q=say \"hi\" to $USER `now` \\o/",
                       "NL=a\nb",
                       "EMPTY=",
                       "EQ=a=b",
                       NULL};
        _cleanup_free_ char *text = NULL;
        _cleanup_strv_free_ char **back = NULL;

        assert_int_equal(stage1_env_file_format(env, &text), 0);
        assert_string_equal(text, "PATH=\"/bin:/usr/bin\"\n"
                                  "Q=\"say \\\"hi\\\" to \\$USER \\`now\\` \\\\o/\"\n"
                                  "NL=\"a\nb\"\n"
                                  "EMPTY=\"\"\n"
                                  "EQ=\"a=b\"\n");
        assert_int_equal(stage1_env_file_parse(text, &back), 0);
        assert_int_equal(strv_length(back), 5);
        for (size_t i = 0; i < 5; i++)
                assert_string_equal(back[i], env[i]);
}

static void test_env_file_parse(void **state) {
        _cleanup_strv_free_ char **l = NULL, **empty = NULL;
        char **bad = NULL;

        assert_int_equal(stage1_env_file_parse("A=plain value\n\nB=\"q\\n\"\n", &l), 0);
        assert_int_equal(strv_length(l), 2);
        assert_string_equal(l[0], "A=plain value");
        assert_string_equal(l[1], "B=q\\n"); /* only \ " ` $ are escapes */
        assert_int_equal(stage1_env_file_parse("", &empty), 0);
        assert_int_equal(strv_length(empty), 0);
        assert_int_equal(stage1_env_file_parse("NOEQUALS\n", &bad), -EINVAL);
        assert_int_equal(stage1_env_file_parse("A=\"unterminated\n", &bad), -EINVAL);
        assert_int_equal(stage1_env_file_parse("=x\n", &bad), -EINVAL);
        assert_null(bad);
}

static void test_env_format_invalid(void **state) {
        char *env[] = {"NOVALUE", NULL};
        char *s = NULL;
        assert_int_equal(stage1_env_file_format(env, &s), -EINVAL);
        assert_null(s);
}

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "# a comment\n"
                             "broken line\n"
                             "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                             "app:x:1000:1001:App User:/home/app:/bin/ash\n"
                             "dup:x:1000:5::/dup:/bin/false"; /* no trailing newline */

static void test_passwd_lookup(void **state) {
        Stage1User u = {};

        assert_int_equal(stage1_passwd_lookup(passwd, "app", &u), 0);
        assert_string_equal(u.name, "app");
        assert_int_equal(u.uid, 1000);
        assert_int_equal(u.gid, 1001);
        assert_string_equal(u.home, "/home/app");
        assert_string_equal(u.shell, "/bin/ash");
        stage1_user_done(&u);

        /* By uid: the first entry with it. */
        assert_int_equal(stage1_passwd_lookup(passwd, "1000", &u), 0);
        assert_string_equal(u.name, "app");
        stage1_user_done(&u);
        assert_int_equal(stage1_passwd_lookup(passwd, "dup", &u), 0);
        assert_string_equal(u.home, "/dup");
        stage1_user_done(&u);

        /* A uid without an entry is still that uid. */
        assert_int_equal(stage1_passwd_lookup(passwd, "4242", &u), 0);
        assert_null(u.name);
        assert_int_equal(u.uid, 4242);
        stage1_user_done(&u);
        assert_int_equal(stage1_passwd_lookup("", "0", &u), 0);
        assert_int_equal(u.uid, 0);
        stage1_user_done(&u);

        assert_int_equal(stage1_passwd_lookup(passwd, "nobody", &u), -ENOENT);
        assert_int_equal(stage1_passwd_lookup(passwd, "4294967295", &u), -ENOENT);
        assert_int_equal(stage1_passwd_lookup(passwd, "", &u), -EINVAL);
}

static void test_group_lookup(void **state) {
        const char *group = "root:x:0:\nwheel:x:10:root,app\nbad\nstaff:x:50:";
        gid_t g = 99;

        assert_int_equal(stage1_group_lookup(group, "wheel", &g), 0);
        assert_int_equal(g, 10);
        assert_int_equal(stage1_group_lookup(group, "staff", &g), 0);
        assert_int_equal(g, 50);
        assert_int_equal(stage1_group_lookup(group, "777", &g), 0);
        assert_int_equal(g, 777);
        assert_int_equal(stage1_group_lookup(group, "nogroup", &g), -ENOENT);
        assert_int_equal(stage1_group_lookup("", "0", &g), 0);
        assert_int_equal(g, 0);
}

static void test_app_environment(void **state) {
        AppcKV env[] = {
                {"FOO", "bar"},
                {"PATH", "/opt/bin"},
                {"FOO", "second"},
                {"AC_APP_NAME", "spoofed"},
        };
        Stage1User app_user = {.name = "app", .uid = 1000, .home = "/home/app", .shell = "/bin/ash"};
        _cleanup_strv_free_ char **l = NULL, **d = NULL;

        assert_int_equal(stage1_app_environment(env, ELEMENTSOF(env), "web", &app_user, NULL, &l), 0);
        assert_int_equal(strv_length(l), 8);
        assert_string_equal(l[0], "FOO=bar");
        assert_string_equal(l[1], "PATH=/opt/bin");
        assert_string_equal(l[2], "AC_APP_NAME=web");
        assert_string_equal(l[3], "HOME=/home/app");
        assert_string_equal(l[4], "USER=app");
        assert_string_equal(l[5], "LOGNAME=app");
        assert_string_equal(l[6], "SHELL=/bin/ash");
        assert_string_equal(l[7], "container=rkt");

        /* No passwd entry: rkt's defaults. */
        assert_int_equal(stage1_app_environment(NULL, 0, "x", NULL, NULL, &d), 0);
        assert_int_equal(strv_length(d), 7);
        assert_string_equal(d[0], "PATH=" STAGE1_DEFAULT_PATH);
        assert_string_equal(d[1], "HOME=/root");
        assert_string_equal(d[2], "USER=root");
        assert_string_equal(d[3], "LOGNAME=root");
        assert_string_equal(d[4], "SHELL=/bin/sh");
        assert_string_equal(d[5], "AC_APP_NAME=x");
        assert_string_equal(d[6], "container=rkt");
}

static void test_uuid_and_names(void **state) {
        _cleanup_free_ char *scope = NULL;
        char mid[33];

        assert_true(stage1_uuid_valid("0123abcd-4567-89ef-0123-456789abcdef"));
        assert_false(stage1_uuid_valid("0123ABCD-4567-89ef-0123-456789abcdef"));
        assert_false(stage1_uuid_valid("0123abcd-4567-89ef-0123-456789abcde"));
        assert_false(stage1_uuid_valid("0123abcd04567-89ef-0123-456789abcdef"));
        assert_false(stage1_uuid_valid(NULL));
        stage1_machine_id("0123abcd-4567-89ef-0123-456789abcdef", mid);
        assert_string_equal(mid, "0123abcd456789ef0123456789abcdef");
        assert_int_equal(stage1_scope_name("0123abcd-4567-89ef-0123-456789abcdef", &scope), 0);
        assert_string_equal(scope,
                            "machine-rkt\\x2d0123abcd\\x2d4567\\x2d89ef\\x2d0123\\x2d456789abcdef.scope");
}

static void test_cgroup_parse(void **state) {
        const char *hybrid = "12:pids:/user.slice\n"
                             "1:name=systemd:/machine.slice/machine-rkt.scope/payload/init.scope\n"
                             "0::/machine.slice/machine-rkt.scope/payload/init.scope\n";
        const char *legacy = "3:cpu,cpuacct:/x\n1:name=systemd:/system.slice/a.service\n";
        _cleanup_free_ char *u = NULL, *v1 = NULL;
        char *none = NULL;

        assert_int_equal(stage1_cgroup_parse(hybrid, true, &u), 0);
        assert_string_equal(u, "/machine.slice/machine-rkt.scope/payload/init.scope");
        assert_int_equal(stage1_cgroup_parse(legacy, false, &v1), 0);
        assert_string_equal(v1, "/system.slice/a.service");
        assert_int_equal(stage1_cgroup_parse(legacy, true, &none), -ENOENT);
        assert_int_equal(stage1_cgroup_parse("", false, &none), -ENOENT);
        assert_null(none);
}

/* A tree with the traps an image can hold: absolute symlinks, ".." above the top, loops. */
static void check_open_in_root(int (*open_fn)(int, const char *, int)) {
        char tmpl[] = "/tmp/test-stage1-root.XXXXXX";
        char *top = mkdtemp(tmpl);
        _cleanup_free_ char *cmd = NULL;
        _cleanup_close_ int rootfd = -1;
        struct stat want, got;
        int fd;

        assert_non_null(top);
        assert_true(asprintf(&cmd,
                             "cd %s && mkdir -p root/usr/bin root/etc && echo in-root > root/etc/passwd && "
                             "touch root/usr/bin/sh && ln -s /usr/bin root/bin && ln -s ../../../../etc "
                             "root/up && "
                             "ln -s /etc/passwd root/abs && ln -s loop root/loop && echo outside > passwd",
                             top) > 0);
        assert_int_equal(system(cmd), 0);
        rootfd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(rootfd >= 0);
        int r = openat(rootfd, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(r >= 0);
        safe_close(rootfd);
        rootfd = r;

        assert_int_equal(fstatat(rootfd, "etc/passwd", &want, 0), 0);
        const char *same[] = {"/etc/passwd",           "etc/passwd",         "/abs", "up/passwd",
                              "/bin/../../etc/passwd", "/../../etc/./passwd"};
        for (size_t i = 0; i < ELEMENTSOF(same); i++) {
                fd = open_fn(rootfd, same[i], O_RDONLY);
                if (fd < 0)
                        print_error("%s: %s\n", same[i], strerror(-fd));
                assert_true(fd >= 0);
                assert_int_equal(fstat(fd, &got), 0);
                assert_int_equal(got.st_ino, want.st_ino);
                safe_close(fd);
        }
        fd = open_fn(rootfd, "/bin/sh", O_PATH);
        assert_true(fd >= 0);
        safe_close(fd);
        assert_int_equal(open_fn(rootfd, "/loop", O_RDONLY), -ELOOP);
        assert_int_equal(open_fn(rootfd, "/nope", O_RDONLY), -ENOENT);

        free(cmd);
        assert_true(asprintf(&cmd, "rm -rf %s", top) > 0);
        assert_int_equal(system(cmd), 0);
}

static void test_open_in_root(void **state) {
        check_open_in_root(stage1_open_in_root);
        check_open_in_root(stage1_open_in_root_walk);
}

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

static void test_app_mounts(void **state) {
        static const char pod_json[] =
                "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\","
                "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-0123\"},"
                "\"app\":{\"exec\":[\"/x\"],\"user\":\"0\",\"group\":\"0\",\"mountPoints\":["
                "{\"name\":\"data\",\"path\":\"/data\",\"readOnly\":true},"
                "{\"name\":\"logs\",\"path\":\"/logs\",\"readOnly\":true},"
                "{\"name\":\"cache\",\"path\":\"/cache\"},"
                "{\"name\":\"other\",\"path\":\"/mnt\"}]},"
                "\"mounts\":[{\"volume\":\"logs\",\"path\":\"/var/log\"},{\"volume\":\"host\",\"path\":\"/"
                "mnt\"}]}],"
                "\"volumes\":[{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/srv/"
                "data\",\"recursive\":false},"
                "{\"name\":\"logs\",\"kind\":\"empty\",\"mode\":\"0700\",\"uid\":5,\"gid\":6},"
                "{\"name\":\"host\",\"kind\":\"host\",\"source\":\"/srv/h\",\"readOnly\":false}]}";
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *pod = NULL;
        _cleanup_error_ RktError *e = NULL;
        Stage1Mount *m = NULL;
        size_t n = 0;

        assert_int_equal(appc_pod_manifest_parse(pod_json, strlen(pod_json), &pod, NULL), 0);
        assert_int_equal(stage1_app_mounts(&pod->apps[0], pod->apps[0].app, pod->volumes, pod->n_volumes,
                                           true, &m, &n, NULL),
                         0);
        assert_int_equal(n, 5);
        /* the runtime app's mounts first; read-only from the mountPoint of the volume's name */
        assert_string_equal(m[0].volume, "logs");
        assert_string_equal(m[0].path, "/var/log");
        assert_int_equal(m[0].kind, APPC_VOLUME_EMPTY);
        assert_true(m[0].read_only);
        assert_string_equal(m[0].mode, "0700");
        assert_int_equal(m[0].uid, 5);
        assert_int_equal(m[0].gid, 6);
        assert_true(m[0].recursive);
        /* the volume's readOnly wins */
        assert_string_equal(m[1].volume, "host");
        assert_string_equal(m[1].source, "/srv/h");
        assert_false(m[1].read_only);
        /* mountPoints not mounted at their path yet, filled from the volume of their name */
        assert_string_equal(m[2].volume, "data");
        assert_string_equal(m[2].path, "/data");
        assert_true(m[2].read_only);
        assert_false(m[2].recursive);
        assert_false(m[2].implicit);
        assert_string_equal(m[3].volume, "logs");
        assert_string_equal(m[3].path, "/logs");
        assert_true(m[3].read_only);
        /* no volume: an implicit empty one, "<app>-<name>"; /mnt has a mount already */
        assert_string_equal(m[4].volume, "web-cache");
        assert_string_equal(m[4].path, "/cache");
        assert_int_equal(m[4].kind, APPC_VOLUME_EMPTY);
        assert_string_equal(m[4].mode, "0755");
        assert_true(m[4].implicit);
        assert_false(m[4].read_only);
        stage1_mounts_free(m, n);

        /* a mount of a volume the pod does not have */
        free(pod->apps[0].mounts[1].volume);
        pod->apps[0].mounts[1].volume = strdup("gone");
        assert_int_equal(stage1_app_mounts(&pod->apps[0], pod->apps[0].app, pod->volumes, pod->n_volumes,
                                           true, &m, &n, &e),
                         -ENOENT);
        assert_non_null(strstr(rkt_error_message(e, -ENOENT), "volume 'gone'"));
}

/* Every SystemCallFilter= line starts with "~" and is at most 100 columns; returns how many there are. */
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
                       .after_sysctl = true};
        _cleanup_free_ char *u = unit_of(&a);

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

static void test_metadata_url(void **state) {
        _cleanup_free_ char *u = NULL, *v = NULL;
        _cleanup_strv_free_ char **env = NULL;

        assert_int_equal(stage1_metadata_url("127.0.0.1", 18112, "abc123", &u), 0);
        assert_string_equal(u, "http://127.0.0.1:18112/abc123");
        assert_int_equal(stage1_metadata_url("fd00::1", 18112, "t", &v), 0);
        assert_string_equal(v, "http://[fd00::1]:18112/t");
        assert_int_equal(stage1_metadata_url("127.0.0.1", 18112, "a/b", &v), -EINVAL);
        assert_int_equal(stage1_metadata_url("127.0.0.1", 18112, "", &v), -EINVAL);

        /* the URL always wins over the manifest's */
        AppcKV kv[] = {{"AC_METADATA_URL", "http://evil/"}};
        assert_int_equal(stage1_app_environment(kv, 1, "a", NULL, u, &env), 0);
        assert_true(strv_contains(env, "AC_METADATA_URL=http://127.0.0.1:18112/abc123"));
        assert_false(strv_contains(env, "AC_METADATA_URL=http://evil/"));
}

RUN_TESTS(cmocka_unit_test(test_simple_app), cmocka_unit_test(test_args_quoting),
          cmocka_unit_test(test_exec_quote), cmocka_unit_test(test_user_group_workdir),
          cmocka_unit_test(test_interactive), cmocka_unit_test(test_invalid),
          cmocka_unit_test(test_reserved_names), cmocka_unit_test(test_env_file_roundtrip),
          cmocka_unit_test(test_env_file_parse), cmocka_unit_test(test_env_format_invalid),
          cmocka_unit_test(test_passwd_lookup), cmocka_unit_test(test_group_lookup),
          cmocka_unit_test(test_app_environment), cmocka_unit_test(test_uuid_and_names),
          cmocka_unit_test(test_cgroup_parse), cmocka_unit_test(test_open_in_root),
          cmocka_unit_test(test_capability_names), cmocka_unit_test(test_syscall_groups),
          cmocka_unit_test(test_errno_names), cmocka_unit_test(test_isolation_defaults),
          cmocka_unit_test(test_isolation_capabilities), cmocka_unit_test(test_isolation_seccomp),
          cmocka_unit_test(test_isolation_resources), cmocka_unit_test(test_confinement_roundtrip),
          cmocka_unit_test(test_sysctl), cmocka_unit_test(test_app_mounts),
          cmocka_unit_test(test_unit_isolation), cmocka_unit_test(test_device_allow),
          cmocka_unit_test(test_metadata_url))
