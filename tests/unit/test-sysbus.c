/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "stage1-common.h"
#include "strv.h"
#include "sysbus.h"
#include "unit.h"

/* --- messages as a bus daemon would send them --- */

typedef struct Msg {
        uint8_t b[4096];
        size_t n;
        bool be;
} Msg;

static void put(Msg *m, const void *p, size_t n) {
        assert_true(m->n + n <= sizeof(m->b));
        memcpy(m->b + m->n, p, n);
        m->n += n;
}

static void pad(Msg *m, size_t a) {
        while (m->n % a)
                m->b[m->n++] = 0;
}

static void u32_at(Msg *m, size_t at, uint32_t v) {
        for (int i = 0; i < 4; i++)
                m->b[at + i] = (uint8_t) (m->be ? v >> (8 * (3 - i)) : v >> (8 * i));
}

static void u32(Msg *m, uint32_t v) {
        pad(m, 4);
        m->n += 4;
        u32_at(m, m->n - 4, v);
}

static void str(Msg *m, const char *s) {
        u32(m, (uint32_t) strlen(s));
        put(m, s, strlen(s) + 1);
}

static void sig(Msg *m, const char *s) {
        uint8_t n = (uint8_t) strlen(s);
        put(m, &n, 1);
        put(m, s, strlen(s) + 1);
}

/* type, serial 7, REPLY_SERIAL (0: none), ERROR_NAME, SIGNATURE; the body is written by the caller,
 * then finish() sets the lengths. */
static size_t start(Msg *m, uint8_t type, uint32_t reply_serial, const char *error, const char *signature) {
        uint8_t fixed[16] = {m->be ? 'B' : 'l', type, 0, 1};
        size_t body;

        m->n = 0;
        put(m, fixed, sizeof(fixed));
        u32_at(m, 8, 7);
        if (reply_serial) {
                pad(m, 8);
                put(m, "\5", 1);
                sig(m, "u");
                u32(m, reply_serial);
        }
        if (error) {
                pad(m, 8);
                put(m, "\4", 1);
                sig(m, "s");
                str(m, error);
        }
        if (signature) {
                pad(m, 8);
                put(m, "\x8", 1);
                sig(m, "g");
                sig(m, signature);
        }
        u32_at(m, 12, (uint32_t) (m->n - 16));
        pad(m, 8);
        body = m->n;
        return body;
}

static void finish(Msg *m, size_t body) {
        u32_at(m, 4, (uint32_t) (m->n - body));
}

static int parse(Msg *m, SysBusMessage *ret) {
        return sysbus_message_parse(m->b, m->n, ret);
}

static void test_build_roundtrip(void **state) {
        _cleanup_free_ uint8_t *p = NULL;
        SysBusMessage m;
        size_t n, size;

        assert_int_equal(
                sysbus_message_build(5, "org.x", "/org/x", "org.x.I", "Do", STRV_MAKE("a", "bc"), &p, &n),
                0);
        assert_int_equal(sysbus_message_size(p, &size), 0);
        assert_int_equal(size, n);
        assert_int_equal(sysbus_message_parse(p, n, &m), 0);
        assert_int_equal(m.type, SYSBUS_METHOD_CALL);
        assert_int_equal(m.serial, 5);
        assert_string_equal(m.signature, "ss");
        /* "a": length, byte, NUL, padding to 4; "bc": length, bytes, NUL. */
        assert_int_equal(m.body_size, 15);
        assert_memory_equal(m.body, "\1\0\0\0a\0\0\0\2\0\0\0bc\0", 15);
        free(p);
        p = NULL;
        assert_int_equal(sysbus_message_build(6, NULL, "/", NULL, "Ping", NULL, &p, &n), 0);
        assert_int_equal(sysbus_message_parse(p, n, &m), 0);
        assert_string_equal(m.signature, "");
        assert_int_equal(m.body_size, 0);
        assert_int_equal(sysbus_message_build(7, NULL, "/", NULL, "Many",
                                              STRV_MAKE("1", "2", "3", "4", "5", "6", "7", "8", "9"), &p,
                                              &n),
                         -E2BIG);
}

