/* SPDX-License-Identifier: Apache-2.0 */
/* The pod's network set up and torn down (net.h): the order of the steps, the records of the pod directory
 * that let teardown undo them after a crash at any point, and the CNI ADD and DEL of each network. The steps
 * themselves are in net-netns.c, net-exec.c, net-portfwd-host.c and net-dns.c (net-host.h). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fs.h"
#include "log.h"
#include "net-host.h"
#include "path.h"
#include "stage1-common.h"
#include "strv.h"
#include "util.h"

int net_record_write(int podfd, const char *path, const char *value, RktError **reterr) {
        _cleanup_free_ char *line = NULL;
        int r = asprintf(&line, "%s\n", value) < 0 ? -ENOMEM : stage1_write_file_at(podfd, path, line, 0644);

        return r < 0 ? rkt_error_set(reterr, r, "writing %s: %s", path, strerror(-r)) : 0;
}

/* A record of the pod dir, its first line; -ENOENT when there is none. */
static int record_read(int podfd, const char *path, char **ret) {
        _cleanup_free_ char *text = NULL;
        int r = read_full_file_at(podfd, path, &text, NULL);

        if (r < 0)
                return r;
        text[strcspn(text, "\n")] = 0;
        *ret = TAKE_PTR(text);
        return 0;
}

/* CNI_PATH for DEL: the one ADD had, as setup recorded it; the plugin's own directory when it did not. */
static int cni_path_for(int podfd, const char *plugin_path, char **ret) {
        int r = record_read(podfd, CNI_PATH_FILE, ret);

        if (r == -ENOENT) {
                *ret = path_dirname(plugin_path);
                return *ret ? 0 : -ENOMEM;
        }
        return r;
}

static int write_net_info(int podfd, const NetInfo *infos, size_t n, RktError **reterr) {
        _cleanup_free_ char *json = NULL;
        int r = net_info_json(infos, n, &json);

        if (r >= 0)
                r = stage1_write_file_at(podfd, POD_NET_INFO, json, 0644);
        return r < 0 ? rkt_error_set(reterr, r, "writing " POD_NET_INFO ": %s", strerror(-r)) : 0;
}

/* --- teardown --- */

int net_pod_teardown(int podfd, const char *uuid, bool force, RktError **reterr) {
        _cleanup_free_ char *netns = NULL, *text = NULL;
        NetInfo *infos = NULL;
        size_t n = 0, size = 0;
        bool failed = false, netns_there;
        int r, ret = 0;

        if (faccessat(podfd, PORTFWD_FILE, F_OK, 0) == 0) {
                r = net_portfwd_remove(uuid, reterr);
                if (r < 0) {
                        ret = r;
                        failed = true;
                } else
                        (void) unlinkat(podfd, PORTFWD_FILE, 0);
        }

        r = record_read(podfd, NETNS_FILE, &netns);
        if (r < 0 && r != -ENOENT)
                return rkt_error_set(reterr, r, "reading " NETNS_FILE ": %s", strerror(-r));
        if (netns && !net_netns_path_ours(netns, uuid))
                return rkt_error_set(reterr, -EINVAL,
                                     NETNS_FILE ": '%s' is not this pod's network namespace", netns);
        netns_there = netns && access(netns, F_OK) == 0;

        r = read_full_file_at(podfd, POD_NET_INFO, &text, &size);
        if (r < 0 && r != -ENOENT)
                r = rkt_error_prefix(reterr, r, "reading " POD_NET_INFO);
        else if (r >= 0)
                r = net_info_parse(text, size, &infos, &n, reterr);
        if (r < 0 && r != -ENOENT) {
                ret = ret ?: r;
                failed = true;
        }
        /* In reverse order of setup. DEL is idempotent (CNI), so every teardown runs it for each network
         * recorded: gc's after init's releases what a DEL that init could not run or finish left. */
        for (size_t i = n; i-- > 0;) {
                const NetInfo *ni = &infos[i];
                _cleanup_free_ char *conf = NULL, *cni_path = NULL;
                _cleanup_error_ RktError *err = NULL;

                if (!startswith(ni->conf_path, NET_DIR "/") || strstr(ni->conf_path, "..") ||
                    isempty(ni->plugin_path))
                        continue;
                r = read_full_file_at(podfd, ni->conf_path, &conf, NULL);
                /* Removed by hand (or setup crashed before writing it): nothing for DEL to go by. */
                if (r == -ENOENT)
                        continue;
                if (r >= 0)
                        r = cni_path_for(podfd, ni->plugin_path, &cni_path);
                if (r >= 0) {
                        r = net_plugin_exec("DEL", ni, conf, uuid, netns_there ? netns : NULL, cni_path,
                                            NULL, &err);
                        /* A DEL that stopped half-way (the interface gone, its iptables rules not yet)
                         * completes on a second try. */
                        if (r < 0) {
                                err = rkt_error_free(err);
                                r = net_plugin_exec("DEL", ni, conf, uuid, netns_there ? netns : NULL,
                                                    cni_path, NULL, &err);
                        }
                }
                /* Without the netns record an earlier teardown completed: a plugin whose repeated DEL
                 * fails anyway has nothing left to release. */
                if (r < 0 && !netns) {
                        log_warning("%s (the network was torn down already)", rkt_error_message(err, r));
                        continue;
                }
                if (r < 0) {
                        if (ret == 0)
                                ret = rkt_error_set(reterr, r, "%s", rkt_error_message(err, r));
                        failed = true;
                }
        }
        net_infos_free(infos, n);

        if (netns && (!failed || force)) {
                r = net_netns_destroy(netns);
                if (r < 0) {
                        if (ret == 0)
                                ret = rkt_error_set(reterr, r, "removing the network namespace %s: %s",
                                                    netns, strerror(-r));
                } else
                        (void) unlinkat(podfd, NETNS_FILE, 0);
        }
        return ret;
}

