/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "fs.h"
#include "macro.h"
#include "stage1-contract.h"
#include "strv.h"
#include "unit.h"

static void test_stage2_path(void **state) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        assert_int_equal(stage2_path(NULL, "web", STAGE2_ROOTFS, &a), 0);
        assert_string_equal(a, "opt/stage2/web/rootfs");
        assert_int_equal(stage2_path(POD_STAGE1_ROOTFS, "web", STAGE2_MANIFEST, &b), 0);
        assert_string_equal(b, "stage1/rootfs/opt/stage2/web/manifest");
        /* An app name never leaves opt/stage2. */
        assert_int_equal(stage2_path(NULL, "..", STAGE2_ROOTFS, &c), -EINVAL);
        assert_int_equal(stage2_path(NULL, "a/b", STAGE2_ROOTFS, &c), -EINVAL);
        assert_int_equal(stage2_path(NULL, "", STAGE2_ROOTFS, &c), -EINVAL);
        assert_null(c);
}

static void test_stage2_manifest(void **state) {
        char dir[] = "/tmp/test-stage1-contract-XXXXXX";
        const char *json =
                "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/web\"}";
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *im = NULL;
        _cleanup_error_ RktError *e = NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int s1fd = -1;
        size_t size = 0;

        assert_non_null(mkdtemp(dir));
        s1fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(s1fd >= 0);
        assert_int_equal(mkdirat(s1fd, "opt", 0755), 0);
        assert_int_equal(mkdirat(s1fd, "opt/stage2", 0755), 0);
        assert_int_equal(mkdirat(s1fd, "opt/stage2/web", 0755), 0);
        assert_int_equal(write_file_replace_at(s1fd, "opt/stage2/web/manifest", json, strlen(json), 0644),
                         0);
        assert_int_equal(stage2_manifest_read(s1fd, "web", &text, &size, &e), 0);
        assert_string_equal(text, json);
        assert_int_equal(size, strlen(json));
        assert_int_equal(stage2_manifest_load(s1fd, "web", &im, &e), 0);
        assert_string_equal(im->name, "example.com/web");

        /* One wording for a file that is not there, naming the app and the file. */
        assert_int_equal(stage2_manifest_load(s1fd, "db", &im, &e), -ENOENT);
        assert_string_equal(rkt_error_message(e, 0),
                            "app 'db': reading its image manifest stage1/rootfs/opt/stage2/db/manifest: "
                            "No such file or directory");
        e = rkt_error_free(e);
        /* The pod writes the stage1 rootfs: a symlink resolves inside it, never on the host. */
        assert_int_equal(mkdirat(s1fd, "opt/stage2/db", 0755), 0);
        assert_int_equal(symlinkat("/etc/hostname", s1fd, "opt/stage2/db/manifest"), 0);
        assert_int_equal(stage2_manifest_read(s1fd, "db", &text, &size, NULL), -ENOENT);
        /* Neither a FIFO (it would block) nor a directory. */
        assert_int_equal(unlinkat(s1fd, "opt/stage2/db/manifest", 0), 0);
        assert_int_equal(mkfifoat(s1fd, "opt/stage2/db/manifest", 0644), 0);
        assert_true(stage2_manifest_read(s1fd, "db", &text, &size, NULL) < 0);
        assert_int_equal(unlinkat(s1fd, "opt/stage2/db/manifest", 0), 0);
        assert_int_equal(mkdirat(s1fd, "opt/stage2/db/manifest", 0755), 0);
        assert_true(stage2_manifest_read(s1fd, "db", &text, &size, NULL) < 0);
        /* Not JSON: the parser's cause, after the app. */
        assert_int_equal(write_file_replace_at(s1fd, "opt/stage2/web/manifest", "{", 1, 0644), 0);
        assert_true(stage2_manifest_load(s1fd, "web", &im, &e) < 0);
        assert_true(strncmp(rkt_error_message(e, 0), "app 'web': image manifest: ", 27) == 0);
        e = rkt_error_free(e);
        assert_int_equal(stage2_manifest_read(s1fd, "..", &text, &size, &e), -EINVAL);
        assert_int_equal(rm_rf_at(AT_FDCWD, dir), 0);
}

