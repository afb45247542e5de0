/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "fs.h"
#include "macro.h"
#include "stage1-contract.h"
#include "strv.h"
#include "util.h"

int stage2_path(const char *prefix, const char *app, const char *what, char **ret) {
        int r;

        if (isempty(app) || strchr(app, '/') || streq(app, ".") || streq(app, ".."))
                return -EINVAL;
        r = prefix ? asprintf(ret, "%s/" STAGE2_DIR "/%s/%s", prefix, app, what)
                   : asprintf(ret, STAGE2_DIR "/%s/%s", app, what);
        return r < 0 ? -ENOMEM : 0;
}

static int interface_version(const char *value) {
        uint64_t v;

        return !value || parse_uint_max(value, INT_MAX, &v) < 0 || v < 1 ? 1 : (int) v;
}

int stage2_manifest_read(int s1fd, const char *app, char **ret, size_t *ret_size, RktError **reterr) {
        _cleanup_free_ char *path = NULL;
        int r = stage2_path(NULL, app, STAGE2_MANIFEST, &path);

        if (r == -EINVAL)
                return rkt_error_set(reterr, r, "app '%s': not an app name", app);
        if (r < 0)
                return r;
        r = read_file_in_root(s1fd, path, STAGE2_MANIFEST_MAX, ret, ret_size);
        if (r < 0)
                return rkt_error_set(reterr, r,
                                     "app '%s': reading its image manifest " POD_STAGE1_ROOTFS "/%s: %s",
                                     app, path, strerror(-r));
        return 0;
}

int stage2_manifest_load(int s1fd, const char *app, AppcImageManifest **ret, RktError **reterr) {
        _cleanup_free_ char *json = NULL;
        size_t size;
        int r = stage2_manifest_read(s1fd, app, &json, &size, reterr);

        if (r < 0)
                return r;
        r = appc_image_manifest_parse(json, size, ret, reterr);
        return r < 0 ? rkt_error_prefix(reterr, r, "app '%s': image manifest", app) : 0;
}

int stage1_manifest_entrypoint(const char *json, const char *name, char **ret, int *ret_version) {
        _cleanup_(json_object_putp) json_object *m = json_tokener_parse(json);
        const char *value = NULL, *version = NULL;
        json_object *annotations;

        if (!m)
                return -EBADMSG;
        if (!json_object_object_get_ex(m, "annotations", &annotations) ||
            !json_object_is_type(annotations, json_type_array))
                return -ENODATA;
        for (size_t i = 0; i < json_object_array_length(annotations); i++) {
                json_object *a = json_object_array_get_idx(annotations, i), *n, *v;
                const char *s;

                if (!json_object_object_get_ex(a, "name", &n) ||
                    !json_object_object_get_ex(a, "value", &v) ||
                    !json_object_is_type(n, json_type_string) || !json_object_is_type(v, json_type_string))
                        continue;
                s = json_object_get_string(n);
                /* The first of each, as a lookup by name finds it. */
                if (!value && streq(s, name))
                        value = json_object_get_string(v);
                if (!version && streq(s, STAGE1_INTERFACE_VERSION))
                        version = json_object_get_string(v);
        }
        if (!value)
                return -ENODATA;
        *ret = strdup(value);
        if (!*ret)
                return -ENOMEM;
        if (ret_version)
                *ret_version = interface_version(version);
        return 0;
}

int stage1_parse_pid(const char *s, pid_t *ret) {
        uint64_t v;

        if (!s || parse_uint_max(s, INT32_MAX, &v) < 0 || v == 0)
                return -EINVAL;
        *ret = (pid_t) v;
        return 0;
}

int stage1_read_pid_at(int dirfd, const char *path, pid_t *ret) {
        _cleanup_free_ char *s = NULL;
        size_t len;
        int r;

        /* The pod directory is the host's, but a pid is a few digits: nothing else is read. */
        r = read_regular_file_at(dirfd, path, 64, &s, &len);
        if (r == -EFBIG)
                return -EBADMSG;
        if (r < 0)
                return r;
        if (len > 0 && s[len - 1] == '\n')
                s[len - 1] = 0;
        return stage1_parse_pid(s, ret) < 0 ? -EBADMSG : 0;
}

static int append_pids(const char *text, pid_t **pids, size_t *n) {
        for (const char *p = text; *p;) {
                char *end;
                long v = strtol(p, &end, 10);
                pid_t *grown;

                if (end == p)
                        break;
                grown = reallocarray(*pids, *n + 1, sizeof(pid_t));
                if (!grown)
                        return -ENOMEM;
                *pids = grown;
                (*pids)[(*n)++] = (pid_t) v;
                p = end + strspn(end, " \n");
        }
        return 0;
}

