/* SPDX-License-Identifier: Apache-2.0 */
#include "json-table.h"
#include "net-info.h"
#include "stage1-contract.h"

static const JsonField net_info_fields[] = {
        JSON_FIELD("netName", STRING, NetInfo, net_name),
        JSON_FIELD("netConf", STRING, NetInfo, conf_path),
        JSON_FIELD("pluginPath", STRING, NetInfo, plugin_path),
        JSON_FIELD("ifName", STRING, NetInfo, if_name),
        JSON_FIELD("ip", STRING, NetInfo, ip),
        JSON_FIELD("args", STRING, NetInfo, args),
        JSON_FIELD("mask", STRING, NetInfo, mask),
        {},
};

/* Members missing read as "". */
static int net_info_finish(void *p) {
        for (const JsonField *f = net_info_fields; f->key; f++) {
                char **s = (char **) ((char *) p + f->offset);

                if (!*s && !(*s = strdup("")))
                        return -ENOMEM;
        }
        return 0;
}

/* Not single_line: a network's args come from --net as the user wrote them, and the teardown must read back
 * whatever stage1 wrote. */
static const JsonTable net_info_table = {
        .size = sizeof(NetInfo),
        .fields = net_info_fields,
        .strict = true,
        .finish = net_info_finish,
};

int net_info_json(const NetInfo *n, size_t count, char **ret) {
        return json_table_array_to_text(&net_info_table, n, count, ret);
}

int net_info_parse(const char *json, size_t size, NetInfo **ret, size_t *ret_n, RktError **reterr) {
        return json_table_read_array(&net_info_table, json, size, POD_NET_INFO, ret, ret_n, reterr);
}

void net_infos_free(NetInfo *n, size_t count) {
        json_table_array_free(&net_info_table, n, count);
}
