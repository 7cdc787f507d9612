/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The public stream API: state creation, the sample FIFOs that make any block
 * size give the same output, one frame of processing (STFT, features,
 * network, gains, overlap-add), and the settings.
 */
#include "quell.h"

#include <math.h>
#include <string.h>

#include "alloc.h"
#include "bands.h"
#include "clean_guard.h"
#include "decimate.h"
#include "fpu.h"
#include "model.h"
#include "nnet.h"
#include "stft.h"

/* Time constant of the attenuation-limit smoothing (an exponential per frame). */
#define QUELL_LIMIT_SMOOTH_S 0.040
/* Bypass crossfade: 1/4 per frame, 4 frames (~40 ms); exact in binary, so it
 * lands exactly on 0 and 1. */
#define QUELL_BYPASS_STEP 0.25f
/* After this many STFT frames of digital silence (100 ms) the network forgets the past and
 * waits, as at the stream's start: models/README.md section 1, "digital silence". */
#define QUELL_SILENCE_RESET_FRAMES 10
/* Input samples are clamped to +-64 (36 dB over full scale). */
#define QUELL_INPUT_CLAMP 64.0f
/* Smaller inputs become 0: -600 dB, and no denormal can enter the stream. */
#define QUELL_INPUT_TINY 1e-30f

struct QuellState {
    const QuellModel *model;
    QuellModel *owned_model; /* the default model when created with model == NULL */
    int sample_rate;
    int channels;
    int hop;  /* H */
    int size; /* N = 2H */
    int span; /* input kept per channel: N, or 4H for a model with flatness inputs */
    int fill; /* samples of the current hop received, 0..H-1 */
    QuellStft stft;
    QuellBands bands;
    QuellNet net;
    QuellCleanGuard guard;
    QuellLongAnalysis long_analysis; /* flatness inputs only: L = 4H / D points */
    QuellDecimator decimator;        /* D > 1: low-pass and decimation of the input */
    float *long_input;               /* D > 1: [channels][L] the decimated input */
    QuellBands long_bands;           /* the model's bands on the L-point FFT at rate / D */
    kiss_fft_cpx *long_spec;         /* [L / 2 + 1] */
    float *long_power;               /* [L / 2 + 1] channel-mean |X_long|^2 */
    float *long_log;                 /* [L / 2 + 1] scratch of quell_bands_flatness() */
    int long_end;                    /* bins 0 .. long_end - 1 feed the flatness inputs */
    float *input;                    /* [channels][span]: past hops, then the hop being filled */
    float *ola;                      /* [channels][N]: overlap-add accumulator */
    float *output;                   /* [channels][H]: finished samples, emitted one per input */
    kiss_fft_cpx *spec;              /* [channels][H + 1] */
    float *power;                    /* [H + 1] channel-mean |X|^2 */
    float *features;                 /* [K + F] */
    float *band_energy;              /* [K] E_b + 1e-10, for the clean-speech guard */
    float *band_gains;               /* [K] */
    float *bin_gains;                /* [H + 1] */

    float limit_db;     /* as set */
    float floor_target; /* 10^(-limit_db / 20) */
    float floor_now;    /* smoothed floor used by the frames */
    float floor_alpha;  /* per-frame smoothing coefficient */
    int bypass;         /* as set */
    int guard_on;       /* the clean-speech guard, as set */
    float wet;          /* 1 = processed, 0 = bypassed; steps by QUELL_BYPASS_STEP */
    int fresh;          /* no frame since create/reset: settings apply at once */
    int silent_frames;  /* consecutive frames of digital silence, up to the reset count */
    float speech_prob;
    float reduction_db;
};

QUELL_API const char *quell_strerror(int err)
{
    switch (err) {
    case QUELL_OK:
        return "success";
    case QUELL_ERR_INVALID_ARG:
        return "invalid argument (NULL pointer or value out of range)";
    case QUELL_ERR_NO_MEMORY:
        return "out of memory";
    case QUELL_ERR_BAD_RATE:
        return "sample rate not supported (8000 to 192000 Hz)";
    case QUELL_ERR_BAD_CHANNELS:
        return "channel count not supported (1 to 8)";
    case QUELL_ERR_MODEL_IO:
        return "model file missing or unreadable";
    case QUELL_ERR_MODEL_FORMAT:
        return "model data malformed";
    case QUELL_ERR_MODEL_VERSION:
        return "model format version not supported";
    case QUELL_ERR_MODEL_CHECKSUM:
        return "model data corrupted (checksum mismatch)";
    default:
        return "unknown error";
    }
}

#define QUELL_STR2(x) #x
#define QUELL_STR(x) QUELL_STR2(x)

