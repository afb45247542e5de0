/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's volumes (appc schema/types/volume.go): JSON, validation and the --volume string form. */
#include <inttypes.h>

#include "appc-internal.h"
#include "util.h"

#define EMPTY_VOLUME_DEFAULT_MODE "0755"

const char *appc_volume_kind_to_string(AppcVolumeKind k) {
        switch (k) {
        case APPC_VOLUME_HOST:
                return "host";
        case APPC_VOLUME_EMPTY:
                return "empty";
        default:
                return NULL;
        }
}

static AppcVolumeKind volume_kind_from_string(const char *s) {
        if (streq_ptr(s, "host"))
                return APPC_VOLUME_HOST;
        if (streq_ptr(s, "empty"))
                return APPC_VOLUME_EMPTY;
        return _APPC_VOLUME_KIND_INVALID;
}

void appc_volume_done(AppcVolume *v) {
        free(v->name);
        free(v->source);
        free(v->mode);
        *v = (AppcVolume){
                .kind = _APPC_VOLUME_KIND_INVALID, .read_only = APPC_UNSET, .recursive = APPC_UNSET};
}

int appc_volume_copy(const AppcVolume *v, AppcVolume *ret) {
        AppcVolume c = *v;

        c.name = v->name ? strdup(v->name) : NULL;
        c.source = v->source ? strdup(v->source) : NULL;
        c.mode = v->mode ? strdup(v->mode) : NULL;
        if ((v->name && !c.name) || (v->source && !c.source) || (v->mode && !c.mode)) {
                appc_volume_done(&c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

static bool volume_equal(const void *x, const void *y) {
        const AppcVolume *a = x, *b = y;

        if (!streq_ptr(a->name, b->name) || a->kind != b->kind || !streq_ptr(a->source, b->source) ||
            a->read_only != b->read_only || a->recursive != b->recursive || !streq_ptr(a->mode, b->mode))
                return false;
        return a->kind != APPC_VOLUME_EMPTY || (a->uid == b->uid && a->gid == b->gid);
}

/* appc fills these in when a volume is read (maybeSetDefaults). */
static int volume_set_defaults(AppcVolume *v) {
        if (v->kind != APPC_VOLUME_EMPTY || v->mode)
                return 0;
        v->mode = strdup(EMPTY_VOLUME_DEFAULT_MODE);
        return v->mode ? 0 : -ENOMEM;
}

int appc_volume_validate(const AppcVolume *v, const AppcPath *prefix, RktError **reterr) {
        int r;

        r = appc_check_ac_name(v->name, APPC_PATH(prefix, "name"), reterr);
        if (r < 0)
                return r;
        switch (v->kind) {
        case APPC_VOLUME_EMPTY:
                if (!isempty(v->source))
                        return json_fail(reterr, "%ssource %s: must not be set for an empty volume",
                                         APPC_PATH_TEXT(prefix), JSON_QUOTE(v->source));
                if (isempty(v->mode))
                        return json_fail(reterr, "%smode: must be set for an empty volume",
                                         APPC_PATH_TEXT(prefix));
                return 0;
        case APPC_VOLUME_HOST:
                if (isempty(v->source))
                        return json_fail(reterr, "%ssource: must be set for a host volume",
                                         APPC_PATH_TEXT(prefix));
                r = appc_check_absolute_path(v->source, APPC_PATH(prefix, "source"), reterr);
                if (r < 0)
                        return r;
                if (v->mode)
                        return json_fail(reterr, "%smode: must not be set for a host volume",
                                         APPC_PATH_TEXT(prefix));
                return 0;
        default:
                return json_fail(reterr, "%skind: must be \"empty\" or \"host\"", APPC_PATH_TEXT(prefix));
        }
}

/* The member key of o, left APPC_UNSET when absent. */
static int opt_bool_from_json(json_object *o, const char *key, const char *path, AppcOptBool *ret,
                              RktError **reterr) {
        json_object *v = json_member(o, key);
        bool b = false;
        int r;

        r = json_read_bool(v, JSON_PATH("%s.%s", path, key), &b, reterr);
        if (r >= 0 && v)
                *ret = b ? APPC_TRUE : APPC_FALSE;
        return r;
}

static int volume_from_json(json_object *v, const char *path, void *ret, RktError **reterr) {
        _cleanup_free_ char *kind = NULL;
        AppcVolume vol = {
                .kind = _APPC_VOLUME_KIND_INVALID, .read_only = APPC_UNSET, .recursive = APPC_UNSET};
        json_object *uid, *gid;
        int64_t id = 0;
        int r;

        r = json_expect(v, json_type_object, path, reterr);
        if (r < 0)
                return r;
        r = json_read_string(json_member(v, "name"), JSON_PATH("%s.name", path), &vol.name, reterr);
        if (r < 0)
                goto fail;
        r = json_read_string(json_member(v, "kind"), JSON_PATH("%s.kind", path), &kind, reterr);
        if (r < 0)
                goto fail;
        vol.kind = volume_kind_from_string(kind);
        if (vol.kind == _APPC_VOLUME_KIND_INVALID) {
                if (kind)
                        r = json_fail(reterr, "%s.kind %s: must be \"empty\" or \"host\"", path,
                                      JSON_QUOTE(kind));
                else
                        r = json_fail(reterr, "%s.kind: must be \"empty\" or \"host\"", path);
                goto fail;
        }
        r = json_read_string(json_member(v, "source"), JSON_PATH("%s.source", path), &vol.source, reterr);
        if (r < 0)
                goto fail;
        if (vol.source && vol.source[0] == '\0')
                vol.source = mfree(vol.source);

        r = opt_bool_from_json(v, "readOnly", path, &vol.read_only, reterr);
        if (r < 0)
                goto fail;
        r = opt_bool_from_json(v, "recursive", path, &vol.recursive, reterr);
        if (r < 0)
                goto fail;

        r = json_read_string(json_member(v, "mode"), JSON_PATH("%s.mode", path), &vol.mode, reterr);
        if (r < 0)
                goto fail;
        uid = json_member(v, "uid");
        gid = json_member(v, "gid");
        if (vol.kind == APPC_VOLUME_HOST && (vol.mode || uid || gid)) {
                r = json_fail(reterr, "%s.%s: must not be set for a host volume", path,
                              vol.mode ? "mode"
                              : uid    ? "uid"
                                       : "gid");
                goto fail;
        }
        r = json_read_int(uid, JSON_PATH("%s.uid", path), 0, UINT32_MAX, &id, reterr);
        if (r < 0)
                goto fail;
        vol.uid = (uint32_t) id;
        id = 0;
        r = json_read_int(gid, JSON_PATH("%s.gid", path), 0, UINT32_MAX, &id, reterr);
        if (r < 0)
                goto fail;
        vol.gid = (uint32_t) id;
        r = volume_set_defaults(&vol);
        if (r < 0)
                goto fail;
        *(AppcVolume *) ret = vol;
        return 0;
fail:
        appc_volume_done(&vol);
        return r;
}

static void volume_write(JsonWriter *w, const void *p) {
        const AppcVolume *v = p;

        jw_begin_object(w);
        jw_key(w, "name");
        jw_string(w, v->name);
        jw_key(w, "kind");
        jw_string(w, appc_volume_kind_to_string(v->kind));
        if (v->source) {
                jw_key(w, "source");
                jw_string(w, v->source);
        }
        if (v->read_only != APPC_UNSET) {
                jw_key(w, "readOnly");
                jw_bool(w, v->read_only == APPC_TRUE);
        }
        if (v->recursive != APPC_UNSET) {
                jw_key(w, "recursive");
                jw_bool(w, v->recursive == APPC_TRUE);
        }
        if (v->kind == APPC_VOLUME_EMPTY) {
                jw_key(w, "mode");
                jw_string(w, v->mode);
                jw_key(w, "uid");
                jw_uint(w, v->uid);
                jw_key(w, "gid");
                jw_uint(w, v->gid);
        }
        jw_end_object(w);
}

static void volume_done(void *p) {
        appc_volume_done(p);
}

static int volume_copy(const void *src, void *dst) {
        return appc_volume_copy(src, dst);
}

/* Which members a volume has depends on its kind: hooks rather than a table. */
const JsonTable appc_volume_type = {
        .size = sizeof(AppcVolume),
        .from_json = volume_from_json,
        .done = volume_done,
        .copy = volume_copy,
        .equal = volume_equal,
        .write = volume_write,
};

/* strconv.ParseBool */
static int parse_go_bool(const char *s, bool *ret) {
        static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
        static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (streq(s, yes[i])) {
                        *ret = true;
                        return 0;
                }
                if (streq(s, no[i])) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

static int parse_id(const char *s, uint32_t *ret) {
        uint64_t v;

        if (parse_uint_max(s, UINT32_MAX, &v) < 0)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

int appc_volume_from_string(const char *s, AppcVolume *ret, RktError **reterr) {
        _cleanup_strv_free_ char **fields = NULL;
        AppcVolume v = {.kind = _APPC_VOLUME_KIND_INVALID, .read_only = APPC_UNSET, .recursive = APPC_UNSET};
        bool seen[8] = {}, b;
        int r;

        r = strv_split(s, ",", &fields);
        if (r < 0)
                return r;
        for (size_t i = 0; fields[i]; i++) {
                static const char *const keys[] = {"name",      "kind", "source", "readOnly",
                                                   "recursive", "mode", "uid",    "gid"};
                _cleanup_free_ char *key = NULL;
                const char *eq, *value;
                size_t k;

                /* as appc's VolumeFromString, the first field is always the name */
                if (i == 0) {
                        key = strdup("name");
                        value = fields[i];
                } else {
                        eq = strchr(fields[i], '=');
                        if (!eq) {
                                r = json_fail(reterr, "volume %s: parameter %s has no value", JSON_QUOTE(s),
                                              JSON_QUOTE(fields[i]));
                                goto fail;
                        }
                        key = strndup(fields[i], (size_t) (eq - fields[i]));
                        value = eq + 1;
                }
                if (!key) {
                        r = -ENOMEM;
                        goto fail;
                }
                for (k = 0; k < ELEMENTSOF(keys); k++)
                        if (streq(key, keys[k]))
                                break;
                if (k == ELEMENTSOF(keys)) {
                        r = json_fail(reterr, "volume %s: unknown parameter %s", JSON_QUOTE(s),
                                      JSON_QUOTE(key));
                        goto fail;
                }
                if (seen[k]) {
                        r = json_fail(reterr, "volume %s: parameter %s given more than once", JSON_QUOTE(s),
                                      key);
                        goto fail;
                }
                seen[k] = true;
                switch (k) {
                case 0:
                case 2:
                case 5: {
                        char **target = k == 0 ? &v.name : k == 2 ? &v.source : &v.mode;

                        *target = strdup(value);
                        if (!*target) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        break;
                }
                case 1:
                        v.kind = volume_kind_from_string(value);
                        if (v.kind == _APPC_VOLUME_KIND_INVALID) {
                                r = json_fail(reterr, "volume %s: kind %s: must be \"empty\" or \"host\"",
                                              JSON_QUOTE(s), JSON_QUOTE(value));
                                goto fail;
                        }
                        break;
                case 3:
                case 4:
                        if (parse_go_bool(value, &b) < 0) {
                                r = json_fail(reterr, "volume %s: %s %s: not a boolean", JSON_QUOTE(s), key,
                                              JSON_QUOTE(value));
                                goto fail;
                        }
                        *(k == 3 ? &v.read_only : &v.recursive) = b ? APPC_TRUE : APPC_FALSE;
                        break;
                default:
                        if (parse_id(value, k == 6 ? &v.uid : &v.gid) < 0) {
                                r = json_fail(reterr, "volume %s: %s %s: not a valid id", JSON_QUOTE(s), key,
                                              JSON_QUOTE(value));
                                goto fail;
                        }
                }
        }
        if (v.kind == APPC_VOLUME_HOST && (seen[6] || seen[7])) {
                r = json_fail(reterr, "volume %s: %s: must not be set for a host volume", JSON_QUOTE(s),
                              seen[6] ? "uid" : "gid");
                goto fail;
        }
        if (v.source && v.source[0] == '\0')
                v.source = mfree(v.source);
        r = volume_set_defaults(&v);
        if (r < 0)
                goto fail;
        r = appc_volume_validate(&v, APPC_PATH(NULL, JSON_PATH("volume %s: ", JSON_QUOTE(s))), reterr);
        if (r < 0)
                goto fail;
        *ret = v;
        return 0;
fail:
        appc_volume_done(&v);
        return r;
}
