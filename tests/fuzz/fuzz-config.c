/* SPDX-License-Identifier: Apache-2.0 */
/* Configuration files: "KIND\nJSON" with KIND auth (auth.d), paths (paths.d), stage1 (stage1.d) or net
 * (net.d); the file goes through the reader that rkt or stage1 uses for it. */
#include <fcntl.h>
#include <sys/stat.h>

#include "fs.h"
#include "fuzz.h"
#include "net.h"
#include "path.h"
#include "rkt-config.h"
#include "stage1.h"

static char base[] = "/tmp/rkt-fuzz-config-XXXXXX";

static void put(const char *sub, const char *json) {
        _cleanup_free_ char *d = path_join(base, sub), *f = NULL;

        FUZZ_CHECK(d && mkdir_p(d, 0755) >= 0);
        f = path_join(d, "x.json");
        FUZZ_CHECK(f && write_file_atomic_at(AT_FDCWD, f, json, strlen(json), 0600) >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static bool ready;
        _cleanup_free_ char *s = fuzz_string(data, size), *kind = NULL;
        _cleanup_error_ RktError *e = NULL;
        const char *dirs[] = {base};
        const char *json;
        int r;

        if (!ready) {
                FUZZ_CHECK(mkdtemp(base));
                ready = true;
        }
        fuzz_split(s, &kind, &json);
        if (streq(kind, "auth")) {
                _cleanup_(rkt_config_freep) RktConfig *c = NULL;
                put("auth.d", json);
                r = rkt_config_load(dirs, 1, &c, &e);
                for (size_t i = 0; r >= 0 && i < c->n_auth; i++) {
                        _cleanup_free_ char *h = NULL;
                        (void) auth_entry_header(&c->auth[i], &h, NULL);
                }
        } else if (streq(kind, "paths")) {
                _cleanup_(rkt_paths_done) RktPaths p = {};
                put("paths.d", json);
                r = rkt_paths_load(dirs, 1, &p, &e);
        } else if (streq(kind, "stage1")) {
                const Stage1Config cfg = {.local_config = base, .images_dir = "/nonexistent"};
                _cleanup_free_ char *name = NULL, *version = NULL, *location = NULL;
                put("stage1.d", json);
                r = stage1_config_effective(&cfg, &name, &version, &location, &e);
                if (r >= 0)
                        FUZZ_CHECK(name && version && location);
        } else {
                _cleanup_(net_conf_done) NetConf c = {};
                r = net_conf_parse(json, "/etc/rkt/net.d/10-x.conf", &c, &e);
                if (r >= 0)
                        FUZZ_CHECK(c.name && c.type && !strchr(c.type, '/'));
        }
        /* Every refusal is one line; one about a file's contents names the file. */
        if (r < 0 && e) {
                FUZZ_CHECK(!strchr(e->message, '\n'));
                if (!streq(kind, "stage1"))
                        FUZZ_CHECK(strstr(e->message,
                                          streq(kind, "auth") || streq(kind, "paths") ? base : "10-x.conf"));
        }
        return 0;
}
