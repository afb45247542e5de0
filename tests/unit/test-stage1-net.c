/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fs.h"
#include "net.h"
#include "nspawn-args.h"
#include "path.h"
#include "strv.h"
#include "unit.h"

#define UUID "0123abcd-4567-89ef-0123-456789abcdef"

/* --- --net --- */

static void test_net_list(void **state) {
        _cleanup_error_ RktError *err = NULL;
        NetList l = {};

        assert_int_equal(net_list_parse(NULL, &l, NULL), 0);
        assert_int_equal(l.n, 1);
        assert_string_equal(l.items[0].name, "default");
        assert_null(l.items[0].args);
        assert_true(net_list_contained(&l));
        net_list_done(&l);

        assert_int_equal(
                net_list_parse("default:IP=172.16.28.9,my-net.2,other:K=V;IgnoreUnknown=1", &l, NULL), 0);
        assert_int_equal(l.n, 3);
        assert_string_equal(l.items[0].args, "IP=172.16.28.9");
        assert_string_equal(l.items[1].name, "my-net.2");
        assert_null(l.items[1].args);
        assert_string_equal(l.items[2].args, "K=V;IgnoreUnknown=1");
        assert_true(net_list_has(&l, "other"));
        assert_false(net_list_has(&l, "nope"));
        /* A second --net adds to the list. */
        assert_int_equal(net_list_parse("x:", &l, NULL), 0);
        assert_int_equal(l.n, 4);
        assert_null(l.items[3].args);
        /* What stage0 hands to stage1: one --net value that parses to the same list. */
        _cleanup_free_ char *joined = NULL;
        assert_int_equal(net_list_format(&l, &joined), 0);
        assert_string_equal(joined, "default:IP=172.16.28.9,my-net.2,other:K=V;IgnoreUnknown=1,x");
        assert_int_equal(net_list_parse("x", &l, &err), -EINVAL);
        assert_non_null(strstr(rkt_error_message(err, -EINVAL), "'x' given twice"));
        net_list_done(&l);

        assert_int_equal(net_list_parse("host", &l, NULL), 0);
        assert_false(net_list_contained(&l));
        net_list_done(&l);
        assert_int_equal(net_list_parse("none", &l, NULL), 0);
        assert_false(net_list_contained(&l));
        net_list_done(&l);

        const char *bad[] = {"default,", ",default", "host,default", "default,none", "host:IP=1.2.3.4",
                             "all:x=y",  "a:b:c",    "bad name",     "-dash"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_error_ RktError *e = NULL;
                assert_int_equal(net_list_parse(bad[i], &l, &e), -EINVAL);
                assert_non_null(e);
                net_list_done(&l);
        }
        /* none takes arguments as rkt 1.30 accepted them; all is a list of its own. */
        assert_int_equal(net_list_parse("all", &l, NULL), 0);
        assert_true(net_list_contained(&l));
        net_list_done(&l);
}

/* --- configurations --- */

static void assert_conf_error(const char *json, const char *expect) {
        _cleanup_error_ RktError *err = NULL;
        NetConf c = {};
        int r = net_conf_parse(json, "/etc/rkt/net.d/10-x.conf", &c, &err);

        assert_int_equal(r, -EINVAL);
        if (!strstr(rkt_error_message(err, r), expect))
                fail_msg("'%s' not in '%s'", expect, rkt_error_message(err, r));
        assert_non_null(strstr(rkt_error_message(err, r), "'/etc/rkt/net.d/10-x.conf'"));
}

static void test_conf_parse(void **state) {
        _cleanup_(net_conf_done) NetConf c = {};
        const char *json =
                "{\"name\": \"mynet\", \"type\": \"bridge\", \"ipMasq\": true, \"cniVersion\": \"0.3.1\","
                " \"ipam\": {\"type\": \"host-local\"}}";

        assert_int_equal(net_conf_parse(json, "/etc/rkt/net.d/20-my.conf", &c, NULL), 0);
        assert_string_equal(c.name, "mynet");
        assert_string_equal(c.type, "bridge");
        assert_string_equal(c.cni_version, "0.3.1");
        assert_true(c.ip_masq);
        assert_string_equal(c.file_name, "20-my.conf");
        assert_string_equal(c.path, "/etc/rkt/net.d/20-my.conf");
        /* The plugin gets the file as it is. */
        assert_string_equal(c.json, json);
        net_conf_done(&c);
        assert_int_equal(net_conf_parse("{\"name\":\"n\",\"type\":\"ptp\"}", "n.conf", &c, NULL), 0);
        assert_null(c.cni_version);
        assert_false(c.ip_masq);
        net_conf_done(&c);
        /* Keys in any case, as rkt 1.30 decoded them (Go's encoding/json); an exact key wins. */
        assert_int_equal(
                net_conf_parse("{\"Name\":\"up\",\"TYPE\":\"ptp\",\"IPMasq\":true,\"CNIVersion\":\"0.3.1\"}",
                               "up.conf", &c, NULL),
                0);
        assert_string_equal(c.name, "up");
        assert_string_equal(c.type, "ptp");
        assert_string_equal(c.cni_version, "0.3.1");
        assert_true(c.ip_masq);
        net_conf_done(&c);
        assert_int_equal(
                net_conf_parse("{\"NAME\":\"a\",\"name\":\"b\",\"type\":\"ptp\"}", "b.conf", &c, NULL), 0);
        assert_string_equal(c.name, "b");

        assert_conf_error("{\"name\": \"x\", \"type\": ", "invalid JSON");
        assert_conf_error("[1]", "not a JSON object");
        /* null is a value of the wrong type, not an absent field. */
        assert_conf_error("{\"name\": null, \"type\": \"ptp\"}", "field 'name': must be a string, not null");
        assert_conf_error("{\"name\": \"n\", \"type\": 5}",
                          "field 'type': must be a string, not an integer");
        assert_conf_error("{\"name\": \"n\", \"type\": \"ptp\", \"cniVersion\": null}",
                          "field 'cniVersion': must be a string, not null");
        assert_conf_error("{\"name\": \"n\", \"type\": \"ptp\", \"ipMasq\": null}",
                          "field 'ipMasq': must be a boolean, not null");
        assert_conf_error("{\"type\": \"ptp\"}", "field 'name': missing");
        assert_conf_error("{\"name\": \"\", \"type\": \"ptp\"}", "field 'name': missing");
        assert_conf_error("{\"name\": 3, \"type\": \"ptp\"}",
                          "field 'name': must be a string, not an integer");
        assert_conf_error("{\"name\": \"a b\", \"type\": \"ptp\"}", "field 'name': invalid network name");
        assert_conf_error("{\"name\": \"host\", \"type\": \"ptp\"}", "field 'name': 'host' is reserved");
        assert_conf_error("{\"name\": \"x\"}", "field 'type': missing");
        assert_conf_error("{\"name\": \"x\", \"type\": \"../../bin/sh\"}",
                          "field 'type': '../../bin/sh' is not a plugin");
        assert_conf_error("{\"name\": \"x\", \"type\": \"ptp\", \"cniVersion\": 1}",
                          "field 'cniVersion': must be a string, not");
        assert_conf_error("{\"name\": \"x\", \"type\": \"ptp\", \"ipMasq\": \"yes\"}",
                          "field 'ipMasq': must be a boolean, not");
}