static void test_parse_pid(void **state) {
        pid_t pid = 0;

        assert_int_equal(stage1_parse_pid("4242", &pid), 0);
        assert_int_equal(pid, 4242);
        assert_int_equal(stage1_parse_pid("2147483647", &pid), 0);
        /* One set of rules: digits only, no sign, no blanks, no zero, fits pid_t. */
        const char *bad[] = {"",   " 5",  "+5",   "-5",         "0",
                             "5 ", "5\n", "0x10", "2147483648", "99999999999999999999"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(stage1_parse_pid(bad[i], &pid), -EINVAL);
        assert_int_equal(stage1_parse_pid(NULL, &pid), -EINVAL);
}

static void test_read_pid(void **state) {
        char dir[] = "/tmp/test-stage1-contract-XXXXXX";
        _cleanup_close_ int dfd = -1;
        pid_t pid = 0;

        assert_non_null(mkdtemp(dir));
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        assert_int_equal(stage1_read_pid_at(dfd, POD_PPID, &pid), -ENOENT);
        assert_int_equal(write_file_replace_at(dfd, POD_PPID, "123\n", 4, 0644), 0);
        assert_int_equal(stage1_read_pid_at(dfd, POD_PPID, &pid), 0);
        assert_int_equal(pid, 123);
        assert_int_equal(write_file_replace_at(dfd, POD_PID, "77", 2, 0644), 0);
        assert_int_equal(stage1_read_pid_at(dfd, POD_PID, &pid), 0);
        assert_int_equal(pid, 77);
        const char *bad[] = {"", "\n", "12\n\n", " 12\n", "12 \n", "abc\n"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                assert_int_equal(write_file_replace_at(dfd, POD_PGID, bad[i], strlen(bad[i]), 0644), 0);
                assert_int_equal(stage1_read_pid_at(dfd, POD_PGID, &pid), -EBADMSG);
        }
        /* A pid file is a few bytes: a large one is not read. */
        char big[128];
        memset(big, '1', sizeof(big));
        assert_int_equal(write_file_replace_at(dfd, POD_PGID, big, sizeof(big), 0644), 0);
        assert_int_equal(stage1_read_pid_at(dfd, POD_PGID, &pid), -EBADMSG);
        /* Not a symlink. */
        assert_int_equal(symlinkat(POD_PPID, dfd, "link"), 0);
        assert_true(stage1_read_pid_at(dfd, "link", &pid) < 0);
        assert_int_equal(rm_rf_at(AT_FDCWD, dir), 0);
}

static pid_t pausing_child(void) {
        pid_t child = fork();

        assert_true(child >= 0);
        if (child == 0) {
                pause();
                _exit(0);
        }
        return child;
}

static void test_leader(void **state) {
        _cleanup_free_ pid_t *kids = NULL;
        pid_t child, other, leader;
        size_t n = 7;

        assert_int_equal(pod_process_children(getpid(), &kids, &n), 0);
        assert_int_equal(n, 0);
        assert_int_equal(pod_process_leader(getpid(), &leader), -ESRCH);
        child = pausing_child();
        assert_int_equal(pod_process_leader(getpid(), &leader), 0);
        assert_int_equal(leader, child);
        /* Two children (nspawn's helpers at start): not settled yet. */
        other = pausing_child();
        assert_int_equal(pod_process_leader(getpid(), &leader), -EAGAIN);
        kill(other, SIGKILL);
        assert_int_equal(waitpid(other, NULL, 0), other);
        kill(child, SIGKILL);
        assert_int_equal(waitpid(child, NULL, 0), child);
        assert_int_equal(pod_process_leader(getpid(), &leader), -ESRCH);
        assert_int_equal(pod_process_leader(-1, &leader), -ESRCH);
}

static void assert_argv(char **argv, const char *const *want, size_t n) {
        assert_int_equal(strv_length(argv), n);
        for (size_t i = 0; i < n; i++)
                assert_string_equal(argv[i], want[i]);
}

static void test_run_argv(void **state) {
        _cleanup_strv_free_ char **minimal = NULL, **full = NULL, **none = NULL;
        char *dirs[] = {"/usr/lib/cni", "/opt/cni/bin", NULL};
        char *dns[] = {"--dns=8.8.8.8", "--hosts-entry=10.0.0.1=db", NULL};

        assert_int_equal(stage1_run_argv(&(Stage1RunArgs){.entrypoint = "/init",
                                                          .uuid = "u",
                                                          .net = "default",
                                                          .local_config = "/etc/rkt"},
                                         &minimal),
                         0);
        assert_argv(minimal, (const char *const[]){"/init", "--net=default", "--local-config=/etc/rkt", "u"},
                    4);

        assert_int_equal(stage1_run_argv(&(Stage1RunArgs){.entrypoint = "/init",
                                                          .uuid = "u",
                                                          .debug = true,
                                                          .net = "a:IP=1.2.3.4,b",
                                                          .interactive = true,
                                                          .local_config = "/etc/rkt",
                                                          .private_users = "--private-users=65536:65536",
                                                          .hostname = "h",
                                                          .ipc = "parent",
                                                          .system_config = "/usr/lib/rkt",
                                                          .net_plugin_dirs = dirs,
                                                          .dns_args = dns,
                                                          .disable_capabilities = true,
                                                          .disable_paths = true,
                                                          .disable_seccomp = true,
                                                          .mds_token = "t0k"},
                                         &full),
                         0);
        assert_argv(full,
                    (const char *const[]){"/init", "--debug", "--net=a:IP=1.2.3.4,b", "--interactive",
                                          "--local-config=/etc/rkt", "--private-users=65536:65536",
                                          "--hostname=h", "--ipc=parent", "--system-config=/usr/lib/rkt",
                                          "--net-plugin-dirs=/usr/lib/cni:/opt/cni/bin", "--dns=8.8.8.8",
                                          "--hosts-entry=10.0.0.1=db", "--disable-capabilities-restriction",
                                          "--disable-paths", "--disable-seccomp", "--mds-token=t0k", "u"},
                    17);

        /* What stage1 cannot do without is not left out silently. */
        assert_int_equal(stage1_run_argv(&(Stage1RunArgs){.entrypoint = "/init", .uuid = "u"}, &none),
                         -EINVAL);
        assert_null(none);
}

static void test_manifest_annotation(void **state) {
        _cleanup_free_ char *v = NULL;
        const char *m = "{\"acKind\":\"ImageManifest\",\"annotations\":[{\"name\":\"x\",\"value\":\"1\"},"
                        "{\"name\":\"" STAGE1_RUN "\",\"value\":\"/init\"},{\"name\":\"n\",\"value\":5}]}";

        assert_int_equal(stage1_manifest_entrypoint(m, STAGE1_RUN, &v, NULL), 0);
        assert_string_equal(v, "/init");
        /* Only strings count; a missing annotation and a manifest without any are told from bad JSON. */
        assert_int_equal(stage1_manifest_entrypoint(m, "n", &v, NULL), -ENODATA);
        assert_int_equal(stage1_manifest_entrypoint(m, STAGE1_GC, &v, NULL), -ENODATA);
        assert_int_equal(stage1_manifest_entrypoint("{}", STAGE1_GC, &v, NULL), -ENODATA);
        assert_int_equal(stage1_manifest_entrypoint("{\"annotations\": {}}", STAGE1_GC, &v, NULL), -ENODATA);
        assert_int_equal(stage1_manifest_entrypoint("{", STAGE1_GC, &v, NULL), -EBADMSG);
}

static int version_of(const char *value) {
        _cleanup_free_ char *m = NULL, *v = NULL;
        int version = -1;

        assert_true(asprintf(&m,
                             "{\"annotations\":[{\"name\":\"" STAGE1_RUN "\",\"value\":\"/init\"}%s%s%s]}",
                             value ? ",{\"name\":\"" STAGE1_INTERFACE_VERSION "\",\"value\":" : "",
                             value ?: "", value ? "}" : "") > 0);
        assert_int_equal(stage1_manifest_entrypoint(m, STAGE1_RUN, &v, &version), 0);
        assert_string_equal(v, "/init");
        return version;
}

static void test_manifest_interface_version(void **state) {
        assert_int_equal(version_of("\"6\""), 6);
        assert_int_equal(version_of("\"5\""), 5);
        /* Not given, or not a version: 1, as rkt 1.30. */
        assert_int_equal(version_of(NULL), 1);
        assert_int_equal(version_of("\"0\""), 1);
        assert_int_equal(version_of("\"-6\""), 1);
        assert_int_equal(version_of("\"six\""), 1);
        assert_int_equal(version_of("\"99999999999\""), 1);
        assert_int_equal(version_of("6"), 1);
}

RUN_TESTS(cmocka_unit_test(test_stage2_path), cmocka_unit_test(test_stage2_manifest),
          cmocka_unit_test(test_parse_pid), cmocka_unit_test(test_read_pid), cmocka_unit_test(test_leader),
          cmocka_unit_test(test_run_argv), cmocka_unit_test(test_manifest_annotation),
          cmocka_unit_test(test_manifest_interface_version))