QUELL_API const char *quell_version_string(void)
{
    return QUELL_STR(QUELL_VERSION_MAJOR) "." QUELL_STR(QUELL_VERSION_MINOR) "." QUELL_STR(
        QUELL_VERSION_PATCH);
}

QUELL_API int quell_version(void)
{
    return QUELL_VERSION_MAJOR * 10000 + QUELL_VERSION_MINOR * 100 + QUELL_VERSION_PATCH;
}

static float quell_floor_for_db(float db)
{
    return (float)pow(10.0, -(double)db / 20.0);
}

QUELL_API void quell_destroy(QuellState *st)
{
    if (st == NULL)
        return;
    quell_stft_free(&st->stft);
    quell_bands_free(&st->bands);
    quell_clean_guard_free(&st->guard);
    quell_long_analysis_free(&st->long_analysis);
    quell_decimator_free(&st->decimator);
    quell_free(st->long_input);
    quell_bands_free(&st->long_bands);
    quell_free(st->long_spec);
    quell_free(st->long_power);
    quell_free(st->long_log);
    quell_net_free(&st->net);
    quell_free(st->input);
    quell_free(st->ola);
    quell_free(st->output);
    quell_free(st->spec);
    quell_free(st->power);
    quell_free(st->features);
    quell_free(st->band_energy);
    quell_free(st->band_gains);
    quell_free(st->bin_gains);
    quell_model_free(st->owned_model);
    quell_free(st);
}

static QuellState *quell_create_fail(QuellState *st, int code, int *err)
{
    quell_destroy(st);
    if (err != NULL)
        *err = code;
    return NULL;
}

/* The long analysis of the flatness inputs (models/README.md section 1): decimated by D
 * when its bands end well below Nyquist. */
static int quell_long_init(QuellState *st)
{
    const QuellModel *m = st->model;
    const int top_band = m->fine_first + m->n_fine;
    const double top_hz = top_band < m->n_bands ? (double)m->band_centers_hz[top_band]
                                                : 0.5 * st->sample_rate;
    const int d = quell_decimation_factor(st->sample_rate, st->hop, top_hz);
    const int size = 4 * st->hop / d;
    int e = quell_long_analysis_init(&st->long_analysis, size);
    if (e == QUELL_OK)
        e = quell_bands_init(&st->long_bands, m->band_centers_hz, m->n_bands,
                             (double)st->sample_rate / d, size);
    st->decimator.factor = 1;
    if (e == QUELL_OK && d > 1) {
        e = quell_decimator_init(&st->decimator, st->sample_rate, d, top_hz);
        st->long_input = quell_calloc((size_t)st->channels * (size_t)size, sizeof(float));
        if (e == QUELL_OK && st->long_input == NULL)
            e = QUELL_ERR_NO_MEMORY;
    }
    const size_t n_bins = (size_t)size / 2 + 1;
    st->long_spec = quell_calloc(n_bins, sizeof(kiss_fft_cpx));
    st->long_power = quell_calloc(n_bins, sizeof(float));
    st->long_log = quell_calloc(n_bins, sizeof(float));
    if (e == QUELL_OK && (!st->long_spec || !st->long_power || !st->long_log))
        e = QUELL_ERR_NO_MEMORY;
    if (e == QUELL_OK)
        st->long_end = quell_bands_end_bin(&st->long_bands, m->fine_first, m->n_fine);
    return e;
}

