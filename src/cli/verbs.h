/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "cli.h"

/* The verb table, in src/rkt.c. */
extern const Verb rkt_verbs[];

int verb_help(CliArgs *a);
int verb_version(CliArgs *a);
/* Build-time generators (hidden verbs): src/cli/completion.c, src/cli/man-pages.c. */
int verb_completion(CliArgs *a);
int verb_man_pages(CliArgs *a);

extern const Option fetch_options[];
int verb_fetch(CliArgs *a);
extern const Option trust_options[];
int verb_trust(CliArgs *a);

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
int verb_image_verify(CliArgs *a);

extern const Option run_options[];
extern const Option prepare_options[];
extern const Option run_prepared_options[];
/* The flags that follow an IMAGE on `rkt run` and `rkt prepare` and apply to its app. */
extern const Option run_app_options[];
int verb_run(CliArgs *a);
int verb_prepare(CliArgs *a);
int verb_run_prepared(CliArgs *a);

extern const Option list_options[];
int verb_list(CliArgs *a);
extern const Option status_options[];
int verb_status(CliArgs *a);
extern const Option stop_options[];
int verb_stop(CliArgs *a);
extern const Option rm_options[];
int verb_rm(CliArgs *a);
extern const Option gc_options[];
int verb_gc(CliArgs *a);
extern const Option cat_manifest_options[];
int verb_cat_manifest(CliArgs *a);
extern const Option config_options[];
int verb_config(CliArgs *a);
extern const Option export_options[];
int verb_export(CliArgs *a);
extern const Option enter_options[];
int verb_enter(CliArgs *a);
extern const Option pod_file_verify_options[];
int verb_pod_file_verify(CliArgs *a);
extern const Option api_service_options[];
int verb_api_service(CliArgs *a);
extern const Option metadata_service_options[];
int verb_metadata_service(CliArgs *a);
