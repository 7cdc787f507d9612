/* SPDX-License-Identifier: BSD-3-Clause */
#include "stft.h"

#include <math.h>
#include <stddef.h>

#include "alloc.h"
#include "quell.h"

int quell_hop_for_rate(int sample_rate_hz)
{
    /* 10 ms or just under, with only the radices KISS FFT handles without
     * allocating (2, 3, 4, 5). */
    for (int h = sample_rate_hz / 100; h > 1; h--) {
        int r = h;
        while (r % 2 == 0)
            r /= 2;
        while (r % 3 == 0)
            r /= 3;
        while (r % 5 == 0)
            r /= 5;
        if (r == 1)
            return h;
    }
    return 1;
}

/* A KISS FFT plan in memory from quell_calloc(): ask its size, then build it there. */
static kiss_fftr_cfg quell_fftr_plan(int n, int inverse)
{
    size_t len = 0;
    (void)kiss_fftr_alloc(n, inverse, NULL, &len);
    if (len == 0)
        return NULL;
    void *mem = quell_calloc(len, 1);
    if (mem == NULL)
        return NULL;
    kiss_fftr_cfg cfg = kiss_fftr_alloc(n, inverse, mem, &len);
    if (cfg == NULL)
        quell_free(mem);
    return cfg;
}

/* w[i] = sin(pi (i + 0.5) / n), the analysis window of both frame lengths, and (when
 * w_over_n is not NULL) w[i] / n rounded from double, the synthesis window. */
static void quell_sine_window(float *w, float *w_over_n, int n)
{
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < n; i++) {
        double v = sin(pi * (i + 0.5) / n);
        w[i] = (float)v;
        if (w_over_n != NULL)
            w_over_n[i] = (float)(v / n);
    }
}

/* spec = real FFT of frame * window, through scratch (KISS FFT runs out of place). */
static void quell_windowed_fft(kiss_fftr_cfg fwd, const float *window, float *scratch, int n,
                               const float *frame, kiss_fft_cpx *spec)
{
    float *restrict t = scratch;
    const float *restrict w = window;
    for (int i = 0; i < n; i++)
        t[i] = frame[i] * w[i];
    kiss_fftr(fwd, t, spec);
}

int quell_stft_init(QuellStft *stft, int hop)
{
    stft->hop = hop;
    stft->size = 2 * hop;
    const int n = stft->size;
    stft->fwd = quell_fftr_plan(n, 0);
    stft->inv = quell_fftr_plan(n, 1);
    stft->window = quell_calloc((size_t)n, sizeof(float));
    stft->synth_window = quell_calloc((size_t)n, sizeof(float));
    stft->scratch = quell_calloc((size_t)n, sizeof(float));
    if (!stft->fwd || !stft->inv || !stft->window || !stft->synth_window || !stft->scratch) {
        quell_stft_free(stft);
        return QUELL_ERR_NO_MEMORY;
    }
    quell_sine_window(stft->window, stft->synth_window, n);
    return QUELL_OK;
}

void quell_stft_free(QuellStft *stft)
{
    quell_free(stft->fwd);
    quell_free(stft->inv);
    quell_free(stft->window);
    quell_free(stft->synth_window);
    quell_free(stft->scratch);
    stft->fwd = stft->inv = NULL;
    stft->window = stft->synth_window = stft->scratch = NULL;
}

void quell_stft_analyze(QuellStft *stft, const float *frame, kiss_fft_cpx *spec)
{
    quell_windowed_fft(stft->fwd, stft->window, stft->scratch, stft->size, frame, spec);
}

void quell_stft_synthesize(QuellStft *stft, const kiss_fft_cpx *spec, float *ola)
{
    float *restrict t = stft->scratch;
    const float *restrict w = stft->synth_window;
    kiss_fftri(stft->inv, spec, t);
    for (int i = 0; i < stft->size; i++)
        ola[i] += t[i] * w[i];
}

int quell_long_analysis_init(QuellLongAnalysis *la, int size)
{
    la->size = size;
    const int n = la->size;
    la->fwd = quell_fftr_plan(n, 0);
    la->window = quell_calloc((size_t)n, sizeof(float));
    la->scratch = quell_calloc((size_t)n, sizeof(float));
    if (!la->fwd || !la->window || !la->scratch) {
        quell_long_analysis_free(la);
        return QUELL_ERR_NO_MEMORY;
    }
    quell_sine_window(la->window, NULL, n);
    return QUELL_OK;
}

void quell_long_analysis_free(QuellLongAnalysis *la)
{
    quell_free(la->fwd);
    quell_free(la->window);
    quell_free(la->scratch);
    la->fwd = NULL;
    la->window = la->scratch = NULL;
}

void quell_long_analyze(QuellLongAnalysis *la, const float *frame, kiss_fft_cpx *spec)
{
    quell_windowed_fft(la->fwd, la->window, la->scratch, la->size, frame, spec);
}
