/* SPDX-License-Identifier: BSD-3-Clause */
/* Small helpers shared by the library tests: checks that count failures,
 * a seeded random generator and test signals. */
#ifndef QUELL_TEST_UTIL_H
#define QUELL_TEST_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int test_failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            test_failures++;                                                                       \
            fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__, __LINE__, #cond);                       \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

/* Exit status for meson: 0 pass, 1 fail. */
static inline int test_finish(const char *name)
{
    if (test_failures == 0)
        printf("%s: all checks passed\n", name);
    else
        printf("%s: %d check(s) failed\n", name, test_failures);
    return test_failures == 0 ? 0 : 1;
}

/* xorshift64*: small, seeded, the same everywhere. */
static inline uint64_t test_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* Uniform in [-1, 1). */
static inline float test_uniform(uint64_t *s)
{
    return (float)((double)(test_rand(s) >> 11) * (2.0 / 9007199254740992.0) - 1.0);
}

/* A noisy "voice-like" test signal: a gliding harmonic tone with an
 * on/off envelope plus white noise, interleaved over @p channels. */
static inline float *test_signal(size_t frames, int channels, int rate, uint64_t seed)
{
    float *x = malloc(frames * (size_t)channels * sizeof(float));
    if (x == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    uint64_t s = seed ? seed : 1;
    double phase = 0.0;
    for (size_t i = 0; i < frames; i++) {
        double t = (double)i / rate;
        double f0 = 140.0 + 40.0 * sin(2.0 * 3.14159265358979 * 0.7 * t);
        phase += 2.0 * 3.14159265358979 * f0 / rate;
        double env = fmod(t, 0.8) < 0.5 ? 1.0 : 0.0;
        double v = 0.0;
        for (int h = 1; h <= 8; h++)
            v += sin(h * phase) / h;
        for (int c = 0; c < channels; c++)
            x[i * (size_t)channels + (size_t)c] = (float)(0.2 * env * v) + 0.05f * test_uniform(&s);
    }
    return x;
}

#endif /* QUELL_TEST_UTIL_H */
