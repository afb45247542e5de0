/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-login.h>

#include "log.h"
#include "unit-killmode.h"
#include "util.h"

void stage1_warn_kill_mode(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *unit = NULL, *path = NULL, *mode = NULL;

        if (sd_pid_get_unit(0, &unit) < 0 || !endswith(unit, ".service"))
                return;
        if (sd_bus_open_system(&bus) < 0 ||
            sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path) < 0 ||
            sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path,
                                       "org.freedesktop.systemd1.Service", "KillMode", &error, &mode) < 0)
                return;
        if (streq(mode, "control-group"))
                log_warning(
                        "the pod stays in unit '%s', whose KillMode=control-group makes 'systemctl stop' "
                        "signal the pod's apps and its systemd themselves, at once, rather than let the "
                        "pod stop them in order: set KillMode=mixed in the unit (systemd-run -p "
                        "KillMode=mixed)",
                        unit);
}
