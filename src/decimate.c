/* SPDX-License-Identifier: BSD-3-Clause */
#include "decimate.h"

#include <math.h>
#include <stddef.h>

#include "alloc.h"
#include "quell.h"

/* Taps of a Kaiser-window low-pass with transition band @p transition_hz (Kaiser's formula). */
static int quell_kaiser_taps(int sample_rate_hz, double transition_hz)
{
    const double a = QUELL_DECIMATE_ATTENUATION_DB;
    return (int)ceil((a - 7.95) / (14.36 * transition_hz / sample_rate_hz)) + 1;
}

int quell_decimation_factor(int sample_rate_hz, int hop, double top_hz)
{
    for (int d = hop; d > 1; d--) {
        if (hop % d != 0)
            continue;
        double transition = (double)sample_rate_hz / d - 2.0 * top_hz;
        if (transition >= QUELL_DECIMATE_MIN_TRANSITION_HZ &&
            quell_kaiser_taps(sample_rate_hz, transition) + 3 <= 3 * hop)
            return d;
    }
    return 1;
}

/* Modified Bessel function of the first kind, order 0 (its power series). */
static double quell_bessel_i0(double x)
{
    double sum = 1.0, term = 1.0;
    for (int k = 1; k < 64; k++) {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
        if (term < 1e-17 * sum)
            break;
    }
    return sum;
}

int quell_decimator_init(QuellDecimator *dec, int sample_rate_hz, int factor, double top_hz)
{
    const double pi = 3.14159265358979323846;
    const double transition = (double)sample_rate_hz / factor - 2.0 * top_hz;
    const int m = quell_kaiser_taps(sample_rate_hz, transition);
    dec->factor = factor;
    dec->taps = (m + 3) / 4 * 4;
    dec->coeffs = quell_calloc((size_t)dec->taps, sizeof(float));
    double *h = quell_calloc((size_t)m, sizeof(double));
    if (dec->coeffs == NULL || h == NULL) {
        quell_free(h);
        quell_decimator_free(dec);
        return QUELL_ERR_NO_MEMORY;
    }
    /* h[n] = sinc((n - c) / D) / D times the Kaiser window, then scaled to a DC gain of 1 */
    const double beta = 0.1102 * (QUELL_DECIMATE_ATTENUATION_DB - 8.7);
    const double centre = 0.5 * (m - 1), i0_beta = quell_bessel_i0(beta);
    double sum = 0.0;
    for (int n = 0; n < m; n++) {
        double u = (n - centre) / factor;
        double sinc = u == 0.0 ? 1.0 : sin(pi * u) / (pi * u);
        double r = (n - centre) / centre;
        h[n] = sinc / factor * quell_bessel_i0(beta * sqrt(fmax(0.0, 1.0 - r * r))) / i0_beta;
        sum += h[n];
    }
    for (int n = 0; n < m; n++)
        dec->coeffs[dec->taps - 1 - n] = (float)(h[n] / sum);
    quell_free(h);
    return QUELL_OK;
}

void quell_decimator_free(QuellDecimator *dec)
{
    quell_free(dec->coeffs);
    dec->coeffs = NULL;
}

void quell_decimate(const QuellDecimator *dec, const float *in, float *out, int n_out)
{
    const int d = dec->factor, taps = dec->taps;
    const float *restrict c = dec->coeffs;
    for (int m = 0; m < n_out; m++) {
        /* coeffs[j] meets in[D m + D - taps + j]: both run forwards, four lanes at a time */
        const float *restrict x = in + (ptrdiff_t)d * m + d - taps;
        float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        for (int j = 0; j < taps; j += 4)
            for (int l = 0; l < 4; l++)
                acc[l] += c[j + l] * x[j + l];
        out[m] = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    }
}
