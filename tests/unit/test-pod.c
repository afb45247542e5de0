/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fs.h"
#include "path.h"
#include "pod.h"
#include "unit.h"

static char dir[64];

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define TREE_ID "deps-sha512-" HEX64 HEX64

static int setup(void **state) {
        strcpy(dir, "/tmp/rkt-test-pod-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        return rm_rf_at(AT_FDCWD, dir);
}

static char *pod_dir(const char *state, const char *uuid) {
        char *p;
        assert_true(asprintf(&p, "%s/pods/%s/%s", dir, state, uuid) > 0);
        return p;
}

static void make_pod(const char *state, const char *uuid) {
        _cleanup_free_ char *p = pod_dir(state, uuid);
        assert_int_equal(mkdir_p(p, 0750), 0);
}

static void write_file(const char *pod_path, const char *name, const char *content) {
        _cleanup_free_ char *p = path_join(pod_path, name), *parent = path_dirname(p);
        FILE *f;

        assert_int_equal(mkdir_p(parent, 0755), 0);
        f = fopen(p, "we");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static PodState state_of(const char *uuid) {
        _cleanup_(pod_freep) Pod *p = NULL;
        assert_int_equal(pod_open(dir, uuid, &p, NULL), 0);
        return p->state;
}

/* A child that holds fd (inheriting the lock, as stage1 holds RKT_LOCK_FD) until killed. */
static pid_t hold_lock(int fd) {
        int pipefd[2];
        char c;
        pid_t pid;

        assert_int_equal(pipe(pipefd), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(pipefd[0]);
                (void) fcntl(fd, F_GETFD); /* keeps fd: it is ours now, like nspawn's */
                (void) write(pipefd[1], "x", 1);
                for (;;)
                        pause();
        }
        close(pipefd[1]);
        assert_int_equal(read(pipefd[0], &c, 1), 1);
        close(pipefd[0]);
        return pid;
}

static void kill_holder(pid_t pid) {
        int status;
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &status, 0), pid);
}

static void test_state_strings(void **state) {
        assert_string_equal(pod_state_to_string(POD_ABORTED_PREPARE), "aborted prepare");
        assert_string_equal(pod_state_to_string(POD_EXITED_GARBAGE), "exited garbage");
        assert_string_equal(pod_state_to_string(POD_EXITED_DELETING), "exited deleting");
        assert_string_equal(pod_state_to_string(POD_RUNNING), "running");
        assert_true(pod_state_is_after_run(POD_GARBAGE));
        assert_false(pod_state_is_after_run(POD_PREPARED));
        assert_true(pod_state_is_finished(POD_EXITED));
        assert_false(pod_state_is_finished(POD_RUNNING));
}

static void test_lifecycle(void **state) {
        _cleanup_(pod_freep) Pod *p = NULL, *q = NULL;
        _cleanup_free_ char *prepared = NULL, *run = NULL;
        struct stat st;
        pid_t holder;
        int fd;

        assert_int_equal(pod_new(dir, &p, NULL), 0);
        /* A random version 4 UUID, lower-case. */
        assert_int_equal(strlen(p->uuid), 36);
        assert_int_equal(p->uuid[14], '4');
        assert_true(strchr("89ab", p->uuid[19]) != NULL);
        for (const char *c = p->uuid; *c; c++)
                assert_false(*c >= 'A' && *c <= 'Z');
        assert_int_equal(p->state, POD_PREPARING);
        assert_true(p->lock_fd >= 0);
        assert_true(strstr(p->path, "/pods/prepare/") != NULL);
        /* The state directories are made 0750 on first use; embryo/ is left empty. */
        {
                _cleanup_free_ char *sd = NULL;
                assert_true(asprintf(&sd, "%s/pods/prepare", dir) > 0);
                assert_int_equal(stat(sd, &st), 0);
                assert_int_equal(st.st_mode & 07777, 0750);
        }
        /* Others see it as preparing while we hold the lock. */
        assert_int_equal(state_of(p->uuid), POD_PREPARING);

        assert_int_equal(pod_mark_prepared(p, NULL), 0);
        assert_int_equal(p->state, POD_PREPARED);
        assert_true(p->lock_fd < 0);
        prepared = pod_dir("prepared", p->uuid);
        assert_string_equal(p->path, prepared);
        assert_int_equal(state_of(p->uuid), POD_PREPARED);

        /* run-prepared takes the lock first: a second taker fails with -EBUSY. */
        assert_int_equal(pod_open(dir, p->uuid, &q, NULL), 0);
        assert_int_equal(pod_mark_running(p, NULL), 0);
        assert_int_equal(p->state, POD_RUNNING);
        run = pod_dir("run", p->uuid);
        assert_string_equal(p->path, run);
        assert_int_equal(pod_mark_running(q, NULL), -ENOENT); /* it is no longer in prepared/ */

        /* stage1 inherits the lock: the pod runs as long as that process lives, whatever we do. */
        fd = pod_lock_fd_for_exec(p);
        assert_true(fd >= 0);
        assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
        holder = hold_lock(fd);
        p = pod_free(p);
        assert_int_equal(state_of(run + strlen(run) - 36), POD_RUNNING);
        kill_holder(holder);
        assert_int_equal(state_of(run + strlen(run) - 36), POD_EXITED);
}

