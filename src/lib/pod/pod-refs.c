/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <sys/file.h>

#include "cleanup.h"
#include "fs.h"
#include "path.h"
#include "pod-refs.h"
#include "strv.h"

static const char *const pod_states[] = {"embryo", "prepare",        "prepared",
                                         "run",    "exited-garbage", "garbage"};

static void add_file_line(int dirfd, const char *path, char ***l) {
        _cleanup_free_ char *text = NULL;

        if (read_full_file_at(dirfd, path, &text, NULL) < 0)
                return;
        text[strcspn(text, "\n")] = 0;
        if (*text && !strv_contains(*l, text))
                (void) strv_extend(l, text);
}

static void add_manifest_images(int podfd, char ***l) {
        _cleanup_free_ char *text = NULL;
        json_object *o, *apps;

        if (read_full_file_at(podfd, "pod", &text, NULL) < 0)
                return;
        o = json_tokener_parse(text);
        if (o && json_object_object_get_ex(o, "apps", &apps) && json_object_is_type(apps, json_type_array))
                for (size_t i = 0; i < json_object_array_length(apps); i++) {
                        json_object *image, *id;
                        if (json_object_object_get_ex(json_object_array_get_idx(apps, i), "image", &image) &&
                            json_object_object_get_ex(image, "id", &id) &&
                            json_object_is_type(id, json_type_string) &&
                            !strv_contains(*l, json_object_get_string(id)))
                                (void) strv_extend(l, json_object_get_string(id));
                }
        json_object_put(o);
}

static void scan_pod(int podfd, bool live, char ***images, char ***trees) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        add_file_line(podfd, "stage1TreeStoreID", trees);
        if (live) {
                add_file_line(podfd, "stage1ID", images);
                add_manifest_images(podfd, images);
        }
        if (opendir_at(podfd, "appsinfo", &d) < 0 || !d)
                return;
        while ((de = readdir(d))) {
                _cleanup_free_ char *p = NULL;
                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&p, "%s/treeStoreID", de->d_name) < 0)
                        continue;
                add_file_line(dirfd(d), p, trees);
        }
}

/* Whether someone holds the pod's lock: its stage1, while the pod runs. */
static bool pod_locked(int podfd) {
        _cleanup_close_ int fd = openat(podfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        return fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

int pod_refs_running_trees(const char *data_dir, char ***ret_tree_ids, RktError **reterr) {
        _cleanup_strv_free_ char **images = NULL, **trees = calloc(1, sizeof(char *));
        _cleanup_free_ char *run = path_join(data_dir, "pods/run");
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        if (!trees || !run)
                return -ENOMEM;
        d = opendir(run);
        if (!d && errno != ENOENT)
                return rkt_error_set(reterr, negative_errno(), "reading '%s': %m", run);
        while (d && (de = readdir(d))) {
                _cleanup_close_ int podfd = -1;
                if (de->d_name[0] == '.')
                        continue;
                podfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (podfd >= 0 && pod_locked(podfd))
                        scan_pod(podfd, false, &images, &trees);
        }
        *ret_tree_ids = TAKE_PTR(trees);
        return 0;
}

int pod_refs_collect(const char *data_dir, char ***ret_image_ids, char ***ret_tree_ids, RktError **reterr) {
        _cleanup_strv_free_ char **images = calloc(1, sizeof(char *)), **trees = calloc(1, sizeof(char *));
        _cleanup_free_ char *pods = path_join(data_dir, "pods");

        if (!images || !trees || !pods)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(pod_states); i++) {
                _cleanup_(closedirp) DIR *d = NULL;
                _cleanup_free_ char *p = path_join(pods, pod_states[i]);
                bool live = streq(pod_states[i], "prepare") || streq(pod_states[i], "prepared") ||
                            streq(pod_states[i], "run");
                struct dirent *de;

                if (!p)
                        return -ENOMEM;
                d = opendir(p);
                if (!d) {
                        if (errno == ENOENT)
                                continue;
                        return rkt_error_set(reterr, negative_errno(), "reading '%s': %m", p);
                }
                while ((de = readdir(d))) {
                        _cleanup_close_ int podfd = -1;
                        if (de->d_name[0] == '.')
                                continue;
                        podfd = openat(dirfd(d), de->d_name,
                                       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        if (podfd >= 0)
                                scan_pod(podfd, live, &images, &trees);
                }
        }
        *ret_image_ids = TAKE_PTR(images);
        *ret_tree_ids = TAKE_PTR(trees);
        return 0;
}