/* Kernels without CONFIG_PROC_CHILDREN: every process whose parent (field 4 of /proc/<pid>/stat) is pid. */
static int children_by_scan(pid_t pid, pid_t **ret, size_t *ret_n) {
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_(closedirp) DIR *d = opendir("/proc");
        struct dirent *de;
        size_t n = 0;

        if (!d)
                return negative_errno();
        while ((de = readdir(d))) {
                _cleanup_free_ char *stat_text = NULL;
                char path[64], *close_paren;
                long child, parent;
                pid_t *grown;

                if (!isdigit((unsigned char) de->d_name[0]))
                        continue;
                child = strtol(de->d_name, NULL, 10);
                snprintf(path, sizeof(path), "/proc/%ld/stat", child);
                if (read_full_file_at(AT_FDCWD, path, &stat_text, NULL) < 0)
                        continue;
                /* "pid (comm) S ppid …": comm may hold spaces and parentheses, the last ')' ends it. */
                close_paren = strrchr(stat_text, ')');
                if (!close_paren || sscanf(close_paren + 1, " %*c %ld", &parent) != 1 || parent != pid)
                        continue;
                grown = reallocarray(pids, n + 1, sizeof(pid_t));
                if (!grown)
                        return -ENOMEM;
                pids = grown;
                pids[n++] = (pid_t) child;
        }
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

int pod_process_children(pid_t pid, pid_t **ret, size_t *ret_n) {
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        char path[64];
        bool any_file = false;
        size_t n = 0;
        int r = 0;

        if (pid <= 0)
                return -ENOENT;
        snprintf(path, sizeof(path), "/proc/%d/task", (int) pid);
        d = opendir(path);
        if (!d)
                return negative_errno();
        while (r >= 0 && (de = readdir(d))) {
                _cleanup_free_ char *text = NULL, *file = NULL;

                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&file, "%s/%s/children", path, de->d_name) < 0)
                        r = -ENOMEM;
                else if (read_full_file_at(AT_FDCWD, file, &text, NULL) >= 0) {
                        any_file = true;
                        r = append_pids(text, &pids, &n);
                }
        }
        if (r < 0)
                return r;
        if (!any_file && access("/proc/self/task", F_OK) >= 0 && access("/proc/1/task/1/children", F_OK) < 0)
                return children_by_scan(pid, ret, ret_n);
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

int pod_process_leader(pid_t nspawn, pid_t *ret) {
        _cleanup_free_ pid_t *kids = NULL;
        size_t n = 0;
        int r = pod_process_children(nspawn, &kids, &n);

        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        /* Several while nspawn's helpers run at start: not settled yet. */
        if (n != 1)
                return n == 0 ? -ESRCH : -EAGAIN;
        *ret = kids[0];
        return 0;
}

int stage1_run_argv(const Stage1RunArgs *a, char ***ret) {
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *dirs = NULL;
        int r;

        if (!a->entrypoint || !a->uuid || !a->net || !a->local_config)
                return -EINVAL;
        if (a->net_plugin_dirs && !(dirs = strv_join(a->net_plugin_dirs, ":")))
                return -ENOMEM;
        r = strv_extend(&argv, a->entrypoint);
        if (r >= 0 && a->debug)
                r = strv_extend(&argv, "--debug");
        if (r >= 0)
                r = strv_extendf(&argv, "--net=%s", a->net);
        if (r >= 0 && a->interactive)
                r = strv_extend(&argv, "--interactive");
        if (r >= 0)
                r = strv_extendf(&argv, "--local-config=%s", a->local_config);
        if (r >= 0 && a->private_users)
                r = strv_extend(&argv, a->private_users);
        if (r >= 0 && a->hostname)
                r = strv_extendf(&argv, "--hostname=%s", a->hostname);
        if (r >= 0 && a->ipc)
                r = strv_extendf(&argv, "--ipc=%s", a->ipc);
        /* The networks of net.d come from both config dirs; DNS flags are stage1's to apply. */
        if (r >= 0 && a->system_config)
                r = strv_extendf(&argv, "--system-config=%s", a->system_config);
        if (r >= 0 && dirs)
                r = strv_extendf(&argv, "--net-plugin-dirs=%s", dirs);
        STRV_FOREACH(d, a->dns_args)
        if (r >= 0)
                r = strv_extend(&argv, *d);
        if (r >= 0 && a->disable_capabilities)
                r = strv_extend(&argv, "--disable-capabilities-restriction");
        if (r >= 0 && a->disable_paths)
                r = strv_extend(&argv, "--disable-paths");
        if (r >= 0 && a->disable_seccomp)
                r = strv_extend(&argv, "--disable-seccomp");
        if (r >= 0 && a->mds_token)
                r = strv_extendf(&argv, "--mds-token=%s", a->mds_token);
        if (r >= 0)
                r = strv_extend(&argv, a->uuid);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(argv);
        return 0;
}
