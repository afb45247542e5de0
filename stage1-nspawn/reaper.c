/* SPDX-License-Identifier: Apache-2.0 */
/* /reaper: stage1's helper inside the pod (it runs under the pod's systemd, with nothing but libc).
 *
 *   reaper APP                  from reaper-success@APP.service / reaper-failure@APP.service, which the
 *                               app's unit starts by OnSuccess=/OnFailure= when it has exited: writes the
 *                               app's exit status to /rkt/status/APP and decides whether the pod ends.
 *   reaper --supervisor-ready   from supervisor-ready.service: /rkt/supervisor-status -> ready.
 *   reaper --sysctl             from rkt-sysctl.service, before the apps: sets the pod's sysctls
 *                               (os/unix/sysctl, in /rkt/sysctl as init checked them: only the pod's own).
 *   reaper --console            from rkt-console.service, before journald: the pod's console passes the
 *                               apps' newlines on untranslated (see console_keep_newlines()).
 *
 * The exit status comes from MONITOR_SERVICE_RESULT, MONITOR_EXIT_CODE and MONITOR_EXIT_STATUS, which
 * systemd (>= 250) gives to units started by OnSuccess=/OnFailure=. The status recorded is the exit
 * code, or 128 + the signal number for an app killed by a signal (as a shell reports it), except that an
 * app stopped by SIGTERM, which systemd counts as a success, is 0 (as in rkt 1.30).
 *
 * The pod ends with its first failing app's status, or with 0 once all its apps have exited successfully.
 * The reaper that takes that decision claims it in /run (only one can); no unit fails for it:
 *   - reaper-failure@ units have SuccessAction=exit (exit.target stops the other apps, which conflict with
 *     shutdown.target, and their reapers record them): each exits with the pod's status, the first
 *     failing app's, which the unit counts as a success (ExecStart=-) and passes on to the pod's end;
 *   - after the last app, the reaper creates /run/rkt/exit-force, the condition of reaper-exit.service,
 *     which every reaper-success@ unit starts when it is done (OnSuccess=): SuccessAction=exit-force, 0.
 * A reaper-success@ that cannot do that fails, and its unit's FailureAction=exit ends the pod. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "macro.h"
#include "reaper-diag.h"

#define STATUS_DIR "/rkt/status"
#define APPS_DIR "/etc/systemd/system/default.target.wants"
#define CLAIM_DIR "/run/rkt"
#define CLAIM CLAIM_DIR "/pod-exit"
#define EXIT_FORCE CLAIM_DIR "/exit-force"

static const struct {
        const char *name;
        int number;
} signals[] = {
        {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},   {"ILL", SIGILL},   {"TRAP", SIGTRAP},
        {"ABRT", SIGABRT},     {"BUS", SIGBUS},   {"FPE", SIGFPE},     {"KILL", SIGKILL}, {"USR1", SIGUSR1},
        {"SEGV", SIGSEGV},     {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},   {"ALRM", SIGALRM}, {"TERM", SIGTERM},
        {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
        {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},     {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
        {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"PWR", SIGPWR},
        {"SYS", SIGSYS},
};

static int parse_number(const char *s) {
        char *end;
        long v;

        if (!s || !*s)
                return -1;
        errno = 0;
        v = strtol(s, &end, 10);
        return errno || *end || v < 0 || v > 255 ? -1 : (int) v;
}

/* systemd names signals "TERM", "RTMIN+3"; older ones wrote numbers. */
static int parse_signal(const char *s) {
        const char *rt;

        if (!s)
                return -1;
        if (strncmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                if (streq(s, signals[i].name))
                        return signals[i].number;
        if ((rt = startswith(s, "RTMIN+")))
                return parse_number(rt) < 0 ? -1 : SIGRTMIN + parse_number(rt);
        if (streq(s, "RTMIN"))
                return SIGRTMIN;
        return parse_number(s);
}

/* The status to record for the app, and whether systemd considers its end a failure. */
static int app_status(bool *ret_failed) {
        const char *result = getenv("MONITOR_SERVICE_RESULT");
        const char *code = getenv("MONITOR_EXIT_CODE");
        const char *status = getenv("MONITOR_EXIT_STATUS");
        bool failed = !result || !streq(result, "success");
        int v = -1;

        if (code && streq(code, "exited"))
                v = parse_number(status);
        else if (code && (streq(code, "killed") || streq(code, "dumped"))) {
                int sig = parse_signal(status);
                v = sig > 0 ? 128 + sig : -1;
                /* Stopped in order (the pod ending after another app, rkt stop, systemctl stop): systemd
                 * counts SIGTERM as a clean end, and rkt 1.30 recorded such an app as 0. */
                if (sig == SIGTERM && !failed)
                        v = 0;
        }
        /* No process status (the unit failed before it ran anything): a failure with no code of its own. */
        if (v < 0)
                v = failed ? 1 : 0;
        *ret_failed = failed;
        return v;
}

/* Writes VALUE to PATH whole: to TMP first, then renamed over PATH, or, if EXCLUSIVE, linked to PATH, which
 * fails with -EEXIST when PATH exists. */
static int write_number(const char *tmp, const char *path, int value, bool exclusive) {
        char text[16];
        int fd, len, r;
        ssize_t n;

        len = snprintf(text, sizeof(text), "%d", value);
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        n = write(fd, text, len);
        r = n == len ? 0 : n < 0 ? -errno : -EIO;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && (exclusive ? link(tmp, path) : rename(tmp, path)) < 0)
                r = -errno;
        if (r < 0 || exclusive)
                (void) unlink(tmp);
        return r;
}

