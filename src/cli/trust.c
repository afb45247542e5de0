/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appc.h"
#include "rkt-config.h"
#include "discovery.h"
#include "fetch-ui.h"
#include "fs.h"
#include "http.h"
#include "insecure.h"
#include "keystore.h"
#include "log.h"
#include "output.h"
#include "strv.h"
#include "verbs.h"

#define KEY_MAX (1024 * 1024)

enum {
        OPT_PREFIX = 1,
        OPT_ROOT,
        OPT_SKIP_REVIEW,
        OPT_ALLOW_HTTP,
        OPT_LIST,
        OPT_REMOVE,
        OPT_FORMAT,
        OPT_NO_LEGEND,
};

const Option trust_options[] = {
        {"format", 0, OPT_FORMAT, OPTION_REQUIRED, "FORMAT", NULL, "with --list: json or json-pretty",
         "json json-pretty"},
        {"insecure-allow-http", 0, OPT_ALLOW_HTTP, OPTION_BOOL, NULL, "false",
         "allow HTTP for key discovery and retrieval"},
        {"list", 0, OPT_LIST, OPTION_BOOL, NULL, "false",
         "list the trusted keys (with --prefix: those that verify images named PREFIX; with --root: root "
         "keys)"},
        {"no-legend", 0, OPT_NO_LEGEND, OPTION_BOOL, NULL, "false", "with --list: suppress the legend"},
        {"prefix", 0, OPT_PREFIX, OPTION_REQUIRED, "PREFIX", NULL,
         "image name prefix to limit the trust to"},
        {"remove", 0, OPT_REMOVE, OPTION_REQUIRED, "FINGERPRINT", NULL,
         "stop trusting the key with this fingerprint (within --prefix or --root when given, else "
         "everywhere); "
         "may be repeated"},
        {"root", 0, OPT_ROOT, OPTION_BOOL, NULL, "false",
         "trust the key for all images (a key file, no discovery)"},
        {"skip-fingerprint-review", 0, OPT_SKIP_REVIEW, OPTION_BOOL, NULL, "false",
         "accept the key without asking to confirm its fingerprint"},
        {},
};

typedef struct TrustArgs {
        const char *prefix;
        bool root, skip_review, allow_http, list, no_legend;
        char **remove;
        OutputFormat format;
} TrustArgs;

static int parse_args(CliArgs *a, TrustArgs *t) {
        for (size_t i = 0; i < a->n_options; i++) {
                const ParsedOption *o = &a->options[i];
                int r = 0;

                switch (o->option->id) {
                case OPT_PREFIX:
                        t->prefix = o->value;
                        break;
                case OPT_ROOT:
                        r = cli_bool(o, &t->root);
                        break;
                case OPT_SKIP_REVIEW:
                        r = cli_bool(o, &t->skip_review);
                        break;
                case OPT_ALLOW_HTTP:
                        r = cli_bool(o, &t->allow_http);
                        break;
                case OPT_LIST:
                        r = cli_bool(o, &t->list);
                        break;
                case OPT_NO_LEGEND:
                        r = cli_bool(o, &t->no_legend);
                        break;
                case OPT_FORMAT:
                        if (output_format_parse(o->value, &t->format) < 0)
                                return log_error_errno(-EINVAL, "--format '%s': must be json or json-pretty",
                                                       o->value);
                        break;
                case OPT_REMOVE:
                        if (strv_extend(&t->remove, o->value) < 0)
                                return log_oom();
                        break;
                }
                if (r < 0)
                        return r;
        }
        if (t->prefix && t->root)
                return log_error_errno(-EINVAL, "--root and --prefix usage mutually exclusive");
        if (t->prefix && strstr(t->prefix, "://")) {
                _cleanup_free_ char *scheme = strndup(t->prefix, strstr(t->prefix, "://") - t->prefix);
                return log_error_errno(-EINVAL, "--prefix must not contain a URL scheme, omit %s://",
                                       strna(scheme));
        }
        if (t->prefix && !appc_ac_identifier_valid(t->prefix))
                return log_error_errno(
                        -EINVAL,
                        "--prefix '%s' is not a valid image name prefix (lowercase letters, digits and "
                        "'-._~/', like example.com/app)",
                        t->prefix);
        if (t->list && t->remove)
                return log_error_errno(-EINVAL, "--list and --remove are mutually exclusive");
        if ((t->list || t->remove) && a->n_args > 0)
                return log_error_errno(-EINVAL, "--%s takes no PUBKEY arguments",
                                       t->list ? "list" : "remove");
        return 0;
}

