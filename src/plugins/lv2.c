/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LV2 plugins urn:quell:mono and urn:quell:stereo. The ports (indices,
 * ranges, units, latency designation) are described in quell.lv2/quell.ttl
 * and follow the layout of plugin_core.h.
 */
#include <lv2/core/lv2.h>

#include "plugin_core.h"

#define QUELL_LV2_URI_MONO "urn:quell:mono"
#define QUELL_LV2_URI_STEREO "urn:quell:stereo"

static LV2_Handle quell_lv2_instantiate_mono(const LV2_Descriptor *d, double rate,
                                             const char *bundle, const LV2_Feature *const *f)
{
    (void)d;
    (void)bundle;
    (void)f;
    return quell_plugin_new(rate, 1);
}

static LV2_Handle quell_lv2_instantiate_stereo(const LV2_Descriptor *d, double rate,
                                               const char *bundle, const LV2_Feature *const *f)
{
    (void)d;
    (void)bundle;
    (void)f;
    return quell_plugin_new(rate, 2);
}

static void quell_lv2_connect(LV2_Handle h, uint32_t port, void *data)
{
    quell_plugin_connect(h, port, data);
}

static void quell_lv2_activate(LV2_Handle h)
{
    quell_plugin_activate(h);
}

static void quell_lv2_run(LV2_Handle h, uint32_t n_frames)
{
    quell_plugin_run(h, n_frames);
}

static void quell_lv2_cleanup(LV2_Handle h)
{
    quell_plugin_free(h);
}

static const void *quell_lv2_extension_data(const char *uri)
{
    (void)uri;
    return NULL;
}

static const LV2_Descriptor quell_lv2_descriptors[] = {
    {QUELL_LV2_URI_MONO, quell_lv2_instantiate_mono, quell_lv2_connect, quell_lv2_activate,
     quell_lv2_run, NULL, quell_lv2_cleanup, quell_lv2_extension_data},
    {QUELL_LV2_URI_STEREO, quell_lv2_instantiate_stereo, quell_lv2_connect, quell_lv2_activate,
     quell_lv2_run, NULL, quell_lv2_cleanup, quell_lv2_extension_data},
};

/** The LV2 entry point: the plugin at @p index, or NULL past the last. */
LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index)
{
    if (index >= sizeof(quell_lv2_descriptors) / sizeof(quell_lv2_descriptors[0]))
        return NULL;
    return &quell_lv2_descriptors[index];
}
