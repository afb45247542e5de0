/* SPDX-License-Identifier: Apache-2.0 */
/* `rkt completion bash|zsh`: shell completion generated from the verb and option tables the parser uses,
 * so that it cannot drift from the command line. Run at build time (Makefile.am) and installed. */
#include <stdio.h>

#include "log.h"
#include "strv.h"
#include "verbs.h"

/* Metavars whose value is a path: completed with file names. */
static bool metavar_is_path(const char *m) {
        return m && (streq(m, "FILE") || streq(m, "DIR") || streq(m, "PATH"));
}

/* What a verb's positional arguments are, from the words of its usage that are not flags: p(ods),
 * i(mages in the store; also files for the verbs that take an image file), f(iles). */
static void arg_kinds(const Verb *v, char ret[static 8]) {
        _cleanup_strv_free_ char **words = NULL;
        bool pods = false, images = false, files = false;

        if (strv_split(strempty(v->usage), " \n\t", &words) < 0)
                words = NULL;
        STRV_FOREACH(w, words) {
                const char *t = *w + (**w == '[');
                if (!(*t >= 'A' && *t <= 'Z'))
                        continue; /* a flag, "|" or "..." */
                if (startswith(t, "UUID"))
                        pods = true;
                else if (startswith(t, "IMAGE"))
                        images = true;
                else if (strstr(t, "FILE") || strstr(t, "DIR") || startswith(t, "PUBKEY"))
                        files = true;
        }
        if (images && (streq(v->name, "fetch") || streq(v->name, "run") || streq(v->name, "prepare")))
                files = true;
        snprintf(ret, 8, "%s%s%s", pods ? "p " : "", images ? "i " : "", files ? "f" : "");
}

/* The flags of a table as shell words: "--x" for a boolean, "--x=" for one taking a value. */
static void print_flags(FILE *f, const Option *table, bool with_short) {
        for (const Option *o = table; o && o->name; o++) {
                if (o->deprecated)
                        continue;
                fprintf(f, " --%s%s", o->name, o->arg == OPTION_BOOL ? "" : "=");
                if (with_short && o->short_name)
                        fprintf(f, " -%c", o->short_name);
        }
}

static void print_takes_value(FILE *f, const Option *table) {
        for (const Option *o = table; o && o->name; o++)
                if (o->arg == OPTION_REQUIRED)
                        fprintf(f, " --%s", o->name);
}

/* One assignment per option with a known set of values: _rkt_values[PATH --NAME]="v1 v2" (@files for paths).
 */
static void print_values(FILE *f, const char *path, const Option *table) {
        for (const Option *o = table; o && o->name; o++) {
                if (o->arg == OPTION_BOOL)
                        fprintf(f, "_rkt_values[\"%s --%s\"]=\"true false\"\n", path, o->name);
                else if (o->values)
                        fprintf(f, "_rkt_values[\"%s --%s\"]=\"%s\"\n", path, o->name, o->values);
                else if (metavar_is_path(o->metavar))
                        fprintf(f, "_rkt_values[\"%s --%s\"]=\"@files\"\n", path, o->name);
        }
}

/* Single quotes for zsh descriptions: ' becomes '\'' and ':' is escaped for _describe. */
static void print_zsh_desc(FILE *f, const char *name, const char *desc) {
        fputc('\'', f);
        fputs(name, f);
        fputc(':', f);
        for (const char *p = strempty(desc); *p; p++) {
                if (*p == '\'')
                        fputs("'\\''", f);
                else if (*p == ':')
                        fputs("\\:", f);
                else
                        fputc(*p, f);
        }
        fputc('\'', f);
}

typedef enum Shell { SHELL_BASH, SHELL_ZSH } Shell;

/* The data both shells share: associative arrays keyed by the verb path ("rkt" for the top level, "image
 * list" for a subverb), and for values by "PATH --FLAG" (PATH "-" for the global flags). */