static void test_read_values(void **state) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *s = NULL;
        SysBusMessage m;
        bool b = false;

        for (int be = 0; be <= 1; be++) {
                Msg msg = {.be = be};
                size_t body = start(&msg, SYSBUS_METHOD_RETURN, 2, NULL, "b");
                u32(&msg, 1);
                finish(&msg, body);
                assert_int_equal(parse(&msg, &m), 0);
                assert_int_equal(m.reply_serial, 2);
                assert_int_equal(sysbus_read_bool(&m, &b), 0);
                assert_true(b);
        }

        Msg msg = {};
        size_t body = start(&msg, SYSBUS_METHOD_RETURN, 3, NULL, "as"), at;
        u32(&msg, 0);
        at = msg.n;
        str(&msg, "org.freedesktop.DBus");
        str(&msg, "org.freedesktop.machine1");
        u32_at(&msg, at - 4, (uint32_t) (msg.n - at));
        finish(&msg, body);
        assert_int_equal(parse(&msg, &m), 0);
        assert_int_equal(sysbus_read_strv(&m, &l), 0);
        assert_int_equal(strv_length(l), 2);
        assert_string_equal(l[1], "org.freedesktop.machine1");
        /* The signature must be the one asked for. */
        assert_int_equal(sysbus_read_bool(&m, &b), -EBADMSG);

        body = start(&msg, SYSBUS_METHOD_RETURN, 3, NULL, "v");
        sig(&msg, "s");
        str(&msg, "mixed");
        finish(&msg, body);
        assert_int_equal(parse(&msg, &m), 0);
        assert_int_equal(sysbus_read_variant_string(&m, &s), 0);
        assert_string_equal(s, "mixed");

        body = start(&msg, SYSBUS_ERROR, 4, "org.freedesktop.machine1.NoSuchMachine", "s");
        str(&msg, "No machine 'x' known");
        finish(&msg, body);
        assert_int_equal(parse(&msg, &m), 0);
        assert_int_equal(m.type, SYSBUS_ERROR);
        assert_string_equal(m.error_name, "org.freedesktop.machine1.NoSuchMachine");
}

