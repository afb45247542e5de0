/* SPDX-License-Identifier: Apache-2.0 */
/* The pod's port forwarding on the host: the ports matched with the apps' declarations, route_localnet for
 * 127.0.0.1, the iptables rules (net-portfwd.c makes them) applied and removed again. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "fd-util.h"
#include "fs.h"
#include "log.h"
#include "net-host.h"
#include "stage1-common.h"
#include "strv.h"
#include "util.h"

/* route_localnet on the host's interfaces with address ip (the host side of the pod's network), so that
 * connections to 127.0.0.1:<forwarded port> can be routed to the pod. -ENODEV when none has it. */
static int enable_route_localnet(const char *ip) {
        struct ifaddrs *ifs = NULL;
        struct in_addr want;
        unsigned n = 0;
        int r = 0;

        if (inet_pton(AF_INET, ip, &want) != 1)
                return -EINVAL;
        if (getifaddrs(&ifs) < 0)
                return negative_errno();
        for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
                _cleanup_free_ char *path = NULL;
                if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || (i->ifa_flags & IFF_LOOPBACK) ||
                    ((struct sockaddr_in *) i->ifa_addr)->sin_addr.s_addr != want.s_addr ||
                    strchr(i->ifa_name, '/'))
                        continue;
                if (asprintf(&path, "/proc/sys/net/ipv4/conf/%s/route_localnet", i->ifa_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = write_file_atomic_at(AT_FDCWD, path, "1", 1, 0644);
                if (r < 0) {
                        /* /proc/sys files are written in place, not replaced. */
                        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
                        r = fd < 0 ? negative_errno() : loop_write(fd, "1", 1);
                        if (r < 0)
                                break;
                }
                n++;
        }
        freeifaddrs(ifs);
        return r < 0 ? r : n > 0 ? 0 : -ENODEV;
}

/* The effective app section of each app (the pod manifest's, else its image's). */
static int effective_apps(const NetPodConfig *c, AppcImageManifest ***ret_images, const AppcApp ***ret_apps,
                          RktError **reterr) {
        AppcImageManifest **images = calloc(c->pod->n_apps + 1, sizeof(AppcImageManifest *));
        const AppcApp **apps = calloc(c->pod->n_apps + 1, sizeof(AppcApp *));
        int r = 0;

        if (!images || !apps) {
                r = -ENOMEM;
                goto fail;
        }
        for (size_t i = 0; i < c->pod->n_apps; i++) {
                const AppcRuntimeApp *ra = &c->pod->apps[i];

                if (ra->app) {
                        apps[i] = ra->app;
                        continue;
                }
                r = stage2_manifest_load(c->s1fd, ra->name, &images[i], reterr);
                if (r < 0)
                        goto fail;
                apps[i] = images[i]->app;
        }
        *ret_images = images;
        *ret_apps = apps;
        return 0;
fail:
        for (size_t i = 0; images && i < c->pod->n_apps; i++)
                appc_image_manifest_free(images[i]);
        free(images);
        free(apps);
        return r;
}

int net_portfwd_resolve(const NetPodConfig *c, NetPortForward **ret, size_t *ret_n, RktError **reterr) {
        AppcImageManifest **images = NULL;
        const AppcApp **apps = NULL;
        int r;

        *ret = NULL;
        *ret_n = 0;
        if (c->pod->n_ports == 0)
                return 0;
        r = effective_apps(c, &images, &apps, reterr);
        if (r < 0)
                return r;
        r = net_ports_resolve(c->pod, apps, ret, ret_n, reterr);
        for (size_t i = 0; i < c->pod->n_apps; i++)
                appc_image_manifest_free(images[i]);
        free(images);
        free(apps);
        return r;
}

int net_portfwd_apply(const NetPodConfig *c, int podfd, const NetPortForward *fps, size_t n_fps,
                      const NetConf *const *sel, const NetInfo *infos, char *const *host_ips, size_t n,
                      RktError **reterr) {
        char ***rules = NULL;
        size_t fwd = n - 1;
        int r, status;

        /* The first masquerading network, else the last one (rkt 1.30). */
        for (size_t i = 0; i < n; i++)
                if (sel[i]->ip_masq) {
                        fwd = i;
                        break;
                }
        if (isempty(infos[fwd].ip))
                return rkt_error_set(reterr, -EADDRNOTAVAIL,
                                     "network '%s' gave the pod no address: its ports cannot be forwarded",
                                     infos[fwd].net_name);
        if (strchr(infos[fwd].ip, ':'))
                return rkt_error_set(
                        reterr, -EOPNOTSUPP,
                        "network '%s' gave the pod an IPv6 address: only IPv4 ports are forwarded",
                        infos[fwd].net_name);
        if (!net_iptables_path())
                return rkt_error_set(reterr, -ENOENT,
                                     "forwarding ports needs iptables, which is not installed");
        if (host_ips[fwd]) {
                r = enable_route_localnet(host_ips[fwd]);
                if (r == -ENODEV)
                        log_warning("no interface of the host has the address %s of network '%s': forwarded "
                                    "ports do not answer on 127.0.0.1",
                                    host_ips[fwd], infos[fwd].net_name);
                else if (r < 0)
                        return rkt_error_set(reterr, r, "enabling route_localnet for %s: %s", host_ips[fwd],
                                             strerror(-r));
        }
        r = net_record_write(podfd, PORTFWD_FILE, infos[fwd].ip, reterr);
        if (r < 0)
                return r;
        r = net_portfwd_setup_rules(c->uuid, fps, n_fps, infos[fwd].ip, &rules);
        if (r < 0)
                return r;
        for (size_t i = 0; rules[i]; i++) {
                _cleanup_free_ char *out = NULL, *cmd = strv_join(rules[i], " ");
                r = net_iptables_nat(rules[i], &status, &out);
                if (r < 0 || status != 0) {
                        _cleanup_free_ char *msg = net_plugin_error(out);
                        r = rkt_error_set(reterr, r < 0 ? r : -EIO,
                                          "forwarding ports: iptables -t nat %s: %s", strna(cmd),
                                          r < 0 ? strerror(-r) : strna(msg));
                        break;
                }
        }
        net_rules_free(rules);
        return r < 0 ? r : 0;
}

int net_portfwd_remove(const char *uuid, RktError **reterr) {
        char ***rules = NULL;
        char dnat[32], snat[32];
        const char *chains[] = {dnat, snat};
        int r, status;

        r = net_portfwd_teardown_rules(uuid, &rules);
        if (r < 0)
                return r;
        /* Each step may have been done already: failures tell nothing, what is left does. */
        for (size_t i = 0; rules[i]; i++) {
                r = net_iptables_nat(rules[i], &status, NULL);
                if (r < 0)
                        break;
        }
        net_rules_free(rules);
        net_portfwd_chains(uuid, dnat, snat);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(chains); i++) {
                char *args[] = {(char *) "-S", (char *) chains[i], NULL};
                r = net_iptables_nat(args, &status, NULL);
                if (r >= 0 && status == 0)
                        return rkt_error_set(reterr, -EBUSY,
                                             "removing the port forwarding: chain %s is still there",
                                             chains[i]);
        }
        if (r < 0)
                return rkt_error_set(reterr, r, "removing the port forwarding: running iptables: %s",
                                     strerror(-r));
        return 0;
}