static void print_tables(FILE *f, Shell sh, const Verb *verbs, const char *prefix) {
        for (const Verb *v = verbs; v->name; v++) {
                char path[128], kinds[8];

                if (v->flags & VERB_HIDDEN)
                        continue;
                snprintf(path, sizeof(path), "%s %s", prefix, v->name);
                fprintf(f, "_rkt_flags[\"%s\"]=\"", path);
                print_flags(f, v->options, false);
                if (v->app_options)
                        print_flags(f, v->app_options, false);
                fprintf(f, "\"\n_rkt_takes_value[\"%s\"]=\"", path);
                print_takes_value(f, v->options);
                if (v->app_options)
                        print_takes_value(f, v->app_options);
                arg_kinds(v, kinds);
                fprintf(f, "\"\n_rkt_args[\"%s\"]=\"%s\"\n", path, v->subverbs ? "" : kinds);
                print_values(f, path, v->options);
                if (v->app_options)
                        print_values(f, path, v->app_options);
                if (v->subverbs) {
                        fprintf(f, "_rkt_subverbs[\"%s\"]=\"", path);
                        for (const Verb *s = v->subverbs; s->name; s++)
                                if (!(s->flags & VERB_HIDDEN))
                                        fprintf(f, " %s", s->name);
                        fprintf(f, "\"\n");
                        if (sh == SHELL_ZSH) {
                                fprintf(f, "_rkt_verb_desc_rkt_%s=(", v->name);
                                for (const Verb *s = v->subverbs; s->name; s++)
                                        if (!(s->flags & VERB_HIDDEN)) {
                                                fputc(' ', f);
                                                print_zsh_desc(f, s->name, s->summary);
                                        }
                                fprintf(f, " )\n");
                        }
                        print_tables(f, sh, v->subverbs, path);
                }
        }
}

static void print_common(FILE *f, Shell sh) {
        fprintf(f, "# Generated by 'rkt completion %s' from rkt's verb and option tables: do not edit.\n",
                sh == SHELL_BASH ? "bash" : "zsh");
        fprintf(f, "%s _rkt_subverbs _rkt_flags _rkt_takes_value _rkt_args _rkt_values\n",
                sh == SHELL_BASH ? "declare -gA" : "typeset -gA");
        fprintf(f, "_rkt_subverbs[\"rkt\"]=\"");
        for (const Verb *v = rkt_verbs; v->name; v++)
                if (!(v->flags & VERB_HIDDEN))
                        fprintf(f, " %s", v->name);
        fprintf(f, "\"\n_rkt_flags[\"rkt\"]=\"\"\n_rkt_flags[\"-\"]=\"");
        print_flags(f, cli_global_options, true);
        fprintf(f, "\"\n_rkt_takes_value[\"-\"]=\"");
        print_takes_value(f, cli_global_options);
        fprintf(f, "\"\n");
        print_values(f, "-", cli_global_options);
        if (sh == SHELL_ZSH) {
                fprintf(f, "_rkt_verb_desc_rkt=(");
                for (const Verb *v = rkt_verbs; v->name; v++)
                        if (!(v->flags & VERB_HIDDEN)) {
                                fputc(' ', f);
                                print_zsh_desc(f, v->name, v->summary);
                        }
                fprintf(f, " )\n");
        }
        print_tables(f, sh, rkt_verbs, "rkt");
}

/* The shell code is the same for every table: it walks the words typed so far to the verb path (skipping
 * flags and the values of flags that take one), then completes a flag, a flag's value, a subverb, or a
 * positional argument (pods and images from the store, which rkt lists for members of group rkt). */
/* _rkt_store p|i: the pods or the images, for both shells. */
#define STORE_FUNCTION                                                                                      \
        "\n"                                                                                                \
        "_rkt_store() {\n"                                                                                  \
        "\tcase $1 in\n"                                                                                    \
        "\tp) rkt list --no-legend --full 2>/dev/null | awk '{print $1}' ;;\n"                              \
        "\ti) rkt image list --no-legend --fields=name 2>/dev/null ;;\n"                                    \
        "\tesac\n"                                                                                          \
        "}\n"