/* --- setup --- */

static int setup_networks(const NetPodConfig *c, int podfd, NetPodSetup *ret, NetDns *ret_dns,
                          char **ret_dns_net, RktError **reterr) {
        _cleanup_free_ char *sys_netd = path_join(c->system_config ?: "/usr/lib/rkt", "net.d"),
                            *local_netd = path_join(c->local_config ?: "/etc/rkt", "net.d"), *netns = NULL,
                            *cni_path = NULL;
        _cleanup_strv_free_ char **warnings = NULL, **dirs = NULL, **host_ips = NULL;
        _cleanup_free_ size_t *sel_idx = NULL;
        _cleanup_free_ const NetConf **sel = NULL;
        NetConf *confs = NULL;
        NetInfo *infos = NULL;
        NetPortForward *fps = NULL;
        size_t n_confs = 0, n = 0, n_fps = 0;
        int r;

        if (!sys_netd || !local_netd)
                return -ENOMEM;
        r = net_confs_load((const char *const[]){sys_netd, local_netd}, 2, &confs, &n_confs, &warnings,
                           reterr);
        if (r < 0)
                return r;
        STRV_FOREACH(w, warnings)
        log_warning("%s", *w);
        r = net_select(confs, n_confs, c->nets, &sel_idx, &n, reterr);
        if (r == -ENOENT)
                r = rkt_error_prefix(reterr, r, "--net (networks are defined in '%s' and '%s')", sys_netd,
                                     local_netd);
        if (r < 0)
                goto finish;
        sel = calloc(n + 1, sizeof(NetConf *));
        infos = calloc(n + 1, sizeof(NetInfo));
        host_ips = calloc(n + 1, sizeof(char *));
        r = net_plugin_dirs(c->local_config ?: "/etc/rkt", c->plugin_dirs, &dirs);
        if (r >= 0 && (!sel || !infos || !host_ips || !(cni_path = strv_join(dirs, ":"))))
                r = -ENOMEM;
        if (r < 0)
                goto finish;
        /* Everything that can be checked before anything is made on the host. */
        for (size_t i = 0; i < n; i++) {
                NetInfo *ni = &infos[i];
                sel[i] = &confs[sel_idx[i]];
                r = net_find_plugin(dirs, sel[i]->type, &ni->plugin_path);
                if (r == -ENOENT && streq(sel[i]->type, NET_FLANNEL_TYPE)) {
                        r = net_flannel_apply(&confs[sel_idx[i]], reterr);
                        if (r < 0)
                                goto finish;
                        r = net_find_plugin(dirs, sel[i]->type, &ni->plugin_path);
                }
                if (r == -ENOENT) {
                        r = rkt_error_set(reterr, r, "network '%s' ('%s'): plugin '%s' not found in %s",
                                          sel[i]->name, sel[i]->path, sel[i]->type, cni_path);
                        goto finish;
                }
                if (r < 0)
                        goto finish;
                ni->net_name = strdup(sel[i]->name);
                ni->args = strdup(strempty(net_list_args(c->nets, sel[i]->name)));
                ni->ip = strdup("");
                ni->mask = strdup("");
                if (!ni->net_name || !ni->args || !ni->ip || !ni->mask ||
                    asprintf(&ni->if_name, "eth%zu", i) < 0 ||
                    asprintf(&ni->conf_path, NET_DIR "/%s.conf", ni->if_name) < 0) {
                        r = -ENOMEM;
                        goto finish;
                }
                r = net_conf_check_requested_ip(sel[i], ni->args, c->uuid, reterr);
                if (r < 0)
                        goto finish;
        }
        r = net_portfwd_resolve(c, &fps, &n_fps, reterr);
        if (r < 0)
                goto finish;

        if (mkdirat(podfd, NET_DIR, 0755) < 0 && errno != EEXIST) {
                r = rkt_error_set(reterr, negative_errno(), "creating " NET_DIR ": %m");
                goto finish;
        }
        /* DEL gets the CNI_PATH that ADD got, whatever the configuration says by then. */
        r = net_record_write(podfd, CNI_PATH_FILE, cni_path, reterr);
        if (r < 0)
                goto finish;
        if (asprintf(&netns, NET_NETNS_DIR "/rkt-%s", c->uuid) < 0) {
                r = -ENOMEM;
                goto finish;
        }
        r = net_netns_prepare_dir();
        if (r < 0) {
                r = rkt_error_set(reterr, r, "preparing " NET_NETNS_DIR ": %s", strerror(-r));
                goto finish;
        }
        /* Recorded before it exists: teardown finds whatever a crash leaves. */
        r = stage1_write_file_at(podfd, NETNS_FILE, netns, 0644);
        if (r >= 0)
                r = net_netns_create(netns);
        if (r < 0) {
                r = rkt_error_set(reterr, r, "creating the network namespace %s: %s", netns, strerror(-r));
                goto finish;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_(net_result_done) NetResult res = {};
                _cleanup_free_ char *out = NULL;

                r = stage1_write_file_at(podfd, infos[i].conf_path, sel[i]->json, 0644);
                if (r < 0) {
                        r = rkt_error_set(reterr, r, "writing %s: %s", infos[i].conf_path, strerror(-r));
                        goto finish;
                }
                r = write_net_info(podfd, infos, i + 1, reterr);
                if (r < 0)
                        goto finish;
                r = net_plugin_exec("ADD", &infos[i], sel[i]->json, c->uuid, netns, cni_path, &out, reterr);
                if (r < 0)
                        goto finish;
                r = net_result_parse(out, &res, reterr);
                if (r < 0) {
                        r = rkt_error_prefix(reterr, r, "network '%s'", infos[i].net_name);
                        goto finish;
                }
                if (res.ip) {
                        free(infos[i].ip);
                        free(infos[i].mask);
                        infos[i].ip = TAKE_PTR(res.ip);
                        infos[i].mask = NULL;
                        r = net_mask_string(strchr(infos[i].ip, ':'), res.prefix, &infos[i].mask);
                        if (r < 0)
                                goto finish;
                        host_ips[i] = TAKE_PTR(res.gateway);
                }
                if (!net_dns_is_empty(&res.dns) && net_dns_is_empty(ret_dns)) {
                        *ret_dns = res.dns;
                        res.dns = (NetDns){};
                        free(*ret_dns_net);
                        *ret_dns_net = strdup(infos[i].net_name);
                }
                r = write_net_info(podfd, infos, i + 1, reterr);
                if (r < 0)
                        goto finish;
                log_debug("network '%s': %s %s/%s", infos[i].net_name, infos[i].if_name, infos[i].ip,
                          infos[i].mask);
        }
        if (n_fps > 0 && n > 0) {
                r = net_portfwd_apply(c, podfd, fps, n_fps, sel, infos, host_ips, n, reterr);
                if (r < 0)
                        goto finish;
        }
        if (n > 0 && host_ips[0] && !(ret->gateway = strdup(host_ips[0]))) {
                r = -ENOMEM;
                goto finish;
        }
        ret->netns = TAKE_PTR(netns);
        r = 0;
finish:
        /* host_ips has holes: freed by hand. */
        for (size_t i = 0; host_ips && i < n; i++)
                host_ips[i] = mfree(host_ips[i]);
        net_ports_free(fps, n_fps);
        net_infos_free(infos, n);
        net_confs_free(confs, n_confs);
        return r;
}