static void test_prepared_busy(void **state) {
        _cleanup_(pod_freep) Pod *p = NULL, *q = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_error_ RktError *e = NULL;

        assert_int_equal(pod_new(dir, &p, NULL), 0);
        assert_int_equal(pod_mark_prepared(p, NULL), 0);
        /* Somebody (another run-prepared) holds the prepared pod's lock. */
        fd = open(p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(flock(fd, LOCK_EX), 0);
        assert_int_equal(pod_mark_running(p, &e), -EBUSY);
        assert_non_null(e);
        assert_int_equal(p->state, POD_PREPARED);
        /* gc does not pull it away to the garbage either. */
        assert_int_equal(pod_open(dir, p->uuid, &q, NULL), 0);
        assert_int_equal(pod_to_garbage(q, NULL), -EBUSY);
        assert_int_equal(state_of(p->uuid), POD_PREPARED);
        fd = safe_close(fd);
        assert_int_equal(pod_to_garbage(q, NULL), 1);
        assert_int_equal(q->state, POD_GARBAGE);
        assert_int_equal(state_of(p->uuid), POD_GARBAGE);
}

static void test_states_by_dir_and_lock(void **state) {
        static const struct {
                const char *dir, *uuid;
                PodState unlocked, locked;
        } cases[] = {
                {"prepare", "10000000-0000-4000-8000-000000000001", POD_ABORTED_PREPARE, POD_PREPARING},
                {"prepared", "10000000-0000-4000-8000-000000000002", POD_PREPARED, POD_PREPARED},
                {"run", "10000000-0000-4000-8000-000000000003", POD_EXITED, POD_RUNNING},
                {"exited-garbage", "10000000-0000-4000-8000-000000000004", POD_EXITED_GARBAGE,
                 POD_EXITED_DELETING},
                {"garbage", "10000000-0000-4000-8000-000000000005", POD_GARBAGE, POD_DELETING},
                {"embryo", "10000000-0000-4000-8000-000000000006", POD_EMBRYO, POD_EMBRYO},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *p = pod_dir(cases[i].dir, cases[i].uuid);
                _cleanup_close_ int fd = -1;
                pid_t holder;

                make_pod(cases[i].dir, cases[i].uuid);
                assert_int_equal(state_of(cases[i].uuid), cases[i].unlocked);
                fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                assert_int_equal(flock(fd, LOCK_EX), 0);
                holder = hold_lock(fd);
                fd = safe_close(fd);
                assert_int_equal(state_of(cases[i].uuid), cases[i].locked);
                kill_holder(holder);
                assert_int_equal(state_of(cases[i].uuid), cases[i].unlocked);
        }
}

static void test_prefix_resolution(void **state) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_error_ RktError *e = NULL;

        make_pod("run", "abcdef01-0000-4000-8000-000000000001");
        make_pod("prepared", "abcdef02-0000-4000-8000-000000000002");
        make_pod("exited-garbage", "12345678-0000-4000-8000-000000000003");
        make_pod("garbage", "99999999-0000-4000-8000-000000000004");
        /* Not pods: ignored. */
        make_pod("run", "not-a-uuid");
        write_file(dir, "pods/run/abcdef03-0000-4000-8000-000000000003", "a file");

        assert_int_equal(pod_open(dir, "abcdef01", &p, NULL), 0);
        assert_string_equal(p->uuid, "abcdef01-0000-4000-8000-000000000001");
        assert_int_equal(p->state, POD_EXITED);
        p = pod_free(p);

        /* Case-insensitive, and found in any state directory. */
        assert_int_equal(pod_open(dir, "ABCDEF02", &p, NULL), 0);
        assert_string_equal(p->uuid, "abcdef02-0000-4000-8000-000000000002");
        assert_int_equal(p->state, POD_PREPARED);
        p = pod_free(p);
        assert_int_equal(pod_open(dir, "12345678-0000-4000-8000-000000000003", &p, NULL), 0);
        assert_int_equal(p->state, POD_EXITED_GARBAGE);
        p = pod_free(p);
        assert_int_equal(pod_open(dir, "9", &p, NULL), 0);
        assert_int_equal(p->state, POD_GARBAGE);
        p = pod_free(p);
        assert_int_equal(pod_open(dir, "ABCDEF01-0000-4000-8000-000000000001", &p, NULL), 0);
        assert_string_equal(p->uuid, "abcdef01-0000-4000-8000-000000000001");
        p = pod_free(p);

        assert_int_equal(pod_open(dir, "abcdef", &p, &e), -ENOTUNIQ);
        assert_string_equal(rkt_error_message(e, 0), "ambiguous uuid 'abcdef': 2 matches");
        e = rkt_error_free(e);
        assert_int_equal(pod_open(dir, "ffff", &p, &e), -ENOENT);
        assert_string_equal(rkt_error_message(e, 0), "no matches found for \"ffff\"");
        e = rkt_error_free(e);
        assert_int_equal(pod_open(dir, "ffffffff-0000-4000-8000-000000000001", &p, &e), -ENOENT);
        assert_string_equal(rkt_error_message(e, 0),
                            "no matches found for \"ffffffff-0000-4000-8000-000000000001\"");
        e = rkt_error_free(e);
        assert_int_equal(pod_open(dir, "", &p, &e), -EINVAL);
        e = rkt_error_free(e);
        assert_int_equal(pod_open(dir, "not-a-uuid", &p, &e), -ENOENT);
        assert_null(p);
}

