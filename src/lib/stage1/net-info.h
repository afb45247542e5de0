/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

#include "error.h"

/* net-info.json in the pod directory: the networks stage1 set up, in the order it set them up; written by
 * stage1, read by its teardown (gc, stop), by `rkt status`, `rkt list` and the API service. An array of
 * objects with rkt's NetInfo keys, in this order. */
typedef struct NetInfo {
        char *net_name;
        char *conf_path; /* relative to the pod dir: net/<ifname>.conf */
        char *plugin_path;
        char *if_name;
        char *ip;   /* "" until the plugin answered */
        char *args; /* "" when none */
        char *mask; /* "" until the plugin answered */
} NetInfo;

int net_info_json(const NetInfo *n, size_t count, char **ret);
/* A member missing reads as "". A file of the wrong shape is -EBADMSG with a message naming the file and
 * the field ("net-info.json: field '[0].ip': must be a string, not an integer"). */
int net_info_parse(const char *json, size_t size, NetInfo **ret, size_t *ret_n, RktError **reterr);
void net_infos_free(NetInfo *n, size_t count);
