/* SPDX-License-Identifier: Apache-2.0 */
#include <archive.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "format.h"
#include "fs.h"
#include "path.h"
#include "store.h"
#include "strv.h"
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

static Store *open_store(unsigned flags) {
        Store *s = NULL;
        assert_int_equal(store_open(dir, flags | STORE_WRITABLE, &s, NULL), 0);
        return s;
}

static char *import(Store *s, const char *name, const char *const *files, bool *ret_new) {
        _cleanup_free_ char *p = path_join(dir, "in.aci");
        _cleanup_close_ int fd = -1;
        char *id = NULL;

        write_test_aci(p, ARCHIVE_FILTER_GZIP, name, files);
        fd = open(p, O_RDONLY | O_CLOEXEC);
        assert_int_equal(store_import_fd(s, fd, "file:///in.aci", &id, ret_new, NULL), 0);
        return id;
}

static size_t count_files(const char *sub) {
        _cleanup_free_ char *cmd = NULL, *out = path_join(dir, "count");
        _cleanup_free_ char *text = NULL;

        assert_true(asprintf(&cmd, "find '%s/cas/%s' -type f 2>/dev/null | wc -l > '%s'", dir, sub, out) >
                    0);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(read_full_file_at(AT_FDCWD, out, &text, NULL), 0);
        return (size_t) atoi(text);
}

static void test_import_list_resolve(void **state) {
        static const char *const f1[] = {"a=1", NULL}, *const f2[] = {"a=2", NULL};
        _cleanup_(store_closep) Store *s = open_store(0);
        _cleanup_free_ char *id1 = NULL, *id1b = NULL, *id2 = NULL, *r = NULL, *prefix = NULL;
        _cleanup_(image_record_freep) ImageRecord *rec = NULL;
        _cleanup_error_ RktError *e = NULL;
        ImageRecord **l = NULL;
        size_t n = 0;
        bool created;

        id1 = import(s, "example.com/one", f1, &created);
        assert_true(created);
        assert_int_equal(strlen(id1), 7 + 128);
        id1b = import(s, "example.com/one", f1, &created);
        assert_false(created);
        assert_string_equal(id1, id1b);
        id2 = import(s, "example.com/two", f2, &created);

        assert_int_equal(store_list(s, &l, &n, NULL), 0);
        assert_int_equal(n, 2);
        image_records_free(l, n);

        assert_int_equal(store_get_record(s, id1, &rec, NULL), 0);
        assert_string_equal(rec->name, "example.com/one");
        assert_string_equal(appc_kv_get(rec->labels, rec->n_labels, "os"), "linux");
        assert_string_equal(rec->origin, "file:///in.aci");
        assert_true(rec->size > 0);
        assert_true(rec->import_time > 0 && rec->import_time == rec->last_used);

        prefix = strndup(id1, 20);
        assert_int_equal(store_resolve(s, prefix, &r, NULL), 0);
        assert_string_equal(r, id1);
        r = mfree(r);
        assert_int_equal(store_resolve(s, "example.com/two,os=linux", &r, NULL), 0);
        assert_string_equal(r, id2);
        r = mfree(r);
        assert_int_equal(store_resolve(s, "example.com/two,os=freebsd", &r, &e), -ENOENT);
        e = rkt_error_free(e);
        /* rkt 1.30 wanted 2 hex digits at least. */
        assert_int_equal(store_resolve(s, "sha512-", &r, &e), -EINVAL);
        assert_non_null(strstr(e->message, "image ID too short"));
        e = rkt_error_free(e);
        assert_int_equal(store_resolve(s, "sha512-a", &r, &e), -EINVAL);
        assert_non_null(strstr(e->message, "image ID too short"));
        e = rkt_error_free(e);

        /* By name, with os and arch defaulted (as fetching and rendering dependencies look images up): the
         * image's own os must match a default; a label asked for wins over it. */
        const ImageRef two = {.name = "example.com/two"};
        const ImageRef two_linux = {
                .name = "example.com/two", .labels = &(AppcKV){"os", "linux"}, .n_labels = 1};
        assert_int_equal(store_find_by_name(s, &two, "linux", NULL, &r, NULL), 0);
        assert_string_equal(r, id2);
        r = mfree(r);
        assert_int_equal(store_find_by_name(s, &two, NULL, NULL, &r, NULL), 0);
        r = mfree(r);
        assert_int_equal(store_find_by_name(s, &two, "freebsd", NULL, &r, NULL), -ENOENT);
        assert_int_equal(store_find_by_name(s, &two_linux, "freebsd", NULL, &r, NULL), 0);
        assert_string_equal(r, id2);
}

