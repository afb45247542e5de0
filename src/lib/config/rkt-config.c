/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "rkt-config.h"
#include "escape.h"
#include "fs.h"
#include "json-table.h"
#include "log.h"
#include "mds.h"
#include "path.h"
#include "strv.h"

static void free_secret(char *s) {
        if (s) {
                explicit_bzero(s, strlen(s));
                free(s);
        }
}

static void auth_entry_done(AuthEntry *a) {
        free(a->domain);
        free(a->user);
        free_secret(a->password);
        free_secret(a->token);
        free(a->source);
}

static void docker_auth_entry_done(DockerAuthEntry *a) {
        free(a->registry);
        free(a->user);
        free_secret(a->password);
        free(a->source);
}

RktConfig *rkt_config_free(RktConfig *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_auth; i++)
                auth_entry_done(&c->auth[i]);
        free(c->auth);
        for (size_t i = 0; i < c->n_docker_auth; i++)
                docker_auth_entry_done(&c->docker_auth[i]);
        free(c->docker_auth);
        free(c);
        return NULL;
}

/* The members every configuration file has. */
typedef struct ConfigHeader {
        char *kind, *version;
} ConfigHeader;

static const JsonField header_fields[] = {
        JSON_FIELD("rktKind", STRING, ConfigHeader, kind, .flags = JSON_EMPTY_IS_NULL),
        JSON_FIELD("rktVersion", STRING, ConfigHeader, version, .flags = JSON_EMPTY_IS_NULL),
        {},
};

static const JsonTable header_table = {
        .size = sizeof(ConfigHeader), .fields = header_fields, .strict = true, .single_line = true};

/* auth.d: kinds "auth" and "dockerAuth". Empty strings read as absent. */
typedef struct AuthCredentials {
        char *user, *password, *token, *access_key_id, *secret_access_key;
} AuthCredentials;

typedef struct AuthFile {
        ConfigHeader header;
        char *type;
        char **domains, **registries;
        AuthCredentials *credentials;
} AuthFile;

static const JsonField credentials_fields[] = {
        JSON_FIELD("user", STRING, AuthCredentials, user, .flags = JSON_EMPTY_IS_NULL),
        JSON_FIELD("password", STRING, AuthCredentials, password, .flags = JSON_EMPTY_IS_NULL),
        JSON_FIELD("token", STRING, AuthCredentials, token, .flags = JSON_EMPTY_IS_NULL),
        JSON_FIELD("accessKeyID", STRING, AuthCredentials, access_key_id, .flags = JSON_EMPTY_IS_NULL),
        JSON_FIELD("secretAccessKey", STRING, AuthCredentials, secret_access_key,
                   .flags = JSON_EMPTY_IS_NULL),
        {},
};

static const JsonTable credentials_table = {
        .size = sizeof(AuthCredentials), .fields = credentials_fields, .strict = true, .single_line = true};

static const JsonField auth_fields[] = {
        JSON_FIELD("rktKind", STRING, AuthFile, header.kind, .flags = JSON_EMPTY_IS_NULL),
        JSON_FIELD("rktVersion", STRING, AuthFile, header.version, .flags = JSON_EMPTY_IS_NULL),
        JSON_FIELD("type", STRING, AuthFile, type, .flags = JSON_EMPTY_IS_NULL),
        JSON_FIELD("domains", STRV, AuthFile, domains),
        JSON_FIELD("registries", STRV, AuthFile, registries),
        JSON_FIELD("credentials", OBJECT_PTR, AuthFile, credentials, .elem = &credentials_table),
        {},
};

static const JsonTable auth_table = {
        .size = sizeof(AuthFile), .fields = auth_fields, .strict = true, .single_line = true};

static void config_header_done(ConfigHeader *h) {
        json_table_done(&header_table, h);
}

static void auth_file_done(AuthFile *f) {
        if (f->credentials) {
                free_secret(TAKE_PTR(f->credentials->password));
                free_secret(TAKE_PTR(f->credentials->token));
                free_secret(TAKE_PTR(f->credentials->secret_access_key));
        }
        json_table_done(&auth_table, f);
}

/* Reads o, parsed from file, into p with the table t: errors name the file and the member. */
static int read_config(const JsonTable *t, json_object *o, const char *file, void *p, RktError **reterr) {
        _cleanup_free_ char *what = NULL;

        if (asprintf(&what, "configuration '%s'", file) < 0)
                return -ENOMEM;
        return json_table_read_object(t, o, what, p, reterr);
}

/* A configuration file's JSON object (parsed leniently, as the configuration files always were). Its text is
 * wiped once json-c has its own copy: auth.d's files hold secrets. */
