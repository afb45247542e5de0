/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "pod-file.h"

/* The name rkt answers to as the systemd generator (argv[0]'s base name). */
#define POD_GENERATOR_NAME "rkt-pod-generator"

/* The rkt binary running (what the units run). */
int pod_file_rkt_path(char **ret);
/* main() of rkt-pod-generator. */
int pod_generator_main(int argc, char **argv);

/* Reads path (a regular file, at most 1 MiB) and parses it; *ret_error as pod_file_parse() gives it. */
int pod_file_read_and_parse(const char *path, const PodFileOptions *o, PodFile **ret, char **ret_error);
