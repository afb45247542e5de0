/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "insecure.h"
#include "macro.h"

static const struct {
        const char *name;
        unsigned flags;
} table[] = {
        {"none", 0},
        {"image", INSECURE_IMAGE},
        {"tls", INSECURE_TLS},
        {"ondisk", INSECURE_ONDISK},
        {"http", INSECURE_HTTP},
        {"pubkey", INSECURE_PUBKEY},
        {"capabilities", INSECURE_CAPABILITIES},
        {"paths", INSECURE_PATHS},
        {"seccomp", INSECURE_SECCOMP},
        {"all-fetch", INSECURE_ALL_FETCH},
        {"all-run", INSECURE_ALL_RUN},
        {"all", INSECURE_ALL},
};

int insecure_parse(const char *value, unsigned *ret, const char **ret_bad, size_t *ret_bad_len) {
        unsigned flags = 0;
        const char *p = value;

        for (;;) {
                size_t n = strcspn(p, ",");
                bool found = false;

                for (size_t i = 0; i < ELEMENTSOF(table); i++)
                        if (strlen(table[i].name) == n && strncmp(p, table[i].name, n) == 0) {
                                flags |= table[i].flags;
                                found = true;
                                break;
                        }
                if (!found) {
                        if (ret_bad)
                                *ret_bad = p;
                        if (ret_bad_len)
                                *ret_bad_len = n;
                        return -EINVAL;
                }
                if (!p[n])
                        break;
                p += n + 1;
        }
        *ret = flags;
        return 0;
}

char *insecure_to_string(unsigned f) {
        char *s = NULL;
        size_t size = 0;
        FILE *m;
        bool first = true;

        if (f == 0)
                return strdup("none");
        m = open_memstream(&s, &size);
        if (!m)
                return NULL;
        /* Only the single flags (rows 1..8), not the groups. */
        for (size_t i = 1;
             i < ELEMENTSOF(table) && table[i].flags && !(table[i].flags & (table[i].flags - 1)); i++)
                if (f & table[i].flags) {
                        fprintf(m, "%s%s", first ? "" : ",", table[i].name);
                        first = false;
                }
        if (fclose(m) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

const char *insecure_option_names(void) {
        return "none,image,tls,ondisk,http,pubkey,capabilities,paths,seccomp,all-fetch,all-run,all";
}
