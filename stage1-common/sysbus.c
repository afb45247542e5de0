/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fd-util.h"
#include "strv.h"
#include "sysbus.h"
#include "util.h"

#define ALIGN_TO(n, a) (((n) + (a) -1) & ~((size_t) (a) -1))
/* The bus's own first answer, "OK <guid>\r\n", is far below this. */
#define AUTH_LINE_MAX 512
/* Signals and other replies we skip while waiting for ours. */
#define SKIPPED_MESSAGES_MAX 1024
#define ARGS_MAX 8

/* --- building a message --- */

typedef struct Out {
        char *p;
        size_t n, cap;
        bool failed;
} Out;

static void out_bytes(Out *o, const void *data, size_t n) {
        if (!o->failed && buf_append(&o->p, &o->n, &o->cap, data, n) < 0)
                o->failed = true;
}

static void out_align(Out *o, size_t a) {
        static const uint8_t zeros[8];
        out_bytes(o, zeros, ALIGN_TO(o->n, a) - o->n);
}

static void out_u32_at(Out *o, size_t at, uint32_t v) {
        if (o->failed)
                return;
        for (size_t i = 0; i < 4; i++)
                o->p[at + i] = (char) (uint8_t) (v >> (8 * i));
}

static void out_u32(Out *o, uint32_t v) {
        uint8_t b[4] = {0};

        out_align(o, 4);
        out_bytes(o, b, 4);
        out_u32_at(o, o->n - 4, v);
}

static void out_string(Out *o, const char *s) {
        size_t len = strlen(s);

        if (len > UINT32_MAX - 1) {
                o->failed = true;
                return;
        }
        out_u32(o, (uint32_t) len);
        out_bytes(o, s, len + 1);
}

static void out_signature(Out *o, const char *s) {
        uint8_t len = (uint8_t) strlen(s);

        out_bytes(o, &len, 1);
        out_bytes(o, s, (size_t) len + 1);
}

/* A header field: (BYTE code, VARIANT value) of type 's', 'o' or 'g'. */
static void out_field(Out *o, uint8_t code, char type, const char *value) {
        const char sig[2] = {type, 0};

        out_align(o, 8);
        out_bytes(o, &code, 1);
        out_signature(o, sig);
        if (type == 'g')
                out_signature(o, value);
        else
                out_string(o, value);
}

int sysbus_message_build(uint32_t serial, const char *dest, const char *path, const char *iface,
                         const char *member, char *const *args, uint8_t **ret, size_t *ret_size) {
        const uint8_t fixed[16] = {'l', SYSBUS_METHOD_CALL, 0, 1};
        size_t n_args = strv_length(args), body;
        char sig[ARGS_MAX + 1] = "";
        Out o = {};

        if (n_args > ARGS_MAX)
                return -E2BIG;
        memset(sig, 's', n_args);
        out_bytes(&o, fixed, sizeof(fixed));
        out_field(&o, 1, 'o', path);
        if (iface)
                out_field(&o, 2, 's', iface);
        out_field(&o, 3, 's', member);
        if (dest)
                out_field(&o, 6, 's', dest);
        if (n_args > 0)
                out_field(&o, 8, 'g', sig);
        out_u32_at(&o, 12, (uint32_t) (o.n - 16));
        out_align(&o, 8);
        body = o.n;
        for (size_t i = 0; i < n_args; i++)
                out_string(&o, args[i]);
        out_u32_at(&o, 4, (uint32_t) (o.n - body));
        out_u32_at(&o, 8, serial);
        if (o.failed || o.n > SYSBUS_MESSAGE_MAX) {
                free(o.p);
                return o.failed ? -ENOMEM : -E2BIG;
        }
        *ret = (uint8_t *) o.p;
        *ret_size = o.n;
        return 0;
}

/* --- reading a message --- */

typedef struct In {
        const uint8_t *p;
        size_t size, off;
        bool big_endian;
} In;

static uint32_t u32_of(const uint8_t *p, bool big_endian) {
        if (big_endian)
                return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
        return (uint32_t) p[3] << 24 | (uint32_t) p[2] << 16 | (uint32_t) p[1] << 8 | p[0];
}