static const char bash_code[] = STORE_FUNCTION
        "\n"
        "_rkt() {\n"
        "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path=rkt w i k n=0 opt='' "
        "vals\n"
        "\tCOMPREPLY=()\n"
        "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
        "\t\tw=${COMP_WORDS[i]}\n"
        "\t\tcase $w in\n"
        "\t\t--) break ;;\n"
        "\t\t=) [ $((i + 1)) -lt $COMP_CWORD ] && i=$((i + 1)); continue ;;\n"
        "\t\t-*=*) continue ;;\n"
        "\t\t-*)\n"
        "\t\t\tif [[ \" ${_rkt_takes_value[-]} ${_rkt_takes_value[$path]} \" == *\" $w \"* ]] &&\n"
        "\t\t\t\t[ \"${COMP_WORDS[i+1]}\" != = ] && [ $((i + 1)) -lt $COMP_CWORD ]; then\n"
        "\t\t\t\ti=$((i + 1))\n"
        "\t\t\tfi\n"
        "\t\t\tcontinue ;;\n"
        "\t\tesac\n"
        "\t\tif [ $n -eq 0 ] && [[ \" ${_rkt_subverbs[$path]} \" == *\" $w \"* ]]; then\n"
        "\t\t\tpath=\"$path $w\"\n"
        "\t\telse\n"
        "\t\t\tn=$((n + 1))\n"
        "\t\tfi\n"
        "\tdone\n"
        "\t# The value of a flag: --flag=V (one word, or three when '=' breaks words) or --flag V.\n"
        "\tif [[ $cur == --*=* ]]; then\n"
        "\t\topt=${cur%%=*}; cur=${cur#*=}\n"
        "\telif [ \"$cur\" = = ] && [[ $prev == -* ]]; then\n"
        "\t\topt=$prev; cur=\n"
        "\telif [ \"$prev\" = = ] && [ \"$COMP_CWORD\" -ge 2 ]; then\n"
        "\t\topt=${COMP_WORDS[COMP_CWORD-2]}\n"
        "\telif [[ $prev == --* ]] && [[ \" ${_rkt_takes_value[-]} ${_rkt_takes_value[$path]} \" == *\" "
        "$prev \"* ]]; then\n"
        "\t\topt=$prev\n"
        "\tfi\n"
        "\tif [ -n \"$opt\" ]; then\n"
        "\t\tvals=${_rkt_values[$path $opt]-${_rkt_values[- $opt]-}}\n"
        "\t\tif [ \"$vals\" = @files ]; then\n"
        "\t\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
        "\t\telif [ -n \"$vals\" ]; then\n"
        "\t\t\tmapfile -t COMPREPLY < <(compgen -W \"$vals\" -- \"$cur\")\n"
        "\t\tfi\n"
        "\t\t# One word \"--flag=V\" (no '=' in COMP_WORDBREAKS) is replaced whole.\n"
        "\t\tif [[ ${COMP_WORDS[COMP_CWORD]} == --*=* ]] && [[ $COMP_WORDBREAKS != *=* ]]; then\n"
        "\t\t\tCOMPREPLY=(\"${COMPREPLY[@]/#/$opt=}\")\n"
        "\t\tfi\n"
        "\t\treturn 0\n"
        "\tfi\n"
        "\tif [[ $cur == -* ]]; then\n"
        "\t\tmapfile -t COMPREPLY < <(compgen -W \"${_rkt_flags[$path]} ${_rkt_flags[-]}\" -- \"$cur\")\n"
        "\t\t[[ ${COMPREPLY[0]-} == *= ]] && compopt -o nospace 2>/dev/null\n"
        "\t\treturn 0\n"
        "\tfi\n"
        "\tif [ -n \"${_rkt_subverbs[$path]-}\" ] && [ $n -eq 0 ]; then\n"
        "\t\tmapfile -t COMPREPLY < <(compgen -W \"${_rkt_subverbs[$path]}\" -- \"$cur\")\n"
        "\t\treturn 0\n"
        "\tfi\n"
        "\tfor k in ${_rkt_args[$path]-}; do\n"
        "\t\tcase $k in\n"
        "\t\tf) mapfile -t -O ${#COMPREPLY[@]} COMPREPLY < <(compgen -f -- \"$cur\") ;;\n"
        "\t\t*) mapfile -t -O ${#COMPREPLY[@]} COMPREPLY < <(compgen -W \"$(_rkt_store \"$k\")\" -- "
        "\"$cur\") ;;\n"
        "\t\tesac\n"
        "\tdone\n"
        "\treturn 0\n"
        "}\n"
        "complete -F _rkt rkt\n";

