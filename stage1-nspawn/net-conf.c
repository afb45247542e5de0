/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "fs.h"
#include "json-io.h"
#include "json-table.h"
#include "net.h"
#include "path.h"
#include "strv.h"
#include "util.h"

/* The CNI version of the built-in networks: plugins from 0.8 on speak it, and its results name the
 * interfaces. */
#define BUILTIN_CNI_VERSION "0.4.0"
#define BUILTIN_DIR "(built-in)"
#define MAX_CONF_SIZE (1024 * 1024)

/* --- configurations --- */

static const struct {
        const char *file_name;
        const char *json;
} builtin_confs[] = {
        {"99-default.conf", "{\n"
                            "\t\"cniVersion\": \"" BUILTIN_CNI_VERSION "\",\n"
                            "\t\"name\": \"" NET_DEFAULT "\",\n"
                            "\t\"type\": \"ptp\",\n"
                            "\t\"ipMasq\": true,\n"
                            "\t\"ipam\": {\n"
                            "\t\t\"type\": \"host-local\",\n"
                            "\t\t\"subnet\": \"172.16.28.0/24\",\n"
                            "\t\t\"routes\": [{\"dst\": \"0.0.0.0/0\"}]\n"
                            "\t}\n"
                            "}\n"},
        {"99-default-restricted.conf", "{\n"
                                       "\t\"cniVersion\": \"" BUILTIN_CNI_VERSION "\",\n"
                                       "\t\"name\": \"" NET_DEFAULT_RESTRICTED "\",\n"
                                       "\t\"type\": \"ptp\",\n"
                                       "\t\"ipMasq\": false,\n"
                                       "\t\"ipam\": {\n"
                                       "\t\t\"type\": \"host-local\",\n"
                                       "\t\t\"subnet\": \"172.31.0.0/16\"\n"
                                       "\t}\n"
                                       "}\n"},
};

void net_conf_done(NetConf *c) {
        free(c->name);
        free(c->type);
        free(c->cni_version);
        free(c->path);
        free(c->file_name);
        free(c->json);
        *c = (NetConf){};
}

void net_confs_free(NetConf *c, size_t n) {
        for (size_t i = 0; i < n; i++)
                net_conf_done(&c[i]);
        free(c);
}

/* The members rkt reads; the plugin gets the whole file. rkt 1.30 (and the CNI plugins) decoded these
 * files with Go's encoding/json, which matches keys ignoring case when they are not there exactly:
 * {"Name":…,"Type":…} worked there. */
typedef struct ConfFields {
        char *name, *type, *cni_version;
        bool ip_masq;
} ConfFields;

static const JsonField conf_fields[] = {
        JSON_FIELD("name", STRING, ConfFields, name),
        JSON_FIELD("type", STRING, ConfFields, type),
        JSON_FIELD("cniVersion", STRING, ConfFields, cni_version),
        JSON_FIELD("ipMasq", BOOL, ConfFields, ip_masq),
        {},
};

static const JsonTable conf_table = {.size = sizeof(ConfFields),
                                     .fields = conf_fields,
                                     .strict = true,
                                     .single_line = true,
                                     .any_case = true};

static void conf_fields_done(ConfFields *f) {
        json_table_done(&conf_table, f);
}

int net_conf_parse(const char *json, const char *path, NetConf *ret, RktError **reterr) {
        enum json_tokener_error jerr;
        json_object *root = json_tokener_parse_verbose(json, &jerr);
        _cleanup_(net_conf_done) NetConf c = {};
        _cleanup_(conf_fields_done) ConfFields f = {};
        _cleanup_free_ char *what = NULL;
        const char *name, *type, *base;
        int r;

        if (!root)
                return rkt_error_set(reterr, -EINVAL, "network configuration '%s': invalid JSON: %s", path,
                                     json_tokener_error_desc(jerr));
        if (asprintf(&what, "network configuration '%s'", path) < 0) {
                r = -ENOMEM;
                goto finish;
        }
        r = json_table_read_object(&conf_table, root, what, &f, reterr);
        if (r < 0)
                goto finish;
        name = f.name;
        type = f.type;
        if (isempty(name))
                r = rkt_error_set(reterr, -EINVAL, "network configuration '%s': field 'name': missing",
                                  path);
        else if (!net_name_valid(name))
                r = rkt_error_set(reterr, -EINVAL,
                                  "network configuration '%s': field 'name': invalid network name '%s' "
                                  "(letters, digits, '_', '.', '-')",
                                  path, name);
        else if (net_name_special(name))
                r = rkt_error_set(reterr, -EINVAL,
                                  "network configuration '%s': field 'name': '%s' is reserved (--net=%s "
                                  "has a meaning of its own)",
                                  path, name, name);
        if (r < 0)
                goto finish;
        if (isempty(type))
                r = rkt_error_set(reterr, -EINVAL, "network configuration '%s': field 'type': missing",
                                  path);
        /* The type names a plugin file in the plugin directories, nothing else. */
        else if (strchr(type, '/') || streq(type, ".") || streq(type, ".."))
                r = rkt_error_set(reterr, -EINVAL,
                                  "network configuration '%s': field 'type': '%s' is not a plugin name",
                                  path, type);
        if (r < 0)
                goto finish;
        c.ip_masq = f.ip_masq;
        base = strrchr(path, '/');
        c.name = TAKE_PTR(f.name);
        c.type = TAKE_PTR(f.type);
        c.cni_version = TAKE_PTR(f.cni_version);
        c.path = strdup(path);
        c.file_name = strdup(base ? base + 1 : path);
        c.json = strdup(json);
        if (!c.path || !c.file_name || !c.json) {
                r = -ENOMEM;
                goto finish;
        }
        *ret = c;
        c = (NetConf){};
        r = 0;
finish:
        json_object_put(root);
        return r;
}