static void test_uuid_file(void **state) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_free_ char *f = path_join(dir, "uuid"), *u = NULL;

        make_pod("run", "abcdef01-0000-4000-8000-000000000001");
        write_file(dir, "uuid", "  abcdef01-0000-4000-8000-000000000001\n");
        assert_int_equal(pod_read_uuid_file(f, &u, NULL), 0);
        assert_string_equal(u, "abcdef01-0000-4000-8000-000000000001");
        assert_int_equal(pod_open_uuid_file(dir, f, &p, NULL), 0);
        assert_int_equal(p->state, POD_EXITED);
        p = pod_free(p);
        write_file(dir, "uuid", "\n");
        assert_int_equal(pod_open_uuid_file(dir, f, &p, NULL), -EINVAL);
        assert_int_equal(pod_open_uuid_file(dir, "/nonexistent/uuid", &p, NULL), -ENOENT);
}

static void test_list(void **state) {
        Pod **l = NULL;
        size_t n = 0;

        /* Nothing yet, not even the pods directory: an empty list, nothing created. */
        assert_int_equal(pod_list(dir, &l, &n, NULL), 0);
        assert_int_equal(n, 0);
        pods_free(l, n);
        make_pod("run", "c0000000-0000-4000-8000-000000000003");
        make_pod("prepare", "a0000000-0000-4000-8000-000000000001");
        make_pod("garbage", "b0000000-0000-4000-8000-000000000002");
        make_pod("run", "junk");
        assert_int_equal(pod_list(dir, &l, &n, NULL), 0);
        assert_int_equal(n, 3);
        /* Sorted by UUID, states probed. */
        assert_string_equal(l[0]->uuid, "a0000000-0000-4000-8000-000000000001");
        assert_int_equal(l[0]->state, POD_ABORTED_PREPARE);
        assert_string_equal(l[1]->uuid, "b0000000-0000-4000-8000-000000000002");
        assert_int_equal(l[1]->state, POD_GARBAGE);
        assert_int_equal(l[2]->state, POD_EXITED);
        assert_true(endswith(l[2]->path, "/pods/run/c0000000-0000-4000-8000-000000000003"));
        pods_free(l, n);
}

