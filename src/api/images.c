/* SPDX-License-Identifier: Apache-2.0 */
/* ListImages and InspectImage, from the image store (store.h) opened read-only for each call: the store's
 * shared lock is held only while a reply is built, so `rkt gc` is never kept waiting by an idle client. */
#include <stdio.h>
#include <string.h>

#include "appc.h"
#include "filter.h"
#include "macro.h"
#include "service.h"
#include "store.h"

static V1alpha__Image *image_message(Arena *a, Store *s, const ImageRecord *rec, bool detail) {
        _cleanup_(appc_image_manifest_freep) AppcImageManifest *m = NULL;
        _cleanup_free_ char *text = NULL;
        V1alpha__Image *img = arena_alloc(a, sizeof(V1alpha__Image));
        V1alpha__ImageFormat *fmt = arena_alloc(a, sizeof(V1alpha__ImageFormat));
        const AppcKV *labels = rec->labels;
        size_t size = 0, n_labels = rec->n_labels;
        const char *version;

        if (!img || !fmt)
                return NULL;
        v1alpha__image__init(img);
        v1alpha__image_format__init(fmt);
        fmt->type = V1ALPHA__IMAGE_TYPE__IMAGE_TYPE_APPC;
        fmt->version = (char *) APPC_SPEC_VERSION;
        img->base_format = fmt;
        img->id = api_string(a, rec->id);
        img->name = api_string(a, rec->name);
        img->import_timestamp = (int64_t) (rec->import_time / 1000000U);
        /* What `rkt image list` shows: the image and its rendered trees. */
        img->size = (int64_t) (rec->size + store_tree_size(s, rec->id));

        if (store_read_manifest(s, rec->id, &text, &size, NULL) >= 0 &&
            appc_image_manifest_parse(text, size, &m, NULL) >= 0) {
                labels = m->labels;
                n_labels = m->n_labels;
                img->annotations = api_key_values(a, m->annotations, m->n_annotations);
                img->n_annotations = m->n_annotations;
                if (!img->annotations)
                        return NULL;
                if (detail) {
                        img->manifest.data = arena_memdup(a, text, size);
                        img->manifest.len = size;
                        if (!img->manifest.data)
                                return NULL;
                }
        }
        img->labels = api_key_values(a, labels, n_labels);
        img->n_labels = n_labels;
        version = appc_kv_get(labels, n_labels, "version");
        img->version = api_string(a, version ? version : "latest");
        if (!img->id || !img->name || !img->labels || !img->version)
                return NULL;
        return img;
}

static GrpcStatus store_error(int r, RktError *err, char *errmsg, size_t errsize) {
        snprintf(errmsg, errsize, "opening the image store: %s", rkt_error_message(err, r));
        return GRPC_INTERNAL;
}

GrpcStatus api_list_images(ApiContext *ctx, Arena *a, const ProtobufCMessage *req,
                           ProtobufCMessage **ret_reply, char *errmsg, size_t errsize) {
        const V1alpha__ListImagesRequest *r = (const V1alpha__ListImagesRequest *) req;
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        V1alpha__ListImagesResponse *reply;
        ImageRecord **recs = NULL;
        size_t n = 0;
        GrpcStatus status = GRPC_OK;
        int k;

        k = store_open(ctx->config->data_dir, 0, &s, &err);
        if (k == -ENOENT) {
                /* No store yet: no images. */
                reply = arena_alloc(a, sizeof(*reply));
                if (!reply)
                        return GRPC_RESOURCE_EXHAUSTED;
                v1alpha__list_images_response__init(reply);
                *ret_reply = &reply->base;
                return GRPC_OK;
        }
        if (k < 0)
                return store_error(k, err, errmsg, errsize);
        k = store_list(s, &recs, &n, &err);
        if (k < 0) {
                snprintf(errmsg, errsize, "listing images: %s", rkt_error_message(err, k));
                return GRPC_INTERNAL;
        }
        reply = arena_alloc(a, sizeof(*reply));
        if (reply) {
                v1alpha__list_images_response__init(reply);
                reply->images = arena_alloc_array(a, n + 1, sizeof(V1alpha__Image *));
        }
        if (!reply || !reply->images)
                status = GRPC_RESOURCE_EXHAUSTED;
        for (size_t i = 0; status == GRPC_OK && i < n; i++) {
                V1alpha__Image *img = image_message(a, s, recs[i], true);
                if (!img) {
                        status = GRPC_RESOURCE_EXHAUSTED;
                        break;
                }
                if (!api_image_filters_match(img, r->filters, r->n_filters))
                        continue;
                api_manifest_keep(&img->manifest, r->detail);
                reply->images[reply->n_images++] = img;
        }
        image_records_free(recs, n);
        if (status == GRPC_OK)
                *ret_reply = &reply->base;
        return status;
}

GrpcStatus api_inspect_image(ApiContext *ctx, Arena *a, const ProtobufCMessage *req,
                             ProtobufCMessage **ret_reply, char *errmsg, size_t errsize) {
        const V1alpha__InspectImageRequest *r = (const V1alpha__InspectImageRequest *) req;
        _cleanup_error_ RktError *err = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_(image_record_freep) ImageRecord *rec = NULL;
        V1alpha__InspectImageResponse *reply;
        int k;

        if (!appc_image_id_valid(r->id, true)) {
                snprintf(errmsg, errsize, "invalid image id: expected sha512- and 128 hex digits");
                return GRPC_INVALID_ARGUMENT;
        }
        k = store_open(ctx->config->data_dir, 0, &s, &err);
        if (k == -ENOENT) {
                snprintf(errmsg, errsize, "image '%s' not found", r->id);
                return GRPC_NOT_FOUND;
        }
        if (k < 0)
                return store_error(k, err, errmsg, errsize);
        k = store_get_record(s, r->id, &rec, &err);
        if (k < 0)
                return api_lookup_error(k, err, errmsg, errsize);
        reply = arena_alloc(a, sizeof(*reply));
        if (!reply)
                return GRPC_RESOURCE_EXHAUSTED;
        v1alpha__inspect_image_response__init(reply);
        reply->image = image_message(a, s, rec, true);
        if (!reply->image)
                return GRPC_RESOURCE_EXHAUSTED;
        *ret_reply = &reply->base;
        return GRPC_OK;
}
