/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>

#include "dl.h"

#define DL_DEFINE(name) typeof(name) *sym_##name
#define DL_SYM(name) {#name, (void **) &sym_##name}

typedef struct DlSym {
        const char *name;
        void **ptr;
} DlSym;

typedef struct DlLibrary {
        const char *soname;
        const char *package;
        const DlSym *syms;
        void *handle;
} DlLibrary;

static int dl_open(DlLibrary *l, RktError **reterr) {
        void *h;

        if (l->handle)
                return 0;
        h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
        if (!h)
                return rkt_error_set(reterr, -EOPNOTSUPP, "cannot load %s (install the Debian package '%s'): %s",
                                     l->soname, l->package, dlerror());
        for (const DlSym *s = l->syms; s->name; s++) {
                *s->ptr = dlsym(h, s->name);
                if (!*s->ptr) {
                        (void) dlclose(h);
                        return rkt_error_set(reterr, -EOPNOTSUPP, "%s lacks %s: the library is too old",
                                             l->soname, s->name);
                }
        }
        l->handle = h;
        return 0;
}

DL_DEFINE(curl_easy_cleanup);
DL_DEFINE(curl_easy_escape);
DL_DEFINE(curl_easy_getinfo);
DL_DEFINE(curl_easy_init);
DL_DEFINE(curl_easy_perform);
DL_DEFINE(curl_easy_reset);
DL_DEFINE(curl_easy_setopt);
DL_DEFINE(curl_easy_strerror);
DL_DEFINE(curl_free);
DL_DEFINE(curl_slist_append);
DL_DEFINE(curl_slist_free_all);
DL_DEFINE(curl_url);
DL_DEFINE(curl_url_cleanup);
DL_DEFINE(curl_url_get);
DL_DEFINE(curl_url_set);

static const DlSym curl_syms[] = {
        DL_SYM(curl_easy_cleanup), DL_SYM(curl_easy_escape),   DL_SYM(curl_easy_getinfo),
        DL_SYM(curl_easy_init),    DL_SYM(curl_easy_perform),  DL_SYM(curl_easy_reset),
        DL_SYM(curl_easy_setopt),  DL_SYM(curl_easy_strerror), DL_SYM(curl_free),
        DL_SYM(curl_slist_append), DL_SYM(curl_slist_free_all), DL_SYM(curl_url),
        DL_SYM(curl_url_cleanup),  DL_SYM(curl_url_get),       DL_SYM(curl_url_set),
        {},
};
static DlLibrary curl_library = {LIBCURL_SONAME, "libcurl4", curl_syms, NULL};

int curl_dl_open(RktError **reterr) {
        return dl_open(&curl_library, reterr);
}

DL_DEFINE(MHD_add_response_header);
DL_DEFINE(MHD_create_post_processor);
DL_DEFINE(MHD_create_response_from_buffer);
DL_DEFINE(MHD_destroy_post_processor);
DL_DEFINE(MHD_destroy_response);
DL_DEFINE(MHD_get_connection_values);
DL_DEFINE(MHD_get_daemon_info);
DL_DEFINE(MHD_get_timeout);
DL_DEFINE(MHD_post_process);
DL_DEFINE(MHD_queue_response);
DL_DEFINE(MHD_run);
DL_DEFINE(MHD_start_daemon);
DL_DEFINE(MHD_stop_daemon);

static const DlSym mhd_syms[] = {
        DL_SYM(MHD_add_response_header),
        DL_SYM(MHD_create_post_processor),
        DL_SYM(MHD_create_response_from_buffer),
        DL_SYM(MHD_destroy_post_processor),
        DL_SYM(MHD_destroy_response),
        DL_SYM(MHD_get_connection_values),
        DL_SYM(MHD_get_daemon_info),
        DL_SYM(MHD_get_timeout),
        DL_SYM(MHD_post_process),
        DL_SYM(MHD_queue_response),
        DL_SYM(MHD_run),
        DL_SYM(MHD_start_daemon),
        DL_SYM(MHD_stop_daemon),
        {},
};
static DlLibrary mhd_library = {LIBMICROHTTPD_SONAME, "libmicrohttpd12", mhd_syms, NULL};

int mhd_dl_open(RktError **reterr) {
        return dl_open(&mhd_library, reterr);
}
