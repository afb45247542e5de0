/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "macro.h"
#include "path.h"
#include "stage1-common.h"
#include "socket-units.h"
#include "util.h"

static unsigned exposed_port(const AppcPodManifest *pod, const char *name) {
        for (size_t i = 0; pod && i < pod->n_ports; i++)
                if (streq(pod->ports[i].name, name) && pod->ports[i].host_port > 0)
                        return pod->ports[i].host_port;
        return 0;
}

int stage1_socket_unit(const char *app_name, const AppcApp *app, const AppcPodManifest *pod, char **ret,
                       const char **ret_unexposed) {
        _cleanup_free_ char *text = NULL;
        const char *unexposed = NULL;
        size_t size, n = 0;
        FILE *f;

        *ret = NULL;
        if (ret_unexposed)
                *ret_unexposed = NULL;
        for (size_t i = 0; app && i < app->n_ports; i++) {
                const AppcPort *p = &app->ports[i];
                if (!p->socket_activated)
                        continue;
                if (!streq(p->protocol, "tcp") && !streq(p->protocol, "udp"))
                        return -EINVAL;
                n++;
        }
        if (n == 0)
                return 0;

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        /* The app's name is an AC Name ([a-z0-9-]): nothing a unit file would expand or split. */
        fprintf(f, "[Unit]\nDescription=Application=%s socket-activated ports\n", app_name);
        fputs("DefaultDependencies=no\n", f);
        fputs("Conflicts=shutdown.target\n", f);
        fputs("Before=shutdown.target\n", f);
        fputs("\n[Socket]\n", f);
        fprintf(f, "Service=%s.service\n", app_name);
        /* A port without an address is the IPv6 wildcard taking IPv4 too, as a host's ListenStream=PORT
         * makes it: the addresses must be equal for the pod's systemd to take the socket passed. */
        fputs("BindIPv6Only=both\n", f);
        for (size_t i = 0; i < app->n_ports; i++) {
                const AppcPort *p = &app->ports[i];
                unsigned port;

                if (!p->socket_activated)
                        continue;
                port = exposed_port(pod, p->name);
                if (port == 0) {
                        port = p->port;
                        if (!unexposed)
                                unexposed = p->name;
                }
                fprintf(f, "%s=%u\n", streq(p->protocol, "tcp") ? "ListenStream" : "ListenDatagram", port);
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
        if (ret_unexposed)
                *ret_unexposed = unexposed;
        return 0;
}

int stage1_socket_unit_plan(const char *name, const AppcApp *app, const AppcPodManifest *pod, char **ret,
                            RktError **reterr) {
        const char *unexposed;
        int r = stage1_socket_unit(name, app, pod, ret, &unexposed);

        if (r == -EINVAL)
                return rkt_error_set(reterr, r,
                                     "app '%s': a socket-activated port's protocol is not tcp or udp", name);
        if (r < 0)
                return r;
        if (unexposed)
                log_warning(
                        "app '%s': no --port for socket-activated port '%s', assuming the port its image "
                        "gives",
                        name, unexposed);
        return 0;
}

int stage1_socket_unit_write(int s1fd, const char *name, const char *text, RktError **reterr) {
        _cleanup_free_ char *path = NULL, *link = NULL, *target = NULL;
        int r;

        if (asprintf(&path, "etc/systemd/system/%s.socket", name) < 0 ||
            asprintf(&link, "etc/systemd/system/-.mount.wants/%s.socket", name) < 0 ||
            asprintf(&target, "../%s.socket", name) < 0)
                return -ENOMEM;
        r = stage1_write_file_at(s1fd, path, text, 0644);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing " POD_STAGE1_ROOTFS "/%s: %s", path, strerror(-r));
        if (mkdirat(s1fd, "etc/systemd/system/-.mount.wants", 0755) < 0 && errno != EEXIST)
                r = negative_errno();
        if (r >= 0)
                r = stage1_symlink_at(s1fd, target, link);
        if (r < 0)
                return rkt_error_set(reterr, r, "linking " POD_STAGE1_ROOTFS "/%s: %s", link, strerror(-r));
        return 0;
}
