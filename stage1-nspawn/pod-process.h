/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The processes of a running pod as the host sees them: systemd-nspawn (its pid is in the pod's "ppid"
 * file), the pod's PID 1 (the pod's systemd, nspawn's only child), and asking that systemd to power off
 * at a moment it can hear it. */

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "stage1-contract.h"

/* The signal a pod's systemd powers off on (machinectl poweroff sends the same). */
#define POD_POWEROFF_SIGNAL (SIGRTMIN + 4)

/* The children of a pid and the pod's PID 1 (pod_process_children(), pod_process_leader()) are
 * stage0's too: stage1-contract.h. */
/* Whether /proc/<pid>/comm is comm. */
bool pod_process_is(pid_t pid, const char *comm);
/* The process's start time (field 22 of /proc/<pid>/stat, in clock ticks since boot); 0 when it is gone
 * or a zombie. Tells a process from a later one that got its pid. */
unsigned long long pod_process_start_time(pid_t pid);

/* Whether the /proc/<pid>/status text shows sig caught (SigCgt) or blocked (SigBlk, as systemd blocks the
 * signals it reads from a signalfd). Only then does a PID-namespace init get the signal: the kernel drops
 * a signal sent to it from outside while it has the default action. -EINVAL for a text without those
 * lines. */
int pod_process_status_takes_signal(const char *status, int sig);

/* Asks the pod's systemd to power off in order: waits, up to timeout_ms, until the pod's PID 1 is
 * systemd and takes POD_POWEROFF_SIGNAL, then sends it. A request made while the pod boots is thus
 * delivered rather than lost. -ESRCH when nspawn is gone, -ETIMEDOUT when the pod's systemd never
 * became able to hear it. */
int pod_poweroff(pid_t nspawn, unsigned timeout_ms, RktError **reterr);
