/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <json-c/json.h>
#include <stdio.h>
#include <strings.h>

#include "escape.h"
#include "json-table.h"
#include "docker.h"
#include "strv.h"

/* --- references --- */

bool docker_digest_valid(const char *d) {
        const char *h = startswith(d, "sha256:");

        if (!h || strlen(h) != 64)
                return false;
        for (; *h; h++)
                if (!isdigit((unsigned char) *h) && !(*h >= 'a' && *h <= 'f'))
                        return false;
        return true;
}

static bool is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A path component of a repository: runs of [a-z0-9] joined by one ".", one "_", "__" or any number
 * of "-". */
static bool repo_component_valid(const char *s, size_t n) {
        size_t i = 0;

        for (;;) {
                size_t run = 0, sep = 0;

                while (i < n && is_lower_alnum(s[i]))
                        i++, run++;
                if (run == 0)
                        return false;
                if (i == n)
                        return true;
                if (s[i] == '-')
                        while (i < n && s[i] == '-')
                                i++;
                else {
                        while (i < n && sep < 3 && (s[i] == '.' || s[i] == '_'))
                                i++, sep++;
                        if (!(sep == 1 || (sep == 2 && s[i - 1] == '_' && s[i - 2] == '_')))
                                return false;
                }
        }
}

static bool tag_valid(const char *t) {
        size_t n = strlen(t);

        if (n == 0 || n > 128 || !(isalnum((unsigned char) t[0]) || t[0] == '_'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char) t[i]) && t[i] != '_' && t[i] != '.' && t[i] != '-')
                        return false;
        return true;
}

/* A registry host[:port]: letters, digits, '.', '-', optionally ":port" or an [IPv6] literal. */
static bool registry_valid(const char *r) {
        const char *colon;

        if (isempty(r) || strlen(r) > 255)
                return false;
        if (r[0] == '[') {
                const char *end = strchr(r, ']');
                if (!end || end == r + 1)
                        return false;
                for (const char *p = r + 1; p < end; p++)
                        if (!isxdigit((unsigned char) *p) && *p != ':' && *p != '.')
                                return false;
                colon = end[1] ? end + 1 : NULL;
                if (colon && *colon != ':')
                        return false;
        } else {
                colon = strchr(r, ':');
                for (const char *p = r; p < (colon ?: r + strlen(r)); p++)
                        if (!isalnum((unsigned char) *p) && *p != '.' && *p != '-')
                                return false;
                /* Host labels: no empty one, none starting with '-'. */
                if (colon == r || r[0] == '.' || r[0] == '-' || strstr(r, "..") || strstr(r, ".-") ||
                    (colon && colon[-1] == '.'))
                        return false;
        }
        if (colon) {
                const char *p = colon + 1;
                if (!*p || strlen(p) > 5)
                        return false;
                for (; *p; p++)
                        if (!isdigit((unsigned char) *p))
                                return false;
        }
        return true;
}

void docker_ref_done(DockerRef *r) {
        free(r->registry);
        free(r->repository);
        free(r->tag);
        free(r->digest);
        *r = (DockerRef){};
}

