/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The networking flags of `rkt run` and `rkt prepare` (--net, --dns, --dns-search, --dns-opt,
 * --dns-domain, --hosts-entry), as stage0 checks them before it prepares a pod and as stage1 applies
 * them: one parser, so that what stage0 accepts is what stage1 accepts. */

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define NET_DEFAULT "default"
#define NET_DEFAULT_RESTRICTED "default-restricted"

/* --- --net=NAME[:ARGS],… --- */

typedef struct NetRequest {
        char *name;
        char *args; /* CNI_ARGS ("IP=172.16.28.9;K=V"), NULL when none */
} NetRequest;

typedef struct NetList {
        NetRequest *items;
        size_t n;
} NetList;

/* CNI network names: letters, digits, '_', '.', '-', starting with a letter or digit. */
bool net_name_valid(const char *s);
/* host, none and all: no network configuration of that name is looked up. */
bool net_name_special(const char *s);

/* Appends the networks of s (empty or NULL: "default") to l. host, none and all are special: host and
 * none stand alone and take no arguments, all takes none either; a name given twice is an error. */
int net_list_parse(const char *s, NetList *l, RktError **reterr);
void net_list_done(NetList *l);
bool net_list_has(const NetList *l, const char *name);
/* The arguments given to network name (NULL: none, or no such network). */
const char *net_list_args(const NetList *l, const char *name);
/* The pod gets a network namespace of its own with CNI networks in it (not host, not none). */
bool net_list_contained(const NetList *l);
/* l as one --net value again: NAME[:ARGS],… */
int net_list_format(const NetList *l, char **ret);

/* --- DNS --- */

typedef struct NetDns {
        char **nameservers;
        char **search;
        char **options;
        char *domain;
} NetDns;

void net_dns_done(NetDns *d);
bool net_dns_is_empty(const NetDns *d);

/* An IPv4 address (or IPv6 too, when allow_v6). */
bool net_ip_valid(const char *s, bool allow_v6);
/* One word of resolv.conf or hosts: no blanks, no control characters, no comment characters. */
bool net_word_valid(const char *s);

typedef enum NetResolvMode {
        NET_RESOLV_DEFAULT, /* the networks' DNS (the first that has some), else the host's file (else the
                             * image's, when the host has none) */
        NET_RESOLV_FLAGS,   /* --dns IP…, --dns-search, --dns-opt, --dns-domain */
        NET_RESOLV_HOST,    /* --dns=host: the host's /etc/resolv.conf (an error when it has none) */
        NET_RESOLV_NONE,    /* --dns=none: the image's file, whatever the networks say */
} NetResolvMode;

typedef enum NetHostsMode {
        NET_HOSTS_DEFAULT, /* the image's /etc/hosts, or a fallback when it has none */
        NET_HOSTS_FLAGS,   /* --hosts-entry: the fallback plus the entries, for every app */
        NET_HOSTS_HOST,    /* --hosts-entry=host: the host's /etc/hosts */
} NetHostsMode;

typedef struct NetDnsConfig {
        NetResolvMode resolv_mode;
        NetDns dns;
        NetHostsMode hosts_mode;
        char **hosts; /* --hosts-entry IP=NAME pairs as "IP", "NAME", "IP", "NAME", … */
        /* what the flags said, until net_dns_config_finish() */
        char *dns_special; /* --dns=host or --dns=none */
        unsigned n_dns_flags;
        bool hosts_from_host; /* --hosts-entry=host */
} NetDnsConfig;

/* Adds one flag: flag is "dns" (IP[,IP…], host or none), "dns-search", "dns-opt", "dns-domain" or
 * "hosts-entry" (IP=NAME[,IP=NAME…] or host). */
int net_dns_config_add(NetDnsConfig *c, const char *flag, const char *value, RktError **reterr);
/* Checks the combination (as rkt 1.30: host and none stand alone, search/opt/domain need nameservers of
 * our own, hosts-entry=host with other entries is an error) and settles the modes. */
int net_dns_config_finish(NetDnsConfig *c, RktError **reterr);
void net_dns_config_done(NetDnsConfig *c);