static int read_number(const char *path) {
        char text[16];
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        ssize_t n;

        if (fd < 0)
                return -1;
        n = read(fd, text, sizeof(text) - 1);
        close(fd);
        if (n <= 0)
                return -1;
        text[n] = 0;
        return parse_number(text);
}

static int write_status(const char *app, int status) {
        char path[PATH_MAX], tmp[PATH_MAX];

        snprintf(path, sizeof(path), STATUS_DIR "/%s", app);
        snprintf(tmp, sizeof(tmp), STATUS_DIR "/.%s.tmp", app);
        return write_number(tmp, path, status, false);
}

/* Have all apps of the pod (the units init linked into default.target.wants) recorded a status? */
static bool all_apps_exited(void) {
        DIR *d = opendir(APPS_DIR);
        struct dirent *de;
        bool all = true;

        if (!d)
                return false;
        while (all && (de = readdir(d))) {
                char path[PATH_MAX];
                size_t l = strlen(de->d_name);

                if (l <= STRLEN(".service") || !streq(de->d_name + l - STRLEN(".service"), ".service"))
                        continue;
                snprintf(path, sizeof(path), STATUS_DIR "/%.*s", (int) (l - STRLEN(".service")), de->d_name);
                if (access(path, F_OK) < 0)
                        all = false;
        }
        closedir(d);
        return all;
}

/* Only the first reaper to decide that the pod ends may set its exit status, which CLAIM holds. Returns 1 if
 * this one did, 0 if another one had. */
static int claim_pod_exit(int status) {
        char tmp[PATH_MAX];
        int r;

        (void) mkdir(CLAIM_DIR, 0755);
        snprintf(tmp, sizeof(tmp), CLAIM_DIR "/.pod-exit.%d", (int) getpid());
        r = write_number(tmp, CLAIM, status, true);
        return r == -EEXIST ? 0 : r < 0 ? r : 1;
}

static bool app_name_valid(const char *s) {
        if (!*s || *s == '-' || s[strlen(s) - 1] == '-')
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
                        return false;
        return true;
}

/* nspawn mounts the pod's /proc/sys read-only. rkt-sysctl.service runs in a mount namespace of its own
 * (PrivateMounts=), where the mount is made writable for the writes below and nothing else. */
static int set_sysctls(const char *file) {
        char line[1024];
        FILE *f = fopen(file, "re");
        int ret = 0;

        if (!f) {
                fprintf(stderr, "reaper: opening %s: %s\n", file, strerror(errno));
                return 1;
        }
        if (mount(NULL, "/proc/sys", NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) <
                    0 &&
            errno != EINVAL)
                fprintf(stderr, "reaper: making /proc/sys writable: %s\n", strerror(errno));
        while (fgets(line, sizeof(line), f)) {
                char path[PATH_MAX], *eq = strchr(line, '='), *nl = strchr(line, '\n');
                int fd;
                ssize_t len;

                if (nl)
                        *nl = 0;
                if (!eq || eq == line)
                        continue;
                *eq = 0;
                snprintf(path, sizeof(path), "/proc/sys/%s", line);
                for (char *p = path + STRLEN("/proc/sys/"); *p; p++)
                        if (*p == '.')
                                *p = '/';
                len = (ssize_t) strlen(eq + 1);
                fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0 || write(fd, eq + 1, len) != len) {
                        fprintf(stderr, "reaper: setting sysctl %s=%s: %s\n", line, eq + 1, strerror(errno));
                        ret = 1;
                } else
                        printf("sysctl %s=%s\n", line, eq + 1);
                if (fd >= 0)
                        close(fd);
        }
        fclose(f);
        return ret;
}