static int load_config_object(const char *path, json_object **ret, RktError **reterr) {
        _cleanup_(json_object_putp) json_object *o = NULL;
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        int r;

        r = read_full_file_at(AT_FDCWD, path, &text, &size);
        if (r < 0)
                return rkt_error_set(reterr, r, "cannot read '%s': %s", path, strerror(-r));
        o = json_tokener_parse(text);
        explicit_bzero(text, size);
        if (!o || !json_object_is_type(o, json_type_object))
                return rkt_error_set(reterr, -EINVAL, "configuration '%s': not a JSON object", path);
        *ret = TAKE_PTR(o);
        return 0;
}

static int dup_or_null(const char *s, char **ret) {
        *ret = NULL;
        if (!s)
                return 0;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

/* Adds or replaces (replace: an entry from an earlier dir) the entry for domain. */
static int add_auth(RktConfig *c, size_t first_of_dir, const char *domain, AuthType type,
                    const AuthCredentials *creds, const char *path, RktError **reterr) {
        AuthEntry e = {.type = type};
        size_t i;
        int r;

        for (i = 0; i < c->n_auth; i++)
                if (strcasecmp(c->auth[i].domain, domain) == 0)
                        break;
        if (i < c->n_auth && i >= first_of_dir)
                return rkt_error_set(reterr, -EINVAL,
                                     "auth configuration '%s': domain '%s' is already configured in '%s'",
                                     path, domain, c->auth[i].source);
        r = dup_or_null(domain, &e.domain);
        if (r >= 0)
                r = dup_or_null(path, &e.source);
        if (r >= 0 && type == AUTH_BASIC) {
                r = dup_or_null(creds->user, &e.user);
                if (r >= 0)
                        r = dup_or_null(creds->password, &e.password);
        } else if (r >= 0 && type == AUTH_OAUTH)
                r = dup_or_null(creds->token, &e.token);
        if (r < 0) {
                auth_entry_done(&e);
                return r;
        }
        if (i < c->n_auth) {
                auth_entry_done(&c->auth[i]);
                c->auth[i] = e;
                return 0;
        }
        AuthEntry *n = realloc(c->auth, sizeof(AuthEntry) * (c->n_auth + 1));
        if (!n) {
                auth_entry_done(&e);
                return -ENOMEM;
        }
        c->auth = n;
        c->auth[c->n_auth++] = e;
        return 0;
}

static int parse_auth(RktConfig *c, size_t first_of_dir, const AuthFile *f, const char *path,
                      RktError **reterr) {
        const AuthCredentials *creds = f->credentials;
        const char *type = f->type;
        AuthType t;
        int r;

        if (!f->domains)
                return rkt_error_set(reterr, -EINVAL, "auth configuration '%s': no domains specified", path);
        if (!type)
                return rkt_error_set(reterr, -EINVAL, "auth configuration '%s': no auth type specified",
                                     path);
        if (streq(type, "basic"))
                t = AUTH_BASIC;
        else if (streq(type, "oauth"))
                t = AUTH_OAUTH;
        else if (streq(type, "aws"))
                t = AUTH_AWS;
        else
                return rkt_error_set(
                        reterr, -EINVAL,
                        "auth configuration '%s': unknown auth type '%s' (known: basic, oauth, aws)", path,
                        type);
        if (!creds)
                return rkt_error_set(reterr, -EINVAL, "auth configuration '%s': no credentials", path);
        if (t == AUTH_BASIC && !creds->user)
                return rkt_error_set(reterr, -EINVAL, "auth configuration '%s': user not specified", path);
        if (t == AUTH_BASIC && !creds->password)
                return rkt_error_set(reterr, -EINVAL, "auth configuration '%s': password not specified",
                                     path);
        if (t == AUTH_OAUTH && !creds->token)
                return rkt_error_set(reterr, -EINVAL,
                                     "auth configuration '%s': no oauth bearer token specified", path);
        if (t == AUTH_AWS && (!creds->access_key_id || !creds->secret_access_key))
                return rkt_error_set(reterr, -EINVAL,
                                     "auth configuration '%s': aws needs accessKeyID and secretAccessKey",
                                     path);
        STRV_FOREACH(d, f->domains) {
                if (isempty(*d) || strpbrk(*d, "/ \t\r\n@"))
                        return rkt_error_set(
                                reterr, -EINVAL,
                                "auth configuration '%s': domains must be host names (host or host:port)",
                                path);
                r = add_auth(c, first_of_dir, *d, t, creds, path, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_docker_auth(RktConfig *c, size_t first_of_dir, const AuthFile *f, const char *path,
                             RktError **reterr) {
        const AuthCredentials *creds = f->credentials;

        if (!f->registries)
                return rkt_error_set(reterr, -EINVAL,
                                     "dockerAuth configuration '%s': no registries specified", path);
        if (!creds || !creds->user || !creds->password)
                return rkt_error_set(reterr, -EINVAL,
                                     "dockerAuth configuration '%s': user and password are required", path);
        STRV_FOREACH(d, f->registries) {
                DockerAuthEntry e = {}, *nl;
                size_t k;

                if (isempty(*d) || string_has_control(*d))
                        return rkt_error_set(reterr, -EINVAL, "dockerAuth configuration '%s': bad registry",
                                             path);
                for (k = 0; k < c->n_docker_auth; k++)
                        if (streq(c->docker_auth[k].registry, *d))
                                break;
                if (k < c->n_docker_auth && k >= first_of_dir)
                        return rkt_error_set(
                                reterr, -EINVAL,
                                "dockerAuth configuration '%s': registry '%s' is already configured in '%s'",
                                path, *d, c->docker_auth[k].source);
                if (dup_or_null(*d, &e.registry) < 0 || dup_or_null(creds->user, &e.user) < 0 ||
                    dup_or_null(creds->password, &e.password) < 0 || dup_or_null(path, &e.source) < 0) {
                        docker_auth_entry_done(&e);
                        return -ENOMEM;
                }
                if (k < c->n_docker_auth) {
                        docker_auth_entry_done(&c->docker_auth[k]);
                        c->docker_auth[k] = e;
                        continue;
                }
                nl = realloc(c->docker_auth, sizeof(DockerAuthEntry) * (c->n_docker_auth + 1));
                if (!nl) {
                        docker_auth_entry_done(&e);
                        return -ENOMEM;
                }
                c->docker_auth = nl;
                c->docker_auth[c->n_docker_auth++] = e;
        }
        return 0;
}

static int parse_file(RktConfig *c, size_t first_auth, size_t first_docker, const char *path,
                      RktError **reterr) {
        _cleanup_(json_object_putp) json_object *o = NULL;
        _cleanup_(auth_file_done) AuthFile f = {};
        const char *kind, *version;
        int r;

        r = load_config_object(path, &o, reterr);
        if (r < 0)
                return r;
        r = read_config(&auth_table, o, path, &f, reterr);
        if (r < 0)
                return r;
        kind = f.header.kind;
        version = f.header.version;
        if (!kind)
                return rkt_error_set(reterr, -EINVAL, "configuration '%s': no rktKind specified", path);
        if (!version)
                return rkt_error_set(reterr, -EINVAL, "configuration '%s': no rktVersion specified", path);
        if (!streq(kind, "auth") && !streq(kind, "dockerAuth"))
                return rkt_error_set(reterr, -EINVAL,
                                     "configuration '%s': auth.d holds files of kind \"auth\" or "
                                     "\"dockerAuth\", not \"%s\"",
                                     path, kind);
        if (!streq(version, "v1"))
                return rkt_error_set(reterr, -EINVAL,
                                     "configuration '%s': no parser for kind \"%s\" and version \"%s\"",
                                     path, kind, version);
        if (streq(kind, "auth"))
                return parse_auth(c, first_auth, &f, path, reterr);
        return parse_docker_auth(c, first_docker, &f, path, reterr);
}

/* A configuration directory root keeps to itself (its auth.d holds credentials) is not an error for
 * another user: what she cannot read does not apply to her. */
static int skip_unreadable(const char *d) {
        log_debug("skipping configuration directory '%s': not readable by this user (%s)", d,
                  strerror(EACCES));
        return 0;
}

/* The regular `*.json` files of dir/sub, sorted by name; none when dir/sub is missing, or when it is
 * unreadable to a user other than root. */
static int config_files(const char *dir, const char *sub, char ***ret, RktError **reterr) {
        _cleanup_free_ char *d = path_join(dir, sub);
        _cleanup_strv_free_ char **files = NULL;
        struct dirent **list = NULL;
        struct stat st;
        int n, r = 0;

        if (!d)
                return -ENOMEM;
        *ret = NULL;
        if (stat(d, &st) < 0) {
                if (errno == ENOENT)
                        return 0;
                if (errno == EACCES && geteuid() != 0)
                        return skip_unreadable(d);
                return rkt_error_set(reterr, negative_errno(), "cannot access '%s': %m", d);
        }
        if (!S_ISDIR(st.st_mode))
                return rkt_error_set(reterr, -ENOTDIR, "expected '%s' to be a directory", d);
        n = scandir(d, &list, NULL, alphasort);
        if (n < 0 && errno == EACCES && geteuid() != 0)
                return skip_unreadable(d);
        if (n < 0)
                return rkt_error_set(reterr, negative_errno(), "cannot read '%s': %m", d);
        for (int i = 0; i < n; i++) {
                if (r >= 0 && list[i]->d_name[0] != '.' && endswith(list[i]->d_name, ".json")) {
                        char *f = path_join(d, list[i]->d_name);
                        if (!f)
                                r = -ENOMEM;
                        else if (stat(f, &st) == 0 && S_ISREG(st.st_mode))
                                r = strv_push(&files, f);
                        else
                                free(f);
                }
                free(list[i]);
        }
        free(list);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(files);
        return 0;
}

static int load_dir(RktConfig *c, const char *dir, RktError **reterr) {
        _cleanup_strv_free_ char **files = NULL;
        size_t first_auth = c->n_auth, first_docker = c->n_docker_auth;
        int r = config_files(dir, "auth.d", &files, reterr);

        STRV_FOREACH(f, files) {
                if (r < 0)
                        break;
                r = parse_file(c, first_auth, first_docker, *f, reterr);
        }
        return r;
}

int rkt_config_load(const char *const *dirs, size_t n, RktConfig **ret, RktError **reterr) {
        _cleanup_(rkt_config_freep) RktConfig *c = calloc(1, sizeof(RktConfig));
        int r;

        if (!c)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (isempty(dirs[i]))
                        continue;
                r = load_dir(c, dirs[i], reterr);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

const AuthEntry *rkt_config_find_auth(const RktConfig *c, const char *hostport) {
        if (!c || !hostport)
                return NULL;
        for (size_t i = 0; i < c->n_auth; i++)
                if (strcasecmp(c->auth[i].domain, hostport) == 0)
                        return &c->auth[i];
        return NULL;
}

int auth_entry_header(const AuthEntry *a, char **ret_header, RktError **reterr) {
        _cleanup_free_ char *plain = NULL, *b64 = NULL;
        size_t n;
        int r;

        switch (a->type) {
        case AUTH_BASIC:
                if (asprintf(&plain, "%s:%s", a->user, a->password) < 0)
                        return -ENOMEM;
                n = strlen(plain);
                b64 = mds_base64_encode(plain, n);
                free_secret(TAKE_PTR(plain));
                if (!b64)
                        return -ENOMEM;
                r = asprintf(ret_header, "Authorization: Basic %s", b64);
                free_secret(TAKE_PTR(b64));
                return r < 0 ? -ENOMEM : 0;
        case AUTH_OAUTH:
                return asprintf(ret_header, "Authorization: Bearer %s", a->token) < 0 ? -ENOMEM : 0;
        case AUTH_AWS:
        default:
                return rkt_error_set(
                        reterr, -EOPNOTSUPP,
                        "credentials of type 'aws' for '%s' (from '%s') are not supported by this rkt",
                        a->domain, a->source);
        }
}

void rkt_paths_done(RktPaths *p) {
        p->net_plugins = strv_free(p->net_plugins);
        p->data = mfree(p->data);
        p->stage1_images = mfree(p->stage1_images);
}

/* paths.d: the keys of a file, read after its header said it is of kind "paths". JSON_PRESENT tells an
 * empty net-plugins list, which is refused, from an absent one. */
typedef struct PathsFile {
        char **net_plugins;
        bool has_net_plugins;
        char *data, *stage1_images;
} PathsFile;

static const JsonField paths_fields[] = {
        JSON_FIELD("net-plugins", STRV, PathsFile, net_plugins, JSON_PRESENT_AT(PathsFile, has_net_plugins)),
        JSON_FIELD("data", STRING, PathsFile, data),
        JSON_FIELD("stage1-images", STRING, PathsFile, stage1_images),
        {},
};

static const JsonTable paths_table = {
        .size = sizeof(PathsFile), .fields = paths_fields, .strict = true, .single_line = true};

static void paths_file_done(PathsFile *f) {
        json_table_done(&paths_table, f);
}

/* The directories searched for CNI plugins: absolute paths without ':' (the search path's separator). */
static int check_net_plugins(char **l, const char *path, RktError **reterr) {
        if (!l || !*l)
                return rkt_error_set(reterr, -EINVAL,
                                     "configuration '%s': field 'net-plugins': not a list of directories",
                                     path);
        STRV_FOREACH(d, l) {
                if (string_has_control(*d))
                        return rkt_error_set(
                                reterr, -EINVAL,
                                "configuration '%s': field 'net-plugins': an entry holds control "
                                "characters",
                                path);
                if (!path_is_absolute(*d) || strchr(*d, ':'))
                        return rkt_error_set(reterr, -EINVAL,
                                             "configuration '%s': field 'net-plugins': '%s' is not an "
                                             "absolute path without ':'",
                                             path, *d);
        }
        return 0;
}

/* A directory: an absolute path (the table refused control characters). */
static int check_dir(const char *d, const char *path, const char *field, RktError **reterr) {
        if (!path_is_absolute(d))
                return rkt_error_set(reterr, -EINVAL,
                                     "configuration '%s': field '%s': '%s' is not an absolute path", path,
                                     field, d);
        return 0;
}

/* The keys of paths.d and, for each, the file of the current dir that set it. */
enum { PATHS_NET_PLUGINS, PATHS_DATA, PATHS_STAGE1_IMAGES, _PATHS_MAX };
static const char *const paths_keys[_PATHS_MAX] = {"net-plugins", "data", "stage1-images"};

/* One file of paths.d; set_by[k] is the file of this dir that set key k, if one did. */
static int parse_paths_file(RktPaths *p, const char *path, char *set_by[_PATHS_MAX], RktError **reterr) {
        _cleanup_(json_object_putp) json_object *o = NULL;
        _cleanup_(config_header_done) ConfigHeader h = {};
        _cleanup_(paths_file_done) PathsFile f = {};
        const char *kind, *version;
        int r;

        r = load_config_object(path, &o, reterr);
        if (r < 0)
                return r;
        r = read_config(&header_table, o, path, &h, reterr);
        if (r < 0)
                return r;
        kind = h.kind;
        version = h.version;
        if (!streq_ptr(kind, "paths"))
                return rkt_error_set(reterr, -EINVAL,
                                     "configuration '%s': field 'rktKind': paths.d holds files "
                                     "of kind \"paths\", not %s%s%s",
                                     path, kind ? "\"" : "", kind ?: "none", kind ? "\"" : "");
        if (!streq_ptr(version, "v1"))
                return rkt_error_set(reterr, -EINVAL,
                                     "configuration '%s': field 'rktVersion': no parser for kind "
                                     "\"paths\" and version %s%s%s",
                                     path, version ? "\"" : "", version ?: "none", version ? "\"" : "");
        r = read_config(&paths_table, o, path, &f, reterr);
        if (r < 0)
                return r;
        for (int k = 0; k < _PATHS_MAX; k++) {
                if (!(k == PATHS_NET_PLUGINS ? f.has_net_plugins
                      : k == PATHS_DATA      ? !!f.data
                                             : !!f.stage1_images))
                        continue;
                if (set_by[k])
                        return rkt_error_set(reterr, -EINVAL,
                                             "configuration '%s': field '%s': already set in '%s'", path,
                                             paths_keys[k], set_by[k]);
                switch (k) {
                case PATHS_NET_PLUGINS:
                        r = check_net_plugins(f.net_plugins, path, reterr);
                        if (r >= 0) {
                                strv_free(p->net_plugins);
                                p->net_plugins = TAKE_PTR(f.net_plugins);
                        }
                        break;
                case PATHS_DATA:
                        r = check_dir(f.data, path, paths_keys[k], reterr);
                        if (r >= 0) {
                                free(p->data);
                                p->data = TAKE_PTR(f.data);
                        }
                        break;
                default:
                        r = check_dir(f.stage1_images, path, paths_keys[k], reterr);
                        if (r >= 0) {
                                free(p->stage1_images);
                                p->stage1_images = TAKE_PTR(f.stage1_images);
                        }
                        break;
                }
                if (r < 0)
                        return r;
                set_by[k] = strdup(path);
                if (!set_by[k])
                        return -ENOMEM;
        }
        return 0;
}

int rkt_paths_load(const char *const *dirs, size_t n, RktPaths *ret, RktError **reterr) {
        _cleanup_(rkt_paths_done) RktPaths p = {};

        for (size_t i = 0; i < n; i++) {
                _cleanup_strv_free_ char **files = NULL;
                char *set_by[_PATHS_MAX] = {};
                int r;

                if (isempty(dirs[i]))
                        continue;
                r = config_files(dirs[i], "paths.d", &files, reterr);
                STRV_FOREACH(f, files) {
                        if (r < 0)
                                break;
                        r = parse_paths_file(&p, *f, set_by, reterr);
                }
                for (int k = 0; k < _PATHS_MAX; k++)
                        free(set_by[k]);
                if (r < 0)
                        return r;
        }
        *ret = p;
        p = (RktPaths){};
        return 0;
}
