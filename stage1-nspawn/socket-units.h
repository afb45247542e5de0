/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Socket activation. When systemd starts rkt for a socket unit, the sockets it passed (LISTEN_FDS) go
 * through stage0, stage1's init and nspawn to the pod's systemd, which gives each to the pod's socket unit
 * listening at the same address. An app whose image declares ports with socketActivated gets <app>.socket,
 * which its unit requires: one ListenStream= (tcp) or ListenDatagram= (udp) per such port, at the port the
 * pod manifest exposes it on (--port: the socket was made on the host, at the host's port), else at the
 * app's own port. Without passed sockets the pod's systemd makes them itself, in the pod's network. */

#include "appc.h"
#include "error.h"

/* The text of <app_name>.socket, or *ret NULL when app has no socket-activated port. *ret_unexposed (may
 * be NULL) is the name of the first such port the pod does not expose (borrowed), for a warning. -EINVAL
 * for a protocol other than tcp and udp. */
int stage1_socket_unit(const char *app_name, const AppcApp *app, const AppcPodManifest *pod, char **ret,
                       const char **ret_unexposed);

/* For init: stage1_socket_unit() of an app, with a message for an error and a warning for an unexposed
 * port. */
int stage1_socket_unit_plan(const char *name, const AppcApp *app, const AppcPodManifest *pod, char **ret,
                            RktError **reterr);
/* Writes <name>.socket into the stage1 rootfs at s1fd, linked into -.mount.wants/: the pod's systemd hands
 * the sockets it was passed to the socket units it has loaded as it starts, before it looks at its default
 * target, and the root mount is one of the units it loads then (every mount point is, from
 * /proc/self/mountinfo), with what it wants. */
int stage1_socket_unit_write(int s1fd, const char *name, const char *text, RktError **reterr);
