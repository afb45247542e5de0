/* SPDX-License-Identifier: Apache-2.0 */
/* The field tables of json-table.h: parse, free, copy, compare and write of every field type, the Go
 * rules of lenient tables and the checks of strict ones. */
#include <stdio.h>
#include <string.h>

#include "json-table.h"
#include "strv.h"
#include "unit.h"

typedef struct Inner {
        char *name;
        unsigned port;
} Inner;

typedef struct Outer {
        char *kind;
        char *s;
        char **l;
        bool b;
        unsigned u;
        uint64_t big;
        uint32_t *ids;
        size_t n_ids;
        NameValue *kv;
        size_t n_kv;
        NameValue *map;
        size_t n_map;
        Inner *inners;
        size_t n_inners;
        Inner one;
        Inner *opt;
} Outer;

static const JsonField inner_fields[] = {
        JSON_FIELD("name", STRING, Inner, name),
        JSON_FIELD("port", UINT, Inner, port, .max = 65535),
        {},
};

static const JsonTable inner_table = {.size = sizeof(Inner), .fields = inner_fields};

static const JsonField outer_fields[] = {
        {.key = "kind", .type = JSON_FIELD_CONST, .constant = "Test"},
        JSON_FIELD("s", STRING, Outer, s, .flags = JSON_OMITEMPTY | JSON_EMPTY_IS_NULL),
        JSON_FIELD("l", STRV, Outer, l, .flags = JSON_OMITEMPTY),
        JSON_FIELD("b", BOOL, Outer, b),
        JSON_FIELD("u", UINT, Outer, u, .min = 1, .max = 10, .flags = JSON_OMITEMPTY),
        JSON_FIELD("big", UINT64, Outer, big),
        JSON_LIST("ids", UINT32_ARRAY, Outer, ids, .flags = JSON_OMITEMPTY),
        JSON_LIST("kv", KV_ARRAY, Outer, kv, .flags = JSON_OMITEMPTY),
        JSON_LIST("map", KV_MAP, Outer, map, .flags = JSON_OMITEMPTY),
        JSON_LIST("inners", ARRAY, Outer, inners, .elem = &inner_table),
        JSON_FIELD("one", OBJECT, Outer, one, .elem = &inner_table, .flags = JSON_REQUIRED),
        JSON_FIELD("opt", OBJECT_PTR, Outer, opt, .elem = &inner_table),
        {},
};

static const JsonTable outer_table = {.size = sizeof(Outer), .fields = outer_fields};

static const char full[] =
        "{\"kind\":\"Test\",\"s\":\"x\",\"l\":[\"a\",\"b\"],\"b\":true,\"u\":3,\"big\":18446744073709551615,"
        "\"ids\":[0,4294967295],\"kv\":[{\"name\":\"n\",\"value\":\"v\"}],\"map\":{\"a\":\"1\",\"b\":\"2\"},"
        "\"inners\":[{\"name\":\"i\",\"port\":80}],\"one\":{\"name\":\"o\",\"port\":1},"
        "\"opt\":{\"name\":\"p\",\"port\":2}}";

static void test_round_trip(void **state) {
        Outer *o = NULL, c = {};
        _cleanup_free_ char *text = NULL, *again = NULL;

        assert_int_equal(json_table_parse(full, strlen(full), "test", &outer_table, &o, NULL), 0);
        assert_string_equal(o->s, "x");
        assert_string_equal(o->l[1], "b");
        assert_true(o->b);
        assert_int_equal(o->u, 3);
        assert_true(o->big == UINT64_MAX);
        assert_int_equal(o->n_ids, 2);
        assert_int_equal(o->ids[1], UINT32_MAX);
        assert_string_equal(o->kv[0].value, "v");
        assert_string_equal(o->map[1].name, "b");
        assert_int_equal(o->inners[0].port, 80);
        assert_string_equal(o->one.name, "o");
        assert_string_equal(o->opt->name, "p");

        /* Written in the table's order, the same bytes as read; a copy is equal and writes the same. */
        assert_int_equal(json_table_write(&outer_table, o, false, &text, NULL), 0);
        assert_string_equal(text, full);
        assert_int_equal(json_table_copy(&outer_table, o, &c), 0);
        assert_true(json_table_equal(&outer_table, o, &c));
        assert_int_equal(json_table_to_text(&outer_table, &c, &again), 0);
        assert_string_equal(again, full);
        c.inners[0].port = 81;
        assert_false(json_table_equal(&outer_table, o, &c));
        json_table_done(&outer_table, &c);
        assert_null(c.s);
        assert_true(json_table_equal_ptr(&outer_table, NULL, NULL));
        assert_false(json_table_equal_ptr(&outer_table, o, NULL));
        json_table_free(&outer_table, o);
}