QUELL_API QuellState *quell_create(const QuellModel *model, int sample_rate_hz, int channels,
                                   int *err)
{
    if (sample_rate_hz < QUELL_MIN_SAMPLE_RATE || sample_rate_hz > QUELL_MAX_SAMPLE_RATE)
        return quell_create_fail(NULL, QUELL_ERR_BAD_RATE, err);
    if (channels < 1 || channels > QUELL_MAX_CHANNELS)
        return quell_create_fail(NULL, QUELL_ERR_BAD_CHANNELS, err);
    QuellState *st = quell_calloc(1, sizeof *st);
    if (st == NULL)
        return quell_create_fail(NULL, QUELL_ERR_NO_MEMORY, err);
    if (model == NULL) {
        int e = QUELL_OK;
        st->owned_model = quell_model_new_default(&e);
        if (st->owned_model == NULL)
            return quell_create_fail(st, e, err);
        model = st->owned_model;
    }
    st->model = model;
    st->sample_rate = sample_rate_hz;
    st->channels = channels;
    st->hop = quell_hop_for_rate(sample_rate_hz);
    st->size = 2 * st->hop;
    st->span = model->n_fine > 0 ? 4 * st->hop : st->size;

    const size_t ch = (size_t)channels, H = (size_t)st->hop, N = (size_t)st->size;
    const size_t K = (size_t)model->n_bands, span = (size_t)st->span;
    int e = quell_stft_init(&st->stft, st->hop);
    if (e == QUELL_OK)
        e = quell_bands_init(&st->bands, model->band_centers_hz, model->n_bands, sample_rate_hz,
                             st->size);
    if (e == QUELL_OK)
        e = quell_net_init(&st->net, model);
    if (e == QUELL_OK)
        e = quell_clean_guard_init(&st->guard, model->n_bands, (double)st->hop / sample_rate_hz);
    if (e == QUELL_OK && model->n_fine > 0)
        e = quell_long_init(st);
    if (e != QUELL_OK)
        return quell_create_fail(st, e, err);
    st->input = quell_calloc(ch * span, sizeof(float));
    st->ola = quell_calloc(ch * N, sizeof(float));
    st->output = quell_calloc(ch * H, sizeof(float));
    st->spec = quell_calloc(ch * (H + 1), sizeof(kiss_fft_cpx));
    st->power = quell_calloc(H + 1, sizeof(float));
    st->features = quell_calloc(K + (size_t)model->n_fine, sizeof(float));
    st->band_energy = quell_calloc(K, sizeof(float));
    st->band_gains = quell_calloc(K, sizeof(float));
    st->bin_gains = quell_calloc(H + 1, sizeof(float));
    if (!st->input || !st->ola || !st->output || !st->spec || !st->power || !st->features ||
        !st->band_energy || !st->band_gains || !st->bin_gains)
        return quell_create_fail(st, QUELL_ERR_NO_MEMORY, err);

    /* one frame is H / rate seconds (~10 ms) */
    double frame_s = (double)st->hop / sample_rate_hz;
    st->floor_alpha = (float)(1.0 - exp(-frame_s / QUELL_LIMIT_SMOOTH_S));
    st->limit_db = QUELL_DEFAULT_ATTENUATION_DB;
    st->floor_target = quell_floor_for_db(st->limit_db);
    st->bypass = 0;
    st->guard_on = 1;
    quell_reset(st);
    if (err != NULL)
        *err = QUELL_OK;
    return st;
}

QUELL_API void quell_reset(QuellState *st)
{
    if (st == NULL)
        return;
    const size_t ch = (size_t)st->channels, H = (size_t)st->hop, N = (size_t)st->size;
    memset(st->input, 0, ch * (size_t)st->span * sizeof(float));
    memset(st->ola, 0, ch * N * sizeof(float));
    memset(st->output, 0, ch * H * sizeof(float));
    if (st->long_input != NULL)
        memset(st->long_input, 0, ch * (size_t)st->long_analysis.size * sizeof(float));
    quell_net_reset(&st->net);
    quell_clean_guard_reset(&st->guard);
    st->fill = 0;
    st->fresh = 1;
    st->floor_now = st->floor_target;
    st->wet = st->bypass ? 0.0f : 1.0f;
    st->speech_prob = 0.0f;
    st->reduction_db = 0.0f;
    st->silent_frames = 0;
}

/* Moves the smoothed settings one frame towards their targets. */
static void quell_advance_settings(QuellState *st)
{
    float d = st->floor_target - st->floor_now;
    /* snap when within 0.001 dB: the exponential would otherwise stall one ulp short */
    if (fabsf(d) <= 1e-4f * st->floor_target)
        st->floor_now = st->floor_target;
    else
        st->floor_now += st->floor_alpha * d;
    if (st->bypass)
        st->wet = st->wet > QUELL_BYPASS_STEP ? st->wet - QUELL_BYPASS_STEP : 0.0f;
    else
        st->wet = st->wet < 1.0f - QUELL_BYPASS_STEP ? st->wet + QUELL_BYPASS_STEP : 1.0f;
}

/* Channel c's long frame of this hop: its last 4H input samples or, when decimated,
 * its decimated input after appending the new hop's H / D samples (so call it once per
 * channel and hop). */
static const float *quell_long_next_frame(QuellState *st, int c)
{
    const int H = st->hop, span = st->span, d = st->decimator.factor;
    const float *in = st->input + (size_t)c * (size_t)span;
    if (d == 1)
        return in;
    const int size = st->long_analysis.size, step = H / d;
    float *lin = st->long_input + (size_t)c * (size_t)size;
    memmove(lin, lin + step, (size_t)(size - step) * sizeof(float));
    /* the filter reaches back up to 3H samples: span is 4H */
    quell_decimate(&st->decimator, in + (span - H), lin + (size - step), step);
    return lin;
}

