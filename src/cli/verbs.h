/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "cli.h"

/* The verb table, in src/rkt.c. */
extern const Verb rkt_verbs[];

int verb_help(CliArgs *a);
int verb_version(CliArgs *a);

extern const Option fetch_options[];
int verb_fetch(CliArgs *a);

extern const Option image_list_options[];
int verb_image_list(CliArgs *a);
int verb_image_rm(CliArgs *a);
extern const Option image_gc_options[];
int verb_image_gc(CliArgs *a);
extern const Option image_cat_manifest_options[];
int verb_image_cat_manifest(CliArgs *a);
extern const Option image_export_options[];
int verb_image_export(CliArgs *a);
extern const Option image_extract_options[];
int verb_image_extract(CliArgs *a);
int verb_image_render(CliArgs *a);
