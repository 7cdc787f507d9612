/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal LADSPA and LV2 host that loads the built plugin binaries with
 * dlopen() and checks what hosts rely on, against the library itself:
 *  - output equals the library's (2-channel state for stereo) bit for bit,
 *    with random host block sizes, separate or aliased (in-place) buffers,
 *    stereo channels aliased crosswise too, and with the clean-speech guard
 *    port at 0 equal to the library with the guard off;
 *  - the latency port reports quell_latency(), even after a 0-frame run;
 *  - attenuation limit 0 dB and enable = 0 give the input delayed by the
 *    latency; NaN controls and NaN audio never produce non-finite output;
 *  - rates the library refuses make instantiate() fail cleanly;
 *  - run() does not allocate (malloc is counted; not under ASan).
 * Usage: test_plugin_host LADSPA.so LV2.so
 */
#include <dlfcn.h>
#include <ladspa.h>
#include <lv2/core/lv2.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <quell.h>

#include "host_alloc.h"

static int failures;
static int counting; /* allocations are counted (not under ASan or valgrind) */

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

/* One plugin standard behind four calls, so each check runs on LADSPA and LV2. */
typedef struct Host {
    const char *what;
    const LADSPA_Descriptor *ladspa;
    const LV2_Descriptor *lv2;
    void *h;
} Host;

static int host_open(Host *host, double rate)
{
    if (host->ladspa)
        host->h = host->ladspa->instantiate(host->ladspa, (unsigned long)rate);
    else
        host->h = host->lv2->instantiate(host->lv2, rate, "/nonexistent/", NULL);
    return host->h != NULL;
}

static void host_connect(Host *host, unsigned long port, float *data)
{
    if (host->ladspa)
        host->ladspa->connect_port(host->h, port, data);
    else
        host->lv2->connect_port(host->h, (uint32_t)port, data);
}

static void host_activate(Host *host)
{
    if (host->ladspa)
        host->ladspa->activate(host->h);
    else
        host->lv2->activate(host->h);
}

static void host_run(Host *host, unsigned long n)
{
    if (host->ladspa)
        host->ladspa->run(host->h, n);
    else
        host->lv2->run(host->h, (uint32_t)n);
}

static void host_close(Host *host)
{
    if (host->ladspa)
        host->ladspa->cleanup(host->h);
    else
        host->lv2->cleanup(host->h);
    host->h = NULL;
}

/* xorshift32: a seeded, portable generator for signals and block sizes. */
static uint32_t rng_state;
static uint32_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}
static float rng_uniform(void)
{
    return (float)(rng_next() >> 8) / 16777216.0f * 2.0f - 1.0f;
}

/* A noisy test signal: a 150 Hz harmonic tone in syllable-like 4 Hz bursts plus white noise. */
static void make_signal(float *x, size_t frames, int channels, int rate)
{
    const double pi = 3.14159265358979323846;
    for (size_t i = 0; i < frames; i++) {
        double t = (double)i / rate;
        double env = 0.5 + 0.5 * sin(2 * pi * 4.0 * t);
        double tone = 0;
        for (int k = 1; k <= 8; k++)
            tone += sin(2 * pi * 150.0 * k * t) / k;
        for (int c = 0; c < channels; c++)
            x[i * (size_t)channels + (size_t)c] = (float)(0.2 * env * tone) + 0.05f * rng_uniform();
    }
}

typedef enum Aliasing { ALIAS_NONE, ALIAS_SAME, ALIAS_CROSS } Aliasing;

typedef struct RunOptions {
    float attenuation_db;
    float enable;
    Aliasing aliasing;
    int zero_first; /* start with a 0-frame run (hosts that query the latency) */
    float guard;    /* the clean-speech guard port */
} RunOptions;

/*
 * Runs the plugin over interleaved @p in with random block sizes; writes the
 * interleaved result to @p out. Returns the latency port's value.
 */
