/* SPDX-License-Identifier: BSD-3-Clause */
#include "bands.h"

#include <math.h>
#include <stddef.h>

#include "alloc.h"
#include "quell.h"

/* T_b(f): 1 at c_b, linear to 0 at the neighbouring centres; the first band
 * stays 1 below c_0 and the last stays 1 above c_{K-1}. */
static double quell_band_weight(const float *c, int n_bands, int b, double f)
{
    if (f <= (double)c[b]) {
        if (b == 0)
            return 1.0;
        double lo = (double)c[b - 1];
        return f <= lo ? 0.0 : (f - lo) / ((double)c[b] - lo);
    }
    if (b == n_bands - 1)
        return 1.0;
    double hi = (double)c[b + 1];
    return f >= hi ? 0.0 : (hi - f) / (hi - (double)c[b]);
}

int quell_bands_init(QuellBands *bands, const float *centers_hz, int n_bands,
                     double sample_rate_hz, int n_fft)
{
    const int n_bins = n_fft / 2 + 1;
    const double bin_hz = sample_rate_hz / n_fft;
    bands->n_bands = n_bands;
    bands->n_bins = n_bins;
    bands->start = quell_calloc((size_t)n_bands, sizeof(int));
    bands->length = quell_calloc((size_t)n_bands, sizeof(int));
    bands->offset = quell_calloc((size_t)n_bands, sizeof(int));
    bands->norm = quell_calloc((size_t)n_bands, sizeof(float));
    bands->weight = NULL;
    if (!bands->start || !bands->length || !bands->offset || !bands->norm) {
        quell_bands_free(bands);
        return QUELL_ERR_NO_MEMORY;
    }
    /* Spans: the triangle is contiguous, so first and last non-zero bins suffice. */
    int total = 0;
    for (int b = 0; b < n_bands; b++) {
        int first = -1, last = -2;
        for (int k = 0; k < n_bins; k++) {
            if (quell_band_weight(centers_hz, n_bands, b, k * bin_hz) > 0.0) {
                if (first < 0)
                    first = k;
                last = k;
            }
        }
        bands->start[b] = first < 0 ? 0 : first;
        bands->length[b] = last - first + 1 > 0 ? last - first + 1 : 0;
        bands->offset[b] = total;
        total += bands->length[b];
    }
    bands->weight = quell_calloc((size_t)total, sizeof(float));
    if (bands->weight == NULL) {
        quell_bands_free(bands);
        return QUELL_ERR_NO_MEMORY;
    }
    /* White noise of variance s^2 has E|X_k|^2 = s^2 sum w^2 = s^2 N / 2, so
     * dividing by S_b N^2 / 2 makes E_b = 2 s^2 / N: a density, the same at
     * every rate. */
    for (int b = 0; b < n_bands; b++) {
        double sum = 0.0;
        for (int j = 0; j < bands->length[b]; j++) {
            int k = bands->start[b] + j;
            double w = quell_band_weight(centers_hz, n_bands, b, k * bin_hz);
            bands->weight[bands->offset[b] + j] = (float)w;
            sum += w;
        }
        bands->norm[b] = sum > 0.0 ? (float)(1.0 / (sum * n_fft * (double)n_fft / 2.0)) : 0.0f;
    }
    return QUELL_OK;
}

void quell_bands_free(QuellBands *bands)
{
    quell_free(bands->start);
    quell_free(bands->length);
    quell_free(bands->offset);
    quell_free(bands->weight);
    quell_free(bands->norm);
    bands->start = bands->length = bands->offset = NULL;
    bands->weight = bands->norm = NULL;
}

void quell_bands_features(const QuellBands *bands, const float *power, float *features,
                          float *energy)
{
    for (int b = 0; b < bands->n_bands; b++) {
        const float *restrict w = bands->weight + bands->offset[b];
        const float *restrict p = power + bands->start[b];
        float e = 0.0f;
        for (int j = 0; j < bands->length[b]; j++)
            e += w[j] * p[j];
        e = e * bands->norm[b] + QUELL_FEATURE_FLOOR;
        features[b] = log10f(e);
        if (energy != NULL)
            energy[b] = e;
    }
}

int quell_bands_end_bin(const QuellBands *bands, int first, int count)
{
    int end = 0;
    for (int b = first; b < first + count; b++)
        if (bands->length[b] > 0 && bands->start[b] + bands->length[b] > end)
            end = bands->start[b] + bands->length[b];
    return end;
}

void quell_bands_flatness(const QuellBands *bands, const float *power, int first, int count,
                          int end, float *log_work, float *flatness)
{
    /* P_k = |X_k|^2 / (N^2 / 2), as for the band energies with a one-bin band; each bin
     * lies in two bands, so its log is taken once, here */
    const float n = (float)(2 * (bands->n_bins - 1));
    const float scale = 2.0f / (n * n);
    const int begin = end > 0 ? bands->start[first] : 0;
    for (int k = begin; k < end; k++)
        log_work[k] = log10f(power[k] * scale + QUELL_FEATURE_FLOOR);
    for (int j = 0; j < count; j++) {
        const int b = first + j;
        const float *restrict w = bands->weight + bands->offset[b];
        const float *restrict p = power + bands->start[b];
        const float *restrict lp = log_work + bands->start[b];
        float s = 0.0f, e = 0.0f, l = 0.0f;
        for (int i = 0; i < bands->length[b]; i++) {
            s += w[i];
            e += w[i] * (p[i] * scale);
            l += w[i] * lp[i];
        }
        flatness[j] = s > 0.0f ? l / s - log10f(e / s + QUELL_FEATURE_FLOOR) : 0.0f;
    }
}

void quell_bands_interpolate(const QuellBands *bands, const float *band_gain, float *bin_gain)
{
    for (int k = 0; k < bands->n_bins; k++)
        bin_gain[k] = 0.0f;
    for (int b = 0; b < bands->n_bands; b++) {
        const float *restrict w = bands->weight + bands->offset[b];
        float *restrict g = bin_gain + bands->start[b];
        const float gb = band_gain[b];
        for (int j = 0; j < bands->length[b]; j++)
            g[j] += w[j] * gb;
    }
}
