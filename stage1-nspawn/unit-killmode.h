/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Run from a service whose pod stays in it (--keep-unit): warns once when the service's KillMode= is
 * control-group, with which 'systemctl stop' signals every process of the pod itself (the pod's systemd
 * included) instead of letting rkt power the pod off, and ends it with SIGKILL after TimeoutStopSec=. */
void stage1_warn_kill_mode(void);
