/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "insecure.h"
#include "log.h"
#include "path.h"
#include "store.h"
#include "verbs.h"

enum { OPT_FULL = 1 };

const Option fetch_options[] = {
        { "full", 0, OPT_FULL, OPTION_BOOL, NULL, "false", "print the full image ID after fetching" },
        {},
};

/* A local ACI: a path, or a file:// URL. Everything else needs the network. */
static const char *local_path(const char *image) {
        const char *p = startswith(image, "file://");
        return p ?: (strstr(image, "://") ? NULL : image);
}

static bool looks_like_path(const char *image) {
        return startswith(image, "file://") || path_is_absolute(image) || startswith(image, "./") ||
               startswith(image, "../") || endswith(image, ".aci");
}

/* Signature verification with a trust store arrives with `rkt trust`; until then no signature can be
 * verified, so only --insecure-options=image lets an image in, and the message says how to proceed. */
static int check_signature(const char *image, const char *path, const RktGlobals *g) {
        _cleanup_free_ char *asc = NULL;

        if (g->insecure & INSECURE_IMAGE)
                return 0;
        if (asprintf(&asc, "%s.asc", path) < 0)
                return log_error_errno(-ENOMEM, "Out of memory");
        if (access(asc, F_OK) < 0)
                return log_error_errno(-ENOKEY,
                                       "image '%s': no signature found at '%s'; sign the image and trust the signer "
                                       "with 'rkt trust --prefix=IMAGE_NAME KEY', or pass --insecure-options=image "
                                       "to fetch it without verification",
                                       image, asc);
        return log_error_errno(-ENOKEY,
                               "image '%s': signature '%s' cannot be verified: this rkt has no trusted keys for it; "
                               "pass --insecure-options=image to fetch it without verification",
                               image, asc);
}

static int fetch_one(Store *s, const char *image, bool full, const RktGlobals *g) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_free_ char *id = NULL, *abs = NULL, *origin = NULL, *shown = NULL;
        _cleanup_close_ int fd = -1;
        const char *path = local_path(image);
        struct stat st;
        int r;

        if (!path || (!looks_like_path(image) && access(image, F_OK) < 0))
                return log_error_errno(-EPROTONOSUPPORT,
                                       "image '%s': only local ACI files (a path or file:// URL) can be fetched by "
                                       "this rkt; remote fetching (http(s)://, appc discovery, docker://) is not "
                                       "available yet",
                                       image);
        r = path_make_absolute_cwd(path, &abs);
        if (r < 0)
                return log_error_errno(r, "image '%s': %m", image);
        fd = open(abs, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return log_error_errno(negative_errno(), "image '%s': cannot open '%s': %m", image, abs);
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return log_error_errno(-EINVAL, "image '%s': '%s' is not a regular file", image, abs);
        r = check_signature(image, abs, g);
        if (r < 0)
                return r;
        if (asprintf(&origin, "file://%s", abs) < 0)
                return log_error_errno(-ENOMEM, "Out of memory");
        r = store_import_fd(s, fd, origin, &id, NULL, &err);
        if (r < 0)
                return log_error_errno(r, "image '%s': %s", image, rkt_error_message(err, r));
        shown = full ? strdup(id) : image_id_short(id, 32);
        if (!shown)
                return log_error_errno(-ENOMEM, "Out of memory");
        printf("%s\n", shown);
        return 0;
}

int verb_fetch(CliArgs *a) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        bool full = false;
        int r, ret = 0;

        for (size_t i = 0; i < a->n_options; i++)
                if (a->options[i].option->id == OPT_FULL && (r = cli_bool(&a->options[i], &full)) < 0)
                        return r;
        r = store_open(a->globals->dir, STORE_WRITABLE, &s, &err);
        if (r < 0)
                return log_error_errno(r, "%s", rkt_error_message(err, r));
        for (size_t i = 0; i < a->n_args; i++) {
                r = fetch_one(s, a->args[i], full, a->globals);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}