static const char zsh_code[] = STORE_FUNCTION
        "\n"
        "_rkt() {\n"
        "\tlocal cur=${words[CURRENT]} path=rkt w k opt='' vals i n=0\n"
        "\tlocal -a flags withval descs\n"
        "\tfor (( i = 2; i < CURRENT; i++ )); do\n"
        "\t\tw=${words[i]}\n"
        "\t\tcase $w in\n"
        "\t\t--) break ;;\n"
        "\t\t-*=*) continue ;;\n"
        "\t\t-*)\n"
        "\t\t\tif [[ \" ${_rkt_takes_value[-]} ${_rkt_takes_value[$path]} \" == *\" $w \"* ]] && (( i + 1 < "
        "CURRENT )); then\n"
        "\t\t\t\t(( i++ ))\n"
        "\t\t\tfi\n"
        "\t\t\tcontinue ;;\n"
        "\t\tesac\n"
        "\t\tif (( n == 0 )) && [[ \" ${_rkt_subverbs[$path]} \" == *\" $w \"* ]]; then\n"
        "\t\t\tpath=\"$path $w\"\n"
        "\t\telse\n"
        "\t\t\t(( n++ ))\n"
        "\t\tfi\n"
        "\tdone\n"
        "\tif [[ $cur == --*=* ]]; then\n"
        "\t\topt=${cur%%=*}\n"
        "\t\tcompset -P '*='\n"
        "\telif [[ ${words[CURRENT-1]} == --* ]] && [[ \" ${_rkt_takes_value[-]} ${_rkt_takes_value[$path]} "
        "\" == *\" ${words[CURRENT-1]} \"* ]]; then\n"
        "\t\topt=${words[CURRENT-1]}\n"
        "\tfi\n"
        "\tif [[ -n $opt ]]; then\n"
        "\t\tvals=${_rkt_values[$path $opt]-${_rkt_values[- $opt]-}}\n"
        "\t\tif [[ $vals == @files ]]; then\n"
        "\t\t\t_files\n"
        "\t\telif [[ -n $vals ]]; then\n"
        "\t\t\tcompadd -- ${=vals}\n"
        "\t\tfi\n"
        "\t\treturn\n"
        "\tfi\n"
        "\tif [[ $cur == -* ]]; then\n"
        "\t\tfor w in ${=_rkt_flags[$path]} ${=_rkt_flags[-]}; do\n"
        "\t\t\tif [[ $w == *= ]]; then withval+=($w); else flags+=($w); fi\n"
        "\t\tdone\n"
        "\t\tcompadd -S '' -- $withval\n"
        "\t\tcompadd -- $flags\n"
        "\t\treturn\n"
        "\tfi\n"
        "\tif [[ -n ${_rkt_subverbs[$path]-} ]] && (( n == 0 )); then\n"
        "\t\tdescs=(\"${(@P)${:-_rkt_verb_desc_${path// /_}}}\")\n"
        "\t\t_describe -t commands 'rkt command' descs\n"
        "\t\treturn\n"
        "\tfi\n"
        "\tfor k in ${=_rkt_args[$path]-}; do\n"
        "\t\tcase $k in\n"
        "\t\tf) _files ;;\n"
        "\t\t*) compadd -- ${(f)\"$(_rkt_store $k)\"} ;;\n"
        "\t\tesac\n"
        "\tdone\n"
        "}\n"
        "\n"
        "_rkt \"$@\"\n";

int verb_completion(CliArgs *a) {
        const char *shell = a->args[0];
        Shell sh;

        if (streq(shell, "bash"))
                sh = SHELL_BASH;
        else if (streq(shell, "zsh"))
                sh = SHELL_ZSH;
        else
                return log_error_errno(-EINVAL, "unknown shell '%s' (valid: bash, zsh)", shell);

        if (sh == SHELL_ZSH)
                fputs("#compdef rkt\n", stdout);
        else
                fputs("# bash completion for rkt                                 -*- shell-script -*-\n",
                      stdout);
        print_common(stdout, sh);
        fputs(sh == SHELL_BASH ? bash_code : zsh_code, stdout);
        if (fflush(stdout) != 0 || ferror(stdout))
                return log_error_errno(-EIO, "Failed to write the completion script: %m");
        return 0;
}
