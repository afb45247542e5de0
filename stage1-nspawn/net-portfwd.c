/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>

#include "net.h"
#include "strv.h"
#include "util.h"

/* --- port forwarding --- */

void net_ports_free(NetPortForward *p, size_t n) {
        for (size_t i = 0; p && i < n; i++) {
                free(p[i].name);
                free(p[i].protocol);
                free(p[i].host_ip);
        }
        free(p);
}

int net_ports_resolve(const AppcPodManifest *pod, const AppcApp *const *apps, NetPortForward **ret,
                      size_t *ret_n, RktError **reterr) {
        NetPortForward *fps = NULL;
        size_t n = 0;
        int r = 0;

        if (pod->n_ports > 0) {
                fps = calloc(pod->n_ports, sizeof(NetPortForward));
                if (!fps)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < pod->n_ports; i++) {
                const AppcExposedPort *ep = &pod->ports[i];
                const AppcPort *pp = ep->pod_port;
                const char *owner = NULL;
                NetPortForward *f = &fps[n];
                unsigned char buf[sizeof(struct in6_addr)];

                if (!pp)
                        for (size_t a = 0; a < pod->n_apps; a++)
                                for (size_t k = 0; apps && apps[a] && k < apps[a]->n_ports; k++) {
                                        if (!streq(apps[a]->ports[k].name, ep->name))
                                                continue;
                                        if (pp) {
                                                r = rkt_error_set(
                                                        reterr, -EINVAL,
                                                        "port '%s' is declared by more than one app "
                                                        "('%s' and '%s')",
                                                        ep->name, owner, pod->apps[a].name);
                                                goto fail;
                                        }
                                        pp = &apps[a]->ports[k];
                                        owner = pod->apps[a].name;
                                }
                if (!pp) {
                        r = rkt_error_set(reterr, -ENOENT,
                                          "port '%s' (--port) is not declared by any app of the pod",
                                          ep->name);
                        goto fail;
                }
                if (!streq(pp->protocol, "tcp") && !streq(pp->protocol, "udp")) {
                        r = rkt_error_set(reterr, -EOPNOTSUPP,
                                          "port '%s': protocol '%s' cannot be forwarded (only tcp and udp)",
                                          ep->name, pp->protocol);
                        goto fail;
                }
                if (ep->host_ip && inet_pton(AF_INET, ep->host_ip, buf) != 1) {
                        r = rkt_error_set(
                                reterr, -EOPNOTSUPP,
                                "port '%s': host address '%s' is not an IPv4 address (only IPv4 is "
                                "forwarded)",
                                ep->name, ep->host_ip);
                        goto fail;
                }
                if (ep->host_port == 0 || ep->host_port > 65535) {
                        r = rkt_error_set(reterr, -EINVAL, "port '%s': invalid host port %u", ep->name,
                                          ep->host_port);
                        goto fail;
                }
                if ((uint64_t) MAX(ep->host_port, pp->port) + MAX(pp->count, 1u) - 1 > 65535) {
                        r = rkt_error_set(reterr, -EINVAL,
                                          "port '%s': %u port(s) from host port %u to pod port %u go beyond "
                                          "65535",
                                          ep->name, MAX(pp->count, 1u), ep->host_port, pp->port);
                        goto fail;
                }
                f->name = strdup(ep->name);
                f->protocol = strdup(pp->protocol);
                f->pod_port = pp->port;
                f->host_port = ep->host_port;
                f->count = MAX(pp->count, 1u);
                f->host_ip = ep->host_ip && !streq(ep->host_ip, "0.0.0.0") ? strdup(ep->host_ip) : NULL;
                n++;
                if (!f->name || !f->protocol ||
                    (ep->host_ip && !streq(ep->host_ip, "0.0.0.0") && !f->host_ip)) {
                        r = -ENOMEM;
                        goto fail;
                }
                for (size_t j = 0; j + 1 < n; j++) {
                        const NetPortForward *o = &fps[j];
                        if (streq(o->protocol, f->protocol) && o->host_port < f->host_port + f->count &&
                            f->host_port < o->host_port + o->count &&
                            (!o->host_ip || !f->host_ip || streq(o->host_ip, f->host_ip))) {
                                r = rkt_error_set(reterr, -EADDRINUSE,
                                                  "host port %s/%u is forwarded twice (ports '%s' and '%s')",
                                                  f->protocol, MAX(f->host_port, o->host_port), o->name,
                                                  f->name);
                                goto fail;
                        }
                }
        }
        *ret = fps;
        *ret_n = n;
        return 0;
fail:
        net_ports_free(fps, n);
        return r;
}

