/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A small client of the system bus for the stage1's few questions to the host's systemd: is machined
 * there, which KillMode has our unit, terminate a machine. Each is one method call whose arguments are
 * strings, answered by a boolean, a list of strings, a string in a variant or nothing. The stage1's
 * entrypoints run on every `rkt run`, and linking libsystemd (and the six libraries it pulls in) for these
 * calls cost the stage1's init more than its own work before it starts nspawn.
 *
 * The bus daemon's replies are read like any other input: every length is checked against what was
 * received, a message is at most SYSBUS_MESSAGE_MAX bytes, and a call waits at most SYSBUS_TIMEOUT_USEC. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define SYSBUS_MESSAGE_MAX (4U * 1024 * 1024)
#define SYSBUS_TIMEOUT_USEC (25ULL * 1000 * 1000)
#define SYSBUS_DEFAULT_ADDRESS "unix:path=/run/dbus/system_bus_socket"
/* Names in a list we read (a system has a few hundred bus names; a message could hold ~500,000). */
#define SYSBUS_STRV_MAX 16384U

enum {
        SYSBUS_METHOD_CALL = 1,
        SYSBUS_METHOD_RETURN = 2,
        SYSBUS_ERROR = 3,
        SYSBUS_SIGNAL = 4,
};

/* A received message, its strings pointing into the owner's buffer. */
typedef struct SysBusMessage {
        uint8_t type;
        uint32_t serial;
        uint32_t reply_serial; /* 0: none */
        const char *error_name;
        const char *signature; /* "" when the message has none */
        const uint8_t *body;
        size_t body_size;
        bool big_endian;
} SysBusMessage;

/* --- the wire format, pure --- */

/* Builds a method call of member on iface at path of dest (NULL: none), with string arguments args (NULL
 * or NULL-terminated), as a little-endian message numbered serial. */
int sysbus_message_build(uint32_t serial, const char *dest, const char *path, const char *iface,
                         const char *member, char *const *args, uint8_t **ret, size_t *ret_size);
/* The whole size of the message whose first 16 bytes are at p; -EBADMSG for a malformed header, -E2BIG
 * above SYSBUS_MESSAGE_MAX. */
int sysbus_message_size(const uint8_t p[16], size_t *ret);
/* Parses the complete message of size bytes at p. The result points into p. */
int sysbus_message_parse(const uint8_t *p, size_t size, SysBusMessage *ret);

/* A body's values, read from the start of the body; the signature must be the one asked for. */
int sysbus_read_bool(const SysBusMessage *m, bool *ret);
int sysbus_read_strv(const SysBusMessage *m, char ***ret);
int sysbus_read_variant_string(const SysBusMessage *m, char **ret);

/* The socket path of a D-Bus address ("unix:path=…" or "unix:abstract=…", the first of ';'-separated
 * ones that is; %XX unescaped). An abstract name comes back with a leading '@'. */
int sysbus_address_path(const char *address, char **ret);
/* The object path of a systemd unit: prefix + '/' + the name with every byte that is not a letter (or a
 * digit, after the first) written as _XX. */
int sysbus_unit_path(const char *unit, char **ret);

/* --- a connection --- */

typedef struct SysBus SysBus;

/* Connects to the system bus ($DBUS_SYSTEM_BUS_ADDRESS, by default the socket of
 * SYSBUS_DEFAULT_ADDRESS) and sends, without waiting for answers, the authentication as our effective user
 * (EXTERNAL), BEGIN and Hello. A server that refuses us fails the first call (-EPERM). */
int sysbus_open_system(SysBus **ret);
/* The same over a connected socket, which the result owns from then on (closed on failure too). */
int sysbus_open_fd(int fd, SysBus **ret);
SysBus *sysbus_close(SysBus *bus);
DEFINE_TRIVIAL_CLEANUP_FUNC(SysBus *, sysbus_close);

/* Calls member and waits for its answer: a method return in *ret (valid until the next call on bus or
 * its close), or -EREMOTEIO with the error's name in *ret_error (NULL if not wanted; to be freed). */
int sysbus_call(SysBus *bus, const char *dest, const char *path, const char *iface, const char *member,
                char *const *args, SysBusMessage *ret, char **ret_error);
/* The same in two halves, so that the bus daemon answers while the caller does other work: start sends
 * the call, finish waits for the answer to the call numbered serial (answers to other calls that come
 * first are dropped, so finish calls in the order they were started). */
int sysbus_call_start(SysBus *bus, const char *dest, const char *path, const char *iface, const char *member,
                      char *const *args, uint32_t *ret_serial);
int sysbus_call_finish(SysBus *bus, uint32_t serial, SysBusMessage *ret, char **ret_error);
