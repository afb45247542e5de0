/* SPDX-License-Identifier: Apache-2.0 */
/* What a registry sends: Docker schema 2 manifests and manifest lists, OCI manifests and indexes (the
 * first byte picks the Content-Type they come with), and image configs turned into ACI manifests. */
#include "appc.h"
#include "docker.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const types[] = {
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.distribution.manifest.list.v2+json",
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.oci.image.index.v1+json",
                "application/json",
                NULL,
        };
        static const char digest[] =
                "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        _cleanup_(docker_manifest_freep) DockerManifest *dm = NULL;
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *am = NULL;
        _cleanup_(docker_ref_done) DockerRef ref = {};
        const DockerDescriptor *d;
        unsigned sel;

        if (size < 1)
                return 0;
        sel = data[0];
        data++, size--;
        if (sel < 0x80) {
                if (docker_manifest_parse((const char *) data, size, types[sel % ELEMENTSOF(types)], &dm,
                                          NULL) < 0)
                        return 0;
                if (dm->is_list) {
                        if (docker_manifest_pick(dm, "linux", "amd64", &d, NULL) >= 0)
                                FUZZ_CHECK(docker_digest_valid(d->digest));
                } else {
                        FUZZ_CHECK(docker_digest_valid(dm->config.digest));
                        for (size_t i = 0; i < dm->n_layers; i++)
                                FUZZ_CHECK(docker_digest_valid(dm->layers[i].digest));
                }
                return 0;
        }
        FUZZ_CHECK(docker_ref_parse("registry.example.com:5000/team/app:1.0", &ref, NULL) >= 0);
        if (docker_config_to_manifest((const char *) data, size, &ref, digest, digest, &am, NULL) < 0)
                return 0;
        /* What the conversion makes is a valid image manifest. */
        FUZZ_CHECK(appc_image_manifest_validate(am, NULL) >= 0);
        return 0;
}
