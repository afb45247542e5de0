/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "fs.h"
#include "json-table.h"
#include "path.h"
#include "stage1.h"
#include "strv.h"

#define STAGE1_DEFAULT_FILE "stage1-nspawn.aci"

/* Container Linux shipped rkt with the systemd-nspawn stage1 under the "coreos" flavour's names, and its
 * wrappers and units name them: this build's default stage1 is that flavour. */
#define STAGE1_COREOS_FILE "stage1-coreos.aci"
#define STAGE1_COREOS_NAME "coreos.com/rkt/stage1-coreos"

static int choose_one(const Stage1Choice *c, RktError **reterr) {
        unsigned n = !!c->path + !!c->url + !!c->name + !!c->hash + !!c->from_dir;

        if (n > 1)
                return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_STAGE1_CHOICE, NULL,
                                          "more than one stage1 image chosen");
        return n;
}

static int import_file(Store *s, const char *path, bool trusted, const Stage1Config *cfg, char **ret_id,
                       RktError **reterr) {
        const FetchOptions o = {.insecure = cfg->insecure,
                                .pull_policy = PULL_NEW,
                                .trusted_location = trusted,
                                .system_config = cfg->system_config,
                                .local_config = cfg->local_config,
                                .user_config = cfg->user_config,
                                .notice = cfg->notice,
                                .userdata = cfg->userdata};
        int r = fetch_image(s, path, &o, ret_id, reterr);

        if (r < 0)
                return rkt_error_prefix(reterr, r, "stage1");
        return 0;
}

/* NAME in the directory of the running rkt binary; NULL when that cannot be known (or out of memory). */
static char *beside_rkt(const char *name) {
        _cleanup_free_ char *dir = NULL;
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

        if (n <= 0)
                return NULL;
        exe[n] = 0;
        dir = path_dirname(exe);
        return dir ? path_join(dir, name) : NULL;
}

/* Where the configuration, the build tree or the installation keeps the default stage1 image. A configured
 * directory is the one place looked at: the administrator chose it. */
static int default_stage1_path(const Stage1Config *cfg, char **ret) {
        _cleanup_free_ char *p = NULL;

        if (cfg->images_dir) {
                *ret = path_join(cfg->images_dir, STAGE1_DEFAULT_FILE);
                return *ret ? 0 : -ENOMEM;
        }
        p = beside_rkt(STAGE1_DEFAULT_FILE);
        if (p && access(p, R_OK) == 0) {
                *ret = TAKE_PTR(p);
                return 0;
        }
        *ret = path_join(STAGE1_IMAGES_DIR, STAGE1_DEFAULT_FILE);
        return *ret ? 0 : -ENOMEM;
}

/* As rkt 1.30: a configured stage1 file that cannot be fetched is looked for under its own name in the
 * directory of the rkt binary (trusted as the build's own). Each is opened once, by the fetch itself: no
 * check of the path first that the open could disagree with. */
static int import_configured_file(Store *s, const char *location, const char *file, const Stage1Config *cfg,
                                  char **ret_id, RktError **reterr) {
        _cleanup_error_ RktError *first = NULL, *second = NULL;
        _cleanup_free_ char *beside = NULL;
        const char *base = strrchr(file, '/');
        int r, q;

        r = import_file(s, location, true, cfg, ret_id, &first);
        if (r >= 0)
                return 0;
        if (base && base[1])
                beside = beside_rkt(base + 1);
        if (!beside)
                return rkt_error_set(reterr, r, "failed to fetch stage1 image: %s",
                                     rkt_error_message(first, r));
        q = import_file(s, beside, true, cfg, ret_id, &second);
        if (q >= 0)
                return 0;
        return rkt_error_set(
                reterr, q,
                "failed to fetch stage1 image and failed to fall back to stage1 image in the rkt "
                "directory: %s; %s",
                rkt_error_message(first, r), rkt_error_message(second, q));
}

/* "coreos.com/rkt/stage1-coreos" at this build's version, with or without the version. */
static bool is_coreos_name(const char *name) {
        const char *v = startswith(name, STAGE1_COREOS_NAME);

        return v && (!*v || (*v == ':' && streq(v + 1, PACKAGE_VERSION)));
}

/* stage1.d files: those of kind "stage1" name the default stage1 image; files of other kinds are not
 * looked into further. */