static void test_touch_and_manifest(void **state) {
        static const char *const f[] = {"x=1", NULL};
        _cleanup_(store_closep) Store *s = open_store(0);
        _cleanup_free_ char *id = import(s, "example.com/t", f, NULL), *m = NULL, *rec = NULL;
        _cleanup_free_ char *text_before = NULL, *text_after = NULL;
        _cleanup_(image_record_freep) ImageRecord *before = NULL, *after = NULL;
        size_t size;

        assert_int_equal(store_get_record(s, id, &before, NULL), 0);
        assert_true(asprintf(&rec, "%s/cas/images/%s.json", dir, id) > 0);
        assert_int_equal(read_full_file_at(AT_FDCWD, rec, &text_before, NULL), 0);
        /* The touch stamps the file system's clock (the coarse real-time clock, one tick granular): wait
         * until it has moved past the import's stamp, however long that takes on a loaded machine. */
        for (;;) {
                struct timespec now;
                assert_int_equal(clock_gettime(CLOCK_REALTIME_COARSE, &now), 0);
                if ((uint64_t) now.tv_sec * 1000000 + (uint64_t) now.tv_nsec / 1000 > before->last_used)
                        break;
                usleep(1000);
        }
        assert_int_equal(store_touch(s, id, NULL), 0);
        assert_int_equal(store_get_record(s, id, &after, NULL), 0);
        assert_true(after->last_used > before->last_used);
        /* a use is the record's mtime: the commit point is not rewritten */
        assert_int_equal(read_full_file_at(AT_FDCWD, rec, &text_after, NULL), 0);
        assert_string_equal(text_after, text_before);
        assert_int_equal(after->import_time, before->import_time);
        assert_int_equal(store_read_manifest(s, id, &m, &size, NULL), 0);
        assert_string_equal(m, test_manifest("example.com/t"));
}

/* cas/manifest/sha512/<2 hex>/<id>, removed, then replaced by text (NULL: left removed). */
static void replace_manifest(const char *id, const char *text) {
        _cleanup_free_ char *p = NULL;

        assert_true(asprintf(&p, "%s/cas/manifest/sha512/%.2s/%s", dir, id + 7, id) > 0);
        if (unlink(p) < 0)
                assert_int_equal(errno, ENOENT);
        if (text)
                assert_int_equal(write_file_atomic_at(AT_FDCWD, p, text, strlen(text), 0644), 0);
}

/* A store handle reads and parses each manifest once: what it imported itself not at all, and a manifest
 * that does not parse gives its error each time it is asked for. */
