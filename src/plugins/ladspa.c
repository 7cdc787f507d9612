/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LADSPA plugins quell_mono (ID 4271001) and quell_stereo (ID 4271002).
 * The port layout is that of plugin_core.h; README.md documents it. The IDs
 * were chosen from a range that no published LADSPA plugin uses.
 */
#include <ladspa.h>

#include <quell.h>

#include "plugin_core.h"

#define QUELL_LADSPA_ID_MONO 4271001ul
#define QUELL_LADSPA_ID_STEREO 4271002ul

static const LADSPA_PortDescriptor quell_ladspa_mono_kinds[] = {
    LADSPA_PORT_INPUT | LADSPA_PORT_AUDIO,    LADSPA_PORT_OUTPUT | LADSPA_PORT_AUDIO,
    LADSPA_PORT_INPUT | LADSPA_PORT_CONTROL,  LADSPA_PORT_INPUT | LADSPA_PORT_CONTROL,
    LADSPA_PORT_OUTPUT | LADSPA_PORT_CONTROL, LADSPA_PORT_OUTPUT | LADSPA_PORT_CONTROL,
    LADSPA_PORT_INPUT | LADSPA_PORT_CONTROL,
};
static const LADSPA_PortDescriptor quell_ladspa_stereo_kinds[] = {
    LADSPA_PORT_INPUT | LADSPA_PORT_AUDIO,    LADSPA_PORT_INPUT | LADSPA_PORT_AUDIO,
    LADSPA_PORT_OUTPUT | LADSPA_PORT_AUDIO,   LADSPA_PORT_OUTPUT | LADSPA_PORT_AUDIO,
    LADSPA_PORT_INPUT | LADSPA_PORT_CONTROL,  LADSPA_PORT_INPUT | LADSPA_PORT_CONTROL,
    LADSPA_PORT_OUTPUT | LADSPA_PORT_CONTROL, LADSPA_PORT_OUTPUT | LADSPA_PORT_CONTROL,
    LADSPA_PORT_INPUT | LADSPA_PORT_CONTROL,
};

/* "latency" is the output port name that LADSPA hosts (Ardour, ffmpeg) look for. */
static const char *const quell_ladspa_mono_names[] = {
    "Input", "Output", "Attenuation limit (dB)", "Enable", "latency", "Speech probability",
    "Clean-speech guard",
};
static const char *const quell_ladspa_stereo_names[] = {
    "Input L", "Input R", "Output L",           "Output R", "Attenuation limit (dB)",
    "Enable",  "latency", "Speech probability", "Clean-speech guard",
};

/*
 * LADSPA can express a default only as 0, 25, 50, 75 or 100 % of the range
 * (or a few constants), so the library's 40 dB cannot be the default here:
 * DEFAULT_MIDDLE gives 50 dB, the nearest. LV2 has the exact 40 dB.
 */
#define QUELL_LADSPA_ATTENUATION_HINT                                                              \
    {                                                                                              \
        LADSPA_HINT_BOUNDED_BELOW | LADSPA_HINT_BOUNDED_ABOVE | LADSPA_HINT_DEFAULT_MIDDLE, 0.0f,  \
            QUELL_MAX_ATTENUATION_DB                                                               \
    }
#define QUELL_LADSPA_ENABLE_HINT                                                                   \
    {                                                                                              \
        LADSPA_HINT_TOGGLED | LADSPA_HINT_DEFAULT_1, 0.0f, 0.0f                                    \
    }
/*
 * Output controls carry a default too: sox asks an argument or a default of
 * every control port, outputs included (it reads "latency" itself with -l).
 */
#define QUELL_LADSPA_LATENCY_HINT                                                                  \
    {                                                                                              \
        LADSPA_HINT_BOUNDED_BELOW | LADSPA_HINT_BOUNDED_ABOVE | LADSPA_HINT_INTEGER |              \
            LADSPA_HINT_DEFAULT_MINIMUM,                                                           \
            0.0f, (float)QUELL_PLUGIN_MAX_LATENCY                                                  \
    }
#define QUELL_LADSPA_SPEECH_HINT                                                                   \
    {                                                                                              \
        LADSPA_HINT_BOUNDED_BELOW | LADSPA_HINT_BOUNDED_ABOVE | LADSPA_HINT_DEFAULT_MINIMUM, 0.0f, \
            1.0f                                                                                   \
    }

