/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "escape.h"
#include "fetch-ui.h"
#include "format.h"
#include "log.h"
#include "strv.h"

#define REDRAW_USEC (100 * 1000)

static void on_notice(FetchNoticeLevel level, const char *message, void *userdata) {
        FetchUi *ui = userdata;

        if (ui->drawn) {
                fputc('\n', stderr);
                ui->drawn = false;
        }
        /* "image: using image from file …": rkt 1.30's prefix for what its image fetcher said, which
         * scripts read. */
        const char *verb = log_get_prefix();
        log_set_prefix("image");
        if (level == FETCH_NOTICE_WARNING)
                log_warning("%s", message);
        else if (level == FETCH_NOTICE_DEBUG)
                log_debug("%s", message);
        else
                log_info("%s", message);
        log_set_prefix(verb);
}

static unsigned terminal_width(void) {
        struct winsize w;

        if (ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col >= 40)
                return w.ws_col;
        return 80;
}

/* "12.3 MB" with one decimal, SI units as rkt's progress bars used. */
static void human(char *buf, size_t size, double v) {
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
        size_t u = 0;

        while (v >= 1000 && u + 1 < ELEMENTSOF(units)) {
                v /= 1000;
                u++;
        }
        if (u == 0)
                snprintf(buf, size, "%.0f %s", v, units[u]);
        else
                snprintf(buf, size, "%.1f %s", v, units[u]);
}

static void draw(FetchUi *ui, const char *raw_label, uint64_t done, uint64_t total, uint64_t now) {
        /* The label names what is fetched, which may come from a manifest or a registry. */
        _cleanup_free_ char *label = escape_control(raw_label);
        char sdone[32], stotal[32], srate[32], eta[32] = "", tail[128], bar[256];
        double secs = (double) (now - ui->start_usec) / 1e6;
        double rate = secs > 0 ? (double) (done - MIN(done, ui->start_bytes)) / secs : 0;
        unsigned width = terminal_width();
        int room;

        if (!label)
                return;
        human(sdone, sizeof(sdone), (double) done);
        human(srate, sizeof(srate), rate);
        if (total > 0) {
                human(stotal, sizeof(stotal), (double) total);
                if (rate > 0 && done < total) {
                        uint64_t left = (uint64_t) ((double) (total - done) / rate + 0.5);
                        if (left >= 3600)
                                snprintf(eta, sizeof(eta), " ETA %lluh%02llum",
                                         (unsigned long long) (left / 3600),
                                         (unsigned long long) (left % 3600 / 60));
                        else if (left >= 60)
                                snprintf(eta, sizeof(eta), " ETA %llum%02llus",
                                         (unsigned long long) (left / 60), (unsigned long long) (left % 60));
                        else
                                snprintf(eta, sizeof(eta), " ETA %llus", (unsigned long long) left);
                }
                snprintf(tail, sizeof(tail), " %s/%s %s/s%s", sdone, stotal, srate, eta);
        } else
                snprintf(tail, sizeof(tail), " %s %s/s", sdone, srate);

        room = (int) width - 1 - (int) strlen(label) - 2 - 2 - (int) strlen(tail);
        if (total > 0 && room >= 10) {
                int n = MIN(room, (int) sizeof(bar) - 1),
                    fill = (int) ((double) n * (double) done / (double) total);
                fill = MIN(MAX(fill, 0), n);
                for (int i = 0; i < n; i++)
                        bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
                bar[n] = 0;
                fprintf(stderr, "\r%s: [%s]%s\033[K", label, bar, tail);
        } else
                fprintf(stderr, "\r%s:%s\033[K", label, tail);
        fflush(stderr);
        ui->drawn = true;
        ui->last_draw_usec = now;
}

static void on_progress(const char *label, uint64_t done, uint64_t total, bool finished, void *userdata) {
        FetchUi *ui = userdata;
        uint64_t now = now_usec();

        if (!ui->tty)
                return;
        if (!ui->drawn && ui->start_usec == 0) {
                ui->start_usec = now;
                ui->start_bytes = done;
        }
        if (finished) {
                if (ui->drawn || done > 0)
                        draw(ui, label, done, total, now);
                fputc('\n', stderr);
                ui->drawn = false;
                ui->start_usec = 0;
                return;
        }
        if (ui->drawn && now - ui->last_draw_usec < REDRAW_USEC)
                return;
        draw(ui, label, done, total, now);
}

void cli_print_key(FILE *f, const char *prefix, const char *location, const PgpKey *key) {
        _cleanup_free_ char *pretty = fingerprint_pretty(key->fingerprint);

        if (prefix)
                fprintf(f, "Prefix: \"%s\"\n", prefix);
        else
                fprintf(f, "Root key (trusted for all images)\n");
        fprintf(f, "Key: \"%s\"\n", location);
        fprintf(f, "GPG key fingerprint is: %s\n", strna(pretty));
        STRV_FOREACH(sk, key->subkeys) {
                _cleanup_free_ char *p = fingerprint_pretty(*sk);
                fprintf(f, "\tSubkey fingerprint: %s\n", strna(p));
        }
        STRV_FOREACH(u, key->uids)
        fprintf(f, "\t%s\n", *u);
        fflush(f);
}

int cli_review_key(void) {
        char line[64];

        if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
                return -ENOTTY;
        for (;;) {
                fputs("Are you sure you want to trust this key (yes/no)? ", stdout);
                fflush(stdout);
                if (!fgets(line, sizeof(line), stdin))
                        return 0;
                if (streq(line, "yes\n"))
                        return 1;
                if (streq(line, "no\n"))
                        return 0;
                fputs("Please enter 'yes' or 'no'\n", stdout);
        }
}

static bool on_confirm_key(const char *prefix, const char *location, const PgpKey *key, void *userdata) {
        FetchUi *ui = userdata;
        int r;

        if (ui->drawn) {
                fputc('\n', stderr);
                ui->drawn = false;
        }
        if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
                log_info("key %s for prefix '%s' is offered at '%s'; to trust it, run 'rkt trust "
                         "--prefix=%s' or pass "
                         "--trust-keys-from-https",
                         key->fingerprint, prefix, location, prefix);
                return false;
        }
        cli_print_key(stdout, prefix, location, key);
        r = cli_review_key();
        if (r > 0)
                printf("Trusting \"%s\" for prefix \"%s\" after fingerprint review.\n", location, prefix);
        else
                printf("Not trusting \"%s\".\n", location);
        return r > 0;
}

void fetch_ui_setup(FetchUi *ui, FetchOptions *o, const RktGlobals *g) {
        *ui = (FetchUi){.tty = isatty(STDERR_FILENO)};
        o->notice = on_notice;
        o->progress = on_progress;
        o->confirm_key = on_confirm_key;
        o->userdata = ui;
        if (g) {
                o->insecure = g->insecure;
                o->system_config = g->system_config;
                o->local_config = g->local_config;
                o->user_config = g->user_config;
                o->trust_keys_from_https = g->trust_keys_from_https;
                o->stall_timeout_usec = g->stall_timeout_usec;
                o->max_image_size = g->max_image_size;
        }
}