typedef struct Stage1File {
        char *kind, *name, *version, *location;
} Stage1File;

static const JsonField stage1_kind_fields[] = {
        JSON_FIELD("rktKind", STRING, Stage1File, kind),
        {},
};

static const JsonField stage1_file_fields[] = {
        JSON_FIELD("name", STRING, Stage1File, name),
        JSON_FIELD("version", STRING, Stage1File, version),
        JSON_FIELD("location", STRING, Stage1File, location),
        {},
};

static const JsonTable stage1_kind_table = {
        .size = sizeof(Stage1File), .fields = stage1_kind_fields, .strict = true, .single_line = true};
static const JsonTable stage1_file_table = {
        .size = sizeof(Stage1File), .fields = stage1_file_fields, .strict = true, .single_line = true};

static void stage1_file_done(Stage1File *f) {
        free(f->kind);
        json_table_done(&stage1_file_table, f);
}

/* One stage1.d file: a later file's name, version and location replace an earlier one's. */
static int stage1_config_file(json_object *o, const char *f, char **name, char **version, char **location,
                              RktError **reterr) {
        _cleanup_(stage1_file_done) Stage1File sf = {};
        _cleanup_free_ char *what = NULL;
        char **dest[] = {name, version, location}, **src[] = {&sf.name, &sf.version, &sf.location};
        int r;

        if (asprintf(&what, "stage1 configuration '%s'", f) < 0)
                return -ENOMEM;
        r = json_table_read_object(&stage1_kind_table, o, what, &sf, reterr);
        if (r < 0 || !streq_ptr(sf.kind, "stage1"))
                return r;
        sf.kind = mfree(sf.kind); /* the next table's failure empties the struct */
        r = json_table_read_object(&stage1_file_table, o, what, &sf, reterr);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(dest); i++)
                if (*src[i]) {
                        free(*dest[i]);
                        *dest[i] = TAKE_PTR(*src[i]);
                }
        return 0;
}

/* The stage1.d JSON files of the system, local and user config dirs; later dirs override earlier ones. */
static int read_stage1_config(const Stage1Config *cfg, char **ret_name, char **ret_version,
                              char **ret_location, RktError **reterr) {
        const char *dirs[] = {cfg->system_config, cfg->local_config, cfg->user_config};
        _cleanup_free_ char *name = NULL, *version = NULL, *location = NULL;

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *d = dirs[i] ? path_join(dirs[i], "stage1.d") : NULL;
                struct dirent **list = NULL;
                int n;

                if (!d)
                        continue;
                n = scandir(d, &list, NULL, alphasort);
                for (int k = 0; k < n; k++) {
                        _cleanup_free_ char *f = NULL, *text = NULL;
                        json_object *o = NULL;
                        if (endswith(list[k]->d_name, ".json") && (f = path_join(d, list[k]->d_name)) &&
                            read_full_file_at(AT_FDCWD, f, &text, NULL) >= 0)
                                o = json_tokener_parse(text);
                        if (f && text && !o) {
                                for (; k < n; k++)
                                        free(list[k]);
                                free(list);
                                return rkt_error_set(reterr, -EINVAL,
                                                     "stage1 configuration '%s': not valid JSON", f);
                        }
                        if (o) {
                                int r = stage1_config_file(o, f, &name, &version, &location, reterr);
                                if (r < 0) {
                                        json_object_put(o);
                                        for (; k < n; k++)
                                                free(list[k]);
                                        free(list);
                                        return r;
                                }
                        }
                        json_object_put(o);
                        free(list[k]);
                }
                free(list);
        }
        if (!!name != !!version)
                return rkt_error_set(reterr, -EINVAL,
                                     "stage1 configuration: name and version must be given together");
        *ret_name = TAKE_PTR(name);
        *ret_version = TAKE_PTR(version);
        *ret_location = TAKE_PTR(location);
        return 0;
}

int stage1_config_effective(const Stage1Config *cfg, char **ret_name, char **ret_version,
                            char **ret_location, RktError **reterr) {
        _cleanup_free_ char *name = NULL, *version = NULL, *location = NULL;
        int r = read_stage1_config(cfg, &name, &version, &location, reterr);

        if (r < 0)
                return r;
        if (!name && (!(name = strdup(STAGE1_DEFAULT_NAME)) || !(version = strdup(PACKAGE_VERSION))))
                return -ENOMEM;
        if (!location && (r = default_stage1_path(cfg, &location)) < 0)
                return r;
        *ret_name = TAKE_PTR(name);
        *ret_version = TAKE_PTR(version);
        *ret_location = TAKE_PTR(location);
        return 0;
}

