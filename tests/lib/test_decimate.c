/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The low-pass and decimation of the long analysis (src/decimate.c): the
 * factor each rate gets for the default model's flatness bands (which end at
 * 7.1 kHz), unit gain for tones those bands see, and at least the design's
 * attenuation for the tones that would fold onto them.
 */
#include <math.h>
#include <stdlib.h>

#include "decimate.h"
#include "quell.h"
#include "stft.h"
#include "test_util.h"

#define TOP_HZ 7123.0

/* Gain in dB of the decimated tone at @p hz (rms out / rms in, after the filter's start). */
static double tone_gain_db(const QuellDecimator *dec, int rate, double hz)
{
    const int d = dec->factor, n_out = 4000, skip = dec->taps;
    float *in = malloc((size_t)(n_out + skip) * (size_t)d * sizeof(float));
    float *out = malloc((size_t)n_out * sizeof(float));
    for (int i = 0; i < (n_out + skip) * d; i++)
        in[i] = (float)sin(2.0 * 3.14159265358979323846 * hz * i / rate);
    /* the first output reads taps - d samples before its input: start skip outputs in */
    quell_decimate(dec, in + (size_t)skip * (size_t)d, out, n_out);
    double e = 0.0;
    for (int m = 0; m < n_out; m++)
        e += (double)out[m] * (double)out[m];
    free(in);
    free(out);
    return 10.0 * log10(e / n_out / 0.5 + 1e-300);
}

int main(void)
{
    static const int rates[][2] = {{8000, 1},  {16000, 1}, {24000, 1}, {32000, 2},
                                   {44100, 2}, {48000, 3}, {96000, 6}, {192000, 12}};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        const int rate = rates[i][0], hop = quell_hop_for_rate(rate);
        const int d = quell_decimation_factor(rate, hop, TOP_HZ);
        printf("%d Hz: hop %d, D = %d\n", rate, hop, d);
        CHECK(d == rates[i][1], "%d Hz: D = %d, expected %d", rate, d, rates[i][1]);
        CHECK(hop % d == 0, "%d Hz: D = %d does not divide the hop %d", rate, d, hop);
    }
    /* bands up to Nyquist: never decimated */
    CHECK(quell_decimation_factor(48000, 480, 24000.0) == 1, "top at Nyquist decimated");

    for (int r = 0; r < 3; r++) {
        static const int rate_of[3] = {48000, 44100, 96000};
        const int rate = rate_of[r];
        QuellDecimator dec;
        const int d = quell_decimation_factor(rate, quell_hop_for_rate(rate), TOP_HZ);
        CHECK(quell_decimator_init(&dec, rate, d, TOP_HZ) == QUELL_OK, "init at %d Hz", rate);
        CHECK(dec.taps % 4 == 0, "taps %d not a multiple of 4", dec.taps);
        double worst_pass = 0.0, worst_stop = -1e9;
        for (double hz = 100.0; hz <= TOP_HZ; hz += 377.0) {
            double g = tone_gain_db(&dec, rate, hz);
            worst_pass = fabs(g) > fabs(worst_pass) ? g : worst_pass;
        }
        /* tones from rate / D - top up to Nyquist alias onto 0 .. top */
        const double stop = (double)rate / d - TOP_HZ;
        for (double hz = stop; hz < 0.5 * rate; hz += 511.0) {
            double g = tone_gain_db(&dec, rate, hz);
            worst_stop = g > worst_stop ? g : worst_stop;
        }
        printf("%d Hz / %d (%d taps): passband within %.3f dB, stopband from %.0f Hz at most "
               "%.1f dB\n",
               rate, d, dec.taps, worst_pass, stop, worst_stop);
        CHECK(fabs(worst_pass) < 0.05, "%d Hz: passband gain %.3f dB", rate, worst_pass);
        CHECK(worst_stop < -QUELL_DECIMATE_ATTENUATION_DB + 3.0, "%d Hz: stopband %.1f dB", rate,
              worst_stop);
        quell_decimator_free(&dec);
    }
    return test_finish("test_decimate");
}
