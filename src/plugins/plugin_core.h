/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The part of the LADSPA and LV2 plugins that does not depend on the plugin
 * standard: one quell stream, the port layout shared by both standards, and
 * a run() that is real-time safe and works whatever ports the host aliases.
 *
 * Port layout for C channels (C = 1 mono, 2 stereo); the indices are part of
 * the plugins' interface and must never change:
 *   0 .. C-1       audio inputs
 *   C .. 2C-1      audio outputs
 *   2C             attenuation limit, dB (control in, 0..100)
 *   2C + 1         enable (control in, toggle: 0 bypasses)
 *   2C + 2         latency, samples (control out)
 *   2C + 3         speech probability, 0..1 (control out)
 *   2C + 4         clean-speech guard (control in, toggle: 1 on, the default)
 */
#ifndef QUELL_PLUGIN_CORE_H
#define QUELL_PLUGIN_CORE_H

#include <stddef.h>

/** Control ports, as offsets from the first control port (2C). */
enum {
    QUELL_PLUGIN_CTL_ATTENUATION = 0,
    QUELL_PLUGIN_CTL_ENABLE = 1,
    QUELL_PLUGIN_CTL_LATENCY = 2,
    QUELL_PLUGIN_CTL_SPEECH = 3,
    QUELL_PLUGIN_CTL_GUARD = 4,
    QUELL_PLUGIN_N_CONTROLS = 5
};

/** Largest latency the library reports (2 * 1920 samples at 192 kHz), for port ranges. */
#define QUELL_PLUGIN_MAX_LATENCY 3840

typedef struct QuellPlugin QuellPlugin;

/** Number of ports of a plugin with @p channels channels. */
unsigned long quell_plugin_port_count(int channels);

/**
 * Create a plugin instance at a host's sample rate (Hz, rounded to the
 * nearest integer). Returns NULL for a rate the library refuses or when
 * memory runs out. [NonRT]
 */
QuellPlugin *quell_plugin_new(double sample_rate_hz, int channels);

/** Connect port @p port (see the layout above) to host memory; NULL disconnects. [RT] */
void quell_plugin_connect(QuellPlugin *p, unsigned long port, void *data);

/** Clear the stream's history, as the standards ask of activate(). [RT] */
void quell_plugin_activate(QuellPlugin *p);

/** Process @p n_frames samples per channel between the connected ports. [RT] */
void quell_plugin_run(QuellPlugin *p, unsigned long n_frames);

/** Destroy an instance; NULL is ignored. [NonRT] */
void quell_plugin_free(QuellPlugin *p);

#endif /* QUELL_PLUGIN_CORE_H */
