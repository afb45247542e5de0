/* SPDX-License-Identifier: Apache-2.0 */
/* appc discovery: the HTML page a host serves for a name, its ac-discovery meta tags and the endpoints
 * their templates expand to. */
#include <strings.h>

#include "discovery.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const AppcKV labels[] = {{(char *) "version", (char *) "1.0"},
                                        {(char *) "os", (char *) "linux"},
                                        {(char *) "arch", (char *) "amd64"}};
        DiscoveryMeta *m = NULL;
        DiscoveryResult res = {};
        size_t n = 0;

        if (discovery_parse_meta((const char *) data, size, &m, &n) < 0)
                return 0;
        FUZZ_CHECK(n <= DISCOVERY_MAX_META);
        if (discovery_from_meta(m, n, "example.com/app", labels, ELEMENTSOF(labels), &res) >= 0) {
                /* Only http(s) URLs come out. */
                for (size_t i = 0; i < res.n_endpoints; i++)
                        FUZZ_CHECK(strncasecmp(res.endpoints[i].aci, "https://", 8) == 0 ||
                                   strncasecmp(res.endpoints[i].aci, "http://", 7) == 0);
                discovery_result_done(&res);
        }
        discovery_meta_free(m, n);
        return 0;
}
