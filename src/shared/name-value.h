/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A name and its value: labels, annotations, environment variables, sysctl entries. */
typedef struct NameValue {
        char *name;
        char *value;
} NameValue;
