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
        assert_no_key(u, "BindReadOnlyPaths");
        /* [Unit] comes before [Service]. */
        assert_true(strstr(u, "[Unit]") < strstr(u, "[Service]"));
        assert_true(strstr(u, "OnFailure=") < strstr(u, "[Service]"));
        assert_true(strstr(u, "ExecStart=") > strstr(u, "[Service]"));
}

/* The pod's hostname on the app's /etc/hostname, read-only (rkt 1.30 bound it there). */
static void test_hostname(void **state) {
        char *exec[] = {"/bin/true", NULL};
        Stage1App a = {.name = "h", .exec = exec, .bind_hostname = true};
        _cleanup_free_ char *u = unit_of(&a);

        assert_has_line(u, "BindReadOnlyPaths=/proc/sys/kernel/hostname:/etc/hostname");
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
        assert_true(stage1_unit_name_reserved("reaper-exit"));
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

/* What enter runs gets the caller's TERM in place of the app's, vt100 when the caller has none. */
static void test_enter_environment(void **state) {
        _cleanup_strv_free_ char **l = NULL, **unset = NULL;
        char **bad = NULL;

        assert_int_equal(setenv("TERM", "dumb", 1), 0);
        assert_int_equal(stage1_enter_environment("A=1\nTERM=xterm\n", &l), 0);
        assert_int_equal(strv_length(l), 2);
        assert_string_equal(l[0], "A=1");
        assert_string_equal(l[1], "TERM=dumb");
        assert_int_equal(unsetenv("TERM"), 0);
        assert_int_equal(stage1_enter_environment("A=1\n", &unset), 0);
        assert_true(strv_contains(unset, "TERM=vt100"));
        assert_int_equal(stage1_enter_environment("NOEQUALS\n", &bad), -EINVAL);
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
        /* "root" is uid 0, with or without an entry (rkt 1.30). */
        assert_int_equal(stage1_passwd_lookup("", "root", &u), 0);
        assert_int_equal(u.uid, 0);
        assert_int_equal(u.gid, 0);
        assert_null(u.name);
        stage1_user_done(&u);
        assert_int_equal(stage1_passwd_lookup("toor:x:0:0::/toor:/bin/sh\n", "root", &u), 0);
        assert_string_equal(u.home, "/toor");
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
        g = 99;
        assert_int_equal(stage1_group_lookup("", "root", &g), 0);
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

RUN_TESTS(cmocka_unit_test(test_simple_app), cmocka_unit_test(test_hostname),
          cmocka_unit_test(test_args_quoting), cmocka_unit_test(test_exec_quote),
          cmocka_unit_test(test_user_group_workdir), cmocka_unit_test(test_interactive),
          cmocka_unit_test(test_invalid), cmocka_unit_test(test_reserved_names),
          cmocka_unit_test(test_env_file_roundtrip), cmocka_unit_test(test_env_file_parse),
          cmocka_unit_test(test_enter_environment), cmocka_unit_test(test_env_format_invalid),
          cmocka_unit_test(test_passwd_lookup), cmocka_unit_test(test_group_lookup),
          cmocka_unit_test(test_app_environment), cmocka_unit_test(test_uuid_and_names),
          cmocka_unit_test(test_cgroup_parse), cmocka_unit_test(test_open_in_root),
          cmocka_unit_test(test_app_mounts), cmocka_unit_test(test_metadata_url))
