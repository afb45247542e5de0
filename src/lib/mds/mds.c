/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdio.h>

#include "dl.h"
#include "json-io.h"
#include "mds.h"

/* --- values --- */

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int mds_uuid_parse(const char *s, uint8_t ret[MDS_UUID_SIZE]) {
        uint8_t b[MDS_UUID_SIZE];
        size_t n = 0;
        int hi = -1;

        if (!s)
                return -EINVAL;
        for (; *s; s++) {
                int v;
                if (*s == '-')
                        continue;
                v = unhex(*s);
                if (v < 0 || n >= MDS_UUID_SIZE)
                        return -EINVAL;
                if (hi < 0)
                        hi = v;
                else {
                        b[n++] = (uint8_t) (hi << 4 | v);
                        hi = -1;
                }
        }
        if (n != MDS_UUID_SIZE || hi >= 0)
                return -EINVAL;
        memcpy(ret, b, sizeof(b));
        return 0;
}

char *mds_uuid_format(const uint8_t u[MDS_UUID_SIZE], char buf[static 37]) {
        snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                 u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
        return buf;
}

bool mds_token_valid(const char *s) {
        size_t n;

        if (isempty(s))
                return false;
        n = strlen(s);
        if (n > MDS_TOKEN_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      strchr("-._~", c)))
                        return false;
        }
        return true;
}

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *mds_base64_encode(const void *data, size_t size) {
        const uint8_t *p = data;
        char *out, *o;

        out = malloc((size + 2) / 3 * 4 + 1);
        if (!out)
                return NULL;
        o = out;
        for (size_t i = 0; i < size; i += 3) {
                uint32_t v = (uint32_t) p[i] << 16;
                if (i + 1 < size)
                        v |= (uint32_t) p[i + 1] << 8;
                if (i + 2 < size)
                        v |= p[i + 2];
                *o++ = b64_alphabet[v >> 18 & 63];
                *o++ = b64_alphabet[v >> 12 & 63];
                *o++ = i + 1 < size ? b64_alphabet[v >> 6 & 63] : '=';
                *o++ = i + 2 < size ? b64_alphabet[v & 63] : '=';
        }
        *o = 0;
        return out;
}

static int b64_value(char c) {
        const char *p = c ? strchr(b64_alphabet, c) : NULL;
        return p ? (int) (p - b64_alphabet) : -1;
}

int mds_base64_decode(const char *s, uint8_t **ret, size_t *ret_size) {
        _cleanup_free_ char *clean = NULL;
        _cleanup_free_ uint8_t *out = NULL;
        size_t n = 0, o = 0;

        if (!s)
                return -EINVAL;
        clean = malloc(strlen(s) + 1);
        if (!clean)
                return -ENOMEM;
        for (const char *p = s; *p; p++)
                if (*p != '\r' && *p != '\n')
                        clean[n++] = *p;
        if (n % 4 != 0)
                return -EINVAL;
        out = malloc(n / 4 * 3 + 1);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n; i += 4) {
                int v[4];
                size_t pad = 0;

                for (size_t j = 0; j < 4; j++) {
                        if (clean[i + j] == '=') {
                                /* Padding only in the last group, only at its end, at most two. */
                                if (i + 4 != n || j < 2)
                                        return -EINVAL;
                                pad++;
                                v[j] = 0;
                                continue;
                        }
                        if (pad > 0)
                                return -EINVAL;
                        v[j] = b64_value(clean[i + j]);
                        if (v[j] < 0)
                                return -EINVAL;
                }
                uint32_t x = (uint32_t) v[0] << 18 | (uint32_t) v[1] << 12 | (uint32_t) v[2] << 6 |
                             (uint32_t) v[3];
                out[o++] = x >> 16 & 0xff;
                if (pad < 2)
                        out[o++] = x >> 8 & 0xff;
                if (pad < 1)
                        out[o++] = x & 0xff;
        }
        *ret = TAKE_PTR(out);
        *ret_size = o;
        return 0;
}