static void write_file(const char *dir, const char *name, const char *text) {
        _cleanup_free_ char *p = path_join(dir, name);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, p, text, strlen(text), 0644), 0);
}

static char *tmpdir(void) {
        char t[] = "/tmp/test-stage1-net.XXXXXX";
        assert_non_null(mkdtemp(t));
        return strdup(t);
}

static void rmtree(const char *d) {
        assert_int_equal(rm_rf_at(AT_FDCWD, d), 0);
}

static void test_requested_ip(void **state) {
        NetConf c = {.name = (char *) "mynet"};
        char *ip = NULL, *lease = NULL;

        (void) state;
        c.json = (char *) "{\"name\":\"mynet\",\"type\":\"bridge\",\"ipam\":{\"type\":\"host-local\"}}";
        assert_int_equal(net_conf_requested_ip(&c, "X=1;IP=10.1.2.3", &ip, &lease), 1);
        assert_string_equal(ip, "10.1.2.3");
        assert_string_equal(lease, "/var/lib/cni/networks/mynet/10.1.2.3");
        free(ip);
        free(lease);
        c.json = (char *) "{\"IPAM\":{\"Type\":\"host-local\",\"dataDir\":\"/srv/ipam\"}}";
        assert_int_equal(net_conf_requested_ip(&c, "IP=fd00::5", &ip, &lease), 1);
        assert_string_equal(lease, "/srv/ipam/mynet/fd00::5");
        free(ip);
        free(lease);
        /* No address (a path is not one), no request, another IPAM: nothing to check. */
        assert_int_equal(net_conf_requested_ip(&c, "IP=../../etc/passwd", &ip, &lease), 0);
        assert_null(lease);
        assert_int_equal(net_conf_requested_ip(&c, "", &ip, &lease), 0);
        c.json = (char *) "{\"ipam\":{\"type\":\"dhcp\"}}";
        assert_int_equal(net_conf_requested_ip(&c, "IP=10.1.2.3", &ip, &lease), 0);
        c.json = (char *) "not json";
        assert_int_equal(net_conf_requested_ip(&c, "IP=10.1.2.3", &ip, &lease), 0);
}

static void test_flannel(void **state) {
        NetConf c = {.name = (char *) "rkt.kubernetes.io", .path = (char *) "/etc/rkt/net.d/k8s.conf"};
        const char *env = "FLANNEL_NETWORK=11.11.0.0/16\nFLANNEL_SUBNET=11.11.3.1/24\nFLANNEL_MTU=1472\n"
                          "FLANNEL_IPMASQ=true\n";
        _cleanup_error_ RktError *err = NULL;
        char *json = NULL, *type = NULL;

        (void) state;
        c.json = (char *) "{\"name\":\"rkt.kubernetes.io\",\"type\":\"flannel\",\"subnetFile\":\"/x/"
                          "subnet.env\","
                          "\"Delegate\":{\"isDefaultGateway\":true}}";
        assert_int_equal(net_flannel_subnet_file(&c, &json), 0);
        assert_string_equal(json, "/x/subnet.env");
        free(json);
        assert_int_equal(net_flannel_delegate(&c, env, "/x/subnet.env", &json, &type, NULL), 0);
        assert_string_equal(type, "bridge");
        /* As rkt 1.30's flannel plugin made it: the subnet's network, a route to flannel's network, no
         * masquerading when flannel does it, a gateway on the bridge. */
        assert_string_equal(json,
                            "{\"isDefaultGateway\":true,\"name\":\"rkt.kubernetes.io\",\"type\":\"bridge\","
                            "\"ipMasq\":false,\"mtu\":1472,\"isGateway\":true,\"ipam\":{\"type\":"
                            "\"host-local\",\"subnet\":\"11.11.3.0/24\",\"routes\":[{\"dst\":"
                            "\"11.11.0.0/16\"}]}}");
        free(json);
        free(type);
        c.json = (char *) "{\"name\":\"n\",\"type\":\"flannel\",\"cniVersion\":\"0.3.1\","
                          "\"delegate\":{\"type\":\"ipvlan\",\"ipMasq\":true}}";
        c.cni_version = (char *) "0.3.1";
        assert_int_equal(net_flannel_subnet_file(&c, &json), 0);
        assert_string_equal(json, "/run/flannel/subnet.env");
        free(json);
        assert_int_equal(net_flannel_delegate(&c, env, "s", &json, &type, NULL), 0);
        assert_string_equal(type, "ipvlan");
        assert_non_null(strstr(json, "\"ipMasq\":true,\"name\":\"rkt.kubernetes.io\",\"mtu\":1472,"
                                     "\"cniVersion\":\"0.3.1\",\"ipam\""));
        free(json);
        free(type);
        c.cni_version = NULL;
        /* Refused: a subnet file without a field, a bad network, a delegate setting what flannel sets. */
        assert_int_equal(net_flannel_delegate(&c, "FLANNEL_NETWORK=11.11.0.0/16\n", "s", &json, &type, &err),
                         -EINVAL);
        assert_string_equal(rkt_error_message(err, -EINVAL),
                            "s is missing FLANNEL_SUBNET, FLANNEL_MTU, FLANNEL_IPMASQ");
        err = rkt_error_free(err);
        assert_int_equal(
                net_flannel_delegate(&c, "FLANNEL_SUBNET=11.11.300.1/24\n", "s", &json, &type, NULL),
                -EINVAL);
        c.json = (char *) "{\"delegate\":{\"ipam\":{}}}";
        assert_int_equal(net_flannel_delegate(&c, env, "s", &json, &type, &err), -EINVAL);
        assert_non_null(strstr(rkt_error_message(err, -EINVAL), "must not have 'ipam' field"));
        err = rkt_error_free(err);
        c.json = (char *) "{\"delegate\":{\"type\":\"../x\"}}";
        assert_int_equal(net_flannel_delegate(&c, env, "s", &json, &type, NULL), -EINVAL);
}

