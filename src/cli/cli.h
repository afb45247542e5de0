/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "macro.h"

/* rkt 1.30's exit codes: 254 for every error of rkt's own, so that low codes stay free for the app's
 * exit status, which `rkt run` returns; 2 when no verb is given. */
#define EXIT_RKT_ERROR 254
#define EXIT_NO_VERB 2

/* The global flags; every verb sees them, wherever on the command line they were given. */
typedef struct RktGlobals {
        char *dir;           /* absolute, symlinks resolved: --dir, else paths.d "data", else /var/lib/rkt */
        bool dir_set;        /* by --dir */
        char *system_config; /* /usr/lib/rkt */
        char *local_config;  /* /etc/rkt */
        char *user_config;   /* optional third layer, highest precedence */
        bool debug;
        unsigned insecure; /* InsecureFlags */
        bool trust_keys_from_https;
        char **net_plugins;          /* paths.d "net-plugins"; NULL: stage1's defaults */
        char *stage1_images;         /* paths.d "stage1-images"; NULL: the build's default */
        uint64_t stall_timeout_usec; /* --stall-timeout: a download bringing (almost) nothing this long fails
                                      */
        uint64_t max_image_size;     /* --max-image-size: the uncompressed size an image may have */
} RktGlobals;

typedef enum OptionArg {
        OPTION_BOOL,     /* --x, --x=true, --x=false */
        OPTION_REQUIRED, /* --x=V or --x V */
        OPTION_OPTIONAL, /* --x or --x=V (V only with '=') */
} OptionArg;

typedef struct Option {
        const char *name; /* long name, without "--" */
        char short_name;  /* 0 for none */
        int id;           /* > 0, handed back to the verb */
        OptionArg arg;
        const char *metavar;
        const char *def; /* the default, as help shows it */
        const char *help;
        const char *values; /* the choices of an enum-like value, space-separated (shell completion) */
        /* A deprecated alias rkt 1.30 still accepted: left out of help and completion, marked so in the man
         * page, and "Flag --NAME has been deprecated, <this>" printed when used (as rkt 1.30 did). */
        const char *deprecated;
} Option;

typedef struct ParsedOption {
        const Option *option;
        const char *value; /* NULL for a bare flag */
} ParsedOption;

typedef struct Verb Verb;

typedef struct CliArgs {
        const Verb *verb;
        RktGlobals *globals;
        ParsedOption *options;
        size_t n_options;
        char **args; /* positional arguments, not owned */
        size_t n_args;
} CliArgs;

typedef int (*VerbFunction)(CliArgs *a);

typedef enum VerbFlags {
        VERB_ROOT_ONLY = 1 << 0,       /* refuses to run as another user */
        VERB_NO_INTERSPERSED = 1 << 1, /* flags end at the first positional argument */
        VERB_NO_CONFIG = 1 << 2,       /* needs no paths.d: a broken config does not stop it */
        VERB_HIDDEN = 1 << 3,          /* a build-time generator: not in help, man pages or completion, and
                                        * found by its exact name only */
} VerbFlags;

struct Verb {
        const char *name;
        const char *summary;
        const char *usage;       /* after "rkt VERB " */
        const char *description; /* optional, several lines */
        const Option *options;   /* terminated by an entry with name == NULL */
        /* Flags that only follow an IMAGE (run, prepare): before one they are refused with "--X must follow
         * an image", not as unknown flags. */
        const Option *app_options;
        VerbFunction run;     /* NULL for a verb that only groups sub-verbs */
        const Verb *subverbs; /* terminated by an entry with name == NULL */
        unsigned flags;
        size_t min_args, max_args; /* max_args SIZE_MAX for unbounded */
        /* For a VERB_ROOT_ONLY verb rkt 1.30 did not refuse up front: the words its failure began with,
         * put before the refusal so that scripts matching them still match. */
        const char *refusal_text;
};

/* Parses argv (flags of the verb and the global flags) into a. Returns 0, 1 when help was requested and
 * printed, or a negative errno after logging the problem. */
int cli_parse(const Verb *verb, const char *path, int argc, char **argv, RktGlobals *g, CliArgs *a);
void cli_args_done(CliArgs *a);
/* Appends an option to a, as if it had been given among the verb's flags. */
int cli_args_push_option(CliArgs *a, const Option *o, const char *value);
/* Reads paths.d of the config dirs into g (after cli_parse): its "data" becomes g->dir unless --dir was
 * given. Logs a bad file. */
int cli_load_paths(RktGlobals *g);

/* The global flags, for the man page and completion generators. */
extern const Option cli_global_options[];

/* Prints help for verb (NULL: the top level). path is "rkt image list" etc. */
void cli_help(const Verb *top, const Verb *verb, const char *path, FILE *f);

/* Value helpers for verbs. */
int cli_bool(const ParsedOption *o, bool *ret);
/* The verb's boolean option id (its last occurrence), def when it is not given. */
int option_bool(const CliArgs *a, int id, bool def, bool *ret);
/* The value of the verb's option id (its last occurrence), NULL when it is not given. */
const char *option_value(const CliArgs *a, int id);

/* Looks up name among verbs: an exact name or an unambiguous prefix, as rkt 1.30 accepts. Sets
 * *ret_suggestion to a close name (or NULL) when nothing matches. */
const Verb *verb_lookup(const Verb *verbs, const char *name, const char **ret_suggestion);

/* rkt's words for the remedies of librkt's errors (RktHint, installed with rkt_error_hints_set()): the
 * flag or command that helps, which the library does not know. */
char *cli_hint(RktHint hint, const char *arg, const char *message);