/* One hop: all channels' frames through the STFT, one network step, the same
 * gains applied to every channel, and H finished samples per channel. */
static void quell_run_frame(QuellState *st)
{
    const int ch = st->channels, H = st->hop, N = st->size, n_bins = H + 1;
    const int span = st->span;
    const QuellModel *m = st->model;

    for (int k = 0; k < n_bins; k++)
        st->power[k] = 0.0f;
    for (int c = 0; c < ch; c++) {
        kiss_fft_cpx *X = st->spec + (size_t)c * (size_t)n_bins;
        /* the STFT frame is the newest N samples of the channel's input */
        quell_stft_analyze(&st->stft, st->input + (size_t)c * (size_t)span + (span - N), X);
        for (int k = 0; k < n_bins; k++)
            st->power[k] += X[k].r * X[k].r + X[k].i * X[k].i;
    }
    const float inv_ch = 1.0f / (float)ch;
    for (int k = 0; k < n_bins; k++)
        st->power[k] *= inv_ch;
    quell_bands_features(&st->bands, st->power, st->features, st->band_energy);

    if (m->n_fine > 0) {
        const int n_long = st->long_end; /* the bins above feed no input */
        for (int k = 0; k < n_long; k++)
            st->long_power[k] = 0.0f;
        for (int c = 0; c < ch; c++) {
            kiss_fft_cpx *Z = st->long_spec;
            quell_long_analyze(&st->long_analysis, quell_long_next_frame(st, c), Z);
            for (int k = 0; k < n_long; k++)
                st->long_power[k] += Z[k].r * Z[k].r + Z[k].i * Z[k].i;
        }
        for (int k = 0; k < n_long; k++)
            st->long_power[k] *= inv_ch;
        quell_bands_flatness(&st->long_bands, st->long_power, m->fine_first, m->n_fine,
                             st->long_end, st->long_log, st->features + m->n_bands);
    }
    /* Digital silence carries nothing about the room, and a network that has it in its
     * past takes whatever sound comes next for speech (training puts speech after silence,
     * noise from the start). So after QUELL_SILENCE_RESET_FRAMES silent frames the network
     * is reset and rests; the next sound meets it as at t = 0, where training began both
     * speech and noise. The band gains keep their last values: they multiply zeros. */
    int silent = 1;
    for (int k = 0; k < n_bins && silent; k++)
        silent = st->power[k] == 0.0f;
    if (!silent) {
        st->silent_frames = 0;
    } else if (st->silent_frames < QUELL_SILENCE_RESET_FRAMES &&
               ++st->silent_frames == QUELL_SILENCE_RESET_FRAMES) {
        quell_net_reset(&st->net);
        quell_clean_guard_rest(&st->guard);
        st->speech_prob = 0.0f;
    }
    if (st->silent_frames < QUELL_SILENCE_RESET_FRAMES) {
        quell_net_step(&st->net, st->features, st->band_gains, &st->speech_prob);
        quell_clean_guard_apply(&st->guard, st->band_energy, st->band_gains, st->guard_on);
    }
    quell_advance_settings(st);
    st->fresh = 0;

    /* G' = max(G, floor), crossfaded to 1 by bypass: wet 1 gives G' exactly,
     * wet 0 gives exactly 1. Energies for the reduction meter count the
     * interior bins twice (they stand for two bins of the full spectrum). */
    quell_bands_interpolate(&st->bands, st->band_gains, st->bin_gains);
    /* The DC bin (0 .. fs/(2N) <= 25 Hz) holds no speech, only offsets and rumble,
     * whose leakage through the window no later gain can take away: it always
     * gets the floor (models/README.md §1). */
    st->bin_gains[0] = 0.0f;
    const float floor = st->floor_now, wet = st->wet, dry = 1.0f - wet;
    double e_in = 0.0, e_out = 0.0;
    for (int k = 0; k < n_bins; k++) {
        float g = st->bin_gains[k];
        g = g < 1.0f ? g : 1.0f;
        g = g > floor ? g : floor;
        g = g * wet + dry;
        st->bin_gains[k] = g;
        double p = (double)st->power[k] * ((k == 0 || k == H) ? 1.0 : 2.0);
        e_in += p;
        e_out += p * (double)(g * g);
    }
    /* gains are >= 1e-5, so e_out >= 1e-10 e_in; quiet frames read 0 dB */
    st->reduction_db = e_in > 1e-20 && e_out > 0.0 ? (float)(10.0 * log10(e_in / e_out)) : 0.0f;
    if (!(st->reduction_db > 0.0f))
        st->reduction_db = 0.0f;

    for (int c = 0; c < ch; c++) {
        kiss_fft_cpx *X = st->spec + (size_t)c * (size_t)n_bins;
        for (int k = 0; k < n_bins; k++) {
            X[k].r *= st->bin_gains[k];
            X[k].i *= st->bin_gains[k];
        }
        float *ola = st->ola + (size_t)c * (size_t)N;
        float *in = st->input + (size_t)c * (size_t)span;
        quell_stft_synthesize(&st->stft, X, ola);
        /* ola[0..H) is complete: it becomes the next H output samples */
        memcpy(st->output + (size_t)c * (size_t)H, ola, (size_t)H * sizeof(float));
        memmove(ola, ola + H, (size_t)H * sizeof(float));
        memset(ola + H, 0, (size_t)H * sizeof(float));
        memmove(in, in + H, (size_t)(span - H) * sizeof(float));
    }
}

