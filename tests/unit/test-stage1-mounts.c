/* SPDX-License-Identifier: Apache-2.0 */
/* The resolver of the apps' mount points (stage1-app.c), shared by stage1-nspawn and stage1-fly: every
 * target lands inside the app's rootfs, resolved when it is mounted, after the mounts before it. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "appc.h"
#include "stage1-app.h"
#include "stage1-isolation.h"
#include "strv.h"
#include "unit.h"

typedef struct Tree {
        char dir[64];
        int rootfd; /* <dir>/root, the app's rootfs */
} Tree;

/* <dir>/root is the rootfs; <dir>/etc is "outside" (where an escape would land: the stage1's own tree). */
static void tree_make(Tree *t, const char *setup) {
        _cleanup_free_ char *cmd = NULL;

        strcpy(t->dir, "/tmp/test-stage1-mounts.XXXXXX");
        assert_non_null(mkdtemp(t->dir));
        assert_true(asprintf(&cmd, "cd %s && mkdir -p root/etc etc/systemd/system && %s", t->dir, setup) >
                    0);
        assert_int_equal(system(cmd), 0);
        free(cmd);
        assert_true(asprintf(&cmd, "%s/root", t->dir) > 0);
        t->rootfd = open(cmd, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(t->rootfd >= 0);
}

static void tree_done(Tree *t) {
        _cleanup_free_ char *cmd = NULL;

        safe_close(t->rootfd);
        assert_true(asprintf(&cmd, "rm -rf %s", t->dir) > 0);
        assert_int_equal(system(cmd), 0);
}

static bool exists(const Tree *t, const char *rel) {
        _cleanup_free_ char *p = NULL;
        struct stat st;

        assert_true(asprintf(&p, "%s/%s", t->dir, rel) > 0);
        return lstat(p, &st) == 0;
}

static void assert_target(const Tree *t, const char *path, bool dir, const char *want) {
        _cleanup_free_ char *inside = NULL;
        _cleanup_close_ int fd = -1;
        int r = stage1_mount_target(t->rootfd, path, dir, &fd);

        if (r < 0)
                print_error("%s: %s\n", path, strerror(-r));
        assert_int_equal(r, 0);
        assert_int_equal(stage1_path_in_root(t->rootfd, fd, &inside), 0);
        assert_string_equal(inside, want);
}

static void test_target_resolution(void **state) {
        Tree t;
        int fd = -1;

        tree_make(&t, "ln -s ../../../../etc root/up && ln -s / root/abs && ln -s nothing root/dangling && "
                      "mkdir root/dir && touch root/file && ln -s /dir root/dirlink");
        /* Missing directories are made inside the root, whatever the symlinks on the way say. */
        assert_target(&t, "/up/systemd/system", true, "/etc/systemd/system");
        assert_true(exists(&t, "root/etc/systemd/system"));
        assert_target(&t, "/abs/abs/etc/x/y", true, "/etc/x/y");
        assert_target(&t, "../../../../var/lib", true, "/var/lib");
        assert_true(exists(&t, "root/var/lib"));
        assert_false(exists(&t, "var"));
        /* a file volume: an empty file */
        assert_target(&t, "/up/hosts", false, "/etc/hosts");
        assert_true(exists(&t, "root/etc/hosts"));
        assert_target(&t, "/dirlink/../dir", true, "/dir");
        assert_target(&t, "/", true, "/");
        assert_target(&t, "/abs", true, "/");

        assert_int_equal(stage1_mount_target(t.rootfd, "/dangling", true, &fd), -ENOLINK);
        assert_int_equal(stage1_mount_target(t.rootfd, "/file", true, &fd), -ENOTDIR);
        assert_int_equal(stage1_mount_target(t.rootfd, "/dir", false, &fd), -EISDIR);
        assert_int_equal(stage1_mount_target(t.rootfd, "/file/x", true, &fd), -ENOTDIR);
        assert_int_equal(fd, -1);
        /* nothing made outside */
        assert_false(exists(&t, "etc/hosts"));
        assert_false(exists(&t, "etc/x"));
        tree_done(&t);
}

static void test_path_in_trees(void **state) {
        char *trees[] = {(char *) "/dev", (char *) "/proc", NULL};

        assert_true(stage1_path_in_trees("/dev", trees));
        assert_true(stage1_path_in_trees("/proc/sys", trees));
        assert_false(stage1_path_in_trees("/devices", trees));
        assert_false(stage1_path_in_trees("/", trees));
        assert_false(stage1_path_in_trees("/dev", NULL));
}

static int mount_volume(const Tree *t, const char *volume, const char *source, const char *target, bool ro,
                        char **ret_path) {
        _cleanup_error_ RktError *e = NULL;
        _cleanup_free_ char *src = NULL;
        int r;

        assert_true(asprintf(&src, "%s/%s", t->dir, source) > 0);
        r = stage1_mount_volume(t->rootfd, "app",
                                &(Stage1MountSpec){.volume = volume,
                                                   .source = src,
                                                   .target = target,
                                                   .dir = true,
                                                   .recursive = true,
                                                   .read_only = ro},
                                (char *[]){(char *) "/proc", NULL}, ret_path, &e);
        if (r < 0)
                fprintf(stderr, "# %s\n", rkt_error_message(e, r));
        return r;
}

/* In a child with a mount namespace of its own (the host's mounts untouched), as root. */
static int mounts_child(Tree *t) {
        _cleanup_free_ char *path = NULL;
        int fd;

        if (stage1_private_mount_namespace() < 0)
                return 10;
        /* Opened before, it leads to the parent's mount tree, where nothing can be mounted from here. */
        assert_true(asprintf(&path, "%s/root", t->dir) > 0);
        safe_close(t->rootfd);
        t->rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (t->rootfd < 0)
                return 10;
        path = mfree(path);
        /* The exploit: a volume whose content (left by a former run) has a -> /, and a mount point below it.
         * The second mount must land at the app's /etc/systemd/system, not at the outside one. */
        if (mount_volume(t, "data", "vol", "/data", false, &path) < 0 || !streq(path, "/data"))
                return 11;
        path = mfree(path);
        if (mount_volume(t, "units", "units", "/data/a/etc/systemd/system", true, &path) < 0 ||
            !streq(path, "/etc/systemd/system"))
                return 12;
        if (!exists(t, "root/etc/systemd/system/marker") || exists(t, "etc/systemd/system/marker"))
                return 13;
        /* read-only: no write through it */
        fd = openat(t->rootfd, "etc/systemd/system/new", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0 || errno != EROFS)
                return 14;
        /* a volume at the root, by name or through a symlink, is refused; so is one in a forbidden tree */
        if (mount_volume(t, "root", "vol", "/", false, NULL) != -EPERM ||
            mount_volume(t, "root", "vol", "/data/a", false, NULL) != -EPERM ||
            mount_volume(t, "proc", "vol", "/data/a/proc/x", false, NULL) != -EPERM)
                return 15;
        /* a symlink of the image pointing out keeps the mount inside */
        if (mount_volume(t, "up", "units", "/up", false, &path) < 0 || !exists(t, "root/etc/marker") ||
            exists(t, "marker"))
                return 16;
        return 0;
}

static void test_mount_volume(void **state) {
        Tree t;
        pid_t pid;
        int st;

        if (geteuid() != 0) {
                print_message("needs root (mount namespaces): skipped\n");
                skip();
        }
        tree_make(&t, "mkdir vol units && ln -s / vol/a && touch units/marker && "
                      "ln -s ../../../../etc root/up");
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(mounts_child(&t));
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
        /* nothing of it reached our namespace */
        assert_false(exists(&t, "root/etc/systemd/system/marker"));
        tree_done(&t);
}

/* stage0 refuses an image that declares a mountPoint name twice; stage1 does too, for pods made otherwise.
 */
static void test_duplicate_mount_points(void **state) {
        static const char pod_json[] =
                "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\","
                "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-0123\"},"
                "\"app\":{\"exec\":[\"/x\"],\"user\":\"0\",\"group\":\"0\",\"mountPoints\":["
                "{\"name\":\"data\",\"path\":\"/data\"},"
                "{\"name\":\"other\",\"path\":\"/data/a/etc/systemd/system\"}]}}]}";
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *pod = NULL;
        _cleanup_error_ RktError *e = NULL;
        Stage1Mount *m = NULL;
        size_t n = 0;

        assert_int_equal(appc_pod_manifest_parse(pod_json, strlen(pod_json), &pod, NULL), 0);
        assert_int_equal(stage1_app_mounts(&pod->apps[0], pod->apps[0].app, NULL, 0, true, &m, &n, NULL), 0);
        assert_int_equal(n, 2);
        stage1_mounts_free(m, n);
        free(pod->apps[0].app->mount_points[1].name);
        pod->apps[0].app->mount_points[1].name = strdup("data");
        assert_int_equal(stage1_app_mounts(&pod->apps[0], pod->apps[0].app, NULL, 0, true, &m, &n, &e),
                         -EINVAL);
        assert_string_equal(e->message,
                            "app 'web': the image declares mount point 'data' twice ('/data' and "
                            "'/data/a/etc/systemd/system')");
}

RUN_TESTS(cmocka_unit_test(test_target_resolution), cmocka_unit_test(test_path_in_trees),
          cmocka_unit_test(test_duplicate_mount_points), cmocka_unit_test(test_mount_volume))
