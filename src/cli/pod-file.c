/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pod-file.h"
#include "pod-name.h"
#include "strv.h"
#include "util.h"

/* A pod file is configuration, not data: anything near this size is a mistake. */
#define POD_FILE_LINE_MAX (64 * 1024)

typedef enum Section {
        SECTION_NONE,
        SECTION_POD,
        SECTION_APP,
        SECTION_UNIT,
        SECTION_SERVICE,
        SECTION_INSTALL,
} Section;

static const char *const section_names[] = {
        [SECTION_POD] = "Pod",         [SECTION_APP] = "App",         [SECTION_UNIT] = "Unit",
        [SECTION_SERVICE] = "Service", [SECTION_INSTALL] = "Install",
};

PodFile *pod_file_free(PodFile *pf) {
        if (!pf)
                return NULL;
        free(pf->path);
        free(pf->name);
        strv_free(pf->global_args);
        strv_free(pf->run_args);
        strv_free(pf->unit_lines);
        strv_free(pf->service_lines);
        strv_free(pf->install_lines);
        free(pf);
        return NULL;
}

char *pod_file_key(const char *option_name) {
        char *key = malloc(strlen(option_name) + 1), *k = key;
        bool up = true;

        if (!key)
                return NULL;
        for (const char *p = option_name; *p; p++) {
                if (*p == '-') {
                        up = true;
                        continue;
                }
                *k++ = up ? (char) toupper((unsigned char) *p) : *p;
                up = false;
        }
        *k = 0;
        return key;
}

static int set_error(char **ret_error, const char *path, unsigned line, const char *key, const char *fmt,
                     ...) _printf_(5, 6);
static int set_error(char **ret_error, const char *path, unsigned line, const char *key, const char *fmt,
                     ...) {
        _cleanup_free_ char *what = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&what, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (line > 0 && key)
                r = asprintf(ret_error, "%s:%u: %s=: %s", path, line, key, what);
        else if (line > 0)
                r = asprintf(ret_error, "%s:%u: %s", path, line, what);
        else
                r = asprintf(ret_error, "%s: %s", path, what);
        return r < 0 ? -ENOMEM : -EINVAL;
}

int pod_file_name_from_path(const char *path, char **ret, char **ret_error) {
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        const char *suffix = endswith(base, ".pod");
        _cleanup_free_ char *name = NULL;

        if (!suffix || suffix == base)
                return set_error(ret_error, path, 0, NULL, "a pod file's name is NAME.pod");
        name = strndup(base, suffix - base);
        if (!name)
                return -ENOMEM;
        if (!pod_name_valid(name))
                return set_error(
                        ret_error, path, 0, NULL,
                        "'%s' is not a valid pod name: 1 to %d letters, digits, '_', '.' and '-', starting "
                        "with a letter or digit, not ending in '.' or '-', and not a UUID",
                        name, POD_NAME_MAX);
        *ret = TAKE_PTR(name);
        return 0;
}

/* The option whose key is key, among the table's options that a pod file may use. */
static const Option *find_key(const Option *table, const char *key, const char **ret_near) {
        for (const Option *o = table; o && o->name; o++) {
                _cleanup_free_ char *k = NULL;
                if (o->deprecated)
                        continue;
                k = pod_file_key(o->name);
                if (!k)
                        return NULL;
                if (streq(k, key))
                        return o;
                if (strcasecmp(k, key) == 0 && ret_near)
                        *ret_near = o->name;
        }
        return NULL;
}

/* Splits a command line as unit files quote it: words separated by blanks, "…" and '…' quoting, a
 * backslash taking the next character as it is. */
static int split_command(const char *s, char ***ret, const char **ret_why) {
        _cleanup_strv_free_ char **words = NULL;
        _cleanup_free_ char *buf = malloc(strlen(s) + 1);

        if (!buf)
                return -ENOMEM;
        for (const char *p = s;;) {
                size_t n = 0;
                char quote = 0;
                bool any = false;

                while (*p == ' ' || *p == '\t')
                        p++;
                if (!*p)
                        break;
                for (; *p && (quote || (*p != ' ' && *p != '\t')); p++) {
                        any = true;
                        if (*p == '\\') {
                                if (!p[1]) {
                                        *ret_why = "a backslash ends the line";
                                        return -EINVAL;
                                }
                                buf[n++] = *++p;
                        } else if (quote && *p == quote)
                                quote = 0;
                        else if (!quote && (*p == '"' || *p == '\''))
                                quote = *p;
                        else
                                buf[n++] = *p;
                }
                if (quote) {
                        *ret_why = quote == '"' ? "unterminated \"" : "unterminated '";
                        return -EINVAL;
                }
                buf[n] = 0;
                if (any && strv_extend(&words, buf) < 0)
                        return -ENOMEM;
        }
        if (!words) {
                *ret_why = "needs a command";
                return -EINVAL;
        }
        *ret = TAKE_PTR(words);
        return 0;
}

