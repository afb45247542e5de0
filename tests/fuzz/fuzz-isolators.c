/* SPDX-License-Identifier: Apache-2.0 */
/* Isolator values from manifests: "NAME\nVALUE-JSON" through the schema of the isolator NAME and on into
 * what stage1 applies (quantities into memory and CPU limits, capability and seccomp sets); the whole
 * input also goes through the quantity, duration, size and integer parsers. */
#include "appc-internal.h"
#include "fuzz.h"
#include "stage1-isolation.h"
#include "util.h"

static const char groups_text[] =
        "@default\n    # the calls every filter allows\n    exit\n    read\n"
        "\n@basic-io\n    read\n    write\n\n@file-system\n    open\n    @basic-io\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static Stage1SyscallGroups groups;
        static bool loaded;
        _cleanup_free_ char *s = fuzz_string(data, size), *name = NULL;
        AppcIsolator *isolators = NULL;
        size_t n = 0;
        const char *value;
        int64_t q, milli, i64;
        uint64_t u;

        if (!loaded) {
                FUZZ_CHECK(stage1_syscall_groups_parse(groups_text, &groups) >= 0);
                loaded = true;
        }
        /* A value that fits comes back the same from a second parse; milli is value * 1000 rounded up. */
        if (appc_quantity_value(s, &q) >= 0) {
                FUZZ_CHECK(appc_quantity_valid(s));
                if (appc_quantity_milli_value(s, &milli) >= 0)
                        FUZZ_CHECK(q > INT64_MAX / 1000 || q < INT64_MIN / 1000 || milli <= q * 1000);
        }
        (void) parse_duration_usec(s, &u);
        (void) parse_size_bytes(s, &u);
        if (parse_int64(s, &i64) >= 0) {
                char back[32];
                snprintf(back, sizeof(back), "%" PRIi64, i64);
                FUZZ_CHECK(streq(back, s + (s[0] == '+')) || s[strspn(s, "+-")] == '0');
        }

        fuzz_split(s, &name, &value);
        if (appc_isolators_add(&isolators, &n, name, value, NULL) >= 0) {
                const Stage1IsolationOptions o = {.groups = &groups};
                _cleanup_(stage1_isolation_done) Stage1Isolation iso = {};
                if (stage1_isolation_from_isolators(isolators, n, 1000, &o, &iso, NULL) >= 0) {
                        /* Limits stage1 writes into unit files are positive when set. */
                        FUZZ_CHECK(!iso.memory_max_set || iso.memory_max > 0);
                        FUZZ_CHECK(!iso.cpu_quota_set || iso.cpu_quota_milli > 0);
                }
        }
        appc_isolators_free(isolators, n);
        return 0;
}
