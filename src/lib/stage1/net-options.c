/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net-options.h"
#include "strv.h"
#include "util.h"

/* --- --net --- */

/* CNI network names: letters, digits, '_', '.', '-', starting with a letter or digit. */
bool net_name_valid(const char *s) {
        if (isempty(s) || strlen(s) > 128)
                return false;
        for (const char *p = s; *p; p++) {
                bool alnum =
                        (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
                if (!alnum && (p == s || (*p != '_' && *p != '.' && *p != '-')))
                        return false;
        }
        return true;
}

bool net_name_special(const char *s) {
        return streq(s, "host") || streq(s, "none") || streq(s, "all");
}

bool net_list_has(const NetList *l, const char *name) {
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->items[i].name, name))
                        return true;
        return false;
}

bool net_list_contained(const NetList *l) {
        return l->n > 0 && !net_list_has(l, "host") && !net_list_has(l, "none");
}

void net_list_done(NetList *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].name);
                free(l->items[i].args);
        }
        free(l->items);
        *l = (NetList){};
}

static int net_list_add(NetList *l, const char *item, size_t len, RktError **reterr) {
        _cleanup_free_ char *s = strndup(item, len), *name = NULL, *args = NULL;
        NetRequest *items;
        char *colon;

        if (!s)
                return -ENOMEM;
        colon = strchr(s, ':');
        if (colon) {
                *colon = 0;
                if (strchr(colon + 1, ':'))
                        return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_NET_VALUE, NULL,
                                                  "network '%s' has invalid arguments '%s' (expected "
                                                  "NAME:KEY=VALUE[;KEY=VALUE…])",
                                                  s, colon + 1);
                if (colon[1]) {
                        args = strdup(colon + 1);
                        if (!args)
                                return -ENOMEM;
                }
        }
        if (isempty(s))
                return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_NET_VALUE, NULL,
                                          "a network name must not be empty");
        if (!net_name_valid(s))
                return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_NET_VALUE, NULL,
                                          "invalid network name '%s'", s);
        if (args && (streq(s, "host") || streq(s, "all")))
                return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_NET_VALUE, NULL,
                                          "'%s' takes no arguments", s);
        if (net_list_has(l, s))
                return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_NET_VALUE, NULL,
                                          "network '%s' given twice", s);
        name = TAKE_PTR(s);
        items = reallocarray(l->items, l->n + 1, sizeof(NetRequest));
        if (!items)
                return -ENOMEM;
        l->items = items;
        l->items[l->n++] = (NetRequest){TAKE_PTR(name), TAKE_PTR(args)};
        return 0;
}

int net_list_parse(const char *s, NetList *l, RktError **reterr) {
        int r;

        if (isempty(s))
                s = NET_DEFAULT;
        for (const char *p = s;;) {
                size_t len = strcspn(p, ",");
                r = net_list_add(l, p, len, reterr);
                if (r < 0)
                        return r;
                if (!p[len])
                        break;
                p += len + 1;
        }
        for (size_t i = 0; i < l->n; i++)
                if ((streq(l->items[i].name, "host") || streq(l->items[i].name, "none")) && l->n > 1)
                        return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_NET_ALONE, l->items[i].name,
                                                  "network '%s' cannot be combined with other networks",
                                                  l->items[i].name);
        return 0;
}

const char *net_list_args(const NetList *l, const char *name) {
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->items[i].name, name))
                        return l->items[i].args;
        return NULL;
}

int net_list_format(const NetList *l, char **ret) {
        _cleanup_strv_free_ char **items = NULL;

        for (size_t i = 0; i < l->n; i++) {
                char *item = NULL;
                if ((l->items[i].args ? asprintf(&item, "%s:%s", l->items[i].name, l->items[i].args)
                                      : asprintf(&item, "%s", l->items[i].name)) < 0)
                        return -ENOMEM;
                if (strv_push(&items, item) < 0) {
                        free(item);
                        return -ENOMEM;
                }
        }
        *ret = strv_join(items, ",");
        return *ret ? 0 : -ENOMEM;
}

/* --- --dns, --dns-search, --dns-opt, --dns-domain, --hosts-entry --- */

void net_dns_done(NetDns *d) {
        strv_free(d->nameservers);
        strv_free(d->search);
        strv_free(d->options);
        free(d->domain);
        *d = (NetDns){};
}

bool net_dns_is_empty(const NetDns *d) {
        return !d->nameservers && !d->search && !d->options && isempty(d->domain);
}

bool net_ip_valid(const char *s, bool allow_v6) {
        unsigned char buf[sizeof(struct in6_addr)];
        return inet_pton(AF_INET, s, buf) == 1 || (allow_v6 && inet_pton(AF_INET6, s, buf) == 1);
}

