/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * API contract: misuse returns the documented codes (NULL pointers, rates
 * 7999/192001, channels 0/9, NaN attenuation), every code has a message,
 * version, getters, clamping, the smoothed limit, the bypass crossfade and
 * the meters (speech probability, noise reduction) behave as documented.
 */
#include <string.h>

#include "quell.h"
#include "test_util.h"

static void test_errors(void)
{
    static const int codes[] = {
        QUELL_OK,
        QUELL_ERR_INVALID_ARG,
        QUELL_ERR_NO_MEMORY,
        QUELL_ERR_BAD_RATE,
        QUELL_ERR_BAD_CHANNELS,
        QUELL_ERR_MODEL_IO,
        QUELL_ERR_MODEL_FORMAT,
        QUELL_ERR_MODEL_VERSION,
        QUELL_ERR_MODEL_CHECKSUM,
    };
    const size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        const char *m = quell_strerror(codes[i]);
        CHECK(m != NULL && m[0] != '\0', "no message for %d", codes[i]);
        for (size_t j = 0; j < i; j++)
            CHECK(m && strcmp(m, quell_strerror(codes[j])) != 0, "codes %d and %d share a message",
                  codes[i], codes[j]);
    }
    const char *unknown = quell_strerror(-1000);
    CHECK(unknown != NULL && unknown[0] != '\0', "unknown code needs a message");
    CHECK(quell_strerror(12345) != NULL, "positive unknown code");
}

static void test_version(void)
{
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", QUELL_VERSION_MAJOR, QUELL_VERSION_MINOR,
             QUELL_VERSION_PATCH);
    CHECK(strcmp(quell_version_string(), want) == 0, "version string %s", quell_version_string());
    CHECK(quell_version() ==
              QUELL_VERSION_MAJOR * 10000 + QUELL_VERSION_MINOR * 100 + QUELL_VERSION_PATCH,
          "version number %d", quell_version());
}

static void test_create_args(void)
{
    int err = 1;
    CHECK(quell_create(NULL, 7999, 1, &err) == NULL && err == QUELL_ERR_BAD_RATE, "7999 Hz: %d",
          err);
    CHECK(quell_create(NULL, 192001, 1, &err) == NULL && err == QUELL_ERR_BAD_RATE, "192001 Hz: %d",
          err);
    CHECK(quell_create(NULL, -48000, 1, &err) == NULL && err == QUELL_ERR_BAD_RATE, "neg: %d", err);
    CHECK(quell_create(NULL, 48000, 0, &err) == NULL && err == QUELL_ERR_BAD_CHANNELS, "0 ch: %d",
          err);
    CHECK(quell_create(NULL, 48000, 9, &err) == NULL && err == QUELL_ERR_BAD_CHANNELS, "9 ch: %d",
          err);
    CHECK(quell_create(NULL, 7999, 9, NULL) == NULL, "NULL err pointer allowed");
    static const int ok[][2] = {{8000, 1}, {192000, 8}, {11025, 2}, {22050, 1}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        err = 1;
        QuellState *st = quell_create(NULL, ok[i][0], ok[i][1], &err);
        CHECK(st != NULL && err == QUELL_OK, "%d Hz x%d: %s", ok[i][0], ok[i][1],
              quell_strerror(err));
        CHECK(quell_sample_rate(st) == ok[i][0] && quell_channels(st) == ok[i][1], "getters");
        quell_destroy(st);
    }
    quell_destroy(NULL);
    quell_model_free(NULL);
    quell_reset(NULL);
}

static void test_model_args(void)
{
    int err = 0;
    CHECK(quell_model_new_from_file(NULL, &err) == NULL && err == QUELL_ERR_INVALID_ARG,
          "NULL path: %d", err);
    CHECK(quell_model_new_from_file("/nonexistent/quell.qmodel", &err) == NULL &&
              err == QUELL_ERR_MODEL_IO,
          "missing file: %d", err);
    CHECK(quell_model_new_from_file(".", &err) == NULL && err == QUELL_ERR_MODEL_IO,
          "directory: %d", err);
    CHECK(quell_model_new_from_buffer(NULL, 100, &err) == NULL && err == QUELL_ERR_INVALID_ARG,
          "NULL buffer: %d", err);
    static const unsigned char junk[3] = {1, 2, 3};
    CHECK(quell_model_new_from_buffer(junk, 0, &err) == NULL && err == QUELL_ERR_MODEL_FORMAT,
          "empty buffer: %d", err);
    QuellModel *m = quell_model_new_default(&err);
    CHECK(m != NULL && err == QUELL_OK, "default model: %s", quell_strerror(err));
    quell_model_free(m);
}

