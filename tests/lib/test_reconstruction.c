/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Perfect reconstruction: in bypass (set before the first sample) and with an
 * attenuation limit of 0 dB, the output must equal the input delayed by
 * quell_latency(), with an error energy at least 90 dB below the signal's.
 * Also checks quell_latency() = 2H against the spec's hop table.
 */
#include <string.h>

#include "quell.h"
#include "test_util.h"

/* Error energy of out[i] against in[i - delay], relative to the signal, in dB. */
static double delayed_error_db(const float *in, const float *out, size_t frames, int channels,
                               int delay)
{
    double e_sig = 0.0, e_err = 0.0;
    for (size_t i = (size_t)delay; i < frames; i++)
        for (int c = 0; c < channels; c++) {
            double x = (double)in[(i - (size_t)delay) * (size_t)channels + (size_t)c];
            double y = (double)out[i * (size_t)channels + (size_t)c];
            e_sig += x * x;
            e_err += (y - x) * (y - x);
        }
    /* the first `delay` output samples must be exactly zero */
    for (size_t i = 0; i < (size_t)delay * (size_t)channels; i++)
        e_err += (double)out[i] * (double)out[i];
    return 10.0 * log10((e_err + 1e-300) / e_sig);
}

static void check_rate(const QuellModel *model, int rate, int channels, int mode)
{
    int err = 0;
    QuellState *st = quell_create(model, rate, channels, &err);
    CHECK(st != NULL && err == QUELL_OK, "create %d Hz x%d: %s", rate, channels,
          quell_strerror(err));
    if (st == NULL)
        return;
    if (mode == 0)
        CHECK(quell_set_bypass(st, 1) == QUELL_OK, "set_bypass");
    else
        CHECK(quell_set_attenuation_limit_db(st, 0.0f) == QUELL_OK, "set limit");
    const size_t frames = (size_t)rate; /* one second */
    float *in = test_signal(frames, channels, rate, 1234u + (uint64_t)rate);
    float *out = malloc(frames * (size_t)channels * sizeof(float));
    CHECK(quell_process(st, in, out, frames) == QUELL_OK, "process");
    const int latency = quell_latency(st);
    double db = delayed_error_db(in, out, frames, channels, latency);
    printf("%6d Hz x%d %-9s latency %4d (%.2f ms): error %.1f dB\n", rate, channels,
           mode == 0 ? "bypass" : "limit 0dB", latency, 1000.0 * latency / rate, db);
    CHECK(db <= -90.0, "%d Hz x%d %s: reconstruction error %.1f dB > -90 dB", rate, channels,
          mode == 0 ? "bypass" : "limit 0", db);
    /* a delay off by one sample would be far worse than -90 dB; make sure
     * the check can tell (the test signal is not periodic at that lag) */
    double off = delayed_error_db(in, out, frames, channels, latency + 1);
    CHECK(off > -20.0, "misaligned comparison unexpectedly matched (%.1f dB)", off);
    free(in);
    free(out);
    quell_destroy(st);
}

int main(void)
{
    /* Hop H from models/README.md section 1; latency is N = 2H. */
    static const int table[][2] = {
        {8000, 80},   {11025, 108}, {16000, 160}, {22050, 216},
        {44100, 432}, {48000, 480}, {96000, 960}, {192000, 1920},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int err = 0;
        QuellState *st = quell_create(NULL, table[i][0], 1, &err);
        CHECK(st != NULL, "create %d: %s", table[i][0], quell_strerror(err));
        if (st == NULL)
            continue;
        CHECK(quell_latency(st) == 2 * table[i][1], "%d Hz: latency %d, spec says %d", table[i][0],
              quell_latency(st), 2 * table[i][1]);
        CHECK(quell_latency(st) * 1000 <= 20 * table[i][0], "%d Hz: latency over 20 ms",
              table[i][0]);
        quell_destroy(st);
    }

    int err = 0;
    QuellModel *model = quell_model_new_default(&err);
    CHECK(model != NULL, "default model: %s", quell_strerror(err));
    if (model == NULL)
        return test_finish("test_reconstruction");
    /* the spec's rates, plus odd hops (12500 Hz: H = 125; 8100 Hz: H = 81) */
    static const int rates[] = {8000, 16000, 44100, 48000, 96000, 12500, 8100};
    for (int mode = 0; mode < 2; mode++)
        for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++)
            for (int ch = 1; ch <= 2; ch++)
                check_rate(model, rates[r], ch, mode);
    quell_model_free(model);
    return test_finish("test_reconstruction");
}
