/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The low-pass and decimation in front of the long (flatness) analysis
 * (models/README.md section 1). The flatness bands end far below Nyquist at
 * high rates (7.1 kHz for the default model), so at 48 kHz the 25 Hz bins they
 * need come as well from a 640-point FFT of the input decimated by 3 as from a
 * 1920-point FFT of the input itself, at a third of the cost.
 */
#ifndef QUELL_DECIMATE_H
#define QUELL_DECIMATE_H

/* Stopband attenuation of the filter and the least transition band that warrants one. */
#define QUELL_DECIMATE_ATTENUATION_DB 60.0
#define QUELL_DECIMATE_MIN_TRANSITION_HZ 1500.0

typedef struct QuellDecimator {
    int factor;    /* D */
    int taps;      /* M, rounded up to a multiple of 4 with zero taps */
    float *coeffs; /* [taps] the filter reversed: coeffs[j] = h[taps - 1 - j] */
} QuellDecimator;

/* D for a stream: the largest divisor of @p hop with rate / D - 2 top_hz >= the least
 * transition band and a filter no longer than 3 hops; 1 when there is none (then
 * nothing is filtered). @p top_hz is where the analysed bands end. */
int quell_decimation_factor(int sample_rate_hz, int hop, double top_hz);

/* Designs the Kaiser-windowed sinc low-pass for @p factor > 1 (cutoff rate / 2D, stopband
 * from rate / D - top_hz). Returns QUELL_OK or QUELL_ERR_NO_MEMORY. */
int quell_decimator_init(QuellDecimator *dec, int sample_rate_hz, int factor, double top_hz);
void quell_decimator_free(QuellDecimator *dec);

/* out[m] = sum_n h[n] in[D m + D - 1 - n] for m = 0 .. n_out - 1: reads in[D - taps ..
 * D n_out - 1], so the caller keeps taps - D samples of history before in[0]. [RT] */
void quell_decimate(const QuellDecimator *dec, const float *in, float *out, int n_out);

#endif /* QUELL_DECIMATE_H */
