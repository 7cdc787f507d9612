/* SPDX-License-Identifier: BSD-3-Clause */
/* Standard-independent plugin instance: see plugin_core.h for the port layout. */
#include "plugin_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <quell.h>

/*
 * Audio is moved through a state-owned interleaved buffer of this many
 * frames (5.3 ms at 48 kHz): each chunk of every input is read before any
 * output of that chunk is written, so hosts may alias any input port with
 * any output port (LADSPA allows it unless a plugin says INPLACE_BROKEN).
 */
#define QUELL_PLUGIN_CHUNK 256

struct QuellPlugin {
    QuellState *st;
    int channels;
    float *chunk; /* QUELL_PLUGIN_CHUNK * channels interleaved samples */
    const float *in[QUELL_MAX_CHANNELS];
    float *out[QUELL_MAX_CHANNELS];
    float *ctl[QUELL_PLUGIN_N_CONTROLS];
    float attenuation_db; /* last value given to the library */
    int enabled;          /* last value given to the library */
    int guard;            /* last value given to the library */
};

unsigned long quell_plugin_port_count(int channels)
{
    return 2ul * (unsigned long)channels + QUELL_PLUGIN_N_CONTROLS;
}

QuellPlugin *quell_plugin_new(double sample_rate_hz, int channels)
{
    if (!(sample_rate_hz >= QUELL_MIN_SAMPLE_RATE && sample_rate_hz <= QUELL_MAX_SAMPLE_RATE) ||
        channels < 1 || channels > QUELL_MAX_CHANNELS)
        return NULL;
    QuellPlugin *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->channels = channels;
    p->chunk = calloc((size_t)QUELL_PLUGIN_CHUNK * (size_t)channels, sizeof(float));
    /* NULL model: the state keeps its own copy of the embedded default weights. */
    p->st = quell_create(NULL, (int)lround(sample_rate_hz), channels, NULL);
    if (!p->chunk || !p->st) {
        quell_plugin_free(p);
        return NULL;
    }
    p->attenuation_db = quell_get_attenuation_limit_db(p->st);
    p->enabled = !quell_get_bypass(p->st);
    p->guard = quell_get_clean_guard(p->st);
    return p;
}

void quell_plugin_connect(QuellPlugin *p, unsigned long port, void *data)
{
    unsigned long c = (unsigned long)p->channels;
    if (port < c)
        p->in[port] = data;
    else if (port < 2 * c)
        p->out[port - c] = data;
    else if (port < 2 * c + QUELL_PLUGIN_N_CONTROLS)
        p->ctl[port - 2 * c] = data;
}

void quell_plugin_activate(QuellPlugin *p)
{
    quell_reset(p->st);
}

/* Pass control input changes to the library, which clamps and smooths them. */
static void quell_plugin_read_controls(QuellPlugin *p)
{
    const float *atten = p->ctl[QUELL_PLUGIN_CTL_ATTENUATION];
    if (atten && !isnan(*atten) && *atten != p->attenuation_db) {
        p->attenuation_db = *atten;
        quell_set_attenuation_limit_db(p->st, *atten);
    }
    const float *enable = p->ctl[QUELL_PLUGIN_CTL_ENABLE];
    if (enable && !isnan(*enable)) {
        int on = *enable > 0.5f;
        if (on != p->enabled) {
            p->enabled = on;
            quell_set_bypass(p->st, !on);
        }
    }
    const float *guard = p->ctl[QUELL_PLUGIN_CTL_GUARD];
    if (guard && !isnan(*guard)) {
        int on = *guard > 0.5f;
        if (on != p->guard) {
            p->guard = on;
            quell_set_clean_guard(p->st, on);
        }
    }
}

void quell_plugin_run(QuellPlugin *p, unsigned long n_frames)
{
    quell_plugin_read_controls(p);
    const int ch = p->channels;
    unsigned long done = 0;
    while (done < n_frames) {
        unsigned long n = n_frames - done;
        if (n > QUELL_PLUGIN_CHUNK)
            n = QUELL_PLUGIN_CHUNK;
        for (int c = 0; c < ch; c++) {
            const float *in = p->in[c];
            for (unsigned long i = 0; i < n; i++)
                p->chunk[i * (unsigned long)ch + (unsigned long)c] = in ? in[done + i] : 0.0f;
        }
        quell_process(p->st, p->chunk, p->chunk, n);
        for (int c = 0; c < ch; c++) {
            float *out = p->out[c];
            if (!out)
                continue;
            for (unsigned long i = 0; i < n; i++)
                out[done + i] = p->chunk[i * (unsigned long)ch + (unsigned long)c];
        }
        done += n;
    }
    /* Written even for n_frames == 0: some hosts run 0 frames to ask for the latency. */
    if (p->ctl[QUELL_PLUGIN_CTL_LATENCY])
        *p->ctl[QUELL_PLUGIN_CTL_LATENCY] = (float)quell_latency(p->st);
    if (p->ctl[QUELL_PLUGIN_CTL_SPEECH])
        *p->ctl[QUELL_PLUGIN_CTL_SPEECH] = quell_get_speech_probability(p->st);
}

void quell_plugin_free(QuellPlugin *p)
{
    if (!p)
        return;
    quell_destroy(p->st);
    free(p->chunk);
    free(p);
}
