/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli.h"

/* The remedies of librkt's errors that are rkt's flags and commands (RktHint), in rkt 1.30's words where
 * it had them: the library knows no flags. */
char *cli_hint(RktHint hint, const char *arg, const char *message) {
        const char *m = strempty(message), *a = strempty(arg);
        char *s = NULL;
        int r;

        switch (hint) {
        case RKT_HINT_PULL_NEVER:
                r = asprintf(&s, "%s (--pull-policy=never)", m);
                break;
        case RKT_HINT_PULL_NEVER_FORBIDS:
                r = arg ? asprintf(&s, "%s, and --pull-policy=never forbids fetching '%s'", m, a)
                        : asprintf(&s, "%s, and --pull-policy=never forbids fetching it", m);
                break;
        case RKT_HINT_DOCKER_UNSIGNED:
                r = asprintf(&s, "%s (try --insecure-options=image)", m);
                break;
        case RKT_HINT_SIGNATURE_FILE:
                r = asprintf(
                        &s,
                        "%s; sign the image and trust the signer with 'rkt trust --prefix=IMAGE_NAME KEY', "
                        "or pass --insecure-options=image to use it without verification",
                        m);
                break;
        case RKT_HINT_SIGNATURE:
                r = asprintf(
                        &s,
                        "%s; the image must be signed by a trusted key, or pass --insecure-options=image to "
                        "fetch it without verification",
                        m);
                break;
        case RKT_HINT_KEY_OFFERED:
                r = asprintf(&s, "%s; trust it with 'rkt trust --prefix=%s' or pass --trust-keys-from-https",
                             m, a);
                break;
        case RKT_HINT_TRUST_MASKED:
                r = asprintf(&s, "%s; to trust it for this image, run 'rkt trust --prefix=%s' with the key",
                             m, a);
                break;
        case RKT_HINT_TRUST:
                r = asprintf(&s, "%s; if you trust it for '%s', run 'rkt trust --prefix=%s'", m, a, a);
                break;
        case RKT_HINT_IMAGE_SIZE:
                r = asprintf(&s, "%s (--max-image-size raises it)", m);
                break;
        case RKT_HINT_MDS_UNREACHABLE:
                r = asprintf(&s,
                             "%s: start it with 'rkt metadata-service' or 'systemctl start "
                             "rkt-metadata.socket', or run the pod without --mds-register",
                             m);
                break;
        case RKT_HINT_STAGE1_CHOICE:
                s = strdup("--stage1-path, --stage1-url, --stage1-name, --stage1-hash and --stage1-from-dir "
                           "are mutually exclusive");
                r = s ? 0 : -1;
                break;
        case RKT_HINT_STAGE1_URL:
                r = asprintf(&s, "--stage1-url %s", m);
                break;
        case RKT_HINT_STAGE1_FROM_DIR:
                r = asprintf(&s, "--stage1-from-dir %s", m);
                break;
        case RKT_HINT_STAGE1_MISSING:
                r = asprintf(&s, "%s; pass --stage1-path=FILE", m);
                break;
        case RKT_HINT_HTTP_REDIRECT:
                r = asprintf(&s, "%s (--insecure-options=http allows it)", m);
                break;
        case RKT_HINT_HTTP:
                r = asprintf(&s, "%s, or pass --insecure-options=http", m);
                break;
        case RKT_HINT_TLS:
                r = asprintf(&s, "%s (--insecure-options=tls skips this check)", m);
                break;
        case RKT_HINT_TLS_PLAIN_HTTP:
                r = asprintf(&s,
                             "%s (if the server speaks plain HTTP: --insecure-options=http uses http for "
                             "registries and discovery; name an http:// URL otherwise)",
                             m);
                break;
        case RKT_HINT_NET_VALUE:
                r = asprintf(&s, "--net: %s", m);
                break;
        case RKT_HINT_NET_ALONE:
                r = asprintf(&s, "--net=%s cannot be combined with other networks", a);
                break;
        case RKT_HINT_DNS_VALUE:
                r = asprintf(&s, "--%s: %s", a, m);
                break;
        case RKT_HINT_DNS_ALONE:
                r = asprintf(&s, "no other --dns options allowed when --dns=%s is passed", a);
                break;
        case RKT_HINT_DNS_RESOLV:
                r = asprintf(&s, "--dns-search, --dns-opt and --dns-domain cannot be used with --dns=%s", a);
                break;
        case RKT_HINT_HOSTS_ALONE:
                s = strdup("--hosts-entry=host cannot be combined with other hosts entries");
                r = s ? 0 : -1;
                break;
        default:
                return NULL;
        }
        return r < 0 ? NULL : s;
}