static void test_manifest_read_once(void **state) {
        static const char *const f[] = {"x=1", NULL};
        _cleanup_(store_closep) Store *s = open_store(0), *other = NULL, *third = NULL;
        _cleanup_free_ char *id = import(s, "example.com/once", f, NULL), *first = NULL;
        _cleanup_error_ RktError *e = NULL;
        const AppcImageManifest *m = NULL, *again = NULL;
        const char *text;
        size_t size;

        other = open_store(0);
        assert_int_equal(store_manifest(other, id, &m, NULL), 0);
        assert_string_equal(m->name, "example.com/once");
        replace_manifest(id, NULL);
        assert_int_equal(store_manifest(s, id, &again, NULL), 0);
        assert_string_equal(again->name, "example.com/once");
        assert_int_equal(store_manifest(other, id, &again, NULL), 0);
        assert_ptr_equal(again, m);
        assert_int_equal(store_manifest_text(other, id, &text, &size, NULL), 0);
        assert_int_equal(size, strlen(test_manifest("example.com/once")));
        assert_memory_equal(text, test_manifest("example.com/once"), size);

        replace_manifest(id, "{\"acKind\":\"ImageManifest\"");
        third = open_store(0);
        assert_int_equal(store_manifest(third, id, &m, &e), -EINVAL);
        assert_non_null(first = strdup(rkt_error_message(e, 0)));
        e = rkt_error_free(e);
        assert_int_equal(store_manifest(third, id, &m, &e), -EINVAL);
        assert_string_equal(rkt_error_message(e, 0), first);
        e = rkt_error_free(e);

        /* A removed image's manifest is gone from the handle that removed it. */
        assert_int_equal(store_remove(s, id, NULL, NULL), 0);
        assert_int_equal(store_manifest(s, id, &m, &e), -ENOENT);
}

static int refuse_gate(const char *id, const AppcImageManifest *m, void *userdata, RktError **reterr) {
        return rkt_error_set(reterr, -EBADMSG, "refused %s", m->name);
}

/* A staged image is nowhere to be seen until published; dropped, or refused by its gate, it leaves nothing.
 */
static void test_stage_then_publish(void **state) {
        static const char *const f[] = {"s=1", NULL};
        _cleanup_(store_closep) Store *s = open_store(0);
        _cleanup_free_ char *p = path_join(dir, "in.aci"), *found = NULL;
        _cleanup_error_ RktError *e = NULL;
        _cleanup_close_ int fd = -1;
        StoreStaged *st = NULL;
        ImageRecord **l = NULL;
        size_t n = 0;
        bool created = false;

        write_test_aci(p, ARCHIVE_FILTER_GZIP, "example.com/staged", f);
        fd = open(p, O_RDONLY | O_CLOEXEC);
        assert_int_equal(store_stage_fd(s, fd, "file:///in.aci", refuse_gate, NULL, &st, &e), -EBADMSG);
        assert_string_equal(rkt_error_message(e, 0), "refused example.com/staged");
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(store_stage_fd(s, fd, "file:///in.aci", NULL, NULL, &st, NULL), 0);
        assert_string_equal(store_staged_manifest(st)->name, "example.com/staged");
        assert_int_equal(store_resolve(s, store_staged_id(st), &found, NULL), -ENOENT);
        assert_int_equal(store_list(s, &l, &n, NULL), 0);
        assert_int_equal(n, 0);
        free(l);
        assert_int_equal(count_files("blob") + count_files("manifest") + count_files("images"), 0);

        assert_int_equal(store_publish(s, st, &created, NULL), 0);
        assert_true(created);
        assert_int_equal(store_resolve(s, store_staged_id(st), &found, NULL), 0);
        assert_int_equal(store_publish(s, st, &created, NULL), 0);
        assert_false(created);
        st = store_staged_free(st);

        /* Staged and dropped: no trace. */
        write_test_aci(p, ARCHIVE_FILTER_GZIP, "example.com/dropped", f);
        fd = safe_close(fd);
        fd = open(p, O_RDONLY | O_CLOEXEC);
        assert_int_equal(store_stage_fd(s, fd, NULL, NULL, NULL, &st, NULL), 0);
        st = store_staged_free(st);
        assert_int_equal(count_files("tmp"), 0);
        assert_int_equal(count_files("images"), 1);
}

