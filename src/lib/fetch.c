/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fetch.h"
#include "image-ref.h"
#include "insecure.h"
#include "path.h"

int pull_policy_from_string(const char *s, PullPolicy *ret) {
        if (streq(s, "new"))
                *ret = PULL_NEW;
        else if (streq(s, "update"))
                *ret = PULL_UPDATE;
        else if (streq(s, "never"))
                *ret = PULL_NEVER;
        else
                return -EINVAL;
        return 0;
}

bool image_is_local_file(const char *image) {
        if (startswith(image, "file://"))
                return true;
        if (strstr(image, "://") || startswith(image, "docker:"))
                return false;
        return path_is_absolute(image) || startswith(image, "./") || startswith(image, "../") ||
               endswith(image, ".aci") || access(image, F_OK) == 0;
}

/* Signature verification with a trust store arrives with `rkt trust`; until then no signature can be
 * verified, so only --insecure-options=image (or rkt's own stage1 location) lets a file in, and the
 * message says how to proceed. */
static int check_signature(const char *image, const char *path, const FetchOptions *o, RktError **reterr) {
        _cleanup_free_ char *asc = NULL;

        if ((o->insecure & INSECURE_IMAGE) || o->trusted_location)
                return 0;
        if (asprintf(&asc, "%s.asc", path) < 0)
                return -ENOMEM;
        if (access(asc, F_OK) < 0)
                return rkt_error_set(reterr, -ENOKEY,
                                     "image '%s': no signature found at '%s'; sign the image and trust the signer "
                                     "with 'rkt trust --prefix=IMAGE_NAME KEY', or pass --insecure-options=image "
                                     "to use it without verification",
                                     image, asc);
        return rkt_error_set(reterr, -ENOKEY,
                             "image '%s': signature '%s' cannot be verified: this rkt has no trusted keys for it; "
                             "pass --insecure-options=image to use it without verification",
                             image, asc);
}

static int fetch_file(Store *s, const char *image, const FetchOptions *o, char **ret_id, RktError **reterr) {
        _cleanup_free_ char *abs = NULL, *origin = NULL;
        _cleanup_close_ int fd = -1;
        const char *path = startswith(image, "file://") ?: image;
        struct stat st;
        int r;

        r = path_make_absolute_cwd(path, &abs);
        if (r < 0)
                return rkt_error_set(reterr, r, "image '%s': %s", image, strerror(-r));
        fd = open(abs, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return rkt_error_set(reterr, negative_errno(), "image '%s': cannot open '%s': %m", image, abs);
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return rkt_error_set(reterr, -EINVAL, "image '%s': '%s' is not a regular file", image, abs);
        r = check_signature(image, abs, o, reterr);
        if (r < 0)
                return r;
        if (o->pull_policy != PULL_UPDATE && store_file_cache_lookup(s, abs, &st, ret_id) >= 0)
                return 0;
        if (asprintf(&origin, "file://%s", abs) < 0)
                return -ENOMEM;
        r = store_import_fd(s, fd, origin, ret_id, NULL, reterr);
        if (r < 0)
                return rkt_error_prefix(reterr, r, "image '%s'", image);
        /* Only an optimisation: an error here costs a re-read next time, nothing else. */
        (void) store_file_cache_save(s, abs, &st, *ret_id);
        return 0;
}

int fetch_image(Store *s, const char *image, const FetchOptions *o, char **ret_id, RktError **reterr) {
        int r;

        if (image_ref_is_id(image))
                return store_resolve(s, image, ret_id, reterr);
        if (image_is_local_file(image))
                return fetch_file(s, image, o, ret_id, reterr);
        if (strstr(image, "://") || startswith(image, "docker:"))
                return rkt_error_set(reterr, -EPROTONOSUPPORT,
                                     "image '%s': only local ACI files (a path or file:// URL) and images already "
                                     "in the store can be used; remote fetching (http(s)://, docker://) is not "
                                     "available yet",
                                     image);
        r = store_resolve(s, image, ret_id, NULL);
        if (r >= 0 || r != -ENOENT)
                return r < 0 ? store_resolve(s, image, ret_id, reterr) : 0;
        if (o->pull_policy == PULL_NEVER)
                return rkt_error_set(reterr, -ENOENT, "image '%s' is not in the store (--pull-policy=never)", image);
        return rkt_error_set(reterr, -ENOENT,
                             "image '%s' is not in the store, and fetching by name (appc discovery) is not "
                             "available yet: fetch its ACI file first",
                             image);
}
