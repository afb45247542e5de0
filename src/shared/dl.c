/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <pthread.h>

#include "dl.h"

#define DL_DEFINE(name) typeof(name) *sym_##name
#define DL_SYM(name)                                                                                        \
        { #name, (void **) &sym_##name }

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

static int dl_open_locked(DlLibrary *l, RktError **reterr) {
        void *h;

        if (l->handle)
                return 0;
        h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
        if (!h)
                return rkt_error_set(reterr, -EOPNOTSUPP,
                                     "cannot load %s (install the Debian package '%s'): %s", l->soname,
                                     l->package, dlerror());
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

/* Serialised: a signature is checked in a thread of its own (gpgme) while the image is imported. */
static int dl_open(DlLibrary *l, RktError **reterr) {
        static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
        int r;

        (void) pthread_mutex_lock(&lock);
        r = dl_open_locked(l, reterr);
        (void) pthread_mutex_unlock(&lock);
        return r;
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
        DL_SYM(curl_easy_cleanup),   DL_SYM(curl_easy_escape),
        DL_SYM(curl_easy_getinfo),   DL_SYM(curl_easy_init),
        DL_SYM(curl_easy_perform),   DL_SYM(curl_easy_reset),
        DL_SYM(curl_easy_setopt),    DL_SYM(curl_easy_strerror),
        DL_SYM(curl_free),           DL_SYM(curl_slist_append),
        DL_SYM(curl_slist_free_all), DL_SYM(curl_url),
        DL_SYM(curl_url_cleanup),    DL_SYM(curl_url_get),
        DL_SYM(curl_url_set),        {},
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

DL_DEFINE(sd_event_add_defer);
DL_DEFINE(sd_event_add_io);
DL_DEFINE(sd_event_add_signal);
DL_DEFINE(sd_event_add_time);
DL_DEFINE(sd_event_add_time_relative);
DL_DEFINE(sd_event_exit);
DL_DEFINE(sd_event_loop);
DL_DEFINE(sd_event_new);
DL_DEFINE(sd_event_now);
DL_DEFINE(sd_event_ref);
DL_DEFINE(sd_event_source_disable_unref);
DL_DEFINE(sd_event_source_get_event);
DL_DEFINE(sd_event_source_set_enabled);
DL_DEFINE(sd_event_source_set_io_events);
DL_DEFINE(sd_event_source_set_io_fd_own);
DL_DEFINE(sd_event_source_set_time);
DL_DEFINE(sd_event_source_set_time_relative);
DL_DEFINE(sd_event_unref);
DL_DEFINE(sd_is_socket);
DL_DEFINE(sd_is_socket_inet);
DL_DEFINE(sd_is_socket_unix);
DL_DEFINE(sd_journal_add_match);
DL_DEFINE(sd_journal_close);
DL_DEFINE(sd_journal_get_cursor);
DL_DEFINE(sd_journal_get_data);
DL_DEFINE(sd_journal_get_realtime_usec);
DL_DEFINE(sd_journal_next);
DL_DEFINE(sd_journal_open_files);
DL_DEFINE(sd_journal_previous);
DL_DEFINE(sd_journal_previous_skip);
DL_DEFINE(sd_journal_process);
DL_DEFINE(sd_journal_seek_cursor);
DL_DEFINE(sd_journal_seek_head);
DL_DEFINE(sd_journal_seek_realtime_usec);
DL_DEFINE(sd_journal_seek_tail);
DL_DEFINE(sd_journal_send);
DL_DEFINE(sd_listen_fds);
DL_DEFINE(sd_notify);

static const DlSym systemd_syms[] = {
        DL_SYM(sd_event_add_defer),
        DL_SYM(sd_event_add_io),
        DL_SYM(sd_event_add_signal),
        DL_SYM(sd_event_add_time),
        DL_SYM(sd_event_add_time_relative),
        DL_SYM(sd_event_exit),
        DL_SYM(sd_event_loop),
        DL_SYM(sd_event_new),
        DL_SYM(sd_event_now),
        DL_SYM(sd_event_ref),
        DL_SYM(sd_event_source_disable_unref),
        DL_SYM(sd_event_source_get_event),
        DL_SYM(sd_event_source_set_enabled),
        DL_SYM(sd_event_source_set_io_events),
        DL_SYM(sd_event_source_set_io_fd_own),
        DL_SYM(sd_event_source_set_time),
        DL_SYM(sd_event_source_set_time_relative),
        DL_SYM(sd_event_unref),
        DL_SYM(sd_is_socket),
        DL_SYM(sd_is_socket_inet),
        DL_SYM(sd_is_socket_unix),
        DL_SYM(sd_journal_add_match),
        DL_SYM(sd_journal_close),
        DL_SYM(sd_journal_get_cursor),
        DL_SYM(sd_journal_get_data),
        DL_SYM(sd_journal_get_realtime_usec),
        DL_SYM(sd_journal_next),
        DL_SYM(sd_journal_open_files),
        DL_SYM(sd_journal_previous),
        DL_SYM(sd_journal_previous_skip),
        DL_SYM(sd_journal_process),
        DL_SYM(sd_journal_seek_cursor),
        DL_SYM(sd_journal_seek_head),
        DL_SYM(sd_journal_seek_realtime_usec),
        DL_SYM(sd_journal_seek_tail),
        DL_SYM(sd_journal_send),
        DL_SYM(sd_listen_fds),
        DL_SYM(sd_notify),
        {},
};
static DlLibrary systemd_library = {LIBSYSTEMD_SONAME, "libsystemd0", systemd_syms, NULL};

int systemd_dl_open(RktError **reterr) {
        return dl_open(&systemd_library, reterr);
}

int (*sym_SHA256_Init)(SHA256_CTX *c);
int (*sym_SHA256_Update)(SHA256_CTX *c, const void *data, size_t size);
int (*sym_SHA256_Final)(unsigned char *md, SHA256_CTX *c);
int (*sym_SHA512_Init)(SHA512_CTX *c);
int (*sym_SHA512_Update)(SHA512_CTX *c, const void *data, size_t size);
int (*sym_SHA512_Final)(unsigned char *md, SHA512_CTX *c);
DL_DEFINE(CRYPTO_memcmp);
DL_DEFINE(EVP_sha512);
DL_DEFINE(HMAC);
DL_DEFINE(OPENSSL_cleanse);

static const DlSym crypto_syms[] = {
        DL_SYM(SHA256_Init),
        DL_SYM(SHA256_Update),
        DL_SYM(SHA256_Final),
        DL_SYM(SHA512_Init),
        DL_SYM(SHA512_Update),
        DL_SYM(SHA512_Final),
        DL_SYM(CRYPTO_memcmp),
        DL_SYM(EVP_sha512),
        DL_SYM(HMAC),
        DL_SYM(OPENSSL_cleanse),
        {},
};
static DlLibrary crypto_library = {LIBCRYPTO_SONAME, "libssl3", crypto_syms, NULL};

int crypto_dl_open(RktError **reterr) {
        return dl_open(&crypto_library, reterr);
}

DL_DEFINE(gpgme_check_version);
DL_DEFINE(gpgme_ctx_set_engine_info);
DL_DEFINE(gpgme_data_new);
DL_DEFINE(gpgme_data_new_from_fd);
DL_DEFINE(gpgme_data_new_from_mem);
DL_DEFINE(gpgme_data_release);
DL_DEFINE(gpgme_data_release_and_get_mem);
DL_DEFINE(gpgme_data_set_flag);
DL_DEFINE(gpgme_engine_check_version);
DL_DEFINE(gpgme_err_code_to_errno);
DL_DEFINE(gpgme_free);
DL_DEFINE(gpgme_get_key);
DL_DEFINE(gpgme_key_unref);
DL_DEFINE(gpgme_new);
DL_DEFINE(gpgme_op_export);
DL_DEFINE(gpgme_op_import);
DL_DEFINE(gpgme_op_import_result);
DL_DEFINE(gpgme_op_verify);
DL_DEFINE(gpgme_op_verify_result);
DL_DEFINE(gpgme_release);
DL_DEFINE(gpgme_set_armor);
DL_DEFINE(gpgme_set_offline);
DL_DEFINE(gpgme_set_protocol);
DL_DEFINE(gpgme_strerror);

static const DlSym gpgme_syms[] = {
        DL_SYM(gpgme_check_version),
        DL_SYM(gpgme_ctx_set_engine_info),
        DL_SYM(gpgme_data_new),
        DL_SYM(gpgme_data_new_from_fd),
        DL_SYM(gpgme_data_new_from_mem),
        DL_SYM(gpgme_data_release),
        DL_SYM(gpgme_data_release_and_get_mem),
        DL_SYM(gpgme_data_set_flag),
        DL_SYM(gpgme_engine_check_version),
        DL_SYM(gpgme_err_code_to_errno),
        DL_SYM(gpgme_free),
        DL_SYM(gpgme_get_key),
        DL_SYM(gpgme_key_unref),
        DL_SYM(gpgme_new),
        DL_SYM(gpgme_op_export),
        DL_SYM(gpgme_op_import),
        DL_SYM(gpgme_op_import_result),
        DL_SYM(gpgme_op_verify),
        DL_SYM(gpgme_op_verify_result),
        DL_SYM(gpgme_release),
        DL_SYM(gpgme_set_armor),
        DL_SYM(gpgme_set_offline),
        DL_SYM(gpgme_set_protocol),
        DL_SYM(gpgme_strerror),
        {},
};
static DlLibrary gpgme_library = {LIBGPGME_SONAME, "libgpgme11", gpgme_syms, NULL};

int gpgme_dl_open(RktError **reterr) {
        return dl_open(&gpgme_library, reterr);
}

DL_DEFINE(archive_entry_atime);
DL_DEFINE(archive_entry_atime_is_set);
DL_DEFINE(archive_entry_atime_nsec);
DL_DEFINE(archive_entry_copy_pathname);
DL_DEFINE(archive_entry_filetype);
DL_DEFINE(archive_entry_free);
DL_DEFINE(archive_entry_gid);
DL_DEFINE(archive_entry_hardlink);
DL_DEFINE(archive_entry_linkify);
DL_DEFINE(archive_entry_linkresolver_new);
DL_DEFINE(archive_entry_linkresolver_free);
DL_DEFINE(archive_entry_linkresolver_set_strategy);
DL_DEFINE(archive_entry_mtime);
DL_DEFINE(archive_entry_mtime_is_set);
DL_DEFINE(archive_entry_mtime_nsec);
DL_DEFINE(archive_entry_new);
DL_DEFINE(archive_entry_pathname);
DL_DEFINE(archive_entry_perm);
DL_DEFINE(archive_entry_rdev);
DL_DEFINE(archive_entry_set_filetype);
DL_DEFINE(archive_entry_set_mtime);
DL_DEFINE(archive_entry_set_pathname);
DL_DEFINE(archive_entry_set_gid);
DL_DEFINE(archive_entry_set_perm);
DL_DEFINE(archive_entry_set_uid);
DL_DEFINE(archive_entry_set_size);
DL_DEFINE(archive_entry_size);
DL_DEFINE(archive_entry_size_is_set);
DL_DEFINE(archive_entry_symlink);
DL_DEFINE(archive_entry_uid);
DL_DEFINE(archive_entry_xattr_next);
DL_DEFINE(archive_entry_xattr_reset);
DL_DEFINE(archive_errno);
DL_DEFINE(archive_error_string);
DL_DEFINE(archive_format);
DL_DEFINE(archive_read_data);
DL_DEFINE(archive_read_data_block);
DL_DEFINE(archive_read_disk_can_descend);
DL_DEFINE(archive_read_disk_descend);
DL_DEFINE(archive_read_disk_new);
DL_DEFINE(archive_read_disk_open);
DL_DEFINE(archive_read_disk_set_behavior);
DL_DEFINE(archive_read_disk_set_symlink_physical);
DL_DEFINE(archive_read_free);
DL_DEFINE(archive_read_header_position);
DL_DEFINE(archive_read_new);
DL_DEFINE(archive_read_next_header);
DL_DEFINE(archive_read_next_header2);
DL_DEFINE(archive_read_open);
DL_DEFINE(archive_read_open_fd);
DL_DEFINE(archive_read_support_filter_bzip2);
DL_DEFINE(archive_read_support_filter_gzip);
DL_DEFINE(archive_read_support_filter_xz);
DL_DEFINE(archive_read_support_filter_zstd);
DL_DEFINE(archive_read_support_format_gnutar);
DL_DEFINE(archive_read_support_format_raw);
DL_DEFINE(archive_read_support_format_tar);
DL_DEFINE(archive_set_error);
DL_DEFINE(archive_write_add_filter_gzip);
DL_DEFINE(archive_write_close);
DL_DEFINE(archive_write_data);
DL_DEFINE(archive_write_free);
DL_DEFINE(archive_write_header);
DL_DEFINE(archive_write_new);
DL_DEFINE(archive_write_open_fd);
DL_DEFINE(archive_write_set_format_pax_restricted);

static const DlSym archive_syms[] = {
        DL_SYM(archive_entry_atime),
        DL_SYM(archive_entry_atime_is_set),
        DL_SYM(archive_entry_atime_nsec),
        DL_SYM(archive_entry_copy_pathname),
        DL_SYM(archive_entry_filetype),
        DL_SYM(archive_entry_free),
        DL_SYM(archive_entry_gid),
        DL_SYM(archive_entry_hardlink),
        DL_SYM(archive_entry_linkify),
        DL_SYM(archive_entry_linkresolver_new),
        DL_SYM(archive_entry_linkresolver_free),
        DL_SYM(archive_entry_linkresolver_set_strategy),
        DL_SYM(archive_entry_mtime),
        DL_SYM(archive_entry_mtime_is_set),
        DL_SYM(archive_entry_mtime_nsec),
        DL_SYM(archive_entry_new),
        DL_SYM(archive_entry_pathname),
        DL_SYM(archive_entry_perm),
        DL_SYM(archive_entry_rdev),
        DL_SYM(archive_entry_set_filetype),
        DL_SYM(archive_entry_set_mtime),
        DL_SYM(archive_entry_set_pathname),
        DL_SYM(archive_entry_set_gid),
        DL_SYM(archive_entry_set_perm),
        DL_SYM(archive_entry_set_uid),
        DL_SYM(archive_entry_set_size),
        DL_SYM(archive_entry_size),
        DL_SYM(archive_entry_size_is_set),
        DL_SYM(archive_entry_symlink),
        DL_SYM(archive_entry_uid),
        DL_SYM(archive_entry_xattr_next),
        DL_SYM(archive_entry_xattr_reset),
        DL_SYM(archive_errno),
        DL_SYM(archive_error_string),
        DL_SYM(archive_format),
        DL_SYM(archive_read_data),
        DL_SYM(archive_read_data_block),
        DL_SYM(archive_read_disk_can_descend),
        DL_SYM(archive_read_disk_descend),
        DL_SYM(archive_read_disk_new),
        DL_SYM(archive_read_disk_open),
        DL_SYM(archive_read_disk_set_behavior),
        DL_SYM(archive_read_disk_set_symlink_physical),
        DL_SYM(archive_read_free),
        DL_SYM(archive_read_header_position),
        DL_SYM(archive_read_new),
        DL_SYM(archive_read_next_header),
        DL_SYM(archive_read_next_header2),
        DL_SYM(archive_read_open),
        DL_SYM(archive_read_open_fd),
        DL_SYM(archive_read_support_filter_bzip2),
        DL_SYM(archive_read_support_filter_gzip),
        DL_SYM(archive_read_support_filter_xz),
        DL_SYM(archive_read_support_filter_zstd),
        DL_SYM(archive_read_support_format_gnutar),
        DL_SYM(archive_read_support_format_raw),
        DL_SYM(archive_read_support_format_tar),
        DL_SYM(archive_set_error),
        DL_SYM(archive_write_add_filter_gzip),
        DL_SYM(archive_write_close),
        DL_SYM(archive_write_data),
        DL_SYM(archive_write_free),
        DL_SYM(archive_write_header),
        DL_SYM(archive_write_new),
        DL_SYM(archive_write_open_fd),
        DL_SYM(archive_write_set_format_pax_restricted),
        {},
};
static DlLibrary archive_library = {LIBARCHIVE_SONAME, "libarchive13", archive_syms, NULL};

int archive_dl_open(RktError **reterr) {
        return dl_open(&archive_library, reterr);
}

int archive_reader_new(ArchiveReaderFlags flags, struct archive **ret, RktError **reterr) {
        static const struct {
                ArchiveReaderFlags flag;
                int (**support)(struct archive *);
        } supports[] = {
                {ARCHIVE_READER_GZIP, &sym_archive_read_support_filter_gzip},
                {ARCHIVE_READER_BZIP2, &sym_archive_read_support_filter_bzip2},
                {ARCHIVE_READER_XZ, &sym_archive_read_support_filter_xz},
                {ARCHIVE_READER_ZSTD, &sym_archive_read_support_filter_zstd},
                {ARCHIVE_READER_TAR, &sym_archive_read_support_format_tar},
                {ARCHIVE_READER_TAR, &sym_archive_read_support_format_gnutar},
                {ARCHIVE_READER_RAW, &sym_archive_read_support_format_raw},
        };
        struct archive *a;
        int r = archive_dl_open(reterr);

        if (r < 0)
                return r;
        a = sym_archive_read_new();
        if (!a)
                return -ENOMEM;
        /* ARCHIVE_WARN: the decompressor is an external program after all (libarchive built without it). */
        for (size_t i = 0; i < ELEMENTSOF(supports); i++)
                if ((flags & supports[i].flag) && (*supports[i].support)(a) < ARCHIVE_WARN) {
                        r = rkt_error_set(reterr, -EOPNOTSUPP, "setting up the archive reader: %s",
                                          strna(sym_archive_error_string(a)));
                        sym_archive_read_free(a);
                        return r;
                }
        *ret = a;
        return 0;
}
