/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "cli.h"

/* The verb table, in src/rkt.c. */
extern const Verb rkt_verbs[];

int verb_help(CliArgs *a);
int verb_version(CliArgs *a);