/* A record of the wrong shape is a damaged record: one message naming it and the field, never a crash. */
static void test_hostile_record(void **state) {
        static const char *const f[] = {"x=1", NULL};
        static const struct {
                const char *json, *message;
        } cases[] = {
                {"{\"id\":\"%s\",\"name\":\"n\",\"size\":\"7\"}",
                 "field 'size': must be an integer, not a string"},
                {"{\"id\":\"%s\",\"name\":null}", "field 'name': must be a string, not null"},
                {"{\"id\":\"%s\"}", "field 'name': must be set"},
                {"{\"id\":\"%s\",\"name\":\"n\",\"labels\":[{\"name\":\"a\",\"value\":[]}]}",
                 "field 'labels[0].value': must be a string, not an array"},
                {"{\"id\":\"%s\",\"name\":\"n\",\"labels\":{}}",
                 "field 'labels': must be an array, not an object"},
                {"{\"id\":\"%s\",\"name\":\"n\",\"importTime\":-1}",
                 "field 'importTime': must be a non-negative integer"},
                {"{\"id\":\"sha512-1%s\",\"name\":\"n\"}", "field 'id': not an image ID"},
                {"[\"%s\"]", "not a JSON object"},
                {"{\"id\":\"%s\",", "is not valid JSON"},
        };
        _cleanup_(store_closep) Store *s = open_store(0);
        _cleanup_free_ char *id = import(s, "example.com/t", f, NULL), *rec = NULL;

        assert_true(asprintf(&rec, "%s/cas/images/%s.json", dir, id) > 0);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(image_record_freep) ImageRecord *r = NULL;
                _cleanup_error_ RktError *e = NULL;
                _cleanup_free_ char *text = NULL, *where = NULL;
                const char *at = strstr(cases[i].json, "%s");

                assert_non_null(at);
                assert_true(asprintf(&text, "%.*s%s%s", (int) (at - cases[i].json), cases[i].json, id,
                                     at + 2) > 0);
                assert_int_equal(write_file_atomic_at(AT_FDCWD, rec, text, strlen(text), 0640), 0);
                assert_int_equal(store_get_record(s, id, &r, &e), -EBADMSG);
                assert_null(r);
                assert_true(asprintf(&where, "the record of image '%s'", id) > 0);
                assert_non_null(strstr(rkt_error_message(e, -EBADMSG), where));
                assert_non_null(strstr(rkt_error_message(e, -EBADMSG), cases[i].message));
        }
}

static void test_crash_leftovers_are_invisible_and_swept(void **state) {
        static const char *const f[] = {"y=1", NULL};
        _cleanup_free_ char *id = NULL, *rec = NULL, *cmd = NULL;
        _cleanup_strv_free_ char **none = NULL;
        StoreGcResult res;
        ImageRecord **l = NULL;
        size_t n = 0;

        {
                _cleanup_(store_closep) Store *s = open_store(0);
                id = import(s, "example.com/crash", f, NULL);
                /* A crash after the blob and manifest but before the record: remove just the record. */
                assert_true(asprintf(&rec, "%s/cas/images/%s.json", dir, id) > 0);
                assert_int_equal(unlink(rec), 0);
                assert_int_equal(store_list(s, &l, &n, NULL), 0);
                assert_int_equal(n, 0);
                free(l);
        }
        /* And what killed imports and renders leave. */
        assert_true(asprintf(&cmd,
                             "touch '%s/cas/tmp/import-1-2' && mkdir -p '%s/cas/tree/.tmp-deps-1/rootfs' "
                             "'%s/cas/tree/deps-sha512-unfinished/rootfs'",
                             dir, dir, dir) > 0);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(count_files("blob"), 1);
        {
                _cleanup_(store_closep) Store *s = open_store(STORE_EXCLUSIVE);
                assert_int_equal(store_gc(s, 0, none, none, &res, NULL), 0);
                store_gc_result_done(&res);
        }
        assert_int_equal(count_files("blob"), 0);
        assert_int_equal(count_files("manifest"), 0);
        assert_int_equal(count_files("tmp"), 0);
        assert_int_equal(count_files("tree"), 0);
}

