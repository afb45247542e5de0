/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "macro.h"

/* Logging is for the CLI and the stage1 entrypoints. Library code (src/lib, src/shared) logs at debug
 * level only and reports failures through return values and RktError. */
typedef enum LogLevel {
        LOG_LEVEL_ERROR,
        LOG_LEVEL_WARNING,
        LOG_LEVEL_INFO,
        LOG_LEVEL_DEBUG,
} LogLevel;

void log_set_max_level(LogLevel level);
LogLevel log_get_max_level(void);
/* rkt prefixes its messages with the verb that prints them ("fetch: …"). */
void log_set_prefix(const char *prefix);
const char *log_get_prefix(void);

/* Logs and returns error (a negative errno), so that callers can "return log_error_errno(r, …)".
 * %m in fmt expands to strerror(-error). */
int log_internal(LogLevel level, int error, const char *fmt, ...) _printf_(3, 4);

#define log_error_errno(error, ...) log_internal(LOG_LEVEL_ERROR, (error), __VA_ARGS__)
#define log_warning_errno(error, ...) log_internal(LOG_LEVEL_WARNING, (error), __VA_ARGS__)
#define log_debug_errno(error, ...) log_internal(LOG_LEVEL_DEBUG, (error), __VA_ARGS__)
#define log_error(...) (void) log_internal(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warning(...) (void) log_internal(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_info(...) (void) log_internal(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...) (void) log_internal(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
/* The one message for a failed allocation; returns -ENOMEM. */
#define log_oom() log_error_errno(-ENOMEM, "Out of memory")