/* Padding must be there and be zero. */
static int in_align(In *in, size_t a) {
        size_t to = ALIGN_TO(in->off, a);

        if (to > in->size)
                return -EBADMSG;
        for (; in->off < to; in->off++)
                if (in->p[in->off] != 0)
                        return -EBADMSG;
        return 0;
}

static int in_skip(In *in, size_t align, size_t n, const uint8_t **ret) {
        if (in_align(in, align) < 0 || in->size - in->off < n)
                return -EBADMSG;
        if (ret)
                *ret = in->p + in->off;
        in->off += n;
        return 0;
}

static int in_u32(In *in, uint32_t *ret) {
        const uint8_t *p;

        if (in_skip(in, 4, 4, &p) < 0)
                return -EBADMSG;
        *ret = u32_of(p, in->big_endian);
        return 0;
}

/* len bytes, then a NUL, none inside. */
static int in_text(In *in, size_t len, const char **ret) {
        const uint8_t *p;

        if (len >= in->size - in->off || in_skip(in, 1, len + 1, &p) < 0 || p[len] != 0 || memchr(p, 0, len))
                return -EBADMSG;
        *ret = (const char *) p;
        return 0;
}

static int in_string(In *in, const char **ret) {
        uint32_t len;

        if (in_u32(in, &len) < 0)
                return -EBADMSG;
        return in_text(in, len, ret);
}

static int in_signature(In *in, const char **ret) {
        const uint8_t *len;

        if (in_skip(in, 1, 1, &len) < 0)
                return -EBADMSG;
        return in_text(in, *len, ret);
}

int sysbus_message_size(const uint8_t p[16], size_t *ret) {
        bool big_endian = p[0] == 'B';
        uint64_t size;

        if ((p[0] != 'l' && p[0] != 'B') || p[3] != 1)
                return -EBADMSG;
        size = ALIGN_TO(16 + (uint64_t) u32_of(p + 12, big_endian), 8) + u32_of(p + 4, big_endian);
        if (size > SYSBUS_MESSAGE_MAX)
                return -E2BIG;
        *ret = (size_t) size;
        return 0;
}

/* One header field's value, whichever basic type it has; the three we use are checked for theirs. */
static int in_field(In *in, SysBusMessage *m) {
        const uint8_t *code;
        const char *sig, *s = NULL;
        uint32_t u = 0;

        if (in_skip(in, 8, 1, &code) < 0 || in_signature(in, &sig) < 0 || strlen(sig) != 1)
                return -EBADMSG;
        switch (sig[0]) {
        case 's':
        case 'o':
                if (in_string(in, &s) < 0)
                        return -EBADMSG;
                break;
        case 'g':
                if (in_signature(in, &s) < 0)
                        return -EBADMSG;
                break;
        case 'u':
        case 'i':
        case 'b':
        case 'h':
                if (in_u32(in, &u) < 0)
                        return -EBADMSG;
                break;
        case 'y':
                return in_skip(in, 1, 1, NULL);
        case 'n':
        case 'q':
                return in_skip(in, 2, 2, NULL);
        case 'x':
        case 't':
        case 'd':
                return in_skip(in, 8, 8, NULL);
        default:
                return -EBADMSG;
        }
        switch (*code) {
        case 4: /* ERROR_NAME */
                if (sig[0] != 's')
                        return -EBADMSG;
                m->error_name = s;
                break;
        case 5: /* REPLY_SERIAL */
                if (sig[0] != 'u' || u == 0)
                        return -EBADMSG;
                m->reply_serial = u;
                break;
        case 8: /* SIGNATURE */
                if (sig[0] != 'g')
                        return -EBADMSG;
                m->signature = s;
                break;
        }
        return 0;
}