static void test_omitempty_and_go_rules(void **state) {
        /* Keys in any case, the last one winning; null reads as absent; "" as absent with EMPTY_IS_NULL. */
        static const char in[] =
                "{\"KIND\":\"Test\",\"S\":\"\",\"b\":null,\"One\":{\"NAME\":\"a\",\"name\":\"b\"}}";
        Outer *o = NULL;
        _cleanup_free_ char *text = NULL;

        assert_int_equal(json_table_parse(in, strlen(in), "test", &outer_table, &o, NULL), 0);
        assert_null(o->s);
        assert_string_equal(o->one.name, "b");
        assert_int_equal(json_table_write(&outer_table, o, false, &text, NULL), 0);
        assert_string_equal(text, "{\"kind\":\"Test\",\"b\":false,\"big\":0,\"inners\":[],"
                                  "\"one\":{\"name\":\"b\",\"port\":0}}");
        json_table_free(&outer_table, o);
}

static void expect_error(const char *json, const char *message) {
        _cleanup_error_ RktError *e = NULL;
        Outer *o = NULL;
        int r = json_table_parse(json, strlen(json), "test", &outer_table, &o, &e);

        assert_int_equal(r, -EINVAL);
        assert_null(o);
        if (!streq(rkt_error_message(e, r), message))
                fail_msg("'%s': got '%s', want '%s'", json, rkt_error_message(e, r), message);
}

static void test_errors_name_the_field(void **state) {
        expect_error("{}", "kind: must be \"Test\"");
        expect_error("{\"kind\":\"Other\",\"s\":1}", "kind 'Other': must be \"Test\"");
        expect_error("{\"kind\":\"Test\"}", "one: must be set");
        expect_error("{\"kind\":\"Test\",\"s\":1}", "s: must be a string");
        expect_error("{\"kind\":\"Test\",\"l\":[\"a\",2]}", "l[1]: must be a string");
        expect_error("{\"kind\":\"Test\",\"u\":11}", "u: must be an integer between 1 and 10, got 11");
        expect_error("{\"kind\":\"Test\",\"big\":-1}", "big: must be a non-negative integer");
        expect_error("{\"kind\":\"Test\",\"ids\":[4294967296]}",
                     "ids[0]: must be an integer between 0 and 4294967295, got 4294967296");
        expect_error("{\"kind\":\"Test\",\"map\":{\"a\":1}}", "map.a: must be a string");
        expect_error("{\"kind\":\"Test\",\"inners\":[{},{\"port\":\"80\"}]}",
                     "inners[1].port: must be an integer between 0 and 65535");
        expect_error("{\"kind\":\"Test\",\"one\":{},\"opt\":[]}", "opt: must be an object");
        expect_error("{\"kind\":\"Test\",\"s\":\"a\\u0000b\",\"one\":{}}",
                     "test is not valid JSON: NUL character in string at offset 21");
        expect_error("[]", "test is not a JSON object");
}

/* --- strict tables: rkt's own files --- */

typedef struct Record {
        char *id;
        char **tags;
        uint64_t size;
        Inner *items;
        size_t n_items;
} Record;

static const JsonField item_fields[] = {
        JSON_FIELD("name", STRING, Inner, name, .flags = JSON_REQUIRED),
        JSON_FIELD("port", UINT, Inner, port, .max = 65535),
        {},
};

static const JsonTable item_table = {.size = sizeof(Inner), .fields = item_fields, .strict = true};

static const JsonField record_fields[] = {
        JSON_FIELD("id", STRING, Record, id, .flags = JSON_REQUIRED),
        JSON_FIELD("tags", STRV, Record, tags, .flags = JSON_OMITEMPTY),
        JSON_FIELD("size", UINT64, Record, size),
        JSON_LIST("items", ARRAY, Record, items, .elem = &item_table, .flags = JSON_OMITEMPTY),
        {},
};

static const JsonTable record_table = {
        .size = sizeof(Record), .fields = record_fields, .strict = true, .single_line = true};

static void expect_record_error(const char *json, const char *message) {
        _cleanup_error_ RktError *e = NULL;
        Record r = {};
        int k = json_table_read(&record_table, json, strlen(json), "record 'f'", &r, &e);

        assert_int_equal(k, -EBADMSG);
        assert_null(r.id);
        if (!streq(rkt_error_message(e, k), message))
                fail_msg("'%s': got '%s', want '%s'", json, rkt_error_message(e, k), message);
}

