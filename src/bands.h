/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Triangular bands (models/README.md section 1): the model's band centres
 * turned into per-bin weights for one stream's rate and FFT size, stored as
 * sparse spans (first bin + weights), since each bin lies in at most two bands.
 */
#ifndef QUELL_BANDS_H
#define QUELL_BANDS_H

typedef struct QuellBands {
    int n_bands;   /* K */
    int n_bins;    /* H + 1 */
    int *start;    /* [K] first bin of band b's span */
    int *length;   /* [K] bins in the span (0 for a band above Nyquist) */
    int *offset;   /* [K] index of the span's first weight in weight[] */
    float *weight; /* T_b(f_k) for the bins of every span, span after span */
    float *norm;   /* [K] 1 / (S_b N^2 / 2), or 0 when S_b = 0 */
} QuellBands;

/* Weights for K band centres (Hz) at @p sample_rate_hz with an @p n_fft point
 * real FFT. Returns QUELL_OK or QUELL_ERR_NO_MEMORY. */
int quell_bands_init(QuellBands *bands, const float *centers_hz, int n_bands,
                     double sample_rate_hz, int n_fft);
void quell_bands_free(QuellBands *bands);

/* Floor of the band energies (models/README.md section 1): about -73 dBFS white noise at
 * 48 kHz, so that digital silence looks like very quiet input to the network. */
#define QUELL_FEATURE_FLOOR 1e-10f

/* features[b] = log10(E_b + QUELL_FEATURE_FLOOR) from the power spectrum power[0..H], and
 * energy[b] = E_b + QUELL_FEATURE_FLOOR unless @p energy is NULL. [RT] */
void quell_bands_features(const QuellBands *bands, const float *power, float *features,
                          float *energy);

/* One past the last bin that bands first .. first + count - 1 touch. */
int quell_bands_end_bin(const QuellBands *bands, int first, int count);

/* flatness[j] for bands first + j, j < count (models/README.md section 1), from the power
 * spectrum power[0..end) of the long (L-point) analysis, whose bands are @p bands; @p end
 * is quell_bands_end_bin(bands, first, count): weighted mean of log10(P_k + floor) minus
 * log10 of the weighted mean; 0 above Nyquist. @p log_work holds end floats of scratch. [RT] */
void quell_bands_flatness(const QuellBands *bands, const float *power, int first, int count,
                          int end, float *log_work, float *flatness);

/* bin_gain[k] = sum_b T_b(f_k) band_gain[b]. [RT] */
void quell_bands_interpolate(const QuellBands *bands, const float *band_gain, float *bin_gain);

#endif /* QUELL_BANDS_H */
