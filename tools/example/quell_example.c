/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quell_example: denoise a sound file with libquell, the smallest complete
 * program. Reads any file libsndfile reads, writes the same format with the
 * latency taken out (output sample i belongs to input sample i), through a
 * temporary file in the output's folder that is renamed only on success.
 *
 * Build: cc -o quell_example quell_example.c $(pkg-config --cflags --libs quell sndfile)
 * Usage: quell_example IN OUT [ATTENUATION_LIMIT_DB]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <quell.h>
#include <sndfile.h>

#define BLOCK_FRAMES 1024

/* Writes @p n frames of @p buf, dropping the first *skip frames overall (the latency). */
static int write_after_latency(SNDFILE *out, const float *buf, sf_count_t n, int channels,
                               sf_count_t *skip)
{
    sf_count_t drop = *skip < n ? *skip : n;
    *skip -= drop;
    if (n == drop)
        return 0;
    return sf_writef_float(out, buf + drop * channels, n - drop) == n - drop ? 0 : -1;
}

static int denoise(SNDFILE *in, SNDFILE *out, QuellState *st)
{
    static float buf[BLOCK_FRAMES * QUELL_MAX_CHANNELS];
    const int channels = quell_channels(st);
    sf_count_t skip = quell_latency(st);
    sf_count_t n;
    while ((n = sf_readf_float(in, buf, BLOCK_FRAMES)) > 0) {
        quell_process(st, buf, buf, (size_t)n);
        if (write_after_latency(out, buf, n, channels, &skip) != 0)
            return -1;
    }
    /* Push silence through to get the last latency's worth of samples out. */
    sf_count_t tail = quell_latency(st);
    while (tail > 0) {
        n = tail < BLOCK_FRAMES ? tail : BLOCK_FRAMES;
        memset(buf, 0, sizeof(float) * (size_t)(n * channels));
        quell_process(st, buf, buf, (size_t)n);
        if (write_after_latency(out, buf, n, channels, &skip) != 0)
            return -1;
        tail -= n;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: quell_example IN OUT [ATTENUATION_LIMIT_DB]\n");
        return 2;
    }
    float limit = QUELL_DEFAULT_ATTENUATION_DB;
    if (argc == 4) {
        char *end;
        limit = strtof(argv[3], &end);
        if (*end != '\0' || !(limit >= 0.0f && limit <= QUELL_MAX_ATTENUATION_DB)) {
            fprintf(stderr, "quell_example: attenuation limit must be 0..100 dB, not '%s'\n",
                    argv[3]);
            return 2;
        }
    }
    SF_INFO info = {0};
    SNDFILE *in = sf_open(argv[1], SFM_READ, &info);
    if (!in) {
        fprintf(stderr, "quell_example: %s: %s\n", argv[1], sf_strerror(NULL));
        return 1;
    }
    int err;
    QuellState *st = quell_create(NULL, info.samplerate, info.channels, &err);
    if (!st) {
        fprintf(stderr, "quell_example: %s: %s\n", argv[1], quell_strerror(err));
        sf_close(in);
        return 1;
    }
    quell_set_attenuation_limit_db(st, limit);

    /* The temporary file sits beside the output, so rename() cannot cross file systems. */
    size_t len = strlen(argv[2]) + 32;
    char *tmp = malloc(len);
    SNDFILE *out = NULL;
    if (tmp) {
        snprintf(tmp, len, "%s.tmp-quell-example", argv[2]);
        out = sf_open(tmp, SFM_WRITE, &info);
    }
    int status = 1;
    if (!out) {
        fprintf(stderr, "quell_example: %s: %s\n", argv[2], tmp ? sf_strerror(NULL) : "no memory");
    } else {
        int bad = denoise(in, out, st);
        if (bad)
            fprintf(stderr, "quell_example: %s: %s\n", argv[2], sf_strerror(out));
        bad |= sf_close(out) != 0;
        if (!bad && rename(tmp, argv[2]) == 0)
            status = 0;
        else
            remove(tmp);
    }
    free(tmp);
    quell_destroy(st);
    sf_close(in);
    return status;
}