int docker_ref_parse(const char *s, DockerRef *ret, RktError **reterr) {
        _cleanup_free_ char *rest = NULL;
        DockerRef r = {};
        const char *p, *slash;
        char *at, *colon, *last;
        int k = -ENOMEM;

        p = startswith(s, "docker://") ?: startswith(s, "docker:") ?: s;
        if (isempty(p))
                return rkt_error_set(reterr, -EINVAL, "no image name after 'docker://'");
        /* The first component names a registry when it looks like a host: a '.', a ':' or "localhost". */
        slash = strchr(p, '/');
        if (slash && (memchr(p, '.', (size_t) (slash - p)) || memchr(p, ':', (size_t) (slash - p)) ||
                      (slash - p == 9 && strncmp(p, "localhost", 9) == 0))) {
                r.registry = strndup(p, (size_t) (slash - p));
                rest = strdup(slash + 1);
        } else {
                r.registry = strdup(DOCKER_HUB_REGISTRY);
                rest = strdup(p);
        }
        if (!r.registry || !rest)
                goto fail;
        for (char *c = r.registry; *c; c++)
                *c = (char) tolower((unsigned char) *c);
        if (!registry_valid(r.registry)) {
                k = rkt_error_set(reterr, -EINVAL, "'%s' is not a valid registry", r.registry);
                goto fail;
        }
        if (streq(r.registry, "docker.io") || streq(r.registry, "index.docker.io")) {
                free(r.registry);
                if (!(r.registry = strdup(DOCKER_HUB_REGISTRY)))
                        goto fail;
        }

        at = strchr(rest, '@');
        if (at) {
                *at = 0;
                if (!docker_digest_valid(at + 1)) {
                        k = rkt_error_set(reterr, -EINVAL, "'%s' is not a valid digest (sha256:<64 hex> is)",
                                          at + 1);
                        goto fail;
                }
                if (!(r.digest = strdup(at + 1)))
                        goto fail;
        }
        last = strrchr(rest, '/');
        colon = strchr(last ?: rest, ':');
        if (colon) {
                *colon = 0;
                if (!tag_valid(colon + 1)) {
                        k = rkt_error_set(reterr, -EINVAL, "'%s' is not a valid tag", colon + 1);
                        goto fail;
                }
                /* A tag together with a digest: the digest decides, as docker does. */
                if (!r.digest && !(r.tag = strdup(colon + 1)))
                        goto fail;
        } else if (!r.digest && !(r.tag = strdup("latest")))
                goto fail;

        for (const char *c = rest; *c;) {
                size_t n = strcspn(c, "/");
                if (!repo_component_valid(c, n)) {
                        k = rkt_error_set(
                                reterr, -EINVAL,
                                "'%s' is not a valid repository name (lowercase letters, digits and "
                                "separators)",
                                rest);
                        goto fail;
                }
                c += n;
                if (*c)
                        c++;
                if (*c == 0 && c[-1] == '/') {
                        k = rkt_error_set(reterr, -EINVAL, "'%s' is not a valid repository name", rest);
                        goto fail;
                }
        }
        if (isempty(rest)) {
                k = rkt_error_set(reterr, -EINVAL, "no repository name in '%s'", s);
                goto fail;
        }
        if (streq(r.registry, DOCKER_HUB_REGISTRY) && !strchr(rest, '/')) {
                if (asprintf(&r.repository, "library/%s", rest) < 0) {
                        r.repository = NULL;
                        goto fail;
                }
        } else
                r.repository = TAKE_PTR(rest);
        *ret = r;
        return 0;
fail:
        docker_ref_done(&r);
        return k;
}

char *docker_ref_canonical(const DockerRef *r) {
        char *s = NULL;

        if (asprintf(&s, "docker://%s/%s%s%s", r->registry, r->repository, r->digest ? "@" : ":",
                     r->digest ?: r->tag) < 0)
                return NULL;
        return s;
}

int docker_ref_image_name(const DockerRef *r, char **ret) {
        _cleanup_free_ char *raw = NULL;

        if (asprintf(&raw, "%s/%s", r->registry, r->repository) < 0)
                return -ENOMEM;
        return appc_sanitize_ac_identifier(raw, ret);
}

/* --- manifests --- */

/* Registry documents are Go's: members matched ignoring case, null as absent (lenient tables). Every
 * field is read with its type checked; an error names the member ("layers[2].size: must be set"). */
static const JsonField platform_fields[] = {
        JSON_FIELD("os", STRING, DockerPlatform, os),
        JSON_FIELD("architecture", STRING, DockerPlatform, architecture),
        JSON_FIELD("variant", STRING, DockerPlatform, variant),
        {},
};

static const JsonTable platform_table = {.size = sizeof(DockerPlatform), .fields = platform_fields};

static const JsonField descriptor_fields[] = {
        JSON_FIELD("mediaType", STRING, DockerDescriptor, media_type),
        JSON_FIELD("digest", STRING, DockerDescriptor, digest),
        JSON_FIELD("size", UINT64, DockerDescriptor, size, .flags = JSON_REQUIRED),
        JSON_FIELD("platform", OBJECT, DockerDescriptor, platform, .elem = &platform_table),
        {},
};

static const JsonTable descriptor_table = {.size = sizeof(DockerDescriptor), .fields = descriptor_fields};