void net_portfwd_chains(const char *uuid, char dnat[static 32], char snat[static 32]) {
        char id[13];
        size_t k = 0;

        for (const char *p = uuid; *p && k < 12; p++)
                if (*p != '-')
                        id[k++] = *p;
        id[k] = 0;
        snprintf(dnat, 32, "RKT-PFWD-DNAT-%s", id);
        snprintf(snat, 32, "RKT-PFWD-SNAT-%s", id);
}

void net_rules_free(char ***rules) {
        for (size_t i = 0; rules && rules[i]; i++)
                strv_free(rules[i]);
        free(rules);
}

static int rules_add(char ****rules, size_t *n, ...) {
        _cleanup_strv_free_ char **l = NULL;
        char ***a;
        va_list ap;
        int r = 0;

        va_start(ap, n);
        for (const char *s = va_arg(ap, const char *); s && r >= 0; s = va_arg(ap, const char *))
                r = strv_extend(&l, s);
        va_end(ap);
        if (r < 0)
                return r;
        a = reallocarray(*rules, *n + 2, sizeof(char **));
        if (!a)
                return -ENOMEM;
        *rules = a;
        a[(*n)++] = TAKE_PTR(l);
        a[*n] = NULL;
        return 0;
}

#define JUMP_LOCAL "-m", "addrtype", "--dst-type", "LOCAL", "-j"
#define JUMP_LOOPBACK "-s", "127.0.0.1", "!", "-d", "127.0.0.1", "-j"

int net_portfwd_setup_rules(const char *uuid, const NetPortForward *p, size_t n, const char *pod_ip,
                            char ****ret) {
        char dnat[32], snat[32];
        char ***rules = NULL;
        size_t k = 0;
        int r;

        net_portfwd_chains(uuid, dnat, snat);
        r = rules_add(&rules, &k, "-N", dnat, NULL);
        r = r ?: rules_add(&rules, &k, "-N", snat, NULL);
        for (size_t i = 0; i < n && r >= 0; i++) {
                char pport[16];
                /* One rule per port: a DNAT to a port range would not keep host port + i on pod port + i. */
                for (unsigned j = 0; j < p[i].count && r >= 0; j++) {
                        char hport[8], to[64];
                        snprintf(hport, sizeof(hport), "%u", p[i].host_port + j);
                        snprintf(to, sizeof(to), "%s:%u", pod_ip, p[i].pod_port + j);
                        r = rules_add(&rules, &k, "-A", dnat, "-d", p[i].host_ip ?: "0.0.0.0/0", "-p",
                                      p[i].protocol, "--dport", hport, "-j", "DNAT", "--to-destination", to,
                                      NULL);
                }
                if (p[i].count > 1)
                        snprintf(pport, sizeof(pport), "%u:%u", p[i].pod_port,
                                 p[i].pod_port + p[i].count - 1);
                else
                        snprintf(pport, sizeof(pport), "%u", p[i].pod_port);
                /* Connections from the host's 127.0.0.1 reach the pod only with a source it can answer. */
                r = r
                            ?: rules_add(&rules, &k, "-A", snat, "-p", p[i].protocol, "-s", "127.0.0.1",
                                         "-d", pod_ip, "--dport", pport, "-j", "MASQUERADE", NULL);
        }
        /* The jumps last: no packet sees a half-filled chain. */
        r = r ?: rules_add(&rules, &k, "-I", "PREROUTING", "1", JUMP_LOCAL, dnat, NULL);
        r = r ?: rules_add(&rules, &k, "-I", "OUTPUT", "1", JUMP_LOCAL, dnat, NULL);
        r = r ?: rules_add(&rules, &k, "-I", "POSTROUTING", "1", JUMP_LOOPBACK, snat, NULL);
        if (r < 0) {
                net_rules_free(rules);
                return r;
        }
        *ret = rules;
        return 0;
}

int net_portfwd_teardown_rules(const char *uuid, char ****ret) {
        char dnat[32], snat[32];
        char ***rules = NULL;
        size_t k = 0;
        int r;

        net_portfwd_chains(uuid, dnat, snat);
        r = rules_add(&rules, &k, "-D", "PREROUTING", JUMP_LOCAL, dnat, NULL);
        r = r ?: rules_add(&rules, &k, "-D", "OUTPUT", JUMP_LOCAL, dnat, NULL);
        r = r ?: rules_add(&rules, &k, "-D", "POSTROUTING", JUMP_LOOPBACK, snat, NULL);
        r = r ?: rules_add(&rules, &k, "-F", dnat, NULL);
        r = r ?: rules_add(&rules, &k, "-X", dnat, NULL);
        r = r ?: rules_add(&rules, &k, "-F", snat, NULL);
        r = r ?: rules_add(&rules, &k, "-X", snat, NULL);
        if (r < 0) {
                net_rules_free(rules);
                return r;
        }
        *ret = rules;
        return 0;
}

/* ==================================================================================================== */
/* On the host. */
