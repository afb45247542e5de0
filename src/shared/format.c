/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <time.h>

#include "format.h"

char *format_bytes(uint64_t bytes) {
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = (double) bytes;
        size_t u = 0;
        char *r;

        while (v >= 1024 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024;
                u++;
        }
        /* One decimal below 10 units ("1.5MiB"), none above ("12MiB"), as humanize prints. */
        if (u == 0 || v >= 10 || v - (double) (uint64_t) v < 0.05) {
                if (asprintf(&r, "%.0f%s", v >= 10 || u == 0 ? v : (double) (uint64_t) v, units[u]) < 0)
                        return NULL;
        } else if (asprintf(&r, "%.1f%s", v, units[u]) < 0)
                return NULL;
        return r;
}

char *format_time_ago(uint64_t t_usec, uint64_t now) {
        static const struct {
                uint64_t seconds;
                const char *unit;
        } steps[] = {
                {365ULL * 86400, "year"}, {30ULL * 86400, "month"}, {7 * 86400, "week"}, {86400, "day"},
                {3600, "hour"},           {60, "minute"},           {1, "second"},
        };
        uint64_t d = now > t_usec ? (now - t_usec) / 1000000 : 0;
        bool future = t_usec > now + 1000000;
        char *r;

        if (future)
                d = (t_usec - now) / 1000000;
        if (d == 0)
                return strdup("now");
        for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
                uint64_t n = d / steps[i].seconds;
                if (n == 0)
                        continue;
                if (asprintf(&r, "%llu %s%s %s", (unsigned long long) n, steps[i].unit, n == 1 ? "" : "s",
                             future ? "from now" : "ago") < 0)
                        return NULL;
                return r;
        }
        return strdup("now");
}

char *format_time_full(uint64_t t_usec) {
        time_t sec = (time_t) (t_usec / 1000000);
        unsigned ms = (unsigned) (t_usec / 1000 % 1000);
        char date[64], zone[16], frac[8] = "";
        struct tm tm;
        char *r;

        if (!localtime_r(&sec, &tm))
                return NULL;
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
        strftime(zone, sizeof(zone), "%z %Z", &tm);
        /* Go's ".999" drops trailing zeros (and the dot when all are zero). */
        if (ms > 0) {
                snprintf(frac, sizeof(frac), ".%03u", ms);
                for (size_t l = strlen(frac); l > 1 && frac[l - 1] == '0'; l--)
                        frac[l - 1] = 0;
        }
        if (asprintf(&r, "%s%s %s", date, frac, zone) < 0)
                return NULL;
        return r;
}

uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}
