/* SPDX-License-Identifier: BSD-3-Clause */
#include "clean_guard.h"

#include <math.h>

#include "alloc.h"
#include "quell.h"

/* An empty subwindow's minimum: above any band power (features are <= log10(2^32)). */
#define QUELL_GUARD_NO_MIN 1e30f

int quell_clean_guard_init(QuellCleanGuard *g, int n_bands, double frame_s)
{
    const size_t K = (size_t)n_bands;
    g->n_bands = n_bands;
    g->sub_frames = (int)lround(QUELL_GUARD_WINDOW_S / QUELL_GUARD_SUBWINDOWS / frame_s);
    if (g->sub_frames < 1)
        g->sub_frames = 1;
    g->power_coef = (float)(1.0 - exp(-frame_s / QUELL_GUARD_POWER_SMOOTH_S));
    g->long_coef = (float)(1.0 - exp(-frame_s / QUELL_GUARD_LONG_S));
    g->power = quell_calloc(K, sizeof(float));
    g->sub_min = quell_calloc(K, sizeof(float));
    g->ring = quell_calloc(K * QUELL_GUARD_SUBWINDOWS, sizeof(float));
    g->long_in = quell_calloc(K, sizeof(float));
    g->long_out = quell_calloc(K, sizeof(float));
    if (!g->power || !g->sub_min || !g->ring || !g->long_in || !g->long_out)
        return QUELL_ERR_NO_MEMORY;
    quell_clean_guard_reset(g);
    return QUELL_OK;
}

void quell_clean_guard_free(QuellCleanGuard *g)
{
    quell_free(g->power);
    quell_free(g->sub_min);
    quell_free(g->ring);
    quell_free(g->long_in);
    quell_free(g->long_out);
    g->power = g->sub_min = g->ring = g->long_in = g->long_out = NULL;
}

void quell_clean_guard_rest(QuellCleanGuard *g)
{
    const int K = g->n_bands;
    for (int b = 0; b < K; b++) {
        g->power[b] = 0.0f;
        g->sub_min[b] = QUELL_GUARD_NO_MIN;
    }
    for (int i = 0; i < K * QUELL_GUARD_SUBWINDOWS; i++)
        g->ring[i] = QUELL_GUARD_NO_MIN;
    g->frame_count = 0;
    g->ring_pos = 0;
    g->started = 0;
}

void quell_clean_guard_reset(QuellCleanGuard *g)
{
    quell_clean_guard_rest(g);
    for (int b = 0; b < g->n_bands; b++) {
        g->long_in[b] = 0.0f;
        g->long_out[b] = 0.0f;
    }
}

void quell_clean_guard_apply(QuellCleanGuard *g, const float *energy, float *gains, int raise)
{
    const int K = g->n_bands;
    const float span_db = QUELL_GUARD_NONE_DB - QUELL_GUARD_FULL_DB;
    for (int b = 0; b < K; b++) {
        const float e = energy[b]; /* E_b + 1e-10 > 0 */
        const float net = gains[b];
        float p = g->started ? g->power[b] + g->power_coef * (e - g->power[b]) : e;
        g->power[b] = p;
        float noise_floor = g->sub_min[b] < p ? g->sub_min[b] : p;
        g->sub_min[b] = noise_floor;
        for (int i = 0; i < QUELL_GUARD_SUBWINDOWS; i++) {
            const float r = g->ring[i * K + b];
            noise_floor = r < noise_floor ? r : noise_floor;
        }
        /* Both averages start at 0 with the same weights, so their ratio is defined
         * from the first frame on. */
        g->long_in[b] += g->long_coef * (e - g->long_in[b]);
        g->long_out[b] += g->long_coef * (e * net * net - g->long_out[b]);
        const float removed_db = 10.0f * log10f(g->long_in[b] / g->long_out[b]);
        float weight = (QUELL_GUARD_NONE_DB - removed_db) / span_db;
        if (!(weight > 0.0f)) /* NaN too: a band the network has silenced for good */
            weight = 0.0f;
        else if (weight > 1.0f)
            weight = 1.0f;
        const float guard = 1.0f - QUELL_GUARD_MARGIN * noise_floor / e;
        if (raise && guard > net)
            gains[b] = net + weight * (guard - net);
    }
    g->started = 1;
    if (++g->frame_count == g->sub_frames) {
        for (int b = 0; b < K; b++) {
            g->ring[g->ring_pos * K + b] = g->sub_min[b];
            g->sub_min[b] = QUELL_GUARD_NO_MIN;
        }
        g->ring_pos = (g->ring_pos + 1) % QUELL_GUARD_SUBWINDOWS;
        g->frame_count = 0;
    }
}