static int hmac_raw(const uint8_t *key, size_t key_size, const uint8_t uuid[MDS_UUID_SIZE],
                    const void *content, size_t content_size, uint8_t md[static EVP_MAX_MD_SIZE],
                    unsigned *md_len) {
        _cleanup_free_ uint8_t *msg = NULL;
        int r = crypto_dl_open(NULL);

        if (r < 0)
                return r;
        msg = malloc(MDS_UUID_SIZE + content_size);
        if (!msg)
                return -ENOMEM;
        memcpy(msg, uuid, MDS_UUID_SIZE);
        if (content_size > 0)
                memcpy(msg + MDS_UUID_SIZE, content, content_size);
        if (!sym_HMAC(sym_EVP_sha512(), key, (int) key_size, msg, MDS_UUID_SIZE + content_size, md, md_len))
                return -EIO;
        return 0;
}

int mds_hmac_sign(const uint8_t *key, size_t key_size, const uint8_t uuid[MDS_UUID_SIZE],
                  const void *content, size_t content_size, char **ret_signature) {
        uint8_t md[EVP_MAX_MD_SIZE];
        unsigned md_len = 0;
        char *s;
        int r;

        r = hmac_raw(key, key_size, uuid, content, content_size, md, &md_len);
        if (r < 0)
                return r;
        s = mds_base64_encode(md, md_len);
        explicit_bzero(md, sizeof(md));
        if (!s)
                return -ENOMEM;
        *ret_signature = s;
        return 0;
}

int mds_hmac_verify(const uint8_t *key, size_t key_size, const uint8_t uuid[MDS_UUID_SIZE],
                    const void *content, size_t content_size, const char *signature) {
        _cleanup_free_ uint8_t *sig = NULL;
        uint8_t md[EVP_MAX_MD_SIZE];
        unsigned md_len = 0;
        size_t sig_size = 0;
        int r;

        r = mds_base64_decode(signature, &sig, &sig_size);
        if (r < 0)
                return r;
        r = hmac_raw(key, key_size, uuid, content, content_size, md, &md_len);
        if (r < 0)
                return r;
        r = sig_size == md_len && sym_CRYPTO_memcmp(sig, md, md_len) == 0;
        explicit_bzero(md, sizeof(md));
        return r;
}

/* --- rendering --- */

static void kv_array_free(AppcKV *kv, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(kv[i].name);
                free(kv[i].value);
        }
        free(kv);
}

int mds_render_annotations(const AppcKV *annotations, size_t n, char **ret_json) {
        json_object *a;
        int r;

        a = json_object_new_array();
        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_new_object();
                if (!o || json_object_array_add(a, o) < 0) {
                        json_object_put(o);
                        json_object_put(a);
                        return -ENOMEM;
                }
                if (json_object_object_add(o, "name", json_object_new_string(annotations[i].name)) < 0 ||
                    json_object_object_add(o, "value",
                                           json_object_new_string(strempty(annotations[i].value))) < 0) {
                        json_object_put(a);
                        return -ENOMEM;
                }
        }
        r = json_to_plain_string(a, ret_json);
        json_object_put(a);
        return r;
}

int mds_merge_app_annotations(const AppcImageManifest *im, const AppcRuntimeApp *ra, AppcKV **ret,
                              size_t *ret_n) {
        AppcKV *kv = NULL;
        size_t n = 0;
        int r;

        for (size_t i = 0; im && i < im->n_annotations; i++)
                if ((r = appc_kv_set(&kv, &n, im->annotations[i].name, im->annotations[i].value)) < 0)
                        goto fail;
        for (size_t i = 0; ra && i < ra->n_annotations; i++)
                if ((r = appc_kv_set(&kv, &n, ra->annotations[i].name, ra->annotations[i].value)) < 0)
                        goto fail;
        *ret = kv;
        *ret_n = n;
        return 0;
fail:
        kv_array_free(kv, n);
        return r;
}

/* --- the registry --- */

typedef struct MdsApp {
        char *name;
        AppcImageManifest *manifest;
        char *manifest_json;
} MdsApp;

