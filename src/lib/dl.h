/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Libraries that only some verbs need are loaded when first needed, not at every start of rkt: libcurl
 * (fetching, the metadata service client) and libmicrohttpd (the metadata service) with what they pull in
 * are ~45 shared objects and most of the time `rkt list` or `rkt status` would take otherwise. Their
 * functions are called through sym_<name> pointers, resolved all at once by the library's *_dl_open(). */

#include <curl/curl.h>
#include <microhttpd.h>

#include "error.h"

#define DL_DECLARE(name) extern typeof(name) *sym_##name

DL_DECLARE(curl_easy_cleanup);
DL_DECLARE(curl_easy_escape);
DL_DECLARE(curl_easy_getinfo);
DL_DECLARE(curl_easy_init);
DL_DECLARE(curl_easy_perform);
DL_DECLARE(curl_easy_reset);
DL_DECLARE(curl_easy_setopt);
DL_DECLARE(curl_easy_strerror);
DL_DECLARE(curl_free);
DL_DECLARE(curl_slist_append);
DL_DECLARE(curl_slist_free_all);
DL_DECLARE(curl_url);
DL_DECLARE(curl_url_cleanup);
DL_DECLARE(curl_url_get);
DL_DECLARE(curl_url_set);
/* Loads libcurl once; a one-line error naming the library and its Debian package when it cannot. */
int curl_dl_open(RktError **reterr);

DL_DECLARE(MHD_add_response_header);
DL_DECLARE(MHD_create_post_processor);
DL_DECLARE(MHD_create_response_from_buffer);
DL_DECLARE(MHD_destroy_post_processor);
DL_DECLARE(MHD_destroy_response);
DL_DECLARE(MHD_get_connection_values);
DL_DECLARE(MHD_get_daemon_info);
DL_DECLARE(MHD_get_timeout);
DL_DECLARE(MHD_post_process);
DL_DECLARE(MHD_queue_response);
DL_DECLARE(MHD_run);
DL_DECLARE(MHD_start_daemon);
DL_DECLARE(MHD_stop_daemon);
/* Loads libmicrohttpd once, likewise. */
int mhd_dl_open(RktError **reterr);
