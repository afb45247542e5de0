/* SPDX-License-Identifier: Apache-2.0 */
/* Networks of type "flannel" without a flannel plugin on the host: the configuration its delegate gets,
 * made as rkt 1.30's (CNI's) flannel plugin made it from flanneld's subnet file. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdio.h>

#include "fd-util.h"
#include "log.h"
#include "json-io.h"
#include "net.h"
#include "strv.h"
#include "util.h"

/* addr/prefix, IPv4: the network's address (host bits cleared) and prefix; -EINVAL when not one. */
static int parse_cidr4(const char *s, struct in_addr *ret_net, unsigned *ret_prefix) {
        _cleanup_free_ char *ip = NULL;
        unsigned p;
        bool v6;
        int r = net_cidr_parse(s, &ip, &p, &v6);

        if (r < 0)
                return r;
        if (v6 || inet_pton(AF_INET, ip, ret_net) != 1)
                return -EINVAL;
        ret_net->s_addr &= p == 0 ? 0 : htonl(~0u << (32 - p));
        *ret_prefix = p;
        return 0;
}

static int cidr_string(const struct in_addr *a, unsigned prefix, char **ret) {
        char buf[INET_ADDRSTRLEN];

        if (!inet_ntop(AF_INET, a, buf, sizeof(buf)))
                return -errno;
        return asprintf(ret, "%s/%u", buf, prefix) < 0 ? -ENOMEM : 0;
}

typedef struct SubnetEnv {
        char *network, *subnet; /* address/prefix, the network's address */
        long long mtu;          /* -1: missing */
        int ipmasq;             /* -1: missing */
} SubnetEnv;

static int subnet_env_parse(const char *text, const char *path, SubnetEnv *se, RktError **reterr) {
        _cleanup_strv_free_ char **lines = NULL;
        _cleanup_strv_free_ char **missing = NULL;
        _cleanup_free_ char *m = NULL;
        int r = strv_split(text, "\n", &lines);

        if (r < 0)
                return r;
        STRV_FOREACH(l, lines) {
                const char *v;
                struct in_addr a;
                unsigned p;
                char **dst = NULL;

                if ((v = startswith(*l, "FLANNEL_NETWORK=")))
                        dst = &se->network;
                else if ((v = startswith(*l, "FLANNEL_SUBNET=")))
                        dst = &se->subnet;
                if (dst) {
                        if (parse_cidr4(v, &a, &p) < 0)
                                return rkt_error_set(reterr, -EINVAL, "%s: '%s' is not an IPv4 network",
                                                     path, *l);
                        free(*dst);
                        *dst = NULL;
                        r = cidr_string(&a, p, dst);
                        if (r < 0)
                                return r;
                } else if ((v = startswith(*l, "FLANNEL_MTU="))) {
                        char *end;
                        errno = 0;
                        se->mtu = strtoll(v, &end, 10);
                        if (errno || end == v || *end || se->mtu < 0 || se->mtu > UINT32_MAX)
                                return rkt_error_set(reterr, -EINVAL, "%s: '%s' is not an MTU", path, *l);
                } else if ((v = startswith(*l, "FLANNEL_IPMASQ=")))
                        se->ipmasq = streq(v, "true");
        }
        if ((!se->network && strv_extend(&missing, "FLANNEL_NETWORK") < 0) ||
            (!se->subnet && strv_extend(&missing, "FLANNEL_SUBNET") < 0) ||
            (se->mtu < 0 && strv_extend(&missing, "FLANNEL_MTU") < 0) ||
            (se->ipmasq < 0 && strv_extend(&missing, "FLANNEL_IPMASQ") < 0))
                return -ENOMEM;
        if (!missing)
                return 0;
        m = strv_join(missing, ", ");
        return m ? rkt_error_set(reterr, -EINVAL, "%s is missing %s", path, m) : -ENOMEM;
}

int net_flannel_subnet_file(const NetConf *c, char **ret) {
        json_object *root = json_tokener_parse(c->json), *v;
        const char *p = NET_FLANNEL_SUBNET_FILE;

        if (root && json_object_is_type(root, json_type_object) && (v = json_member(root, "subnetFile")) &&
            json_object_is_type(v, json_type_string) && !isempty(json_object_get_string(v)))
                p = json_object_get_string(v);
        *ret = strdup(p);
        json_object_put(root);
        return *ret ? 0 : -ENOMEM;
}