typedef struct MdsPod {
        uint8_t uuid[MDS_UUID_SIZE];
        char uuid_str[37];
        char *token;
        char *ip;
        AppcPodManifest *manifest;
        char *manifest_json;
        MdsApp *apps;
        size_t n_apps;
} MdsPod;

struct MdsRegistry {
        uint8_t key[MDS_HMAC_KEY_SIZE];
        MdsPod **pods;
        size_t n_pods;
};

static MdsPod *pod_free(MdsPod *p) {
        if (!p)
                return NULL;
        for (size_t i = 0; i < p->n_apps; i++) {
                free(p->apps[i].name);
                appc_image_manifest_free(p->apps[i].manifest);
                free(p->apps[i].manifest_json);
        }
        free(p->apps);
        free(p->token);
        free(p->ip);
        appc_pod_manifest_free(p->manifest);
        free(p->manifest_json);
        return mfree(p);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(MdsPod *, pod_free);

int mds_registry_new(const uint8_t *key, size_t key_size, MdsRegistry **ret) {
        MdsRegistry *r;
        int e;

        if (!key || key_size != MDS_HMAC_KEY_SIZE)
                return -EINVAL;
        /* libcrypto, for the HMAC and the tokens' comparison (dl.h) */
        e = crypto_dl_open(NULL);
        if (e < 0)
                return e;
        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        memcpy(r->key, key, key_size);
        *ret = r;
        return 0;
}

MdsRegistry *mds_registry_free(MdsRegistry *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_pods; i++)
                pod_free(r->pods[i]);
        free(r->pods);
        explicit_bzero(r->key, sizeof(r->key));
        return mfree(r);
}

size_t mds_registry_n_pods(const MdsRegistry *r) {
        return r->n_pods;
}

static ssize_t find_uuid(const MdsRegistry *r, const uint8_t uuid[MDS_UUID_SIZE]) {
        for (size_t i = 0; i < r->n_pods; i++)
                if (memcmp(r->pods[i]->uuid, uuid, MDS_UUID_SIZE) == 0)
                        return (ssize_t) i;
        return -1;
}

/* Every registered token is compared, each in constant time, so the time an answer takes says nothing
 * about how much of a guessed token was right. */
static MdsPod *find_token(const MdsRegistry *r, const char *token) {
        size_t n = strlen(token);
        MdsPod *found = NULL;

        for (size_t i = 0; i < r->n_pods; i++) {
                MdsPod *p = r->pods[i];
                if (strlen(p->token) == n && sym_CRYPTO_memcmp(p->token, token, n) == 0)
                        found = p;
        }
        return found;
}

static void remove_at(MdsRegistry *r, size_t i) {
        pod_free(r->pods[i]);
        memmove(r->pods + i, r->pods + i + 1, (r->n_pods - i - 1) * sizeof(r->pods[0]));
        r->n_pods--;
}

