/* SPDX-License-Identifier: Apache-2.0 */
/* The checks of appc's value formats that name the field (the JSON itself is read by src/shared/json-io.c
 * and json-table.c), and the document's kind. */
#include "appc-internal.h"

/* Appends p (its up first) at buf + o, truncated as snprintf() truncates; returns the new length. */
static size_t path_append(char *buf, size_t size, size_t o, const AppcPath *p) {
        int n;

        if (!p)
                return o;
        o = path_append(buf, size, o, p->up);
        n = p->index == APPC_NO_INDEX
                    ? snprintf(buf + o, size - o, "%s%s", strempty(p->text), strempty(p->tail))
                    : snprintf(buf + o, size - o, "%s[%zu]%s", strempty(p->text), p->index,
                               strempty(p->tail));
        return n < 0 ? o : MIN(o + (size_t) n, size - 1);
}

const char *appc_path_format(char *buf, size_t size, const AppcPath *p) {
        buf[0] = 0;
        (void) path_append(buf, size, 0, p);
        return buf;
}

int appc_check_set(const char *s, const AppcPath *path, RktError **reterr) {
        if (isempty(s))
                return json_fail(reterr, "%s: must be set", APPC_PATH_TEXT(path));
        return 0;
}

/* "PATH: must be set", or "PATH 'value': not a valid WHAT (why)" when problem_of finds something wrong. */
static int check_format(const char *s, const AppcPath *path, const char *(*problem_of)(const char *),
                        const char *what, RktError **reterr) {
        const char *problem;

        if (isempty(s))
                return json_fail(reterr, "%s: must be set", APPC_PATH_TEXT(path));
        problem = problem_of(s);
        if (problem)
                return json_fail(reterr, "%s %s: not a valid %s (%s)", APPC_PATH_TEXT(path), JSON_QUOTE(s),
                                 what, problem);
        return 0;
}

static const char *image_id_prefix_problem(const char *s) {
        return appc_image_id_problem(s, false);
}

int appc_check_ac_identifier(const char *s, const AppcPath *path, RktError **reterr) {
        return check_format(s, path, appc_ac_identifier_problem, "AC Identifier", reterr);
}

int appc_check_ac_name(const char *s, const AppcPath *path, RktError **reterr) {
        return check_format(s, path, appc_ac_name_problem, "AC Name", reterr);
}

int appc_check_image_id(const char *s, const AppcPath *path, RktError **reterr) {
        return check_format(s, path, image_id_prefix_problem, "image ID", reterr);
}

int appc_check_semver(const char *s, const AppcPath *path, RktError **reterr) {
        return check_format(s, path, appc_semver_problem, "semantic version", reterr);
}

int appc_check_absolute_path(const char *s, const AppcPath *path, RktError **reterr) {
        if (isempty(s))
                return json_fail(reterr, "%s: must be set", APPC_PATH_TEXT(path));
        if (s[0] != '/')
                return json_fail(reterr, "%s %s: must be an absolute path", APPC_PATH_TEXT(path),
                                 JSON_QUOTE(s));
        return 0;
}

int appc_manifest_kind(const char *json, size_t size, char **ret_kind, RktError **reterr) {
        _cleanup_(json_object_putp) json_object *root = NULL;
        _cleanup_free_ char *kind = NULL;
        int r;

        r = json_parse_strict(json, size, "manifest", &root, reterr);
        if (r < 0)
                return r;
        r = json_read_string(json_member(root, "acKind"), "acKind", &kind, reterr);
        if (r < 0)
                return r;
        if (isempty(kind))
                return json_fail(reterr, "acKind: must be set");
        *ret_kind = TAKE_PTR(kind);
        return 0;
}