static void test_confs_load(void **state) {
        _cleanup_free_ char *root = tmpdir(), *sys = path_join(root, "sys"),
                            *local = path_join(root, "local"), *missing = path_join(root, "missing");
        _cleanup_strv_free_ char **warnings = NULL;
        _cleanup_free_ size_t *idx = NULL;
        _cleanup_error_ RktError *err = NULL;
        NetConf *c = NULL;
        size_t n = 0, n_idx = 0;
        NetList l = {};

        assert_int_equal(mkdir(sys, 0755), 0);
        assert_int_equal(mkdir(local, 0755), 0);
        write_file(sys, "10-a.conf", "{\"name\": \"a\", \"type\": \"bridge\"}");
        write_file(sys, "30-b.conf", "{\"name\": \"b\", \"type\": \"ptp\"}");
        write_file(sys, "README", "not a configuration");
        /* The local dir replaces b and the built-in default; a name twice in one dir: the first file wins.
         */
        write_file(local, "05-b.conf", "{\"name\": \"b\", \"type\": \"macvlan\"}");
        write_file(local, "50-default.conf",
                   "{\"name\": \"default\", \"type\": \"bridge\", \"ipMasq\": true}");
        write_file(local, "60-default.conf", "{\"name\": \"default\", \"type\": \"ipvlan\"}");
        _cleanup_free_ char *subdir = path_join(local, "dir.conf");
        assert_int_equal(mkdir(subdir, 0755), 0);

        const char *dirs[] = {sys, NULL, local, missing};
        assert_int_equal(net_confs_load(dirs, ELEMENTSOF(dirs), &c, &n, &warnings, NULL), 0);
        assert_int_equal(n, 4);
        /* In file name order, wherever they came from. */
        assert_string_equal(c[0].name, "b");
        assert_string_equal(c[0].type, "macvlan");
        assert_string_equal(c[0].file_name, "05-b.conf");
        assert_string_equal(c[1].name, "a");
        assert_string_equal(c[2].name, "default");
        assert_string_equal(c[2].type, "bridge");
        assert_non_null(strstr(c[2].path, "/local/50-default.conf"));
        assert_string_equal(c[3].name, "default-restricted");
        assert_string_equal(c[3].type, "ptp");
        assert_false(c[3].ip_masq);
        assert_non_null(strstr(c[3].json, "172.31.0.0/16"));
        assert_int_equal(strv_length(warnings), 1);
        assert_non_null(strstr(warnings[0], "'60-default.conf' ignored"));

        assert_int_equal(net_list_parse("default,a", &l, NULL), 0);
        assert_int_equal(net_select(c, n, &l, &idx, &n_idx, NULL), 0);
        assert_int_equal(n_idx, 2);
        assert_int_equal(idx[0], 1); /* a (10-a.conf) before default (50-default.conf) */
        assert_int_equal(idx[1], 2);
        net_list_done(&l);
        idx = mfree(idx);

        assert_int_equal(net_list_parse("all", &l, NULL), 0);
        assert_int_equal(net_select(c, n, &l, &idx, &n_idx, NULL), 0);
        assert_int_equal(n_idx, 4);
        net_list_done(&l);
        idx = mfree(idx);

        assert_int_equal(net_list_parse("a,nope,zzz", &l, NULL), 0);
        assert_int_equal(net_select(c, n, &l, &idx, &n_idx, &err), -ENOENT);
        assert_string_equal(rkt_error_message(err, -ENOENT), "networks not found: nope, zzz");
        assert_null(idx);
        net_list_done(&l);
        net_confs_free(c, n);

        /* Only the built-ins. */
        assert_int_equal(net_confs_load(NULL, 0, &c, &n, NULL, NULL), 0);
        assert_int_equal(n, 2);
        /* "99-default-restricted.conf" sorts before "99-default.conf" ('-' < '.'), as in rkt 1.30. */
        assert_string_equal(c[0].name, "default-restricted");
        assert_null(strstr(c[0].json, "routes"));
        assert_string_equal(c[1].name, "default");
        assert_true(c[1].ip_masq);
        assert_non_null(strstr(c[1].json, "\"subnet\": \"172.16.28.0/24\""));
        assert_non_null(strstr(c[1].json, "\"dst\": \"0.0.0.0/0\""));
        net_confs_free(c, n);

        /* A broken file is an error that names it. */
        write_file(local, "70-broken.conf", "{\"name\": \"broken\"}");
        err = rkt_error_free(err);
        assert_int_equal(net_confs_load(dirs, ELEMENTSOF(dirs), &c, &n, NULL, &err), -EINVAL);
        assert_non_null(strstr(rkt_error_message(err, -EINVAL), "70-broken.conf': field 'type': missing"));
        rmtree(root);
}

/* --- results --- */