static const JsonField manifest_fields[] = {
        JSON_FIELD("schemaVersion", UINT, DockerManifest, schema_version, .max = INT32_MAX),
        JSON_FIELD("mediaType", STRING, DockerManifest, media_type),
        JSON_FIELD("config", OBJECT, DockerManifest, config, .elem = &descriptor_table,
                   JSON_PRESENT_AT(DockerManifest, has_config)),
        JSON_LIST("layers", ARRAY, DockerManifest, layers, .elem = &descriptor_table,
                  JSON_PRESENT_AT(DockerManifest, has_layers)),
        JSON_LIST("manifests", ARRAY, DockerManifest, manifests, .elem = &descriptor_table,
                  JSON_PRESENT_AT(DockerManifest, has_manifests)),
        {},
};

static const JsonTable manifest_table = {.size = sizeof(DockerManifest), .fields = manifest_fields};

DockerManifest *docker_manifest_free(DockerManifest *m) {
        return json_table_free(&manifest_table, m);
}

/* A registry's JSON document read with the table t: strict JSON (depth limit, no NUL, RFC 8259 syntax)
 * whose top level is an object, every member checked. A bad one is -EBADMSG. */
static int registry_json_parse(const char *json, size_t size, const char *what, const JsonTable *t,
                               void *ret_ptr, RktError **reterr) {
        int r = json_table_parse(json, size, what, t, ret_ptr, reterr);

        if (r < 0 && r != -ENOMEM) {
                if (reterr && *reterr)
                        (*reterr)->code = -EBADMSG;
                return -EBADMSG;
        }
        return r;
}

/* The descriptors of a manifest name their blobs by sha256 digest. */
static int check_descriptors(const DockerDescriptor *d, size_t n, const char *key, RktError **reterr) {
        for (size_t i = 0; i < n; i++)
                if (!d[i].digest || !docker_digest_valid(d[i].digest))
                        return rkt_error_set(reterr, -EBADMSG, "%s has no sha256 digest",
                                             key ? JSON_PATH("%s[%zu]", key, i) : "config");
        return 0;
}

static bool layer_type_supported(const char *t) {
        return !t || streq(t, "application/vnd.docker.image.rootfs.diff.tar.gzip") ||
               streq(t, "application/vnd.oci.image.layer.v1.tar") ||
               streq(t, "application/vnd.oci.image.layer.v1.tar+gzip") ||
               streq(t, "application/vnd.oci.image.layer.v1.tar+zstd");
}

static bool manifest_type_known(const char *t) {
        return t && (streq(t, DOCKER_MEDIA_MANIFEST) || streq(t, OCI_MEDIA_MANIFEST) ||
                     streq(t, DOCKER_MEDIA_MANIFEST_LIST) || streq(t, OCI_MEDIA_INDEX));
}

int docker_manifest_parse(const char *json, size_t size, const char *content_type, DockerManifest **ret,
                          RktError **reterr) {
        _cleanup_(docker_manifest_freep) DockerManifest *m = NULL;
        const char *type;
        _cleanup_free_ char *ct = NULL;
        int r;

        r = registry_json_parse(json, size, "the manifest", &manifest_table, &m, reterr);
        if (r < 0)
                return r;
        if (m->schema_version == 1)
                return rkt_error_set(
                        reterr, -EPROTONOSUPPORT,
                        "Docker image manifests of schema 1 are not supported (schema 2 and OCI are)");
        if (content_type) {
                ct = strndup(content_type, strcspn(content_type, "; "));
                if (!ct)
                        return -ENOMEM;
        }
        type = m->media_type ?: ct;
        /* An OCI manifest may leave out its mediaType (and a registry may answer with a generic type). */
        if (!manifest_type_known(type))
                type = m->has_manifests ? OCI_MEDIA_INDEX : m->has_layers ? OCI_MEDIA_MANIFEST : type;
        if (!manifest_type_known(type))
                return rkt_error_set(reterr, -EPROTONOSUPPORT, "unsupported manifest type %s",
                                     type ? JSON_QUOTE(type) : "'n/a'");

        if (streq(type, DOCKER_MEDIA_MANIFEST_LIST) || streq(type, OCI_MEDIA_INDEX)) {
                if (!m->has_manifests)
                        return rkt_error_set(reterr, -EBADMSG, "the manifest has no 'manifests' list");
                r = check_descriptors(m->manifests, m->n_manifests, "manifests", reterr);
                if (r < 0)
                        return r;
                /* what a list has besides its manifests is not an image */
                json_table_done(&descriptor_table, &m->config);
                json_table_array_free(&descriptor_table, TAKE_PTR(m->layers), m->n_layers);
                m->n_layers = 0;
                m->is_list = true;
                *ret = TAKE_PTR(m);
                return 0;
        }
        if (!m->has_config)
                return rkt_error_set(reterr, -EBADMSG, "the manifest has no 'config'");
        r = check_descriptors(&m->config, 1, NULL, reterr);
        if (r < 0)
                return r;
        if (!m->has_layers)
                return rkt_error_set(reterr, -EBADMSG, "the manifest has no 'layers' list");
        r = check_descriptors(m->layers, m->n_layers, "layers", reterr);
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_layers; i++)
                if (!layer_type_supported(m->layers[i].media_type))
                        return rkt_error_set(reterr, -EPROTONOSUPPORT,
                                             "layer '%s' has the unsupported type %s", m->layers[i].digest,
                                             JSON_QUOTE(m->layers[i].media_type));
        json_table_array_free(&descriptor_table, TAKE_PTR(m->manifests), m->n_manifests);
        m->n_manifests = 0;
        *ret = TAKE_PTR(m);
        return 0;
}