static float quell_clean_sample(float x)
{
    if (!isfinite(x))
        return 0.0f;
    if (fabsf(x) < QUELL_INPUT_TINY)
        return 0.0f;
    return x > QUELL_INPUT_CLAMP ? QUELL_INPUT_CLAMP
                                 : (x < -QUELL_INPUT_CLAMP ? -QUELL_INPUT_CLAMP : x);
}

QUELL_API int quell_process(QuellState *st, const float *in, float *out, size_t n_frames)
{
    if (st == NULL || in == NULL || out == NULL)
        return QUELL_ERR_INVALID_ARG;
    QuellFpuMode mode = quell_fpu_enter();
    const size_t ch = (size_t)st->channels, H = (size_t)st->hop;
    size_t done = 0;
    while (done < n_frames) {
        size_t fill = (size_t)st->fill;
        size_t n = H - fill;
        if (n > n_frames - done)
            n = n_frames - done;
        /* Each sample is read before its output slot is written: in-place works. */
        for (size_t c = 0; c < ch; c++) {
            const float *src = in + done * ch + c;
            float *dst = out + done * ch + c;
            float *buf = st->input + c * (size_t)st->span + ((size_t)st->span - H) + fill;
            const float *fifo = st->output + c * H + fill;
            for (size_t i = 0; i < n; i++) {
                float x = quell_clean_sample(src[i * ch]);
                buf[i] = x;
                dst[i * ch] = fifo[i];
            }
        }
        st->fill += (int)n;
        done += n;
        if ((size_t)st->fill == H) {
            quell_run_frame(st);
            st->fill = 0;
        }
    }
    quell_fpu_leave(mode);
    return QUELL_OK;
}

QUELL_API int quell_latency(const QuellState *st)
{
    return st != NULL ? st->size : 0;
}

QUELL_API int quell_sample_rate(const QuellState *st)
{
    return st != NULL ? st->sample_rate : 0;
}

QUELL_API int quell_channels(const QuellState *st)
{
    return st != NULL ? st->channels : 0;
}

QUELL_API int quell_set_attenuation_limit_db(QuellState *st, float db)
{
    if (st == NULL || isnan(db))
        return QUELL_ERR_INVALID_ARG;
    db = db < 0.0f ? 0.0f : (db > QUELL_MAX_ATTENUATION_DB ? QUELL_MAX_ATTENUATION_DB : db);
    st->limit_db = db;
    st->floor_target = quell_floor_for_db(db);
    if (st->fresh)
        st->floor_now = st->floor_target;
    return QUELL_OK;
}

QUELL_API float quell_get_attenuation_limit_db(const QuellState *st)
{
    return st != NULL ? st->limit_db : 0.0f;
}

QUELL_API int quell_set_bypass(QuellState *st, int bypass)
{
    if (st == NULL)
        return QUELL_ERR_INVALID_ARG;
    st->bypass = bypass != 0;
    if (st->fresh)
        st->wet = st->bypass ? 0.0f : 1.0f;
    return QUELL_OK;
}

QUELL_API int quell_get_bypass(const QuellState *st)
{
    return st != NULL ? st->bypass : 0;
}

QUELL_API int quell_set_clean_guard(QuellState *st, int enabled)
{
    if (st == NULL)
        return QUELL_ERR_INVALID_ARG;
    st->guard_on = enabled != 0;
    return QUELL_OK;
}

QUELL_API int quell_get_clean_guard(const QuellState *st)
{
    return st != NULL ? st->guard_on : 0;
}

QUELL_API float quell_get_speech_probability(const QuellState *st)
{
    return st != NULL ? st->speech_prob : 0.0f;
}

QUELL_API float quell_get_noise_reduction_db(const QuellState *st)
{
    return st != NULL ? st->reduction_db : 0.0f;
}
