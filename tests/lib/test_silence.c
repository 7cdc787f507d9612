/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Digital silence resets the network (models/README.md section 1): after 10 STFT
 * frames of exact zeros a stream has forgotten everything before them, except the
 * clean-speech guard's long-term averages (tests/lib/test_clean_guard.c covers those).
 * Asserted with the default model, for 16, 44.1 and 48 kHz, mono and stereo:
 *  - with the guard off, a signal after earlier sound and 25 hops of zeros comes out
 *    bit-identical to the same signal at the start of a fresh stream (the whole state,
 *    not only the network, has forgotten the past);
 *  - after 5 hops of zeros (too short) it does not: short gaps keep their context;
 *  - zeros in, zeros out, and the speech probability reads 0 while the network rests.
 */
#include <string.h>

#include "quell.h"
#include "test_util.h"

/* Output of a fresh default-model stream, clean-speech guard off, for in[0..frames), in
 * blocks of 333. */
static float *run(const float *in, size_t frames, int rate, int ch, float *speech_prob)
{
    QuellState *st = quell_create(NULL, rate, ch, NULL);
    float *out = malloc(frames * (size_t)ch * sizeof(float));
    if (st == NULL || out == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    quell_set_clean_guard(st, 0);
    for (size_t i = 0; i < frames; i += 333) {
        size_t n = frames - i < 333 ? frames - i : 333;
        quell_process(st, in + i * (size_t)ch, out + i * (size_t)ch, n);
    }
    if (speech_prob != NULL)
        *speech_prob = quell_get_speech_probability(st);
    quell_destroy(st);
    return out;
}

/* The hop H of a stream at this rate: its latency is 2H. */
static int hop_of(int rate)
{
    QuellState *st = quell_create(NULL, rate, 1, NULL);
    int hop = st != NULL ? quell_latency(st) / 2 : 1;
    quell_destroy(st);
    return hop;
}

/* Sound, `gap` hops of zeros, then s: does the part after the gap equal s alone? */
static int same_after_gap(int rate, int ch, int gap_hops, const float *before, size_t n_before,
                          const float *s, size_t n_s, const float *alone)
{
    const int hop = hop_of(rate);
    const size_t n_gap = (size_t)gap_hops * (size_t)hop, n = n_before + n_gap + n_s;
    float *x = calloc(n * (size_t)ch, sizeof(float));
    memcpy(x, before, n_before * (size_t)ch * sizeof(float));
    memcpy(x + (n_before + n_gap) * (size_t)ch, s, n_s * (size_t)ch * sizeof(float));
    float *y = run(x, n, rate, ch, NULL);
    int same = memcmp(y + (n_before + n_gap) * (size_t)ch, alone, n_s * (size_t)ch * sizeof(float)) == 0;
    free(x);
    free(y);
    return same;
}

int main(void)
{
    static const int rates[] = {16000, 44100, 48000};
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        for (int ch = 1; ch <= 2; ch++) {
            const int rate = rates[r];
            /* whole hops of earlier sound, so the signal after the gap starts on a hop */
            const int hop = hop_of(rate);
            const size_t n_before = (size_t)hop * 70, n_s = (size_t)rate;
            float *before = test_signal(n_before, ch, rate, 11);
            float *s = test_signal(n_s, ch, rate, 12);
            float *alone = run(s, n_s, rate, ch, NULL);
            CHECK(same_after_gap(rate, ch, 25, before, n_before, s, n_s, alone),
                  "%d Hz %d ch: after 25 hops of zeros the stream starts afresh", rate, ch);
            CHECK(!same_after_gap(rate, ch, 5, before, n_before, s, n_s, alone),
                  "%d Hz %d ch: 5 hops of zeros do not reset the stream", rate, ch);
            free(before);
            free(s);
            free(alone);

            float *zeros = calloc((size_t)rate * (size_t)ch, sizeof(float));
            float prob = -1.0f;
            float *y = run(zeros, (size_t)rate, rate, ch, &prob);
            int silent = 1;
            for (size_t i = 0; i < (size_t)rate * (size_t)ch; i++)
                silent &= y[i] == 0.0f;
            CHECK(silent, "%d Hz %d ch: digital silence in, digital silence out", rate, ch);
            CHECK(prob == 0.0f, "%d Hz %d ch: speech probability %g in silence", rate, ch, (double)prob);
            free(zeros);
            free(y);
        }
    }
    return test_finish("silence");
}