static bool ip_valid(const char *s) {
        uint8_t buf[16];
        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

int mds_registry_add_pod(MdsRegistry *r, const char *uuid, const char *token, const char *ip,
                         const char *pod_manifest, size_t size, RktError **reterr) {
        _cleanup_(pod_freep) MdsPod *p = NULL;
        MdsPod **pods, *other;
        ssize_t i;
        int k;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        if (mds_uuid_parse(uuid, p->uuid) < 0)
                return rkt_error_set(reterr, -EINVAL, "'%s' is not a UUID", strempty(uuid));
        mds_uuid_format(p->uuid, p->uuid_str);
        if (!mds_token_valid(token))
                return rkt_error_set(
                        reterr, -EINVAL,
                        "the token must be 1 to %d characters of A-Z, a-z, 0-9, '-', '.', '_', '~'",
                        MDS_TOKEN_MAX);
        if (!isempty(ip) && !ip_valid(ip))
                return rkt_error_set(reterr, -EINVAL, "'%s' is not an IP address", ip);

        other = find_token(r, token);
        if (other && memcmp(other->uuid, p->uuid, MDS_UUID_SIZE) != 0)
                return rkt_error_set(reterr, -EEXIST, "the token is already registered for another pod");

        k = appc_pod_manifest_parse(pod_manifest, size, &p->manifest, reterr);
        if (k < 0)
                return rkt_error_prefix(reterr, k, "pod manifest");
        k = appc_pod_manifest_to_json(p->manifest, &p->manifest_json, reterr);
        if (k < 0)
                return k;
        p->token = strdup(token);
        p->ip = isempty(ip) ? NULL : strdup(ip);
        if (!p->token || (!isempty(ip) && !p->ip))
                return -ENOMEM;

        i = find_uuid(r, p->uuid);
        if (i >= 0) {
                pod_free(r->pods[i]);
                r->pods[i] = TAKE_PTR(p);
                return 0;
        }
        pods = reallocarray(r->pods, r->n_pods + 1, sizeof(r->pods[0]));
        if (!pods)
                return -ENOMEM;
        r->pods = pods;
        r->pods[r->n_pods++] = TAKE_PTR(p);
        return 0;
}

int mds_registry_add_app(MdsRegistry *r, const char *uuid, const char *app, const char *image_manifest,
                         size_t size, RktError **reterr) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *im = NULL;
        _cleanup_free_ char *json = NULL, *name = NULL;
        uint8_t u[MDS_UUID_SIZE];
        MdsApp *apps;
        MdsPod *p;
        ssize_t i;
        int k;

        if (mds_uuid_parse(uuid, u) < 0)
                return rkt_error_set(reterr, -EINVAL, "'%s' is not a UUID", strempty(uuid));
        if (!appc_ac_name_valid(app))
                return rkt_error_set(reterr, -EINVAL, "app name '%s' is not a valid AC Name", strempty(app));
        i = find_uuid(r, u);
        if (i < 0)
                return rkt_error_set(reterr, -ENOENT, "pod '%s' is not registered", uuid);
        p = r->pods[i];
        if (!appc_pod_manifest_get_app(p->manifest, app))
                return rkt_error_set(reterr, -EINVAL, "pod '%s' has no app '%s'", p->uuid_str, app);

        k = appc_image_manifest_parse(image_manifest, size, &im, reterr);
        if (k < 0)
                return rkt_error_prefix(reterr, k, "image manifest of app '%s'", app);
        k = appc_image_manifest_to_json(im, &json, reterr);
        if (k < 0)
                return k;

        for (size_t j = 0; j < p->n_apps; j++)
                if (streq(p->apps[j].name, app)) {
                        appc_image_manifest_free(p->apps[j].manifest);
                        free(p->apps[j].manifest_json);
                        p->apps[j].manifest = TAKE_PTR(im);
                        p->apps[j].manifest_json = TAKE_PTR(json);
                        return 0;
                }
        name = strdup(app);
        apps = name ? reallocarray(p->apps, p->n_apps + 1, sizeof(p->apps[0])) : NULL;
        if (!apps)
                return -ENOMEM;
        p->apps = apps;
        p->apps[p->n_apps++] = (MdsApp){
                .name = TAKE_PTR(name),
                .manifest = TAKE_PTR(im),
                .manifest_json = TAKE_PTR(json),
        };
        return 0;
}

int mds_registry_remove_pod(MdsRegistry *r, const char *uuid) {
        uint8_t u[MDS_UUID_SIZE];
        ssize_t i;

        if (mds_uuid_parse(uuid, u) < 0)
                return -EINVAL;
        i = find_uuid(r, u);
        if (i < 0)
                return -ENOENT;
        remove_at(r, (size_t) i);
        return 0;
}

const char *mds_registry_lookup_token(const MdsRegistry *r, const char *token) {
        MdsPod *p = token ? find_token(r, token) : NULL;
        return p ? p->uuid_str : NULL;
}

/* --- forms --- */