static void test_tree_render_once_and_gc(void **state) {
        static const char *const f[] = {"etc/z=1", NULL};
        _cleanup_(store_closep) Store *s = open_store(0);
        _cleanup_free_ char *id = import(s, "example.com/tree", f, NULL);
        _cleanup_free_ char *t1 = NULL, *d1 = NULL, *t2 = NULL, *d2 = NULL, *file = NULL, *m = NULL;
        _cleanup_strv_free_ char **keep_trees = NULL, **none = NULL;
        struct stat st1, st2;
        StoreGcResult res;

        /* Rendered trees are root's alone: a store opened by another user has no tree/ (store-trust.c). */
        if (geteuid() != 0)
                skip();

        assert_int_equal(store_render_tree(s, id, &t1, &d1, NULL), 0);
        assert_non_null(startswith(t1, "deps-sha512-"));
        file = path_join(d1, "rootfs/etc/z");
        assert_int_equal(stat(file, &st1), 0);
        m = path_join(d1, "manifest");
        assert_int_equal(access(m, F_OK), 0);
        assert_int_equal(store_render_tree(s, id, &t2, &d2, NULL), 0);
        assert_string_equal(t1, t2);
        assert_int_equal(stat(file, &st2), 0);
        assert_int_equal(st1.st_ino, st2.st_ino); /* not rendered again */
        assert_true(store_tree_size(s, id) > 0);

        /* gc keeps what pods use, in use or not */
        assert_int_equal(strv_extend(&keep_trees, t1), 0);
        s = store_close(s);
        s = open_store(STORE_EXCLUSIVE);
        assert_int_equal(store_gc(s, UINT64_MAX, none, keep_trees, &res, NULL), 0);
        assert_int_equal(strv_length(res.removed_images), 1);
        assert_int_equal(strv_length(res.removed_trees), 0);
        store_gc_result_done(&res);
        assert_int_equal(access(file, F_OK), 0);
        assert_int_equal(store_gc(s, UINT64_MAX, none, none, &res, NULL), 0);
        assert_int_equal(strv_length(res.removed_trees), 1);
        store_gc_result_done(&res);
        assert_int_equal(access(file, F_OK), -1);
}

/* What a removal killed halfway through leaves (the marker there, the manifest gone) is not used as is:
 * the next render makes the tree again. */
static void test_half_removed_tree_is_rendered_again(void **state) {
        static const char *const f[] = {"etc/z=1", NULL};
        _cleanup_(store_closep) Store *s = open_store(0);
        _cleanup_free_ char *id = import(s, "example.com/tree", f, NULL);
        _cleanup_free_ char *t = NULL, *d = NULL, *t2 = NULL, *d2 = NULL, *m = NULL;

        /* Rendered trees are root's alone: a store opened by another user has no tree/ (store-trust.c). */
        if (geteuid() != 0)
                skip();

        assert_int_equal(store_render_tree(s, id, &t, &d, NULL), 0);
        m = path_join(d, "manifest");
        assert_int_equal(unlink(m), 0);
        assert_int_equal(store_render_tree(s, id, &t2, &d2, NULL), 0);
        assert_string_equal(t, t2);
        assert_int_equal(access(m, F_OK), 0);
}

static void tree_file_write(const char *tree_dir, const char *name, const char *content, size_t len) {
        _cleanup_free_ char *p = path_join(tree_dir, name);
        _cleanup_close_ int fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(loop_write(fd, content, len), 0);
}

