/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>

#include "dl.h"
#include "fs.h"
#include "log.h"
#include "mds-client.h"
#include "pod.h"
#include "util.h"

#define REPLY_MAX 4096

int mds_token_new(char **ret) {
        uint8_t b[16];
        char *s;
        int r = random_bytes(b, sizeof(b));

        if (r < 0)
                return r;
        s = malloc(sizeof(b) * 2 + 1);
        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < sizeof(b); i++)
                snprintf(s + 2 * i, 3, "%02x", b[i]);
        *ret = s;
        return 0;
}

typedef struct Reply {
        char buf[REPLY_MAX];
        size_t len;
} Reply;

static size_t reply_write(char *data, size_t size, size_t nmemb, void *userdata) {
        Reply *r = userdata;
        size_t n = size * nmemb, room = sizeof(r->buf) - 1 - r->len;

        memcpy(r->buf + r->len, data, MIN(n, room));
        r->len += MIN(n, room);
        r->buf[r->len] = 0;
        return n;
}

static void curl_easy_cleanupp(CURL **c) {
        if (*c)
                sym_curl_easy_cleanup(*c);
}
static void curl_slist_free_allp(struct curl_slist **l) {
        if (*l)
                sym_curl_slist_free_all(*l);
}

/* One request; 0 after a 200 answer. */
static int request(const char *socket_path, const char *method, const char *path, const char *body,
                   size_t body_size, RktError **reterr) {
        _cleanup_(curl_slist_free_allp) struct curl_slist *headers = NULL;
        _cleanup_(curl_easy_cleanupp) CURL *c = NULL;
        _cleanup_free_ char *url = NULL;
        char curl_err[CURL_ERROR_SIZE] = "";
        long status = 0, os_errno = 0;
        Reply reply = {};
        CURLcode cc;
        int r = curl_dl_open(reterr);

        if (r < 0)
                return r;
        if (asprintf(&url, "http://localhost%s", path) < 0)
                return -ENOMEM;
        c = sym_curl_easy_init();
        if (!c)
                return -ENOMEM;
        if (body) {
                headers = sym_curl_slist_append(NULL, "Content-Type: application/json");
                /* No "Expect: 100-continue" round trip: the service takes the body anyway. */
                if (headers)
                        headers = sym_curl_slist_append(headers, "Expect:");
                if (!headers)
                        return -ENOMEM;
        }
        if (sym_curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket_path) != CURLE_OK ||
            sym_curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
            sym_curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method) != CURLE_OK ||
            sym_curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            sym_curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L) != CURLE_OK ||
            sym_curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err) != CURLE_OK ||
            sym_curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, reply_write) != CURLE_OK ||
            sym_curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply) != CURLE_OK)
                return -ENOMEM;
        if (body &&
            (sym_curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
             sym_curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) body_size) != CURLE_OK ||
             sym_curl_easy_setopt(c, CURLOPT_POSTFIELDS, body) != CURLE_OK))
                return -ENOMEM;

        log_debug("metadata service: %s %s", method, path);
        cc = sym_curl_easy_perform(c);
        if (cc == CURLE_COULDNT_CONNECT) {
                (void) sym_curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
                return rkt_error_set_hint(reterr, -ECONNREFUSED, RKT_HINT_MDS_UNREACHABLE, NULL,
                                          "could not reach the metadata service at '%s' (%s)", socket_path,
                                          os_errno > 0 ? strerror((int) os_errno) : "connection failed");
        }
        if (cc != CURLE_OK)
                return rkt_error_set(reterr, -EIO, "%s %s on the metadata service: %s", method, path,
                                     *curl_err ? curl_err : sym_curl_easy_strerror(cc));
        (void) sym_curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status == 200)
                return 0;

        /* The service's reason, on one line. */
        while (reply.len > 0 && (reply.buf[reply.len - 1] == '\n' || reply.buf[reply.len - 1] == '\r'))
                reply.buf[--reply.len] = 0;
        return rkt_error_set(reterr,
                             status == 404   ? -ENOENT
                             : status == 409 ? -EEXIST
                             : status == 400 ? -EINVAL
                                             : -EIO,
                             "%s %s on the metadata service: HTTP %ld%s%s", method, path, status,
                             reply.len ? ": " : "", reply.buf);
}

static int canonical_uuid(const char *uuid, char buf[static 37], RktError **reterr) {
        uint8_t u[MDS_UUID_SIZE];

        if (mds_uuid_parse(uuid, u) < 0)
                return rkt_error_set(reterr, -EINVAL, "'%s' is not a UUID", strempty(uuid));
        mds_uuid_format(u, buf);
        return 0;
}

