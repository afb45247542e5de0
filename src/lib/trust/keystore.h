/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

#include "error.h"

/* rkt's trust store: OpenPGP public keys in
 *     {system,local}/trustedkeys/root.d/<fingerprint>
 *     {system,local}/trustedkeys/prefix.d/<prefix>/<fingerprint>
 * (system = /usr/lib/rkt, the distribution's; local = /etc/rkt, the administrator's), one armored key per
 * file, named by its primary key's fingerprint in lowercase hex.
 *
 * The keyring that verifies image NAME holds the root.d keys and the keys of every prefix that is NAME or
 * one of its ancestors by path components (prefix example.com/app covers example.com/app and
 * example.com/app/worker, not example.com/application). An empty local file masks the system key with that
 * name: a fingerprint counts when some applicable local dir holds its key, or some applicable system dir
 * does and no applicable local dir holds an empty file of that name.
 *
 * Verification runs gpg (through gpgme) in a fresh, private GnuPG home that holds exactly the keys of that
 * keyring, and is removed afterwards: nothing else — not the user's keyring, not keys trusted for other
 * prefixes — can vouch for an image. */

typedef struct Keystore Keystore;

/* NULL dirs mean the defaults (/usr/lib/rkt, /etc/rkt). */
int keystore_new(const char *system_config, const char *local_config, Keystore **ret);
Keystore *keystore_free(Keystore *ks);
DEFINE_TRIVIAL_CLEANUP_FUNC(Keystore *, keystore_free);

typedef struct TrustedKeyFile {
        char *path;
        char *fingerprint; /* from the file name, lowercase */
        char *prefix;      /* NULL for root.d */
        bool system;       /* in the system config dir */
        bool mask;         /* an empty file */
} TrustedKeyFile;

void trusted_key_files_free(TrustedKeyFile *f, size_t n);

/* Every file of the store (masks too), system before local, root.d before prefix.d, sorted by path.
 * Files not named like a fingerprint are ignored. */
int keystore_list_files(const Keystore *ks, TrustedKeyFile **ret, size_t *ret_n, RktError **reterr);
/* The files whose keys verify image name, masking applied. */
int keystore_keyring_files(const Keystore *ks, const char *name, TrustedKeyFile **ret, size_t *ret_n,
                           RktError **reterr);
/* Whether some prefix key (root.d does not count, as in rkt 1.30) applies to name: when none does, a fetch
 * by name may discover keys through ac-discovery-pubkeys. */
bool keystore_has_prefix_keys(const Keystore *ks, const char *name);

/* True when prefix is name or an ancestor of it by path components. */
bool keystore_prefix_covers(const char *prefix, const char *name);
/* Normalises a user-written fingerprint ("0xABCD EF01 …", any case, blanks) to 40 lowercase hex digits.
 * -EINVAL when it is not one. */
int fingerprint_normalize(const char *s, char **ret);
/* "ABCD EF01 2345 6789 ABCD  EF01 2345 6789 ABCD EF01", as gpg shows fingerprints. */
char *fingerprint_pretty(const char *fpr);

/* --- keys --- */

typedef struct PgpKey {
        char *fingerprint; /* the primary key's, lowercase */
        char **subkeys;    /* fingerprints of the subkeys (NULL-terminated, may be NULL) */
        char **uids;       /* NULL-terminated, may be NULL */
        bool expired, revoked, disabled, invalid;
        bool can_sign;
        int64_t expires; /* seconds since the epoch; 0: never */
        char *armored;   /* this key alone, as an armored export (what the store keeps) */
} PgpKey;

void pgp_keys_free(PgpKey *k, size_t n);

/* The public keys in data (armored or binary; one or more). -EBADMSG when there are none. */
int pgp_keys_parse(const void *data, size_t size, PgpKey **ret, size_t *ret_n, RktError **reterr);

/* Writes key into the local store for prefix (NULL: root.d) — replacing a mask of the same name — and
 * returns the file's path. */
int keystore_add(const Keystore *ks, const char *prefix, const PgpKey *key, char **ret_path,
                 RktError **reterr);

typedef enum KeystoreScope {
        KEYSTORE_SCOPE_ALL,    /* root.d and every prefix */
        KEYSTORE_SCOPE_ROOT,   /* root.d only */
        KEYSTORE_SCOPE_PREFIX, /* prefix.d/<prefix> only */
} KeystoreScope;

/* Stops trusting fingerprint within scope: local key files are removed, system key files masked with an
 * empty local file. Returns what was removed and what masked (paths). -ENOENT when nothing matched. */
int keystore_remove(const Keystore *ks, const char *fingerprint, KeystoreScope scope, const char *prefix,
                    char ***ret_removed, char ***ret_masked, RktError **reterr);

typedef struct TrustedKeyInfo {
        TrustedKeyFile file;
        char **uids; /* NULL-terminated, may be NULL */
        bool expired, revoked;
        bool masked; /* a system key masked by a local file */
        char *error; /* the file is unusable (not a key, wrong fingerprint): why */
} TrustedKeyInfo;

void trusted_key_infos_free(TrustedKeyInfo *l, size_t n);
/* Every key file (masks excluded) with its user IDs and state. */
int keystore_list_keys(const Keystore *ks, TrustedKeyInfo **ret, size_t *ret_n, RktError **reterr);

/* --- signatures --- */

typedef struct SignatureInfo {
        char *fingerprint; /* of the trusted (primary) key that made the signature */
        char *key_file;
        char **uids;
} SignatureInfo;

void signature_info_done(SignatureInfo *s);

/* Verifies the detached signature sig (armored or binary) over the bytes of data_fd, read from offset 0,
 * with the keyring of image name. data_fd -1 checks only whether a key of that keyring made the signature
 * (before downloading what it signs): then only -ENOKEY fails.
 * Errors: -ENOKEY (made by a key not trusted for name; the message gives its fingerprint and the
 * `rkt trust` command), -EKEYREJECTED ("image was modified or signature does not match"), -EKEYEXPIRED,
 * -EKEYREVOKED, -EBADMSG (not a signature), -EUCLEAN (a trusted key file is broken). */
int keystore_verify(const Keystore *ks, const char *name, int data_fd, const void *sig, size_t sig_size,
                    SignatureInfo *ret, RktError **reterr);