int mds_form_add(MdsForm *f, const char *key, const void *data, size_t size, uint64_t off) {
        MdsFormField *field;
        char *v;

        if (off > 0) {
                for (size_t i = f->n_fields; i > 0; i--) {
                        field = &f->fields[i - 1];
                        if (!streq(field->key, key))
                                continue;
                        v = realloc(field->value, field->value_size + size + 1);
                        if (!v)
                                return -ENOMEM;
                        if (size > 0)
                                memcpy(v + field->value_size, data, size);
                        field->value_size += size;
                        v[field->value_size] = 0;
                        field->value = v;
                        return 0;
                }
                return -EINVAL;
        }

        field = reallocarray(f->fields, f->n_fields + 1, sizeof(f->fields[0]));
        if (!field)
                return -ENOMEM;
        f->fields = field;
        field = &f->fields[f->n_fields];
        *field = (MdsFormField){.key = strdup(key), .value = malloc(size + 1), .value_size = size};
        if (!field->key || !field->value) {
                free(field->key);
                free(field->value);
                return -ENOMEM;
        }
        if (size > 0)
                memcpy(field->value, data, size);
        field->value[size] = 0;
        f->n_fields++;
        return 0;
}

const char *mds_form_get(const MdsForm *f, const char *key, size_t *ret_size) {
        for (size_t i = 0; f && i < f->n_fields; i++)
                if (streq(f->fields[i].key, key)) {
                        if (ret_size)
                                *ret_size = f->fields[i].value_size;
                        return f->fields[i].value;
                }
        return NULL;
}

void mds_form_done(MdsForm *f) {
        for (size_t i = 0; i < f->n_fields; i++) {
                free(f->fields[i].key);
                free(f->fields[i].value);
        }
        free(f->fields);
        *f = (MdsForm){};
}

/* --- HTTP --- */

void mds_response_done(MdsResponse *resp) {
        free(resp->body);
        *resp = (MdsResponse){};
}

/* Takes body. */
static int respond(MdsResponse *ret, unsigned status, const char *content_type, char *body, size_t size) {
        *ret = (MdsResponse){
                .status = status,
                .content_type = content_type,
                .body = body,
                .body_size = size,
        };
        return 0;
}

static int respond_text(MdsResponse *ret, unsigned status, const char *content_type, const char *text) {
        char *b = strdup(text);
        if (!b)
                return -ENOMEM;
        return respond(ret, status, content_type, b, strlen(b));
}

static int respond_error(MdsResponse *ret, unsigned status, const char *fmt, ...) _printf_(3, 4);
static int respond_error(MdsResponse *ret, unsigned status, const char *fmt, ...) {
        va_list ap;
        char *b = NULL;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&b, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        return respond(ret, status, MDS_CONTENT_TYPE_ERROR, b, (size_t) n);
}

static int respond_method(MdsResponse *ret, const char *allow) {
        int k = respond_error(ret, 405, "method not allowed\n");
        if (k < 0)
                return k;
        ret->allow = allow;
        return 0;
}

/* An RktError's text as a 4xx answer; -ENOMEM passes through. */
static int respond_rkt_error(MdsResponse *ret, int code, const RktError *err) {
        unsigned status = code == -ENOENT ? 404 : code == -EEXIST ? 409 : 400;
        if (code == -ENOMEM)
                return code;
        return respond_error(ret, status, "%s\n", rkt_error_message(err, code));
}

int mds_handle_registration(MdsRegistry *r, const char *method, const char *path, const MdsForm *query,
                            const void *body, size_t body_size, MdsResponse *ret) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_free_ char *uuid = NULL;
        const char *rest, *slash;
        int k;

        *ret = (MdsResponse){};
        rest = startswith(path, "/pods/");
        if (!rest || !*rest)
                return respond_error(ret, 404, "not found\n");
        slash = strchr(rest, '/');
        uuid = slash ? strndup(rest, (size_t) (slash - rest)) : strdup(rest);
        if (!uuid)
                return -ENOMEM;

        if (!slash) {
                if (streq(method, "PUT")) {
                        k = mds_registry_add_pod(r, uuid, mds_form_get(query, "token", NULL),
                                                 mds_form_get(query, "ip", NULL), body, body_size, &err);
                        return k < 0 ? respond_rkt_error(ret, k, err) : respond(ret, 200, NULL, NULL, 0);
                }
                if (streq(method, "DELETE")) {
                        k = mds_registry_remove_pod(r, uuid);
                        if (k == -EINVAL)
                                return respond_error(ret, 400, "'%s' is not a UUID\n", uuid);
                        if (k < 0)
                                return respond_error(ret, 404, "pod '%s' is not registered\n", uuid);
                        return respond(ret, 200, NULL, NULL, 0);
                }
                return respond_method(ret, "PUT, DELETE");
        }

        if (!streq(method, "PUT"))
                return respond_method(ret, "PUT");
        k = mds_registry_add_app(r, uuid, slash + 1, body, body_size, &err);
        return k < 0 ? respond_rkt_error(ret, k, err) : respond(ret, 200, NULL, NULL, 0);
}

