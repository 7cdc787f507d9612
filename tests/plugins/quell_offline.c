/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reference for the plugin host tests: runs the library (shared, through the
 * public API only) over raw interleaved float32 samples, as a plugin host
 * would see them, and prints the latency in samples.
 * Usage: quell_offline RATE CHANNELS LIMIT_DB ENABLE IN.f32 OUT.f32
 */
#include <stdio.h>
#include <stdlib.h>

#include <quell.h>

/* Blocks of 1000 frames: deliberately unlike the hosts' sizes (1024, 4096, 8192). */
#define QUELL_OFFLINE_BLOCK 1000

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: quell_offline RATE CHANNELS LIMIT_DB ENABLE IN.f32 OUT.f32\n");
        return 2;
    }
    int rate = atoi(argv[1]);
    int channels = atoi(argv[2]);
    float limit = strtof(argv[3], NULL);
    int enable = atoi(argv[4]);
    int err = 0;
    QuellState *st = quell_create(NULL, rate, channels, &err);
    if (!st) {
        fprintf(stderr, "quell_offline: %s\n", quell_strerror(err));
        return 1;
    }
    quell_set_attenuation_limit_db(st, limit);
    quell_set_bypass(st, !enable);
    FILE *in = fopen(argv[5], "rb");
    FILE *out = fopen(argv[6], "wb");
    if (!in || !out) {
        fprintf(stderr, "quell_offline: cannot open %s or %s\n", argv[5], argv[6]);
        return 1;
    }
    static float buf[QUELL_OFFLINE_BLOCK * QUELL_MAX_CHANNELS];
    size_t n;
    while ((n = fread(buf, sizeof(float) * (size_t)channels, QUELL_OFFLINE_BLOCK, in)) > 0) {
        quell_process(st, buf, buf, n);
        if (fwrite(buf, sizeof(float) * (size_t)channels, n, out) != n) {
            fprintf(stderr, "quell_offline: write failed\n");
            return 1;
        }
    }
    printf("%d\n", quell_latency(st));
    int bad = ferror(in) || fclose(out) != 0;
    fclose(in);
    quell_destroy(st);
    return bad;
}