/* appc's arch names against Go's (and the variant for arm). */
static const struct {
        const char *appc, *go, *variant;
} arch_table[] = {
        {"amd64", "amd64", NULL}, {"i386", "386", NULL},    {"aarch64", "arm64", NULL},
        {"armv7l", "arm", "v7"},  {"armv6l", "arm", "v6"},  {"ppc64le", "ppc64le", NULL},
        {"s390x", "s390x", NULL}, {"ppc64", "ppc64", NULL},
};

int docker_manifest_pick(const DockerManifest *list, const char *os, const char *arch,
                         const DockerDescriptor **ret, RktError **reterr) {
        const char *goarch = NULL, *variant = NULL;

        for (size_t i = 0; i < ELEMENTSOF(arch_table); i++)
                if (streq(arch_table[i].appc, arch)) {
                        goarch = arch_table[i].go;
                        variant = arch_table[i].variant;
                        break;
                }
        for (size_t i = 0; goarch && i < list->n_manifests; i++) {
                const DockerDescriptor *d = &list->manifests[i];
                if (streq_ptr(d->platform.os, os) && streq_ptr(d->platform.architecture, goarch) &&
                    (!variant || !d->platform.variant || streq(d->platform.variant, variant))) {
                        *ret = d;
                        return 0;
                }
        }
        return rkt_error_set(reterr, -ENOENT, "the manifest list has no image for %s/%s", os, arch);
}

/* --- image configs --- */

/* The members of an image config docker2aci used. */
typedef struct DockerContainerConfig {
        char *user, *working_dir;
        char **entrypoint, **cmd, **env;
        char **exposed_ports, **volumes; /* the names of {"80/tcp": {}} and {"/data": {}} */
} DockerContainerConfig;

typedef struct DockerImageConfig {
        char *os, *architecture, *variant, *author, *created;
        DockerContainerConfig *config;
} DockerImageConfig;

static const JsonField container_config_fields[] = {
        JSON_FIELD("User", STRING, DockerContainerConfig, user),
        JSON_FIELD("WorkingDir", STRING, DockerContainerConfig, working_dir),
        JSON_FIELD("Entrypoint", STRV, DockerContainerConfig, entrypoint),
        JSON_FIELD("Cmd", STRV, DockerContainerConfig, cmd),
        JSON_FIELD("Env", STRV, DockerContainerConfig, env),
        JSON_FIELD("ExposedPorts", KEYS, DockerContainerConfig, exposed_ports),
        JSON_FIELD("Volumes", KEYS, DockerContainerConfig, volumes),
        {},
};

static const JsonTable container_config_table = {.size = sizeof(DockerContainerConfig),
                                                 .fields = container_config_fields};

static const JsonField image_config_fields[] = {
        JSON_FIELD("os", STRING, DockerImageConfig, os),
        JSON_FIELD("architecture", STRING, DockerImageConfig, architecture),
        JSON_FIELD("variant", STRING, DockerImageConfig, variant),
        JSON_FIELD("author", STRING, DockerImageConfig, author),
        JSON_FIELD("created", STRING, DockerImageConfig, created),
        JSON_FIELD("config", OBJECT_PTR, DockerImageConfig, config, .elem = &container_config_table),
        {},
};

