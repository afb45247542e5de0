/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <json-c/json.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "app-compat.h"
#include "fd-util.h"
#include "fs.h"
#include "json-io.h"
#include "log.h"
#include "net.h"
#include "path.h"
#include "process.h"
#include "stage1-app.h"
#include "stage1-common.h"
#include "strv.h"
#include "util.h"

#define NETNS_FILE "netns"
#define NET_DIR "net"
#define PORTFWD_FILE NET_DIR "/port-forwarding"
#define CNI_PATH_FILE NET_DIR "/cni-path"

static const char *const plugin_dirs_fixed[] = {
        "/usr/lib/rkt/plugins/net",
        "/usr/lib/cni",
        "/opt/cni/bin",
};

/* --- running programs --- */

typedef enum StderrMode {
        STDERR_INHERIT,
        STDERR_CAPTURE, /* into the buffer of stdout */
        STDERR_NULL,
} StderrMode;

/* Runs path with argv and env, input on its stdin, and returns what it wrote to stdout and its status
 * (exit code, 128+n for a signal n). */
static int spawn(const char *path, char *const *argv, char *const *env, const char *input, StderrMode mode,
                 char **ret_out, int *ret_status) {
        _cleanup_close_ int in = -1, out_r = -1, out_w = -1, devnull = -1;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;
        int pipefd[2], status, r;
        pid_t pid;

        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0)
                return negative_errno();
        if (input) {
                in = memfd_create("rkt-cni-input", MFD_CLOEXEC);
                if (in < 0)
                        return negative_errno();
                r = loop_write(in, input, strlen(input));
                if (r < 0)
                        return r;
                if (lseek(in, 0, SEEK_SET) < 0)
                        return negative_errno();
        }
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return negative_errno();
        out_r = pipefd[0];
        out_w = pipefd[1];
        /* Not what init does with signals (it blocks them all while it supervises the pod): safe_fork(). */
        pid = safe_fork();
        if (pid < 0)
                return pid;
        if (pid == 0) {
                if (dup2(in >= 0 ? in : devnull, 0) < 0 || dup2(out_w, 1) < 0 ||
                    (mode == STDERR_CAPTURE && dup2(out_w, 2) < 0) ||
                    (mode == STDERR_NULL && dup2(devnull, 2) < 0))
                        _exit(127);
                /* Nothing of ours leaks into plugins (the pod's lock above all: a plugin that left a
                 * daemon behind would hold the pod "running" forever). */
                if (close_all_fds_except(NULL, 0) < 0)
                        _exit(127);
                execve(path, argv, env);
                _exit(127);
        }
        out_w = safe_close(out_w);
        for (;;) {
                ssize_t n;
                if (allocated - size < 4096) {
                        size_t na = allocated ? allocated * 2 : 8192;
                        char *nb = na <= 16 * 1024 * 1024 ? realloc(buf, na) : NULL;
                        if (!nb) {
                                r = -ENOMEM;
                                break;
                        }
                        buf = nb;
                        allocated = na;
                }
                n = read(out_r, buf + size, allocated - size - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        r = n < 0 ? negative_errno() : 0;
                        break;
                }
                size += n;
        }
        out_r = safe_close(out_r);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return negative_errno();
        if (r < 0)
                return r;
        buf[size] = 0;
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (ret_out)
                *ret_out = TAKE_PTR(buf);
        return 0;
}

static const char *iptables_path(void) {
        static const char *const candidates[] = {"/usr/sbin/iptables", "/sbin/iptables", "/usr/bin/iptables",
                                                 "/bin/iptables"};
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++)
                if (access(candidates[i], X_OK) == 0)
                        return candidates[i];
        return NULL;
}

