/* SPDX-License-Identifier: Apache-2.0 */
#include <archive.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "format.h"
#include "fs.h"
#include "path.h"
#include "store.h"
#include "tar-builder.h"
#include "unit.h"

static char dir[64];

static int setup(void **state) {
        strcpy(dir, "/tmp/rkt-test-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        return rm_rf_at(AT_FDCWD, dir);
}

static Store *open_store(void) {
        Store *s = NULL;
        assert_int_equal(store_open(dir, STORE_WRITABLE, &s, NULL), 0);
        return s;
}

static char *import(Store *s, const char *name) {
        static const char *const files[] = {"a=1", NULL};
        _cleanup_free_ char *p = path_join(dir, "in.aci");
        _cleanup_close_ int fd = -1;
        char *id = NULL;

        write_test_aci(p, ARCHIVE_FILTER_NONE, name, files);
        fd = open(p, O_RDONLY | O_CLOEXEC);
        assert_int_equal(store_import_fd(s, fd, "https://example.com/a.aci", &id, NULL, NULL), 0);
        return id;
}

static void test_records(void **state) {
        _cleanup_(store_closep) Store *s = open_store();
        _cleanup_free_ char *id = import(s, "example.com/a");
        RemoteRecord rec = {.url = (char *) "https://example.com/a.aci",
                            .sig_url = (char *) "https://example.com/a.aci.asc",
                            .etag = (char *) "\"abc\"",
                            .download_time = 1000000,
                            .max_age = 60};
        RemoteRecord *got = NULL;

        rec.id = id;
        assert_int_equal(store_get_remote(s, rec.url, &got), -ENOENT);
        assert_int_equal(store_put_remote(s, &rec, NULL), 0);
        assert_int_equal(store_get_remote(s, rec.url, &got), 0);
        assert_string_equal(got->url, rec.url);
        assert_string_equal(got->sig_url, rec.sig_url);
        assert_string_equal(got->etag, "\"abc\"");
        assert_string_equal(got->id, id);
        assert_int_equal(got->download_time, 1000000);
        assert_int_equal(got->max_age, 60);
        assert_true(remote_record_fresh(got, 1000000 + 59 * 1000000ULL));
        assert_false(remote_record_fresh(got, 1000000 + 60 * 1000000ULL));
        assert_false(remote_record_fresh(got, 0));
        got->max_age = 0;
        assert_false(remote_record_fresh(got, 1000001));
        got = remote_record_free(got);
        /* Another URL, no record. */
        assert_int_equal(store_get_remote(s, "https://example.com/a.aci?x", &got), -ENOENT);

        /* The image goes: the record no longer counts, and gc removes it. */
        assert_int_equal(store_remove(s, id, NULL, NULL), 0);
        assert_int_equal(store_get_remote(s, rec.url, &got), -ENOENT);
        assert_int_equal(store_remote_gc(s), 0);
        {
                _cleanup_free_ char *cmd = NULL;
                assert_true(asprintf(&cmd, "test -z \"$(ls -A '%s/cas/remote')\"", dir) > 0);
                assert_int_equal(system(cmd), 0);
        }
}

static void test_downloads(void **state) {
        _cleanup_(store_closep) Store *s = open_store();
        const char *url = "https://example.com/big.aci";
        StoreDownload d = {.fd = -1};
        struct stat st;
        int fd;

        assert_int_equal(store_download_open(s, url, &d, NULL), 0);
        assert_null(d.etag);
        assert_int_equal(loop_write(d.fd, "partial", 7), 0);
        assert_int_equal(store_download_set_validators(s, &d, url, "\"e\"", "Mon, 01 Jan 2024 00:00:00 GMT"),
                         0);
        store_download_done(&d);

        /* Kept, with its validators, for a resume. */
        assert_int_equal(store_download_open(s, url, &d, NULL), 0);
        assert_string_equal(d.etag, "\"e\"");
        assert_string_equal(d.last_modified, "Mon, 01 Jan 2024 00:00:00 GMT");
        assert_int_equal(fstat(d.fd, &st), 0);
        assert_int_equal(st.st_size, 7);
        /* Without validators, partial content is useless: it starts over. */
        assert_int_equal(store_download_set_validators(s, &d, url, NULL, NULL), 0);
        store_download_done(&d);
        assert_int_equal(store_download_open(s, url, &d, NULL), 0);
        assert_null(d.etag);
        assert_int_equal(fstat(d.fd, &st), 0);
        assert_int_equal(st.st_size, 0);
        /* The same URL again while this process downloads it (an image and its dependency at one URL): an
         * error, not a wait for ourselves. */
        {
                _cleanup_error_ RktError *e = NULL;
                StoreDownload again = {.fd = -1};
                assert_int_equal(store_download_open(s, url, &again, &e), -EDEADLK);
                assert_non_null(strstr(rkt_error_message(e, -EDEADLK), "being downloaded by this fetch"));
                assert_int_equal(again.fd, -1);
        }
        store_download_discard(s, &d);
        assert_int_equal(d.fd, -1);

        fd = store_tmpfile(s, NULL);
        assert_true(fd >= 0);
        close(fd);
        {
                _cleanup_free_ char *cmd = NULL;
                assert_true(asprintf(&cmd, "test -z \"$(ls -A '%s/cas/tmp')\"", dir) > 0);
                assert_int_equal(system(cmd), 0);
        }
}

static void test_layer_partial(void **state) {
        _cleanup_(store_closep) Store *s = open_store();
        const char *digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        StoreLayerWrite w = {.fd = -1}, other = {.fd = -1};
        struct stat st;
        int fd;

        assert_int_equal(store_layer_begin(s, digest, &w, NULL), 0);
        assert_true(w.resumable);
        assert_int_equal(loop_write(w.fd, "first half", 10), 0);
        /* While it is being written, another download of the layer gets a file of its own, empty. */
        assert_int_equal(store_layer_begin(s, digest, &other, NULL), 0);
        assert_false(other.resumable);
        assert_int_equal(fstat(other.fd, &st), 0);
        assert_int_equal(st.st_size, 0);
        store_layer_suspend(s, &other);
        assert_int_equal(other.fd, -1);
        /* Interrupted: kept for the next download, which continues it. */
        store_layer_suspend(s, &w);
        assert_int_equal(w.fd, -1);
        assert_int_equal(store_layer_begin(s, digest, &w, NULL), 0);
        assert_true(w.resumable);
        assert_int_equal(fstat(w.fd, &st), 0);
        assert_int_equal(st.st_size, 10);
        assert_int_equal(store_layer_open(s, digest), -ENOENT);
        /* Stored: the partial file becomes the layer. */
        assert_int_equal(store_layer_commit(s, &w, NULL), 0);
        fd = store_layer_open(s, digest);
        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(st.st_size, 10);
        close(fd);
        /* Dropped (wrong content): nothing is left to resume from. */
        assert_int_equal(
                store_layer_begin(s,
                                  "sha256:1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                                  &w, NULL),
                0);
        assert_int_equal(loop_write(w.fd, "x", 1), 0);
        store_layer_abort(s, &w);
        {
                _cleanup_free_ char *cmd = NULL;
                assert_true(asprintf(&cmd,
                                     "test -z \"$(ls -A '%s/cas/docker/blobs/sha256' | grep -v '^0123')\"",
                                     dir) > 0);
                assert_int_equal(system(cmd), 0);
        }
}

RUN_TESTS(cmocka_unit_test_setup_teardown(test_records, setup, teardown),
          cmocka_unit_test_setup_teardown(test_downloads, setup, teardown),
          cmocka_unit_test_setup_teardown(test_layer_partial, setup, teardown))