/* --- listing --- */

static const char *key_status(const TrustedKeyInfo *k) {
        if (k->error)
                return "invalid";
        if (k->masked)
                return "masked";
        if (k->revoked)
                return "revoked";
        if (k->expired)
                return "expired";
        return "trusted";
}

static bool listed(const TrustArgs *t, const TrustedKeyInfo *k) {
        if (t->root)
                return !k->file.prefix;
        if (t->prefix)
                return !k->file.prefix || keystore_prefix_covers(k->file.prefix, t->prefix);
        return true;
}

static int list_keys(const Keystore *ks, const TrustArgs *t) {
        _cleanup_error_ RktError *err = NULL;
        TrustedKeyInfo *l = NULL;
        size_t n = 0;
        int r;

        r = keystore_list_keys(ks, &l, &n, &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        if (t->format != OUTPUT_TABLE) {
                _cleanup_(json_object_putp) json_object *arr = json_object_new_array();
                for (size_t i = 0; arr && i < n; i++) {
                        json_object *o = json_object_new_object(), *uids = json_object_new_array();
                        if (!listed(t, &l[i]))
                                continue;
                        if (!o || !uids) {
                                json_object_put(o);
                                json_object_put(uids);
                                break;
                        }
                        STRV_FOREACH(u, l[i].uids)
                        json_object_array_add(uids, json_object_new_string(*u));
                        json_object_object_add(o, "prefix",
                                               l[i].file.prefix ? json_object_new_string(l[i].file.prefix)
                                                                : NULL);
                        json_object_object_add(o, "fingerprint",
                                               json_object_new_string(l[i].file.fingerprint));
                        json_object_object_add(o, "status", json_object_new_string(key_status(&l[i])));
                        json_object_object_add(o, "userIds", uids);
                        json_object_object_add(o, "file", json_object_new_string(l[i].file.path));
                        json_object_object_add(o, "system", json_object_new_boolean(l[i].file.system));
                        if (l[i].error)
                                json_object_object_add(o, "error", json_object_new_string(l[i].error));
                        json_object_array_add(arr, o);
                }
                r = arr ? output_json(arr, t->format, stdout) : -ENOMEM;
        } else {
                _cleanup_(table_freep) Table *tb = table_new(5);
                r = tb ? 0 : -ENOMEM;
                if (r >= 0 && !t->no_legend)
                        r = table_add_rowv(tb, "PREFIX", "FINGERPRINT", "STATUS", "USER ID", "FILE");
                for (size_t i = 0; r >= 0 && i < n; i++) {
                        _cleanup_free_ char *uids = NULL;
                        if (!listed(t, &l[i]))
                                continue;
                        uids = l[i].uids ? strv_join(l[i].uids, ", ") : strdup(l[i].error ?: "-");
                        r = table_add_rowv(tb, l[i].file.prefix ?: "(root)", l[i].file.fingerprint,
                                           key_status(&l[i]), strna(uids), l[i].file.path);
                }
                if (r >= 0)
                        table_print(tb, stdout);
        }
        trusted_key_infos_free(l, n);
        if (r < 0)
                return log_error_errno(r, "Failed to list the keys: %m");
        return 0;
}

/* --- removing --- */

static int remove_keys(const Keystore *ks, const TrustArgs *t) {
        int ret = 0;

        STRV_FOREACH(f, t->remove) {
                _cleanup_error_ RktError *err = NULL;
                _cleanup_strv_free_ char **removed = NULL, **masked = NULL;
                _cleanup_free_ char *fpr = NULL;
                KeystoreScope scope = t->root     ? KEYSTORE_SCOPE_ROOT
                                      : t->prefix ? KEYSTORE_SCOPE_PREFIX
                                                  : KEYSTORE_SCOPE_ALL;
                int r;

                if (fingerprint_normalize(*f, &fpr) < 0) {
                        ret = log_error_errno(-EINVAL,
                                              "--remove '%s': not a key fingerprint (40 hex digits)", *f);
                        continue;
                }
                r = keystore_remove(ks, fpr, scope, t->prefix, &removed, &masked, &err);
                if (r < 0) {
                        ret = log_error_errno(r, "%s", rkt_error_message(err, r));
                        continue;
                }
                STRV_FOREACH(p, removed)
                printf("Removed key %s from \"%s\"\n", fpr, *p);
                STRV_FOREACH(p, masked)
                printf("Masked system key %s with \"%s\"\n", fpr, *p);
        }
        return ret;
}

/* --- adding --- */

static int read_key_file(const char *path, char **ret, size_t *ret_size) {
        struct stat st;

        if (stat(path, &st) < 0)
                return negative_errno();
        if (st.st_size > KEY_MAX)
                return -EFBIG;
        return read_full_file_at(AT_FDCWD, path, ret, ret_size);
}

static int get_key(HttpClient *http, const TrustArgs *t, const char *location, char **ret,
                   size_t *ret_size) {
        _cleanup_error_ RktError *err = NULL;
        HttpResponse resp = {};
        HttpRequest rq = {.url = location, .fd = -1, .max_size = KEY_MAX};
        int r;

        if (startswith(location, "http://") && !t->allow_http)
                return log_error_errno(-EPERM, "key '%s': --insecure-allow-http is required for http URLs",
                                       location);
        if (!startswith(location, "http://") && !startswith(location, "https://")) {
                const char *path = startswith(location, "file://") ?: location;
                if (strstr(location, "://") && !startswith(location, "file://"))
                        return log_error_errno(-EPROTONOSUPPORT,
                                               "key '%s': only local files and http(s) URLs are supported",
                                               location);
                r = read_key_file(path, ret, ret_size);
                if (r < 0)
                        return log_error_errno(r, "key '%s': cannot read it: %m", location);
                return 0;
        }
        r = http_get(http, &rq, &resp, &err);
        if (r < 0)
                return log_error_errno(r, "key '%s': %s", location, rkt_error_message(err, r));
        *ret = TAKE_PTR(resp.body);
        *ret_size = resp.size;
        http_response_done(&resp);
        return 0;
}

static int add_one(const Keystore *ks, HttpClient *http, const TrustArgs *t, const RktGlobals *g,
                   const char *location) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_free_ char *data = NULL;
        PgpKey *keys = NULL;
        size_t size = 0, n = 0;
        int r, ret = 0;

        r = get_key(http, t, location, &data, &size);
        if (r < 0)
                return r;
        r = pgp_keys_parse(data, size, &keys, &n, &err);
        if (r < 0)
                return log_error_errno(r, "key '%s': %s", location, rkt_error_message(err, r));
        for (size_t i = 0; i < n; i++) {
                _cleanup_error_ RktError *e = NULL;
                _cleanup_free_ char *path = NULL;
                bool force =
                        t->skip_review || (g->trust_keys_from_https && startswith(location, "https://"));

                cli_print_key(stdout, t->prefix, location, &keys[i]);
                if (keys[i].revoked || keys[i].expired) {
                        ret = log_error_errno(-EKEYREJECTED, "key %s %s: not trusting it",
                                              keys[i].fingerprint,
                                              keys[i].revoked ? "has been revoked" : "has expired");
                        continue;
                }
                if (!force) {
                        r = cli_review_key();
                        if (r == -ENOTTY) {
                                ret = log_error_errno(
                                        r, "cannot ask to review the fingerprint: stdin or stderr is not a "
                                           "terminal; check the fingerprint and run again with "
                                           "--skip-fingerprint-review");
                                break;
                        }
                        if (r == 0) {
                                printf("Not trusting \"%s\".\n", location);
                                continue;
                        }
                        printf("Trusting \"%s\" for %s%s%s after fingerprint review.\n", location,
                               t->prefix ? "prefix \"" : "all images", strempty(t->prefix),
                               t->prefix ? "\"" : "");
                } else
                        printf("Trusting \"%s\" for %s%s%s without fingerprint review.\n", location,
                               t->prefix ? "prefix \"" : "all images", strempty(t->prefix),
                               t->prefix ? "\"" : "");
                r = keystore_add(ks, t->prefix, &keys[i], &path, &e);
                if (r < 0) {
                        ret = log_error_errno(r, "%s", rkt_error_message(e, r));
                        continue;
                }
                if (t->prefix)
                        printf("Added key for prefix \"%s\" at \"%s\"\n", t->prefix, path);
                else
                        printf("Added root key at \"%s\"\n", path);
        }
        pgp_keys_free(keys, n);
        fflush(stdout);
        return ret;
}