static void test_strict(void **state) {
        static const char in[] =
                "{\"id\":\"a/b\",\"tags\":[\"t\"],\"size\":7,\"items\":[{\"name\":\"n\"}],\"x\":1}";
        _cleanup_free_ char *text = NULL;
        Record r = {};

        assert_int_equal(json_table_read(&record_table, in, strlen(in), "record 'f'", &r, NULL), 0);
        assert_string_equal(r.tags[0], "t");
        assert_int_equal(r.size, 7);
        assert_int_equal(json_table_to_text(&record_table, &r, &text), 0);
        /* '/' is not escaped; unknown members are not kept */
        assert_string_equal(
                text,
                "{\"id\":\"a/b\",\"tags\":[\"t\"],\"size\":7,\"items\":[{\"name\":\"n\",\"port\":0}]}");
        json_table_done(&record_table, &r);

        expect_record_error("{\"ID\":\"a\"}", "record 'f': field 'id': must be set");
        expect_record_error("{\"id\":null}", "record 'f': field 'id': must be a string, not null");
        expect_record_error("{\"id\":\"a\",\"size\":\"7\"}",
                            "record 'f': field 'size': must be an integer, not a string");
        expect_record_error("{\"id\":\"a\",\"size\":-7}",
                            "record 'f': field 'size': must be a non-negative integer");
        expect_record_error("{\"id\":\"a\\tb\"}",
                            "record 'f': field 'id': must not contain control characters");
        expect_record_error("{\"id\":\"a\",\"tags\":[\"t\",1]}",
                            "record 'f': field 'tags[1]': must be a string, not an integer");
        expect_record_error("{\"id\":\"a\",\"tags\":{}}",
                            "record 'f': field 'tags': must be an array, not an object");
        expect_record_error("{\"id\":\"a\",\"items\":[{\"name\":\"n\"},{\"port\":1}]}",
                            "record 'f': field 'items[1].name': must be set");
        expect_record_error("{\"id\":\"a\",\"items\":[{\"name\":\"n\",\"port\":true}]}",
                            "record 'f': field 'items[0].port': must be an integer, not a boolean");
        expect_record_error("{\"id\":", "record 'f' is not valid JSON: unexpected end of data at offset 6");
        expect_record_error("7", "record 'f' is not a JSON object");
}

