/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The metadata service's HTTP side: two libmicrohttpd daemons on already listening sockets (the
 * registration unix socket and the public TCP socket, made here or handed over by systemd), driven by one
 * thread that polls both daemons' epoll fds and a stop fd. What each request means is src/lib/mds/mds.c's;
 * this only collects the method, path, query, body and (for POSTs, through MHD's post processor, urlencoded
 * or multipart as Go's FormValue reads them) the form, and sends back the MdsResponse.
 *
 * One thread and no locks: the registry is touched only from mds_server_run()'s loop. Every answer comes
 * from memory, well inside the ACE validator's 100 ms. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "mds.h"

/* Bodies larger than these are refused with 413. */
#define MDS_REGISTRATION_BODY_MAX (8U * 1024 * 1024)
#define MDS_PUBLIC_BODY_MAX (1U * 1024 * 1024)
/* Connections open at once: on the public socket from one source address (a pod) and in all, on the
 * registration socket in all. Together well below the 1024 descriptors of a default RLIMIT_NOFILE, so a
 * pod that opens connections until it is refused neither starves other pods nor keeps root's registrations
 * out. The server closes a connection beyond a limit at once, without an answer. Request headers are
 * bounded by libmicrohttpd's per-connection memory (32 KiB): larger ones get 431. */
#define MDS_PUBLIC_CONNECTIONS_PER_IP 16U
#define MDS_PUBLIC_CONNECTIONS_MAX 512U
#define MDS_REGISTRATION_CONNECTIONS_MAX 64U

typedef struct MdsServer MdsServer;

/* Called after each answer. path has the token of public requests replaced by "…", so logs never hold
 * one. */
typedef void (*MdsServerLog)(void *userdata, bool registration, const char *method, const char *path,
                             unsigned status);

/* Takes both fds (libmicrohttpd closes them when the server is freed), also on failure. registry stays the
 * caller's and must outlive the server. */
int mds_server_new(MdsRegistry *registry, int registration_fd, int public_fd, MdsServerLog log,
                   void *userdata, MdsServer **ret, RktError **reterr);
/* Serves until stop_fd becomes readable (or hangs up). -errno when polling fails. */
int mds_server_run(MdsServer *s, int stop_fd);
MdsServer *mds_server_free(MdsServer *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(MdsServer *, mds_server_free);

/* A listening unix stream socket at path with mode (the umask is set around bind(), so the socket never
 * exists with wider permissions), its directory made 0755 when missing. A leftover socket nobody answers
 * on is replaced; -EADDRINUSE when a service answers there, -EEXIST when path is not a socket. */
int mds_listen_unix(const char *path, mode_t mode, int *ret_fd, RktError **reterr);
/* A listening TCP socket on the IPv4 address (NULL: all addresses) and port (0: any; *ret_port tells,
 * ret_port may be NULL). */
int mds_listen_tcp4(const char *address, uint16_t port, int *ret_fd, uint16_t *ret_port, RktError **reterr);