int net_flannel_delegate(const NetConf *c, const char *subnet_env, const char *subnet_path, char **ret_json,
                         char **ret_type, RktError **reterr) {
        _cleanup_free_ char *subnet = NULL, *network = NULL;
        SubnetEnv se = {.mtu = -1, .ipmasq = -1};
        json_object *root = json_tokener_parse(c->json), *d = NULL, *v, *ipam, *routes, *route;
        const char *type = "bridge";
        int r;

        if (!root || !json_object_is_type(root, json_type_object)) {
                r = rkt_error_set(reterr, -EINVAL, "network configuration '%s': not a JSON object", c->path);
                goto finish;
        }
        r = subnet_env_parse(subnet_env, subnet_path, &se, reterr);
        subnet = se.subnet;
        network = se.network;
        if (r < 0)
                goto finish;
        v = json_member(root, "delegate");
        if (v) {
                if (!json_object_is_type(v, json_type_object)) {
                        r = rkt_error_set(reterr, -EINVAL,
                                          "network configuration '%s': 'delegate' is not a JSON object",
                                          c->path);
                        goto finish;
                }
                r = json_object_deep_copy(v, &d, NULL) < 0 ? -ENOMEM : 0;
        } else
                r = (d = json_object_new_object()) ? 0 : -ENOMEM;
        if (r < 0)
                goto finish;
        if (json_object_object_get_ex(d, "type", &v)) {
                if (!json_object_is_type(v, json_type_string) || strchr(json_object_get_string(v), '/')) {
                        r = rkt_error_set(reterr, -EINVAL,
                                          "network configuration '%s': 'delegate' dictionary, "
                                          "if present, must have (string) 'type' field",
                                          c->path);
                        goto finish;
                }
                type = json_object_get_string(v);
        }
        if (json_object_object_get_ex(d, "name", NULL) || json_object_object_get_ex(d, "ipam", NULL)) {
                r = rkt_error_set(reterr, -EINVAL,
                                  "network configuration '%s': 'delegate' dictionary must not "
                                  "have '%s' field, it'll be set by flannel",
                                  c->path, json_object_object_get_ex(d, "name", NULL) ? "name" : "ipam");
                goto finish;
        }
        json_object_object_add(d, "name", json_object_new_string(c->name));
        if (!json_object_object_get_ex(d, "type", NULL))
                json_object_object_add(d, "type", json_object_new_string(type));
        /* Masquerading here when flannel does not. */
        if (!json_object_object_get_ex(d, "ipMasq", NULL))
                json_object_object_add(d, "ipMasq", json_object_new_boolean(!se.ipmasq));
        if (!json_object_object_get_ex(d, "mtu", NULL))
                json_object_object_add(d, "mtu", json_object_new_int64(se.mtu));
        if (streq(type, "bridge") && !json_object_object_get_ex(d, "isGateway", NULL))
                json_object_object_add(d, "isGateway", json_object_new_boolean(true));
        if (c->cni_version)
                json_object_object_add(d, "cniVersion", json_object_new_string(c->cni_version));
        ipam = json_object_new_object();
        routes = json_object_new_array();
        route = json_object_new_object();
        json_object_object_add(ipam, "type", json_object_new_string("host-local"));
        json_object_object_add(ipam, "subnet", json_object_new_string(subnet));
        json_object_object_add(route, "dst", json_object_new_string(network));
        json_object_array_add(routes, route);
        json_object_object_add(ipam, "routes", routes);
        json_object_object_add(d, "ipam", ipam);
        *ret_type = strdup(type);
        *ret_json = strdup(
                json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        if (!*ret_type || !*ret_json) {
                *ret_type = mfree(*ret_type);
                *ret_json = mfree(*ret_json);
                r = -ENOMEM;
        }
finish:
        json_object_put(d);
        json_object_put(root);
        return r;
}

int net_flannel_apply(NetConf *conf, RktError **reterr) {
        _cleanup_free_ char *path = NULL, *text = NULL, *json = NULL, *type = NULL;
        _cleanup_(net_conf_done) NetConf d = {};
        int r = net_flannel_subnet_file(conf, &path);

        if (r < 0)
                return r;
        r = read_regular_file_at(AT_FDCWD, path, 65536, &text, NULL);
        if (r < 0)
                return rkt_error_set(reterr, r, "network '%s' ('%s'): reading flannel's subnet file %s: %s",
                                     conf->name, conf->path, path, strerror(-r));
        r = net_flannel_delegate(conf, text, path, &json, &type, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "network '%s'", conf->name);
        log_debug("network '%s': flannel, delegating to '%s': %s", conf->name, type, json);
        r = net_conf_parse(json, conf->path, &d, reterr);
        if (r < 0)
                return r;
        net_conf_done(conf);
        *conf = d;
        d = (NetConf){};
        return 0;
}