static void test_transitions_and_races(void **state) {
        _cleanup_(pod_freep) Pod *a = NULL, *b = NULL, *c = NULL;
        _cleanup_error_ RktError *e = NULL;

        make_pod("run", "d0000000-0000-4000-8000-000000000001");
        assert_int_equal(pod_open(dir, "d0000000", &a, NULL), 0);
        assert_int_equal(pod_open(dir, "d0000000", &b, NULL), 0);
        assert_int_equal(a->state, POD_EXITED);
        /* Two gcs: the first moves it, the second loses the rename and learns where it went. */
        assert_int_equal(pod_to_exited_garbage(a, NULL), 1);
        assert_int_equal(a->state, POD_EXITED_GARBAGE);
        assert_true(strstr(a->path, "/pods/exited-garbage/") != NULL);
        assert_int_equal(pod_to_exited_garbage(b, NULL), 0);
        assert_int_equal(b->state, POD_EXITED_GARBAGE);
        assert_string_equal(a->path, b->path);
        /* Only an exited pod becomes exited garbage. */
        assert_int_equal(pod_to_exited_garbage(b, &e), -EINVAL);
        e = rkt_error_free(e);

        /* Locking for deletion: the state reads "exited deleting" for everybody, a second taker is refused.
         */
        assert_int_equal(pod_lock(a, false, NULL), 0);
        assert_int_equal(a->state, POD_EXITED_DELETING);
        assert_int_equal(state_of("d0000000"), POD_EXITED_DELETING);
        assert_int_equal(pod_lock(b, false, NULL), -EWOULDBLOCK);
        assert_int_equal(pod_remove(a, NULL), 0);
        assert_int_equal(pod_open(dir, "d0000000", &c, NULL), -ENOENT);
        a = pod_free(a);
        /* The loser's blocking lock returns once the pod is gone, and says so. */
        assert_int_equal(pod_lock(b, true, &e), -ENOENT);
        e = rkt_error_free(e);

        make_pod("prepare", "e0000000-0000-4000-8000-000000000001");
        assert_int_equal(pod_open(dir, "e0000000", &c, NULL), 0);
        assert_int_equal(c->state, POD_ABORTED_PREPARE);
        assert_int_equal(pod_to_garbage(c, NULL), 1);
        assert_int_equal(c->state, POD_GARBAGE);
        assert_int_equal(pod_to_garbage(c, &e), -EINVAL);
}