/* What a hostile or broken daemon could send: each is refused, none is read past its end. */
static void test_hostile(void **state) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *s = NULL;
        SysBusMessage m;
        Msg msg = {};
        size_t body, at;
        bool b;

        /* A boolean that is not 0 or 1. */
        body = start(&msg, SYSBUS_METHOD_RETURN, 2, NULL, "b");
        u32(&msg, 2);
        finish(&msg, body);
        assert_int_equal(parse(&msg, &m), 0);
        assert_int_equal(sysbus_read_bool(&m, &b), -EBADMSG);

        /* An array longer than the body, a string longer than its array, a string without its NUL. */
        body = start(&msg, SYSBUS_METHOD_RETURN, 2, NULL, "as");
        u32(&msg, 1000);
        str(&msg, "a");
        finish(&msg, body);
        assert_int_equal(parse(&msg, &m), 0);
        assert_int_equal(sysbus_read_strv(&m, &l), -EBADMSG);
        body = start(&msg, SYSBUS_METHOD_RETURN, 2, NULL, "as");
        u32(&msg, 0);
        at = msg.n;
        str(&msg, "abcdef");
        u32_at(&msg, at - 4, 6);
        finish(&msg, body);
        assert_int_equal(parse(&msg, &m), 0);
        assert_int_equal(sysbus_read_strv(&m, &l), -EBADMSG);
        body = start(&msg, SYSBUS_METHOD_RETURN, 2, NULL, "v");
        sig(&msg, "s");
        u32(&msg, 3);
        put(&msg, "abcd", 4);
        finish(&msg, body);
        assert_int_equal(parse(&msg, &m), 0);
        assert_int_equal(sysbus_read_variant_string(&m, &s), -EBADMSG);
        /* A NUL inside a string; a variant of another type. */
        body = start(&msg, SYSBUS_METHOD_RETURN, 2, NULL, "v");
        sig(&msg, "s");
        u32(&msg, 3);
        put(&msg, "a\0c\0", 4);
        finish(&msg, body);
        assert_int_equal(parse(&msg, &m), 0);
        assert_int_equal(sysbus_read_variant_string(&m, &s), -EBADMSG);
        body = start(&msg, SYSBUS_METHOD_RETURN, 2, NULL, "v");
        sig(&msg, "u");
        u32(&msg, 3);
        finish(&msg, body);
        assert_int_equal(parse(&msg, &m), 0);
        assert_int_equal(sysbus_read_variant_string(&m, &s), -EBADMSG);
        assert_null(s);

        /* The message's own lengths: one byte short, one byte more, fields past the end, padding not zero.
         */
        body = start(&msg, SYSBUS_METHOD_RETURN, 2, NULL, "b");
        u32(&msg, 1);
        finish(&msg, body);
        assert_int_equal(sysbus_message_parse(msg.b, msg.n - 1, &m), -EBADMSG);
        assert_int_equal(sysbus_message_parse(msg.b, msg.n + 1, &m), -EBADMSG);
        u32_at(&msg, 12, 4000);
        assert_int_equal(parse(&msg, &m), -EBADMSG);
        body = start(&msg, SYSBUS_METHOD_RETURN, 2, NULL, "b");
        assert_int_equal(body, 32); /* the fields end at 31 */
        msg.b[31] = 'x';
        u32(&msg, 1);
        finish(&msg, body);
        assert_int_equal(parse(&msg, &m), -EBADMSG);

        /* Endianness, version, type, serial 0, and the fields a reply or an error cannot do without. */
        body = start(&msg, SYSBUS_METHOD_RETURN, 2, NULL, NULL);
        finish(&msg, body);
        assert_int_equal(parse(&msg, &m), 0);
        msg.b[0] = 'x';
        assert_int_equal(parse(&msg, &m), -EBADMSG);
        msg.b[0] = 'l';
        msg.b[3] = 2;
        assert_int_equal(parse(&msg, &m), -EBADMSG);
        msg.b[3] = 1;
        msg.b[1] = 9;
        assert_int_equal(parse(&msg, &m), -EBADMSG);
        msg.b[1] = SYSBUS_METHOD_RETURN;
        u32_at(&msg, 8, 0);
        assert_int_equal(parse(&msg, &m), -EBADMSG);
        body = start(&msg, SYSBUS_METHOD_RETURN, 0, NULL, NULL);
        finish(&msg, body);
        assert_int_equal(parse(&msg, &m), -EBADMSG);
        body = start(&msg, SYSBUS_ERROR, 2, NULL, NULL);
        finish(&msg, body);
        assert_int_equal(parse(&msg, &m), -EBADMSG);
        /* A reply serial of another type than 'u'. */
        body = start(&msg, SYSBUS_METHOD_RETURN, 0, NULL, NULL);
        msg.n = 16;
        put(&msg, "\5", 1);
        sig(&msg, "s");
        str(&msg, "2");
        u32_at(&msg, 12, (uint32_t) (msg.n - 16));
        pad(&msg, 8);
        finish(&msg, msg.n);
        assert_int_equal(parse(&msg, &m), -EBADMSG);

        /* A size above the limit is refused from the header alone, before anything is read. */
        size_t size;
        u32_at(&msg, 4, SYSBUS_MESSAGE_MAX);
        assert_int_equal(sysbus_message_size(msg.b, &size), -E2BIG);
        u32_at(&msg, 4, UINT32_MAX);
        u32_at(&msg, 12, UINT32_MAX);
        assert_int_equal(sysbus_message_size(msg.b, &size), -E2BIG);
}

