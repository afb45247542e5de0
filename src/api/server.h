/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

#include "service.h"

/* rkt 1.30's address: localhost only, so that the API is not on the network unless asked. */
#define API_DEFAULT_LISTEN "localhost:15441"

/* Serves the API until SIGINT/SIGTERM, or until idle_usec (0: never) pass without an open call. Sockets:
 * those systemd passed (socket activation; listen_addr must then be NULL), else listen_addr (NULL: the
 * default). Logs its own errors; returns 0 or a negative errno. */
int api_service_run(const ApiConfig *config, const char *listen_addr, uint64_t idle_usec);

/* "HOST:PORT", "[V6]:PORT" or ":PORT" (all interfaces) split; *ret_host NULL for the last. Pure. */
int api_split_address(const char *addr, char **ret_host, char **ret_port);