static void test_process_args(void)
{
    QuellState *st = quell_create(NULL, 16000, 2, NULL);
    float buf[64] = {0};
    CHECK(quell_process(NULL, buf, buf, 4) == QUELL_ERR_INVALID_ARG, "NULL state");
    CHECK(quell_process(st, NULL, buf, 4) == QUELL_ERR_INVALID_ARG, "NULL in");
    CHECK(quell_process(st, buf, NULL, 4) == QUELL_ERR_INVALID_ARG, "NULL out");
    CHECK(quell_process(st, buf, buf, 0) == QUELL_OK, "zero frames");
    CHECK(quell_process(st, buf, buf, 32) == QUELL_OK, "in place");

    CHECK(quell_get_attenuation_limit_db(st) == QUELL_DEFAULT_ATTENUATION_DB, "default limit %g",
          (double)quell_get_attenuation_limit_db(st));
    CHECK(quell_set_attenuation_limit_db(NULL, 10.0f) == QUELL_ERR_INVALID_ARG, "NULL state");
    CHECK(quell_set_attenuation_limit_db(st, NAN) == QUELL_ERR_INVALID_ARG, "NaN limit");
    CHECK(quell_get_attenuation_limit_db(st) == QUELL_DEFAULT_ATTENUATION_DB,
          "NaN must not change the limit");
    CHECK(quell_set_attenuation_limit_db(st, -5.0f) == QUELL_OK &&
              quell_get_attenuation_limit_db(st) == 0.0f,
          "clamp below 0");
    CHECK(quell_set_attenuation_limit_db(st, INFINITY) == QUELL_OK &&
              quell_get_attenuation_limit_db(st) == QUELL_MAX_ATTENUATION_DB,
          "clamp +inf");
    CHECK(quell_set_attenuation_limit_db(st, 500.0f) == QUELL_OK &&
              quell_get_attenuation_limit_db(st) == QUELL_MAX_ATTENUATION_DB,
          "clamp above max");
    CHECK(quell_set_attenuation_limit_db(st, 12.5f) == QUELL_OK &&
              quell_get_attenuation_limit_db(st) == 12.5f,
          "set 12.5");
    CHECK(quell_get_bypass(st) == 0, "bypass off by default");
    CHECK(quell_set_bypass(NULL, 1) == QUELL_ERR_INVALID_ARG, "NULL state");
    CHECK(quell_set_bypass(st, 7) == QUELL_OK && quell_get_bypass(st) != 0, "bypass on");
    CHECK(quell_set_bypass(st, 0) == QUELL_OK && quell_get_bypass(st) == 0, "bypass off");
    CHECK(quell_get_clean_guard(st) != 0, "clean-speech guard on by default");
    CHECK(quell_set_clean_guard(NULL, 0) == QUELL_ERR_INVALID_ARG, "NULL state");
    CHECK(quell_set_clean_guard(st, 0) == QUELL_OK && quell_get_clean_guard(st) == 0,
          "guard off");
    quell_reset(st);
    CHECK(quell_get_attenuation_limit_db(st) == 12.5f, "reset keeps settings");
    CHECK(quell_get_clean_guard(st) == 0, "reset keeps the guard setting");
    CHECK(quell_set_clean_guard(st, 3) == QUELL_OK && quell_get_clean_guard(st) != 0,
          "guard on");
    /* NULL getters do not crash */
    (void)quell_latency(NULL);
    (void)quell_get_bypass(NULL);
    (void)quell_get_clean_guard(NULL);
    (void)quell_get_speech_probability(NULL);
    (void)quell_get_noise_reduction_db(NULL);
    (void)quell_get_attenuation_limit_db(NULL);
    quell_destroy(st);
}

/* Error energy of out[i] against in[i - delay] over [from, to), in dB re the input. */
static double error_db(const float *in, const float *out, size_t from, size_t to, int delay)
{
    double es = 0.0, ee = 0.0;
    for (size_t i = from; i < to; i++) {
        double x = (double)in[i - (size_t)delay], d = (double)out[i] - x;
        es += x * x;
        ee += d * d;
    }
    return 10.0 * log10((ee + 1e-300) / (es + 1e-300));
}

