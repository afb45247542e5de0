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

static RktHintFn hint_fn;

void rkt_error_hints_set(RktHintFn fn) {
        hint_fn = fn;
}

char *rkt_error_hint_render(RktHint hint, const char *arg, const char *message) {
        return hint_fn && hint != RKT_HINT_NONE ? hint_fn(hint, arg, message) : NULL;
}

_printf_(5, 0) static int error_setv(RktError **reterr, int code, RktHint hint, const char *arg,
                                     const char *fmt, va_list ap) {
        RktError *e;
        char *worded;

        if (code >= 0)
                code = -EINVAL;
        if (!reterr || *reterr)
                return code;
        e = calloc(1, sizeof(*e));
        if (!e)
                return code;
        e->code = code;
        e->hint = hint;
        e->message = vformat(code, fmt, ap);
        worded = e->message ? rkt_error_hint_render(hint, arg, e->message) : NULL;
        if (worded) {
                free(e->message);
                e->message = worded;
        }
        *reterr = e;
        return code;
}

int rkt_error_set(RktError **reterr, int code, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        code = error_setv(reterr, code, RKT_HINT_NONE, NULL, fmt, ap);
        va_end(ap);
        return code;
}

int rkt_error_set_hint(RktError **reterr, int code, RktHint hint, const char *arg, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        code = error_setv(reterr, code, hint, arg, fmt, ap);
        va_end(ap);
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
