/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <time.h>

#include "format.h"
#include "log.h"
#include "pod-common.h"
#include "util.h"
#include "verbs.h"

enum { OPT_GRACE = 1, OPT_EXPIRE_PREPARED, OPT_MARK_ONLY };

const Option gc_options[] = {
        {"expire-prepared", 0, OPT_EXPIRE_PREPARED, OPTION_REQUIRED, "DURATION", "24h0m0s",
         "duration to wait before expiring prepared pods"},
        {"grace-period", 0, OPT_GRACE, OPTION_REQUIRED, "DURATION", "30m0s",
         "duration to wait before discarding inactive pods from garbage"},
        {"mark-only", 0, OPT_MARK_ONLY, OPTION_BOOL, NULL, "false",
         "if set to true, then the exited/aborted pods will be moved to the garbage directories without "
         "actually "
         "deleting them, this is useful for marking the exit time of a pod"},
        {},
};

#define EMBRYO_MAX_AGE (60ULL * 1000000)

static bool older_than(uint64_t t, uint64_t age, uint64_t now) {
        return t > 0 && now > t && now - t > age;
}

/* Deletes p if nobody else holds its lock (another gc or rm is deleting it then, or — for a prepared pod
 * that gc just moved — a run-prepared got hold of it first). Returns < 0 when p stays behind for a reason
 * other than that, after one error line naming it. */
static int collect(const CliArgs *a, Pod *p) {
        _cleanup_error_ RktError *err = NULL;
        int r;

        /* A reader (rkt list, status) probes the lock for an instant: try a few times before concluding that
         * somebody else is deleting the pod. */
        for (unsigned attempt = 0;; attempt++) {
                struct timespec ts = {0, 10 * 1000 * 1000};
                r = pod_lock(p, false, &err);
                if (r != -EWOULDBLOCK || attempt >= 20)
                        break;
                (void) nanosleep(&ts, NULL);
        }
        if (r == -EWOULDBLOCK || r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error_errno(r, "unable to lock pod \"%s\": %s", p->uuid,
                                       rkt_error_message(err, r));
        if (p->state != POD_EXITED_DELETING && p->state != POD_DELETING)
                return 0;
        printf("Garbage collecting pod \"%s\"\n", p->uuid);
        fflush(stdout);
        return pod_delete(a, p);
}

int verb_gc(CliArgs *a) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_free_ char *grace_str = NULL;
        uint64_t grace = 30ULL * 60 * 1000000, expire = 24ULL * 3600 * 1000000, now;
        bool mark_only = false;
        Pod **pods = NULL;
        size_t n = 0, failed = 0;
        int r;

        for (size_t i = 0; i < a->n_options; i++) {
                const ParsedOption *o = &a->options[i];
                switch (o->option->id) {
                case OPT_GRACE:
                case OPT_EXPIRE_PREPARED:
                        if (parse_duration_usec(o->value, o->option->id == OPT_GRACE ? &grace : &expire) < 0)
                                return log_error_errno(
                                        -EINVAL,
                                        "invalid argument '%s' for --%s: not a duration (e.g. 30m, 24h, 0s)",
                                        o->value, o->option->name);
                        break;
                case OPT_MARK_ONLY:
                        if ((r = cli_bool(o, &mark_only)) < 0)
                                return r;
                        break;
                }
        }
        grace_str = format_go_duration(grace);
        if (!grace_str)
                return log_oom();

        r = pod_list(a->globals->dir, &pods, &n, &err);
        if (r < 0)
                return log_error_errno(r, "failed to get pod handles: %s", rkt_error_message(err, r));

        /* Mark: pods whose stage1 is gone (nobody holds the lock in run/) have exited; an unlocked pod in
         * prepare/ is a prepare that died. The rename's ctime starts the grace period. A lost race (another
         * gc or rm moved the pod first) is not an error. */
        for (size_t i = 0; i < n; i++) {
                Pod *p = pods[i];
                if (p->state == POD_EXITED) {
                        log_info("moving pod \"%s\" to garbage", p->uuid);
                        r = pod_to_exited_garbage(p, &err);
                } else if (p->state == POD_ABORTED_PREPARE) {
                        log_info("moving failed prepare \"%s\" to garbage", p->uuid);
                        r = pod_to_garbage(p, &err);
                } else
                        continue;
                if (r < 0) {
                        log_error("rename error: %s", rkt_error_message(err, r));
                        rkt_error_free(TAKE_PTR(err));
                }
        }
        if (mark_only)
                goto finish;

        now = now_usec();
        for (size_t i = 0; i < n; i++) {
                Pod *p = pods[i];
                if (p->state != POD_PREPARED || !older_than(pod_dir_ctime(p), expire, now))
                        continue;
                log_info("moving expired prepared pod \"%s\" to garbage", p->uuid);
                r = pod_to_garbage(p, &err);
                if (r < 0 && r != -EBUSY)
                        log_error("rename error: %s", rkt_error_message(err, r));
                rkt_error_free(TAKE_PTR(err));
        }

        /* Sweep: exited pods once their grace period is over, never-run garbage at once. */
        now = now_usec();
        for (size_t i = 0; i < n; i++) {
                Pod *p = pods[i];
                if (p->state != POD_EXITED_GARBAGE)
                        continue;
                if (grace == 0 || older_than(pod_dir_ctime(p), grace, now))
                        failed += collect(a, p) < 0;
                else
                        log_info("pod \"%s\" not removed: still within grace period (%s)", p->uuid,
                                 grace_str);
        }
        for (size_t i = 0; i < n; i++)
                if (pods[i]->state == POD_GARBAGE)
                        failed += collect(a, pods[i]) < 0;

        /* An embryo lives for the instant between its mkdir and its move to prepare/ (under its lock): an
         * old, unlocked one is what a killed rkt left behind. */
        for (size_t i = 0; i < n; i++) {
                Pod *p = pods[i];
                if (p->state != POD_EMBRYO || !older_than(pod_dir_ctime(p), EMBRYO_MAX_AGE, now))
                        continue;
                if (pod_lock(p, false, NULL) < 0 || p->state != POD_EMBRYO)
                        continue;
                log_info("removing stale embryo \"%s\"", p->uuid);
                failed += pod_delete(a, p) < 0;
        }
finish:
        pods_free(pods, n);
        /* The others were still removed; each pod left behind had its own error line. A timer or script
         * learns from the exit status that the garbage is not empty. */
        return failed > 0 ? -EIO : 0;
}