/* iptables -w -t nat ARGS…; *ret_out is its output when it fails. */
static int iptables_nat(char *const *args, int *ret_status, char **ret_out) {
        char *const env[] = {(char *) "PATH=" NET_PLUGIN_DEFAULT_PATH, NULL};
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *out = NULL;
        const char *path = iptables_path();
        int r;

        if (!path)
                return -ENOENT;
        if (strv_extend(&argv, path) < 0 || strv_extend(&argv, "-w") < 0 || strv_extend(&argv, "-t") < 0 ||
            strv_extend(&argv, "nat") < 0)
                return -ENOMEM;
        STRV_FOREACH(a, args)
        if (strv_extend(&argv, *a) < 0)
                return -ENOMEM;
        r = spawn(path, argv, env, NULL, STDERR_CAPTURE, &out, ret_status);
        if (r < 0)
                return r;
        if (ret_out)
                *ret_out = TAKE_PTR(out);
        return 0;
}

/* --- the network namespace --- */

/* As "ip netns add" does: /run/netns is a shared mount point, so that the namespaces' bind mounts reach the
 * mount namespaces made later (and their removal does too: a copy left in another mount namespace would
 * keep the pod's namespace and its veth alive). */
static int netns_prepare_dir(void) {
        _cleanup_close_ int fd = -1;
        int r = mkdir_p(NET_NETNS_DIR, 0755);

        if (r < 0)
                return r;
        /* Two pods starting at once on a fresh host must not both bind it over itself: the second mount
         * would hide the first pod's namespace. */
        fd = open(NET_NETNS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return negative_errno();
        if (mount("", NET_NETNS_DIR, NULL, MS_SHARED | MS_REC, NULL) >= 0)
                return 0;
        if (errno != EINVAL)
                return negative_errno();
        if (mount(NET_NETNS_DIR, NET_NETNS_DIR, NULL, MS_BIND | MS_REC, NULL) < 0 ||
            mount("", NET_NETNS_DIR, NULL, MS_SHARED | MS_REC, NULL) < 0)
                return negative_errno();
        return 0;
}

static int loopback_up(void) {
        _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr = {};

        if (s < 0)
                return negative_errno();
        strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                return negative_errno();
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                return negative_errno();
        return 0;
}

/* A new network namespace with lo up, bind-mounted at path (made in a child: we stay where we are). */
static int netns_create(const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0);
        int status;
        pid_t pid;

        if (fd < 0)
                return negative_errno();
        fd = safe_close(fd);
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                if (unshare(CLONE_NEWNET) < 0)
                        _exit(errno);
                if (loopback_up() < 0)
                        _exit(errno);
                if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
                        _exit(errno);
                _exit(0);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return negative_errno();
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                (void) unlink(path);
                return WIFEXITED(status) ? -WEXITSTATUS(status) : -EIO;
        }
        return 0;
}

static int netns_destroy(const char *path) {
        if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return negative_errno();
        if (unlink(path) < 0 && errno != ENOENT)
                return negative_errno();
        return 0;
}

/* route_localnet on the host's interfaces with address ip (the host side of the pod's network), so that
 * connections to 127.0.0.1:<forwarded port> can be routed to the pod. -ENODEV when none has it. */
static int enable_route_localnet(const char *ip) {
        struct ifaddrs *ifs = NULL;
        struct in_addr want;
        unsigned n = 0;
        int r = 0;

        if (inet_pton(AF_INET, ip, &want) != 1)
                return -EINVAL;
        if (getifaddrs(&ifs) < 0)
                return negative_errno();
        for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
                _cleanup_free_ char *path = NULL;
                if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || (i->ifa_flags & IFF_LOOPBACK) ||
                    ((struct sockaddr_in *) i->ifa_addr)->sin_addr.s_addr != want.s_addr ||
                    strchr(i->ifa_name, '/'))
                        continue;
                if (asprintf(&path, "/proc/sys/net/ipv4/conf/%s/route_localnet", i->ifa_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = write_file_atomic_at(AT_FDCWD, path, "1", 1, 0644);
                if (r < 0) {
                        /* /proc/sys files are written in place, not replaced. */
                        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
                        r = fd < 0 ? negative_errno() : loop_write(fd, "1", 1);
                        if (r < 0)
                                break;
                }
                n++;
        }
        freeifaddrs(ifs);
        return r < 0 ? r : n > 0 ? 0 : -ENODEV;
}