static MdsApp *pod_app(MdsPod *p, const char *name) {
        for (size_t i = 0; i < p->n_apps; i++)
                if (streq(p->apps[i].name, name))
                        return &p->apps[i];
        return NULL;
}

static int respond_annotation(MdsResponse *ret, const AppcKV *kv, size_t n, const char *name,
                              const char *what) {
        const char *v;

        if (!appc_ac_identifier_valid(name))
                return respond_error(ret, 400, "%s annotation name '%s' is not a valid AC Identifier\n",
                                     what, name);
        v = appc_kv_get(kv, n, name);
        if (!v)
                return respond_error(ret, 404, "%s annotation '%s' not found\n", what, name);
        return respond_text(ret, 200, MDS_CONTENT_TYPE_TEXT, v);
}

static int handle_app(MdsPod *p, const char *app_name, const char *what, MdsResponse *ret) {
        const AppcRuntimeApp *ra;
        const char *name;
        AppcKV *kv = NULL;
        size_t n = 0;
        MdsApp *app;
        int k;

        app = pod_app(p, app_name);
        ra = appc_pod_manifest_get_app(p->manifest, app_name);
        if (!app || !ra)
                return respond_error(ret, 404, "app '%s' not found\n", app_name);

        if (streq(what, "image/manifest"))
                return respond_text(ret, 200, MDS_CONTENT_TYPE_JSON, app->manifest_json);
        if (streq(what, "image/id"))
                return respond_text(ret, 200, MDS_CONTENT_TYPE_TEXT, ra->image.id);

        k = mds_merge_app_annotations(app->manifest, ra, &kv, &n);
        if (k < 0)
                return k;
        if (streq(what, "annotations")) {
                char *json = NULL;
                k = mds_render_annotations(kv, n, &json);
                if (k >= 0)
                        k = respond(ret, 200, MDS_CONTENT_TYPE_JSON, json, strlen(json));
        } else {
                name = startswith(what, "annotations/");
                k = respond_annotation(ret, kv, n, name, "app");
        }
        kv_array_free(kv, n);
        return k;
}

static int handle_sign(MdsRegistry *r, MdsPod *p, const MdsForm *form, MdsResponse *ret) {
        const char *content;
        size_t size = 0;
        char *sig = NULL;
        int k;

        content = mds_form_get(form, "content", &size);
        if (!content || size == 0)
                return respond_error(ret, 400, "content form value not found\n");
        k = mds_hmac_sign(r->key, sizeof(r->key), p->uuid, content, size, &sig);
        if (k < 0)
                return k;
        return respond(ret, 200, MDS_CONTENT_TYPE_TEXT, sig, strlen(sig));
}

static int handle_verify(MdsRegistry *r, const MdsForm *form, MdsResponse *ret) {
        const char *content, *uuid, *sig;
        uint8_t u[MDS_UUID_SIZE];
        size_t size = 0;
        int k;

        uuid = mds_form_get(form, "uuid", NULL);
        if (!uuid || mds_uuid_parse(uuid, u) < 0)
                k = respond_error(ret, 400, "uuid field missing or malformed\n");
        else if (!(content = mds_form_get(form, "content", &size)) || size == 0)
                k = respond_error(ret, 400, "content field missing\n");
        else {
                sig = mds_form_get(form, "signature", NULL);
                k = mds_hmac_verify(r->key, sizeof(r->key), u, content, size, strempty(sig));
                if (k == -EINVAL)
                        k = respond_error(ret, 400, "signature field missing or corrupt\n");
                else if (k >= 0)
                        k = respond(ret, k ? 200 : 403, NULL, NULL, 0);
        }
        /* As rkt, every answer of verify is text/plain; charset=us-ascii. */
        ret->content_type = MDS_CONTENT_TYPE_TEXT;
        return k;
}