/* Settings changed mid-stream: a limit of 0 dB and bypass both reach exact
 * pass-through once their smoothing is over, and the meters follow. */
static void test_settings_in_stream(void)
{
    const int rate = 48000;
    const size_t frames = (size_t)rate * 4, sec = (size_t)rate;
    float *in = test_signal(frames, 1, rate, 7);
    float *out = malloc(frames * sizeof(float));
    QuellState *st = quell_create(NULL, rate, 1, NULL);
    const int L = quell_latency(st);

    /* 0..1 s default limit: the model changes the signal */
    quell_process(st, in, out, sec);
    double db = error_db(in, out, sec / 2, sec, L);
    printf("default processing: difference from input %.1f dB\n", db);
    CHECK(db > -60.0, "processing should change a noisy signal (%.1f dB)", db);
    float p = quell_get_speech_probability(st), nr = quell_get_noise_reduction_db(st);
    CHECK(p >= 0.0f && p <= 1.0f, "speech probability %g", (double)p);
    CHECK(nr >= 0.0f && nr <= QUELL_DEFAULT_ATTENUATION_DB + 0.01f, "noise reduction %g dB",
          (double)nr);

    /* 1..2 s limit 0 dB: smoothed over ~40 ms, exact pass-through after 0.5 s */
    quell_set_attenuation_limit_db(st, 0.0f);
    quell_process(st, in + sec, out + sec, sec);
    db = error_db(in, out, sec + sec / 2, 2 * sec, L);
    CHECK(db < -90.0, "limit 0 dB mid-stream: %.1f dB", db);
    CHECK(quell_get_noise_reduction_db(st) < 1e-3f, "limit 0: reduction %g dB",
          (double)quell_get_noise_reduction_db(st));
    /* no click: the first 40 ms after the change still differ from pass-through */
    db = error_db(in, out, sec + (size_t)L, sec + (size_t)L + 480, L);
    CHECK(db > -90.0, "limit change applied without smoothing (%.1f dB)", db);

    /* 2..3 s limit 6 dB: reduction metered at most 6 dB */
    quell_set_attenuation_limit_db(st, 6.0f);
    quell_process(st, in + 2 * sec, out + 2 * sec, sec);
    nr = quell_get_noise_reduction_db(st);
    CHECK(nr <= 6.0f + 1e-3f, "limit 6 dB: reduction %g dB", (double)nr);

    /* 3..4 s bypass: crossfade of 4 frames, then exact pass-through */
    quell_set_bypass(st, 1);
    quell_process(st, in + 3 * sec, out + 3 * sec, sec);
    db = error_db(in, out, 3 * sec + sec / 10, 4 * sec, L);
    CHECK(db < -90.0, "bypass mid-stream: %.1f dB", db);
    CHECK(quell_get_noise_reduction_db(st) < 1e-3f, "bypass: reduction %g dB",
          (double)quell_get_noise_reduction_db(st));
    quell_destroy(st);
    free(in);
    free(out);
}

/* Two states sharing one model give the same output as a state with its own. */
static void test_shared_model(void)
{
    const int rate = 16000;
    const size_t frames = (size_t)rate;
    float *in = test_signal(frames, 1, rate, 3);
    float *a = malloc(frames * sizeof(float)), *b = malloc(frames * sizeof(float)),
          *c = malloc(frames * sizeof(float));
    QuellModel *m = quell_model_new_default(NULL);
    QuellState *s1 = quell_create(m, rate, 1, NULL), *s2 = quell_create(m, rate, 1, NULL);
    QuellState *s3 = quell_create(NULL, rate, 1, NULL);
    for (size_t i = 0; i < frames; i += 100) {
        quell_process(s1, in + i, a + i, 100);
        quell_process(s2, in + i, b + i, 100);
    }
    quell_process(s3, in, c, frames);
    CHECK(memcmp(a, b, frames * sizeof(float)) == 0, "shared model: states differ");
    CHECK(memcmp(a, c, frames * sizeof(float)) == 0, "shared vs own default model differ");
    quell_destroy(s1);
    quell_destroy(s2);
    quell_destroy(s3);
    quell_model_free(m);
    free(in);
    free(a);
    free(b);
    free(c);
}

int main(void)
{
    test_errors();
    test_version();
    test_create_args();
    test_model_args();
    test_process_args();
    test_settings_in_stream();
    test_shared_model();
    return test_finish("test_api");
}