static void test_result_v010(void **state) {
        _cleanup_(net_result_done) NetResult r = {};
        const char *out = "{\"cniVersion\": \"0.1.0\", \"ip4\": {\"ip\": \"172.16.28.2/24\", \"gateway\": "
                          "\"172.16.28.1\", \"routes\": [{\"dst\": \"0.0.0.0/0\"}]}, \"dns\": {}}";

        assert_int_equal(net_result_parse(out, &r, NULL), 0);
        assert_string_equal(r.ip, "172.16.28.2");
        assert_int_equal(r.prefix, 24);
        assert_string_equal(r.gateway, "172.16.28.1");
        assert_true(net_dns_is_empty(&r.dns));
}

static void test_result_v040(void **state) {
        _cleanup_(net_result_done) NetResult r = {}, r6 = {}, none = {};
        _cleanup_error_ RktError *err = NULL;
        /* ptp: the host's veth first, then the pod's; an IPv6 address before the IPv4 one. */
        const char *out =
                "{\"cniVersion\": \"0.4.0\", \"interfaces\": [{\"name\": \"veth1234\", \"mac\": \"aa:bb\"}, "
                "{\"name\": \"eth0\", \"mac\": \"cc:dd\", \"sandbox\": \"/run/netns/rkt-x\"}], "
                "\"ips\": [{\"version\": \"6\", \"address\": \"fd00::5/64\", \"interface\": 1}, "
                "{\"version\": \"4\", \"address\": \"10.9.0.1/32\", \"interface\": 0}, "
                "{\"version\": \"4\", \"address\": \"10.1.2.3/16\", \"gateway\": \"10.1.0.1\", "
                "\"interface\": 1}], "
                "\"dns\": {\"nameservers\": [\"10.1.0.53\", \"not an ip\"], \"domain\": \"example.org\", "
                "\"search\": [\"a.example\", \"b.example\"], \"options\": [\"ndots:2\"]}}";

        assert_int_equal(net_result_parse(out, &r, NULL), 0);
        assert_string_equal(r.ip, "10.1.2.3");
        assert_int_equal(r.prefix, 16);
        assert_string_equal(r.gateway, "10.1.0.1");
        assert_int_equal(strv_length(r.dns.nameservers), 1);
        assert_string_equal(r.dns.nameservers[0], "10.1.0.53");
        assert_string_equal(r.dns.domain, "example.org");
        assert_int_equal(strv_length(r.dns.search), 2);
        assert_string_equal(r.dns.options[0], "ndots:2");

        /* 1.0.0, IPv6 only, no gateway. */
        assert_int_equal(
                net_result_parse("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"fd00::7/64\"}]}", &r6,
                                 NULL),
                0);
        assert_string_equal(r6.ip, "fd00::7");
        assert_int_equal(r6.prefix, 64);
        assert_null(r6.gateway);

        /* No address at all is not an error (rkt 1.30 shows the network without one). */
        assert_int_equal(net_result_parse("{\"cniVersion\":\"0.4.0\"}", &none, NULL), 0);
        assert_null(none.ip);
        NetResult bad = {};
        assert_int_equal(net_result_parse("not json", &bad, &err), -EINVAL);
        err = rkt_error_free(err);
        assert_int_equal(net_result_parse("{\"ip4\": {\"ip\": \"300.1.1.1/24\"}}", &bad, &err), -EINVAL);
        assert_non_null(strstr(rkt_error_message(err, -EINVAL), "300.1.1.1/24"));
}

static void test_plugin_error(void **state) {
        char *s;

        s = net_plugin_error(
                "{\"code\": 999, \"msg\": \"failed to add route\", \"details\": \"file exists\"}");
        assert_string_equal(s, "failed to add route; file exists");
        free(s);
        s = net_plugin_error("{\"code\": 1, \"msg\": \"incompatible CNI versions\"}\n");
        assert_string_equal(s, "incompatible CNI versions");
        free(s);
        s = net_plugin_error("  panic: runtime error\n\n");
        assert_string_equal(s, "panic: runtime error");
        free(s);
        assert_null(net_plugin_error(" \n"));
        assert_null(net_plugin_error(NULL));
}

static void test_mask(void **state) {
        const struct {
                bool v6;
                unsigned prefix;
                const char *mask;
        } t[] = {
                {false, 24, "255.255.255.0"}, {false, 16, "255.255.0.0"},
                {false, 0, "0.0.0.0"},        {false, 32, "255.255.255.255"},
                {false, 20, "255.255.240.0"}, {true, 64, "ffff:ffff:ffff:ffff::"},
        };
        char *s;

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                assert_int_equal(net_mask_string(t[i].v6, t[i].prefix, &s), 0);
                assert_string_equal(s, t[i].mask);
                free(s);
        }
        assert_int_equal(net_mask_string(false, 33, &s), -EINVAL);
}

static void test_plugin_env(void **state) {
        char *in[] = {"HOME=/root", "CNI_ARGS=stale", "CNI_COMMAND=VERSION", "LANG=C", NULL};
        char *path_in[] = {"PATH=/opt/bin", NULL};
        _cleanup_strv_free_ char **e = NULL, **p = NULL;

        assert_int_equal(
                net_plugin_env(in, "ADD", UUID, "/run/netns/rkt-" UUID, "eth1", "IP=10.0.0.9", "/a:/b", &e),
                0);
        assert_true(strv_contains(e, "HOME=/root"));
        assert_true(strv_contains(e, "LANG=C"));
        assert_false(strv_contains(e, "CNI_ARGS=stale"));
        assert_false(strv_contains(e, "CNI_COMMAND=VERSION"));
        assert_true(strv_contains(e, "CNI_VERSION=0.1.0"));
        assert_true(strv_contains(e, "CNI_COMMAND=ADD"));
        assert_true(strv_contains(e, "CNI_CONTAINERID=" UUID));
        assert_true(strv_contains(e, "CNI_NETNS=/run/netns/rkt-" UUID));
        assert_true(strv_contains(e, "CNI_IFNAME=eth1"));
        assert_true(strv_contains(e, "CNI_ARGS=IgnoreUnknown=1;IP=10.0.0.9"));
        assert_true(strv_contains(e, "CNI_PATH=/a:/b"));
        /* Plugins run iptables: a PATH when the caller had none. */
        assert_true(strv_contains(e, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));

        assert_int_equal(net_plugin_env(path_in, "DEL", UUID, NULL, "eth0", NULL, "/c", &p), 0);
        assert_true(strv_contains(p, "PATH=/opt/bin"));
        assert_true(strv_contains(p, "CNI_NETNS="));
        assert_int_equal(strv_length(p), 7);
        strv_free(p);
        assert_int_equal(
                net_plugin_env(NULL, "ADD", UUID, "/n", "eth0", "IgnoreUnknown=0;IP=1.2.3.4", "/c", &p), 0);
        assert_true(strv_contains(p, "CNI_ARGS=IgnoreUnknown=0;IP=1.2.3.4"));
}

