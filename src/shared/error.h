/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "macro.h"

/* An error that carries the text of the library that produced it (libarchive, curl, gpgme, json-c),
 * which says more than an errno. Library code fills it; the CLI prints it once. Callers add context
 * as the error climbs: "fetching 'x': HTTP 404 from https://…". */
typedef struct RktError {
        int code; /* negative errno */
        char *message;
} RktError;

/* Sets *reterr (when reterr is not NULL and not already set) and returns code (negative errno). %m in fmt
 * is strerror(-code), as in log_error_errno(). */
int rkt_error_set(RktError **reterr, int code, const char *fmt, ...) _printf_(3, 4);
/* Prepends "context: " to an existing message (or creates one from the errno). Returns the code. */
int rkt_error_prefix(RktError **reterr, int code, const char *fmt, ...) _printf_(3, 4);
RktError *rkt_error_free(RktError *e);
DEFINE_TRIVIAL_CLEANUP_FUNC(RktError *, rkt_error_free);
#define _cleanup_error_ _cleanup_(rkt_error_freep)
/* The message, or strerror of the code when none was given. */
const char *rkt_error_message(const RktError *e, int code);