static const LADSPA_PortRangeHint quell_ladspa_mono_hints[] = {
    {0, 0.0f, 0.0f},          {0, 0.0f, 0.0f},           QUELL_LADSPA_ATTENUATION_HINT,
    QUELL_LADSPA_ENABLE_HINT, QUELL_LADSPA_LATENCY_HINT, QUELL_LADSPA_SPEECH_HINT,
    QUELL_LADSPA_ENABLE_HINT, /* the guard: a toggle that defaults to 1 as well */
};
static const LADSPA_PortRangeHint quell_ladspa_stereo_hints[] = {
    {0, 0.0f, 0.0f},
    {0, 0.0f, 0.0f},
    {0, 0.0f, 0.0f},
    {0, 0.0f, 0.0f},
    QUELL_LADSPA_ATTENUATION_HINT,
    QUELL_LADSPA_ENABLE_HINT,
    QUELL_LADSPA_LATENCY_HINT,
    QUELL_LADSPA_SPEECH_HINT,
    QUELL_LADSPA_ENABLE_HINT,
};

static LADSPA_Handle quell_ladspa_instantiate(const LADSPA_Descriptor *d, unsigned long rate)
{
    int channels = d->UniqueID == QUELL_LADSPA_ID_STEREO ? 2 : 1;
    return quell_plugin_new((double)rate, channels);
}

static void quell_ladspa_connect(LADSPA_Handle h, unsigned long port, LADSPA_Data *data)
{
    quell_plugin_connect(h, port, data);
}

static void quell_ladspa_activate(LADSPA_Handle h)
{
    quell_plugin_activate(h);
}

static void quell_ladspa_run(LADSPA_Handle h, unsigned long n_frames)
{
    quell_plugin_run(h, n_frames);
}

static void quell_ladspa_cleanup(LADSPA_Handle h)
{
    quell_plugin_free(h);
}

static const LADSPA_Descriptor quell_ladspa_descriptors[] = {
    {
        .UniqueID = QUELL_LADSPA_ID_MONO,
        .Label = "quell_mono",
        .Properties = LADSPA_PROPERTY_HARD_RT_CAPABLE,
        .Name = "quell noise suppressor (mono)",
        .Maker = "quell developers",
        .Copyright = "BSD-3-Clause",
        .PortCount = sizeof(quell_ladspa_mono_kinds) / sizeof(quell_ladspa_mono_kinds[0]),
        .PortDescriptors = quell_ladspa_mono_kinds,
        .PortNames = quell_ladspa_mono_names,
        .PortRangeHints = quell_ladspa_mono_hints,
        .instantiate = quell_ladspa_instantiate,
        .connect_port = quell_ladspa_connect,
        .activate = quell_ladspa_activate,
        .run = quell_ladspa_run,
        .cleanup = quell_ladspa_cleanup,
    },
    {
        .UniqueID = QUELL_LADSPA_ID_STEREO,
        .Label = "quell_stereo",
        .Properties = LADSPA_PROPERTY_HARD_RT_CAPABLE,
        .Name = "quell noise suppressor (stereo)",
        .Maker = "quell developers",
        .Copyright = "BSD-3-Clause",
        .PortCount = sizeof(quell_ladspa_stereo_kinds) / sizeof(quell_ladspa_stereo_kinds[0]),
        .PortDescriptors = quell_ladspa_stereo_kinds,
        .PortNames = quell_ladspa_stereo_names,
        .PortRangeHints = quell_ladspa_stereo_hints,
        .instantiate = quell_ladspa_instantiate,
        .connect_port = quell_ladspa_connect,
        .activate = quell_ladspa_activate,
        .run = quell_ladspa_run,
        .cleanup = quell_ladspa_cleanup,
    },
};

/** The LADSPA entry point: the plugin at @p index, or NULL past the last. */
__attribute__((visibility("default"))) const LADSPA_Descriptor *
ladspa_descriptor(unsigned long index)
{
    if (index >= sizeof(quell_ladspa_descriptors) / sizeof(quell_ladspa_descriptors[0]))
        return NULL;
    return &quell_ladspa_descriptors[index];
}
