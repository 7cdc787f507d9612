/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine.h"

#include <math.h>
#include <string.h>
#include <time.h>

int live_engine_init(LiveEngine *eng, QuellState *st, int channels, float atten_db, int bypass)
{
    memset(eng, 0, sizeof(*eng));
    eng->st = st;
    eng->channels = channels;
    atomic_init(&eng->bypass_req, bypass);
    atomic_init(&eng->atten_req, atten_db);
    atomic_init(&eng->in_peak, 0.0f);
    atomic_init(&eng->out_peak, 0.0f);
    atomic_init(&eng->nr_db, 0.0f);
    atomic_init(&eng->speech, 0.0f);
    atomic_init(&eng->frames, 0);
    atomic_init(&eng->in_underflows, 0);
    atomic_init(&eng->in_overflows, 0);
    atomic_init(&eng->out_underflows, 0);
    atomic_init(&eng->out_overflows, 0);
    atomic_init(&eng->play_done, 0);
    atomic_init(&eng->callback_max_s, 0.0f);
    /* Applied here, before the stream runs, so the first block is already right. */
    quell_set_bypass(st, bypass);
    quell_set_attenuation_limit_db(st, atten_db);
    eng->bypass_applied = bypass;
    eng->atten_applied = atten_db;
    /* A float atomic that needs a lock would break the callback's promise. */
    return atomic_is_lock_free(&eng->in_peak) && atomic_is_lock_free(&eng->frames) ? 0 : -1;
}

/* Raise a published peak; the UI swaps it back to 0 when it reads it. A
 * race only loses one block's peak from one meter refresh. */
static void raise_peak(_Atomic float *meter, float peak)
{
    if (peak > atomic_load_explicit(meter, memory_order_relaxed))
        atomic_store_explicit(meter, peak, memory_order_relaxed);
}

static float block_peak(const float *x, size_t n)
{
    float p = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float a = fabsf(x[i]);
        if (a > p) /* NaN compares false and is skipped */
            p = a;
    }
    return p;
}

/* CLOCK_MONOTONIC is read through the vDSO on Linux: no system call, no lock. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void count_flags(LiveEngine *eng, PaStreamCallbackFlags flags)
{
    if (flags & paInputUnderflow)
        atomic_fetch_add_explicit(&eng->in_underflows, 1, memory_order_relaxed);
    if (flags & paInputOverflow)
        atomic_fetch_add_explicit(&eng->in_overflows, 1, memory_order_relaxed);
    if (flags & paOutputUnderflow)
        atomic_fetch_add_explicit(&eng->out_underflows, 1, memory_order_relaxed);
    if (flags & paOutputOverflow)
        atomic_fetch_add_explicit(&eng->out_overflows, 1, memory_order_relaxed);
}

/* Apply settings the UI asked for; both setters are real-time safe and smooth
 * the change themselves (about 40 ms). */
static void apply_requests(LiveEngine *eng)
{
    int bypass = atomic_load_explicit(&eng->bypass_req, memory_order_relaxed);
    float atten = atomic_load_explicit(&eng->atten_req, memory_order_relaxed);
    if (bypass != eng->bypass_applied) {
        quell_set_bypass(eng->st, bypass);
        eng->bypass_applied = bypass;
    }
    if (atten != eng->atten_applied) {
        quell_set_attenuation_limit_db(eng->st, atten);
        eng->atten_applied = atten;
    }
}

/* Fill the scratch with n frames of input: the stream's, or the play file's
 * (silence once it has run out). */
static void take_input(LiveEngine *eng, const float *in, size_t n)
{
    size_t count = n * (size_t)eng->channels;
    if (in) {
        memcpy(eng->scratch, in, count * sizeof(float));
        return;
    }
    if (eng->play) {
        size_t left = eng->play_frames - eng->play_pos;
        size_t take = left < n ? left : n;
        memcpy(eng->scratch, eng->play + eng->play_pos * (size_t)eng->channels,
               take * (size_t)eng->channels * sizeof(float));
        memset(eng->scratch + take * (size_t)eng->channels, 0,
               (n - take) * (size_t)eng->channels * sizeof(float));
        eng->play_pos += take;
        if (eng->play_pos == eng->play_frames)
            atomic_store_explicit(&eng->play_done, 1, memory_order_relaxed);
        return;
    }
    memset(eng->scratch, 0, count * sizeof(float));
}

/* Write n processed frames to the output, spreading mono over every output
 * channel (a mono microphone is heard on both sides of a stereo device). */
static void give_output(const LiveEngine *eng, float *out, size_t n)
{
    int oc = eng->out_channels, c = eng->channels;
    if (oc == c) {
        memcpy(out, eng->scratch, n * (size_t)c * sizeof(float));
        return;
    }
    for (size_t f = 0; f < n; f++)
        for (int k = 0; k < oc; k++)
            out[f * (size_t)oc + (size_t)k] = eng->scratch[f * (size_t)c + (size_t)(k % c)];
}

int live_engine_callback(const void *input, void *output, unsigned long n_frames,
                         const PaStreamCallbackTimeInfo *time, PaStreamCallbackFlags flags,
                         void *user)
{
    LiveEngine *eng = user;
    const float *in = input;
    float *out = output;
    float in_peak = 0.0f, out_peak = 0.0f;
    size_t done = 0;
    double t0 = now_s(), took;
    (void)time;

    count_flags(eng, flags);
    apply_requests(eng);
    while (done < n_frames) {
        size_t n = n_frames - done < LIVE_CHUNK_FRAMES ? n_frames - done : LIVE_CHUNK_FRAMES;
        size_t count = n * (size_t)eng->channels;
        float p;
        take_input(eng, in ? in + done * (size_t)eng->in_channels : NULL, n);
        if (eng->record_raw)
            live_sink_push(eng->record_raw, eng->scratch, n);
        p = block_peak(eng->scratch, count);
        in_peak = p > in_peak ? p : in_peak;
        quell_process(eng->st, eng->scratch, eng->scratch, n);
        p = block_peak(eng->scratch, count);
        out_peak = p > out_peak ? p : out_peak;
        if (eng->record)
            live_sink_push(eng->record, eng->scratch, n);
        if (out)
            give_output(eng, out + done * (size_t)eng->out_channels, n);
        done += n;
    }
    raise_peak(&eng->in_peak, in_peak);
    raise_peak(&eng->out_peak, out_peak);
    atomic_store_explicit(&eng->nr_db, quell_get_noise_reduction_db(eng->st), memory_order_relaxed);
    atomic_store_explicit(&eng->speech, quell_get_speech_probability(eng->st),
                          memory_order_relaxed);
    took = now_s() - t0;
    if (took > (double)atomic_load_explicit(&eng->callback_max_s, memory_order_relaxed))
        atomic_store_explicit(&eng->callback_max_s, (float)took, memory_order_relaxed);
    atomic_fetch_add_explicit(&eng->frames, n_frames, memory_order_release);
    return paContinue;
}
