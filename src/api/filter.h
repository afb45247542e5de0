/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "api.pb-c.h"

/* rkt 1.30's filter semantics: within one filter every condition must hold (a list field: "any of" for
 * ids, states, names; "all of" for apps, images, networks, labels, annotations); a message passes a list
 * of filters when it passes any one, and every message passes an empty list. Pure functions. */
bool api_pod_filter_match(const V1alpha__Pod *p, const V1alpha__PodFilter *f);
bool api_pod_filters_match(const V1alpha__Pod *p, V1alpha__PodFilter *const *f, size_t n);
bool api_image_filter_match(const V1alpha__Image *i, const V1alpha__ImageFilter *f);
bool api_image_filters_match(const V1alpha__Image *i, V1alpha__ImageFilter *const *f, size_t n);
bool api_event_filter_match(const V1alpha__Event *e, const V1alpha__EventFilter *f);
