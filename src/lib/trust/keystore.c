/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <gpgme.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "appc.h"
#include "cleanup.h"
#include "dl.h"
#include "fs.h"
#include "keystore.h"
#include "path.h"
#include "strv.h"

#define FPR_LEN 40
#define KEY_FILE_MAX (1024 * 1024)
#define PREFIX_DEPTH_MAX 64

struct Keystore {
        char *system_dir; /* <system config>/trustedkeys */
        char *local_dir;  /* <local config>/trustedkeys */
};

int keystore_new(const char *system_config, const char *local_config, Keystore **ret) {
        Keystore *ks = calloc(1, sizeof(*ks));

        if (!ks)
                return -ENOMEM;
        ks->system_dir = path_join(system_config ?: "/usr/lib/rkt", "trustedkeys");
        ks->local_dir = path_join(local_config ?: "/etc/rkt", "trustedkeys");
        if (!ks->system_dir || !ks->local_dir) {
                keystore_free(ks);
                return -ENOMEM;
        }
        *ret = ks;
        return 0;
}

Keystore *keystore_free(Keystore *ks) {
        if (!ks)
                return NULL;
        free(ks->system_dir);
        free(ks->local_dir);
        free(ks);
        return NULL;
}

void trusted_key_files_free(TrustedKeyFile *f, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(f[i].path);
                free(f[i].fingerprint);
                free(f[i].prefix);
        }
        free(f);
}

static bool is_fingerprint(const char *s) {
        if (strlen(s) != FPR_LEN)
                return false;
        for (const char *p = s; *p; p++)
                if (!isdigit((unsigned char) *p) && !(*p >= 'a' && *p <= 'f'))
                        return false;
        return true;
}

int fingerprint_normalize(const char *s, char **ret) {
        char buf[FPR_LEN + 1];
        size_t n = 0;

        if (startswith(s, "0x") || startswith(s, "0X"))
                s += 2;
        for (; *s; s++) {
                if (*s == ' ' || *s == '\t' || *s == ':')
                        continue;
                if (!isxdigit((unsigned char) *s) || n == FPR_LEN)
                        return -EINVAL;
                buf[n++] = (char) tolower((unsigned char) *s);
        }
        if (n != FPR_LEN)
                return -EINVAL;
        buf[n] = 0;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

char *fingerprint_pretty(const char *fpr) {
        char *out = malloc(FPR_LEN + FPR_LEN / 4 + 2), *o = out;
        size_t n = strlen(fpr);

        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (i > 0 && i % 4 == 0) {
                        *o++ = ' ';
                        if (i == n / 2 && n == FPR_LEN)
                                *o++ = ' ';
                }
                *o++ = (char) toupper((unsigned char) fpr[i]);
        }
        *o = 0;
        return out;
}

bool keystore_prefix_covers(const char *prefix, const char *name) {
        const char *rest = startswith(name, prefix);

        return rest && (*rest == 0 || *rest == '/') && *prefix;
}

/* --- walking the store --- */

typedef struct FileList {
        TrustedKeyFile *l;
        size_t n;
} FileList;

