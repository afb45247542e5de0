/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The part of stage1's init that runs systemd-nspawn and watches it (init-supervise.c). */

#include <stdbool.h>

#include "error.h"
#include "sysbus.h"

/* Whether systemd is PID 1 and systemd-machined runs or can be activated on the system bus, which it needs
 * to register the pod as a machine (machinectl, journalctl -M, a scope in machine.slice). Asked early
 * (start) and answered when init needs to know (finish), so that the bus daemon's answer costs init no
 * time of its own. */
typedef struct MachinedQuery {
        SysBus *bus; /* NULL: not booted with systemd, or no bus */
        uint32_t has_owner, activatable;
} MachinedQuery;
void init_machined_query_start(MachinedQuery *q);
bool init_machined_query_finish(MachinedQuery *q);
void init_machined_query_done(MachinedQuery *q);
/* We run inside a .service unit (the pod then stays in its cgroup, nspawn --keep-unit). */
bool init_inside_service(void);
/* Without machined: makes the pod's own cgroup below ours, named like machined's scope, and moves us into
 * it. *ret is its path relative to the hierarchy roots, NULL when no hierarchy could be used. */
int init_make_pod_cgroup(const char *uuid, char **ret);
/* Opens the socket nspawn gets as NOTIFY_SOCKET when we have one to relay to; *ret_fd = -1 without. */
int init_notify_relay_open(int *ret_fd, char **ret_name, RktError **reterr);
/* Runs nspawn (argv, env) as our child, as a subreaper, until it exits; returns the pod's exit status.
 * netns_fd >= 0: the network namespace nspawn is started in. */
int init_supervise_nspawn(char **argv, char **env, int n_listen, int notify_fd, int netns_fd,
                          bool *ret_killed, RktError **reterr);