static void test_verify_and_repair(void **state) {
        static const char *const f[] = {"etc/v=value", NULL};
        _cleanup_(store_closep) Store *s = open_store(0);
        _cleanup_free_ char *id = import(s, "example.com/verify", f, NULL);
        _cleanup_free_ char *t = NULL, *d = NULL, *file = NULL, *marker = NULL, *text = NULL, *blob = NULL;
        StoreVerifyResult res = {};
        RktError *e = NULL;

        /* Rendered trees are root's alone: a store opened by another user has no tree/ (store-trust.c). */
        if (geteuid() != 0)
                skip();

        /* never rendered: the blob alone is checked */
        assert_int_equal(store_verify(s, id, true, NULL, &res, NULL), 0);
        assert_int_equal(res.tree, STORE_TREE_NONE);

        assert_int_equal(store_render_tree(s, id, &t, &d, NULL), 0);
        marker = path_join(d, "rendered");
        assert_int_equal(read_full_file_at(AT_FDCWD, marker, &text, NULL), 0);
        assert_non_null(strstr(text, "\"hash\":\"sha512-"));
        assert_int_equal(store_verify(s, id, true, NULL, &res, NULL), 0);
        assert_int_equal(res.tree, STORE_TREE_OK);
        assert_null(res.cause);

        /* a changed file: without repair an error, with repair rendered again */
        file = path_join(d, "rootfs/etc/v");
        assert_int_equal(chmod(file, 0644), 0);
        tree_file_write(d, "rootfs/etc/v", "valuE", 5);
        assert_int_equal(store_verify(s, id, false, NULL, &res, &e), -EPERM);
        assert_non_null(strstr(rkt_error_message(e, -EPERM), "wrong tree hash"));
        e = rkt_error_free(e);
        /* a tree running pods have mounted is not replaced under them */
        assert_int_equal(store_verify(s, id, true, (char *[]){"deps-other", t, NULL}, &res, &e), -EBUSY);
        assert_non_null(strstr(rkt_error_message(e, -EBUSY), "running pods use it"));
        e = rkt_error_free(e);
        assert_int_equal(store_verify(s, id, true, NULL, &res, NULL), 0);
        assert_int_equal(res.tree, STORE_TREE_REPAIRED);
        assert_non_null(strstr(res.cause, "wrong tree hash"));
        store_verify_result_done(&res);
        text = mfree(text);
        assert_int_equal(read_full_file_at(AT_FDCWD, file, &text, NULL), 0);
        assert_string_equal(text, "value");
        assert_int_equal(store_verify(s, id, true, NULL, &res, NULL), 0);
        assert_int_equal(res.tree, STORE_TREE_OK);

        /* a missing file */
        assert_int_equal(unlink(file), 0);
        assert_int_equal(store_verify(s, id, true, NULL, &res, NULL), 0);
        assert_int_equal(res.tree, STORE_TREE_REPAIRED);
        store_verify_result_done(&res);
        assert_int_equal(access(file, F_OK), 0);

        /* a truncated marker, then none at all */
        assert_int_equal(truncate(marker, 3), 0);
        assert_int_equal(store_verify(s, id, true, NULL, &res, NULL), 0);
        assert_int_equal(res.tree, STORE_TREE_REPAIRED);
        assert_non_null(strstr(res.cause, "marker is damaged"));
        store_verify_result_done(&res);
        assert_int_equal(unlink(marker), 0);
        assert_int_equal(store_verify(s, id, true, NULL, &res, NULL), 0);
        assert_int_equal(res.tree, STORE_TREE_REPAIRED);
        assert_non_null(strstr(res.cause, "incomplete"));
        store_verify_result_done(&res);
        assert_int_equal(store_verify(s, id, true, NULL, &res, NULL), 0);
        assert_int_equal(res.tree, STORE_TREE_OK);
        assert_int_equal(count_files("tree"), 3); /* manifest, marker, etc/v: nothing left over */

        /* a damaged blob is reported and left alone */
        assert_true(asprintf(&blob, "%s/cas/blob/sha512/%.2s/%s", dir, id + 7, id) > 0);
        assert_int_equal(chmod(blob, 0640), 0);
        {
                _cleanup_close_ int fd = open(blob, O_WRONLY | O_CLOEXEC);
                assert_true(fd >= 0);
                assert_int_equal(pwrite(fd, "X", 1, 700), 1);
        }
        assert_int_equal(store_verify(s, id, true, NULL, &res, &e), -EBADMSG);
        assert_non_null(strstr(rkt_error_message(e, -EBADMSG), "no longer matches its ID"));
        e = rkt_error_free(e);
        assert_int_equal(count_files("images"), 1);
        assert_int_equal(count_files("tree"), 3);
        assert_int_equal(unlink(blob), 0);
        assert_int_equal(store_verify(s, id, true, NULL, &res, &e), -EBADMSG);
        assert_non_null(strstr(rkt_error_message(e, -EBADMSG), "missing"));
        e = rkt_error_free(e);
}

