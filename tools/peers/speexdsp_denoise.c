/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * speexdsp_denoise: the speexdsp preprocessor's noise suppressor as a file
 * filter, for side-by-side comparisons with quell.
 *
 *   speexdsp_denoise [-s DB] [-f MS] IN.wav OUT.wav
 *
 * Every channel gets its own SpeexPreprocessState with only denoising on
 * (no AGC, VAD or dereverb), a 10 ms frame by default and the library's
 * default maximum attenuation of -15 dB (-s changes it). The output is 16-bit
 * WAV at the input's rate and channel count and the input's length; it is
 * not delay-compensated (the evaluation measures the delay). Written to a
 * temporary file beside OUT and renamed when complete.
 */
#include <errno.h>
#include <math.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>
#include <speex/speex_preprocess.h>

#define MAX_CHANNELS 8

static int usage(void)
{
    fprintf(stderr, "usage: speexdsp_denoise [-s SUPPRESS_DB] [-f FRAME_MS] IN OUT\n");
    return 2;
}

static int parse_int(const char *s, long lo, long hi, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* Runs the denoiser over the whole file; returns 0 or prints why not. */
static int run(SNDFILE *in, const SF_INFO *info, SNDFILE *out, int frame, int suppress_db)
{
    const int ch = info->channels;
    SpeexPreprocessState *st[MAX_CHANNELS] = {0};
    short *inter = malloc(sizeof(short) * (size_t)frame * (size_t)ch);
    short *mono = malloc(sizeof(short) * (size_t)frame);
    float *fin = malloc(sizeof(float) * (size_t)frame * (size_t)ch);
    int rc = -1;
    if (inter == NULL || mono == NULL || fin == NULL) {
        fprintf(stderr, "speexdsp_denoise: out of memory\n");
        goto done;
    }
    for (int c = 0; c < ch; c++) {
        st[c] = speex_preprocess_state_init(frame, info->samplerate);
        if (st[c] == NULL) {
            fprintf(stderr, "speexdsp_denoise: cannot create the preprocessor\n");
            goto done;
        }
        /* speexdsp's ctl takes int pointers (spx_int32_t is int). VAD is off by
         * default; setting it prints a warning, so it is left alone. */
        int on = 1, off = 0, level = suppress_db;
        speex_preprocess_ctl(st[c], SPEEX_PREPROCESS_SET_DENOISE, &on);
        speex_preprocess_ctl(st[c], SPEEX_PREPROCESS_SET_AGC, &off);
        speex_preprocess_ctl(st[c], SPEEX_PREPROCESS_SET_DEREVERB, &off);
        speex_preprocess_ctl(st[c], SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &level);
    }
    for (;;) {
        /* Read as float and convert here: libsndfile's float-to-short read of a float
         * file truncates [-1, 1] to 0 unless told to scale, and then it scales by the
         * file's peak. */
        sf_count_t got = sf_readf_float(in, fin, frame);
        if (got <= 0)
            break;
        for (sf_count_t i = 0; i < got * ch; i++) {
            float v = fin[i] * 32768.0f;
            inter[i] = (short)lrintf(v > 32767.0f ? 32767.0f : v < -32768.0f ? -32768.0f : v);
        }
        /* A short last frame is zero-padded, processed, and written short. */
        memset(inter + got * ch, 0, sizeof(short) * (size_t)(frame - got) * (size_t)ch);
        for (int c = 0; c < ch; c++) {
            for (int i = 0; i < frame; i++)
                mono[i] = inter[i * ch + c];
            speex_preprocess_run(st[c], mono);
            for (int i = 0; i < frame; i++)
                inter[i * ch + c] = mono[i];
        }
        if (sf_writef_short(out, inter, got) != got) {
            fprintf(stderr, "speexdsp_denoise: write failed: %s\n", sf_strerror(out));
            goto done;
        }
    }
    if (sf_error(in) != SF_ERR_NO_ERROR) {
        fprintf(stderr, "speexdsp_denoise: read failed: %s\n", sf_strerror(in));
        goto done;
    }
    rc = 0;
done:
    for (int c = 0; c < ch; c++)
        if (st[c] != NULL)
            speex_preprocess_state_destroy(st[c]);
    free(inter);
    free(mono);
    free(fin);
    return rc;
}

int main(int argc, char **argv)
{
    int suppress_db = -15, frame_ms = 10, opt;
    while ((opt = getopt(argc, argv, "s:f:")) != -1) {
        if (opt == 's' && parse_int(optarg, -100, 0, &suppress_db) == 0)
            continue;
        if (opt == 'f' && parse_int(optarg, 5, 40, &frame_ms) == 0)
            continue;
        return usage();
    }
    if (argc - optind != 2)
        return usage();
    const char *src = argv[optind], *dst = argv[optind + 1];

    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *in = sf_open(src, SFM_READ, &info);
    if (in == NULL) {
        fprintf(stderr, "speexdsp_denoise: %s: %s\n", src, sf_strerror(NULL));
        return 1;
    }
    if (info.channels < 1 || info.channels > MAX_CHANNELS || info.samplerate < 8000 ||
        info.samplerate > 192000) {
        fprintf(stderr, "speexdsp_denoise: %s: unsupported rate %d Hz or %d channels\n", src,
                info.samplerate, info.channels);
        sf_close(in);
        return 1;
    }
    /* 10 ms at the file's rate (speexdsp takes any frame size). */
    const int frame = info.samplerate * frame_ms / 1000;

    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", dst) >= (int)sizeof tmp) {
        fprintf(stderr, "speexdsp_denoise: %s: name too long\n", dst);
        sf_close(in);
        return 1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "speexdsp_denoise: %s: %s\n", tmp, strerror(errno));
        sf_close(in);
        return 1;
    }
    SF_INFO oinfo = {.samplerate = info.samplerate,
                     .channels = info.channels,
                     .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *out = sf_open_fd(fd, SFM_WRITE, &oinfo, SF_TRUE);
    if (out == NULL) {
        fprintf(stderr, "speexdsp_denoise: %s: %s\n", dst, sf_strerror(NULL));
        unlink(tmp);
        sf_close(in);
        return 1;
    }
    int rc = run(in, &info, out, frame, suppress_db);
    sf_close(in);
    if (sf_close(out) != 0 && rc == 0) {
        fprintf(stderr, "speexdsp_denoise: %s: close failed\n", dst);
        rc = -1;
    }
    if (rc == 0 && rename(tmp, dst) != 0) {
        fprintf(stderr, "speexdsp_denoise: %s: %s\n", dst, strerror(errno));
        rc = -1;
    }
    if (rc != 0) {
        unlink(tmp);
        return 1;
    }
    return 0;
}