void net_pod_setup_done(NetPodSetup *s) {
        s->netns = mfree(s->netns);
        s->gateway = mfree(s->gateway);
}

int net_pod_setup(const NetPodConfig *c, NetPodSetup *ret, RktError **reterr) {
        _cleanup_close_ int podfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_(net_pod_setup_done) NetPodSetup setup = {};
        _cleanup_free_ char *dns_net = NULL;
        _cleanup_(net_dns_done) NetDns cni_dns = {};
        bool contained = net_list_contained(c->nets);
        int r;

        if (podfd < 0)
                return rkt_error_set(reterr, negative_errno(), "opening the pod directory: %m");
        if (contained) {
                r = setup_networks(c, podfd, &setup, &cni_dns, &dns_net, reterr);
                if (r < 0)
                        goto fail;
        } else if (c->pod->n_ports > 0)
                log_warning("the pod's ports are not forwarded: --net=%s gives it no network of its own",
                            c->nets->n > 0 ? c->nets->items[0].name : "host");
        r = net_dns_files_write(c, &cni_dns, dns_net, &setup.host_resolv_conf, reterr);
        if (r < 0)
                goto fail;
        *ret = setup;
        setup = (NetPodSetup){};
        return 0;
fail:
        if (contained)
                (void) net_pod_teardown(podfd, c->uuid, true, NULL);
        return r;
}

void net_pod_finish(const char *uuid) {
        _cleanup_close_ int podfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_error_ RktError *err = NULL;
        int r;

        r = podfd < 0 ? negative_errno() : net_pod_teardown(podfd, uuid, false, &err);
        if (r < 0)
                log_warning("tearing down the pod's network: %s (rkt gc tries again)",
                            rkt_error_message(err, r));
}
