/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* An app could not be executed (systemd's status 203): says why on the pod's console and stderr, as rkt
 * 1.30's stage1 did ('Error: Unable to open "/x": No such file or directory'): its executable (from
 * /rkt/exec/APP), a script's interpreter or an ELF program's loader, whichever is missing first. */
void reaper_diagnose_exec(const char *app);