int stage1_resolve(Store *s, const Stage1Choice *c, const Stage1Config *cfg, char **ret_id,
                   RktError **reterr) {
        _cleanup_free_ char *name = NULL, *version = NULL, *location = NULL, *def = NULL;
        int r;

        r = choose_one(c, reterr);
        if (r < 0)
                return r;
        /* Container Linux's name for this version's stage1: the store's image of that name if there is one,
         * else the default stage1 file (a name of another version is discovered as any other). */
        if (c->name && is_coreos_name(c->name)) {
                if (store_resolve(s, c->name, ret_id, NULL) >= 0)
                        return 0;
                r = default_stage1_path(cfg, &def);
                return r < 0 ? r : import_file(s, def, true, cfg, ret_id, reterr);
        }
        /* As an app image: from the store, a name by discovery when it is not there (rkt 1.30). */
        if (c->hash || c->name)
                return import_file(s, c->hash ?: c->name, false, cfg, ret_id, reterr);
        if (c->path)
                return import_file(s, c->path, false, cfg, ret_id, reterr);
        if (c->url) {
                if (!startswith(c->url, "file://") && !startswith(c->url, "http://") &&
                    !startswith(c->url, "https://"))
                        return rkt_error_set_hint(reterr, -EPROTONOSUPPORT, RKT_HINT_STAGE1_URL, NULL,
                                                  "'%s': a file://, http:// or https:// URL is needed",
                                                  c->url);
                return import_file(s, c->url, false, cfg, ret_id, reterr);
        }
        if (c->from_dir) {
                _cleanup_free_ char *p = NULL;
                if (strchr(c->from_dir, '/'))
                        return rkt_error_set_hint(reterr, -EINVAL, RKT_HINT_STAGE1_FROM_DIR, NULL,
                                                  "'%s': a file name, not a path", c->from_dir);
                p = path_join(cfg->images_dir ?: STAGE1_IMAGES_DIR, c->from_dir);
                if (!p)
                        return -ENOMEM;
                /* stage1-coreos.aci is the default stage1 where no file of that name was installed. */
                if (streq(c->from_dir, STAGE1_COREOS_FILE) && access(p, F_OK) < 0 && errno == ENOENT) {
                        free(p);
                        r = default_stage1_path(cfg, &p);
                        if (r < 0)
                                return r;
                }
                return import_file(s, p, true, cfg, ret_id, reterr);
        }
        r = read_stage1_config(cfg, &name, &version, &location, reterr);
        if (r < 0)
                return r;
        if (name) {
                _cleanup_free_ char *ref = NULL;
                if (asprintf(&ref, "%s:%s", name, version) < 0)
                        return -ENOMEM;
                if (store_resolve(s, ref, ret_id, NULL) >= 0) {
                        if (cfg->notice) {
                                _cleanup_free_ char *m = NULL;
                                if (asprintf(&m, "using image from local store for image name %s", ref) >= 0)
                                        cfg->notice(FETCH_NOTICE_INFO, m, cfg->userdata);
                        }
                        return 0;
                }
        }
        if (location) {
                const char *file = startswith(location, "file://") ?: location;
                bool remote = startswith(location, "http://") || startswith(location, "https://");
                if (!remote && !path_is_absolute(file))
                        return rkt_error_set(
                                reterr, -EINVAL,
                                "default stage1 image location is either a relative path or a URL without "
                                "scheme: '%s' (an absolute path, file://, http:// or https:// URL is "
                                "needed)",
                                location);
                if (remote)
                        return import_file(s, location, false, cfg, ret_id, reterr);
                return import_configured_file(s, location, file, cfg, ret_id, reterr);
        }
        r = default_stage1_path(cfg, &def);
        if (r < 0)
                return r;
        if (access(def, R_OK) < 0)
                return rkt_error_set_hint(reterr, -ENOENT, RKT_HINT_STAGE1_MISSING, NULL,
                                          "stage1: no stage1 image at '%s'", def);
        return import_file(s, def, true, cfg, ret_id, reterr);
}
