/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The pod's DNS files (resolv.conf, hosts), as both stage1 flavours write them from the DNS flags
 * (net-options.h). Pure functions of their arguments. */

#include <stdbool.h>

#include "net-options.h"

/* resolv.conf: "# COMMENT" and a blank line, then search, nameserver lines, options and domain. */
int net_resolv_conf(const NetDns *d, const char *comment, char **ret);

/* An /etc/hosts: base (NULL: rkt's fallback), hostname added to the 127.0.0.1 line (or a new one), then
 * the entries ("IP", "NAME" pairs; names of one IP on one line, in the order given). */
int net_hosts_file(const char *base, char *const *entries, const char *hostname, char **ret);

/* Where the pod's stage1 sees the host's /etc/resolv.conf: nspawn binds it there, read-only, and the apps
 * get it bound over their own, so that they see the host's changes to it. */
#define NET_HOST_RESOLV_CONF "/etc/rkt-host-resolv.conf"
/* The servers systemd-resolved itself uses, when it runs. */
#define NET_RESOLVED_RESOLV_CONF "/run/systemd/resolve/resolv.conf"

/* Whether a resolv.conf text names nameservers and all of them are on the loopback (127.0.0.0/8, ::1), like
 * systemd-resolved's stub (127.0.0.53): a pod on a network of its own cannot reach those, and gets the
 * servers of NET_RESOLVED_RESOLV_CONF instead, as nspawn and podman do. */
bool net_resolv_conf_local_only(const char *text);
