/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "filter.h"
#include "macro.h"

static bool in_list(const char *s, char *const *l, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (streq(s, l[i]))
                        return true;
        return false;
}

static bool has_kv(V1alpha__KeyValue *const *have, size_t n_have, const V1alpha__KeyValue *want) {
        for (size_t i = 0; i < n_have; i++)
                if (streq(have[i]->key, want->key))
                        return streq(have[i]->value, want->value);
        return false;
}

static bool has_all_kv(V1alpha__KeyValue *const *have, size_t n_have, V1alpha__KeyValue *const *want,
                       size_t n_want) {
        for (size_t i = 0; i < n_want; i++)
                if (!has_kv(have, n_have, want[i]))
                        return false;
        return true;
}

bool api_pod_filter_match(const V1alpha__Pod *p, const V1alpha__PodFilter *f) {
        bool found;

        if (f->n_ids > 0 && !in_list(p->id, f->ids, f->n_ids))
                return false;
        if (f->n_states > 0) {
                found = false;
                for (size_t i = 0; i < f->n_states && !found; i++)
                        found = f->states[i] == p->state;
                if (!found)
                        return false;
        }
        for (size_t i = 0; i < f->n_app_names; i++) {
                found = false;
                for (size_t j = 0; j < p->n_apps && !found; j++)
                        found = streq(p->apps[j]->name, f->app_names[i]);
                if (!found)
                        return false;
        }
        for (size_t i = 0; i < f->n_image_ids; i++) {
                found = false;
                for (size_t j = 0; j < p->n_apps && !found; j++)
                        found = p->apps[j]->image && streq(p->apps[j]->image->id, f->image_ids[i]);
                if (!found)
                        return false;
        }
        for (size_t i = 0; i < f->n_network_names; i++) {
                found = false;
                for (size_t j = 0; j < p->n_networks && !found; j++)
                        found = streq(p->networks[j]->name, f->network_names[i]);
                if (!found)
                        return false;
        }
        if (!has_all_kv(p->annotations, p->n_annotations, f->annotations, f->n_annotations))
                return false;
        if (f->n_cgroups > 0 && !in_list(p->cgroup, f->cgroups, f->n_cgroups))
                return false;
        if (f->n_pod_sub_cgroups > 0) {
                /* A cgroup at or below the pod's: its path with the pod's as a prefix. */
                found = false;
                for (size_t i = 0; i < f->n_pod_sub_cgroups && !found && !isempty(p->cgroup); i++)
                        found = startswith(f->pod_sub_cgroups[i], p->cgroup) != NULL;
                if (!found)
                        return false;
        }
        return true;
}

bool api_pod_filters_match(const V1alpha__Pod *p, V1alpha__PodFilter *const *f, size_t n) {
        if (n == 0)
                return true;
        for (size_t i = 0; i < n; i++)
                if (api_pod_filter_match(p, f[i]))
                        return true;
        return false;
}

static bool any_matches(const char *name, char *const *l, size_t n, int how) {
        if (n == 0)
                return true;
        for (size_t i = 0; i < n; i++) {
                const char *base;
                switch (how) {
                case 0: /* prefix */
                        if (startswith(name, l[i]))
                                return true;
                        break;
                case 1: /* base name: what follows the last '/' */
                        base = strrchr(name, '/');
                        if (streq(base ? base + 1 : name, l[i]))
                                return true;
                        break;
                default: /* keyword */
                        if (strstr(name, l[i]))
                                return true;
                }
        }
        return false;
}

bool api_image_filter_match(const V1alpha__Image *m, const V1alpha__ImageFilter *f) {
        if (f->n_ids > 0 && !in_list(m->id, f->ids, f->n_ids))
                return false;
        if (f->n_full_names > 0 && !in_list(m->name, f->full_names, f->n_full_names))
                return false;
        if (!any_matches(m->name, f->prefixes, f->n_prefixes, 0) ||
            !any_matches(m->name, f->base_names, f->n_base_names, 1) ||
            !any_matches(m->name, f->keywords, f->n_keywords, 2))
                return false;
        if (f->imported_after > 0 && m->import_timestamp <= f->imported_after)
                return false;
        if (f->imported_before > 0 && m->import_timestamp >= f->imported_before)
                return false;
        return has_all_kv(m->labels, m->n_labels, f->labels, f->n_labels) &&
               has_all_kv(m->annotations, m->n_annotations, f->annotations, f->n_annotations);
}

bool api_image_filters_match(const V1alpha__Image *m, V1alpha__ImageFilter *const *f, size_t n) {
        if (n == 0)
                return true;
        for (size_t i = 0; i < n; i++)
                if (api_image_filter_match(m, f[i]))
                        return true;
        return false;
}

bool api_event_filter_match(const V1alpha__Event *e, const V1alpha__EventFilter *f) {
        bool found;

        if (!f)
                return true;
        found = f->n_types == 0;
        for (size_t i = 0; i < f->n_types && !found; i++)
                found = f->types[i] == e->type;
        if (!found)
                return false;
        if (f->n_ids > 0 && !in_list(e->id, f->ids, f->n_ids))
                return false;
        if (f->n_names > 0 && !in_list(e->from, f->names, f->n_names))
                return false;
        if (f->since_time > 0 && e->time < f->since_time)
                return false;
        if (f->until_time > 0 && e->time > f->until_time)
                return false;
        return true;
}
