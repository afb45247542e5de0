/* SPDX-License-Identifier: Apache-2.0 */
/* How stage1's init runs systemd-nspawn on the host: registering with machined or making the pod's own
 * cgroup, the readiness relay, and supervising nspawn as a subreaper until the pod ends. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <stdio.h>
#include <sys/stat.h>

#include "app-compat.h"
#include "appc.h"
#include "error.h"
#include "fd-util.h"
#include "fs.h"
#include "init-supervise.h"
#include "log.h"
#include "mds.h"
#include "net.h"
#include "nspawn-args.h"
#include "path.h"
#include "process.h"
#include "pod-process.h"
#include "stage1-app.h"
#include "stage1-common.h"
#include "strv.h"
#include "sysbus.h"
#include "stage1-units.h"
#include "unit-killmode.h"
#include "util.h"

void init_machined_query_start(MachinedQuery *q) {
        static const char *const bus_name = "org.freedesktop.machine1";

        *q = (MachinedQuery){};
        if (!stage1_systemd_booted() || sysbus_open_system(&q->bus) < 0)
                return;
        /* Both questions at once: one round trip to the bus daemon, which answers while init works. */
        if (sysbus_call_start(q->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                              "org.freedesktop.DBus", "NameHasOwner", STRV_MAKE(bus_name),
                              &q->has_owner) < 0 ||
            sysbus_call_start(q->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                              "org.freedesktop.DBus", "ListActivatableNames", NULL, &q->activatable) < 0)
                q->bus = sysbus_close(q->bus);
}

bool init_machined_query_finish(MachinedQuery *q) {
        _cleanup_strv_free_ char **activatable = NULL;
        SysBusMessage reply;
        bool owned = false, r;

        if (!q->bus)
                return false;
        if (sysbus_call_finish(q->bus, q->has_owner, &reply, NULL) >= 0 &&
            sysbus_read_bool(&reply, &owned) >= 0 && owned)
                r = true;
        else
                r = sysbus_call_finish(q->bus, q->activatable, &reply, NULL) >= 0 &&
                    sysbus_read_strv(&reply, &activatable) >= 0 &&
                    strv_contains(activatable, "org.freedesktop.machine1");
        q->bus = sysbus_close(q->bus);
        return r;
}

void init_machined_query_done(MachinedQuery *q) {
        q->bus = sysbus_close(q->bus);
}

/* Run from a service (systemd-run, a unit file), the pod stays in that service's cgroup, so that the
 * service's resource limits and KillMode apply to it (nspawn --keep-unit). */
bool init_inside_service(void) {
        _cleanup_free_ char *unit = NULL;

        return stage1_own_unit(&unit) >= 0 && endswith(unit, ".service");
}

/* Without machined nobody makes a scope for the pod, and nspawn would put it into our own cgroup, shared
 * with whatever started rkt (two pods started from one shell would fight over it). So the pod gets its own
 * cgroup below ours, named like machined's scope, which gc removes. Returns the path (relative to the
 * hierarchy roots), or NULL when no hierarchy could be used. */
int init_make_pod_cgroup(const char *uuid, char **ret) {
        _cleanup_free_ char *scope = NULL, *result = NULL;
        CgroupHierarchy h[2];
        int n, r;

        r = stage1_scope_name(uuid, &scope);
        if (r < 0)
                return r;
        n = stage1_cgroup_hierarchies(h);
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *own = NULL, *rel = NULL, *dir = NULL, *procs = NULL;
                _cleanup_close_ int fd = -1;

                if (stage1_cgroup_of_pid(0, h[i].unified, &own) < 0)
                        continue;
                rel = path_join(own, scope);
                dir = rel ? path_join(h[i].mount, rel) : NULL;
                procs = dir ? path_join(dir, "cgroup.procs") : NULL;
                if (!procs)
                        return -ENOMEM;
                if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                        log_debug_errno(negative_errno(), "Cannot create cgroup %s: %m", dir);
                        continue;
                }
                fd = open(procs, O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, "0", 1) != 1) {
                        log_debug_errno(negative_errno(), "Cannot move into cgroup %s: %m", dir);
                        (void) rmdir(dir);
                        continue;
                }
                if (!result) {
                        /* Relative to the hierarchy's root, as machined's "machine.slice/…" is. */
                        result = strdup(rel + strspn(rel, "/"));
                        if (!result)
                                return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(result);
        return 0;
}

static int wait_status(int status) {
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : STAGE1_EXIT_FAILURE;
}

/* Kills and reaps every child we still have: the stop guard, and the pod's init when nspawn was killed and
 * it fell to us. */