static void test_times_pid_exit_codes(void **state) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_free_ char *path = pod_dir("run", "f0000000-0000-4000-8000-000000000001"), *ppid = NULL;
        struct timespec times[2] = {{1500000000, 250000000}, {1500000000, 250000000}};
        _cleanup_free_ char *f = NULL;
        pid_t pid, child;
        int code;

        make_pod("run", "f0000000-0000-4000-8000-000000000001");
        assert_int_equal(pod_open(dir, "f0000000", &p, NULL), 0);
        assert_int_equal(pod_created_time(p), 0);
        assert_int_equal(pod_started_time(p), 0);
        assert_int_equal(pod_pid(p, &pid), -ESRCH);
        assert_int_equal(pod_stage1_pid(p, &pid), -ENOENT);

        write_file(path, "pod-created", "");
        f = path_join(path, "pod-created");
        assert_int_equal(utimensat(AT_FDCWD, f, times, 0), 0);
        assert_int_equal(pod_created_time(p), 1500000000250000ULL);

        /* ppid: a process whose only child is the pod's PID 1; that child is found. */
        child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                pause();
                _exit(0);
        }
        assert_true(asprintf(&ppid, "%d\n", (int) getpid()) > 0);
        write_file(path, "ppid", ppid);
        assert_int_equal(pod_pid(p, &pid), 0);
        assert_int_equal(pid, child);
        assert_int_equal(pod_stage1_pid(p, &pid), 0);
        assert_int_equal(pid, getpid());
        assert_true(pod_started_time(p) > 0);
        kill_holder(child);
        assert_int_equal(pod_pid(p, &pid), -ESRCH);
        /* pid wins over ppid. */
        write_file(path, "pid", "4242\n");
        assert_int_equal(pod_pid(p, &pid), 0);
        assert_int_equal(pid, 4242);
        assert_int_equal(pod_stage1_pid(p, &pid), 0);
        assert_int_equal(pid, 4242);

        /* Exit codes: from the stage1 rootfs, else from the stage1 overlay's upper dir. */
        assert_int_equal(pod_app_exit_code(p, "web", &code), -ENOENT);
        write_file(path, "stage1/rootfs/rkt/status/web", "3");
        assert_int_equal(pod_app_exit_code(p, "web", &code), 0);
        assert_int_equal(code, 3);
        write_file(path, "stage1TreeStoreID", TREE_ID "\n");
        write_file(path, "overlay/" TREE_ID "/upper/rkt/status/db", "42\n");
        assert_int_equal(pod_app_exit_code(p, "db", &code), 0);
        assert_int_equal(code, 42);
        write_file(path, "stage1/rootfs/rkt/status/bad", "x");
        assert_int_equal(pod_app_exit_code(p, "bad", &code), -EBADMSG);
        assert_int_equal(pod_app_exit_code(p, "../../pod", &code), -EINVAL);
        /* The pod's root writes stage1/rootfs: a status is read inside it, bounded, never through a
         * symlink out of it, never from a FIFO. */
        write_file(dir, "host-secret", "7");
        {
                _cleanup_free_ char *l = path_join(path, "stage1/rootfs/rkt/status/evil"),
                                    *host = path_join(dir, "host-secret"),
                                    *fifo = path_join(path, "stage1/rootfs/rkt/status/fifo");
                assert_int_equal(symlink(host, l), 0);
                assert_int_equal(mkfifo(fifo, 0644), 0);
        }
        assert_int_equal(pod_app_exit_code(p, "evil", &code), -ENOENT);
        assert_int_equal(pod_app_exit_code(p, "fifo", &code), -EBADF);
        write_file(path, "stage1/rootfs/rkt/status/long",
                   "1                                                                     ");
        assert_int_equal(pod_app_exit_code(p, "long", &code), -EBADMSG);
        write_file(path, "stage1/rootfs/rkt/status/big", "4096");
        assert_int_equal(pod_app_exit_code(p, "big", &code), -EBADMSG);

        assert_false(pod_supervisor_ready(p));
        {
                _cleanup_free_ char *l = path_join(path, "stage1/rootfs/rkt/supervisor-status");
                assert_int_equal(symlink("ready", l), 0);
        }
        assert_true(pod_supervisor_ready(p));
}

static void test_remove(void **state) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_free_ char *path = pod_dir("garbage", "f2000000-0000-4000-8000-000000000001");
        struct stat st;

        make_pod("garbage", "f2000000-0000-4000-8000-000000000001");
        write_file(path, "pod", "{}");
        write_file(path, "stage1/rootfs/etc/a", "1");
        write_file(path, "overlay/x/upper/b", "2");
        {
                _cleanup_free_ char *l = path_join(path, "stage1/rootfs/host");
                assert_int_equal(symlink("/", l), 0); /* never followed */
        }
        assert_int_equal(pod_open(dir, "f2000000", &p, NULL), 0);
        assert_int_equal(pod_lock(p, false, NULL), 0);
        assert_int_equal(p->state, POD_DELETING);
        assert_int_equal(pod_unmount_all(p, NULL), 0); /* nothing mounted: nothing to do */
        assert_int_equal(pod_remove(p, NULL), 0);
        assert_int_equal(lstat(path, &st), -1);
        assert_int_equal(stat("/etc/passwd", &st), 0);
        /* Removing what is already gone is fine. */
        assert_int_equal(pod_remove(p, NULL), 0);
}

