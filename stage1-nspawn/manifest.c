/* SPDX-License-Identifier: Apache-2.0 */
/* stage1-manifest FLAVOR VERSION: prints the manifest of the stage1 image of FLAVOR (nspawn or fly; build
 * time only). The entrypoint annotations are the stage0 <-> stage1 contract (stage1-contract.h); the flavors
 * differ in their name and their run entrypoint only. */
#include <stdio.h>

#include "appc.h"
#include "error.h"
#include "stage1-contract.h"
#include "stage1.h"

static const struct {
        const char *flavor, *name, *run;
} flavors[] = {
        {"nspawn", STAGE1_DEFAULT_NAME, "/init"},
        {"fly", "coreos.com/rkt/stage1-fly", "/run"},
};

static const char *const annotations[][2] = {
        {STAGE1_ENTER, "/enter"},
        {STAGE1_GC, "/gc"},
        {STAGE1_STOP, "/stop"},
        {STAGE1_INTERFACE_VERSION, "6"},
};

int main(int argc, char **argv) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *m = NULL;
        _cleanup_error_ RktError *error = NULL;
        _cleanup_free_ char *json = NULL;
        const char *os, *arch;
        size_t f = 0;
        int r;

        while (argc == 3 && f < ELEMENTSOF(flavors) && !streq(flavors[f].flavor, argv[1]))
                f++;
        if (argc != 3 || f == ELEMENTSOF(flavors)) {
                fprintf(stderr, "usage: stage1-manifest nspawn|fly VERSION\n");
                return 2;
        }
        m = appc_image_manifest_new();
        if (!m)
                return 1;
        m->name = strdup(flavors[f].name);
        if (!m->name)
                return 1;
        r = appc_host_os_arch(&os, &arch);
        if (r < 0) {
                fprintf(stderr, "stage1-manifest: appc has no os/arch label for this machine\n");
                return 1;
        }
        r = appc_kv_set(&m->labels, &m->n_labels, "version", argv[2]);
        if (r >= 0)
                r = appc_kv_set(&m->labels, &m->n_labels, "os", os);
        if (r >= 0)
                r = appc_kv_set(&m->labels, &m->n_labels, "arch", arch);
        if (r >= 0)
                r = appc_kv_set(&m->annotations, &m->n_annotations, STAGE1_RUN, flavors[f].run);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(annotations); i++)
                r = appc_kv_set(&m->annotations, &m->n_annotations, annotations[i][0], annotations[i][1]);
        if (r < 0)
                return 1;
        r = appc_image_manifest_to_json_pretty(m, &json, &error);
        if (r < 0) {
                fprintf(stderr, "stage1-manifest: %s\n", rkt_error_message(error, r));
                return 1;
        }
        fputs(json, stdout);
        fputc('\n', stdout);
        return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
