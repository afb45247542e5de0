/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

#include "stage1-common.h"
#include "stage1-contract.h"
#include "stage1-dns.h"
#include "strv.h"
#include "util.h"

int net_resolv_conf(const NetDns *d, const char *comment, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        FILE *f = open_memstream(&text, &size);

        if (!f)
                return -ENOMEM;
        if (!isempty(comment))
                fprintf(f, "# %s\n\n", comment);
        if (d->search) {
                fputs("search", f);
                STRV_FOREACH(s, d->search)
                fprintf(f, " %s", *s);
                fputc('\n', f);
        }
        STRV_FOREACH(s, d->nameservers)
        fprintf(f, "nameserver %s\n", *s);
        if (d->options) {
                fputs("options", f);
                STRV_FOREACH(s, d->options)
                fprintf(f, " %s", *s);
                fputc('\n', f);
        }
        if (!isempty(d->domain))
                fprintf(f, "domain %s\n", d->domain);
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
        return 0;
}

int net_pod_dns_file_write(int s1fd, const char *name, const char *text, RktError **reterr) {
        int r = stage1_write_file_at(s1fd, name, text, 0644);

        return r < 0 ? rkt_error_set(reterr, r, "writing " POD_STAGE1_ROOTFS "/%s: %s", name, strerror(-r))
                     : 0;
}

/* rkt 1.30's fallback, "localhost.domain" included: what its pods had and its tests look for. */
static const char hosts_fallback[] =
        "# /etc/hosts of a rkt pod\n"
        "127.0.0.1 localhost localhost.domain localhost4 localhost4.localdomain4\n"
        "::1 localhost ip6-localhost ip6-loopback localhost6 localhost6.localdomain6\n"
        "ff02::1 ip6-allnodes\n"
        "ff02::2 ip6-allrouters\n";

/* Does the hosts line (without its newline) start with the address ip? */
static bool hosts_line_is(const char *line, size_t len, const char *ip) {
        size_t l = strlen(ip), skip = strspn(line, " \t");
        return skip + l < len + 1 && strncmp(line + skip, ip, l) == 0 &&
               (skip + l == len || line[skip + l] == ' ' || line[skip + l] == '\t');
}

int net_hosts_file(const char *base, char *const *entries, const char *hostname, char **ret) {
        _cleanup_free_ char *text = NULL;
        bool added = isempty(hostname);
        size_t size, n = strv_length(entries);
        FILE *f = open_memstream(&text, &size);

        if (!f)
                return -ENOMEM;
        if (!base)
                base = hosts_fallback;
        for (const char *p = base; *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                /* The pod's own name resolves to the loopback address, on the line of 127.0.0.1. */
                if (!added && hosts_line_is(p, len, "127.0.0.1")) {
                        const char *hash = memchr(p, '#', len);
                        size_t keep = hash ? (size_t) (hash - p) : len;
                        while (keep > 0 && (p[keep - 1] == ' ' || p[keep - 1] == '\t'))
                                keep--;
                        fprintf(f, "%.*s %s%s%.*s\n", (int) keep, p, hostname, hash ? " " : "",
                                hash ? (int) (len - (hash - p)) : 0, hash ? hash : "");
                        added = true;
                } else
                        fprintf(f, "%.*s\n", (int) len, p);
                p += len + (nl ? 1 : 0);
        }
        if (!added)
                fprintf(f, "127.0.0.1 %s\n", hostname);
        if (n >= 2) {
                fputs("\n# rkt run --hosts-entry\n", f);
                for (size_t i = 0; i + 1 < n; i += 2) {
                        bool first = true;
                        for (size_t j = 0; j < i; j += 2)
                                if (streq(entries[j], entries[i]))
                                        first = false;
                        if (!first)
                                continue;
                        fputs(entries[i], f);
                        for (size_t j = i; j + 1 < n; j += 2)
                                if (streq(entries[j], entries[i]))
                                        fprintf(f, " %s", entries[j + 1]);
                        fputc('\n', f);
                }
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
        return 0;
}

bool net_resolv_conf_local_only(const char *text) {
        bool any = false;

        for (const char *line = text; line && *line;
             line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                const char *p = line + strspn(line, " \t");
                struct in_addr a4;
                struct in6_addr a6;
                char addr[INET6_ADDRSTRLEN + 1];
                size_t n;

                if (!startswith(p, "nameserver") || !strchr(" \t", p[strlen("nameserver")]))
                        continue;
                p += strlen("nameserver");
                p += strspn(p, " \t");
                n = strcspn(p, " \t\n%");
                if (n == 0 || n >= sizeof(addr))
                        continue;
                memcpy(addr, p, n);
                addr[n] = 0;
                if (inet_pton(AF_INET, addr, &a4) == 1) {
                        if ((ntohl(a4.s_addr) >> 24) != 127)
                                return false;
                } else if (inet_pton(AF_INET6, addr, &a6) == 1) {
                        if (!IN6_IS_ADDR_LOOPBACK(&a6))
                                return false;
                } else
                        continue;
                any = true;
        }
        return any;
}
