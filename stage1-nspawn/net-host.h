/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What the host side of the pod's network shares, inside stage1-nspawn/net*.c only: the records of the pod
 * directory (net.h lists them) and the steps that net.c, which sets the network up and tears it down, takes
 * from the files beside it. Like net.c's, these work on the host (the pod dir is the working directory). */

#include <stdbool.h>
#include <stddef.h>

#include "net.h"

#define NETNS_FILE "netns"
#define NET_DIR "net"
#define PORTFWD_FILE NET_DIR "/port-forwarding"
#define CNI_PATH_FILE NET_DIR "/cni-path"

/* --- net.c --- */

/* Writes the record path (relative to podfd) as one line, value and a newline; errors name the file. */
int net_record_write(int podfd, const char *path, const char *value, RktError **reterr);

/* --- net-exec.c: running the host's programs --- */

/* The host's iptables; NULL when it has none. */
const char *net_iptables_path(void);
/* iptables -w -t nat ARGS…; *ret_out is its output when it fails. */
int net_iptables_nat(char *const *args, int *ret_status, char **ret_out);
/* Where plugins are looked for: <local_config>/net.d first (as rkt 1.30), then configured, else rkt's
 * default directories. */
int net_plugin_dirs(const char *local_config, char *const *configured, char ***ret);
/* The executable plugin type in the first of dirs that has one; -ENOENT when none does. */
int net_find_plugin(char *const *dirs, const char *type, char **ret);
/* Runs ni's plugin (CNI command ADD or DEL) with its configuration conf on stdin; a failure is an error with
 * the plugin's own message. */
int net_plugin_exec(const char *command, const NetInfo *ni, const char *conf, const char *uuid,
                    const char *netns, const char *cni_path, char **ret_out, RktError **reterr);

/* --- net-netns.c: the network namespace --- */

/* Makes NET_NETNS_DIR a shared mount point (as "ip netns add" does). */
int net_netns_prepare_dir(void);
/* A new network namespace with lo up, bind-mounted at path (made in a child: we stay where we are). */
int net_netns_create(const char *path);
/* Unmounts and removes what net_netns_create() made; what is gone already is fine. */
int net_netns_destroy(const char *path);
/* Whether path is the namespace of the pod uuid (a record of the pod dir is not trusted to name another). */
bool net_netns_path_ours(const char *path, const char *uuid);

/* --- net-portfwd-host.c: port forwarding on the host --- */

/* The pod's forwarded ports (none when it forwards none), matched with its apps' declarations. */
int net_portfwd_resolve(const NetPodConfig *c, NetPortForward **ret, size_t *ret_n, RktError **reterr);
/* Forwards fps to the pod's address on the first masquerading of its n networks (sel, their infos and the
 * host's address on each, host_ips), else its last, recording PORTFWD_FILE first. */
int net_portfwd_apply(const NetPodConfig *c, int podfd, const NetPortForward *fps, size_t n_fps,
                      const NetConf *const *sel, const NetInfo *infos, char *const *host_ips, size_t n,
                      RktError **reterr);
/* Removes the pod's iptables rules and chains; an error when a chain is still there afterwards. */
int net_portfwd_remove(const char *uuid, RktError **reterr);

/* --- net-dns.c: the DNS files --- */

/* Writes the pod's resolv.conf and hosts files into the stage1 rootfs and each app's drop-in binding them
 * (cni_dns: the first DNS a network gave, from network cni_dns_net); *ret_host_resolv is the host's file
 * nspawn is to bind at NET_HOST_RESOLV_CONF (NULL: none). */
int net_dns_files_write(const NetPodConfig *c, const NetDns *cni_dns, const char *cni_dns_net,
                        const char **ret_host_resolv, RktError **reterr);