int mds_register_pod(const char *socket_path, const char *uuid, const char *pod_manifest,
                     size_t pod_manifest_size, const char *token, const char *ip, const MdsAppManifest *apps,
                     size_t n_apps, RktError **reterr) {
        _cleanup_(curl_easy_cleanupp) CURL *esc = NULL;
        _cleanup_free_ char *path = NULL;
        char *tok = NULL, *eip = NULL;
        char u[37];
        int r;

        socket_path = socket_path ?: MDS_SOCKET_PATH;
        r = canonical_uuid(uuid, u, reterr);
        if (r < 0)
                return r;
        if (!mds_token_valid(token))
                return rkt_error_set(reterr, -EINVAL, "invalid metadata service token");
        for (size_t i = 0; i < n_apps; i++)
                if (!appc_ac_name_valid(apps[i].name))
                        return rkt_error_set(reterr, -EINVAL, "app name '%s' is not a valid AC Name",
                                             strempty(apps[i].name));

        r = curl_dl_open(reterr);
        if (r < 0)
                return r;
        esc = sym_curl_easy_init();
        if (!esc)
                return -ENOMEM;
        tok = sym_curl_easy_escape(esc, token, 0);
        eip = isempty(ip) ? NULL : sym_curl_easy_escape(esc, ip, 0);
        r = !tok || (!isempty(ip) && !eip) ||
                            asprintf(&path, "/pods/%s?token=%s%s%s", u, tok, eip ? "&ip=" : "",
                                     strempty(eip)) < 0
                    ? -ENOMEM
                    : 0;
        sym_curl_free(tok);
        sym_curl_free(eip);
        if (r < 0)
                return r;

        r = request(socket_path, "PUT", path, pod_manifest, pod_manifest_size, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "registering pod '%s'", u);

        for (size_t i = 0; i < n_apps; i++) {
                free(path);
                path = NULL;
                if (asprintf(&path, "/pods/%s/%s", u, apps[i].name) < 0)
                        r = -ENOMEM;
                else
                        r = request(socket_path, "PUT", path, apps[i].manifest, apps[i].size, reterr);
                if (r < 0) {
                        (void) mds_unregister_pod(socket_path, u, NULL);
                        return rkt_error_prefix(reterr, r, "registering app '%s' of pod '%s'", apps[i].name,
                                                u);
                }
        }
        return 0;
}

int mds_unregister_pod(const char *socket_path, const char *uuid, RktError **reterr) {
        _cleanup_free_ char *path = NULL;
        char u[37];
        int r;

        r = canonical_uuid(uuid, u, reterr);
        if (r < 0)
                return r;
        if (asprintf(&path, "/pods/%s", u) < 0)
                return -ENOMEM;
        r = request(socket_path ?: MDS_SOCKET_PATH, "DELETE", path, NULL, 0, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "unregistering pod '%s'", u);
        return 0;
}

typedef struct AppFile {
        char *json;
        size_t size;
} AppFile;

int mds_register_pod_at(int pod_dirfd, const char *socket_path, const char *uuid, const char *token,
                        const char *ip, RktError **reterr) {
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        _cleanup_free_ MdsAppManifest *apps = NULL;
        _cleanup_free_ AppFile *files = NULL;
        _cleanup_free_ char *pm = NULL;
        _cleanup_close_ int s1fd = -1;
        size_t pm_size = 0;
        int r;

        r = read_full_file_at(pod_dirfd, POD_MANIFEST, &pm, &pm_size);
        if (r < 0)
                return rkt_error_set(reterr, r, "cannot read the pod manifest: %s", strerror(-r));
        r = appc_pod_manifest_parse(pm, pm_size, &m, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "pod manifest");

        apps = calloc(m->n_apps ?: 1, sizeof(*apps));
        files = calloc(m->n_apps ?: 1, sizeof(*files));
        if (!apps || !files)
                return -ENOMEM;
        s1fd = openat(pod_dirfd, POD_STAGE1_ROOTFS, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s1fd < 0)
                return rkt_error_set(reterr, negative_errno(), "cannot open " POD_STAGE1_ROOTFS ": %m");
        for (size_t i = 0; i < m->n_apps; i++) {
                r = stage2_manifest_read(s1fd, m->apps[i].name, &files[i].json, &files[i].size, reterr);
                if (r < 0)
                        goto finish;
                apps[i] = (MdsAppManifest){m->apps[i].name, files[i].json, files[i].size};
        }

        r = mds_register_pod(socket_path, uuid, pm, pm_size, token, ip, apps, m->n_apps, reterr);
        if (r < 0)
                goto finish;
        r = write_file_atomic_at(pod_dirfd, MDS_REGISTERED_FILE, "", 0, 0644);
        if (r < 0) {
                (void) mds_unregister_pod(socket_path, uuid, NULL);
                rkt_error_set(reterr, r, "cannot write '%s': %s", MDS_REGISTERED_FILE, strerror(-r));
        }
finish:
        for (size_t i = 0; i < m->n_apps; i++)
                free(files[i].json);
        return r;
}

int mds_unregister_pod_at(int pod_dirfd, const char *socket_path, const char *uuid, RktError **reterr) {
        _cleanup_error_ RktError *err = NULL;
        int r;

        if (faccessat(pod_dirfd, MDS_REGISTERED_FILE, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                r = negative_errno();
                return rkt_error_set(reterr, r, "cannot check '%s': %s", MDS_REGISTERED_FILE, strerror(-r));
        }
        r = mds_unregister_pod(socket_path, uuid, &err);
        if (r == -ENOENT)
                return 0;
        if (r < 0 && reterr && !*reterr)
                *reterr = TAKE_PTR(err);
        return r;
}
