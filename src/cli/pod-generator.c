/* SPDX-License-Identifier: Apache-2.0 */
/* rkt-pod-generator: the systemd generator that turns pod files into units (rkt.pod(5)). It is the rkt
 * binary itself, installed as a symlink in the system generator directory, so that it reads pod files with
 * rkt's own option tables; systemd runs it at boot and at each daemon-reload with the generator output
 * directories as arguments. Each pod file gives NAME.service in the first (normal) one, written atomically;
 * a file it cannot convert gives a unit that fails with the error, which is also logged. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "dl.h"
#include "fd-util.h"
#include "fs.h"
#include "path.h"
#include "pod-file.h"
#include "pod-generator.h"
#include "strv.h"

#define POD_FILE_SIZE_MAX (1024 * 1024)

/* systemd's order of precedence: a file in /etc wins over /run, which wins over /usr/lib. */
static const char *const pod_dirs[] = {"/etc/rkt/pods", "/run/rkt/pods", "/usr/lib/rkt/pods"};

/* Generators log to the journal (at boot before journald, to the kernel log), and to stderr. */
static void gen_log(int priority, const char *fmt, ...) _printf_(2, 3);
static void gen_log(int priority, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return;
        fprintf(stderr, "rkt-pod-generator: %s\n", msg);
        if (systemd_dl_open(NULL) < 0 ||
            sym_sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", priority,
                                "SYSLOG_IDENTIFIER=rkt-pod-generator", NULL) < 0) {
                _cleanup_close_ int kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
                if (kmsg >= 0)
                        (void) dprintf(kmsg, "<%d>rkt-pod-generator: %s\n", priority, msg);
        }
}

/* A file that masks the others: a symlink to /dev/null, or empty. */
static bool masked(int dirfd, const char *name) {
        char target[16];
        ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
        struct stat st;

        if (n > 0) {
                target[n] = 0;
                if (streq(target, "/dev/null"))
                        return true;
        }
        return fstatat(dirfd, name, &st, 0) >= 0 && S_ISREG(st.st_mode) && st.st_size == 0;
}

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static int read_pod_file(const char *path, char **ret) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *text = NULL;
        struct stat st;
        size_t size;
        int r;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADF;
        r = read_full_fd(fd, POD_FILE_SIZE_MAX, &text, &size);
        if (r < 0)
                return r;
        if (strlen(text) != size)
                return -EBADMSG;
        *ret = TAKE_PTR(text);
        return 0;
}

int pod_file_read_and_parse(const char *path, const PodFileOptions *o, PodFile **ret, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        int r = read_pod_file(path, &text);

        if (r < 0)
                return asprintf(ret_error, "%s: %s", path,
                                r == -EFBIG     ? "larger than 1 MiB"
                                : r == -EBADF   ? "not a regular file"
                                : r == -EBADMSG ? "holds a NUL byte"
                                                : strerror(-r)) < 0
                               ? -ENOMEM
                               : -EINVAL;
        return pod_file_parse(path, text, o, ret, ret_error);
}

/* dir/link -> target, replacing what is there in one rename. */
static int symlink_atomic(int dirfd, const char *target, const char *link) {
        _cleanup_free_ char *tmp = NULL;

        if (asprintf(&tmp, ".#%s.tmp", link) < 0)
                return -ENOMEM;
        (void) unlinkat(dirfd, tmp, 0);
        if (symlinkat(target, dirfd, tmp) < 0)
                return -errno;
        if (renameat(dirfd, tmp, dirfd, link) < 0) {
                int r = -errno;
                (void) unlinkat(dirfd, tmp, 0);
                return r;
        }
        return 0;
}