/* --- plugins --- */

static int plugin_dirs(const char *local_config, char *const *configured, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        /* rkt 1.30 looked for third-party plugins beside the configurations first. */
        if (local_config) {
                char *d = path_join(local_config, "net.d");
                if (!d || strv_push(&l, d) < 0) {
                        free(d);
                        return -ENOMEM;
                }
        }
        STRV_FOREACH(d, configured)
        if (strv_extend(&l, *d) < 0)
                return -ENOMEM;
        for (size_t i = 0; !configured && i < ELEMENTSOF(plugin_dirs_fixed); i++)
                if (strv_extend(&l, plugin_dirs_fixed[i]) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

static int find_plugin(char *const *dirs, const char *type, char **ret) {
        STRV_FOREACH(d, dirs) {
                _cleanup_free_ char *p = path_join(*d, type);
                struct stat st;
                if (!p)
                        return -ENOMEM;
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0) {
                        *ret = TAKE_PTR(p);
                        return 0;
                }
        }
        return -ENOENT;
}

/* Runs a plugin; a failure is an error with the plugin's own message. */
static int plugin_exec(const char *command, const NetInfo *ni, const char *conf, const char *uuid,
                       const char *netns, const char *cni_path, char **ret_out, RktError **reterr) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *out = NULL, *msg = NULL;
        char *argv[] = {ni->plugin_path, NULL};
        int status, r;

        r = net_plugin_env(environ, command, uuid, netns, ni->if_name, ni->args, cni_path, &env);
        if (r < 0)
                return r;
        log_debug("network '%s': executing net-plugin %s %s %s (CNI_NETNS=%s CNI_ARGS=%s)", ni->net_name,
                  ni->plugin_path, command, ni->if_name, strempty(netns), strempty(ni->args));
        r = spawn(ni->plugin_path, argv, env, conf, STDERR_INHERIT, &out, &status);
        if (r < 0)
                return rkt_error_set(reterr, r, "network '%s': running plugin '%s': %s", ni->net_name,
                                     ni->plugin_path, strerror(-r));
        if (status != 0) {
                msg = net_plugin_error(out);
                return rkt_error_set(reterr, -EIO,
                                     "network '%s': plugin '%s' (%s %s) failed with status %d%s%s",
                                     ni->net_name, ni->plugin_path, command, ni->if_name, status,
                                     msg ? ": " : "", strempty(msg));
        }
        if (ret_out)
                *ret_out = TAKE_PTR(out);
        return 0;
}

/* CNI_PATH for DEL: the one ADD had, as setup recorded it; the plugin's own directory when it did not. */
static int cni_path_for(int podfd, const char *plugin_path, char **ret) {
        _cleanup_free_ char *text = NULL;
        int r = read_full_file_at(podfd, CNI_PATH_FILE, &text, NULL);

        if (r == -ENOENT) {
                *ret = path_dirname(plugin_path);
                return *ret ? 0 : -ENOMEM;
        }
        if (r < 0)
                return r;
        text[strcspn(text, "\n")] = 0;
        *ret = TAKE_PTR(text);
        return 0;
}

static int write_net_info(int podfd, const NetInfo *infos, size_t n, RktError **reterr) {
        _cleanup_free_ char *json = NULL;
        int r = net_info_json(infos, n, &json);

        if (r >= 0)
                r = stage1_write_file_at(podfd, POD_NET_INFO, json, 0644);
        return r < 0 ? rkt_error_set(reterr, r, "writing " POD_NET_INFO ": %s", strerror(-r)) : 0;
}

/* --- teardown --- */

