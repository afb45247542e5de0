/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

/* %m in fmt is the error being reported (code), never whatever errno happens to hold. */
_printf_(2, 0) static char *vformat(int code, const char *fmt, va_list ap) {
        int saved = errno;
        char *s = NULL;

        errno = code < 0 ? -code : code;
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        errno = saved;
        return s;
}

int rkt_error_set(RktError **reterr, int code, const char *fmt, ...) {
        va_list ap;
        RktError *e;

        if (code >= 0)
                code = -EINVAL;
        if (!reterr || *reterr)
                return code;
        e = calloc(1, sizeof(*e));
        if (!e)
                return code;
        e->code = code;
        va_start(ap, fmt);
        e->message = vformat(code, fmt, ap);
        va_end(ap);
        *reterr = e;
        return code;
}

int rkt_error_prefix(RktError **reterr, int code, const char *fmt, ...) {
        _cleanup_free_ char *ctx = NULL;
        char *joined = NULL;
        va_list ap;

        if (code >= 0)
                code = -EINVAL;
        if (!reterr)
                return code;
        va_start(ap, fmt);
        ctx = vformat(code, fmt, ap);
        va_end(ap);
        if (!ctx)
                return code;
        if (!*reterr)
                return rkt_error_set(reterr, code, "%s: %s", ctx, strerror(-code));
        if (asprintf(&joined, "%s: %s", ctx, strempty((*reterr)->message)) < 0)
                return code;
        free((*reterr)->message);
        (*reterr)->message = joined;
        return (*reterr)->code;
}

RktError *rkt_error_free(RktError *e) {
        if (!e)
                return NULL;
        free(e->message);
        free(e);
        return NULL;
}

const char *rkt_error_message(const RktError *e, int code) {
        if (e && e->message)
                return e->message;
        return strerror(code < 0 ? -code : code);
}