static const JsonTable image_config_table = {.size = sizeof(DockerImageConfig),
                                             .fields = image_config_fields};

static void image_config_freep(DockerImageConfig **c) {
        json_table_free(&image_config_table, *c);
}

static int compare_ports(const void *a, const void *b) {
        return strcmp(((const AppcPort *) a)->name, ((const AppcPort *) b)->name);
}

static int convert_ports(char **exposed, AppcApp *app, RktError **reterr) {
        size_t n = 0;

        if (!exposed)
                return 0;
        app->ports = calloc(strv_length(exposed) + 1, sizeof(AppcPort));
        if (!app->ports)
                return -ENOMEM;
        STRV_FOREACH(key, exposed) {
                AppcPort *p = &app->ports[n];
                const char *slash = strchr(*key, '/');
                char *end = NULL;
                unsigned long port;

                errno = 0;
                port = strtoul(*key, &end, 10);
                if (errno || end == *key || (slash ? end != slash : *end) || port == 0 || port > 65535)
                        return rkt_error_set(reterr, -EBADMSG, "exposed port %s is not a port number",
                                             JSON_QUOTE(*key));
                p->protocol = strdup(slash ? slash + 1 : "tcp");
                if (!p->protocol || appc_sanitize_ac_name(*key, &p->name) < 0)
                        return -ENOMEM;
                p->port = (unsigned) port;
                p->count = 1;
                app->n_ports = ++n;
        }
        qsort(app->ports, n, sizeof(AppcPort), compare_ports);
        return 0;
}

static int compare_mount_points(const void *a, const void *b) {
        return strcmp(((const AppcMountPoint *) a)->name, ((const AppcMountPoint *) b)->name);
}

/* Volumes {"/var/lib/db": {}} become mount points named as docker2aci named them ("volume-var-lib-db"; a
 * name taken already gets "-1", "-2"…), sorted by name; rkt run fills each with an empty volume unless the
 * user mounts one there. */
static int convert_volumes(char **volumes, AppcApp *app, RktError **reterr) {
        _cleanup_strv_free_ char **bases = NULL;
        size_t n = 0;

        if (!volumes)
                return 0;
        app->mount_points = calloc(strv_length(volumes) + 1, sizeof(AppcMountPoint));
        if (!app->mount_points)
                return -ENOMEM;
        STRV_FOREACH(path, volumes) {
                AppcMountPoint *mp = &app->mount_points[n];
                _cleanup_free_ char *raw = NULL, *name = NULL;
                unsigned taken = 0;

                if ((*path)[0] != '/')
                        return rkt_error_set(reterr, -EBADMSG, "volume %s is not an absolute path",
                                             JSON_QUOTE(*path));
                if (asprintf(&raw, "volume%s", *path) < 0 || appc_sanitize_ac_name(raw, &name) < 0)
                        return -ENOMEM;
                STRV_FOREACH(b, bases) {
                        if (streq(*b, name))
                                taken++;
                }
                if (taken > 0 ? asprintf(&mp->name, "%s-%u", name, taken) < 0 : !(mp->name = strdup(name)))
                        return -ENOMEM;
                if (strv_extend(&bases, name) < 0)
                        return -ENOMEM;
                mp->path = strdup(*path);
                if (!mp->path)
                        return -ENOMEM;
                app->n_mount_points = ++n;
        }
        qsort(app->mount_points, n, sizeof(AppcMountPoint), compare_mount_points);
        return 0;
}

static int add_annotation(AppcImageManifest *m, const char *name, const char *value) {
        if (isempty(value))
                return 0;
        return appc_kv_set(&m->annotations, &m->n_annotations, name, value);
}

static int strv_to_json(char **l, char **ret) {
        _cleanup_(json_object_putp) json_object *a = json_object_new_array();

        if (!a)
                return -ENOMEM;
        STRV_FOREACH(s, l)
        json_object_array_add(a, json_object_new_string(*s));
        return json_to_plain_string(a, ret);
}