static float run_plugin(Host *host, int channels, const float *in, float *out, size_t frames,
                        RunOptions opt, float *speech_min, float *speech_max, long *allocs_in_run)
{
    /* Per-channel host buffers: a[c] inputs; outputs b[c] or aliased onto a[]. */
    float *a[2], *b[2];
    for (int c = 0; c < channels; c++) {
        a[c] = calloc(frames + 1, sizeof(float));
        b[c] = calloc(frames + 1, sizeof(float));
    }
    float atten = opt.attenuation_db, enable = opt.enable, latency = -1.0f, speech = -1.0f;
    float guard = opt.guard;
    unsigned long base = 2ul * (unsigned long)channels;
    host_connect(host, base + 0, &atten);
    host_connect(host, base + 1, &enable);
    host_connect(host, base + 2, &latency);
    host_connect(host, base + 3, &speech);
    host_connect(host, base + 4, &guard);
    host_activate(host);
    if (opt.zero_first)
        host_run(host, 0);
    *speech_min = 1e9f;
    *speech_max = -1e9f;
    size_t done = 0;
    *allocs_in_run = 0;
    while (done < frames) {
        size_t n = 1 + rng_next() % 3000;
        if (n > frames - done)
            n = frames - done;
        for (int c = 0; c < channels; c++)
            for (size_t i = 0; i < n; i++)
                a[c][done + i] = in[(done + i) * (size_t)channels + (size_t)c];
        for (int c = 0; c < channels; c++) {
            int oc = opt.aliasing == ALIAS_CROSS ? channels - 1 - c : c;
            host_connect(host, (unsigned long)c, a[c] + done);
            host_connect(host, (unsigned long)(channels + oc),
                         (opt.aliasing == ALIAS_NONE ? b[oc] : a[c]) + done);
        }
        long before = quell_test_alloc_count();
        host_run(host, n);
        *allocs_in_run += quell_test_alloc_count() - before;
        for (int c = 0; c < channels; c++) {
            int src = opt.aliasing == ALIAS_CROSS ? channels - 1 - c : c;
            const float *o = opt.aliasing == ALIAS_NONE ? b[c] : a[src];
            for (size_t i = 0; i < n; i++)
                out[(done + i) * (size_t)channels + (size_t)c] = o[done + i];
        }
        if (speech < *speech_min)
            *speech_min = speech;
        if (speech > *speech_max)
            *speech_max = speech;
        done += n;
    }
    for (int c = 0; c < channels; c++) {
        free(a[c]);
        free(b[c]);
    }
    return latency;
}

static void reference(const float *in, float *out, size_t frames, int channels, int rate,
                      float atten, int enable, int guard, int *latency)
{
    QuellState *st = quell_create(NULL, rate, channels, NULL);
    if (!st) {
        CHECK(0, "library refused %d Hz", rate);
        return;
    }
    quell_set_attenuation_limit_db(st, atten);
    quell_set_bypass(st, !enable);
    quell_set_clean_guard(st, guard);
    quell_process(st, in, out, frames);
    *latency = quell_latency(st);
    quell_destroy(st);
}

