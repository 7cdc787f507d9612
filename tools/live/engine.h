/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file engine.h
 * @brief The audio callback and what it shares with the other threads.
 *
 * The callback only moves samples, calls quell_process() and the real-time
 * safe quell setters, and exchanges numbers with the UI through atomics:
 * requests (bypass, attenuation limit) flow in, meters and counters flow out.
 * No allocation, lock, I/O or logging happens in it.
 */
#ifndef LIVE_ENGINE_H
#define LIVE_ENGINE_H

#include <portaudio.h>
#include <stdatomic.h>
#include <stddef.h>

#include <quell.h>

#include "recorder.h"

/** Frames processed per quell_process() call at most; longer callbacks loop. */
#define LIVE_CHUNK_FRAMES 1024

/** State shared by the callback (RT) and the main thread. */
typedef struct LiveEngine {
    /* Set up before the stream starts, then read-only. */
    QuellState *st;
    int channels;      /**< processed channels */
    int in_channels;   /**< stream input channels; 0 with --play */
    int out_channels;  /**< stream output channels; 0 with --no-output */
    const float *play; /**< --play samples, interleaved at `channels` */
    size_t play_frames;
    LiveSink *record;     /**< denoised recording or NULL */
    LiveSink *record_raw; /**< raw recording or NULL */
    float scratch[LIVE_CHUNK_FRAMES * QUELL_MAX_CHANNELS];

    /* Owned by the callback. */
    size_t play_pos;
    int bypass_applied;
    float atten_applied;

    /* UI -> callback requests. */
    atomic_int bypass_req;
    _Atomic float atten_req;

    /* Callback -> UI meters (peaks since the UI last took them). */
    _Atomic float in_peak;
    _Atomic float out_peak;
    _Atomic float nr_db;
    _Atomic float speech;
    atomic_ullong frames; /**< frames processed so far */
    atomic_uint in_underflows, in_overflows, out_underflows, out_overflows;
    atomic_int play_done;         /**< the --play file has run out */
    _Atomic float callback_max_s; /**< longest callback so far, wall-clock seconds */
} LiveEngine;

/**
 * Prepare @p eng for @p st: clear counters and apply the initial settings.
 * @return 0, or -1 when this platform's float atomics are not lock-free. [NonRT]
 */
int live_engine_init(LiveEngine *eng, QuellState *st, int channels, float atten_db, int bypass);

/** The PortAudio stream callback; @p user is the LiveEngine. [RT] */
int live_engine_callback(const void *input, void *output, unsigned long n_frames,
                         const PaStreamCallbackTimeInfo *time, PaStreamCallbackFlags flags,
                         void *user);

#endif /* LIVE_ENGINE_H */