typedef enum Route {
        ROUTE_NONE,
        ROUTE_POD_ANNOTATIONS,
        ROUTE_POD_ANNOTATION,
        ROUTE_POD_MANIFEST,
        ROUTE_POD_UUID,
        ROUTE_APP,
        ROUTE_SIGN,
        ROUTE_VERIFY,
} Route;

int mds_handle_public(MdsRegistry *r, const char *method, const char *path, const MdsForm *form,
                      MdsResponse *ret) {
        _cleanup_free_ char *token = NULL, *app = NULL;
        const char *rest, *slash, *what = NULL;
        Route route = ROUTE_NONE;
        bool post;
        MdsPod *p;

        *ret = (MdsResponse){};
        /* /TOKEN/acMetadata/v1/… */
        if (path[0] != '/' || !(slash = strchr(path + 1, '/')) || slash == path + 1)
                return respond_error(ret, 404, "not found\n");
        rest = startswith(slash, "/acMetadata/v1/");
        if (!rest)
                return respond_error(ret, 404, "not found\n");

        if (streq(rest, "pod/annotations"))
                route = ROUTE_POD_ANNOTATIONS;
        else if ((what = startswith(rest, "pod/annotations/")))
                route = ROUTE_POD_ANNOTATION;
        else if (streq(rest, "pod/manifest"))
                route = ROUTE_POD_MANIFEST;
        else if (streq(rest, "pod/uuid"))
                route = ROUTE_POD_UUID;
        else if (streq(rest, "pod/hmac/sign"))
                route = ROUTE_SIGN;
        else if (streq(rest, "pod/hmac/verify"))
                route = ROUTE_VERIFY;
        else if ((rest = startswith(rest, "apps/")) && (slash = strchr(rest, '/')) && slash > rest) {
                what = slash + 1;
                if (streq(what, "annotations") || startswith(what, "annotations/") ||
                    streq(what, "image/manifest") || streq(what, "image/id")) {
                        route = ROUTE_APP;
                        app = strndup(rest, (size_t) (slash - rest));
                        if (!app)
                                return -ENOMEM;
                }
        }
        if (route == ROUTE_NONE)
                return respond_error(ret, 404, "not found\n");

        post = route == ROUTE_SIGN || route == ROUTE_VERIFY;
        if (!streq(method, post ? "POST" : "GET"))
                return respond_method(ret, post ? "POST" : "GET");
        if (route == ROUTE_VERIFY)
                return handle_verify(r, form, ret);

        slash = strchr(path + 1, '/');
        token = strndup(path + 1, (size_t) (slash - path - 1));
        if (!token)
                return -ENOMEM;
        p = find_token(r, token);
        if (!p)
                return respond_error(ret, 401, "no pod is registered with this token\n");

        switch (route) {
        case ROUTE_POD_ANNOTATIONS: {
                char *json = NULL;
                int k = mds_render_annotations(p->manifest->annotations, p->manifest->n_annotations, &json);
                if (k < 0)
                        return k;
                return respond(ret, 200, MDS_CONTENT_TYPE_JSON, json, strlen(json));
        }
        case ROUTE_POD_ANNOTATION:
                return respond_annotation(ret, p->manifest->annotations, p->manifest->n_annotations, what,
                                          "pod");
        case ROUTE_POD_MANIFEST:
                return respond_text(ret, 200, MDS_CONTENT_TYPE_JSON, p->manifest_json);
        case ROUTE_POD_UUID:
                return respond_text(ret, 200, MDS_CONTENT_TYPE_TEXT, p->uuid_str);
        case ROUTE_APP:
                return handle_app(p, app, what, ret);
        case ROUTE_SIGN:
                return handle_sign(r, p, form, ret);
        default:
                return respond_error(ret, 404, "not found\n");
        }
}
