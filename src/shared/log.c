/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static LogLevel max_level = LOG_LEVEL_INFO;
static const char *log_prefix = NULL;

void log_set_max_level(LogLevel level) {
        max_level = level;
}

LogLevel log_get_max_level(void) {
        return max_level;
}

void log_set_prefix(const char *prefix) {
        log_prefix = prefix;
}

int log_internal(LogLevel level, int error, const char *fmt, ...) {
        va_list ap;
        int saved = errno;

        if (level > max_level)
                return error;
        /* %m takes the error we were given, not whatever errno happens to be by now. */
        errno = error < 0 ? -error : error;
        flockfile(stderr);
        if (log_prefix)
                fprintf(stderr, "%s: ", log_prefix);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        funlockfile(stderr);
        errno = saved;
        return error;
}