static int portfwd_teardown(const char *uuid, RktError **reterr) {
        char ***rules = NULL;
        char dnat[32], snat[32];
        const char *chains[] = {dnat, snat};
        int r, status;

        r = net_portfwd_teardown_rules(uuid, &rules);
        if (r < 0)
                return r;
        /* Each step may have been done already: failures tell nothing, what is left does. */
        for (size_t i = 0; rules[i]; i++) {
                r = iptables_nat(rules[i], &status, NULL);
                if (r < 0)
                        break;
        }
        net_rules_free(rules);
        if (r < 0)
                return rkt_error_set(reterr, r, "removing the port forwarding: running iptables: %s",
                                     strerror(-r));
        net_portfwd_chains(uuid, dnat, snat);
        for (size_t i = 0; i < ELEMENTSOF(chains); i++) {
                char *args[] = {(char *) "-S", (char *) chains[i], NULL};
                r = iptables_nat(args, &status, NULL);
                if (r < 0)
                        return rkt_error_set(reterr, r, "removing the port forwarding: running iptables: %s",
                                             strerror(-r));
                if (status == 0)
                        return rkt_error_set(reterr, -EBUSY,
                                             "removing the port forwarding: chain %s is still there",
                                             chains[i]);
        }
        return 0;
}

static bool netns_path_ours(const char *path, const char *uuid) {
        const char *rest =
                startswith(path, NET_NETNS_DIR "/rkt-") ?: startswith(path, "/var/run/netns/rkt-");
        return rest && streq(rest, uuid);
}