static void test_remove_and_export(void **state) {
        static const char *const f[] = {"q=1", NULL};
        _cleanup_(store_closep) Store *s = open_store(0);
        _cleanup_free_ char *id = import(s, "example.com/rm", f, NULL), *out = path_join(dir, "out.aci");
        _cleanup_error_ RktError *e = NULL;
        _cleanup_close_ int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        assert_int_equal(store_export(s, id, fd, true, NULL), 0);
        assert_int_equal(store_remove(s, id, NULL, NULL), 0);
        assert_int_equal(store_remove(s, id, NULL, &e), -ENOENT);
        assert_int_equal(count_files("blob"), 0);
        assert_int_equal(count_files("images"), 0);
}

/* cas/images/<id>.json, cas/blob/sha512/<2 hex>/<id> and that bucket. */
static char *cas_record(const char *id) {
        char *p = NULL;
        assert_true(asprintf(&p, "%s/cas/images/%s.json", dir, id) > 0);
        return p;
}

static char *cas_blob(const char *id, bool bucket_only) {
        char *p = NULL;
        assert_true(asprintf(&p, "%s/cas/blob/sha512/%.2s%s%s", dir, id + 7, bucket_only ? "" : "/",
                             bucket_only ? "" : id) > 0);
        return p;
}

/* Entries another user made (or could change) are not used; root replaces them on import. */
static void test_untrusted_entries(void **state) {
        static const char *const f1[] = {"a=1", NULL};
        _cleanup_free_ char *id = NULL, *id2 = NULL, *rec = NULL, *blob = NULL, *bucket = NULL,
                            *found = NULL;
        _cleanup_free_ char *cas = NULL, *tree = NULL;
        _cleanup_(image_record_freep) ImageRecord *r = NULL;
        ImageRecord **l = NULL;
        size_t n = 0;
        struct stat st;
        bool created;
        int fd;

        if (geteuid() != 0)
                skip();
        {
                _cleanup_(store_closep) Store *s = open_store(0);
                id = import(s, "example.com/one", f1, &created);
        }
        rec = cas_record(id);
        blob = cas_blob(id, false);
        bucket = cas_blob(id, true);

        /* A record another user owns: invisible, and replaced by root's next import. */
        assert_int_equal(chown(rec, 1000, 1000), 0);
        {
                _cleanup_(store_closep) Store *s = open_store(0);
                assert_int_equal(store_get_record(s, id, &r, NULL), -EPERM);
                assert_int_equal(store_resolve(s, "example.com/one", &found, NULL), -ENOENT);
                assert_int_equal(store_list(s, &l, &n, NULL), 0);
                assert_int_equal(n, 0);
                image_records_free(l, n);
                id2 = import(s, "example.com/one", f1, &created);
                assert_true(created);
                assert_int_equal(stat(rec, &st), 0);
                assert_int_equal(st.st_uid, 0);
                assert_int_equal(store_get_record(s, id, &r, NULL), 0);
        }

        /* A blob others may write to, or a symlink in its place: not opened. */
        assert_int_equal(chmod(blob, 0660), 0);
        {
                _cleanup_(store_closep) Store *s = open_store(0);
                assert_int_equal(store_open_blob(s, id, NULL), -EPERM);
        }
        assert_int_equal(chmod(blob, 0640), 0);
        {
                _cleanup_free_ char *aside = NULL;
                assert_true(asprintf(&aside, "%s.aside", blob) > 0);
                assert_int_equal(rename(blob, aside), 0);
                assert_int_equal(symlink(aside, blob), 0);
                _cleanup_(store_closep) Store *s = open_store(0);
                assert_int_equal(store_open_blob(s, id, NULL), -EPERM);
                assert_int_equal(unlink(blob), 0);
                assert_int_equal(rename(aside, blob), 0);
                fd = store_open_blob(s, id, NULL);
                assert_true(fd >= 0);
                close(fd);
        }

        /* A bucket another user owns: what is in it is not used; root moves it aside and imports anew,
         * and gc removes what was moved. */
        assert_int_equal(chown(bucket, 1000, 1000), 0);
        {
                _cleanup_(store_closep) Store *s = open_store(0);
                assert_int_equal(store_open_blob(s, id, NULL), -EPERM);
                free(id2);
                id2 = import(s, "example.com/one", f1, &created);
                assert_true(created);
                assert_int_equal(stat(bucket, &st), 0);
                assert_int_equal(st.st_uid, 0);
                fd = store_open_blob(s, id, NULL);
                assert_true(fd >= 0);
                close(fd);
        }
        {
                _cleanup_free_ char *cmd = NULL;
                assert_true(asprintf(&cmd, "test -n \"$(ls -d '%s'/cas/untrusted-* 2>/dev/null)\"", dir) >
                            0);
                assert_int_equal(system(cmd), 0);
                _cleanup_(store_closep) Store *s = open_store(STORE_EXCLUSIVE);
                StoreGcResult res = {};
                char *keep[] = {id, NULL};
                assert_int_equal(store_gc(s, 0, keep, NULL, &res, NULL), 0);
                store_gc_result_done(&res);
                assert_int_not_equal(system(cmd), 0);
        }

        /* A shared cas/ gets the sticky bit; trees are root's alone. */
        cas = path_join(dir, "cas");
        tree = path_join(cas, "tree");
        assert_int_equal(chmod(cas, 02770), 0);
        assert_int_equal(chmod(tree, 0755), 0);
        {
                _cleanup_(store_closep) Store *s = open_store(0);
                assert_non_null(s);
                assert_int_equal(stat(cas, &st), 0);
                assert_true(st.st_mode & S_ISVTX);
                assert_int_equal(stat(tree, &st), 0);
                assert_int_equal(st.st_mode & 07777, 0700);
                assert_int_equal(stat(bucket, &st), 0);
                assert_int_equal(st.st_mode & 07777, 03770); /* shared now: members may fetch */
        }
}