static int config_to_app(const DockerContainerConfig *c, AppcImageManifest *m, RktError **reterr) {
        _cleanup_free_ char *ep_json = NULL, *cmd_json = NULL;
        const char *user = c->user;
        AppcApp *app;
        int r;

        app = m->app = calloc(1, sizeof(AppcApp));
        if (!app)
                return -ENOMEM;
        STRV_FOREACH(s, c->entrypoint)
        if (strv_extend(&app->exec, *s) < 0)
                return -ENOMEM;
        STRV_FOREACH(s, c->cmd)
        if (strv_extend(&app->exec, *s) < 0)
                return -ENOMEM;
        if (isempty(user)) {
                app->user = strdup("0");
                app->group = strdup("0");
        } else {
                const char *colon = strchr(user, ':');
                app->user = colon ? strndup(user, (size_t) (colon - user)) : strdup(user);
                app->group = strdup(colon ? colon + 1 : user);
        }
        if (!app->user || !app->group)
                return -ENOMEM;
        if (!isempty(c->working_dir) && !(app->working_directory = strdup(c->working_dir)))
                return -ENOMEM;
        STRV_FOREACH(s, c->env) {
                _cleanup_free_ char *name = NULL;
                const char *eq = strchr(*s, '=');
                if (!eq)
                        continue;
                name = strndup(*s, (size_t) (eq - *s));
                if (!name || appc_kv_set(&app->environment, &app->n_environment, name, eq + 1) < 0)
                        return -ENOMEM;
        }
        r = convert_ports(c->exposed_ports, app, reterr);
        if (r < 0)
                return r;
        r = convert_volumes(c->volumes, app, reterr);
        if (r < 0)
                return r;
        if ((c->entrypoint && strv_to_json(c->entrypoint, &ep_json) < 0) ||
            (c->cmd && strv_to_json(c->cmd, &cmd_json) < 0))
                return -ENOMEM;
        if (add_annotation(m, "appc.io/docker/entrypoint", ep_json) < 0 ||
            add_annotation(m, "appc.io/docker/cmd", cmd_json) < 0)
                return -ENOMEM;
        return 0;
}

int docker_config_to_manifest(const char *json, size_t size, const DockerRef *ref, const char *config_digest,
                              const char *manifest_digest, AppcImageManifest **ret, RktError **reterr) {
        _cleanup_(image_config_freep) DockerImageConfig *o = NULL;
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *m = NULL;
        const char *os, *arch, *variant, *appc_arch = NULL;
        int r;

        r = registry_json_parse(json, size, "the image config", &image_config_table, &o, reterr);
        if (r < 0)
                return r;
        os = o->os ?: "linux";
        arch = o->architecture ?: "amd64";
        variant = o->variant;
        for (size_t i = 0; i < ELEMENTSOF(arch_table); i++)
                if (streq(arch_table[i].go, arch) &&
                    (!arch_table[i].variant || !variant || streq(arch_table[i].variant, variant))) {
                        appc_arch = arch_table[i].appc;
                        break;
                }
        if (!appc_arch)
                return rkt_error_set(reterr, -EPROTONOSUPPORT, "unsupported image architecture %s",
                                     JSON_QUOTE(arch));

        m = appc_image_manifest_new();
        if (!m)
                return -ENOMEM;
        r = docker_ref_image_name(ref, &m->name);
        if (r < 0)
                return rkt_error_set(reterr, r, "cannot name the image after '%s/%s'", ref->registry,
                                     ref->repository);
        if ((ref->tag && appc_kv_set(&m->labels, &m->n_labels, "version", ref->tag) < 0) ||
            appc_kv_set(&m->labels, &m->n_labels, "os", os) < 0 ||
            appc_kv_set(&m->labels, &m->n_labels, "arch", appc_arch) < 0)
                return -ENOMEM;
        if (add_annotation(m, "appc.io/docker/registryurl", ref->registry) < 0 ||
            add_annotation(m, "appc.io/docker/repository", ref->repository) < 0 ||
            add_annotation(m, "appc.io/docker/imageid", config_digest) < 0 ||
            add_annotation(m, "appc.io/docker/manifesthash", manifest_digest) < 0 ||
            add_annotation(m, "author", o->author) < 0 || add_annotation(m, "created", o->created) < 0)
                return -ENOMEM;
        if (o->config) {
                r = config_to_app(o->config, m, reterr);
                if (r < 0)
                        return r;
        }
        r = appc_image_manifest_validate(m, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "the converted manifest is invalid");
        *ret = TAKE_PTR(m);
        return 0;
}

/* --- token responses --- */

typedef struct DockerTokenReply {
        char *token, *access_token;
} DockerTokenReply;

