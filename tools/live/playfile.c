/* SPDX-License-Identifier: BSD-3-Clause */
#include "playfile.h"

#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Refuse files that would take more than 4 GiB of memory as float (about
 * 3 hours of stereo at 48 kHz): --play is for demos. */
#define MAX_PLAY_BYTES ((sf_count_t)4 << 30)

float *live_load_play_file(const char *path, int channels, int *rate, size_t *frames)
{
    SF_INFO info;
    SNDFILE *f;
    float *file_buf = NULL, *out = NULL;
    sf_count_t got;

    memset(&info, 0, sizeof(info));
    f = sf_open(path, SFM_READ, &info);
    if (!f) {
        fprintf(stderr, "quell-live: %s: %s\n", path, sf_strerror(NULL));
        return NULL;
    }
    if (info.frames <= 0 || info.channels <= 0) {
        fprintf(stderr, "quell-live: %s: no audio in the file\n", path);
        sf_close(f);
        return NULL;
    }
    if (info.frames > MAX_PLAY_BYTES / (sf_count_t)sizeof(float) /
                          (info.channels > channels ? info.channels : channels)) {
        fprintf(stderr, "quell-live: %s: too long to play (more than 4 GiB as float)\n", path);
        sf_close(f);
        return NULL;
    }
    file_buf = malloc((size_t)info.frames * (size_t)info.channels * sizeof(float));
    out = malloc((size_t)info.frames * (size_t)channels * sizeof(float));
    if (!file_buf || !out) {
        fprintf(stderr, "quell-live: %s: out of memory\n", path);
        goto fail;
    }
    got = sf_readf_float(f, file_buf, info.frames);
    if (got <= 0) {
        fprintf(stderr, "quell-live: %s: read failed: %s\n", path, sf_strerror(f));
        goto fail;
    }
    for (sf_count_t i = 0; i < got; i++)
        for (int c = 0; c < channels; c++)
            out[(size_t)i * (size_t)channels + (size_t)c] =
                file_buf[(size_t)i * (size_t)info.channels + (size_t)(c % info.channels)];
    free(file_buf);
    sf_close(f);
    *rate = info.samplerate;
    *frames = (size_t)got;
    return out;

fail:
    free(file_buf);
    free(out);
    sf_close(f);
    return NULL;
}