static bool key_chars_ok(const char *k) {
        if (isempty(k))
                return false;
        for (const char *p = k; *p; p++)
                if (!isalnum((unsigned char) *p) && *p != '-' && *p != '_' && *p != '.')
                        return false;
        return true;
}

static bool value_chars_ok(const char *v) {
        for (const unsigned char *p = (const unsigned char *) v; *p; p++)
                if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
                        return false;
        return true;
}

typedef struct App {
        char *image;
        unsigned image_line;
        char **exec;
        char **flags;
} App;

typedef struct Parser {
        const char *path;
        const PodFileOptions *o;
        PodFile *pf;
        char **pod_args;
        App *apps;
        size_t n_apps;
        char **error;
} Parser;

static void parser_done(Parser *p) {
        for (size_t i = 0; i < p->n_apps; i++) {
                free(p->apps[i].image);
                strv_free(p->apps[i].exec);
                strv_free(p->apps[i].flags);
        }
        free(p->apps);
        strv_free(p->pod_args);
}

/* "--name=value" (a bare "--name" for an optional value given as ""), value checked as the option wants. */
static int option_arg(Parser *p, unsigned line, const char *key, const Option *opt, const char *value,
                      char **ret) {
        int b, r;

        switch (opt->arg) {
        case OPTION_BOOL:
                b = parse_boolean(value);
                if (b < 0)
                        return set_error(p->error, p->path, line, key, "'%s' is not a boolean (yes or no)",
                                         value);
                r = asprintf(ret, "--%s=%s", opt->name, b ? "true" : "false");
                break;
        case OPTION_OPTIONAL:
                r = isempty(value) ? asprintf(ret, "--%s", opt->name)
                                   : asprintf(ret, "--%s=%s", opt->name, value);
                break;
        default:
                if (isempty(value))
                        return set_error(p->error, p->path, line, key, "needs a value (%s)",
                                         strempty(opt->metavar));
                r = asprintf(ret, "--%s=%s", opt->name, value);
        }
        return r < 0 ? -ENOMEM : 0;
}

static int parse_pod_key(Parser *p, unsigned line, const char *key, const char *value) {
        const char *near = NULL;
        const Option *opt = find_key(p->o->pod, key, &near);
        bool global = false;
        char *arg = NULL;
        int r;

        if (!opt && (opt = find_key(p->o->globals, key, &near)))
                global = true;
        if (!opt || streq(opt->name, "help")) {
                if (near && !streq(near, "help")) {
                        _cleanup_free_ char *k = pod_file_key(near);
                        return set_error(p->error, p->path, line, key,
                                         "unknown key in [Pod]; did you mean %s=?", k ?: near);
                }
                if (find_key(p->o->app, key, NULL) || streq(key, "Image"))
                        return set_error(p->error, p->path, line, key, "a key of [App], not of [Pod]");
                return set_error(
                        p->error, p->path, line, key,
                        "unknown key in [Pod]: keys are the long options of 'rkt run' (--set-env is "
                        "SetEnv=)");
        }
        if (streq(opt->name, "name"))
                return set_error(p->error, p->path, line, key,
                                 "the pod's name is the file's name (NAME.pod)");
        r = option_arg(p, line, key, opt, value, &arg);
        if (r < 0)
                return r;
        r = strv_push(global ? &p->pf->global_args : &p->pod_args, arg);
        if (r < 0)
                free(arg);
        return r;
}