static bool unit_name_ok(const char *s) {
        if (isempty(s) || strlen(s) > 255 || s[0] == '.' || !strchr(s, '.'))
                return false;
        for (const char *p = s; *p; p++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\@", *p))
                        return false;
        return true;
}

/* [Install]: the symlinks `systemctl enable` would make, made by the generator (enable refuses generated
 * units). */
static int install_links(int outfd, const PodFile *pf, const char *unit) {
        static const struct {
                const char *key, *suffix;
        } kinds[] = {{"WantedBy", ".wants"}, {"RequiredBy", ".requires"}, {"UpheldBy", ".upholds"}};
        _cleanup_free_ char *rel = NULL;
        int ret = 0;

        if (asprintf(&rel, "../%s", unit) < 0)
                return -ENOMEM;
        STRV_FOREACH(l, pf->install_lines) {
                _cleanup_strv_free_ char **targets = NULL;
                const char *eq = strchr(*l, '=');
                _cleanup_free_ char *key = strndup(*l, eq - *l);
                const char *suffix = NULL;

                if (!key)
                        return -ENOMEM;
                for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                        if (streq(key, kinds[i].key))
                                suffix = kinds[i].suffix;
                if (!suffix && !streq(key, "Alias"))
                        continue;
                if (strv_split(eq + 1, " \t", &targets) < 0)
                        return -ENOMEM;
                STRV_FOREACH(t, targets) {
                        _cleanup_free_ char *dir = NULL;
                        int r;

                        if (!unit_name_ok(*t)) {
                                gen_log(LOG_WARNING, "%s: %s=: '%s' is not a unit name, ignored", pf->path,
                                        key, *t);
                                continue;
                        }
                        if (!suffix) {
                                r = symlink_atomic(outfd, unit, *t);
                        } else {
                                _cleanup_close_ int dfd = -1;
                                if (asprintf(&dir, "%s%s", *t, suffix) < 0)
                                        return -ENOMEM;
                                if (mkdirat(outfd, dir, 0755) < 0 && errno != EEXIST)
                                        r = -errno;
                                else if ((dfd = openat(outfd, dir,
                                                       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0)
                                        r = -errno;
                                else
                                        r = symlink_atomic(dfd, rel, unit);
                        }
                        if (r < 0) {
                                gen_log(LOG_ERR, "%s: %s=%s: %s", pf->path, key, *t, strerror(-r));
                                ret = r;
                        }
                }
        }
        return ret;
}

static int generate_one(int outfd, const char *path, const char *rkt) {
        _cleanup_(pod_file_freep) PodFile *pf = NULL;
        _cleanup_free_ char *error = NULL, *name = NULL, *unit = NULL, *text = NULL;
        int r;

        r = pod_file_name_from_path(path, &name, &error);
        if (r < 0) {
                /* No unit can carry this name: the log is all there is. */
                gen_log(LOG_ERR, "%s, skipped", error ?: strerror(-r));
                return 0;
        }
        if (asprintf(&unit, "%s.service", name) < 0)
                return -ENOMEM;
        r = pod_file_read_and_parse(path, &pod_file_rkt_options, &pf, &error);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                gen_log(LOG_ERR, "%s", error ?: strerror(-r));
                r = pod_file_error_unit(path, name, error ?: strerror(-r), rkt, &text);
        } else
                r = pod_file_unit(pf, rkt, &text);
        if (r < 0)
                return r;
        r = write_file_atomic_at(outfd, unit, text, strlen(text), 0644);
        if (r < 0) {
                gen_log(LOG_ERR, "writing %s: %s", unit, strerror(-r));
                return r;
        }
        return pf ? install_links(outfd, pf, unit) : 0;
}

int pod_file_rkt_path(char **ret) {
        char buf[4096];
        ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

        if (n <= 0)
                return n < 0 ? -errno : -ENOENT;
        buf[n] = 0;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

int pod_generator_main(int argc, char **argv) {
        _cleanup_strv_free_ char **seen = NULL;
        _cleanup_close_ int outfd = -1;
        _cleanup_free_ char *rkt = NULL;
        int ret = 0, r;

        if (argc != 2 && argc != 4) {
                fprintf(stderr, "usage: %s NORMAL_DIR [EARLY_DIR LATE_DIR]\n", argv[0]);
                return 1;
        }
        /* The units run the rkt this generator is. */
        r = pod_file_rkt_path(&rkt);
        if (r < 0) {
                gen_log(LOG_ERR, "cannot find the rkt binary: %s", strerror(-r));
                return 1;
        }
        outfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (outfd < 0) {
                gen_log(LOG_ERR, "opening %s: %s", argv[1], strerror(errno));
                return 1;
        }
        for (size_t d = 0; d < ELEMENTSOF(pod_dirs); d++) {
                _cleanup_(closedirp) DIR *dir = opendir(pod_dirs[d]);
                struct dirent *de;

                if (!dir) {
                        if (errno != ENOENT)
                                gen_log(LOG_WARNING, "reading %s: %s", pod_dirs[d], strerror(errno));
                        continue;
                }
                while ((de = readdir(dir))) {
                        _cleanup_free_ char *path = NULL;

                        if (de->d_name[0] == '.' || !endswith(de->d_name, ".pod") ||
                            strv_contains(seen, de->d_name))
                                continue;
                        if (strv_extend(&seen, de->d_name) < 0)
                                return 1;
                        if (masked(dirfd(dir), de->d_name))
                                continue;
                        path = path_join(pod_dirs[d], de->d_name);
                        if (!path)
                                return 1;
                        r = generate_one(outfd, path, rkt);
                        if (r < 0)
                                ret = 1;
                }
        }
        return ret;
}