static void reap_orphans(void) {
        for (;;) {
                _cleanup_free_ pid_t *kids = NULL;
                size_t n = 0;

                if (pod_process_children(getpid(), &kids, &n) < 0 || n == 0)
                        break;
                for (size_t i = 0; i < n; i++)
                        (void) kill(kids[i], SIGKILL);
                while (waitpid(-1, NULL, 0) > 0)
                        ;
        }
}

/* How long the stop guard waits for a booting pod's systemd to be able to hear a poweroff. */
#define GUARD_READY_TIMEOUT_MS 60000

/* The stop guard, a child beside nspawn: when we are killed (kill -9 of the rkt process) it asks the pod to
 * power off, once the pod's systemd can hear it. nspawn's parent-death SIGTERM does the same, but while the
 * pod boots its systemd does not take signals yet and that request is lost. The guard learns of our death
 * from the pipe whose write end only we hold; it holds nothing else, not the pod's lock. */
static int start_stop_guard(pid_t nspawn, int *ret_fd, RktError **reterr) {
        int p[2];
        pid_t guard;

        if (pipe2(p, O_CLOEXEC) < 0)
                return rkt_error_set(reterr, negative_errno(), "creating the stop guard's pipe: %m");
        guard = safe_fork();
        if (guard < 0) {
                int r = guard;
                safe_close(p[0]);
                safe_close(p[1]);
                return rkt_error_set(reterr, r, "forking the stop guard: %s", strerror(-r));
        }
        if (guard == 0) {
                _cleanup_error_ RktError *error = NULL;
                char c;
                int r;

                /* Stopped with the rest of the process group or the service (SIGINT, SIGTERM): safe_fork()
                 * gave it the default actions. */
                (void) close_all_fds_except(&p[0], 1);
                while (read(p[0], &c, 1) < 0 && errno == EINTR)
                        ;
                r = pod_poweroff(nspawn, GUARD_READY_TIMEOUT_MS, &error);
                if (r < 0 && r != -ESRCH)
                        log_error("stop guard: %s", rkt_error_message(error, r));
                _exit(r < 0 && r != -ESRCH ? STAGE1_EXIT_FAILURE : 0);
        }
        safe_close(p[0]);
        *ret_fd = p[1];
        return 0;
}

/* Readiness relay. systemd takes a service's notifications (READY=1) from its main process only, unless the
 * unit says NotifyAccess=all, and of a service that runs rkt that is us, not our child nspawn. So nspawn
 * gets a socket of ours as NOTIFY_SOCKET and we pass on what it sends (nspawn --notify-ready: READY=1 once
 * the pod's systemd is up). Without NOTIFY_SOCKET nobody listens and there is no relay (*ret_fd = -1). */
int init_notify_relay_open(int *ret_fd, char **ret_name, RktError **reterr) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        socklen_t len = sizeof(sa);
        _cleanup_close_ int fd = -1;

        *ret_fd = -1;
        *ret_name = NULL;
        if (!getenv("NOTIFY_SOCKET"))
                return 0;
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        /* Autobind: the kernel picks a free abstract name. */
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa_family_t)) < 0 ||
            getsockname(fd, (struct sockaddr *) &sa, &len) < 0)
                return rkt_error_set(reterr, negative_errno(), "creating the readiness relay socket: %m");
        if (asprintf(ret_name, "@%.*s", (int) (len - offsetof(struct sockaddr_un, sun_path) - 1),
                     sa.sun_path + 1) < 0)
                return -ENOMEM;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static void notify_relay_forward(int fd) {
        char buf[4096 + 1];
        ssize_t n;

        while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
                buf[n] = 0;
                (void) stage1_notify(buf);
        }
}

/* nspawn powers the pod off on its first SIGTERM and on its first SIGINT, and kills it at once on a second
 * one of either. nspawn often gets the signal we got itself: systemd's SIGTERM to every process of a
 * KillMode=control-group unit that 'systemctl stop' stops, a terminal's SIGINT to its foreground process
 * group. So SIGTERM is passed on as SIGINT and SIGINT as SIGTERM: nspawn then gets at most one of each
 * for one stop, however the two arrive, and a second stop of ours still kills the pod at once. */
static int forwarded_signal(int sig) {
        return sig == SIGTERM ? SIGINT : sig == SIGINT ? SIGTERM : sig;
}