/* A list of more names than any bus has is refused, not copied name by name. */
static void test_strv_limit(void **state) {
        _cleanup_strv_free_ char **l = NULL;
        Msg head = {};
        SysBusMessage m;

        for (uint32_t n = SYSBUS_STRV_MAX; n <= SYSBUS_STRV_MAX + 1; n++) {
                /* each name "": its length, its NUL, padding to 4 but after the last */
                size_t body = start(&head, SYSBUS_METHOD_RETURN, 2, NULL, "as"), len = 8 * (size_t) n - 3,
                       size = body + 4 + len;
                _cleanup_free_ uint8_t *p = calloc(1, size);

                assert_non_null(p);
                memcpy(p, head.b, body);
                for (int i = 0; i < 4; i++) {
                        p[4 + i] = (uint8_t) ((size - body) >> (8 * i));
                        p[body + i] = (uint8_t) (len >> (8 * i));
                }
                assert_int_equal(sysbus_message_parse(p, size, &m), 0);
                assert_int_equal(sysbus_read_strv(&m, &l), n == SYSBUS_STRV_MAX ? 0 : -E2BIG);
                if (l)
                        assert_int_equal(strv_length(l), n);
                l = strv_free(l);
        }
}

static void test_address(void **state) {
        const struct {
                const char *address, *path;
                int r;
        } cases[] = {
                {"unix:path=/run/dbus/system_bus_socket", "/run/dbus/system_bus_socket", 0},
                {"unix:path=/a%20b,guid=0123", "/a b", 0},
                {"unix:guid=0123,path=/x", "/x", 0},
                {"tcp:host=h,port=1;unix:abstract=bus", "@bus", 0},
                {"tcp:host=h,port=1", NULL, -EAFNOSUPPORT},
                {"unix:path=", NULL, -EAFNOSUPPORT},
                {"unix:path=/a%2", NULL, -EINVAL},
                {"unix:path=/a%zz", NULL, -EINVAL},
                {"unix:path=/a%00b", NULL, -EINVAL},
                {"", NULL, -EAFNOSUPPORT},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *p = NULL;
                assert_int_equal(sysbus_address_path(cases[i].address, &p), cases[i].r);
                if (cases[i].path)
                        assert_string_equal(p, cases[i].path);
        }
}

static void test_unit_path(void **state) {
        const char *cases[][2] = {
                {"rkt.service", "rkt_2eservice"},
                {"getty@tty1.service", "getty_40tty1_2eservice"},
                {"1a", "_31a"},
                {"", "_"},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *p = NULL, *want = NULL;
                assert_int_equal(sysbus_unit_path(cases[i][0], &p), 0);
                assert_int_not_equal(asprintf(&want, "/org/freedesktop/systemd1/unit/%s", cases[i][1]), -1);
                assert_string_equal(p, want);
        }
}

static void test_cgroup_unit(void **state) {
        const char *cases[][2] = {
                {"/system.slice/rkt.service", "rkt.service"},
                {"/system.slice/rkt.service/payload", "rkt.service"},
                {"/user.slice/user-0.slice/session-3.scope", "session-3.scope"},
                {"/user.slice/user-1000.slice/user@1000.service/app.slice/x.service", "user@1000.service"},
                {"/init.scope", "init.scope"},
                {"/system.slice/_foo.service", "foo.service"},
                {"/", NULL},
                {"", NULL},
                {"/machine.slice", NULL},
                {"/system.slice/plain", NULL},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *u = NULL;
                int r = stage1_cgroup_unit(cases[i][0], &u);
                if (cases[i][1]) {
                        assert_int_equal(r, 0);
                        assert_string_equal(u, cases[i][1]);
                } else
                        assert_int_equal(r, -ENXIO);
        }
}

/* --- a conversation with a bus daemon played by a child process --- */

static void send_msg(int fd, Msg *m) {
        assert_int_equal(write(fd, m->b, m->n), (ssize_t) m->n);
}

