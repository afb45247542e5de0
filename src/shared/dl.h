/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Libraries that only some verbs need are loaded when first needed, not at every start of rkt: libcurl
 * (fetching, the metadata service client), libmicrohttpd (the metadata service) and libarchive (importing,
 * rendering and exporting images) with what they pull in are ~50 shared objects and most of the time
 * `rkt list` or `rkt status` would take otherwise; libsystemd (the event loop and journal of the API
 * service, socket activation, the generator's log) and the seven libraries it pulls in were ~1 MB of
 * every rkt's memory and a quarter of `rkt run`'s stage0 instructions; gpgme (verifying signatures) and
 * libassuan likewise; libcrypto (hashing long data, the metadata service's HMAC) more than half of what
 * was left. Their functions are called through
 * sym_<name> pointers, resolved all at once by the library's *_dl_open(). */

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <gpgme.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <systemd/sd-journal.h>

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

DL_DECLARE(sd_event_add_defer);
DL_DECLARE(sd_event_add_io);
DL_DECLARE(sd_event_add_signal);
DL_DECLARE(sd_event_add_time);
DL_DECLARE(sd_event_add_time_relative);
DL_DECLARE(sd_event_exit);
DL_DECLARE(sd_event_loop);
DL_DECLARE(sd_event_new);
DL_DECLARE(sd_event_now);
DL_DECLARE(sd_event_ref);
DL_DECLARE(sd_event_source_disable_unref);
DL_DECLARE(sd_event_source_get_event);
DL_DECLARE(sd_event_source_set_enabled);
DL_DECLARE(sd_event_source_set_io_events);
DL_DECLARE(sd_event_source_set_io_fd_own);
DL_DECLARE(sd_event_source_set_time);
DL_DECLARE(sd_event_source_set_time_relative);
DL_DECLARE(sd_event_unref);
DL_DECLARE(sd_is_socket);
DL_DECLARE(sd_is_socket_inet);
DL_DECLARE(sd_is_socket_unix);
DL_DECLARE(sd_journal_add_match);
DL_DECLARE(sd_journal_close);
DL_DECLARE(sd_journal_get_cursor);
DL_DECLARE(sd_journal_get_data);
DL_DECLARE(sd_journal_get_realtime_usec);
DL_DECLARE(sd_journal_next);
DL_DECLARE(sd_journal_open_files);
DL_DECLARE(sd_journal_previous);
DL_DECLARE(sd_journal_previous_skip);
DL_DECLARE(sd_journal_process);
DL_DECLARE(sd_journal_seek_cursor);
DL_DECLARE(sd_journal_seek_head);
DL_DECLARE(sd_journal_seek_realtime_usec);
DL_DECLARE(sd_journal_seek_tail);
DL_DECLARE(sd_journal_send);
DL_DECLARE(sd_listen_fds);
DL_DECLARE(sd_notify);
/* Loads libsystemd once, likewise. */
int systemd_dl_open(RktError **reterr);

static inline void sym_sd_event_unrefp(sd_event **e) {
        if (*e)
                sym_sd_event_unref(*e);
}

/* libcrypto: digest.h says why the SHA*_ functions, which OpenSSL 3 marks deprecated (so not by typeof). */
extern int (*sym_SHA256_Init)(SHA256_CTX *c);
extern int (*sym_SHA256_Update)(SHA256_CTX *c, const void *data, size_t size);
extern int (*sym_SHA256_Final)(unsigned char *md, SHA256_CTX *c);
extern int (*sym_SHA512_Init)(SHA512_CTX *c);
extern int (*sym_SHA512_Update)(SHA512_CTX *c, const void *data, size_t size);
extern int (*sym_SHA512_Final)(unsigned char *md, SHA512_CTX *c);
DL_DECLARE(CRYPTO_memcmp);
DL_DECLARE(EVP_sha512);
DL_DECLARE(HMAC);
DL_DECLARE(OPENSSL_cleanse);
/* Loads libcrypto once, likewise. */
int crypto_dl_open(RktError **reterr);

DL_DECLARE(gpgme_check_version);
DL_DECLARE(gpgme_ctx_set_engine_info);
DL_DECLARE(gpgme_data_new);
DL_DECLARE(gpgme_data_new_from_fd);
DL_DECLARE(gpgme_data_new_from_mem);
DL_DECLARE(gpgme_data_release);
DL_DECLARE(gpgme_data_release_and_get_mem);
DL_DECLARE(gpgme_data_set_flag);
DL_DECLARE(gpgme_engine_check_version);
DL_DECLARE(gpgme_err_code_to_errno);
DL_DECLARE(gpgme_free);
DL_DECLARE(gpgme_get_key);
DL_DECLARE(gpgme_key_unref);
DL_DECLARE(gpgme_new);
DL_DECLARE(gpgme_op_export);
DL_DECLARE(gpgme_op_import);
DL_DECLARE(gpgme_op_import_result);
DL_DECLARE(gpgme_op_verify);
DL_DECLARE(gpgme_op_verify_result);
DL_DECLARE(gpgme_release);
DL_DECLARE(gpgme_set_armor);
DL_DECLARE(gpgme_set_offline);
DL_DECLARE(gpgme_set_protocol);
DL_DECLARE(gpgme_strerror);
/* Loads gpgme once, likewise. */
int gpgme_dl_open(RktError **reterr);

DL_DECLARE(archive_entry_atime);
DL_DECLARE(archive_entry_atime_is_set);
DL_DECLARE(archive_entry_atime_nsec);
DL_DECLARE(archive_entry_copy_pathname);
DL_DECLARE(archive_entry_filetype);
DL_DECLARE(archive_entry_free);
DL_DECLARE(archive_entry_gid);
DL_DECLARE(archive_entry_hardlink);
DL_DECLARE(archive_entry_linkify);
DL_DECLARE(archive_entry_linkresolver_new);
DL_DECLARE(archive_entry_linkresolver_free);
DL_DECLARE(archive_entry_linkresolver_set_strategy);
DL_DECLARE(archive_entry_mtime);
DL_DECLARE(archive_entry_mtime_is_set);
DL_DECLARE(archive_entry_mtime_nsec);
DL_DECLARE(archive_entry_new);
DL_DECLARE(archive_entry_pathname);
DL_DECLARE(archive_entry_perm);
DL_DECLARE(archive_entry_rdev);
DL_DECLARE(archive_entry_set_filetype);
DL_DECLARE(archive_entry_set_mtime);
DL_DECLARE(archive_entry_set_pathname);
DL_DECLARE(archive_entry_set_gid);
DL_DECLARE(archive_entry_set_perm);
DL_DECLARE(archive_entry_set_uid);
DL_DECLARE(archive_entry_set_size);
DL_DECLARE(archive_entry_size);
DL_DECLARE(archive_entry_size_is_set);
DL_DECLARE(archive_entry_symlink);
DL_DECLARE(archive_entry_uid);
DL_DECLARE(archive_entry_xattr_next);
DL_DECLARE(archive_entry_xattr_reset);
DL_DECLARE(archive_errno);
DL_DECLARE(archive_error_string);
DL_DECLARE(archive_format);
DL_DECLARE(archive_read_data);
DL_DECLARE(archive_read_data_block);
DL_DECLARE(archive_read_disk_can_descend);
DL_DECLARE(archive_read_disk_descend);
DL_DECLARE(archive_read_disk_new);
DL_DECLARE(archive_read_disk_open);
DL_DECLARE(archive_read_disk_set_behavior);
DL_DECLARE(archive_read_disk_set_symlink_physical);
DL_DECLARE(archive_read_free);
DL_DECLARE(archive_read_header_position);
DL_DECLARE(archive_read_new);
DL_DECLARE(archive_read_next_header);
DL_DECLARE(archive_read_next_header2);
DL_DECLARE(archive_read_open);
DL_DECLARE(archive_read_open_fd);
DL_DECLARE(archive_read_support_filter_bzip2);
DL_DECLARE(archive_read_support_filter_gzip);
DL_DECLARE(archive_read_support_filter_xz);
DL_DECLARE(archive_read_support_filter_zstd);
DL_DECLARE(archive_read_support_format_gnutar);
DL_DECLARE(archive_read_support_format_raw);
DL_DECLARE(archive_read_support_format_tar);
DL_DECLARE(archive_set_error);
DL_DECLARE(archive_write_add_filter_gzip);
DL_DECLARE(archive_write_close);
DL_DECLARE(archive_write_data);
DL_DECLARE(archive_write_free);
DL_DECLARE(archive_write_header);
DL_DECLARE(archive_write_new);
DL_DECLARE(archive_write_open_fd);
DL_DECLARE(archive_write_set_format_pax_restricted);
/* Loads libarchive once, likewise. */
int archive_dl_open(RktError **reterr);

/* What an archive reader accepts. Only decompressors that run in-process: filter_all would also run
 * external programs (lrzip, lzop, grzip) on untrusted input. */
typedef enum ArchiveReaderFlags {
        ARCHIVE_READER_GZIP = 1u << 0,
        ARCHIVE_READER_BZIP2 = 1u << 1,
        ARCHIVE_READER_XZ = 1u << 2,
        ARCHIVE_READER_ZSTD = 1u << 3,
        ARCHIVE_READER_TAR = 1u << 4, /* tar in all its dialects */
        ARCHIVE_READER_RAW = 1u << 5, /* the decompressed bytes as one entry */
        /* What an ACI may be compressed with. */
        ARCHIVE_READER_ACI_FILTERS =
                ARCHIVE_READER_GZIP | ARCHIVE_READER_BZIP2 | ARCHIVE_READER_XZ | ARCHIVE_READER_ZSTD,
} ArchiveReaderFlags;

/* Loads libarchive and makes a reader that accepts flags, not yet opened. Errors name what failed. */
int archive_reader_new(ArchiveReaderFlags flags, struct archive **ret, RktError **reterr);

static inline void archive_read_freep(struct archive **a) {
        if (*a)
                sym_archive_read_free(*a);
}
static inline void archive_write_freep(struct archive **a) {
        if (*a)
                sym_archive_write_free(*a);
}
static inline void archive_entry_freep(struct archive_entry **e) {
        if (*e)
                sym_archive_entry_free(*e);
}
static inline void archive_entry_linkresolver_freep(struct archive_entry_linkresolver **l) {
        if (*l)
                sym_archive_entry_linkresolver_free(*l);
}
