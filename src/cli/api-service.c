/* SPDX-License-Identifier: Apache-2.0 */
/* rkt api-service: rkt 1.30's read-only gRPC API (src/api/). */
#include <stdlib.h>

#include "api/server.h"
#include "insecure.h"
#include "log.h"
#include "util.h"
#include "verbs.h"

enum { OPT_LISTEN = 1, OPT_IDLE_TIMEOUT };

const Option api_service_options[] = {
        {"listen", 0, OPT_LISTEN, OPTION_REQUIRED, "ADDR", "localhost:15441",
         "address to listen for client API requests (HOST:PORT)"},
        {"idle-timeout", 0, OPT_IDLE_TIMEOUT, OPTION_REQUIRED, "DURATION", "0",
         "exit after this long without open calls (0: never)"},
        {},
};

int verb_api_service(CliArgs *a) {
        _cleanup_free_ char *insecure = NULL;
        const char *listen = NULL;
        uint64_t idle = 0;
        ApiConfig config;

        for (size_t i = 0; i < a->n_options; i++) {
                const ParsedOption *o = &a->options[i];
                if (o->option->id == OPT_LISTEN)
                        listen = o->value;
                else if (o->option->id == OPT_IDLE_TIMEOUT && parse_duration_usec(o->value, &idle) < 0)
                        return log_error_errno(-EINVAL,
                                               "invalid argument '%s' for --idle-timeout: not a duration",
                                               o->value);
        }
        /* Config dirs are read only for paths.d's data dir: with --dir, a service running as a member of
         * the rkt group needs no access to them (rkt 1.30 did not read them then either). */
        if (!a->globals->dir_set) {
                int r = cli_load_paths(a->globals);
                if (r < 0)
                        return r;
        }
        insecure = insecure_to_string(a->globals->insecure);
        if (!insecure)
                return log_oom();
        config = (ApiConfig){
                .data_dir = a->globals->dir,
                .system_config = a->globals->system_config,
                .local_config = a->globals->local_config,
                .user_config = a->globals->user_config,
                .insecure = insecure,
                .trust_keys_from_https = a->globals->trust_keys_from_https,
        };
        return api_service_run(&config, listen, idle);
}