static int parse_app_key(Parser *p, unsigned line, const char *key, const char *value) {
        App *app = &p->apps[p->n_apps - 1];
        const char *near = NULL, *why = NULL;
        const Option *opt;
        char *arg = NULL;
        int r;

        if (streq(key, "Image")) {
                if (app->image)
                        return set_error(p->error, p->path, line, key,
                                         "given twice in one [App] (one image each)");
                if (isempty(value))
                        return set_error(p->error, p->path, line, key,
                                         "needs an image (a name, file or URL)");
                app->image = strdup(value);
                app->image_line = line;
                return app->image ? 0 : -ENOMEM;
        }
        opt = find_key(p->o->app, key, &near);
        if (!opt) {
                if (near) {
                        _cleanup_free_ char *k = pod_file_key(near);
                        return set_error(p->error, p->path, line, key,
                                         "unknown key in [App]; did you mean %s=?", k ?: near);
                }
                if (find_key(p->o->pod, key, NULL) || find_key(p->o->globals, key, NULL))
                        return set_error(p->error, p->path, line, key,
                                         "a key of [Pod] (for the whole pod), not of [App]%s",
                                         streq(key, "SetEnv") ? ": an app's own variables are Environment="
                                                              : "");
                return set_error(p->error, p->path, line, key,
                                 "unknown key in [App]: keys are Image= and the long options that follow an "
                                 "image on 'rkt run' (--working-dir is WorkingDir=)");
        }
        if (streq(opt->name, "exec")) {
                _cleanup_strv_free_ char **words = NULL;
                if (app->exec)
                        return set_error(p->error, p->path, line, key, "given twice in one [App]");
                r = split_command(value, &words, &why);
                if (r == -EINVAL)
                        return set_error(p->error, p->path, line, key, "%s", why);
                if (r < 0)
                        return r;
                STRV_FOREACH(w, words)
                if (streq(*w, "---"))
                        return set_error(p->error, p->path, line, key,
                                         "'---' cannot be an argument (it ends an app's arguments)");
                app->exec = TAKE_PTR(words);
                return 0;
        }
        r = option_arg(p, line, key, opt, value, &arg);
        if (r < 0)
                return r;
        r = strv_push(&app->flags, arg);
        if (r < 0)
                free(arg);
        return r;
}

static int parse_line(Parser *p, Section *section, unsigned line, char *l) {
        char *eq, *key, *value;
        size_t n = strlen(l);

        if (l[0] == '[') {
                if (n < 3 || l[n - 1] != ']')
                        return set_error(p->error, p->path, line, NULL, "'%s' is not a section header", l);
                l[n - 1] = 0;
                for (Section s = SECTION_POD; s <= SECTION_INSTALL; s++)
                        if (streq(l + 1, section_names[s])) {
                                *section = s;
                                if (s == SECTION_APP) {
                                        App *apps = realloc(p->apps, sizeof(App) * (p->n_apps + 1));
                                        if (!apps)
                                                return -ENOMEM;
                                        p->apps = apps;
                                        p->apps[p->n_apps++] = (App){};
                                }
                                return 0;
                        }
                return set_error(
                        p->error, p->path, line, NULL,
                        "unknown section [%s]: a pod file has [Pod], [App], [Unit], [Service] and [Install]",
                        l + 1);
        }
        eq = strchr(l, '=');
        if (!eq)
                return set_error(p->error, p->path, line, NULL, "'%s' is not KEY=VALUE", l);
        *eq = 0;
        key = l;
        value = eq + 1;
        for (char *e = eq; e > key && (e[-1] == ' ' || e[-1] == '\t');)
                *--e = 0;
        value += strspn(value, " \t");
        if (!key_chars_ok(key))
                return set_error(p->error, p->path, line, NULL, "'%s' is not a valid key", key);
        if (!value_chars_ok(value))
                return set_error(p->error, p->path, line, key, "control characters in the value");
        switch (*section) {
        case SECTION_NONE:
                return set_error(p->error, p->path, line, key,
                                 "outside of a section (start with [Pod] or [App])");
        case SECTION_POD:
                return parse_pod_key(p, line, key, value);
        case SECTION_APP:
                return parse_app_key(p, line, key, value);
        case SECTION_SERVICE:
                if (streq(key, "ExecStart"))
                        return set_error(p->error, p->path, line, key,
                                         "the pod is the service's command: describe it in [Pod] and [App]");
                __attribute__((fallthrough));
        case SECTION_UNIT:
        case SECTION_INSTALL: {
                char ***l2 = *section == SECTION_UNIT      ? &p->pf->unit_lines
                             : *section == SECTION_SERVICE ? &p->pf->service_lines
                                                           : &p->pf->install_lines;
                char *kv;
                if (asprintf(&kv, "%s=%s", key, value) < 0)
                        return -ENOMEM;
                if (strv_push(l2, kv) < 0) {
                        free(kv);
                        return -ENOMEM;
                }
                return 0;
        }
        }
        return 0;
}