int net_conf_requested_ip(const NetConf *c, const char *args, char **ret_ip, char **ret_lease) {
        _cleanup_strv_free_ char **kv = NULL;
        json_object *root = NULL, *ipam, *v;
        const char *ip = NULL, *dir = NET_HOST_LOCAL_DIR;
        unsigned char buf[16];
        int r;

        *ret_ip = *ret_lease = NULL;
        r = strv_split(strempty(args), ";", &kv);
        if (r < 0)
                return r;
        STRV_FOREACH(a, kv)
        if (startswith(*a, "IP="))
                ip = *a + 3;
        /* Only an address: it names a file. */
        if (!ip || (inet_pton(AF_INET, ip, buf) != 1 && inet_pton(AF_INET6, ip, buf) != 1))
                return 0;
        root = json_tokener_parse(c->json);
        r = 0;
        if (!root || !json_object_is_type(root, json_type_object) || !(ipam = json_member(root, "ipam")) ||
            !json_object_is_type(ipam, json_type_object) || !(v = json_member(ipam, "type")) ||
            !json_object_is_type(v, json_type_string) || !streq(json_object_get_string(v), "host-local"))
                goto finish;
        if ((v = json_member(ipam, "dataDir")) && json_object_is_type(v, json_type_string) &&
            path_is_absolute(json_object_get_string(v)))
                dir = json_object_get_string(v);
        if (!(*ret_ip = strdup(ip)) || asprintf(ret_lease, "%s/%s/%s", dir, c->name, ip) < 0) {
                *ret_ip = mfree(*ret_ip);
                *ret_lease = NULL;
                r = -ENOMEM;
        } else
                r = 1;
finish:
        json_object_put(root);
        return r;
}

int net_conf_check_requested_ip(const NetConf *conf, const char *args, const char *uuid, RktError **reterr) {
        _cleanup_free_ char *ip = NULL, *lease = NULL, *owner = NULL;
        int r = net_conf_requested_ip(conf, args, &ip, &lease);

        if (r <= 0)
                return r;
        r = read_regular_file_at(AT_FDCWD, lease, 4096, &owner, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return rkt_error_set(reterr, r, "network '%s': reading %s: %s", conf->name, lease,
                                     strerror(-r));
        owner[strcspn(owner, "\r\n")] = 0;
        if (streq(owner, uuid))
                return 0;
        return rkt_error_set(reterr, -EADDRINUSE,
                             "requested IP address \"%s\" is not available in network: %s", ip, conf->name);
}

static int conf_cmp(const void *a, const void *b) {
        const NetConf *x = a, *y = b;
        int c = strcmp(x->file_name, y->file_name);
        return c ?: strcmp(x->name, y->name);
}

static int str_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The *.conf files of dir (regular files, symlinks to them included), sorted. */
static int list_conf_files(const char *dir, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        DIR *d = NULL;
        struct dirent *de;
        int r;

        r = opendir_at(AT_FDCWD, dir, &d);
        if (r < 0)
                return r;
        if (!d) {
                *ret = NULL;
                return 0;
        }
        while ((de = readdir(d))) {
                struct stat st;
                if (de->d_name[0] == '.' || !endswith(de->d_name, ".conf"))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
                        continue;
                r = strv_extend(&l, de->d_name);
                if (r < 0)
                        break;
        }
        closedir(d);
        if (r < 0)
                return r;
        if (l)
                qsort(l, strv_length(l), sizeof(char *), str_cmp);
        *ret = TAKE_PTR(l);
        return 0;
}

static int confs_append(NetConf **confs, size_t *n, NetConf *c) {
        NetConf *a = reallocarray(*confs, *n + 1, sizeof(NetConf));
        if (!a)
                return -ENOMEM;
        *confs = a;
        a[(*n)++] = *c;
        *c = (NetConf){};
        return 0;
}

static ssize_t confs_find(const NetConf *confs, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(confs[i].name, name))
                        return (ssize_t) i;
        return -1;
}

