/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>

#include "escape.h"
#include "log.h"

static LogLevel max_level = LOG_LEVEL_INFO;
static const char *log_prefix = NULL;

void log_set_max_level(LogLevel level) {
        max_level = level;
}

LogLevel log_get_max_level(void) {
        return max_level;
}

const char *log_get_prefix(void) {
        return log_prefix;
}

void log_set_prefix(const char *prefix) {
        log_prefix = prefix;
}

int log_internal(LogLevel level, int error, const char *fmt, ...) {
        char *text = NULL, *escaped = NULL;
        va_list ap;
        int saved = errno, n = -1;

        if (level > max_level)
                return error;
        /* %m takes the error we were given, not whatever errno happens to be by now. */
        errno = error < 0 ? -error : error;
        va_start(ap, fmt);
        n = vasprintf(&text, fmt, ap);
        va_end(ap);
        /* Messages quote what images, registries and config files say: the one place that writes them
         * to the terminal keeps their control bytes from reaching it. */
        if (n >= 0)
                escaped = malloc(ESCAPE_CONTROL_MAX((size_t) n));
        if (escaped)
                escape_control_into(text, (size_t) n, escaped);
        flockfile(stderr);
        if (log_prefix)
                fprintf(stderr, "%s: ", log_prefix);
        fputs(escaped ?: "(message lost: out of memory)", stderr);
        fputc('\n', stderr);
        funlockfile(stderr);
        free(escaped);
        free(text);
        errno = saved;
        return error;
}
