/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdio.h>

/* Text for roff (man-pages.c). */
void man_roff(FILE *f, const char *s);
/* Writes DIR/rkt.pod.5 and prints its name (man-pod-file.c). */
int man_page_pod_file(const char *dir);