static int add_keys(const Keystore *ks, const TrustArgs *t, CliArgs *a) {
        const RktGlobals *g = a->globals;
        const char *dirs[] = {g->system_config, g->local_config, g->user_config};
        _cleanup_(rkt_config_freep) RktConfig *cfg = NULL;
        _cleanup_(http_client_freep) HttpClient *http = NULL;
        _cleanup_(discovery_result_done) DiscoveryResult dr = {};
        _cleanup_error_ RktError *err = NULL;
        HttpClientOptions ho = {.insecure_tls = g->insecure & INSECURE_TLS,
                                .allow_http = t->allow_http,
                                .stall_timeout_usec = g->stall_timeout_usec};
        char **locations = a->args;
        size_t n_locations = a->n_args;
        int r, ret = 0;

        if (!t->prefix && !t->root) {
                if (a->n_args == 0)
                        return log_error_errno(
                                -EINVAL, "nothing to do: give --prefix=PREFIX (keys found by discovery, "
                                         "or PUBKEY...), --root PUBKEY..., --list or --remove=FINGERPRINT "
                                         "(see 'rkt trust --help')");
                return log_error_errno(
                        -EINVAL, "aborting due to implicit unbounded trust (root domain)\n"
                                 "Please provide a specific image name prefix to trust:\n"
                                 "    rkt trust --prefix=example.com/app [PUBKEY]\n"
                                 "Otherwise, trust at the root domain (not recommended) must be explicitly "
                                 "requested:\n"
                                 "    rkt trust --root PUBKEY");
        }
        if (t->root && a->n_args == 0)
                return log_error_errno(-EINVAL,
                                       "--root needs the key: a file or URL (there is no discovery for it)");

        r = rkt_config_load(dirs, ELEMENTSOF(dirs), &cfg, &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        ho.config = cfg;
        r = http_client_new(&ho, &http, &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        if (n_locations == 0) {
                r = discover(http, t->allow_http, t->prefix, NULL, 0, DISCOVER_PUBKEYS, &dr, &err);
                if (r < 0)
                        return log_error_errno(r, "error determining key location: %s",
                                               rkt_error_message(err, r));
                locations = dr.pubkeys;
                n_locations = strv_length(dr.pubkeys);
        }
        for (size_t i = 0; i < n_locations; i++) {
                r = add_one(ks, http, t, g, locations[i]);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}

int verb_trust(CliArgs *a) {
        _cleanup_(keystore_freep) Keystore *ks = NULL;
        TrustArgs t = {};
        int r;

        r = parse_args(a, &t);
        if (r >= 0)
                r = keystore_new(a->globals->system_config, a->globals->local_config, &ks);
        if (r == -ENOMEM)
                r = log_error_errno(r, "Out of memory");
        if (r >= 0) {
                if (t.list)
                        r = list_keys(ks, &t);
                else if (t.remove)
                        r = remove_keys(ks, &t);
                else
                        r = add_keys(ks, &t, a);
        }
        strv_free(t.remove);
        return r;
}