/* Reads one message of the client's; returns its serial. */
static uint32_t recv_call(int fd) {
        Msg m = {};
        SysBusMessage parsed;
        size_t size;

        assert_int_equal(read(fd, m.b, 16), 16);
        assert_int_equal(sysbus_message_size(m.b, &size), 0);
        assert_true(size <= sizeof(m.b));
        for (m.n = 16; m.n < size;) {
                ssize_t k = read(fd, m.b + m.n, size - m.n);
                assert_true(k > 0);
                m.n += (size_t) k;
        }
        assert_int_equal(parse(&m, &parsed), 0);
        assert_int_equal(parsed.type, SYSBUS_METHOD_CALL);
        return parsed.serial;
}

static void read_line(int fd, const char *want) {
        char line[256];
        size_t n = 0;

        while (n < 2 || memcmp(line + n - 2, "\r\n", 2) != 0) {
                assert_true(n < sizeof(line) - 1);
                assert_int_equal(read(fd, line + n, 1), 1);
                n++;
        }
        line[n] = 0;
        if (want)
                assert_string_equal(line, want);
}

static void fake_bus(int fd, const char *auth_answer) {
        char expect[64], uid[16];
        Msg m = {};
        size_t body;
        int n;

        snprintf(uid, sizeof(uid), "%u", (unsigned) geteuid());
        n = snprintf(expect, sizeof(expect), "AUTH EXTERNAL ");
        for (const char *c = uid; *c; c++)
                n += snprintf(expect + n, sizeof(expect) - (size_t) n, "%02x", *c);
        snprintf(expect + n, sizeof(expect) - (size_t) n, "\r\n");
        char nul;
        assert_int_equal(read(fd, &nul, 1), 1);
        assert_int_equal(nul, 0);
        read_line(fd, expect);
        assert_int_equal(write(fd, auth_answer, strlen(auth_answer)), (ssize_t) strlen(auth_answer));
        if (!startswith(auth_answer, "OK ")) {
                /* Until the client hangs up: what it sent meanwhile must not fail for a closed socket. */
                while (read(fd, expect, sizeof(expect)) > 0)
                        ;
                _exit(0);
        }
        read_line(fd, "BEGIN\r\n");
        assert_int_equal(recv_call(fd), 1);
        /* Hello's answer, a signal, and an answer to a call that was never made come first. */
        body = start(&m, SYSBUS_METHOD_RETURN, 1, NULL, "s");
        str(&m, ":1.7");
        finish(&m, body);
        send_msg(fd, &m);
        body = start(&m, SYSBUS_SIGNAL, 0, NULL, "s");
        str(&m, ":1.7");
        finish(&m, body);
        send_msg(fd, &m);
        uint32_t serial = recv_call(fd);
        body = start(&m, SYSBUS_METHOD_RETURN, serial + 100, NULL, "b");
        u32(&m, 0);
        finish(&m, body);
        send_msg(fd, &m);
        body = start(&m, SYSBUS_METHOD_RETURN, serial, NULL, "b");
        u32(&m, 1);
        finish(&m, body);
        send_msg(fd, &m);
        serial = recv_call(fd);
        body = start(&m, SYSBUS_ERROR, serial, "org.freedesktop.machine1.NoSuchMachine", NULL);
        finish(&m, body);
        send_msg(fd, &m);
        /* Two calls sent at once, answered in order. */
        uint32_t first = recv_call(fd), second = recv_call(fd);
        body = start(&m, SYSBUS_METHOD_RETURN, first, NULL, "b");
        u32(&m, 0);
        finish(&m, body);
        send_msg(fd, &m);
        body = start(&m, SYSBUS_METHOD_RETURN, second, NULL, "as");
        u32(&m, 8);
        str(&m, "x.y");
        finish(&m, body);
        send_msg(fd, &m);
        serial = second;
        /* The next call gets half a message, then the daemon goes away. */
        recv_call(fd);
        body = start(&m, SYSBUS_METHOD_RETURN, serial + 1, NULL, "b");
        u32(&m, 1);
        finish(&m, body);
        m.n -= 3;
        send_msg(fd, &m);
        _exit(0);
}

