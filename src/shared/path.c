/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "path.h"
#include "strv.h"

char *path_join(const char *a, const char *b) {
        size_t la = strlen(a);
        char *r;

        while (la > 1 && a[la - 1] == '/')
                la--;
        while (*b == '/')
                b++;
        if (asprintf(&r, "%.*s%s%s", (int) la, a, (la > 0 && a[la - 1] == '/') || !*b ? "" : "/", b) < 0)
                return NULL;
        return r;
}

char *path_dirname(const char *p) {
        const char *slash = strrchr(p, '/');

        if (!slash)
                return strdup(".");
        while (slash > p && slash[-1] == '/')
                slash--;
        if (slash == p)
                return strdup("/");
        return strndup(p, slash - p);
}

/* Collapses components; when allow_above is false a ".." that would leave the root fails. */
static char *normalize(const char *p, bool absolute, bool allow_above) {
        _cleanup_strv_free_ char **parts = NULL, **out = NULL;
        _cleanup_free_ char *joined = NULL;
        char *r;

        if (strv_split(p, "/", &parts) < 0)
                return NULL;
        out = calloc(1, sizeof(char *));
        if (!out)
                return NULL;
        STRV_FOREACH(c, parts) {
                size_t n = strv_length(out);
                if (streq(*c, "."))
                        continue;
                if (streq(*c, "..")) {
                        if (n == 0) {
                                if (!allow_above)
                                        return NULL;
                                continue; /* "/.." is "/" */
                        }
                        free(out[n - 1]);
                        out[n - 1] = NULL;
                        continue;
                }
                if (strv_extend(&out, *c) < 0)
                        return NULL;
        }
        joined = strv_join(out, "/");
        if (!joined)
                return NULL;
        if (asprintf(&r, "%s%s", absolute ? "/" : "", joined) < 0)
                return NULL;
        return r;
}

int path_make_absolute_cwd(const char *p, char **ret) {
        _cleanup_free_ char *cwd = NULL, *full = NULL;
        char *r;

        if (path_is_absolute(p))
                full = strdup(p);
        else {
                cwd = getcwd(NULL, 0);
                if (!cwd)
                        return negative_errno();
                full = path_join(cwd, p);
        }
        if (!full)
                return -ENOMEM;
        r = normalize(full, true, true);
        if (!r)
                return -ENOMEM;
        *ret = r;
        return 0;
}

char *path_normalize_inside(const char *p) {
        return normalize(p, false, false);
}
