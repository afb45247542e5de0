/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>

#include "log.h"
#include "stage1-common.h"
#include "strv.h"
#include "sysbus.h"
#include "unit-killmode.h"
#include "util.h"

void stage1_warn_kill_mode(void) {
        _cleanup_(sysbus_closep) SysBus *bus = NULL;
        _cleanup_free_ char *unit = NULL, *path = NULL, *mode = NULL;
        SysBusMessage reply;

        if (stage1_own_unit(&unit) < 0 || !endswith(unit, ".service"))
                return;
        if (sysbus_open_system(&bus) < 0 || sysbus_unit_path(unit, &path) < 0 ||
            sysbus_call(bus, "org.freedesktop.systemd1", path, "org.freedesktop.DBus.Properties", "Get",
                        STRV_MAKE("org.freedesktop.systemd1.Service", "KillMode"), &reply, NULL) < 0 ||
            sysbus_read_variant_string(&reply, &mode) < 0)
                return;
        if (streq(mode, "control-group"))
                log_warning(
                        "the pod stays in unit '%s', whose KillMode=control-group makes 'systemctl stop' "
                        "signal the pod's apps and its systemd themselves, at once, rather than let the "
                        "pod stop them in order: set KillMode=mixed in the unit (systemd-run -p "
                        "KillMode=mixed)",
                        unit);
}