static int file_list_add(FileList *fl, const char *path, const char *fpr, const char *prefix, bool system,
                         bool mask) {
        TrustedKeyFile *n = realloc(fl->l, sizeof(TrustedKeyFile) * (fl->n + 1));

        if (!n)
                return -ENOMEM;
        fl->l = n;
        n[fl->n] = (TrustedKeyFile){.path = strdup(path),
                                    .fingerprint = strdup(fpr),
                                    .prefix = prefix ? strdup(prefix) : NULL,
                                    .system = system,
                                    .mask = mask};
        fl->n++;
        if (!n[fl->n - 1].path || !n[fl->n - 1].fingerprint || (prefix && !n[fl->n - 1].prefix))
                return -ENOMEM;
        return 0;
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The key files directly in dir (prefix NULL: root.d), and with recurse the dirs below it as longer
 * prefixes. Directories are never followed through symlinks; files may be symlinks. */
static int scan_dir(FileList *fl, const char *dir, const char *prefix, bool system, bool recurse,
                    unsigned depth) {
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_strv_free_ char **names = NULL;
        struct dirent *de;
        int r;

        if (depth > PREFIX_DEPTH_MAX)
                return 0;
        r = opendir_at(AT_FDCWD, dir, &d);
        if (r == -ENOTDIR)
                return 0;
        if (r < 0 || !d)
                return r;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && strv_extend(&names, de->d_name) < 0)
                        return -ENOMEM;
        if (names)
                qsort(names, strv_length(names), sizeof(char *), compare_names);
        STRV_FOREACH(name, names) {
                _cleanup_free_ char *path = path_join(dir, *name);
                struct stat st;

                if (!path)
                        return -ENOMEM;
                if (fstatat(dirfd(d), *name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        _cleanup_free_ char *sub = NULL;
                        if (!recurse)
                                continue;
                        if (prefix ? asprintf(&sub, "%s/%s", prefix, *name) < 0 : !(sub = strdup(*name)))
                                return -ENOMEM;
                        r = scan_dir(fl, path, sub, system, true, depth + 1);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (!is_fingerprint(*name) || fstatat(dirfd(d), *name, &st, 0) < 0 || !S_ISREG(st.st_mode))
                        continue;
                r = file_list_add(fl, path, *name, prefix, system, st.st_size == 0);
                if (r < 0)
                        return r;
        }
        return 0;
}

int keystore_list_files(const Keystore *ks, TrustedKeyFile **ret, size_t *ret_n, RktError **reterr) {
        FileList fl = {};
        const char *const tops[] = {ks->system_dir, ks->local_dir};
        int r = 0;

        for (size_t i = 0; i < 2 && r >= 0; i++) {
                _cleanup_free_ char *root = path_join(tops[i], "root.d"),
                                    *pre = path_join(tops[i], "prefix.d");
                if (!root || !pre) {
                        r = -ENOMEM;
                        break;
                }
                r = scan_dir(&fl, root, NULL, i == 0, false, 0);
                if (r >= 0) {
                        /* prefix.d's own files belong to no prefix: ignore them. */
                        FileList sub = {};
                        _cleanup_(closedirp) DIR *d = NULL;
                        struct dirent *de;
                        _cleanup_strv_free_ char **names = NULL;

                        r = opendir_at(AT_FDCWD, pre, &d);
                        if (r == -ENOTDIR)
                                r = 0;
                        while (r >= 0 && d && (de = readdir(d)))
                                if (de->d_name[0] != '.' && strv_extend(&names, de->d_name) < 0)
                                        r = -ENOMEM;
                        if (names)
                                qsort(names, strv_length(names), sizeof(char *), compare_names);
                        STRV_FOREACH(name, names) {
                                _cleanup_free_ char *path = path_join(pre, *name);
                                struct stat st;
                                if (r < 0)
                                        break;
                                if (!path) {
                                        r = -ENOMEM;
                                        break;
                                }
                                if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
                                        r = scan_dir(&sub, path, *name, i == 0, true, 1);
                        }
                        for (size_t k = 0; k < sub.n && r >= 0; k++)
                                r = file_list_add(&fl, sub.l[k].path, sub.l[k].fingerprint, sub.l[k].prefix,
                                                  sub.l[k].system, sub.l[k].mask);
                        trusted_key_files_free(sub.l, sub.n);
                }
        }
        if (r < 0) {
                trusted_key_files_free(fl.l, fl.n);
                return rkt_error_set(reterr, r, "reading the trust store: %s", strerror(-r));
        }
        *ret = fl.l;
        *ret_n = fl.n;
        return 0;
}

/* The dirs that apply to name, in one of the two trees: root.d, then prefix.d/<each ancestor of name>. */
static int applicable_files(FileList *fl, const char *top, const char *name, bool system) {
        _cleanup_free_ char *root = path_join(top, "root.d"), *copy = strdup(name);
        int r;

        if (!root || !copy)
                return -ENOMEM;
        r = scan_dir(fl, root, NULL, system, false, 0);
        if (r < 0)
                return r;
        for (char *p = copy;; p++) {
                if (*p == '/' || *p == 0) {
                        char saved = *p;
                        _cleanup_free_ char *dir = NULL;
                        *p = 0;
                        if (asprintf(&dir, "%s/prefix.d/%s", top, copy) < 0)
                                return -ENOMEM;
                        r = scan_dir(fl, dir, copy, system, false, 0);
                        *p = saved;
                        if (r < 0)
                                return r;
                        if (saved == 0)
                                break;
                }
        }
        return 0;
}

int keystore_keyring_files(const Keystore *ks, const char *name, TrustedKeyFile **ret, size_t *ret_n,
                           RktError **reterr) {
        FileList sys = {}, loc = {}, out = {};
        int r;

        r = applicable_files(&sys, ks->system_dir, name, true);
        if (r >= 0)
                r = applicable_files(&loc, ks->local_dir, name, false);
        /* Local decisions win: a local key file trusts, a local empty file masks the system's. */
        for (size_t i = 0; i < loc.n && r >= 0; i++)
                if (!loc.l[i].mask)
                        r = file_list_add(&out, loc.l[i].path, loc.l[i].fingerprint, loc.l[i].prefix, false,
                                          false);
        for (size_t i = 0; i < sys.n && r >= 0; i++) {
                bool local_has = false;
                if (sys.l[i].mask)
                        continue;
                for (size_t k = 0; k < loc.n; k++)
                        if (streq(loc.l[k].fingerprint, sys.l[i].fingerprint))
                                local_has = true; /* trusted locally (already in) or masked */
                if (!local_has)
                        r = file_list_add(&out, sys.l[i].path, sys.l[i].fingerprint, sys.l[i].prefix, true,
                                          false);
        }
        trusted_key_files_free(sys.l, sys.n);
        trusted_key_files_free(loc.l, loc.n);
        if (r < 0) {
                trusted_key_files_free(out.l, out.n);
                return rkt_error_set(reterr, r, "reading the trust store: %s", strerror(-r));
        }
        *ret = out.l;
        *ret_n = out.n;
        return 0;
}

bool keystore_has_prefix_keys(const Keystore *ks, const char *name) {
        TrustedKeyFile *l = NULL;
        size_t n = 0;
        bool found = false;

        if (keystore_keyring_files(ks, name, &l, &n, NULL) < 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (l[i].prefix)
                        found = true;
        trusted_key_files_free(l, n);
        return found;
}

/* --- gpgme --- */

static pthread_once_t gpgme_once = PTHREAD_ONCE_INIT;
static gpgme_error_t gpgme_engine_error;

static void gpgme_init(void) {
        (void) sym_gpgme_check_version(NULL);
        gpgme_engine_error = sym_gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(gpgme_data_t, sym_gpgme_data_release);

/* A throwaway GnuPG home with its own context: keys imported here exist only for one operation. */
typedef struct GpgSession {
        char *home;
        gpgme_ctx_t ctx;
} GpgSession;

static void gpg_session_done(GpgSession *s) {
        if (s->ctx)
                sym_gpgme_release(s->ctx);
        if (s->home)
                (void) rm_rf_at(AT_FDCWD, s->home);
        free(s->home);
        *s = (GpgSession){};
}

static int gpg_error_to_errno(gpgme_error_t e) {
        int r = sym_gpgme_err_code_to_errno(gpgme_err_code(e));
        return r > 0 ? -r : -EIO;
}

static int gpg_session_new(GpgSession *ret, RktError **reterr) {
        GpgSession s = {};
        const char *tmp = getenv("TMPDIR");
        _cleanup_free_ char *conf = NULL;
        gpgme_error_t e;
        int r;

        r = gpgme_dl_open(reterr);
        if (r < 0)
                return r;
        (void) pthread_once(&gpgme_once, gpgme_init);
        if (gpgme_engine_error)
                return rkt_error_set(reterr, -ENOPKG,
                                     "GnuPG is needed to verify signatures, but gpg is not usable: %s",
                                     sym_gpgme_strerror(gpgme_engine_error));
        if (asprintf(&s.home, "%s/rkt-gpg-XXXXXX", isempty(tmp) ? "/tmp" : tmp) < 0)
                return -ENOMEM;
        if (!mkdtemp(s.home)) {
                r = negative_errno();
                free(s.home);
                return rkt_error_set(reterr, r, "cannot create a temporary GnuPG home: %s", strerror(-r));
        }
        /* No agent and no dirmngr: verifying needs neither, and a daemon started per verification would
         * outlive us. */
        if (asprintf(&conf, "%s/gpg.conf", s.home) < 0) {
                gpg_session_done(&s);
                return -ENOMEM;
        }
        static const char gpg_conf[] =
                "no-autostart\nno-auto-key-retrieve\nno-auto-key-locate\nno-greeting\n";
        /* A throwaway file: no need for write-temp + fsync + rename. */
        {
                _cleanup_close_ int cfd =
                        open(conf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
                r = cfd < 0 ? negative_errno() : loop_write(cfd, gpg_conf, strlen(gpg_conf));
        }
        if (r < 0) {
                gpg_session_done(&s);
                return rkt_error_set(reterr, r, "cannot write a temporary GnuPG configuration: %s",
                                     strerror(-r));
        }
        e = sym_gpgme_new(&s.ctx);
        if (!e)
                e = sym_gpgme_set_protocol(s.ctx, GPGME_PROTOCOL_OpenPGP);
        if (!e)
                e = sym_gpgme_ctx_set_engine_info(s.ctx, GPGME_PROTOCOL_OpenPGP, NULL, s.home);
        if (e) {
                gpg_session_done(&s);
                return rkt_error_set(reterr, gpg_error_to_errno(e), "cannot set up gpgme: %s",
                                     sym_gpgme_strerror(e));
        }
        sym_gpgme_set_offline(s.ctx, 1);
        *ret = s;
        return 0;
}

/* Imports data; returns the fingerprints (lowercase) of the keys it held. */
static int gpg_import(GpgSession *s, const void *data, size_t size, char ***ret_fprs, RktError **reterr) {
        _cleanup_(sym_gpgme_data_releasep) gpgme_data_t d = NULL;
        _cleanup_strv_free_ char **fprs = NULL;
        gpgme_import_result_t res;
        gpgme_error_t e;

        e = sym_gpgme_data_new_from_mem(&d, data, size, 0);
        if (e)
                return rkt_error_set(reterr, gpg_error_to_errno(e), "gpgme: %s", sym_gpgme_strerror(e));
        e = sym_gpgme_op_import(s->ctx, d);
        if (e)
                return rkt_error_set(reterr, -EBADMSG, "not an OpenPGP public key: %s",
                                     sym_gpgme_strerror(e));
        res = sym_gpgme_op_import_result(s->ctx);
        for (gpgme_import_status_t i = res ? res->imports : NULL; i; i = i->next) {
                _cleanup_free_ char *f = NULL;
                if (i->result || !i->fpr)
                        continue;
                if (fingerprint_normalize(i->fpr, &f) < 0)
                        continue; /* not a v4 key */
                if (!strv_contains(fprs, f) && strv_push(&fprs, TAKE_PTR(f)) < 0)
                        return -ENOMEM;
        }
        if (!fprs)
                return rkt_error_set(reterr, -EBADMSG, "no OpenPGP public key found");
        *ret_fprs = TAKE_PTR(fprs);
        return 0;
}

static int key_uids(gpgme_key_t k, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        for (gpgme_user_id_t u = k->uids; u; u = u->next)
                if (u->uid && !u->revoked && strv_extend(&l, u->uid) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

static int gpg_get_key(GpgSession *s, const char *fpr, gpgme_key_t *ret) {
        gpgme_error_t e = sym_gpgme_get_key(s->ctx, fpr, ret, 0);
        return e ? gpg_error_to_errno(e) : 0;
}

void pgp_keys_free(PgpKey *k, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(k[i].fingerprint);
                strv_free(k[i].subkeys);
                strv_free(k[i].uids);
                free(k[i].armored);
        }
        free(k);
}

static int export_armored(GpgSession *s, const char *fpr, char **ret) {
        _cleanup_(sym_gpgme_data_releasep) gpgme_data_t d = NULL;
        gpgme_error_t e;
        size_t len = 0;
        char *buf;

        e = sym_gpgme_data_new(&d);
        if (e)
                return gpg_error_to_errno(e);
        sym_gpgme_set_armor(s->ctx, 1);
        e = sym_gpgme_op_export(s->ctx, fpr, GPGME_EXPORT_MODE_MINIMAL, d);
        if (e)
                return gpg_error_to_errno(e);
        buf = sym_gpgme_data_release_and_get_mem(TAKE_PTR(d), &len);
        if (!buf || len == 0) {
                sym_gpgme_free(buf);
                return -EIO;
        }
        *ret = strndup(buf, len);
        sym_gpgme_free(buf);
        return *ret ? 0 : -ENOMEM;
}

int pgp_keys_parse(const void *data, size_t size, PgpKey **ret, size_t *ret_n, RktError **reterr) {
        _cleanup_strv_free_ char **fprs = NULL;
        GpgSession s = {};
        PgpKey *l = NULL;
        size_t n = 0;
        int r;

        r = gpg_session_new(&s, reterr);
        if (r < 0)
                return r;
        r = gpg_import(&s, data, size, &fprs, reterr);
        STRV_FOREACH(f, fprs) {
                gpgme_key_t k = NULL;
                PgpKey *nl;

                if (r < 0)
                        break;
                r = gpg_get_key(&s, *f, &k);
                if (r < 0) {
                        rkt_error_set(reterr, r, "cannot read back key %s", *f);
                        break;
                }
                nl = realloc(l, sizeof(PgpKey) * (n + 1));
                if (!nl) {
                        sym_gpgme_key_unref(k);
                        r = -ENOMEM;
                        break;
                }
                l = nl;
                l[n] = (PgpKey){.fingerprint = strdup(*f),
                                .expired = k->expired,
                                .revoked = k->revoked,
                                .disabled = k->disabled,
                                .invalid = k->invalid,
                                .can_sign = k->can_sign,
                                .expires = k->subkeys ? k->subkeys->expires : 0};
                n++;
                r = l[n - 1].fingerprint ? 0 : -ENOMEM;
                if (r >= 0)
                        r = key_uids(k, &l[n - 1].uids);
                for (gpgme_subkey_t sk = k->subkeys ? k->subkeys->next : NULL; sk && r >= 0; sk = sk->next) {
                        _cleanup_free_ char *sf = NULL;
                        if (sk->fpr && fingerprint_normalize(sk->fpr, &sf) >= 0)
                                r = strv_push(&l[n - 1].subkeys, TAKE_PTR(sf));
                }
                sym_gpgme_key_unref(k);
                if (r >= 0)
                        r = export_armored(&s, *f, &l[n - 1].armored);
                if (r < 0 && !(reterr && *reterr))
                        rkt_error_set(reterr, r, "reading key %s: %s", *f, strerror(-r));
        }
        gpg_session_done(&s);
        if (r < 0) {
                pgp_keys_free(l, n);
                return r;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

/* --- adding and removing --- */

static int key_dir(const char *top, const char *prefix, char **ret) {
        if (prefix)
                return asprintf(ret, "%s/prefix.d/%s", top, prefix) < 0 ? -ENOMEM : 0;
        return (*ret = path_join(top, "root.d")) ? 0 : -ENOMEM;
}

static bool prefix_valid(const char *prefix) {
        /* An AC identifier cannot climb out of prefix.d: no "..", no leading '/', no empty components. */
        return appc_ac_identifier_valid(prefix);
}

int keystore_add(const Keystore *ks, const char *prefix, const PgpKey *key, char **ret_path,
                 RktError **reterr) {
        _cleanup_free_ char *dir = NULL, *path = NULL;
        int r;

        if (prefix && !prefix_valid(prefix))
                return rkt_error_set(reterr, -EINVAL, "prefix '%s' is not a valid image name prefix",
                                     prefix);
        r = key_dir(ks->local_dir, prefix, &dir);
        if (r < 0)
                return r;
        r = mkdir_p(dir, 0755);
        if (r < 0)
                return rkt_error_set(reterr, r, "cannot create '%s': %s", dir, strerror(-r));
        path = path_join(dir, key->fingerprint);
        if (!path)
                return -ENOMEM;
        r = write_file_atomic_at(AT_FDCWD, path, key->armored, strlen(key->armored), 0644);
        if (r < 0)
                return rkt_error_set(reterr, r, "cannot write '%s': %s", path, strerror(-r));
        *ret_path = TAKE_PTR(path);
        return 0;
}

int keystore_remove(const Keystore *ks, const char *fingerprint, KeystoreScope scope, const char *prefix,
                    char ***ret_removed, char ***ret_masked, RktError **reterr) {
        _cleanup_strv_free_ char **removed = NULL, **masked = NULL;
        TrustedKeyFile *l = NULL;
        size_t n = 0;
        int r;

        r = keystore_list_files(ks, &l, &n, reterr);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                const TrustedKeyFile *f = &l[i];
                if (!streq(f->fingerprint, fingerprint) || f->mask)
                        continue;
                if ((scope == KEYSTORE_SCOPE_ROOT && f->prefix) ||
                    (scope == KEYSTORE_SCOPE_PREFIX && (!f->prefix || !streq(f->prefix, prefix))))
                        continue;
                if (!f->system) {
                        if (unlink(f->path) < 0 && errno != ENOENT)
                                r = rkt_error_set(reterr, negative_errno(), "cannot remove '%s': %m",
                                                  f->path);
                        else
                                r = strv_extend(&removed, f->path);
                } else {
                        _cleanup_free_ char *dir = NULL, *mask = NULL;
                        r = key_dir(ks->local_dir, f->prefix, &dir);
                        if (r >= 0 && (r = mkdir_p(dir, 0755)) < 0)
                                rkt_error_set(reterr, r, "cannot create '%s': %s", dir, strerror(-r));
                        if (r >= 0 && !(mask = path_join(dir, f->fingerprint)))
                                r = -ENOMEM;
                        if (r >= 0 && (r = write_file_atomic_at(AT_FDCWD, mask, "", 0, 0644)) < 0)
                                rkt_error_set(reterr, r, "cannot write '%s': %s", mask, strerror(-r));
                        if (r >= 0)
                                r = strv_extend(&masked, mask);
                }
        }
        trusted_key_files_free(l, n);
        if (r < 0)
                return r;
        if (!removed && !masked)
                return rkt_error_set(reterr, -ENOENT, "no trusted key with fingerprint %s%s%s%s",
                                     fingerprint, scope == KEYSTORE_SCOPE_ROOT ? " in root.d" : "",
                                     scope == KEYSTORE_SCOPE_PREFIX ? " for prefix '" : "",
                                     scope == KEYSTORE_SCOPE_PREFIX ? prefix : "");
        *ret_removed = TAKE_PTR(removed);
        *ret_masked = TAKE_PTR(masked);
        return 0;
}

/* --- listing --- */

void trusted_key_infos_free(TrustedKeyInfo *l, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(l[i].file.path);
                free(l[i].file.fingerprint);
                free(l[i].file.prefix);
                strv_free(l[i].uids);
                free(l[i].error);
        }
        free(l);
}

/* Imports one key file, checking that it holds exactly the key its name says. */
static int import_key_file(GpgSession *s, const TrustedKeyFile *f, RktError **reterr) {
        _cleanup_free_ char *data = NULL;
        _cleanup_strv_free_ char **fprs = NULL;
        _cleanup_error_ RktError *e = NULL;
        struct stat st;
        size_t size = 0;
        int r;

        if (stat(f->path, &st) == 0 && st.st_size > KEY_FILE_MAX)
                return rkt_error_set(reterr, -EUCLEAN, "trusted key file '%s' is too large to be a key",
                                     f->path);
        r = read_full_file_at(AT_FDCWD, f->path, &data, &size);
        if (r < 0)
                return rkt_error_set(reterr, -EUCLEAN, "cannot read trusted key file '%s': %s", f->path,
                                     strerror(-r));
        r = gpg_import(s, data, size, &fprs, &e);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return rkt_error_set(reterr, -EUCLEAN, "trusted key file '%s': %s", f->path,
                                     rkt_error_message(e, r));
        if (strv_length(fprs) != 1 || !streq(fprs[0], f->fingerprint))
                return rkt_error_set(
                        reterr, -EUCLEAN,
                        "trusted key file '%s' does not hold exactly the key its name says (it holds %s)",
                        f->path, fprs[0]);
        return 0;
}

int keystore_list_keys(const Keystore *ks, TrustedKeyInfo **ret, size_t *ret_n, RktError **reterr) {
        TrustedKeyFile *l = NULL;
        TrustedKeyInfo *out = NULL;
        size_t n = 0, m = 0;
        int r;

        r = keystore_list_files(ks, &l, &n, reterr);
        if (r < 0)
                return r;
        out = calloc(n ? n : 1, sizeof(TrustedKeyInfo));
        if (!out) {
                trusted_key_files_free(l, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n && r >= 0; i++) {
                TrustedKeyInfo *t;
                if (l[i].mask)
                        continue;
                t = &out[m++];
                t->file = l[i];
                l[i] = (TrustedKeyFile){};
                if (t->file.system)
                        for (size_t k = 0; k < n; k++)
                                if (l[k].mask && !l[k].system &&
                                    streq(l[k].fingerprint, t->file.fingerprint) &&
                                    streq_ptr(l[k].prefix, t->file.prefix))
                                        t->masked = true;
        }
        for (size_t i = 0; i < m && r >= 0; i++) {
                _cleanup_error_ RktError *e = NULL;
                GpgSession s = {};
                gpgme_key_t k = NULL;

                /* One home per file: what one file holds must not show up as another's. */
                r = gpg_session_new(&s, reterr);
                if (r < 0)
                        break;
                r = import_key_file(&s, &out[i].file, &e);
                if (r >= 0 && gpg_get_key(&s, out[i].file.fingerprint, &k) >= 0) {
                        out[i].expired = k->expired;
                        out[i].revoked = k->revoked;
                        r = key_uids(k, &out[i].uids);
                        sym_gpgme_key_unref(k);
                } else if (r != -ENOMEM) {
                        out[i].error = strdup(rkt_error_message(e, r));
                        r = out[i].error ? 0 : -ENOMEM;
                }
                gpg_session_done(&s);
        }
        trusted_key_files_free(l, n);
        if (r < 0) {
                trusted_key_infos_free(out, m);
                return r;
        }
        *ret = out;
        *ret_n = m;
        return 0;
}

/* --- verification --- */

void signature_info_done(SignatureInfo *s) {
        free(s->fingerprint);
        free(s->key_file);
        strv_free(s->uids);
        *s = (SignatureInfo){};
}

/* "<primary fingerprint> '<first user ID>'" of the key holding the (sub)key fpr. */
static char *describe_key(GpgSession *s, const char *fpr) {
        _cleanup_free_ char *primary = NULL;
        gpgme_key_t k = NULL;
        char *d = NULL;

        if (gpg_get_key(s, fpr, &k) < 0) {
                if (fingerprint_normalize(fpr, &primary) >= 0)
                        return TAKE_PTR(primary);
                return strdup(fpr);
        }
        if (!k->subkeys || !k->subkeys->fpr || fingerprint_normalize(k->subkeys->fpr, &primary) < 0)
                primary = strdup(fpr);
        if (primary && k->uids && k->uids->uid)
                (void) asprintf(&d, "%s '%s'", primary, k->uids->uid);
        else
                d = TAKE_PTR(primary);
        sym_gpgme_key_unref(k);
        return d;
}

static char *primary_of(GpgSession *s, const char *fpr) {
        gpgme_key_t k = NULL;
        char *p = NULL;

        if (gpg_get_key(s, fpr, &k) < 0)
                return NULL;
        if (k->subkeys && k->subkeys->fpr)
                (void) fingerprint_normalize(k->subkeys->fpr, &p);
        sym_gpgme_key_unref(k);
        return p;
}

static char *format_date(long t) {
        char buf[64];
        time_t tt = (time_t) t;
        struct tm tm;

        if (t <= 0 || !gmtime_r(&tt, &tm) || strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
                return strdup("an unknown date");
        return strdup(buf);
}

/* For a signature by a key that is not in name's keyring: is it in the store at all, and where? */
static int explain_unknown_key(const Keystore *ks, const char *name, const char *signer, RktError **reterr) {
        _cleanup_free_ char *shown = NULL, *where = NULL, *primary = NULL;
        TrustedKeyFile *l = NULL;
        size_t n = 0;
        GpgSession s = {};

        /* Which trusted key, if any, holds the signing (sub)key? Each file in its own home, as always. */
        if (keystore_list_files(ks, &l, &n, NULL) >= 0) {
                for (size_t i = 0; i < n && !primary; i++) {
                        if (l[i].mask || gpg_session_new(&s, NULL) < 0)
                                continue;
                        if (import_key_file(&s, &l[i], NULL) >= 0)
                                primary = primary_of(&s, signer);
                        gpg_session_done(&s);
                }
                for (size_t i = 0; primary && i < n; i++) {
                        _cleanup_free_ char *item = NULL;
                        if (l[i].mask || !streq(l[i].fingerprint, primary))
                                continue;
                        if (asprintf(&item, "%s%s", where ? ", " : "",
                                     l[i].prefix ? l[i].prefix : "(root)") < 0)
                                break;
                        if (!where)
                                where = TAKE_PTR(item);
                        else {
                                char *j = NULL;
                                if (asprintf(&j, "%s%s", where, item) < 0)
                                        break;
                                free(where);
                                where = j;
                        }
                }
                trusted_key_files_free(l, n);
        }
        shown = fingerprint_pretty(primary ?: signer);
        /* "openpgp: …": rkt 1.30's words (its OpenPGP library's), which scripts match on. */
        if (primary && where)
                return rkt_error_set_hint(
                        reterr, -ENOKEY, RKT_HINT_TRUST_MASKED, name,
                        "openpgp: signature made by unknown entity: signature made by key %s, "
                        "which is trusted for prefix '%s' but not for '%s' (or is masked for it)",
                        primary, where, name);
        return rkt_error_set_hint(
                reterr, -ENOKEY, RKT_HINT_TRUST, name,
                "openpgp: signature made by unknown entity: signature made by unknown key %s "
                "(fingerprint %s)",
                primary ?: signer, strna(shown));
}

int keystore_verify(const Keystore *ks, const char *name, int data_fd, const void *sig, size_t sig_size,
                    SignatureInfo *ret, RktError **reterr) {
        _cleanup_(sym_gpgme_data_releasep) gpgme_data_t sigd = NULL, datad = NULL;
        _cleanup_free_ char *unknown = NULL;
        TrustedKeyFile *files = NULL;
        size_t n_files = 0;
        GpgSession s = {};
        gpgme_verify_result_t res;
        gpgme_signature_t good = NULL, expired = NULL, revoked = NULL, bad = NULL;
        gpgme_error_t e;
        int r;

        r = keystore_keyring_files(ks, name, &files, &n_files, reterr);
        if (r < 0)
                return r;
        r = gpg_session_new(&s, reterr);
        for (size_t i = 0; i < n_files && r >= 0; i++)
                r = import_key_file(&s, &files[i], reterr);
        if (r < 0)
                goto finish;

        e = sym_gpgme_data_new_from_mem(&sigd, sig, sig_size, 0);
        if (!e) {
                if (data_fd >= 0) {
                        if (lseek(data_fd, 0, SEEK_SET) < 0) {
                                r = rkt_error_set(reterr, negative_errno(), "cannot rewind the image: %m");
                                goto finish;
                        }
                        e = sym_gpgme_data_new_from_fd(&datad, data_fd);
                        /* gpgme moves data to gpg in PIPE_BUF pieces by default, a syscall storm for an
                         * image of hundreds of MB; pieces larger than the pipe's capacity make gpgme shift
                         * its buffer after every partial write (measured: 256 MB took 2 s with either,
                         * 0.45 s with 64 KiB). Unknown to gpgme < 1.17, which keeps its default. */
                        if (!e)
                                (void) sym_gpgme_data_set_flag(datad, "io-buffer-size", "65536");
                } else
                        e = sym_gpgme_data_new_from_mem(&datad, "", 0, 0);
        }
        if (e) {
                r = rkt_error_set(reterr, gpg_error_to_errno(e), "gpgme: %s", sym_gpgme_strerror(e));
                goto finish;
        }
        e = sym_gpgme_op_verify(s.ctx, sigd, datad, NULL);
        res = sym_gpgme_op_verify_result(s.ctx);
        if ((e && gpgme_err_code(e) == GPG_ERR_NO_DATA) || !res || !res->signatures) {
                r = rkt_error_set(reterr, -EBADMSG, "the signature is not a valid OpenPGP signature%s%s",
                                  e ? ": " : "", e ? sym_gpgme_strerror(e) : "");
                goto finish;
        }
        if (e) {
                r = rkt_error_set(reterr, gpg_error_to_errno(e), "verifying the signature: %s",
                                  sym_gpgme_strerror(e));
                goto finish;
        }
        for (gpgme_signature_t g = res->signatures; g; g = g->next) {
                switch (gpgme_err_code(g->status)) {
                case GPG_ERR_NO_ERROR:
                        if (g->summary & GPGME_SIGSUM_KEY_REVOKED)
                                revoked = revoked ?: g;
                        else if (g->summary & (GPGME_SIGSUM_KEY_EXPIRED | GPGME_SIGSUM_SIG_EXPIRED))
                                expired = expired ?: g;
                        else
                                good = good ?: g;
                        break;
                case GPG_ERR_KEY_EXPIRED:
                case GPG_ERR_SIG_EXPIRED:
                        expired = expired ?: g;
                        break;
                case GPG_ERR_CERT_REVOKED:
                        revoked = revoked ?: g;
                        break;
                case GPG_ERR_NO_PUBKEY:
                        if (!unknown && g->fpr)
                                (void) fingerprint_normalize(g->fpr, &unknown);
                        if (!unknown && g->fpr)
                                unknown = strdup(g->fpr);
                        break;
                default:
                        bad = bad ?: g;
                        break;
                }
        }

        if (data_fd < 0) {
                /* Only who signed matters here: the data were not there to check. */
                if (!good && !expired && !revoked && !bad && unknown)
                        r = explain_unknown_key(ks, name, unknown, reterr);
                else
                        r = 0;
                goto finish;
        }
        if (good) {
                gpgme_key_t k = NULL;

                *ret = (SignatureInfo){};
                /* One key listing gives both the primary fingerprint (the signature may name a subkey)
                 * and the user IDs: each listing is a gpg run. */
                if (gpg_get_key(&s, good->fpr, &k) >= 0) {
                        if (k->subkeys && k->subkeys->fpr)
                                (void) fingerprint_normalize(k->subkeys->fpr, &ret->fingerprint);
                        r = key_uids(k, &ret->uids);
                        sym_gpgme_key_unref(k);
                }
                if (r >= 0 && !ret->fingerprint && fingerprint_normalize(good->fpr, &ret->fingerprint) < 0)
                        ret->fingerprint = strdup(good->fpr);
                if (r >= 0 && !ret->fingerprint)
                        r = -ENOMEM;
                for (size_t i = 0; r >= 0 && i < n_files; i++)
                        if (streq(files[i].fingerprint, ret->fingerprint)) {
                                ret->key_file = strdup(files[i].path);
                                break;
                        }
                if (r < 0)
                        signature_info_done(ret);
                goto finish;
        }
        if (bad) {
                _cleanup_free_ char *who = bad->fpr ? describe_key(&s, bad->fpr) : NULL;
                r = rkt_error_set(
                        reterr, -EKEYREJECTED,
                        "image was modified or signature does not match (the signature names key %s)",
                        strna(who));
        } else if (revoked) {
                _cleanup_free_ char *who = revoked->fpr ? describe_key(&s, revoked->fpr) : NULL;
                r = rkt_error_set(reterr, -EKEYREVOKED,
                                  "the signing key %s has been revoked: its signatures are not accepted",
                                  strna(who));
        } else if (expired) {
                _cleanup_free_ char *who = expired->fpr ? describe_key(&s, expired->fpr) : NULL;
                gpgme_key_t k = NULL;
                long when = 0;

                if (expired->fpr && gpg_get_key(&s, expired->fpr, &k) >= 0) {
                        for (gpgme_subkey_t sk = k->subkeys; sk; sk = sk->next)
                                if (sk->expired && sk->expires > 0 && (when == 0 || sk->expires < when))
                                        when = sk->expires;
                        sym_gpgme_key_unref(k);
                }
                if (gpgme_err_code(expired->status) == GPG_ERR_SIG_EXPIRED && when == 0) {
                        _cleanup_free_ char *date = format_date(expired->exp_timestamp);
                        r = rkt_error_set(reterr, -EKEYEXPIRED, "the signature by key %s expired on %s",
                                          strna(who), strna(date));
                } else {
                        _cleanup_free_ char *date = format_date(when);
                        r = rkt_error_set(
                                reterr, -EKEYEXPIRED,
                                "the signing key %s expired on %s: its signatures are not accepted",
                                strna(who), strna(date));
                }
        } else if (unknown)
                r = explain_unknown_key(ks, name, unknown, reterr);
        else
                r = rkt_error_set(reterr, -EKEYREJECTED, "image was modified or signature does not match");
finish:
        sym_gpgme_data_release(TAKE_PTR(datad));
        gpg_session_done(&s);
        trusted_key_files_free(files, n_files);
        return r;
}
