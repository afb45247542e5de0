/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <time.h>

#include "format.h"
#include "log.h"
#include "output.h"
#include "pod-common.h"
#include "pod-name.h"
#include "strv.h"
#include "util.h"
#include "verbs.h"

enum { OPT_WAIT = 1, OPT_WAIT_READY, OPT_FORMAT, OPT_UUID_FILE };

const Option status_options[] = {
        {"format", 0, OPT_FORMAT, OPTION_REQUIRED, "FORMAT", NULL,
         "choose the output format: json, json-pretty; key=value lines when empty", "json json-pretty"},
        {"uuid-file", 0, OPT_UUID_FILE, OPTION_REQUIRED, "FILE", NULL,
         "read pod UUID from file instead of argument"},
        {"wait", 0, OPT_WAIT, OPTION_OPTIONAL, "bool|timeout", "false",
         "toggles waiting for the pod to finish. Use the output to determine the actual terminal state."},
        {"wait-ready", 0, OPT_WAIT_READY, OPTION_OPTIONAL, "bool|timeout", "false",
         "toggles waiting until the pod is ready."},
        {},
};

#define WAIT_FOREVER UINT64_MAX
#define POLL_USEC 100000

/* --wait and --wait-ready take a boolean or a duration: true (or no value, or a negative duration) waits
 * without end, false or zero not at all. */
static int parse_wait(const ParsedOption *o, uint64_t *ret) {
        int b;

        if (isempty(o->value)) {
                *ret = WAIT_FOREVER;
                return 0;
        }
        b = parse_boolean(o->value);
        if (b >= 0) {
                *ret = b ? WAIT_FOREVER : 0;
                return 0;
        }
        if (o->value[0] == '-') {
                uint64_t ignored;
                if (parse_duration_usec(o->value + 1, &ignored) < 0)
                        goto bad;
                *ret = WAIT_FOREVER;
                return 0;
        }
        if (parse_duration_usec(o->value, ret) >= 0)
                return 0;
bad:
        return log_error_errno(
                -EINVAL, "invalid argument '%s' for --%s: expected true, false or a duration (e.g. 30s)",
                o->value, o->option->name);
}

static uint64_t monotonic_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static void nap(void) {
        struct timespec ts = {0, POLL_USEC * 1000};
        (void) nanosleep(&ts, NULL);
}

static bool deadline_passed(uint64_t start, uint64_t timeout) {
        return timeout != WAIT_FOREVER && monotonic_usec() - start >= timeout;
}

/* Polls the pod's lock every 100 ms until it is finished (exited, aborted, garbage). A pod may move on
 * while we wait (gc marks it): refreshing finds it at its new place. */
static int wait_finished(Pod *p, uint64_t timeout) {
        uint64_t start = monotonic_usec();

        for (;;) {
                int r = pod_refresh(p);
                if (r == -ENOENT)
                        return log_error_errno(r, "error waiting for pod to finish: pod \"%s\" was removed",
                                               p->uuid);
                if (r < 0)
                        return log_error_errno(r, "error waiting for pod to finish: %m");
                if (pod_state_is_finished(p->state))
                        return 0;
                if (deadline_passed(start, timeout))
                        return log_error_errno(-ETIMEDOUT,
                                               "error waiting for pod to finish: context deadline exceeded");
                nap();
        }
}

static int wait_ready(Pod *p, uint64_t timeout) {
        uint64_t start = monotonic_usec();

        for (;;) {
                int r = pod_refresh(p);
                if (r < 0)
                        return log_error_errno(r, "error waiting for pod readiness: pod \"%s\" is gone",
                                               p->uuid);
                if (pod_supervisor_ready(p))
                        return 0;
                /* Unlike rkt 1.30, which polled forever, a pod that is over will never become ready. */
                if (pod_state_is_finished(p->state))
                        return log_error_errno(-ESRCH, "error waiting for pod readiness: pod \"%s\" is %s",
                                               p->uuid, pod_state_to_string(p->state));
                if (deadline_passed(start, timeout))
                        return log_error_errno(-ETIMEDOUT,
                                               "error waiting for pod readiness: context deadline exceeded");
                nap();
        }
}

