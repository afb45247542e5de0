/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Run from a service whose pod stays in it (--keep-unit): warns once when the service's KillMode= is
 * control-group, with which 'systemctl stop' signals every process of the pod itself: the pod still powers
 * off (nspawn does on the SIGTERM it gets), but its apps and its systemd get the SIGTERM at the same moment
 * rather than being stopped in order. */
void stage1_warn_kill_mode(void);
