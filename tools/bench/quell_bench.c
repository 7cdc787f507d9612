/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quell_bench: speed of one stream on one thread. Processes a synthetic noisy
 * signal (harmonic tone bursts in white noise) and prints the real-time factor
 * (CPU time / audio time), the CPU time per 10 ms of audio, and the model's
 * size and network cost.
 * Usage: quell_bench [-r RATE] [-c CHANNELS] [-b BLOCK] [-s SECONDS] [-m MODEL] [-g 0|1]
 * (-g 0: the clean-speech guard off, to see its cost)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "matvec.h"
#include "model.h"
#include "quell.h"
#include "stft.h"

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int usage(void)
{
    fprintf(stderr, "usage: quell_bench [-r RATE] [-c CHANNELS] [-b BLOCK] [-s SECONDS] "
                    "[-m MODEL] [-g 0|1]\n");
    return 2;
}

int main(int argc, char **argv)
{
    int rate = 48000, channels = 1, block = 480;
    double seconds = 20.0;
    const char *model_path = NULL;
    int guard = 1;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            return usage();
        const char *v = argv[++i];
        if (strcmp(argv[i - 1], "-r") == 0)
            rate = atoi(v);
        else if (strcmp(argv[i - 1], "-c") == 0)
            channels = atoi(v);
        else if (strcmp(argv[i - 1], "-b") == 0)
            block = atoi(v);
        else if (strcmp(argv[i - 1], "-s") == 0)
            seconds = atof(v);
        else if (strcmp(argv[i - 1], "-m") == 0)
            model_path = v;
        else if (strcmp(argv[i - 1], "-g") == 0)
            guard = atoi(v) != 0;
        else
            return usage();
    }
    if (block < 1 || !(seconds > 0.0 && seconds < 3600.0)) {
        fprintf(stderr, "quell_bench: block must be >= 1 and seconds in (0, 3600)\n");
        return 2;
    }
    int err = 0;
    QuellModel *model =
        model_path ? quell_model_new_from_file(model_path, &err) : quell_model_new_default(&err);
    if (model == NULL) {
        fprintf(stderr, "quell_bench: model: %s\n", quell_strerror(err));
        return 1;
    }
    QuellState *st = quell_create(model, rate, channels, &err);
    if (st == NULL) {
        fprintf(stderr, "quell_bench: %s\n", quell_strerror(err));
        quell_model_free(model);
        return 1;
    }
    quell_set_clean_guard(st, guard);
    const size_t frames = (size_t)(seconds * rate), ch = (size_t)channels;
    float *buf = malloc(frames * ch * sizeof(float));
    if (buf == NULL) {
        fprintf(stderr, "quell_bench: out of memory\n");
        return 1;
    }
    uint64_t s = 12345;
    for (size_t i = 0; i < frames; i++) {
        double t = (double)i / rate;
        double tone = fmod(t, 1.0) < 0.6 ? 0.2 * sin(2 * 3.14159265 * 180 * t) : 0.0;
        for (size_t c = 0; c < ch; c++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            double noise = (double)(s >> 11) / 9007199254740992.0 - 0.5;
            buf[i * ch + c] = (float)(tone + 0.1 * noise);
        }
    }
    /* warm-up: caches, page faults */
    quell_process(st, buf, buf, frames < (size_t)rate ? frames : (size_t)rate);
    quell_reset(st);
    double t0 = cpu_seconds();
    for (size_t i = 0; i < frames; i += (size_t)block) {
        size_t n = frames - i < (size_t)block ? frames - i : (size_t)block;
        quell_process(st, buf + i * ch, buf + i * ch, n);
    }
    double cpu = cpu_seconds() - t0;
    double rtf = cpu / seconds;
    const int hop = quell_hop_for_rate(rate);
    printf("rate %d Hz, %d ch, block %d, %.1f s audio, hop %d, latency %d (%.2f ms)\n", rate,
           channels, block, seconds, hop, quell_latency(st), 1000.0 * quell_latency(st) / rate);
    printf("model: K=%d C=%d k_in=%d B=%d k=%d, %zu parameters, %zu MAC/frame, "
           "%.2f MMAC/s (network)\n",
           model->n_bands, model->n_channels, model->k_in, model->n_blocks, model->k,
           model->n_params, model->macs_per_frame,
           (double)model->macs_per_frame * rate / hop / 1e6);
    printf("RTF %.5f  (%.2f us CPU per 10 ms of audio), %s kernels, clean-speech guard %s\n",
           rtf, rtf * 10000.0, quell_matvec_name(quell_matvec_select()), guard ? "on" : "off");
    free(buf);
    quell_destroy(st);
    quell_model_free(model);
    return 0;
}
