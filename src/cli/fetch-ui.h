/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdio.h>

#include "cli.h"
#include "fetch.h"
#include "keystore.h"

/* What the user sees while images are fetched: notices on stderr (prefixed like every rkt message), a
 * progress bar (bytes, rate, ETA) on stderr when it is a terminal and nothing otherwise, and the prompt
 * that asks before a discovered key is trusted. */
typedef struct FetchUi {
        bool tty;
        bool drawn;          /* a bar is on the screen */
        uint64_t start_usec; /* of the current download */
        uint64_t last_draw_usec;
        uint64_t start_bytes; /* resumed bytes: not counted in the rate */
} FetchUi;

/* Sets up ui and points o's callbacks (notice, progress, confirm_key, userdata) at it, and fills in the
 * config dirs and flags that come from the global options. */
void fetch_ui_setup(FetchUi *ui, FetchOptions *o, const RktGlobals *g);

/* Prints a key the way `rkt trust` shows it before asking. */
void cli_print_key(FILE *f, const char *prefix, const char *location, const PgpKey *key);
/* Asks "Are you sure you want to trust this key (yes/no)?" on the terminal. -ENOTTY when stdin or stderr is
 * not a terminal; 1 for yes, 0 for no. */
int cli_review_key(void);