static void check_plugin(Host *host, int channels, int rate)
{
    size_t frames = (size_t)rate * 3 / 2; /* 1.5 s */
    size_t len = frames * (size_t)channels;
    float *in = malloc(len * sizeof(float));
    float *want = malloc(len * sizeof(float));
    float *got = malloc(len * sizeof(float));
    make_signal(in, frames, channels, rate);
    CHECK(host_open(host, rate), "%s: instantiate at %d Hz failed", host->what, rate);
    if (!host->h)
        goto out;

    /* Bit-identical to the library, whatever the aliasing; the last run with the
     * clean-speech guard off (port 2C + 4), against the library with it off. */
    int lat = 0;
    reference(in, want, frames, channels, rate, 25.0f, 1, 1, &lat);
    for (int al = ALIAS_NONE; al <= ALIAS_CROSS + 1; al++) {
        if (al == ALIAS_CROSS && channels == 1)
            continue;
        const int guard_off = al == ALIAS_CROSS + 1;
        if (guard_off)
            reference(in, want, frames, channels, rate, 25.0f, 1, 0, &lat);
        RunOptions opt = {25.0f, 1.0f, guard_off ? ALIAS_NONE : (Aliasing)al, al == ALIAS_NONE,
                          guard_off ? 0.0f : 1.0f};
        float smin, smax;
        long allocs;
        float reported = run_plugin(host, channels, in, got, frames, opt, &smin, &smax, &allocs);
        size_t diff = 0;
        for (size_t i = 0; i < len; i++)
            diff += got[i] != want[i];
        CHECK(diff == 0, "%s %d Hz aliasing %d%s: %zu of %zu samples differ from the library",
              host->what, rate, al, guard_off ? " (guard off)" : "", diff, len);
        CHECK(reported == (float)lat, "%s %d Hz: latency port %g, library %d", host->what, rate,
              (double)reported, lat);
        CHECK(smin >= 0.0f && smax <= 1.0f, "%s: speech probability %g..%g outside 0..1",
              host->what, (double)smin, (double)smax);
        if (counting)
            CHECK(allocs == 0, "%s: run() allocated %ld times", host->what, allocs);
    }

    /*
     * 0 dB and bypass: the input delayed by the latency. Changes made before
     * the first frame may still be smoothed over ~40 ms, so the first 100 ms
     * are not compared. 1e-5 covers the STFT round trip in float (~1e-7).
     */
    RunOptions passes[] = {{0.0f, 1.0f, ALIAS_SAME, 0, 1.0f}, {40.0f, 0.0f, ALIAS_SAME, 0, 1.0f}};
    for (int k = 0; k < 2; k++) {
        float smin, smax;
        long allocs;
        run_plugin(host, channels, in, got, frames, passes[k], &smin, &smax, &allocs);
        double worst = 0;
        for (size_t i = (size_t)rate / 10 + (size_t)lat; i < frames; i++)
            for (int c = 0; c < channels; c++) {
                double d = fabs(got[i * (size_t)channels + (size_t)c] -
                                in[(i - (size_t)lat) * (size_t)channels + (size_t)c]);
                worst = d > worst ? d : worst;
            }
        CHECK(worst < 1e-5, "%s %d Hz %s: differs from the delayed input by %g", host->what, rate,
              k == 0 ? "0 dB" : "bypass", worst);
        printf("%s %d Hz %s: max |out - delayed in| = %.3g\n", host->what, rate,
               k == 0 ? "0 dB" : "bypass", worst);
    }

    /* NaN controls and NaN/huge audio: the output stays finite. */
    for (size_t i = 0; i < len; i += 97)
        in[i] = i % 2 ? NAN : 1e30f;
    RunOptions hostile = {NAN, NAN, ALIAS_NONE, 0, NAN};
    float smin, smax;
    long allocs;
    run_plugin(host, channels, in, got, frames, hostile, &smin, &smax, &allocs);
    size_t bad = 0;
    for (size_t i = 0; i < len; i++)
        bad += !isfinite(got[i]);
    CHECK(bad == 0, "%s: %zu non-finite output samples", host->what, bad);
    host_close(host);
out:
    free(in);
    free(want);
    free(got);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_plugin_host LADSPA.so LV2.so\n");
        return 2;
    }
    const char *seed_env = getenv("QUELL_TEST_SEED");
    rng_state = seed_env ? (uint32_t)strtoul(seed_env, NULL, 0) : 0x5eed1234u;
    if (rng_state == 0)
        rng_state = 1;
    printf("seed 0x%08x (set QUELL_TEST_SEED to change)\n", rng_state);

    if (quell_test_alloc_counting()) {
        /* The counter must see allocations made through the ordinary malloc; under
         * valgrind, which replaces malloc everywhere, it cannot. */
        long before = quell_test_alloc_count();
        void *volatile probe = malloc(16);
        free(probe);
        counting = quell_test_alloc_count() > before;
    }

    void *ladspa_so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    void *lv2_so = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
    if (!ladspa_so || !lv2_so) {
        fprintf(stderr, "FAIL: dlopen: %s\n", dlerror());
        return 1;
    }
    LADSPA_Descriptor_Function ladspa_fn;
    LV2_Descriptor_Function lv2_fn;
    /* POSIX allows converting dlsym's object pointer to a function pointer this way. */
    *(void **)&ladspa_fn = dlsym(ladspa_so, "ladspa_descriptor");
    *(void **)&lv2_fn = dlsym(lv2_so, "lv2_descriptor");
    if (!ladspa_fn || !lv2_fn) {
        fprintf(stderr, "FAIL: entry point missing\n");
        return 1;
    }
    CHECK(ladspa_fn(2) == NULL && lv2_fn(2) == NULL, "more than two plugins per binary");

    static const int rates[] = {16000, 44100, 48000, 22050};
    for (int k = 0; k < 2; k++) {
        const LADSPA_Descriptor *ld = ladspa_fn((unsigned long)k);
        const LV2_Descriptor *vd = lv2_fn((uint32_t)k);
        CHECK(ld && vd, "plugin %d missing", k);
        if (!ld || !vd)
            continue;
        int channels = k + 1;
        CHECK(ld->PortCount == 2ul * (unsigned long)channels + 5, "%s: %lu ports", ld->Label,
              ld->PortCount);
        CHECK(strcmp(vd->URI, k ? "urn:quell:stereo" : "urn:quell:mono") == 0, "URI %s", vd->URI);
        Host hosts[2] = {{ld->Label, ld, NULL, NULL}, {vd->URI, NULL, vd, NULL}};
        for (int h = 0; h < 2; h++) {
            for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++)
                check_plugin(&hosts[h], channels, rates[r]);
            /* Rates the library refuses: instantiate fails, nothing crashes. */
            static const double refused[] = {4000.0, 400000.0, 0.0};
            for (size_t r = 0; r < 3; r++) {
                CHECK(!host_open(&hosts[h], refused[r]), "%s accepted %g Hz", hosts[h].what,
                      refused[r]);
                if (hosts[h].h)
                    host_close(&hosts[h]);
            }
        }
    }
    dlclose(ladspa_so);
    dlclose(lv2_so);
    if (!counting)
        printf("note: allocation counting off (sanitizer or valgrind)\n");
    printf("%s\n", failures ? "FAILED" : "all plugin host checks passed");
    return failures ? 1 : 0;
}
