/* SPDX-License-Identifier: Apache-2.0 */
/* What a client of rkt api-service sends: a gRPC-framed request body. The first input byte picks the
 * method; the rest is the body, unframed (grpc_unframe) and decoded as that method's request, then the
 * decoded filters are run against a pod, an image and an event, as ListPods, ListImages and ListenEvents
 * do. */
#include "api.pb-c.h"
#include "filter.h"
#include "fuzz.h"
#include "grpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const ProtobufCMessageDescriptor *const requests[] = {
                &v1alpha__get_info_request__descriptor,      &v1alpha__list_pods_request__descriptor,
                &v1alpha__inspect_pod_request__descriptor,   &v1alpha__list_images_request__descriptor,
                &v1alpha__inspect_image_request__descriptor, &v1alpha__listen_events_request__descriptor,
                &v1alpha__get_logs_request__descriptor,
        };
        V1alpha__KeyValue kv = V1ALPHA__KEY_VALUE__INIT, *kvs[] = {&kv};
        V1alpha__App app = V1ALPHA__APP__INIT, *apps[] = {&app};
        V1alpha__Image image = V1ALPHA__IMAGE__INIT;
        V1alpha__Pod pod = V1ALPHA__POD__INIT;
        V1alpha__Event event = V1ALPHA__EVENT__INIT;
        ProtobufCMessage *m;
        const uint8_t *msg;
        size_t n;

        if (size < 1)
                return 0;
        if (grpc_unframe(data + 1, size - 1, &msg, &n) < 0)
                return 0;
        FUZZ_CHECK(n <= GRPC_MAX_REQUEST_SIZE && msg + n == data + size);
        m = protobuf_c_message_unpack(requests[data[0] % 7], NULL, n, msg);
        if (!m)
                return 0;

        kv.key = (char *) "k";
        kv.value = (char *) "v";
        image.id = (char *) "sha512-0";
        image.name = (char *) "example.com/app";
        image.n_labels = image.n_annotations = 1;
        image.labels = image.annotations = kvs;
        app.name = (char *) "app";
        app.image = &image;
        pod.id = (char *) "01234567-89ab-cdef-0123-456789abcdef";
        pod.cgroup = (char *) "/machine.slice/x.scope";
        pod.n_apps = 1;
        pod.apps = apps;
        pod.n_annotations = 1;
        pod.annotations = kvs;
        event.id = pod.id;
        event.from = app.name;
        event.time = 1;
        if (m->descriptor == &v1alpha__list_pods_request__descriptor) {
                V1alpha__ListPodsRequest *r = (V1alpha__ListPodsRequest *) m;
                (void) api_pod_filters_match(&pod, r->filters, r->n_filters);
        } else if (m->descriptor == &v1alpha__list_images_request__descriptor) {
                V1alpha__ListImagesRequest *r = (V1alpha__ListImagesRequest *) m;
                (void) api_image_filters_match(&image, r->filters, r->n_filters);
        } else if (m->descriptor == &v1alpha__listen_events_request__descriptor)
                (void) api_event_filter_match(&event, ((V1alpha__ListenEventsRequest *) m)->filter);
        protobuf_c_message_free_unpacked(m, NULL);
        return 0;
}