int sysbus_message_parse(const uint8_t *p, size_t size, SysBusMessage *ret) {
        SysBusMessage m = {.signature = ""};
        size_t total, fields_end;
        In in;
        int r;

        if (size < 16)
                return -EBADMSG;
        r = sysbus_message_size(p, &total);
        if (r < 0)
                return r;
        if (total != size)
                return -EBADMSG;
        m.big_endian = p[0] == 'B';
        m.type = p[1];
        m.serial = u32_of(p + 8, m.big_endian);
        if (m.type < SYSBUS_METHOD_CALL || m.type > SYSBUS_SIGNAL || m.serial == 0)
                return -EBADMSG;
        fields_end = 16 + u32_of(p + 12, m.big_endian);
        in = (In){.p = p, .size = fields_end, .off = 16, .big_endian = m.big_endian};
        while (in.off < in.size)
                if (in_field(&in, &m) < 0)
                        return -EBADMSG;
        in.size = size;
        if (in_align(&in, 8) < 0)
                return -EBADMSG;
        if ((m.type == SYSBUS_ERROR && !m.error_name) ||
            ((m.type == SYSBUS_METHOD_RETURN || m.type == SYSBUS_ERROR) && m.reply_serial == 0))
                return -EBADMSG;
        m.body = p + in.off;
        m.body_size = size - in.off;
        *ret = m;
        return 0;
}

static int body_open(const SysBusMessage *m, const char *signature, In *ret) {
        if (!streq(m->signature, signature))
                return -EBADMSG;
        *ret = (In){.p = m->body, .size = m->body_size, .big_endian = m->big_endian};
        return 0;
}

int sysbus_read_bool(const SysBusMessage *m, bool *ret) {
        uint32_t v;
        In in;

        if (body_open(m, "b", &in) < 0 || in_u32(&in, &v) < 0 || v > 1)
                return -EBADMSG;
        *ret = v;
        return 0;
}

