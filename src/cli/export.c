/* SPDX-License-Identifier: Apache-2.0 */
/* rkt export: an app of an exited pod, as the app left its root filesystem, packed as a new ACI with the
 * app's image manifest. The pod's overlays are mounted again, when they are gone, in a mount namespace of
 * our own: nothing is left mounted on the host, whatever happens to rkt. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>

#include "aci-write.h"
#include "appc.h"
#include "image-common.h"
#include "log.h"
#include "output.h"
#include "pod-common.h"
#include "pod-prepare.h"
#include "stage1-contract.h"
#include "verbs.h"

enum { OPT_APP = 1, OPT_OVERWRITE };

const Option export_options[] = {
        {"app", 0, OPT_APP, OPTION_REQUIRED, "NAME", NULL,
         "name of the app to export within the specified pod"},
        {"overwrite", 0, OPT_OVERWRITE, OPTION_BOOL, NULL, "false", "overwrite output ACI"},
        {},
};

/* The app to export: --app, or the pod's only app. */
static int pick_app(const Pod *p, const char *name, char **ret) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(appc_pod_manifest_freep) AppcPodManifest *m = NULL;
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        r = pod_read_file(p, POD_MANIFEST, &text, &size);
        if (r >= 0)
                r = appc_pod_manifest_parse(text, size, &m, &err);
        if (r < 0)
                return log_error_errno(r, "problem getting the pod's manifest: %s",
                                       rkt_error_message(err, r));
        for (size_t i = 0; name && i < m->n_apps; i++)
                if (streq(m->apps[i].name, name))
                        return (*ret = strdup(name)) ? 0 : log_oom();
        if (name)
                return log_error_errno(-ENOENT, "unable to find app: app %s is not present in pod", name);
        if (m->n_apps == 1)
                return (*ret = strdup(m->apps[0].name)) ? 0 : log_oom();
        log_error("pod contains multiple apps:");
        for (size_t i = 0; i < m->n_apps; i++)
                log_error("\t%s", m->apps[i].name);
        return log_error_errno(-EINVAL, "unable to find app: specify app using \"rkt export --app= ...\"");
}

/* The pod's overlays, mounted where stage1 had them, in a private mount namespace. */
static int mount_pod(const CliArgs *a, Pod *p) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        int r;

        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return log_error_errno(negative_errno(), "cannot get a mount namespace of our own: %m");
        r = image_store_open(a, 0, &s);
        if (r < 0)
                return r;
        r = pod_remount(p, s, &err);
        if (r < 0)
                return log_error_errno(r, "couldn't mount the pod's file systems: %s",
                                       rkt_error_message(err, r));
        return 0;
}

typedef struct ExportApp {
        const char *manifest;
        size_t manifest_size;
        const char *rootfs;
        const UidRange *unshift;
} ExportApp;

static int fill(int fd, void *userdata, RktError **reterr) {
        ExportApp *e = userdata;
        return aci_write_dir(fd, e->manifest, e->manifest_size, e->rootfs, e->unshift, reterr);
}

static int write_aci(const Pod *p, const char *app, const char *out, bool overwrite) {
        _cleanup_error_ RktError *err = NULL;
        _cleanup_free_ char *manifest_path = NULL, *manifest = NULL, *rootfs = NULL;
        UidRange range;
        size_t size;
        int r;

        if (asprintf(&manifest_path, "appsinfo/%s/manifest", app) < 0 ||
            asprintf(&rootfs, "%s/" POD_STAGE1_ROOTFS "/" STAGE2_DIR "/%s/" STAGE2_ROOTFS, p->path, app) < 0)
                return log_oom();
        r = pod_read_file(p, manifest_path, &manifest, &size);
        if (r < 0)
                return log_error_errno(r, "unable to read the image manifest of app %s: %m", app);
        /* A user namespace's pod: its files' owners as its apps saw them, as rkt 1.30 wrote them. */
        r = pod_private_users(p, &range);
        if (r < 0)
                return log_error_errno(r, "problem reading the pod's " POD_PRIVATE_USERS ": %s",
                                       r == -EINVAL ? "not SHIFT:COUNT" : strerror(-r));
        r = output_file_write(out, overwrite, fill,
                              &(ExportApp){.manifest = manifest,
                                           .manifest_size = size,
                                           .rootfs = rootfs,
                                           .unshift = r > 0 ? &range : NULL},
                              &err);
        if (r < 0)
                return log_error_errno(r, "error building aci: %s", rkt_error_message(err, r));
        return 0;
}

int verb_export(CliArgs *a) {
        _cleanup_(pod_freep) Pod *p = NULL;
        _cleanup_close_ int lock_fd = -1;
        _cleanup_free_ char *out = NULL, *app = NULL;
        const char *app_name = NULL;
        bool overwrite;
        int r;

        r = option_bool(a, OPT_OVERWRITE, false, &overwrite);
        if (r < 0)
                return r;
        app_name = option_value(a, OPT_APP);
        if (!endswith(a->args[1], ".aci"))
                return log_error_errno(-EINVAL, "extension must be .aci (given %s)", a->args[1]);
        r = output_path_new(a->args[1], overwrite, &out);
        if (r < 0)
                return r;
        r = pod_open_logged(a, a->args[0], "problem retrieving pod", &p);
        if (r < 0)
                return r;
        /* A shared lock, held until we are done: gc does not remove the pod meanwhile, and the pod still
         * lists as exited (a running pod's stage1 holds the lock exclusively). */
        lock_fd = open(p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (lock_fd < 0 || flock(lock_fd, LOCK_SH | LOCK_NB) < 0 || pod_refresh(p) < 0 ||
            (p->state != POD_EXITED && p->state != POD_EXITED_GARBAGE))
                return log_error_errno(-EBUSY, "pod is not exited. Only exited pods can be exported");
        r = pick_app(p, app_name, &app);
        if (r < 0)
                return r;
        r = mount_pod(a, p);
        if (r < 0)
                return r;
        return write_aci(p, app, out, overwrite);
}