/* --name=NAME, the pod's flags, then each app: IMAGE, its flags, -- ARGS ---. */
static int assemble(Parser *p) {
        _cleanup_free_ char *name_arg = NULL;
        PodFile *pf = p->pf;

        bool manifest = false;

        STRV_FOREACH(a, p->pod_args)
        manifest = manifest || startswith(*a, "--pod-manifest=");
        if (p->n_apps == 0 && !manifest)
                return set_error(p->error, p->path, 0, NULL,
                                 "no [App] section: a pod needs at least one app");
        if (asprintf(&name_arg, "--name=%s", pf->name) < 0 || strv_extend(&pf->run_args, name_arg) < 0)
                return -ENOMEM;
        STRV_FOREACH(a, p->pod_args)
        if (strv_extend(&pf->run_args, *a) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_apps; i++) {
                App *app = &p->apps[i];
                if (!app->image)
                        return set_error(p->error, p->path, 0, NULL,
                                         "[App] number %zu has no Image=", i + 1);
                if (strv_extend(&pf->run_args, app->image) < 0)
                        return -ENOMEM;
                if (app->exec) {
                        _cleanup_free_ char *exec = NULL;
                        if (asprintf(&exec, "--exec=%s", app->exec[0]) < 0 ||
                            strv_extend(&pf->run_args, exec) < 0)
                                return -ENOMEM;
                }
                STRV_FOREACH(f, app->flags)
                if (strv_extend(&pf->run_args, *f) < 0)
                        return -ENOMEM;
                if (app->exec && app->exec[1]) {
                        if (strv_extend(&pf->run_args, "--") < 0)
                                return -ENOMEM;
                        STRV_FOREACH(w, app->exec + 1)
                        if (strv_extend(&pf->run_args, *w) < 0)
                                return -ENOMEM;
                        if (strv_extend(&pf->run_args, "---") < 0)
                                return -ENOMEM;
                }
        }
        pf->n_apps = p->n_apps;
        return 0;
}

int pod_file_parse(const char *path, const char *text, const PodFileOptions *o, PodFile **ret,
                   char **ret_error) {
        _cleanup_(pod_file_freep) PodFile *pf = calloc(1, sizeof(PodFile));
        _cleanup_free_ char *logical = NULL;
        Parser p = {.path = path, .o = o, .pf = pf, .error = ret_error};
        Section section = SECTION_NONE;
        unsigned line = 0, start = 0;
        size_t len = 0;
        int r;

        if (!pf || !(pf->path = strdup(path)))
                return -ENOMEM;
        r = pod_file_name_from_path(path, &pf->name, ret_error);
        if (r < 0)
                return r;
        for (const char *s = text; *s;) {
                size_t n = strcspn(s, "\n");
                _cleanup_free_ char *raw = strndup(s, n);
                char *l;
                bool more;

                s += n + (s[n] == '\n');
                line++;
                if (!raw) {
                        r = -ENOMEM;
                        goto done;
                }
                l = raw + strspn(raw, " \t");
                for (size_t k = strlen(l); k > 0 && strchr(" \t\r", l[k - 1]);)
                        l[--k] = 0;
                /* Comments are whole lines, also inside a continued line (as systemd reads them). */
                if (*l == '#' || *l == ';' || (!logical && !*l))
                        continue;
                more = endswith(l, "\\") != NULL;
                if (more)
                        l[strlen(l) - 1] = 0;
                if (!logical) {
                        start = line;
                        len = 0;
                }
                if (len + strlen(l) + 2 > POD_FILE_LINE_MAX) {
                        r = set_error(ret_error, path, start, NULL, "line longer than %d bytes",
                                      POD_FILE_LINE_MAX);
                        goto done;
                }
                {
                        char *grown = realloc(logical, len + strlen(l) + 2);
                        if (!grown) {
                                r = -ENOMEM;
                                goto done;
                        }
                        logical = grown;
                        len += (size_t) sprintf(logical + len, "%s%s", len > 0 ? " " : "", l);
                }
                if (more && *s)
                        continue;
                r = parse_line(&p, &section, start, logical);
                logical = mfree(logical);
                if (r < 0)
                        goto done;
        }
        r = assemble(&p);
        if (r >= 0)
                *ret = TAKE_PTR(pf);
done:
        parser_done(&p);
        return r;
}

char *pod_file_quote_exec_arg(const char *s) {
        char *q = malloc(strlen(s) * 2 + 3), *p = q;

        if (!q)
                return NULL;
        bool quote = isempty(s) || strpbrk(s, " \t\"'\\");

        /* A lone ";" separates commands in Exec lines unless escaped. */
        if (streq(s, ";"))
                return strcpy(q, "\\;");
        if (quote)
                *p++ = '"';
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        *p++ = '\\';
                else if (*s == '%' || *s == '$')
                        *p++ = *s; /* %% and $$: no specifier, no variable */
                *p++ = *s;
        }
        if (quote)
                *p++ = '"';
        *p = 0;
        return q;
}