static void test_read_only_missing_store(void **state) {
        _cleanup_free_ char *nowhere = path_join(dir, "nonexistent");
        Store *s = NULL;
        ImageRecord **l = NULL;
        size_t n = 7;

        assert_int_equal(store_open(nowhere, 0, &s, NULL), 0);
        assert_int_equal(store_list(s, &l, &n, NULL), 0);
        assert_int_equal(n, 0);
        free(l);
        store_close(s);
        assert_int_equal(access(nowhere, F_OK), -1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_import_list_resolve, setup, teardown),
                cmocka_unit_test_setup_teardown(test_touch_and_manifest, setup, teardown),
                cmocka_unit_test_setup_teardown(test_manifest_read_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stage_then_publish, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hostile_record, setup, teardown),
                cmocka_unit_test_setup_teardown(test_crash_leftovers_are_invisible_and_swept, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_tree_render_once_and_gc, setup, teardown),
                cmocka_unit_test_setup_teardown(test_half_removed_tree_is_rendered_again, setup, teardown),
                cmocka_unit_test_setup_teardown(test_verify_and_repair, setup, teardown),
                cmocka_unit_test_setup_teardown(test_remove_and_export, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_only_missing_store, setup, teardown),
                cmocka_unit_test_setup_teardown(test_untrusted_entries, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
