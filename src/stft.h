/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Short-time Fourier transform of one frame (models/README.md section 1):
 * sine window, real FFT of N = 2H points, and windowed inverse for
 * overlap-add. Plans and scratch are made at init; the transforms run out of
 * place, so KISS FFT never allocates while processing.
 */
#ifndef QUELL_STFT_H
#define QUELL_STFT_H

#include <kiss_fftr.h>

typedef struct QuellStft {
    int hop;             /* H */
    int size;            /* N = 2H */
    kiss_fftr_cfg fwd;   /* real forward FFT of N points */
    kiss_fftr_cfg inv;   /* real inverse FFT of N points */
    float *window;       /* [N] analysis window w[n] = sin(pi (n + 0.5) / N) */
    float *synth_window; /* [N] w[n] / N: synthesis window with the inverse FFT's 1/N */
    float *scratch;      /* [N] time-domain work buffer */
} QuellStft;

/* Forward-only analysis of a longer frame (L = 4H points, or 4H / D of the input
 * decimated by D; sine window), for the flatness inputs: it ends where the STFT frame
 * ends, so it only looks further back. */
typedef struct QuellLongAnalysis {
    int size;          /* L */
    kiss_fftr_cfg fwd; /* real forward FFT of L points */
    float *window;     /* [L] sin(pi (n + 0.5) / L) */
    float *scratch;    /* [L] */
} QuellLongAnalysis;

/* The hop for a sample rate: the largest 2-3-5-smooth integer <= rate / 100. */
int quell_hop_for_rate(int sample_rate_hz);

/* Plans transforms for hop @p hop. Returns QUELL_OK or QUELL_ERR_NO_MEMORY. */
int quell_stft_init(QuellStft *stft, int hop);
void quell_stft_free(QuellStft *stft);

/* Windows frame[0..N) and transforms it to spec[0..H]. [RT] */
void quell_stft_analyze(QuellStft *stft, const float *frame, kiss_fft_cpx *spec);

/* Inverse-transforms spec[0..H], windows it and adds it to ola[0..N). [RT] */
void quell_stft_synthesize(QuellStft *stft, const kiss_fft_cpx *spec, float *ola);

/* Plans the @p size-point analysis. Returns QUELL_OK or QUELL_ERR_NO_MEMORY. */
int quell_long_analysis_init(QuellLongAnalysis *la, int size);
void quell_long_analysis_free(QuellLongAnalysis *la);
/* Windows frame[0..L) and transforms it to spec[0..L/2]. [RT] */
void quell_long_analyze(QuellLongAnalysis *la, const float *frame, kiss_fft_cpx *spec);

#endif /* QUELL_STFT_H */