static void test_remove_refuses_mounts(void **state) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_free_ char *path = pod_dir("garbage", "f3000000-0000-4000-8000-000000000001"), *mnt = NULL,
                            *inner = NULL;
        struct stat st;

        if (geteuid() != 0) {
                print_message("skipped: mounting a tmpfs needs root\n");
                skip();
        }
        make_pod("garbage", "f3000000-0000-4000-8000-000000000001");
        mnt = path_join(path, "stage1/rootfs/mnt");
        inner = path_join(mnt, "inner");
        assert_int_equal(mkdir_p(mnt, 0755), 0);
        assert_int_equal(mount("tmpfs", mnt, "tmpfs", 0, NULL), 0);
        assert_int_equal(mkdir_p(inner, 0755), 0);
        assert_int_equal(mount("tmpfs", inner, "tmpfs", 0, NULL), 0);
        write_file(inner, "keep", "x");
        assert_int_equal(pod_open(dir, "f3000000", &p, NULL), 0);
        assert_int_equal(pod_lock(p, false, NULL), 0);
        /* Nothing is removed while something is mounted below the pod. */
        assert_int_equal(pod_remove(p, NULL), -EBUSY);
        assert_int_equal(lstat(inner, &st), 0);
        {
                _cleanup_free_ char *keep = path_join(inner, "keep");
                assert_int_equal(lstat(keep, &st), 0);
        }
        assert_int_equal(pod_unmount_all(p, NULL), 0);
        assert_int_equal(lstat(inner, &st), -1); /* the outer tmpfs is gone, and inner with it */
        assert_int_equal(pod_remove(p, NULL), 0);
        assert_int_equal(lstat(path, &st), -1);
}

/* A pod whose images were copied (prepare found that the data dir cannot hold overlay upper dirs) has no
 * overlay marker: gc must not try to mount a stage1 overlay for it (it failed with EINVAL and skipped the
 * stage1 gc, leaking the pod's network), even with upper/work dirs left from the attempt. */
static void test_mount_stage1_copied_pod(void **state) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_error_ RktError *e = NULL;
        _cleanup_free_ char *path = pod_dir("exited-garbage", "f4000000-0000-4000-8000-000000000001");
        bool mounted = true;

        make_pod("exited-garbage", "f4000000-0000-4000-8000-000000000001");
        write_file(path, "stage1TreeStoreID", TREE_ID "\n");
        write_file(path, "overlay/" TREE_ID "/upper/x", "");
        write_file(path, "overlay/" TREE_ID "/work/x", "");
        write_file(path, "stage1/rootfs/gc", "copied");
        assert_int_equal(pod_open(dir, "f4000000", &p, NULL), 0);
        assert_int_equal(pod_mount_stage1(p, &mounted, &e), 0);
        assert_false(mounted);
        assert_null(e);
        /* With the marker it is an overlay pod: its stage1 tree must be in the store. */
        write_file(path, "overlay-prepared", "");
        assert_int_equal(pod_mount_stage1(p, &mounted, &e), -ENOENT);
        assert_false(mounted);
}

RUN_TESTS(cmocka_unit_test_setup_teardown(test_state_strings, setup, teardown),
          cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
          cmocka_unit_test_setup_teardown(test_prepared_busy, setup, teardown),
          cmocka_unit_test_setup_teardown(test_states_by_dir_and_lock, setup, teardown),
          cmocka_unit_test_setup_teardown(test_prefix_resolution, setup, teardown),
          cmocka_unit_test_setup_teardown(test_uuid_file, setup, teardown),
          cmocka_unit_test_setup_teardown(test_list, setup, teardown),
          cmocka_unit_test_setup_teardown(test_transitions_and_races, setup, teardown),
          cmocka_unit_test_setup_teardown(test_times_pid_exit_codes, setup, teardown),
          cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
          cmocka_unit_test_setup_teardown(test_remove_refuses_mounts, setup, teardown),
          cmocka_unit_test_setup_teardown(test_mount_stage1_copied_pod, setup, teardown))
