/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fs.h"
#include "path.h"
#include "pod.h"
#include "stage1-exec.h"
#include "unit.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define TREE_ID "deps-sha512-" HEX64 HEX64
#define UUID "f3000000-0000-4000-8000-000000000001"
#define GC "coreos.com/rkt/stage1/gc"

static char dir[64];

static int setup(void **state) {
        strcpy(dir, "/tmp/rkt-test-stage1-exec-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        return rm_rf_at(AT_FDCWD, dir);
}

static void write_file(const char *name, const char *content, mode_t mode) {
        _cleanup_free_ char *p = path_join(dir, name), *parent = path_dirname(p);
        _cleanup_close_ int dfd = -1;

        assert_int_equal(mkdir_p(parent, 0755), 0);
        dfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(write_file_replace_at(dfd, strrchr(p, '/') + 1, content, strlen(content), mode), 0);
        assert_int_equal(chmod(p, mode), 0);
}

static void test_tree_id_valid(void **state) {
        assert_true(stage1_tree_id_valid(TREE_ID));
        assert_false(stage1_tree_id_valid(NULL));
        assert_false(stage1_tree_id_valid(""));
        assert_false(stage1_tree_id_valid("deps-sha512-"));
        assert_false(stage1_tree_id_valid("deps-sha512-stub"));
        assert_false(stage1_tree_id_valid(TREE_ID "0"));
        assert_false(stage1_tree_id_valid(
                "deps-sha512-" HEX64 "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
        assert_false(stage1_tree_id_valid(
                "deps-sha512-" HEX64 "/123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
        assert_false(stage1_tree_id_valid("deps-sha256-" HEX64 HEX64));
        assert_false(stage1_tree_id_valid(".."));
        assert_false(stage1_tree_id_valid("../../../../tmp/evil"));
}

/* A pod whose stage1 tree is in the store: a gc that exits 7, and a planted gc in the pod. */
static Pod *make_pod(void) {
        Pod *p = NULL;

        write_file("pods/run/" UUID "/stage1TreeStoreID", TREE_ID "\n", 0644);
        write_file("pods/run/" UUID "/stage1/rootfs/gc", "#!/bin/sh\nexit 66\n", 0755);
        write_file("cas/tree/" TREE_ID "/rendered", "{}", 0640);
        write_file("cas/tree/" TREE_ID "/manifest",
                   "{\"acKind\":\"ImageManifest\",\"name\":\"stub\",\"annotations\":["
                   "{\"name\":\"" GC "\",\"value\":\"/gc\"},"
                   "{\"name\":\"coreos.com/rkt/stage1/stop\",\"value\":\"/../../../../bin/stop\"},"
                   "{\"name\":\"coreos.com/rkt/stage1/enter\",\"value\":\"/link\"},"
                   "{\"name\":\"coreos.com/rkt/stage1/run\",\"value\":\"/writable\"},"
                   "{\"name\":\"coreos.com/rkt/stage1/interface-version\",\"value\":\"5\"}]}",
                   0644);
        /* The pod's own copy of the manifest is the pod's to write: never read. */
        write_file("pods/run/" UUID "/stage1/manifest",
                   "{\"annotations\":[{\"name\":\"" GC "\",\"value\":\"/gc\"},"
                   "{\"name\":\"coreos.com/rkt/stage1/interface-version\",\"value\":\"6\"}]}",
                   0644);
        write_file("cas/tree/" TREE_ID "/rootfs/gc", "#!/bin/sh\nexit 7\n", 0755);
        write_file("cas/tree/" TREE_ID "/rootfs/writable", "#!/bin/sh\nexit 0\n", 0775);
        assert_int_equal(pod_open(dir, UUID, &p, NULL), 0);
        return p;
}

static int exec_status(int fd) {
        int status;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                char *argv[] = {(char *) "gc", NULL};
                (void) stage1_exec_fd(fd, argv, environ);
                _exit(99);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static void test_entrypoint_from_the_store(void **state) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_free_ char *path = NULL, *want = NULL;
        _cleanup_error_ RktError *e = NULL;
        _cleanup_close_ int fd = -1;
        int version = 0;

        if (geteuid() != 0)
                skip(); /* the entrypoint must be root's: only root makes such files */
        p = make_pod();
        assert_int_equal(pod_stage1_entrypoint_open(p, GC, &fd, &path, &version, &e), 0);
        /* The version comes with the entrypoint, from the tree's manifest, not the pod's. */
        assert_int_equal(version, 5);
        assert_true(asprintf(&want, "%s/cas/tree/" TREE_ID "/rootfs/gc", dir) > 0);
        assert_string_equal(path, want);
        /* The tree's gc runs (a script, through its fd), never the one planted in the pod. */
        assert_int_equal(exec_status(fd), 7);
}

static void test_entrypoint_refused(void **state) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_free_ char *path = NULL, *link = NULL;
        _cleanup_error_ RktError *e = NULL;
        int fd = -1;

        if (geteuid() != 0)
                skip();
        p = make_pod();
        /* Outside the tree: ".." above it is refused, an absolute symlink resolves inside it. */
        assert_int_equal(pod_stage1_entrypoint_open(p, "coreos.com/rkt/stage1/stop", &fd, &path, NULL, &e),
                         -EINVAL);
        e = rkt_error_free(e);
        link = path_join(dir, "cas/tree/" TREE_ID "/rootfs/link");
        assert_int_equal(symlink("/bin/true", link), 0);
        assert_int_equal(pod_stage1_entrypoint_open(p, "coreos.com/rkt/stage1/enter", &fd, &path, NULL, &e),
                         -ENOENT);
        e = rkt_error_free(e);
        /* Writable by others than root. */
        assert_int_equal(pod_stage1_entrypoint_open(p, "coreos.com/rkt/stage1/run", &fd, &path, NULL, &e),
                         -EPERM);
        e = rkt_error_free(e);
        assert_int_equal(
                pod_stage1_entrypoint_open(p, "coreos.com/rkt/stage1/app/add", &fd, &path, NULL, &e),
                -ENODATA);
        e = rkt_error_free(e);

        /* Without its marker the tree is not a tree. */
        {
                _cleanup_free_ char *marker = path_join(dir, "cas/tree/" TREE_ID "/rendered");
                assert_int_equal(unlink(marker), 0);
        }
        assert_int_equal(pod_stage1_entrypoint_open(p, GC, &fd, &path, NULL, &e), -ENOENT);
        assert_non_null(strstr(rkt_error_message(e, 0), UUID));
        e = rkt_error_free(e);

        /* Gone from the store: one message naming the pod and the tree. */
        {
                _cleanup_free_ char *tree = path_join(dir, "cas/tree/" TREE_ID);
                assert_int_equal(rm_rf_at(AT_FDCWD, tree), 0);
        }
        assert_int_equal(pod_stage1_entrypoint_open(p, GC, &fd, &path, NULL, &e), -ENOENT);
        assert_non_null(strstr(rkt_error_message(e, 0), UUID));
        assert_non_null(strstr(rkt_error_message(e, 0), "no longer in the store"));
        e = rkt_error_free(e);

        /* The tree ID is the pod's to write: it must be one, not a path. */
        write_file("pods/run/" UUID "/stage1TreeStoreID", "../../pods/run/" UUID "/stage1\n", 0644);
        assert_int_equal(pod_stage1_entrypoint_open(p, GC, &fd, &path, NULL, &e), -EBADMSG);
        e = rkt_error_free(e);
        write_file("pods/run/" UUID "/stage1TreeStoreID", TREE_ID "\n" TREE_ID "\n", 0644);
        assert_int_equal(pod_stage1_entrypoint_open(p, GC, &fd, &path, NULL, &e), -EBADMSG);
        e = rkt_error_free(e);
        {
                _cleanup_free_ char *id = path_join(dir, "pods/run/" UUID "/stage1TreeStoreID");
                assert_int_equal(unlink(id), 0);
                assert_int_equal(symlink("/etc/hostname", id), 0);
        }
        assert_int_equal(pod_stage1_entrypoint_open(p, GC, &fd, &path, NULL, &e), -ELOOP);
        assert_int_equal(fd, -1);
}

static void test_exec_fd_elf(void **state) {
        _cleanup_close_ int fd = open("/bin/true", O_RDONLY | O_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(exec_status(fd), 0);
}

RUN_TESTS(cmocka_unit_test(test_tree_id_valid),
          cmocka_unit_test_setup_teardown(test_entrypoint_from_the_store, setup, teardown),
          cmocka_unit_test_setup_teardown(test_entrypoint_refused, setup, teardown),
          cmocka_unit_test(test_exec_fd_elf))
