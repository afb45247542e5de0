/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "json-io.h"
#include "net.h"
#include "stage1-contract.h"
#include "strv.h"
#include "util.h"

/* --- plugin results --- */

void net_result_done(NetResult *r) {
        free(r->ip);
        free(r->gateway);
        net_dns_done(&r->dns);
        *r = (NetResult){};
}

static const char *json_str(json_object *o, const char *key) {
        json_object *v;
        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static int json_strv(json_object *o, const char *key, char ***ret) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
                return 0;
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                json_object *e = json_object_array_get_idx(v, i);
                if (json_object_is_type(e, json_type_string) && net_word_valid(json_object_get_string(e)) &&
                    strv_extend(ret, json_object_get_string(e)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int net_cidr_parse(const char *s, char **ret_ip, unsigned *ret_prefix, bool *ret_v6) {
        _cleanup_free_ char *ip = NULL;
        const char *slash = strchr(s, '/');
        unsigned char buf[sizeof(struct in6_addr)];
        uint64_t prefix;
        bool v6;

        if (!slash)
                return -EINVAL;
        ip = strndup(s, slash - s);
        if (!ip)
                return -ENOMEM;
        if (inet_pton(AF_INET, ip, buf) == 1)
                v6 = false;
        else if (inet_pton(AF_INET6, ip, buf) == 1)
                v6 = true;
        else
                return -EINVAL;
        if (parse_uint_max(slash + 1, v6 ? 128 : 32, &prefix) < 0)
                return -EINVAL;
        *ret_ip = TAKE_PTR(ip);
        *ret_prefix = (unsigned) prefix;
        *ret_v6 = v6;
        return 0;
}

int net_result_parse(const char *json, NetResult *ret, RktError **reterr) {
        enum json_tokener_error jerr;
        json_object *root = json_tokener_parse_verbose(json, &jerr), *ips, *dns, *ifaces = NULL;
        _cleanup_(net_result_done) NetResult res = {};
        int r = 0;

        if (!root || !json_object_is_type(root, json_type_object)) {
                json_object_put(root);
                return rkt_error_set(reterr, -EINVAL, "the plugin's result is not a JSON object");
        }
        (void) json_object_object_get_ex(root, "interfaces", &ifaces);
        if (json_object_object_get_ex(root, "ips", &ips) && json_object_is_type(ips, json_type_array)) {
                /* 0.3.0 and later: the first IPv4 address of an interface inside the pod (a sandbox), else
                 * the first IPv4 address, else the first address. */
                int best = -1, best_rank = 0;
                for (size_t i = 0; i < json_object_array_length(ips); i++) {
                        json_object *e = json_object_array_get_idx(ips, i), *ifi;
                        const char *addr = json_str(e, "address");
                        _cleanup_free_ char *ip = NULL;
                        unsigned prefix;
                        bool v6, sandbox = false;
                        int rank;

                        if (!addr || net_cidr_parse(addr, &ip, &prefix, &v6) < 0)
                                continue;
                        if (json_object_object_get_ex(e, "interface", &ifi) &&
                            json_object_is_type(ifi, json_type_int) && ifaces &&
                            json_object_is_type(ifaces, json_type_array)) {
                                int k = json_object_get_int(ifi);
                                if (k >= 0 && (size_t) k < json_object_array_length(ifaces))
                                        sandbox = !isempty(
                                                json_str(json_object_array_get_idx(ifaces, k), "sandbox"));
                        }
                        rank = 1 + (v6 ? 0 : 2) + (sandbox ? 1 : 0);
                        if (rank > best_rank) {
                                best = (int) i;
                                best_rank = rank;
                        }
                }
                if (best >= 0) {
                        json_object *e = json_object_array_get_idx(ips, best);
                        const char *gw = json_str(e, "gateway");
                        bool v6;
                        if (net_cidr_parse(json_str(e, "address"), &res.ip, &res.prefix, &v6) < 0 ||
                            (gw && !(res.gateway = strdup(gw))))
                                r = -ENOMEM;
                }
        } else {
                /* 0.1.0, 0.2.0: "ip4" (and "ip6"). */
                const char *keys[] = {"ip4", "ip6"};
                for (size_t k = 0; k < ELEMENTSOF(keys) && !res.ip && r >= 0; k++) {
                        json_object *o;
                        const char *addr, *gw;
                        bool v6;
                        if (!json_object_object_get_ex(root, keys[k], &o) || !(addr = json_str(o, "ip")))
                                continue;
                        if (net_cidr_parse(addr, &res.ip, &res.prefix, &v6) < 0) {
                                r = rkt_error_set(reterr, -EINVAL,
                                                  "the plugin's result has an invalid address '%s'", addr);
                                break;
                        }
                        gw = json_str(o, "gateway");
                        if (gw && !(res.gateway = strdup(gw)))
                                r = -ENOMEM;
                }
        }
        if (r >= 0 && json_object_object_get_ex(root, "dns", &dns) &&
            json_object_is_type(dns, json_type_object)) {
                const char *domain = json_str(dns, "domain");
                _cleanup_strv_free_ char **ns = NULL;
                r = json_strv(dns, "nameservers", &ns);
                STRV_FOREACH(s, ns)
                if (r >= 0 && net_ip_valid(*s, true))
                        r = strv_extend(&res.dns.nameservers, *s);
                if (r >= 0)
                        r = json_strv(dns, "search", &res.dns.search);
                if (r >= 0)
                        r = json_strv(dns, "options", &res.dns.options);
                if (r >= 0 && domain && net_word_valid(domain) && !(res.dns.domain = strdup(domain)))
                        r = -ENOMEM;
        }
        json_object_put(root);
        if (r < 0)
                return r;
        *ret = res;
        res = (NetResult){};
        return 0;
}

char *net_plugin_error(const char *out) {
        json_object *root;
        const char *msg, *details;
        char *s = NULL;
        size_t b, e;

        if (!out)
                return NULL;
        root = json_tokener_parse(out);
        if (root && json_object_is_type(root, json_type_object) && (msg = json_str(root, "msg"))) {
                details = json_str(root, "details");
                if (asprintf(&s, "%s%s%s", msg, isempty(details) ? "" : "; ", strempty(details)) < 0)
                        s = NULL;
                json_object_put(root);
                return s;
        }
        json_object_put(root);
        b = strspn(out, " \t\r\n");
        e = strlen(out);
        while (e > b && strchr(" \t\r\n", out[e - 1]))
                e--;
        return e > b ? strndup(out + b, e - b) : NULL;
}

int net_mask_string(bool ipv6, unsigned prefix, char **ret) {
        unsigned char b[16] = {};
        char buf[INET6_ADDRSTRLEN];
        unsigned bits = ipv6 ? 128 : 32;

        if (prefix > bits)
                return -EINVAL;
        for (unsigned i = 0; i < prefix; i++)
                b[i / 8] |= (unsigned char) (0x80 >> (i % 8));
        if (!inet_ntop(ipv6 ? AF_INET6 : AF_INET, b, buf, sizeof(buf)))
                return -EINVAL;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

int net_plugin_env(char *const *environ_in, const char *command, const char *uuid, const char *netns,
                   const char *ifname, const char *args, const char *cni_path, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        bool path = false;
        int r = 0;

        STRV_FOREACH(e, environ_in) {
                if (startswith(*e, "CNI_"))
                        continue;
                if (startswith(*e, "PATH="))
                        path = true;
                r = strv_extend(&env, *e);
                if (r < 0)
                        return r;
        }
        /* Plugins run iptables and their IPAM plugins: they need a PATH. */
        if (!path)
                r = strv_extend(&env, "PATH=" NET_PLUGIN_DEFAULT_PATH);
        r = r ?: strv_extend(&env, "CNI_VERSION=" NET_CNI_ENV_VERSION);
        r = r ?: strv_extendf(&env, "CNI_COMMAND=%s", command);
        r = r ?: strv_extendf(&env, "CNI_CONTAINERID=%s", uuid);
        r = r ?: strv_extendf(&env, "CNI_NETNS=%s", strempty(netns));
        r = r ?: strv_extendf(&env, "CNI_IFNAME=%s", ifname);
        /* Plugins refuse arguments they do not know unless told otherwise, and each knows different ones
         * (the IPAM plugin's IP= is unknown to bridge). */
        if (!isempty(args))
                r = r
                            ?: strv_extendf(&env, "CNI_ARGS=%s%s",
                                            strstr(args, "IgnoreUnknown=") ? "" : "IgnoreUnknown=1;", args);
        r = r ?: strv_extendf(&env, "CNI_PATH=%s", cni_path);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(env);
        return 0;
}