static void test_net_info(void **state) {
        NetInfo in[] = {
                {"default", "net/eth0.conf", "/usr/lib/cni/ptp", "eth0", "172.16.28.5", "", "255.255.255.0"},
                {"my\"net", "net/eth1.conf", "/usr/lib/cni/bridge", "eth1", "", "IP=10.1.0.9", ""},
        };
        _cleanup_free_ char *json = NULL;
        NetInfo *out = NULL;
        size_t n;

        assert_int_equal(net_info_json(in, ELEMENTSOF(in), &json), 0);
        /* rkt's NetInfo field order, what rkt list and status read (and Nomad after them). */
        assert_non_null(
                strstr(json, "{\"netName\":\"default\",\"netConf\":\"net/eth0.conf\",\"pluginPath\":"
                             "\"/usr/lib/cni/ptp\",\"ifName\":\"eth0\",\"ip\":\"172.16.28.5\",\"args\":\"\","
                             "\"mask\":\"255.255.255.0\"}"));
        assert_int_equal(net_info_parse(json, strlen(json), &out, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_string_equal(out[1].net_name, "my\"net");
        assert_string_equal(out[1].args, "IP=10.1.0.9");
        assert_string_equal(out[1].ip, "");
        net_infos_free(out, n);

        json = mfree(json);
        assert_int_equal(net_info_json(NULL, 0, &json), 0);
        assert_string_equal(json, "[]");
        json = mfree(json);
        json = strdup("[{\"ip\": \"1.2.3.4\"}]");
        assert_int_equal(net_info_parse(json, strlen(json), &out, &n, NULL), 0);
        assert_int_equal(n, 1);
        assert_string_equal(out[0].net_name, "");
        assert_string_equal(out[0].ip, "1.2.3.4");
        net_infos_free(out, n);
        /* args as the user gave them to --net, read back for the teardown */
        json = mfree(json);
        json = strdup("[{\"args\": \"IP=1\\n\"}]");
        assert_int_equal(net_info_parse(json, strlen(json), &out, &n, NULL), 0);
        assert_string_equal(out[0].args, "IP=1\n");
        net_infos_free(out, n);

        /* hostile files: one message naming the file and the field, nothing read */
        static const struct {
                const char *json, *message;
        } bad[] = {
                {"{}", "net-info.json is not a JSON array"},
                {"[{\"netName\": 5}]",
                 "net-info.json: field '[0].netName': must be a string, not an integer"},
                {"[{\"ip\": \"a\"}, {\"ip\": null}]",
                 "net-info.json: field '[1].ip': must be a string, not null"},
                {"[{\"args\": \"a\\u0000b\"}]", "net-info.json is not valid JSON: NUL character in string"},
                {"[7]", "[0]: must be an object"},
                {"[{", "net-info.json is not valid JSON"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_error_ RktError *e = NULL;

                out = NULL;
                n = 0;
                assert_int_equal(net_info_parse(bad[i].json, strlen(bad[i].json), &out, &n, &e), -EBADMSG);
                assert_null(out);
                assert_int_equal(n, 0);
                assert_non_null(strstr(rkt_error_message(e, -EBADMSG), bad[i].message));
        }
}

/* --- DNS --- */

static int dns_config(NetDnsConfig *c, char *const *flags, RktError **err) {
        int r;
        for (size_t i = 0; flags[i]; i += 2) {
                r = net_dns_config_add(c, flags[i], flags[i + 1], err);
                if (r < 0)
                        return r;
        }
        return net_dns_config_finish(c, err);
}

static void test_dns_config(void **state) {
        _cleanup_(net_dns_config_done) NetDnsConfig c = {}, h = {}, d = {};
        _cleanup_free_ char *text = NULL;
        char *flags[] = {"dns",         "8.8.8.8,2001:db8::1",
                         "dns",         "1.1.1.1",
                         "dns-search",  "a.example",
                         "dns-search",  "b.example",
                         "dns-opt",     "ndots:3",
                         "dns-opt",     "rotate",
                         "dns-domain",  "example.org",
                         "hosts-entry", "10.0.0.2=db",
                         "hosts-entry", "10.0.0.3=cache,10.0.0.2=db.local",
                         NULL};

        assert_int_equal(dns_config(&c, flags, NULL), 0);
        assert_int_equal(c.resolv_mode, NET_RESOLV_FLAGS);
        assert_int_equal(c.hosts_mode, NET_HOSTS_FLAGS);
        assert_int_equal(net_resolv_conf(&c.dns, "Generated by rkt run", &text), 0);
        assert_string_equal(text, "# Generated by rkt run\n\n"
                                  "search a.example b.example\n"
                                  "nameserver 8.8.8.8\n"
                                  "nameserver 2001:db8::1\n"
                                  "nameserver 1.1.1.1\n"
                                  "options ndots:3 rotate\n"
                                  "domain example.org\n");
        assert_int_equal(strv_length(c.hosts), 6);

        char *host[] = {"dns", "host", "hosts-entry", "host", NULL};
        assert_int_equal(dns_config(&h, host, NULL), 0);
        assert_int_equal(h.resolv_mode, NET_RESOLV_HOST);
        assert_int_equal(h.hosts_mode, NET_HOSTS_HOST);

        assert_int_equal(net_dns_config_finish(&d, NULL), 0);
        assert_int_equal(d.resolv_mode, NET_RESOLV_DEFAULT);
        assert_int_equal(d.hosts_mode, NET_HOSTS_DEFAULT);
        net_dns_config_done(&d);
        char *none[] = {"dns", "none", NULL};
        assert_int_equal(dns_config(&d, none, NULL), 0);
        assert_int_equal(d.resolv_mode, NET_RESOLV_NONE);

        const struct {
                char *flags[5];
                const char *expect;
        } bad[] = {
                {{"dns", "8.8.8.300"}, "invalid IP address '8.8.8.300'"},
                {{"dns", "host", "dns", "8.8.8.8"}, "DNS 'host' allows no other DNS setting"},
                {{"dns", "none", "dns-search", "x"}, "cannot be used with DNS 'none'"},
                {{"dns-domain", "a b"}, "invalid value"},
                {{"hosts-entry", "10.0.0.1"}, "is not IP=HOSTNAME"},
                {{"hosts-entry", "nope=x"}, "invalid IP address 'nope'"},
                {{"hosts-entry", "10.0.0.1=a#b"}, "invalid host name"},
                {{"hosts-entry", "host", "hosts-entry", "1.2.3.4=x"}, "cannot be combined"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_(net_dns_config_done) NetDnsConfig b = {};
                _cleanup_error_ RktError *err = NULL;
                int r = dns_config(&b, bad[i].flags, &err);
                assert_int_equal(r, -EINVAL);
                if (!strstr(rkt_error_message(err, r), bad[i].expect))
                        fail_msg("%zu: '%s' not in '%s'", i, bad[i].expect, rkt_error_message(err, r));
        }
}

static void test_resolv_conf(void **state) {
        _cleanup_free_ char *a = NULL, *b = NULL;
        NetDns only_ns = {.nameservers = (char *[]){"10.0.0.53", NULL}};
        NetDns empty = {};

        assert_int_equal(net_resolv_conf(&only_ns, "Generated by rkt from network x", &a), 0);
        assert_string_equal(a, "# Generated by rkt from network x\n\nnameserver 10.0.0.53\n");
        assert_int_equal(net_resolv_conf(&empty, NULL, &b), 0);
        assert_string_equal(b, "");
}

static void test_pod_dns_file_write(void **state) {
        char t[] = "/tmp/test-stage1-dns-XXXXXX";
        _cleanup_error_ RktError *err = NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int s1fd = -1;

        assert_non_null(mkdtemp(t));
        s1fd = open(t, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(s1fd >= 0);
        /* One wording for both stage1s, naming the file in the pod. */
        assert_int_equal(net_pod_dns_file_write(s1fd, NET_POD_RESOLV_CONF, "nameserver 10.0.0.1\n", &err),
                         -ENOENT);
        assert_string_equal(rkt_error_message(err, 0),
                            "writing stage1/rootfs/etc/rkt-resolv.conf: No such file or directory");
        assert_int_equal(mkdirat(s1fd, "etc", 0755), 0);
        assert_int_equal(net_pod_dns_file_write(s1fd, NET_POD_HOSTS, "127.0.0.1 localhost\n", NULL), 0);
        assert_int_equal(read_full_file_at(s1fd, NET_POD_HOSTS, &text, NULL), 0);
        assert_string_equal(text, "127.0.0.1 localhost\n");
        assert_int_equal(rm_rf_at(AT_FDCWD, t), 0);
}

static void test_resolv_conf_local_only(void **state) {
        /* systemd-resolved's stub, other loopback resolvers */
        assert_true(net_resolv_conf_local_only(
                "# stub\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n"));
        assert_true(net_resolv_conf_local_only("nameserver 127.0.0.1\n  nameserver\t::1\n"));
        /* one server the pod can reach is enough to keep the file */
        assert_false(net_resolv_conf_local_only("nameserver 127.0.0.53\nnameserver 10.0.0.53\n"));
        assert_false(net_resolv_conf_local_only("nameserver fe80::1%eth0\n"));
        assert_false(net_resolv_conf_local_only("nameserver 128.0.0.1\n"));
        /* no nameserver at all (the resolver then tries the local one: nothing better to give) */
        assert_false(net_resolv_conf_local_only(""));
        assert_false(net_resolv_conf_local_only("# nameserver 127.0.0.53\nnameservers 127.0.0.1\n"));
}

static void test_hosts_file(void **state) {
        _cleanup_free_ char *fallback = NULL, *flags = NULL, *host = NULL, *nolo = NULL;
        char *entries[] = {"10.0.0.2", "db", "10.0.0.3", "cache", "10.0.0.2", "db.local", NULL};

        assert_int_equal(net_hosts_file(NULL, NULL, "rkt-" UUID, &fallback), 0);
        assert_non_null(strstr(fallback, "\n127.0.0.1 localhost localhost.domain localhost4 "
                                         "localhost4.localdomain4 rkt-" UUID "\n"));
        assert_non_null(strstr(fallback, "\n::1 localhost"));
        assert_null(strstr(fallback, "--hosts-entry"));

        assert_int_equal(net_hosts_file(NULL, entries, "pod", &flags), 0);
        assert_non_null(strstr(flags, " pod\n"));
        assert_non_null(strstr(flags, "\n# rkt run --hosts-entry\n10.0.0.2 db db.local\n10.0.0.3 cache\n"));

        /* The host's file: the name joins its 127.0.0.1 line, before a comment. */
        assert_int_equal(
                net_hosts_file("# host\n127.0.0.1\tlocalhost # loopback\n10.1.1.1 other", NULL, "p", &host),
                0);
        assert_string_equal(host, "# host\n127.0.0.1\tlocalhost p # loopback\n10.1.1.1 other\n");
        assert_int_equal(net_hosts_file("127.0.0.10 x\n", NULL, "p", &nolo), 0);
        assert_string_equal(nolo, "127.0.0.10 x\n127.0.0.1 p\n");
}

/* --- ports --- */

static void test_ports(void **state) {
        AppcPort web_ports[] = {{"http", "tcp", 80, 1, false},
                                {"dns", "udp", 53, 1, false},
                                {"range", "tcp", 8000, 3, false},
                                {"edge", "tcp", 65534, 3, false}};
        AppcPort other_ports[] = {{"metrics", "tcp", 9100, 1, false}, {"sctp-thing", "sctp", 7, 1, false}};
        AppcApp web = {.ports = web_ports, .n_ports = 4}, other = {.ports = other_ports, .n_ports = 2};
        AppcRuntimeApp ra[] = {{.name = "web"}, {.name = "other"}, {.name = "noapp"}};
        const AppcApp *apps[] = {&web, &other, NULL};
        AppcPort direct = {"raw", "tcp", 7000, 1, false};
        AppcExposedPort eps[] = {
                {"http", 8080, NULL, NULL},
                {"dns", 5353, "10.0.0.1", NULL},
                {"metrics", 9100, "0.0.0.0", NULL},
                {"raw", 7001, NULL, &direct},
        };
        AppcPodManifest pod = {.apps = ra, .n_apps = 3, .ports = eps, .n_ports = 4};
        NetPortForward *fps = NULL;
        size_t n;

        assert_int_equal(net_ports_resolve(&pod, apps, &fps, &n, NULL), 0);
        assert_int_equal(n, 4);
        assert_string_equal(fps[0].protocol, "tcp");
        assert_int_equal(fps[0].pod_port, 80);
        assert_int_equal(fps[0].host_port, 8080);
        assert_null(fps[0].host_ip);
        assert_string_equal(fps[1].protocol, "udp");
        assert_string_equal(fps[1].host_ip, "10.0.0.1");
        assert_null(fps[2].host_ip); /* 0.0.0.0: every address */
        assert_int_equal(fps[3].pod_port, 7000);
        assert_int_equal(fps[0].count, 1);
        assert_int_equal(fps[3].count, 1);

        char ***rules = NULL;
        assert_int_equal(net_portfwd_setup_rules(UUID, fps, 2, "172.16.28.5", &rules), 0);
        const char *expect[] = {
                "-N RKT-PFWD-DNAT-0123abcd4567",
                "-N RKT-PFWD-SNAT-0123abcd4567",
                "-A RKT-PFWD-DNAT-0123abcd4567 -d 0.0.0.0/0 -p tcp --dport 8080 -j DNAT --to-destination "
                "172.16.28.5:80",
                "-A RKT-PFWD-SNAT-0123abcd4567 -p tcp -s 127.0.0.1 -d 172.16.28.5 --dport 80 -j MASQUERADE",
                "-A RKT-PFWD-DNAT-0123abcd4567 -d 10.0.0.1 -p udp --dport 5353 -j DNAT --to-destination "
                "172.16.28.5:53",
                "-A RKT-PFWD-SNAT-0123abcd4567 -p udp -s 127.0.0.1 -d 172.16.28.5 --dport 53 -j MASQUERADE",
                "-I PREROUTING 1 -m addrtype --dst-type LOCAL -j RKT-PFWD-DNAT-0123abcd4567",
                "-I OUTPUT 1 -m addrtype --dst-type LOCAL -j RKT-PFWD-DNAT-0123abcd4567",
                "-I POSTROUTING 1 -s 127.0.0.1 ! -d 127.0.0.1 -j RKT-PFWD-SNAT-0123abcd4567",
        };
        for (size_t i = 0; i < ELEMENTSOF(expect); i++) {
                _cleanup_free_ char *j = NULL;
                assert_non_null(rules[i]);
                j = strv_join(rules[i], " ");
                assert_string_equal(j, expect[i]);
        }
        assert_null(rules[ELEMENTSOF(expect)]);
        net_rules_free(rules);

        assert_int_equal(net_portfwd_teardown_rules(UUID, &rules), 0);
        const char *down[] = {
                "-D PREROUTING -m addrtype --dst-type LOCAL -j RKT-PFWD-DNAT-0123abcd4567",
                "-D OUTPUT -m addrtype --dst-type LOCAL -j RKT-PFWD-DNAT-0123abcd4567",
                "-D POSTROUTING -s 127.0.0.1 ! -d 127.0.0.1 -j RKT-PFWD-SNAT-0123abcd4567",
                "-F RKT-PFWD-DNAT-0123abcd4567",
                "-X RKT-PFWD-DNAT-0123abcd4567",
                "-F RKT-PFWD-SNAT-0123abcd4567",
                "-X RKT-PFWD-SNAT-0123abcd4567",
        };
        for (size_t i = 0; i < ELEMENTSOF(down); i++) {
                _cleanup_free_ char *j = strv_join(rules[i], " ");
                assert_string_equal(j, down[i]);
        }
        assert_null(rules[ELEMENTSOF(down)]);
        net_rules_free(rules);
        net_ports_free(fps, n);

        /* A range: every port of it, host port + i to pod port + i; one MASQUERADE rule for the range. */
        AppcExposedPort range_ep[] = {{"range", 18090, NULL, NULL}};
        AppcPodManifest range_pod = {.apps = ra, .n_apps = 3, .ports = range_ep, .n_ports = 1};
        assert_int_equal(net_ports_resolve(&range_pod, apps, &fps, &n, NULL), 0);
        assert_int_equal(fps[0].count, 3);
        assert_int_equal(net_portfwd_setup_rules(UUID, fps, n, "172.16.28.5", &rules), 0);
        const char *range_expect[] = {
                "-N RKT-PFWD-DNAT-0123abcd4567",
                "-N RKT-PFWD-SNAT-0123abcd4567",
                "-A RKT-PFWD-DNAT-0123abcd4567 -d 0.0.0.0/0 -p tcp --dport 18090 -j DNAT --to-destination "
                "172.16.28.5:8000",
                "-A RKT-PFWD-DNAT-0123abcd4567 -d 0.0.0.0/0 -p tcp --dport 18091 -j DNAT --to-destination "
                "172.16.28.5:8001",
                "-A RKT-PFWD-DNAT-0123abcd4567 -d 0.0.0.0/0 -p tcp --dport 18092 -j DNAT --to-destination "
                "172.16.28.5:8002",
                "-A RKT-PFWD-SNAT-0123abcd4567 -p tcp -s 127.0.0.1 -d 172.16.28.5 --dport 8000:8002 -j "
                "MASQUERADE",
        };
        for (size_t i = 0; i < ELEMENTSOF(range_expect); i++) {
                _cleanup_free_ char *j = strv_join(rules[i], " ");
                assert_string_equal(j, range_expect[i]);
        }
        net_rules_free(rules);
        net_ports_free(fps, n);

        const struct {
                AppcExposedPort ep[2];
                size_t n;
                const char *expect;
        } bad[] = {
                {{{"nope", 80, NULL, NULL}}, 1, "port 'nope' (--port) is not declared by any app"},
                {{{"sctp-thing", 80, NULL, NULL}}, 1, "protocol 'sctp' cannot be forwarded"},
                {{{"http", 80, "fd00::1", NULL}}, 1, "'fd00::1' is not an IPv4 address"},
                {{{"http", 8080, NULL, NULL}, {"metrics", 8080, "10.0.0.1", NULL}},
                 2,
                 "host port tcp/8080 is forwarded twice"},
                {{{"range", 9000, NULL, NULL}, {"http", 9002, NULL, NULL}},
                 2,
                 "host port tcp/9002 is forwarded twice"},
                {{{"range", 65534, NULL, NULL}},
                 1,
                 "3 port(s) from host port 65534 to pod port 8000 go beyond"},
                {{{"edge", 100, NULL, NULL}}, 1, "3 port(s) from host port 100 to pod port 65534 go beyond"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_error_ RktError *err = NULL;
                AppcPodManifest p = {.apps = ra,
                                     .n_apps = 3,
                                     .ports = (AppcExposedPort *) bad[i].ep,
                                     .n_ports = bad[i].n};
                int r = net_ports_resolve(&p, apps, &fps, &n, &err);
                assert_true(r < 0);
                if (!strstr(rkt_error_message(err, r), bad[i].expect))
                        fail_msg("%zu: '%s' not in '%s'", i, bad[i].expect, rkt_error_message(err, r));
        }
        /* Different protocols, or different host addresses, do not clash. */
        AppcExposedPort ok[] = {{"http", 5353, "10.0.0.1", NULL},
                                {"dns", 5353, NULL, NULL},
                                {"metrics", 9, "10.0.0.1", NULL},
                                {"raw", 9, "10.0.0.2", &direct}};
        AppcPodManifest p = {.apps = ra, .n_apps = 3, .ports = ok, .n_ports = 4};
        assert_int_equal(net_ports_resolve(&p, apps, &fps, &n, NULL), 0);
        net_ports_free(fps, n);

        /* A name two apps declare is ambiguous. */
        AppcApp twin = {.ports = web_ports, .n_ports = 1};
        const AppcApp *twins[] = {&web, &twin, NULL};
        AppcExposedPort one[] = {{"http", 80, NULL, NULL}};
        _cleanup_error_ RktError *err = NULL;
        p = (AppcPodManifest){.apps = ra, .n_apps = 3, .ports = one, .n_ports = 1};
        assert_int_equal(net_ports_resolve(&p, twins, &fps, &n, &err), -EINVAL);
        assert_non_null(strstr(rkt_error_message(err, -EINVAL),
                               "declared by more than one app ('web' and 'other')"));
}

static void test_teardown_nothing(void **state) {
        _cleanup_free_ char *d = tmpdir();
        _cleanup_close_ int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_error_ RktError *err = NULL;

        /* A pod with --net=host (or whose network is gone already): nothing to do, nothing run. */
        assert_int_equal(net_pod_teardown(fd, UUID, true, NULL), 0);
        /* A netns file that is not this pod's is never unmounted. */
        write_file(d, "netns", "/proc/1/ns/net");
        assert_int_equal(net_pod_teardown(fd, UUID, true, &err), -EINVAL);
        assert_non_null(strstr(rkt_error_message(err, -EINVAL), "not this pod's network namespace"));
        rmtree(d);
}

/* nspawn joins the namespace stage1 made (and --net=none keeps nspawn's own private network). */
static void test_nspawn_netns(void **state) {
        NspawnOptions o = {.uuid = UUID, .directory = "d", .network_namespace_path = "/run/netns/rkt-" UUID};
        _cleanup_strv_free_ char **argv = NULL, **none = NULL;

        assert_int_equal(nspawn_argv(&o, &argv), 0);
        assert_true(strv_contains(argv, "--network-namespace-path=/run/netns/rkt-" UUID));
        assert_false(strv_contains(argv, "--private-network"));
        o = (NspawnOptions){.uuid = UUID, .directory = "d", .private_network = true};
        assert_int_equal(nspawn_argv(&o, &none), 0);
        assert_true(strv_contains(none, "--private-network"));
        for (char **a = none; *a; a++)
                assert_null(startswith(*a, "--network-namespace-path"));
}

RUN_TESTS(cmocka_unit_test(test_net_list), cmocka_unit_test(test_conf_parse),
          cmocka_unit_test(test_requested_ip), cmocka_unit_test(test_flannel),
          cmocka_unit_test(test_confs_load), cmocka_unit_test(test_result_v010),
          cmocka_unit_test(test_result_v040), cmocka_unit_test(test_plugin_error),
          cmocka_unit_test(test_mask), cmocka_unit_test(test_plugin_env), cmocka_unit_test(test_net_info),
          cmocka_unit_test(test_dns_config), cmocka_unit_test(test_resolv_conf),
          cmocka_unit_test(test_pod_dns_file_write), cmocka_unit_test(test_resolv_conf_local_only),
          cmocka_unit_test(test_hosts_file), cmocka_unit_test(test_ports),
          cmocka_unit_test(test_teardown_nothing), cmocka_unit_test(test_nspawn_netns))