/* Description= and the like expand specifiers: '%' doubled. */
static char *escape_specifiers(const char *s) {
        char *q = malloc(strlen(s) * 2 + 1), *p = q;

        if (!q)
                return NULL;
        for (; *s; s++) {
                if (*s == '%')
                        *p++ = '%';
                *p++ = *s;
        }
        *p = 0;
        return q;
}

static void write_exec(FILE *f, const char *key, const char *rkt, char *const *globals, const char *verb,
                       char *const *args) {
        _cleanup_free_ char *r = pod_file_quote_exec_arg(rkt);

        fprintf(f, "%s=%s", key, strempty(r));
        STRV_FOREACH(g, globals) {
                _cleanup_free_ char *q = pod_file_quote_exec_arg(*g);
                fprintf(f, " %s", strempty(q));
        }
        fprintf(f, " %s", verb);
        STRV_FOREACH(a, args) {
                _cleanup_free_ char *q = pod_file_quote_exec_arg(*a);
                fprintf(f, " %s", strempty(q));
        }
        fputc('\n', f);
}

/* buf is the memstream's: valid only after fflush()/fclose(). */
static int memstream_finish(FILE *f, char **buf, char **ret) {
        bool bad = fflush(f) != 0 || ferror(f);

        fclose(f);
        if (bad) {
                free(*buf);
                return -ENOMEM;
        }
        *ret = *buf;
        return 0;
}

int pod_file_unit(const PodFile *pf, const char *rkt, char **ret) {
        _cleanup_free_ char *source = escape_specifiers(pf->path);
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (!source)
                return -ENOMEM;
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "# Written by rkt-pod-generator from %s: edit that file, not this one (rkt.pod(5)).\n",
                pf->path);
        fputs("[Unit]\n", f);
        fprintf(f, "Description=rkt pod %s\n", pf->name);
        fputs("Documentation=man:rkt.pod(5)\n", f);
        fprintf(f, "SourcePath=%s\n", source);
        fputs("Wants=network-online.target\nAfter=network-online.target\n", f);
        STRV_FOREACH(l, pf->unit_lines)
        fprintf(f, "%s\n", *l);
        /* The pod is the service's main process: stage1 passes the pod's readiness on (Type=notify) and
         * stops the pod in order on SIGTERM, while KillMode=mixed leaves the rest of the cgroup to it until
         * the stop times out. The pod is a machine: machine.slice, and the cgroup is the pod's to manage. */
        fputs("\n[Service]\nType=notify\nKillMode=mixed\nSlice=machine.slice\nDelegate=yes\n", f);
        write_exec(f, "ExecStart", rkt, pf->global_args, "run", pf->run_args);
        /* The pod's name is free again for the next start once the exited pod is garbage. */
        write_exec(f, "ExecStopPost", rkt, pf->global_args, "gc",
                   (char *const[]){(char *) "--mark-only", NULL});
        STRV_FOREACH(l, pf->service_lines)
        fprintf(f, "%s\n", *l);
        if (pf->install_lines) {
                fputs("\n[Install]\n", f);
                STRV_FOREACH(l, pf->install_lines)
                fprintf(f, "%s\n", *l);
        }
        return memstream_finish(f, &buf, ret);
}

int pod_file_error_unit(const char *path, const char *name, const char *error, const char *rkt, char **ret) {
        _cleanup_free_ char *desc = escape_specifiers(error), *source = escape_specifiers(path),
                            *q_rkt = pod_file_quote_exec_arg(rkt), *q_path = pod_file_quote_exec_arg(path),
                            *stale_msg = NULL, *q_stale = NULL;
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (asprintf(&stale_msg, "%s has changed since it was read: run 'systemctl daemon-reload'", path) <
            0)
                return -ENOMEM;
        q_stale = pod_file_quote_exec_arg(stale_msg);
        if (!desc || !source || !q_rkt || !q_path || !q_stale)
                return -ENOMEM;
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f,
                "# Written by rkt-pod-generator from %s, which it could not convert: this unit fails with\n"
                "# the error. Fix the file (rkt pod-file verify FILE) and run systemctl daemon-reload.\n",
                path);
        fprintf(f, "[Unit]\nDescription=rkt pod %s: invalid pod file: %s\n", name, desc);
        fprintf(f, "Documentation=man:rkt.pod(5)\nSourcePath=%s\n", source);
        /* verify prints the error into the unit's log; should the file have been fixed since, the second
         * command still fails, and says why. */
        fprintf(f, "\n[Service]\nType=oneshot\nExecStart=%s pod-file verify --quiet %s\n", q_rkt, q_path);
        fprintf(f, "ExecStart=/bin/sh -c \"echo \\\"$$0\\\" >&2; exit 1\" %s\n", q_stale);
        return memstream_finish(f, &buf, ret);
}