int net_pod_teardown(int podfd, const char *uuid, bool force, RktError **reterr) {
        _cleanup_free_ char *netns = NULL, *text = NULL;
        NetInfo *infos = NULL;
        size_t n = 0, size = 0;
        bool failed = false, netns_there;
        int r, ret = 0;

        if (faccessat(podfd, PORTFWD_FILE, F_OK, 0) == 0) {
                r = portfwd_teardown(uuid, reterr);
                if (r < 0) {
                        ret = r;
                        failed = true;
                } else
                        (void) unlinkat(podfd, PORTFWD_FILE, 0);
        }

        r = read_full_file_at(podfd, NETNS_FILE, &netns, NULL);
        if (r < 0 && r != -ENOENT)
                return rkt_error_set(reterr, r, "reading " NETNS_FILE ": %s", strerror(-r));
        if (netns) {
                netns[strcspn(netns, "\n")] = 0;
                if (!netns_path_ours(netns, uuid))
                        return rkt_error_set(reterr, -EINVAL,
                                             NETNS_FILE ": '%s' is not this pod's network namespace", netns);
        }
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
                        r = plugin_exec("DEL", ni, conf, uuid, netns_there ? netns : NULL, cni_path, NULL,
                                        &err);
                        /* A DEL that stopped half-way (the interface gone, its iptables rules not yet)
                         * completes on a second try. */
                        if (r < 0) {
                                err = rkt_error_free(err);
                                r = plugin_exec("DEL", ni, conf, uuid, netns_there ? netns : NULL, cni_path,
                                                NULL, &err);
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
                r = netns_destroy(netns);
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

/* The effective app section of each app (the pod manifest's, else its image's). */
static int effective_apps(const NetPodConfig *c, AppcImageManifest ***ret_images, const AppcApp ***ret_apps,
                          RktError **reterr) {
        AppcImageManifest **images = calloc(c->pod->n_apps + 1, sizeof(AppcImageManifest *));
        const AppcApp **apps = calloc(c->pod->n_apps + 1, sizeof(AppcApp *));
        int r = 0;

        if (!images || !apps) {
                r = -ENOMEM;
                goto fail;
        }
        for (size_t i = 0; i < c->pod->n_apps; i++) {
                const AppcRuntimeApp *ra = &c->pod->apps[i];
                _cleanup_free_ char *path = NULL, *json = NULL;
                size_t size;

                if (ra->app) {
                        apps[i] = ra->app;
                        continue;
                }
                if (stage2_path(NULL, ra->name, STAGE2_MANIFEST, &path) < 0) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = read_full_file_at(c->s1fd, path, &json, &size);
                if (r < 0) {
                        r = rkt_error_set(reterr, r, "app '%s': reading its image manifest: %s", ra->name,
                                          strerror(-r));
                        goto fail;
                }
                r = appc_image_manifest_parse(json, size, &images[i], reterr);
                if (r < 0) {
                        r = rkt_error_prefix(reterr, r, "app '%s': image manifest", ra->name);
                        goto fail;
                }
                apps[i] = images[i]->app;
        }
        *ret_images = images;
        *ret_apps = apps;
        return 0;
fail:
        for (size_t i = 0; images && i < c->pod->n_apps; i++)
                appc_image_manifest_free(images[i]);
        free(images);
        free(apps);
        return r;
}

static int resolve_ports(const NetPodConfig *c, NetPortForward **ret, size_t *ret_n, RktError **reterr) {
        AppcImageManifest **images = NULL;
        const AppcApp **apps = NULL;
        int r;

        *ret = NULL;
        *ret_n = 0;
        if (c->pod->n_ports == 0)
                return 0;
        r = effective_apps(c, &images, &apps, reterr);
        if (r < 0)
                return r;
        r = net_ports_resolve(c->pod, apps, ret, ret_n, reterr);
        for (size_t i = 0; i < c->pod->n_apps; i++)
                appc_image_manifest_free(images[i]);
        free(images);
        free(apps);
        return r;
}

static int forward_ports(const NetPodConfig *c, int podfd, const NetPortForward *fps, size_t n_fps,
                         const NetConf *const *sel, const NetInfo *infos, char *const *host_ips, size_t n,
                         RktError **reterr) {
        _cleanup_free_ char *line = NULL;
        char ***rules = NULL;
        size_t fwd = n - 1;
        int r, status;

        /* The first masquerading network, else the last one (rkt 1.30). */
        for (size_t i = 0; i < n; i++)
                if (sel[i]->ip_masq) {
                        fwd = i;
                        break;
                }
        if (isempty(infos[fwd].ip))
                return rkt_error_set(reterr, -EADDRNOTAVAIL,
                                     "network '%s' gave the pod no address: its ports cannot be forwarded",
                                     infos[fwd].net_name);
        if (strchr(infos[fwd].ip, ':'))
                return rkt_error_set(
                        reterr, -EOPNOTSUPP,
                        "network '%s' gave the pod an IPv6 address: only IPv4 ports are forwarded",
                        infos[fwd].net_name);
        if (!iptables_path())
                return rkt_error_set(reterr, -ENOENT,
                                     "forwarding ports needs iptables, which is not installed");
        if (host_ips[fwd]) {
                r = enable_route_localnet(host_ips[fwd]);
                if (r == -ENODEV)
                        log_warning("no interface of the host has the address %s of network '%s': forwarded "
                                    "ports do not answer on 127.0.0.1",
                                    host_ips[fwd], infos[fwd].net_name);
                else if (r < 0)
                        return rkt_error_set(reterr, r, "enabling route_localnet for %s: %s", host_ips[fwd],
                                             strerror(-r));
        }
        if (asprintf(&line, "%s\n", infos[fwd].ip) < 0)
                return -ENOMEM;
        r = stage1_write_file_at(podfd, PORTFWD_FILE, line, 0644);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing " PORTFWD_FILE ": %s", strerror(-r));
        r = net_portfwd_setup_rules(c->uuid, fps, n_fps, infos[fwd].ip, &rules);
        if (r < 0)
                return r;
        for (size_t i = 0; rules[i]; i++) {
                _cleanup_free_ char *out = NULL, *cmd = strv_join(rules[i], " ");
                r = iptables_nat(rules[i], &status, &out);
                if (r < 0 || status != 0) {
                        _cleanup_free_ char *msg = net_plugin_error(out);
                        r = rkt_error_set(reterr, r < 0 ? r : -EIO,
                                          "forwarding ports: iptables -t nat %s: %s", strna(cmd),
                                          r < 0 ? strerror(-r) : strna(msg));
                        break;
                }
        }
        net_rules_free(rules);
        return r < 0 ? r : 0;
}

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
        r = plugin_dirs(c->local_config ?: "/etc/rkt", c->plugin_dirs, &dirs);
        if (r >= 0 && (!sel || !infos || !host_ips || !(cni_path = strv_join(dirs, ":"))))
                r = -ENOMEM;
        if (r < 0)
                goto finish;
        /* Everything that can be checked before anything is made on the host. */
        for (size_t i = 0; i < n; i++) {
                NetInfo *ni = &infos[i];
                sel[i] = &confs[sel_idx[i]];
                r = find_plugin(dirs, sel[i]->type, &ni->plugin_path);
                if (r == -ENOENT && streq(sel[i]->type, NET_FLANNEL_TYPE)) {
                        r = net_flannel_apply(&confs[sel_idx[i]], reterr);
                        if (r < 0)
                                goto finish;
                        r = find_plugin(dirs, sel[i]->type, &ni->plugin_path);
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
        r = resolve_ports(c, &fps, &n_fps, reterr);
        if (r < 0)
                goto finish;

        if (mkdirat(podfd, NET_DIR, 0755) < 0 && errno != EEXIST) {
                r = rkt_error_set(reterr, negative_errno(), "creating " NET_DIR ": %m");
                goto finish;
        }
        /* DEL gets the CNI_PATH that ADD got, whatever the configuration says by then. */
        {
                _cleanup_free_ char *line = NULL;
                r = asprintf(&line, "%s\n", cni_path) < 0
                            ? -ENOMEM
                            : stage1_write_file_at(podfd, CNI_PATH_FILE, line, 0644);
        }
        if (r < 0) {
                r = rkt_error_set(reterr, r, "writing " CNI_PATH_FILE ": %s", strerror(-r));
                goto finish;
        }
        if (asprintf(&netns, NET_NETNS_DIR "/rkt-%s", c->uuid) < 0) {
                r = -ENOMEM;
                goto finish;
        }
        r = netns_prepare_dir();
        if (r < 0) {
                r = rkt_error_set(reterr, r, "preparing " NET_NETNS_DIR ": %s", strerror(-r));
                goto finish;
        }
        /* Recorded before it exists: teardown finds whatever a crash leaves. */
        r = stage1_write_file_at(podfd, NETNS_FILE, netns, 0644);
        if (r >= 0)
                r = netns_create(netns);
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
                r = plugin_exec("ADD", &infos[i], sel[i]->json, c->uuid, netns, cni_path, &out, reterr);
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
                r = forward_ports(c, podfd, fps, n_fps, sel, infos, host_ips, n, reterr);
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

/* --- DNS files --- */

/* An empty file at path in an app's rootfs when there is nothing there, as the mount point of a bind mount
 * (systemd wants one): the resolver of the volumes' mount points makes it, nothing is followed out of the
 * rootfs. What is there already, even a symlink to nothing, stays (systemd resolves it inside the app's
 * root). */
static int ensure_mount_point(int rootfd, const char *path) {
        _cleanup_close_ int fd = -1;
        int r = stage1_mount_target(rootfd, path, false, &fd);

        return r == -ENOLINK || r == -EISDIR ? 0 : r;
}

static bool is_regular_file(const char *path) {
        struct stat st;

        return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The host file that is the pod's resolv.conf: /etc/resolv.conf (a symlink to nothing is none), or on a
 * network of the pod's own, resolved's servers rather than its loopback stub. NULL when there is none. */
static const char *host_resolv_conf(bool contained) {
        _cleanup_free_ char *text = NULL;

        if (!is_regular_file("/etc/resolv.conf"))
                return NULL;
        if (contained && read_full_file_at(AT_FDCWD, "/etc/resolv.conf", &text, NULL) >= 0 &&
            net_resolv_conf_local_only(text) && is_regular_file(NET_RESOLVED_RESOLV_CONF))
                return NET_RESOLVED_RESOLV_CONF;
        return "/etc/resolv.conf";
}

/* What the apps get as /etc/resolv.conf: a file generated here (*ret_resolv), a host file (bound by nspawn
 * at NET_HOST_RESOLV_CONF: *ret_host), or neither (the image's own). */
static int choose_resolv_conf(const NetPodConfig *c, const NetDns *cni_dns, const char *cni_dns_net,
                              char **ret_resolv, const char **ret_host, RktError **reterr) {
        _cleanup_free_ char *comment = NULL;
        bool contained = net_list_contained(c->nets);

        *ret_resolv = NULL;
        *ret_host = NULL;
        switch (c->dns->resolv_mode) {
        case NET_RESOLV_FLAGS:
                return net_resolv_conf(&c->dns->dns, "Generated by rkt run", ret_resolv);
        case NET_RESOLV_DEFAULT:
                if (net_dns_is_empty(cni_dns)) {
                        *ret_host = host_resolv_conf(contained);
                        return 0;
                }
                if (asprintf(&comment, "Generated by rkt from network %s", strna(cni_dns_net)) < 0)
                        return -ENOMEM;
                return net_resolv_conf(cni_dns, comment, ret_resolv);
        case NET_RESOLV_HOST:
                *ret_host = host_resolv_conf(contained);
                if (!*ret_host)
                        return rkt_error_set(reterr, -ENOENT,
                                             "--dns=host: the host has no /etc/resolv.conf (or it is not a "
                                             "regular file)");
                return 0;
        case NET_RESOLV_NONE:
                break;
        }
        return 0;
}

static int write_dns_files(const NetPodConfig *c, const NetDns *cni_dns, const char *cni_dns_net,
                           const char **ret_host_resolv, RktError **reterr) {
        _cleanup_free_ char *resolv = NULL, *hosts = NULL;
        const char *hosts_file = NULL, *resolv_bind = NULL, *host_resolv;
        int r = 0;

        r = choose_resolv_conf(c, cni_dns, cni_dns_net, &resolv, &host_resolv, reterr);
        if (r < 0)
                return r;
        if (resolv)
                resolv_bind = "BindPaths=/etc/rkt-resolv.conf:/etc/resolv.conf\n";
        else if (host_resolv)
                resolv_bind = "BindReadOnlyPaths=" NET_HOST_RESOLV_CONF ":/etc/resolv.conf\n";
        switch (c->dns->hosts_mode) {
        case NET_HOSTS_FLAGS:
                r = net_hosts_file(NULL, c->dns->hosts, c->hostname, &hosts);
                hosts_file = "etc/rkt-hosts";
                break;
        case NET_HOSTS_HOST:
                r = read_full_file_at(AT_FDCWD, "/etc/hosts", &hosts, NULL);
                if (r < 0)
                        return rkt_error_set(reterr, r,
                                             "--hosts-entry=host: reading the host's /etc/hosts: %s",
                                             strerror(-r));
                hosts_file = "etc/rkt-hosts";
                break;
        case NET_HOSTS_DEFAULT:
                r = net_hosts_file(NULL, NULL, c->hostname, &hosts);
                hosts_file = "etc/hosts-fallback";
                break;
        }
        if (r < 0)
                return r;
        if (resolv) {
                r = stage1_write_file_at(c->s1fd, "etc/rkt-resolv.conf", resolv, 0644);
                if (r < 0)
                        return rkt_error_set(reterr, r,
                                             "writing " POD_STAGE1_ROOTFS "/etc/rkt-resolv.conf: %s",
                                             strerror(-r));
        }
        r = stage1_write_file_at(c->s1fd, hosts_file, hosts, 0644);
        if (r < 0)
                return rkt_error_set(reterr, r, "writing " POD_STAGE1_ROOTFS "/%s: %s", hosts_file,
                                     strerror(-r));

        /* Each app gets them bind-mounted over its own files, by a drop-in of its unit. */
        for (size_t i = 0; i < c->pod->n_apps; i++) {
                const char *app = c->pod->apps[i].name;
                _cleanup_free_ char *root = NULL, *dropin_dir = NULL, *dropin = NULL, *text = NULL;
                _cleanup_close_ int rootfd = -1;
                const char *app_resolv;
                bool own_hosts, bind_hosts;
                struct stat st;

                if (stage2_path(NULL, app, STAGE2_ROOTFS, &root) < 0)
                        return -ENOMEM;
                rootfd = openat(c->s1fd, root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (rootfd < 0)
                        return rkt_error_set(reterr, negative_errno(), "app '%s': opening its rootfs: %m",
                                             app);
                {
                        _cleanup_close_ int fd = stage1_open_in_root(rootfd, "etc/hosts", O_PATH);
                        own_hosts = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
                }
                bind_hosts = c->dns->hosts_mode != NET_HOSTS_DEFAULT || !own_hosts;
                app_resolv = resolv_bind;
                /* A volume the user mounted at either file wins over what rkt generates (rkt 1.30). */
                if (bind_hosts || app_resolv) {
                        int h = stage1_app_has_volume_at(c->s1fd, c->pod, &c->pod->apps[i], "/etc/hosts");
                        int v = stage1_app_has_volume_at(c->s1fd, c->pod, &c->pod->apps[i],
                                                         "/etc/resolv.conf");
                        if (h < 0 || v < 0)
                                return rkt_error_set(reterr, h < 0 ? h : v,
                                                     "app '%s': working out its volumes: %s", app,
                                                     strerror(-(h < 0 ? h : v)));
                        bind_hosts = bind_hosts && !h;
                        app_resolv = v ? NULL : app_resolv;
                }
                if (!app_resolv && !bind_hosts)
                        continue;
                if ((app_resolv && (r = ensure_mount_point(rootfd, "/etc/resolv.conf")) < 0) ||
                    (bind_hosts && (r = ensure_mount_point(rootfd, "/etc/hosts")) < 0))
                        return rkt_error_set(reterr, r, "app '%s': making the mount points in its /etc: %s",
                                             app, strerror(-r));
                if (asprintf(&text, "# rkt: the pod's DNS configuration\n[Service]\n%s%s%s%s%s",
                             strempty(app_resolv), bind_hosts ? "BindPaths=/" : "",
                             bind_hosts ? hosts_file : "", bind_hosts ? ":/etc/hosts" : "",
                             bind_hosts ? "\n" : "") < 0 ||
                    asprintf(&dropin_dir, "etc/systemd/system/%s.service.d", app) < 0 ||
                    asprintf(&dropin, "%s/10-rkt-dns.conf", dropin_dir) < 0)
                        return -ENOMEM;
                if (mkdirat(c->s1fd, dropin_dir, 0755) < 0 && errno != EEXIST)
                        return rkt_error_set(reterr, negative_errno(),
                                             "creating " POD_STAGE1_ROOTFS "/%s: %m", dropin_dir);
                r = stage1_write_file_at(c->s1fd, dropin, text, 0644);
                if (r < 0)
                        return rkt_error_set(reterr, r, "writing " POD_STAGE1_ROOTFS "/%s: %s", dropin,
                                             strerror(-r));
        }
        *ret_host_resolv = host_resolv;
        return 0;
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
        r = write_dns_files(c, &cni_dns, dns_net, &setup.host_resolv_conf, reterr);
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