static int print_status(Pod *p) {
        _cleanup_(json_object_putp) json_object *manifest = NULL;
        _cleanup_(pod_nets_done) PodNets nets = {};
        _cleanup_free_ char *created = NULL, *started = NULL, *networks = NULL;
        uint64_t t;
        pid_t pid;

        printf("state=%s\n", pod_state_to_string(p->state));
        t = pod_created_time(p);
        created = t ? format_time_full(t) : strdup("");
        printf("created=%s\n", strempty(created));
        {
                /* Only for pods that have a name (rkt run --name): other pods print what rkt 1.30 did. */
                _cleanup_free_ char *name = NULL;
                if (pod_name_read(p, &name) >= 0)
                        printf("name=%s\n", name);
        }
        if (p->state == POD_RUNNING || pod_state_is_after_run(p->state)) {
                t = pod_started_time(p);
                if (t) {
                        started = format_time_full(t);
                        printf("started=%s\n", strempty(started));
                }
        }
        if (p->state == POD_RUNNING || p->state == POD_EXITED) {
                nets = pod_nets(p);
                networks = pod_nets_string(&nets);
                printf("networks=%s\n", strempty(networks));
        }
        if (!(p->state == POD_RUNNING || p->state == POD_DELETING || p->state == POD_EXITED_DELETING ||
              p->state == POD_EXITED || p->state == POD_EXITED_GARBAGE))
                return 0;
        /* pid may not be written yet right after the pod started, and never when stage1 failed early. */
        if (pod_stage1_pid(p, &pid) >= 0)
                printf("pid=%d\n", (int) pid);
        printf("exited=%s\n", p->state == POD_EXITED || p->state == POD_EXITED_GARBAGE ? "true" : "false");
        if (p->state == POD_RUNNING)
                return 0;
        if (pod_manifest_json(p, &manifest) < 0) {
                /* Being removed (rkt gc) while we looked: it has no statuses left to show. */
                if (pod_refresh(p) < 0 || p->state == POD_DELETING || p->state == POD_EXITED_DELETING)
                        return 0;
                return log_error_errno(-EBADMSG,
                                       "unable to print status: unable to get exit statuses for pod \"%s\"",
                                       p->uuid);
        }
        for (size_t i = 0; i < pod_manifest_n_apps(manifest); i++) {
                const char *app = pod_manifest_app_name(manifest, i);
                int code;
                if (app && pod_app_exit_code(p, app, &code) >= 0)
                        printf("app-%s=%d\n", app, code);
        }
        return 0;
}

int verb_status(CliArgs *a) {
        _cleanup_strv_free_ char **uuids = NULL;
        _cleanup_(pod_freep) Pod *p = NULL;
        const char *uuid_file = NULL;
        OutputFormat format = OUTPUT_TABLE;
        uint64_t wait = 0, ready = 0;
        int r;

        for (size_t i = 0; i < a->n_options; i++) {
                const ParsedOption *o = &a->options[i];
                switch (o->option->id) {
                case OPT_WAIT:
                        r = parse_wait(o, &wait);
                        break;
                case OPT_WAIT_READY:
                        r = parse_wait(o, &ready);
                        break;
                case OPT_FORMAT:
                        r = output_format_parse(o->value, &format);
                        break;
                case OPT_UUID_FILE:
                        uuid_file = o->value;
                        r = 0;
                        break;
                default:
                        r = 0;
                }
                if (r < 0)
                        return r;
        }
        r = pod_uuids_from_args(a, uuid_file, false, false, &uuids);
        if (r == -EIO)
                return 1; /* as rkt 1.30 */
        if (r < 0)
                return r;
        r = pod_open_logged(a, uuids[0], "problem retrieving pod", &p);
        if (r < 0)
                return r;
        if (ready > 0 && (r = wait_ready(p, ready)) < 0)
                return r;
        if (wait > 0 && (r = wait_finished(p, wait)) < 0)
                return r;

        if (format != OUTPUT_TABLE) {
                _cleanup_(json_object_putp) json_object *manifest = NULL, *o = NULL;
                _cleanup_(pod_nets_done) PodNets nets = {};
                if (pod_manifest_available(p))
                        (void) pod_manifest_json(p, &manifest);
                nets = pod_nets(p);
                o = pod_api_json(p, manifest, &nets);
                if (!o)
                        return log_oom();
                return output_json(o, format, stdout);
        }
        return print_status(p);
}
