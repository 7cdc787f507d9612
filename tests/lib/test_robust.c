/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hostile input: bursts of NaN, +-Inf, huge (+-1e30) and denormal (1e-40)
 * samples in the middle of a signal. Asserted, for processing and bypass:
 *  - every output sample is finite and |y| <= 256 (4x the +-64 input clamp);
 *  - the output is bit-identical to a run where the burst was replaced by
 *    what the header promises (NaN/Inf -> 0, huge -> +-64, denormal -> 0);
 *  - the output is bit-identical to a clean run (no burst) once the burst
 *    has left every buffer: after 2 frames in bypass (20 ms, well within
 *    100 ms), and after the network's receptive field plus 2 frames when
 *    processing with the clean-speech guard off (the causal CNN forgets a
 *    frame after that many frames). The guard's averages (3 s, exponential)
 *    never forget exactly, so with it on only the first two are asserted.
 */
#include <string.h>

#include "model.h"
#include "quell.h"
#include "test_util.h"

enum { BURST_NAN, BURST_INF, BURST_HUGE, BURST_DENORMAL, BURST_MIXED, N_BURSTS };
static const char *const burst_names[N_BURSTS] = {"NaN", "Inf", "1e30", "denormal", "mixed"};

/* value of burst sample i, and what the library turns it into */
static float burst_value(int kind, size_t i, float *clean)
{
    static const float mixed[] = {NAN, INFINITY, -INFINITY, 1e30f, -1e30f, 1e-40f, 70.0f};
    float v;
    switch (kind) {
    case BURST_NAN:
        v = NAN;
        break;
    case BURST_INF:
        v = i % 2 ? INFINITY : -INFINITY;
        break;
    case BURST_HUGE:
        v = i % 3 ? 1e30f : -1e30f;
        break;
    case BURST_DENORMAL:
        v = i % 2 ? 1e-40f : -3e-39f;
        break;
    default:
        v = mixed[i % (sizeof mixed / sizeof mixed[0])];
        break;
    }
    *clean = isfinite(v) ? (v > 64.0f ? 64.0f : (v < -64.0f ? -64.0f : v)) : 0.0f;
    if (fabsf(*clean) < 1e-30f)
        *clean = 0.0f;
    return v;
}

enum { MODE_PROCESS, MODE_BYPASS, MODE_GUARD, N_MODES };
static const char *const mode_names[N_MODES] = {"process", "bypass", "guard"};

static float *run(const float *in, size_t frames, int ch, int rate, int mode)
{
    QuellState *st = quell_create(NULL, rate, ch, NULL);
    float *out = malloc(frames * (size_t)ch * sizeof(float));
    quell_set_bypass(st, mode == MODE_BYPASS);
    quell_set_clean_guard(st, mode == MODE_GUARD);
    for (size_t i = 0; i < frames; i += 1000) {
        size_t n = frames - i < 1000 ? frames - i : 1000;
        quell_process(st, in + i * (size_t)ch, out + i * (size_t)ch, n);
    }
    quell_destroy(st);
    return out;
}

int main(void)
{
    const int rate = 48000, ch = 2;
    const size_t frames = (size_t)rate * 3, n = frames * (size_t)ch;
    const size_t burst_at = (size_t)rate, burst_len = (size_t)rate / 20; /* 1.0 s, 50 ms */
    const int H = 480;

    QuellModel *m = quell_model_new_default(NULL);
    int field = m->k_in - 1; /* frames a past frame still influences the gains */
    for (int b = 0; b < m->n_blocks; b++)
        field += (m->k - 1) * m->blocks[b].dilation;
    quell_model_free(m);
    printf("network receptive field: %d frames (%.0f ms)\n", field + 1, (field + 1) * 10.0);

    float *clean = test_signal(frames, ch, rate, 11);
    float *dirty = malloc(n * sizeof(float));
    float *sanitised = malloc(n * sizeof(float));
    for (int mode = 0; mode < N_MODES; mode++) {
        const int bypass = mode == MODE_BYPASS;
        float *ref_clean = run(clean, frames, ch, rate, mode);
        for (int kind = 0; kind < N_BURSTS; kind++) {
            memcpy(dirty, clean, n * sizeof(float));
            memcpy(sanitised, clean, n * sizeof(float));
            for (size_t i = burst_at * (size_t)ch; i < (burst_at + burst_len) * (size_t)ch; i++)
                dirty[i] = burst_value(kind, i, &sanitised[i]);
            float *out = run(dirty, frames, ch, rate, mode);
            float *ref = run(sanitised, frames, ch, rate, mode);
            size_t bad = 0;
            float peak = 0.0f;
            for (size_t i = 0; i < n; i++) {
                if (!isfinite(out[i]))
                    bad++;
                else if (fabsf(out[i]) > peak)
                    peak = fabsf(out[i]);
            }
            CHECK(bad == 0, "%s %s burst: %zu non-finite outputs", mode_names[mode],
                  burst_names[kind], bad);
            CHECK(peak <= 256.0f, "%s %s burst: output peak %g", mode_names[mode],
                  burst_names[kind], (double)peak);
            CHECK(memcmp(out, ref, n * sizeof(float)) == 0,
                  "%s %s burst: output differs from the sanitised input's", mode_names[mode],
                  burst_names[kind]);
            /* the burst's last sample leaves the output after the latency; then
             * the frames holding it (2) and, processing, the network's memory */
            size_t settle = burst_at + burst_len + 2 * (size_t)H +
                            (size_t)(2 + (bypass ? 0 : field)) * (size_t)H;
            size_t first_diff = n;
            for (size_t i = 0; i < n; i++)
                if (out[i] != ref_clean[i]) {
                    first_diff = i;
                    break;
                }
            size_t last_diff = 0;
            for (size_t i = n; i-- > 0;)
                if (out[i] != ref_clean[i]) {
                    last_diff = i / (size_t)ch;
                    break;
                }
            double after_ms = 1000.0 * ((double)last_diff - (double)(burst_at + burst_len)) / rate;
            printf("%-8s %-8s burst: peak %6.2f, output back to the clean run %.1f ms after the "
                   "burst's end (latency included)\n",
                   mode_names[mode], burst_names[kind], (double)peak, after_ms);
            CHECK(mode == MODE_GUARD || last_diff < settle, "%s burst: output differs from clean run %zu samples later",
                  burst_names[kind], last_diff - (burst_at + burst_len));
            if (bypass)
                CHECK(after_ms <= 100.0, "bypass: not back within 100 ms (%.1f)", after_ms);
            CHECK(kind == BURST_DENORMAL || first_diff < n, "%s burst changed nothing?",
                  burst_names[kind]);
            free(out);
            free(ref);
        }
        free(ref_clean);
    }
    free(clean);
    free(dirty);
    free(sanitised);
    return test_finish("test_robust");
}
