/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The pod's network (CNI), its port forwarding and its DNS files, for stage1's run and gc entrypoints.
 *
 * A contained pod (--net=default, NAME,…) gets a network namespace bind-mounted at /run/netns/rkt-<uuid>
 * (what nspawn joins with --network-namespace-path=), one interface per network (eth0, eth1, … in the
 * order of the configuration files' names) made by the CNI plugins of the host, optional iptables port
 * forwarding, and its resolv.conf and hosts files. init tears it down when the pod has ended and gc again
 * (CNI DEL is idempotent), which completes what init could not (it was killed). Everything set up on the
 * host is recorded in the pod directory before it is made, so that teardown can undo it after a crash at any
 * point, and can run any number of times:
 *
 *   netns                 the path of the network namespace
 *   net/<ifname>.conf     the configuration given to the plugin (for its DEL)
 *   net-info.json         the networks: [{netName, netConf, pluginPath, ifName, ip, args, mask}]
 *   net/port-forwarding   present while iptables rules may exist
 *   net/cni-path          the plugins' CNI_PATH, for their DEL
 *
 * The parsers and generators are pure functions of their arguments (unit-tested without root): net-conf.c
 * (configurations), net-cni.c (plugin results and environment), net-portfwd.c (ports, iptables rules),
 * net-flannel.c (flannel's delegate). The functions at the end do the work on the host: net.c sets the
 * network up and tears it down, with the steps of net-netns.c (the namespace), net-exec.c (plugins,
 * iptables), net-portfwd-host.c (port forwarding) and net-dns.c (DNS files), which net-host.h joins. */

#include <stdbool.h>
#include <stddef.h>

#include "appc.h"
#include "error.h"
#include "net-info.h"
#include "macro.h"
#include "net-options.h"
#include "stage1-dns.h"

#define NET_NETNS_DIR "/run/netns"
/* CNI_VERSION in the plugins' environment, as rkt 1.30 set it. */
#define NET_CNI_ENV_VERSION "0.1.0"
/* The PATH of a plugin (and of iptables) when stage1's environment has none. */
#define NET_PLUGIN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* --- network configurations (the .conf files of net.d) --- */

typedef struct NetConf {
        char *name;
        char *type;        /* the plugin */
        char *cni_version; /* NULL when the file has none (CNI's 0.1.0 then) */
        bool ip_masq;
        char *path;      /* the file it came from ("(built-in)/99-default.conf" for the built-ins) */
        char *file_name; /* its base name: networks are applied in the order of these */
        char *json;      /* the configuration as the plugin gets it (the file's bytes) */
} NetConf;

/* Parses a configuration file's text; errors name path and the field. */
int net_conf_parse(const char *json, const char *path, NetConf *ret, RktError **reterr);
void net_conf_done(NetConf *c);
void net_confs_free(NetConf *c, size_t n);

/* host-local's record of a reservation: <dataDir>/<network name>/<address>, the container's ID inside. */
#define NET_HOST_LOCAL_DIR "/var/lib/cni/networks"
/* When args (CNI_ARGS) request an address (IP=) from c's host-local IPAM: 1, the address and the file of
 * its reservation; 0 for another IPAM or no request. */
int net_conf_requested_ip(const NetConf *c, const char *args, char **ret_ip, char **ret_lease);
/* An address args request that host-local has given to another container (not uuid) is refused before
 * anything is made, in rkt 1.30's words (its host-local's; today's name the plugin's range instead). */
int net_conf_check_requested_ip(const NetConf *c, const char *args, const char *uuid, RktError **reterr);

/* A network of type "flannel" when the host has no such plugin: stage1 makes the configuration for its
 * delegate (bridge unless 'delegate' says otherwise) from flanneld's subnet file, as rkt 1.30's flannel
 * plugin did, and runs the delegate itself (the pod dir keeps that configuration for its DEL). */
#define NET_FLANNEL_TYPE "flannel"
#define NET_FLANNEL_SUBNET_FILE "/run/flannel/subnet.env"
/* The subnet file c names ('subnetFile'), else the default one. */
int net_flannel_subnet_file(const NetConf *c, char **ret);
/* The delegate's configuration and type from c and the text of the subnet file (subnet_path names it in
 * errors). */
int net_flannel_delegate(const NetConf *c, const char *subnet_env, const char *subnet_path, char **ret_json,
                         char **ret_type, RktError **reterr);
/* Replaces a flannel network's configuration by its delegate's, made from the subnet file it names. */
int net_flannel_apply(NetConf *conf, RktError **reterr);

/* The built-in networks "default" (ptp, host-local 172.16.28.0/24, masquerading, a default route) and
 * "default-restricted" (ptp, 172.31.0.0/16, no route beyond the host), then the *.conf files of each of
 * dirs (NULL entries are skipped), lowest priority first: a network of a later dir replaces one of the
 * same name from an earlier one; within a dir the first file by name wins and the others are reported in
 * *ret_warnings. The result is sorted by file name. A missing dir is fine; an unreadable or invalid file
 * is an error naming it. */
int net_confs_load(const char *const *dirs, size_t n_dirs, NetConf **ret, size_t *ret_n,
                   char ***ret_warnings, RktError **reterr);

/* The networks l asks for, as indexes into confs (whose order they keep); "all" is every one. -ENOENT
 * naming the networks that are not defined. */
int net_select(const NetConf *confs, size_t n_confs, const NetList *l, size_t **ret, size_t *ret_n,
               RktError **reterr);

/* --- CNI plugins --- */

typedef struct NetResult {
        char *ip; /* the pod's address: the first IPv4 one, else the first one */
        unsigned prefix;
        char *gateway; /* NULL when the plugin names none */
        NetDns dns;
} NetResult;

/* A plugin's result, in any CNI version from 0.1.0 ("ip4") to 1.0.0 ("ips"). */
int net_result_parse(const char *json, NetResult *ret, RktError **reterr);
void net_result_done(NetResult *r);
/* A plugin's error output ({"code", "msg", "details"}) as one line; the trimmed text itself when it is not
 * such an object; NULL when it is empty. */
char *net_plugin_error(const char *out);
/* "10.1.2.3/24" (or an IPv6 one) into the address, the prefix length and whether it is IPv6; -EINVAL when
 * it is not one. */
int net_cidr_parse(const char *s, char **ret_ip, unsigned *ret_prefix, bool *ret_v6);
/* The netmask of a prefix length as rkt shows it ("255.255.255.0"; IPv6 in IPv6 notation). */
int net_mask_string(bool ipv6, unsigned prefix, char **ret);

/* The environment of a plugin: environ_in without CNI_* variables, PATH defaulted, then CNI_VERSION (0.1.0,
 * which rkt 1.30 gave its plugins; CNI itself defines none), CNI_COMMAND,
 * CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS (when args; with "IgnoreUnknown=1;" in front unless args
 * say otherwise) and CNI_PATH. */
int net_plugin_env(char *const *environ_in, const char *command, const char *uuid, const char *netns,
                   const char *ifname, const char *args, const char *cni_path, char ***ret);

/* --- port forwarding --- */

typedef struct NetPortForward {
        char *name;
        char *protocol; /* "tcp" or "udp" */
        unsigned pod_port;
        unsigned host_port;
        unsigned count; /* a range: host_port + i goes to pod_port + i, for i < count */
        char *host_ip;  /* NULL: every address of the host */
} NetPortForward;

/* Matches the pod manifest's ports (--port NAME:[IP:]PORT) with the ports the apps declare: apps[i] is
 * the effective app section of pod->apps[i] (NULL: none). A declared range (count > 1) is forwarded whole,
 * from the host port on. Errors: a name no app or several apps declare, a protocol other than tcp/udp, an
 * IPv6 host address, a host range beyond 65535, a host port forwarded twice. */
int net_ports_resolve(const AppcPodManifest *pod, const AppcApp *const *apps, NetPortForward **ret,
                      size_t *ret_n, RktError **reterr);
void net_ports_free(NetPortForward *p, size_t n);
/* The pod's iptables chains in the nat table: RKT-PFWD-DNAT-<12 hex of the uuid> and RKT-PFWD-SNAT-…. */
void net_portfwd_chains(const char *uuid, char dnat[static 32], char snat[static 32]);
/* The iptables argument lists (each to follow "iptables -w -t nat") that forward p to pod_ip: the chains,
 * the jumps to them from PREROUTING and OUTPUT (local destinations) and POSTROUTING (connections from
 * 127.0.0.1, masqueraded), one DNAT rule per port of a range and one MASQUERADE rule per range. A
 * NULL-terminated array of strvs. */
int net_portfwd_setup_rules(const char *uuid, const NetPortForward *p, size_t n, const char *pod_ip,
                            char ****ret);
/* What removes them again: the jumps, then the chains (flushed, deleted). */
int net_portfwd_teardown_rules(const char *uuid, char ****ret);
void net_rules_free(char ***rules);

/* --- on the host --- */

typedef struct NetPodConfig {
        const char *uuid;
        const char *hostname;
        const NetList *nets;
        const char *system_config; /* NULL: /usr/lib/rkt */
        const char *local_config;  /* NULL: /etc/rkt */
        char *const *plugin_dirs;  /* where plugins are looked for after <local_config>/net.d; NULL: rkt's
                                    * defaults /usr/lib/rkt/plugins/net, /usr/lib/cni, /opt/cni/bin */
        const NetDnsConfig *dns;
        const AppcPodManifest *pod;
        int s1fd; /* the stage1 rootfs */
} NetPodConfig;

typedef struct NetPodSetup {
        char *netns;   /* the network namespace nspawn is to join; NULL for host and none */
        char *gateway; /* the host's address on the pod's first network (NULL: host, none, or none given) */
        /* The host's file nspawn is to bind at NET_HOST_RESOLV_CONF (NULL: none): /etc/resolv.conf, or
         * NET_RESOLVED_RESOLV_CONF (see net_resolv_conf_local_only). A static string. */
        const char *host_resolv_conf;
} NetPodSetup;

void net_pod_setup_done(NetPodSetup *s);

/* Sets up the pod's networking and DNS files; cwd is the pod dir. On failure whatever was set up is torn
 * down again. */
int net_pod_setup(const NetPodConfig *c, NetPodSetup *ret, RktError **reterr);
/* Undoes on the host what net_pod_setup() recorded in the pod dir at podfd, in reverse order: port
 * forwarding, CNI DEL of each network (with the network namespace still there, so that the plugins find
 * their interfaces), the network namespace. Idempotent. Unless force, the namespace is kept for another
 * attempt when a plugin failed. */
int net_pod_teardown(int podfd, const char *uuid, bool force, RktError **reterr);
/* net_pod_teardown() of the pod in the working directory, for init once the pod has ended (or could not be
 * started). A failure is logged as a warning: the pod's status is what matters to the caller, and gc tries
 * again. */
void net_pod_finish(const char *uuid);