int net_confs_load(const char *const *dirs, size_t n_dirs, NetConf **ret, size_t *ret_n,
                   char ***ret_warnings, RktError **reterr) {
        _cleanup_strv_free_ char **warnings = NULL;
        NetConf *confs = NULL;
        size_t n = 0;
        int r = 0;

        for (size_t i = 0; i < ELEMENTSOF(builtin_confs); i++) {
                _cleanup_(net_conf_done) NetConf c = {};
                _cleanup_free_ char *path = path_join(BUILTIN_DIR, builtin_confs[i].file_name);
                if (!path) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = net_conf_parse(builtin_confs[i].json, path, &c, reterr);
                if (r >= 0)
                        r = confs_append(&confs, &n, &c);
                if (r < 0)
                        goto fail;
        }
        for (size_t d = 0; d < n_dirs; d++) {
                _cleanup_strv_free_ char **files = NULL, **seen = NULL;

                if (!dirs[d])
                        continue;
                r = list_conf_files(dirs[d], &files);
                if (r < 0) {
                        r = rkt_error_set(reterr, r, "reading network configurations in '%s': %s", dirs[d],
                                          strerror(-r));
                        goto fail;
                }
                STRV_FOREACH(f, files) {
                        _cleanup_(net_conf_done) NetConf c = {};
                        _cleanup_free_ char *path = path_join(dirs[d], *f), *text = NULL;
                        size_t size;
                        ssize_t k;

                        if (!path) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        r = read_full_file_at(AT_FDCWD, path, &text, &size);
                        if (r >= 0 && size > MAX_CONF_SIZE)
                                r = -EFBIG;
                        if (r < 0) {
                                r = rkt_error_set(reterr, r, "reading network configuration '%s': %s", path,
                                                  strerror(-r));
                                goto fail;
                        }
                        r = net_conf_parse(text, path, &c, reterr);
                        if (r < 0)
                                goto fail;
                        if (strv_contains(seen, c.name)) {
                                char *w;
                                if (asprintf(&w,
                                             "network '%s' is defined more than once in '%s': '%s' ignored",
                                             c.name, dirs[d], *f) < 0 ||
                                    strv_push(&warnings, w) < 0) {
                                        r = -ENOMEM;
                                        goto fail;
                                }
                                continue;
                        }
                        r = strv_extend(&seen, c.name);
                        if (r < 0)
                                goto fail;
                        k = confs_find(confs, n, c.name);
                        if (k >= 0) {
                                net_conf_done(&confs[k]);
                                confs[k] = c;
                                c = (NetConf){};
                        } else {
                                r = confs_append(&confs, &n, &c);
                                if (r < 0)
                                        goto fail;
                        }
                }
        }
        qsort(confs, n, sizeof(NetConf), conf_cmp);
        *ret = confs;
        *ret_n = n;
        if (ret_warnings)
                *ret_warnings = TAKE_PTR(warnings);
        return 0;
fail:
        net_confs_free(confs, n);
        return r < 0 ? r : -ENOMEM;
}

int net_select(const NetConf *confs, size_t n_confs, const NetList *l, size_t **ret, size_t *ret_n,
               RktError **reterr) {
        _cleanup_free_ size_t *idx = calloc(n_confs + 1, sizeof(size_t));
        _cleanup_strv_free_ char **missing = NULL;
        bool all = net_list_has(l, "all");
        size_t n = 0;

        if (!idx)
                return -ENOMEM;
        for (size_t i = 0; i < n_confs; i++)
                if (all || net_list_has(l, confs[i].name))
                        idx[n++] = i;
        for (size_t i = 0; i < l->n; i++)
                if (!net_name_special(l->items[i].name) &&
                    confs_find(confs, n_confs, l->items[i].name) < 0 &&
                    strv_extend(&missing, l->items[i].name) < 0)
                        return -ENOMEM;
        if (missing) {
                _cleanup_free_ char *j = strv_join(missing, ", ");
                return rkt_error_set(reterr, -ENOENT, "networks not found: %s", strna(j));
        }
        *ret = TAKE_PTR(idx);
        *ret_n = n;
        return 0;
}
