/* SPDX-License-Identifier: Apache-2.0 */
/* rkt metadata-service: the appc metadata service (src/lib/mds/mds.h says what it answers).
 *
 * HTTP is libmicrohttpd's (src/lib/mds/mds-server.c), not parsed here. Sockets come from systemd when the
 * service is socket-activated (units/rkt-metadata.socket): the unix one is the registration socket, an
 * inet one (if the socket unit has it) the apps' side; whatever systemd did not pass is opened here, the
 * unix socket at /run/rkt/metadata-svc.sock (0600) and TCP --listen-port on all IPv4 addresses, as rkt
 * did. The HMAC key is 64 fresh random bytes at each start. */
#include <signal.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>

#include "dl.h"
#include "log.h"
#include "mds-server.h"
#include "mds.h"
#include "util.h"
#include "verbs.h"

enum { OPT_LISTEN_PORT = 1 };

const Option metadata_service_options[] = {
        {"listen-port", 0, OPT_LISTEN_PORT, OPTION_REQUIRED, "PORT", "18112", "listen port"},
        {},
};

static void log_request(void *userdata, bool registration, const char *method, const char *path,
                        unsigned status) {
        /* Registrations are rare and worth a line each; apps may poll. */
        if (registration)
                log_info("%s %s - %u", method, path, status);
        else
                log_debug("%s %s - %u", method, path, status);
}

static int parse_port(const char *s, uint16_t *ret) {
        uint64_t v;

        if (parse_uint_max(s, 65535, &v) < 0 || v == 0)
                return -EINVAL;
        *ret = (uint16_t) v;
        return 0;
}

/* Sorts what systemd passed into the registration (unix) and public (inet) sockets. */
static int activation_sockets(int *ret_unix, int *ret_inet) {
        int n, u = -1, in = -1;

        n = sym_sd_listen_fds(1);
        if (n < 0)
                return log_error_errno(n, "Failed to get the sockets passed by systemd: %m");
        for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; fd++) {
                if (u < 0 && sym_sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) > 0)
                        u = fd;
                else if (in < 0 && sym_sd_is_socket_inet(fd, AF_UNSPEC, SOCK_STREAM, 1, 0) > 0)
                        in = fd;
                else {
                        log_error(
                                "systemd passed socket %d, which is neither a listening unix stream socket "
                                "nor a listening TCP socket, or one too many (the socket unit should have "
                                "one ListenStream= of each)",
                                fd);
                        for (int i = SD_LISTEN_FDS_START; i < SD_LISTEN_FDS_START + n; i++)
                                safe_close(i);
                        return -EINVAL;
                }
        }
        if (n > 0 && u < 0) {
                safe_close(in);
                return log_error_errno(-EINVAL,
                                       "systemd passed no unix socket for registrations (the socket "
                                       "unit needs ListenStream=%s)",
                                       MDS_SOCKET_PATH);
        }
        *ret_unix = u;
        *ret_inet = in;
        return n;
}

int verb_metadata_service(CliArgs *a) {
        _cleanup_(mds_server_freep) MdsServer *server = NULL;
        _cleanup_(mds_registry_freep) MdsRegistry *registry = NULL;
        _cleanup_error_ RktError *err = NULL;
        _cleanup_close_ int sigfd = -1, unix_fd = -1, inet_fd = -1;
        uint8_t key[MDS_HMAC_KEY_SIZE];
        uint16_t port = MDS_DEFAULT_PORT;
        bool own_socket = false;
        sigset_t mask;
        int r, n;

        for (size_t i = 0; i < a->n_options; i++) {
                const ParsedOption *o = &a->options[i];
                if (o->option->id == OPT_LISTEN_PORT && parse_port(o->value, &port) < 0)
                        return log_error_errno(
                                -EINVAL, "invalid argument '%s' for --listen-port: not a port (1-65535)",
                                o->value);
        }

        log_info("metadata service starting...");
        r = systemd_dl_open(&err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));

        /* SIGTERM and SIGINT end the loop through a signalfd, so they never interrupt a request half-way. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(negative_errno(), "Failed to block signals: %m");
        sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sigfd < 0)
                return log_error_errno(negative_errno(), "Failed to create a signalfd: %m");
        (void) signal(SIGPIPE, SIG_IGN);

        n = activation_sockets(&unix_fd, &inet_fd);
        if (n < 0)
                return n;
        if (unix_fd < 0) {
                r = mds_listen_unix(MDS_SOCKET_PATH, 0600, &unix_fd, &err);
                if (r < 0)
                        return log_error_errno(r, "Failed to listen for registrations: %s",
                                               rkt_error_message(err, r));
                own_socket = true;
        }
        if (inet_fd < 0) {
                r = mds_listen_tcp4(NULL, port, &inet_fd, NULL, &err);
                if (r < 0) {
                        if (own_socket)
                                (void) unlink(MDS_SOCKET_PATH);
                        return log_error_errno(r, "Failed to listen for apps: %s",
                                               rkt_error_message(err, r));
                }
        } else if (a->n_options > 0)
                log_warning("--listen-port is ignored: systemd passed the socket for apps");

        r = crypto_dl_open(&err);
        if (r >= 0)
                r = random_bytes(key, sizeof(key));
        if (r >= 0)
                r = mds_registry_new(key, sizeof(key), &registry);
        explicit_bzero(key, sizeof(key));
        if (r >= 0)
                r = mds_server_new(registry, TAKE_FD(unix_fd), TAKE_FD(inet_fd), log_request, NULL, &server,
                                   &err);
        if (r < 0) {
                if (own_socket)
                        (void) unlink(MDS_SOCKET_PATH);
                return log_error_errno(r, "Failed to start the metadata service: %s",
                                       rkt_error_message(err, r));
        }

        if (n > 0)
                log_info("metadata service running (socket-activated, %d socket%s from systemd)...", n,
                         n == 1 ? "" : "s");
        else
                log_info("metadata service running (registrations on %s, apps on TCP port %u)...",
                         MDS_SOCKET_PATH, port);
        (void) sym_sd_notify(0, "READY=1");

        r = mds_server_run(server, sigfd);
        (void) sym_sd_notify(0, "STOPPING=1");
        log_info("metadata service exiting...");
        server = mds_server_free(server);
        if (own_socket)
                (void) unlink(MDS_SOCKET_PATH);
        if (r < 0)
                return log_error_errno(r, "Failed to serve: %m");
        return 0;
}