static void test_strict_arrays(void **state) {
        static const char in[] = "[{\"name\":\"a\",\"port\":1},{\"name\":\"b\"}]";
        static const char bad[] = "[{\"name\":\"a\"},{\"name\":2}]";
        _cleanup_error_ RktError *e = NULL;
        _cleanup_free_ char *text = NULL;
        Inner *items = NULL;
        size_t n = 0;

        assert_int_equal(json_table_read_array(&item_table, in, strlen(in), "list", &items, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_string_equal(items[1].name, "b");
        assert_int_equal(json_table_array_to_text(&item_table, items, n, &text), 0);
        assert_string_equal(text, "[{\"name\":\"a\",\"port\":1},{\"name\":\"b\",\"port\":0}]");
        json_table_array_free(&item_table, items, n);

        items = NULL;
        n = 0;
        assert_int_equal(json_table_read_array(&item_table, bad, strlen(bad), "list", &items, &n, &e),
                         -EBADMSG);
        assert_null(items);
        assert_string_equal(rkt_error_message(e, -EBADMSG),
                            "list: field '[1].name': must be a string, not an integer");
        e = rkt_error_free(e);
        assert_int_equal(json_table_read_array(&item_table, "{}", 2, "list", &items, &n, &e), -EBADMSG);
        assert_string_equal(rkt_error_message(e, -EBADMSG), "list is not a JSON array");
}

/* Configuration files are parsed elsewhere (leniently) and read from the object. */
static void test_read_object(void **state) {
        _cleanup_(json_object_putp) json_object *o = json_tokener_parse("{\"id\":\"x\",\"size\":1}");
        _cleanup_error_ RktError *e = NULL;
        Record r = {};

        assert_int_equal(json_table_read_object(&record_table, o, "configuration 'c'", &r, NULL), 0);
        assert_string_equal(r.id, "x");
        json_table_done(&record_table, &r);
        json_object_put(o);
        o = json_tokener_parse("{\"id\":[]}");
        assert_int_equal(json_table_read_object(&record_table, o, "configuration 'c'", &r, &e), -EINVAL);
        assert_string_equal(rkt_error_message(e, -EINVAL),
                            "configuration 'c': field 'id': must be a string, not an array");
}

/* JSON_PRESENT tells an empty list from an absent one; JSON_REQUIRED refuses an absent scalar of a lenient
 * table; JSON_FIELD_KEYS reads the names of an object of objects (Go's map[string]struct{}). */
typedef struct Presence {
        char **dirs;
        bool has_dirs;
        uint64_t size;
        char **ports;
} Presence;

static const JsonField presence_fields[] = {
        JSON_FIELD("dirs", STRV, Presence, dirs, JSON_PRESENT_AT(Presence, has_dirs)),
        JSON_FIELD("size", UINT64, Presence, size, .flags = JSON_REQUIRED),
        JSON_FIELD("ports", KEYS, Presence, ports, .flags = JSON_OMITEMPTY),
        {},
};

static const JsonTable presence_table = {.size = sizeof(Presence), .fields = presence_fields};
static const JsonTable strict_presence_table = {
        .size = sizeof(Presence), .fields = presence_fields, .strict = true};

static void test_presence_required_keys(void **state) {
        static const struct {
                const JsonTable *t;
                const char *json, *error;
        } bad[] = {
                {&presence_table, "{}", "size: must be set"},
                {&presence_table, "{\"size\":null}", "size: must be set"},
                {&strict_presence_table, "{}", "field 'size': must be set"},
                {&presence_table, "{\"size\":1,\"ports\":{\"80\":\"x\"}}", "ports: '80': must be an object"},
                {&presence_table, "{\"size\":1,\"ports\":[]}", "ports: must be an object"},
                {&strict_presence_table, "{\"size\":1,\"ports\":[]}",
                 "field 'ports': must be an object, not an array"},
        };
        _cleanup_free_ char *text = NULL;
        Presence *p = NULL, *q = NULL;

        assert_int_equal(json_table_parse("{\"size\":1}", 10, "d", &presence_table, &p, NULL), 0);
        assert_false(p->has_dirs);
        assert_null(p->ports);
        p = json_table_free(&presence_table, p);
        /* null is absent in a lenient table */
        assert_int_equal(json_table_parse("{\"size\":1,\"dirs\":null}", 22, "d", &presence_table, &p, NULL),
                         0);
        assert_false(p->has_dirs);
        p = json_table_free(&presence_table, p);
        assert_int_equal(
                json_table_parse("{\"size\":1,\"dirs\":[]}", 20, "d", &strict_presence_table, &p, NULL), 0);
        assert_true(p->has_dirs);
        assert_null(p->dirs);
        p = json_table_free(&presence_table, p);

        static const char keys[] = "{\"size\":2,\"ports\":{\"80/tcp\":{},\"53/udp\":null,\"1\":{\"x\":1}}}";
        assert_int_equal(json_table_parse(keys, strlen(keys), "d", &presence_table, &p, NULL), 0);
        assert_int_equal(strv_length(p->ports), 3);
        /* in the document's order */
        assert_string_equal(p->ports[0], "80/tcp");
        assert_string_equal(p->ports[2], "1");
        assert_int_equal(json_table_to_text(&presence_table, p, &text), 0);
        assert_string_equal(text,
                            "{\"dirs\":[],\"size\":2,\"ports\":{\"80/tcp\":{},\"53/udp\":{},\"1\":{}}}");
        q = calloc(1, sizeof(Presence));
        assert_non_null(q);
        assert_int_equal(json_table_copy(&presence_table, p, q), 0);
        assert_true(json_table_equal(&presence_table, p, q));
        p = json_table_free(&presence_table, p);
        q = json_table_free(&presence_table, q);

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_error_ RktError *e = NULL;
                int r = json_table_parse(bad[i].json, strlen(bad[i].json), "d", bad[i].t, &p, &e);

                assert_int_equal(r, -EINVAL);
                assert_null(p);
                assert_string_equal(rkt_error_message(e, r), bad[i].error);
        }
}

/* A member's path is what the printf form gives, truncated alike. */
static void test_path_member(void **state) {
        char want[JSON_PATH_MAX], path[400];

        assert_string_equal(JSON_PATH_MEMBER("", "app"), "app");
        assert_string_equal(JSON_PATH_MEMBER("apps[1].app", "exec"), "apps[1].app.exec");
        for (size_t n = 240; n < sizeof(path); n += 3) {
                memset(path, 'p', n);
                path[n] = '\0';
                snprintf(want, sizeof(want), "%s%s%s", path, ".", "member");
                assert_string_equal(JSON_PATH_MEMBER(path, "member"), want);
        }
        /* An index, as "%s[%zu]" would format it, truncated the same way. */
        assert_string_equal(JSON_PATH_INDEX("apps", 0), "apps[0]");
        assert_string_equal(JSON_PATH_INDEX("a.exec", 1234567), "a.exec[1234567]");
        assert_string_equal(JSON_PATH_INDEX("", SIZE_MAX), "[18446744073709551615]");
        for (size_t n = 240; n < sizeof(path); n += 3) {
                memset(path, 'p', n);
                path[n] = '\0';
                snprintf(want, sizeof(want), "%s[%zu]", path, n);
                assert_string_equal(JSON_PATH_INDEX(path, n), want);
        }
}

RUN_TESTS(cmocka_unit_test(test_path_member), cmocka_unit_test(test_round_trip),
          cmocka_unit_test(test_omitempty_and_go_rules), cmocka_unit_test(test_errors_name_the_field),
          cmocka_unit_test(test_strict), cmocka_unit_test(test_strict_arrays),
          cmocka_unit_test(test_read_object), cmocka_unit_test(test_presence_required_keys))
