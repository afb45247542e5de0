/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs.h"
#include "pod-process.h"

#define POLL_INTERVAL_MS 10

bool pod_process_is(pid_t pid, const char *comm) {
        _cleanup_free_ char *text = NULL;
        char path[64];
        size_t len = strlen(comm);

        snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
        return read_full_file_at(AT_FDCWD, path, &text, NULL) >= 0 && strncmp(text, comm, len) == 0 &&
               (text[len] == '\n' || text[len] == 0);
}

unsigned long long pod_process_start_time(pid_t pid) {
        _cleanup_free_ char *stat = NULL;
        char path[64], *p;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        if (read_full_file_at(AT_FDCWD, path, &stat, NULL) < 0)
                return 0;
        /* "pid (comm) state ppid ..." with comm possibly containing spaces and parentheses. */
        p = strrchr(stat, ')');
        if (!p || p[1] != ' ' || p[2] == 'Z')
                return 0;
        p += 2;
        for (int field = 3; field < 22 && p; field++) {
                p = strchr(p, ' ');
                if (p)
                        p++;
        }
        return p ? strtoull(p, NULL, 10) : 0;
}

static int status_mask(const char *status, const char *key, unsigned long long *ret) {
        const char *p = status;
        size_t len = strlen(key);

        for (;;) {
                if (strncmp(p, key, len) == 0 && p[len] == ':') {
                        char *end;
                        errno = 0;
                        *ret = strtoull(p + len + 1, &end, 16);
                        return errno == 0 && end != p + len + 1 ? 0 : -EINVAL;
                }
                p = strchr(p, '\n');
                if (!p)
                        return -EINVAL;
                p++;
        }
}

int pod_process_status_takes_signal(const char *status, int sig) {
        unsigned long long blocked, caught;

        if (sig < 1 || sig > 64 || status_mask(status, "SigBlk", &blocked) < 0 ||
            status_mask(status, "SigCgt", &caught) < 0)
                return -EINVAL;
        return ((blocked | caught) >> (sig - 1)) & 1;
}

static unsigned long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (unsigned long long) ts.tv_sec * 1000 + (unsigned long long) ts.tv_nsec / 1000000;
}

/* The pod's systemd, once it takes sig; -EAGAIN before. */
static int ready_leader(pid_t nspawn, int sig, pid_t *ret) {
        _cleanup_free_ char *status = NULL;
        char path[64];
        pid_t leader;
        int r = pod_process_leader(nspawn, &leader);

        if (r < 0)
                return r == -ESRCH ? -EAGAIN : r;
        if (!pod_process_is(leader, "systemd"))
                return -EAGAIN;
        snprintf(path, sizeof(path), "/proc/%d/status", (int) leader);
        if (read_full_file_at(AT_FDCWD, path, &status, NULL) < 0)
                return -EAGAIN;
        r = pod_process_status_takes_signal(status, sig);
        if (r <= 0)
                return r < 0 ? r : -EAGAIN;
        *ret = leader;
        return 0;
}

int pod_poweroff(pid_t nspawn, unsigned timeout_ms, RktError **reterr) {
        unsigned long long started = pod_process_start_time(nspawn), deadline = now_ms() + timeout_ms;
        pid_t leader;
        int r;

        for (;;) {
                if (started == 0 || pod_process_start_time(nspawn) != started ||
                    !pod_process_is(nspawn, "systemd-nspawn"))
                        return rkt_error_set(reterr, -ESRCH,
                                             "the pod is not running (systemd-nspawn pid %d is gone)",
                                             (int) nspawn);
                r = ready_leader(nspawn, POD_POWEROFF_SIGNAL, &leader);
                if (r == 0)
                        break;
                if (r != -EAGAIN)
                        return rkt_error_set(reterr, r, "finding the pod's systemd: %s", strerror(-r));
                if (now_ms() >= deadline)
                        return rkt_error_set(
                                reterr, -ETIMEDOUT,
                                "the pod's systemd did not get ready for a poweroff within %u ms",
                                timeout_ms);
                (void) nanosleep(&(struct timespec){.tv_nsec = POLL_INTERVAL_MS * 1000000L}, NULL);
        }
        if (kill(leader, POD_POWEROFF_SIGNAL) < 0) {
                r = negative_errno();
                return rkt_error_set(reterr, r, "signalling the pod's systemd (pid %d): %s", (int) leader,
                                     strerror(-r));
        }
        return 0;
}
