/* SPDX-License-Identifier: Apache-2.0 */
/* The api-service process: its sockets (from systemd, or --listen), the event loop, SIGINT/SIGTERM, and
 * the idle exit that lets socket activation start it only while it is used. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "dl.h"
#include "log.h"
#include "macro.h"
#include "server.h"
#include "service.h"

int api_split_address(const char *addr, char **ret_host, char **ret_port) {
        const char *colon, *host = addr;
        size_t hlen;

        if (!addr || strlen(addr) > 255)
                return -EINVAL;
        if (addr[0] == '[') {
                const char *end = strchr(addr, ']');
                if (!end || end[1] != ':')
                        return -EINVAL;
                host = addr + 1;
                hlen = (size_t) (end - host);
                colon = end + 1;
        } else {
                colon = strrchr(addr, ':');
                if (!colon || memchr(addr, ':', (size_t) (colon - addr)))
                        return -EINVAL;
                hlen = (size_t) (colon - addr);
        }
        if (colon[1] == 0 || strspn(colon + 1, "0123456789") != strlen(colon + 1) || strlen(colon + 1) > 5 ||
            atoi(colon + 1) > 65535)
                return -EINVAL;
        *ret_host = hlen > 0 ? strndup(host, hlen) : NULL;
        *ret_port = strdup(colon + 1);
        if ((hlen > 0 && !*ret_host) || !*ret_port) {
                free(*ret_host);
                free(*ret_port);
                return -ENOMEM;
        }
        return 0;
}

/* Every address HOST resolves to ("localhost": 127.0.0.1 and ::1); an empty host: all interfaces. */
static int listen_address(GrpcServer *srv, const char *addr) {
        _cleanup_free_ char *host = NULL, *port = NULL;
        struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM}, *res,
                        *ai;
        int r, n = 0, last = -EADDRNOTAVAIL;

        r = api_split_address(addr, &host, &port);
        if (r < 0)
                return log_error_errno(r, "invalid argument '%s' for --listen: expected HOST:PORT", addr);
        r = getaddrinfo(host, port, &hints, &res);
        if (r != 0)
                return log_error_errno(-EADDRNOTAVAIL, "Failed to resolve '%s': %s", addr, gai_strerror(r));
        for (ai = res; ai; ai = ai->ai_next) {
                int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
                if (fd < 0) {
                        last = negative_errno();
                        continue;
                }
                (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
                if (ai->ai_family == AF_INET6)
                        (void) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
                if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0) {
                        last = negative_errno();
                        safe_close(fd);
                        /* localhost without IPv6 (or without IPv4) is still localhost */
                        continue;
                }
                r = grpc_server_add_listener(srv, fd);
                if (r < 0) {
                        safe_close(fd);
                        freeaddrinfo(res);
                        return log_error_errno(r, "Failed to watch the socket: %m");
                }
                n++;
        }
        freeaddrinfo(res);
        if (n == 0)
                return log_error_errno(last, "Failed to listen on '%s': %m", addr);
        return 0;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        return sym_sd_event_exit(sym_sd_event_source_get_event(s), 0);
}

int api_service_run(const ApiConfig *config, const char *listen_addr, uint64_t idle_usec) {
        _cleanup_(sym_sd_event_unrefp) sd_event *event = NULL;
        _cleanup_error_ RktError *err = NULL;
        ApiContext ctx = {.config = config};
        GrpcServer *srv = NULL;
        sigset_t mask;
        int r, n;

        log_info("API service starting...");
        r = systemd_dl_open(&err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        n = sym_sd_listen_fds(1);
        if (n < 0)
                return log_error_errno(n, "Failed to get the sockets passed by systemd: %m");
        if (n > 0 && listen_addr)
                return log_error_errno(-EINVAL, "started by a systemd socket unit, but --listen was given");

        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(negative_errno(), "Failed to block signals: %m");
        (void) signal(SIGPIPE, SIG_IGN);
        r = sym_sd_event_new(&event);
        if (r >= 0)
                r = sym_sd_event_add_signal(event, NULL, SIGINT, on_signal, NULL);
        if (r >= 0)
                r = sym_sd_event_add_signal(event, NULL, SIGTERM, on_signal, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the event loop: %m");
        ctx.event = event;
        r = grpc_server_new(event, api_dispatch, &ctx, &srv);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the server: %m");

        if (n > 0) {
                for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n && r >= 0; fd++) {
                        if (sym_sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0) {
                                r = log_error_errno(-EINVAL,
                                                    "systemd passed fd %d, which is not a listening "
                                                    "stream socket",
                                                    fd);
                                break;
                        }
                        int fl = fcntl(fd, F_GETFL);
                        r = fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? negative_errno() : 0;
                        if (r >= 0)
                                r = grpc_server_add_listener(srv, fd);
                        if (r < 0)
                                r = log_error_errno(r, "Failed to use socket %d: %m", fd);
                }
                if (r >= 0)
                        log_info("Listening on %d systemd-provided socket%s", n, n == 1 ? "" : "s");
        } else {
                const char *a = listen_addr ? listen_addr : API_DEFAULT_LISTEN;
                r = listen_address(srv, a);
                if (r >= 0)
                        log_info("Listening on %s", a);
        }
        if (r < 0) {
                grpc_server_free(srv);
                return r;
        }

        grpc_server_set_idle_exit(srv, idle_usec);
        log_info("API service running");
        (void) sym_sd_notify(0, "READY=1");
        r = sym_sd_event_loop(event);
        (void) sym_sd_notify(0, "STOPPING=1");
        log_info("API service exiting...");
        grpc_server_free(srv);
        api_context_done(&ctx);
        if (r < 0)
                return log_error_errno(r, "Failed to run the event loop: %m");
        return 0;
}