/* The pod's console is nspawn's pseudo-terminal, and the pod's systemd sets it to turn "\n" into "\r\n"
 * (ONLCR) when it boots. Unless the pod is interactive, nspawn forwards what it reads there to its stdout
 * without touching the terminal that may be: that terminal translates "\n" too, and the apps' lines would
 * end "\r\r\n". Without ONLCR here a terminal shows "\r\n" (its own translation, as for any program), and
 * a file or pipe gets the apps' "\n". An interactive pod's terminal is raw (nspawn makes it so), and this
 * unit does not run there. */
static int console_keep_newlines(void) {
        struct termios t;
        int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC), r = 0;

        if (fd < 0) {
                fprintf(stderr, "reaper: opening /dev/console: %s\n", strerror(errno));
                return 1;
        }
        if (tcgetattr(fd, &t) < 0) {
                if (errno != ENOTTY) {
                        fprintf(stderr, "reaper: reading the console's settings: %s\n", strerror(errno));
                        r = 1;
                }
        } else if (t.c_oflag & ONLCR) {
                t.c_oflag &= ~(tcflag_t) ONLCR;
                if (tcsetattr(fd, TCSANOW, &t) < 0) {
                        fprintf(stderr, "reaper: changing the console's settings: %s\n", strerror(errno));
                        r = 1;
                }
        }
        close(fd);
        return r;
}

int main(int argc, char **argv) {
        bool failed;
        int status, pod_status = 0, claimed, r;

        if (argc == 2 && streq(argv[1], "--supervisor-ready")) {
                (void) unlink("/rkt/supervisor-status");
                if (symlink("ready", "/rkt/supervisor-status") < 0) {
                        fprintf(stderr, "reaper: creating /rkt/supervisor-status: %s\n", strerror(errno));
                        return 1;
                }
                return 0;
        }
        if (argc == 2 && streq(argv[1], "--sysctl"))
                return set_sysctls("/rkt/sysctl");
        if (argc == 2 && streq(argv[1], "--console"))
                return console_keep_newlines();
        if (argc != 2 || !app_name_valid(argv[1])) {
                fprintf(stderr, "usage: reaper APP | reaper --supervisor-ready | reaper --sysctl | reaper "
                                "--console\n");
                return 1;
        }

        status = app_status(&failed);
        /* systemd's EXIT_EXEC: the app's program could not be run. */
        if (failed && status == 203)
                reaper_diagnose_exec(argv[1]);
        /* A failing app's claim comes before its status: the reaper that sees every app's status, and would
         * end the pod with 0, sees the claim too. The pod's status is this app's, or that of the reaper that
         * claimed the exit before. */
        if (failed) {
                pod_status = status != 0 ? status : 1;
                r = claim_pod_exit(pod_status);
                if (r < 0)
                        fprintf(stderr, "reaper: claiming the pod's exit: %s\n", strerror(-r));
                else if (r == 0 && (claimed = read_number(CLAIM)) >= 0)
                        pod_status = claimed;
        }
        r = write_status(argv[1], status);
        if (r < 0)
                fprintf(stderr, "reaper: recording the exit status of app '%s': %s\n", argv[1],
                        strerror(-r));
        /* reaper-failure@: its unit passes the status on (SuccessAction=exit). */
        if (failed)
                return pod_status;

        if (!all_apps_exited())
                return 0;
        r = claim_pod_exit(0);
        if (r > 0)
                r = write_number(CLAIM_DIR "/.exit-force.tmp", EXIT_FORCE, 0, false);
        if (r < 0) {
                fprintf(stderr, "reaper: ending the pod: %s\n", strerror(-r));
                return 1;
        }
        return 0;
}