static const JsonField token_reply_fields[] = {
        JSON_FIELD("token", STRING, DockerTokenReply, token),
        JSON_FIELD("access_token", STRING, DockerTokenReply, access_token),
        {},
};

static const JsonTable token_reply_table = {.size = sizeof(DockerTokenReply), .fields = token_reply_fields};

static void token_reply_freep(DockerTokenReply **t) {
        if (*t) {
                if ((*t)->token)
                        explicit_bzero((*t)->token, strlen((*t)->token));
                if ((*t)->access_token)
                        explicit_bzero((*t)->access_token, strlen((*t)->access_token));
        }
        json_table_free(&token_reply_table, *t);
}

int docker_token_parse(const char *json, size_t size, char **ret, RktError **reterr) {
        _cleanup_(token_reply_freep) DockerTokenReply *t = NULL;
        const char *token;
        int r;

        r = registry_json_parse(json, size, "the answer", &token_reply_table, &t, reterr);
        if (r < 0)
                return r;
        token = t->token ?: t->access_token;
        if (isempty(token))
                return rkt_error_set(reterr, -EPROTO, "the answer has no token");
        /* it goes into a header line */
        if (string_has_control(token))
                return rkt_error_set(reterr, -EPROTO, "%s: must not contain control characters",
                                     t->token ? "token" : "access_token");
        *ret = strdup(token);
        return *ret ? 0 : -ENOMEM;
}

/* --- challenges --- */

void docker_challenge_done(DockerChallenge *c) {
        free(c->scheme);
        free(c->realm);
        free(c->service);
        free(c->scope);
        *c = (DockerChallenge){};
}

bool docker_realm_is_registry_host(const char *registry, const char *realm_host) {
        size_t n;

        if (streq(registry, DOCKER_HUB_REGISTRY) && streq(realm_host, DOCKER_HUB_TOKEN_HOST))
                return true;
        /* registry is host[:port], the host an IPv6 literal in brackets or a name without ':' */
        if (registry[0] == '[') {
                const char *end = strchr(registry, ']');
                if (!end)
                        return false;
                n = (size_t) (end - registry) + 1;
        } else
                n = strcspn(registry, ":");
        return strlen(realm_host) == n && strncasecmp(registry, realm_host, n) == 0;
}

int docker_challenge_parse(const char *header, DockerChallenge *ret) {
        DockerChallenge c = {};
        const char *p = header;
        size_t n;

        while (*p == ' ' || *p == '\t')
                p++;
        n = strcspn(p, " \t");
        if (n == 0)
                return -EBADMSG;
        c.scheme = strndup(p, n);
        if (!c.scheme)
                return -ENOMEM;
        for (char *s = c.scheme; *s; s++)
                *s = (char) tolower((unsigned char) *s);
        p += n;
        for (;;) {
                _cleanup_free_ char *key = NULL, *value = NULL;
                size_t vlen = 0;

                while (*p == ' ' || *p == '\t' || *p == ',')
                        p++;
                if (!*p)
                        break;
                n = strcspn(p, "=, \t");
                if (n == 0 || p[n] != '=')
                        goto bad;
                key = strndup(p, n);
                if (!key)
                        goto nomem;
                p += n + 1;
                value = malloc(strlen(p) + 1);
                if (!value)
                        goto nomem;
                if (*p == '"') {
                        for (p++; *p && *p != '"'; p++) {
                                if (*p == '\\' && p[1])
                                        p++;
                                value[vlen++] = *p;
                        }
                        if (*p != '"')
                                goto bad;
                        p++;
                } else
                        for (; *p && *p != ',' && *p != ' ' && *p != '\t'; p++)
                                value[vlen++] = *p;
                value[vlen] = 0;
                if (strcasecmp(key, "realm") == 0) {
                        free(c.realm);
                        c.realm = TAKE_PTR(value);
                } else if (strcasecmp(key, "service") == 0) {
                        free(c.service);
                        c.service = TAKE_PTR(value);
                } else if (strcasecmp(key, "scope") == 0) {
                        free(c.scope);
                        c.scope = TAKE_PTR(value);
                }
        }
        *ret = c;
        return 0;
bad:
        docker_challenge_done(&c);
        return -EBADMSG;
nomem:
        docker_challenge_done(&c);
        return -ENOMEM;
}