/* One word of resolv.conf or hosts: no blanks, no control characters, no comment characters. */
bool net_word_valid(const char *s) {
        if (isempty(s) || strlen(s) > 255)
                return false;
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p <= ' ' || *p == 0x7f || *p == '#' || *p == ';')
                        return false;
        return true;
}

int net_dns_config_add(NetDnsConfig *c, const char *flag, const char *value, RktError **reterr) {
        _cleanup_strv_free_ char **parts = NULL;
        int r;

        if (streq(flag, "dns")) {
                c->n_dns_flags++;
                if (streq(value, "host") || streq(value, "none")) {
                        free(c->dns_special);
                        c->dns_special = strdup(value);
                        return c->dns_special ? 0 : -ENOMEM;
                }
                r = strv_split(value, ",", &parts);
                if (r < 0)
                        return r;
                if (!parts)
                        return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_DNS_VALUE, flag, "empty value");
                STRV_FOREACH(p, parts) {
                        if (!net_ip_valid(*p, true))
                                return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_DNS_VALUE, flag,
                                                          "invalid IP address '%s'", *p);
                        r = strv_extend(&c->dns.nameservers, *p);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (streq(flag, "dns-search") || streq(flag, "dns-opt")) {
                if (!net_word_valid(value))
                        return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_DNS_VALUE, flag,
                                                  "invalid value '%s'", value);
                return strv_extend(streq(flag, "dns-search") ? &c->dns.search : &c->dns.options, value);
        }
        if (streq(flag, "dns-domain")) {
                if (!net_word_valid(value))
                        return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_DNS_VALUE, flag,
                                                  "invalid value '%s'", value);
                free(c->dns.domain);
                c->dns.domain = strdup(value);
                return c->dns.domain ? 0 : -ENOMEM;
        }
        if (streq(flag, "hosts-entry")) {
                if (streq(value, "host")) {
                        c->hosts_from_host = true;
                        return 0;
                }
                r = strv_split(value, ",", &parts);
                if (r < 0)
                        return r;
                if (!parts)
                        return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_DNS_VALUE, flag, "empty value");
                STRV_FOREACH(p, parts) {
                        _cleanup_free_ char *ip = NULL;
                        const char *eq = strchr(*p, '=');
                        if (!eq)
                                return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_DNS_VALUE, flag,
                                                          "'%s' is not IP=HOSTNAME (or 'host')", *p);
                        ip = strndup(*p, eq - *p);
                        if (!ip)
                                return -ENOMEM;
                        if (!net_ip_valid(ip, true))
                                return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_DNS_VALUE, flag,
                                                          "invalid IP address '%s'", ip);
                        if (!net_word_valid(eq + 1))
                                return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_DNS_VALUE, flag,
                                                          "invalid host name '%s'", eq + 1);
                        if (strv_extend(&c->hosts, ip) < 0 || strv_extend(&c->hosts, eq + 1) < 0)
                                return -ENOMEM;
                }
                return 0;
        }
        return rkt_error_set(reterr, -EINVAL, "unknown DNS setting '%s'", flag);
}

int net_dns_config_finish(NetDnsConfig *c, RktError **reterr) {
        c->resolv_mode = NET_RESOLV_DEFAULT;
        if (c->dns_special) {
                if (c->n_dns_flags > 1)
                        return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_DNS_ALONE, c->dns_special,
                                                  "DNS '%s' allows no other DNS setting", c->dns_special);
                c->resolv_mode = streq(c->dns_special, "host") ? NET_RESOLV_HOST : NET_RESOLV_NONE;
        }
        if (!net_dns_is_empty(&c->dns)) {
                if (c->resolv_mode != NET_RESOLV_DEFAULT)
                        return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_DNS_RESOLV, c->dns_special,
                                                  "search domains, options and a domain cannot be used with "
                                                  "DNS '%s'",
                                                  c->dns_special);
                c->resolv_mode = NET_RESOLV_FLAGS;
        }
        c->hosts_mode = NET_HOSTS_DEFAULT;
        if (c->hosts) {
                if (c->hosts_from_host)
                        return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_HOSTS_ALONE, NULL,
                                                  "the host's hosts entries cannot be combined with other "
                                                  "hosts entries");
                c->hosts_mode = NET_HOSTS_FLAGS;
        } else if (c->hosts_from_host)
                c->hosts_mode = NET_HOSTS_HOST;
        return 0;
}

void net_dns_config_done(NetDnsConfig *c) {
        net_dns_done(&c->dns);
        strv_free(c->hosts);
        free(c->dns_special);
        *c = (NetDnsConfig){};
}