/* Until nspawn exits: signals that would stop a pod are passed on to it, its notifications relayed. */
static int wait_nspawn(pid_t child, const sigset_t *signals, int notify_fd, bool *ret_killed,
                       RktError **reterr) {
        _cleanup_close_ int sfd = signalfd(-1, signals, SFD_CLOEXEC);

        *ret_killed = false;
        if (sfd < 0) {
                int r = negative_errno();
                (void) kill(child, SIGKILL);
                reap_orphans();
                return rkt_error_set(reterr, r, "creating a signalfd: %s", strerror(-r));
        }
        for (;;) {
                struct pollfd fds[2] = {{.fd = sfd, .events = POLLIN}, {.fd = notify_fd, .events = POLLIN}};
                struct signalfd_siginfo si;
                int st;
                pid_t p;
                bool done = false;

                if (poll(fds, 2, -1) < 0)
                        continue;
                if (fds[1].revents & POLLIN)
                        notify_relay_forward(notify_fd);
                if (!(fds[0].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
                        continue;
                if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGHUP) {
                        (void) kill(child, forwarded_signal((int) si.ssi_signo));
                        continue;
                }
                if (si.ssi_signo != SIGCHLD)
                        continue;
                while ((p = waitpid(-1, &st, WNOHANG)) > 0)
                        if (p == child) {
                                done = true;
                                *ret_killed = WIFSIGNALED(st);
                                st = wait_status(st);
                                break;
                        }
                if (done) {
                        reap_orphans();
                        return st;
                }
        }
}

/* nspawn runs as our child rather than in our place. As a subreaper we inherit the pod's init if nspawn is
 * killed, and end it: a pod never outlives its nspawn unseen (the lock, the pod's liveness, goes with
 * nspawn and us). If we are killed, the pod powers off in order (nspawn's parent-death SIGTERM, and the
 * stop guard for a pod killed while it boots). Signals that
 * would stop a pod (TERM, INT, HUP) are passed on to nspawn. Returns nspawn's exit status, the pod's. */
/* In nspawn's process, before its exec: the sockets of socket activation are nspawn's now (sd_listen_fds()
 * checks LISTEN_PID), which hands them to the pod's systemd. No allocation: env has a LISTEN_PID entry
 * whenever there are sockets (stage1_listen_fds_inherit() left our environment as systemd gave it). */
static void listen_fds_to_child(char **env, int n_listen) {
        static char pid[32];

        if (n_listen <= 0)
                return;
        snprintf(pid, sizeof(pid), "LISTEN_PID=%d", (int) getpid());
        for (char **e = env; e && *e; e++)
                if (startswith(*e, "LISTEN_PID="))
                        *e = pid;
}

int init_supervise_nspawn(char **argv, char **env, int n_listen, int notify_fd, int netns_fd,
                          bool *ret_killed, RktError **reterr) {
        _cleanup_free_ char *ppid = NULL;
        _cleanup_close_ int guard_fd = -1;
        sigset_t all;
        pid_t self = getpid(), child;
        int r;

        sigfillset(&all);
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return rkt_error_set(reterr, negative_errno(), "becoming a subreaper: %m");
        sigprocmask(SIG_SETMASK, &all, NULL);
        /* Whatever the caller ignored (a shell's background job ignores INT and QUIT) must not stick to
         * nspawn: an ignored signal is dropped even where nspawn waits for it (safe_fork() resets them). */
        child = safe_fork();
        if (child < 0)
                return rkt_error_set(reterr, child, "forking: %s", strerror(-child));
        if (child == 0) {
                if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != self)
                        _exit(STAGE1_EXIT_FAILURE);
                if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) < 0) {
                        log_error("joining the pod's network namespace: %m");
                        _exit(STAGE1_EXIT_FAILURE);
                }
                if (stage1_close_fds_but_lock_and_listen(n_listen) < 0)
                        _exit(STAGE1_EXIT_FAILURE);
                listen_fds_to_child(env, n_listen);
                execve(NSPAWN_PATH, argv, env);
                log_error("executing " NSPAWN_PATH ": %m");
                _exit(STAGE1_EXIT_FAILURE);
        }
        /* ppid: the process whose only child is the pod's PID 1, as the contract says. */
        if (asprintf(&ppid, "%d\n", (int) child) < 0)
                return -ENOMEM;
        r = start_stop_guard(child, &guard_fd, reterr);
        if (r >= 0) {
                r = stage1_write_file_at(AT_FDCWD, POD_PPID, ppid, 0644);
                if (r < 0)
                        rkt_error_set(reterr, r, "writing " POD_PPID ": %s", strerror(-r));
        }
        if (r < 0) {
                (void) kill(child, SIGKILL);
                reap_orphans();
                return r;
        }
        return wait_nspawn(child, &all, notify_fd, ret_killed, reterr);
}
