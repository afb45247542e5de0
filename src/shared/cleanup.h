/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Cleanup helpers for the types of libc and the linked libraries (json-c), for
 * _cleanup_(closedirp) DIR *d = …: one definition each. libarchive's are in dl.h, with its loader. */

#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>

#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);
DEFINE_TRIVIAL_CLEANUP_FUNC(FILE *, fclose);
DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);