int sysbus_read_strv(const SysBusMessage *m, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        const char *s;
        size_t n = 0;
        uint32_t len;
        In in, start;

        if (body_open(m, "as", &in) < 0 || in_u32(&in, &len) < 0 || len > in.size - in.off)
                return -EBADMSG;
        in.size = in.off + len;
        /* Checked and counted first, then copied into one allocation. */
        for (start = in; in.off < in.size; n++)
                if (n >= SYSBUS_STRV_MAX)
                        return -E2BIG;
                else if (in_string(&in, &s) < 0)
                        return -EBADMSG;
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        in = start;
        for (size_t i = 0; i < n; i++)
                if (in_string(&in, &s) < 0 || !(l[i] = strdup(s)))
                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

int sysbus_read_variant_string(const SysBusMessage *m, char **ret) {
        const char *sig, *s;
        In in;

        if (body_open(m, "v", &in) < 0 || in_signature(&in, &sig) < 0 || !streq(sig, "s") ||
            in_string(&in, &s) < 0)
                return -EBADMSG;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

/* --- addresses and paths --- */

static int unhex(char c) {
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                      : -1;
}

/* A value of a D-Bus address, %XX unescaped; NUL may not be one of them. */
static int address_value(const char *v, size_t len, bool abstract, char **ret) {
        char *out = malloc(len + 2);
        size_t n = 0;

        if (!out)
                return -ENOMEM;
        if (abstract)
                out[n++] = '@';
        for (size_t i = 0; i < len; i++) {
                int hi, lo;

                if (v[i] != '%') {
                        out[n++] = v[i];
                        continue;
                }
                if (i + 2 >= len || (hi = unhex(v[i + 1])) < 0 || (lo = unhex(v[i + 2])) < 0 ||
                    (hi | lo) == 0) {
                        free(out);
                        return -EINVAL;
                }
                out[n++] = (char) (hi << 4 | lo);
                i += 2;
        }
        out[n] = 0;
        if (n == (size_t) abstract) {
                free(out);
                return -EINVAL;
        }
        *ret = out;
        return 0;
}

int sysbus_address_path(const char *address, char **ret) {
        for (const char *a = address; *a; a += strcspn(a, ";") + (a[strcspn(a, ";")] == ';')) {
                const char *end = a + strcspn(a, ";");

                if (strncmp(a, "unix:", 5) != 0)
                        continue;
                for (const char *kv = a + 5; kv < end; kv += strcspn(kv, ",;") + 1) {
                        size_t len = strcspn(kv, ",;");

                        if (strncmp(kv, "path=", 5) == 0 && len > 5)
                                return address_value(kv + 5, len - 5, false, ret);
                        if (strncmp(kv, "abstract=", 9) == 0 && len > 9)
                                return address_value(kv + 9, len - 9, true, ret);
                        if (kv[len] != ',')
                                break;
                }
        }
        return -EAFNOSUPPORT;
}

int sysbus_unit_path(const char *unit, char **ret) {
        static const char prefix[] = "/org/freedesktop/systemd1/unit/";
        size_t n = STRLEN(prefix);
        char *p = malloc(n + 3 * strlen(unit) + 2);

        if (!p)
                return -ENOMEM;
        memcpy(p, prefix, n);
        if (!*unit)
                p[n++] = '_';
        for (size_t i = 0; unit[i]; i++) {
                unsigned char c = (unsigned char) unit[i];
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9'))
                        p[n++] = (char) c;
                else
                        n += (size_t) sprintf(p + n, "_%02x", c);
        }
        p[n] = 0;
        *ret = p;
        return 0;
}

/* --- the connection --- */

struct SysBus {
        int fd;
        uint32_t serial;
        uint8_t *buf; /* received, from start to end */
        size_t start, end, cap;
        bool authenticated; /* the server's answer to AUTH was read */
};

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* After a send() or recv() that failed with errno: the error, or once the call can go on (the socket is
 * ready, or a signal came), 0 to try again; -ETIMEDOUT past the deadline. */
static int wait_again(int fd, short events, uint64_t deadline) {
        struct pollfd p = {.fd = fd, .events = events};
        uint64_t now;
        int r;

        if (errno != EAGAIN && errno != EINTR)
                return -errno;
        now = now_usec();
        if (now >= deadline)
                return -ETIMEDOUT;
        r = poll(&p, 1, (int) ((deadline - now + 999) / 1000));
        if (r < 0)
                return errno == EINTR ? 0 : -errno;
        return r == 0 ? -ETIMEDOUT : 0;
}

static int bus_send(SysBus *bus, const void *data, size_t n, uint64_t deadline) {
        for (size_t done = 0; done < n;) {
                ssize_t k = send(bus->fd, (const uint8_t *) data + done, n - done, MSG_NOSIGNAL);
                if (k >= 0) {
                        done += (size_t) k;
                        continue;
                }
                int r = wait_again(bus->fd, POLLOUT, deadline);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Until at least want bytes are buffered after start. */
static int bus_fill(SysBus *bus, size_t want, uint64_t deadline) {
        if (bus->start > 0) {
                memmove(bus->buf, bus->buf + bus->start, bus->end - bus->start);
                bus->end -= bus->start;
                bus->start = 0;
        }
        if (want > bus->cap) {
                size_t cap = MAX(want, (size_t) 4096);
                uint8_t *p = realloc(bus->buf, cap);
                if (!p)
                        return -ENOMEM;
                bus->buf = p;
                bus->cap = cap;
        }
        while (bus->end < want) {
                ssize_t k = recv(bus->fd, bus->buf + bus->end, bus->cap - bus->end, 0);
                if (k > 0) {
                        bus->end += (size_t) k;
                        continue;
                }
                if (k == 0)
                        return -ECONNRESET;
                int r = wait_again(bus->fd, POLLIN, deadline);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The server's answer to AUTH, one line, before any message. */
static int bus_read_auth(SysBus *bus, uint64_t deadline) {
        for (size_t want = 1; want <= AUTH_LINE_MAX; want++) {
                int r = bus_fill(bus, want, deadline);
                if (r < 0)
                        return r;
                if (want >= 2 && memcmp(bus->buf + want - 2, "\r\n", 2) == 0) {
                        if (want < 3 || memcmp(bus->buf, "OK ", 3) != 0)
                                return -EPERM;
                        bus->start = want;
                        bus->authenticated = true;
                        return 0;
                }
        }
        return -EBADMSG;
}

SysBus *sysbus_close(SysBus *bus) {
        if (bus) {
                if (bus->fd >= 0)
                        close(bus->fd);
                free(bus->buf);
                free(bus);
        }
        return NULL;
}

int sysbus_open_fd(int fd, SysBus **ret) {
        _cleanup_(sysbus_closep) SysBus *bus = calloc(1, sizeof(SysBus));
        _cleanup_free_ uint8_t *hello = NULL, *out = NULL;
        char auth[64], uid[16];
        size_t n, len;
        int r;

        if (!bus) {
                close(fd);
                return -ENOMEM;
        }
        bus->fd = fd;
        /* Authentication, BEGIN and Hello go at once, without waiting for the server between them (as
         * sd-bus does): the answers are read with the first call's. */
        snprintf(uid, sizeof(uid), "%u", (unsigned) geteuid());
        len = (size_t) snprintf(auth, sizeof(auth), "%cAUTH EXTERNAL ", 0);
        for (const char *c = uid; *c; c++)
                len += (size_t) snprintf(auth + len, sizeof(auth) - len, "%02x", (unsigned char) *c);
        len += (size_t) snprintf(auth + len, sizeof(auth) - len, "\r\nBEGIN\r\n");
        r = sysbus_message_build(++bus->serial, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                 "org.freedesktop.DBus", "Hello", NULL, &hello, &n);
        if (r < 0)
                return r;
        out = malloc(len + n);
        if (!out)
                return -ENOMEM;
        memcpy(out, auth, len);
        memcpy(out + len, hello, n);
        r = bus_send(bus, out, len + n, now_usec() + SYSBUS_TIMEOUT_USEC);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

int sysbus_open_system(SysBus **ret) {
        const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        _cleanup_free_ char *path = NULL;
        struct sockaddr_un sa;
        socklen_t len;
        int fd, r;

        r = sysbus_address_path(address ?: SYSBUS_DEFAULT_ADDRESS, &path);
        if (r >= 0)
                r = sockaddr_un_from(path, &sa, &len);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, len) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        return sysbus_open_fd(fd, ret);
}

int sysbus_call_start(SysBus *bus, const char *dest, const char *path, const char *iface, const char *member,
                      char *const *args, uint32_t *ret_serial) {
        _cleanup_free_ uint8_t *call = NULL;
        uint32_t serial = ++bus->serial;
        size_t n;
        int r;

        r = sysbus_message_build(serial, dest, path, iface, member, args, &call, &n);
        if (r < 0)
                return r;
        r = bus_send(bus, call, n, now_usec() + SYSBUS_TIMEOUT_USEC);
        if (r < 0)
                return r;
        *ret_serial = serial;
        return 0;
}

int sysbus_call_finish(SysBus *bus, uint32_t serial, SysBusMessage *ret, char **ret_error) {
        uint64_t deadline = now_usec() + SYSBUS_TIMEOUT_USEC;
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (!bus->authenticated) {
                r = bus_read_auth(bus, deadline);
                if (r < 0)
                        return r;
        }
        for (unsigned skipped = 0; skipped < SKIPPED_MESSAGES_MAX; skipped++) {
                SysBusMessage m;
                size_t size;

                r = bus_fill(bus, 16, deadline);
                if (r < 0)
                        return r;
                r = sysbus_message_size(bus->buf, &size);
                if (r < 0)
                        return r;
                r = bus_fill(bus, size, deadline);
                if (r < 0)
                        return r;
                r = sysbus_message_parse(bus->buf, size, &m);
                if (r < 0)
                        return r;
                bus->start = size;
                if (m.reply_serial != serial)
                        continue;
                if (m.type == SYSBUS_ERROR) {
                        if (ret_error && !(*ret_error = strdup(m.error_name)))
                                return -ENOMEM;
                        return -EREMOTEIO;
                }
                if (m.type != SYSBUS_METHOD_RETURN)
                        continue;
                *ret = m;
                return 0;
        }
        return -EBADMSG;
}

int sysbus_call(SysBus *bus, const char *dest, const char *path, const char *iface, const char *member,
                char *const *args, SysBusMessage *ret, char **ret_error) {
        uint32_t serial;
        int r;

        if (ret_error)
                *ret_error = NULL; /* also when the call cannot be sent */
        r = sysbus_call_start(bus, dest, path, iface, member, args, &serial);
        if (r < 0)
                return r;
        return sysbus_call_finish(bus, serial, ret, ret_error);
}