static pid_t fork_bus(const char *auth_answer, int *ret_fd) {
        int sv[2];
        pid_t pid;

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(sv[0]);
                fake_bus(sv[1], auth_answer);
        }
        close(sv[1]);
        *ret_fd = sv[0];
        return pid;
}

static void wait_ok(pid_t pid) {
        int status;

        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_conversation(void **state) {
        _cleanup_(sysbus_closep) SysBus *bus = NULL;
        _cleanup_free_ char *error = NULL;
        SysBusMessage m;
        bool b = false;
        int fd;
        pid_t pid = fork_bus("OK 0123456789abcdef0123456789abcdef\r\n", &fd);

        assert_int_equal(sysbus_open_fd(fd, &bus), 0);
        assert_int_equal(sysbus_call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "NameHasOwner",
                                     STRV_MAKE("org.freedesktop.machine1"), &m, NULL),
                         0);
        assert_int_equal(sysbus_read_bool(&m, &b), 0);
        assert_true(b);
        assert_int_equal(sysbus_call(bus, "org.freedesktop.machine1", "/org/freedesktop/machine1",
                                     "org.freedesktop.machine1.Manager", "TerminateMachine", STRV_MAKE("x"),
                                     &m, &error),
                         -EREMOTEIO);
        assert_string_equal(error, "org.freedesktop.machine1.NoSuchMachine");
        uint32_t first, second;
        _cleanup_strv_free_ char **l = NULL;
        assert_int_equal(sysbus_call_start(bus, NULL, "/", NULL, "A", NULL, &first), 0);
        assert_int_equal(sysbus_call_start(bus, NULL, "/", NULL, "B", NULL, &second), 0);
        assert_int_equal(sysbus_call_finish(bus, first, &m, NULL), 0);
        assert_int_equal(sysbus_read_bool(&m, &b), 0);
        assert_false(b);
        assert_int_equal(sysbus_call_finish(bus, second, &m, NULL), 0);
        assert_int_equal(sysbus_read_strv(&m, &l), 0);
        assert_string_equal(l[0], "x.y");
        assert_int_equal(sysbus_call(bus, NULL, "/", NULL, "Ping", NULL, &m, NULL), -ECONNRESET);
        wait_ok(pid);
}

static void test_rejected(void **state) {
        _cleanup_(sysbus_closep) SysBus *bus = NULL;
        SysBusMessage m;
        int fd;
        pid_t pid = fork_bus("REJECTED EXTERNAL\r\n", &fd);

        /* Nothing is waited for at open; the first call learns that we were refused. */
        assert_int_equal(sysbus_open_fd(fd, &bus), 0);
        assert_int_equal(sysbus_call(bus, NULL, "/", NULL, "Ping", NULL, &m, NULL), -EPERM);
        bus = sysbus_close(bus);
        wait_ok(pid);
}

static void test_notify(void **state) {
        char dir[] = "/tmp/test-sysbus-XXXXXX", path[64], buf[64];
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/notify", dir);
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);

        unsetenv("NOTIFY_SOCKET");
        assert_int_equal(stage1_notify("READY=1"), 0);
        setenv("NOTIFY_SOCKET", path, 1);
        assert_int_equal(stage1_notify("READY=1"), 1);
        assert_int_equal(recv(fd, buf, sizeof(buf), 0), 7);
        assert_memory_equal(buf, "READY=1", 7);
        setenv("NOTIFY_SOCKET", "vsock:2:1", 1);
        assert_int_equal(stage1_notify("READY=1"), -EAFNOSUPPORT);
        unsetenv("NOTIFY_SOCKET");
        close(fd);
        unlink(path);
        rmdir(dir);
}

RUN_TESTS(cmocka_unit_test(test_build_roundtrip), cmocka_unit_test(test_read_values),
          cmocka_unit_test(test_hostile), cmocka_unit_test(test_strv_limit), cmocka_unit_test(test_address),
          cmocka_unit_test(test_unit_path), cmocka_unit_test(test_cgroup_unit),
          cmocka_unit_test(test_conversation), cmocka_unit_test(test_rejected),
          cmocka_unit_test(test_notify))
