/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quell_offline IN.wav OUT.wav [BLOCK]: the library's offline output for a
 * file, written as 32-bit float, to compare quell-live's recordings with.
 * Blocks of BLOCK frames (default 256, one JACK period in the tests); the
 * library promises the same output for any block size.
 */
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <quell.h>

int main(int argc, char **argv)
{
    SF_INFO info;
    SNDFILE *in, *out;
    QuellState *st;
    float *buf;
    long block = argc > 3 ? strtol(argv[3], NULL, 10) : 256;
    int err = 0, rc = 0;
    sf_count_t n;

    if (argc < 3 || block < 1 || block > 65536) {
        fprintf(stderr, "usage: quell_offline IN OUT [BLOCK]\n");
        return 2;
    }
    memset(&info, 0, sizeof(info));
    if (!(in = sf_open(argv[1], SFM_READ, &info))) {
        fprintf(stderr, "quell_offline: %s: %s\n", argv[1], sf_strerror(NULL));
        return 1;
    }
    if (!(st = quell_create(NULL, info.samplerate, info.channels, &err))) {
        fprintf(stderr, "quell_offline: %s\n", quell_strerror(err));
        sf_close(in);
        return 1;
    }
    info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    buf = malloc(sizeof(float) * (size_t)block * (size_t)info.channels);
    if (!buf || !(out = sf_open(argv[2], SFM_WRITE, &info))) {
        fprintf(stderr, "quell_offline: %s: cannot write\n", argv[2]);
        free(buf);
        quell_destroy(st);
        sf_close(in);
        return 1;
    }
    while ((n = sf_readf_float(in, buf, block)) > 0) {
        quell_process(st, buf, buf, (size_t)n);
        if (sf_writef_float(out, buf, n) != n) {
            fprintf(stderr, "quell_offline: %s: write failed\n", argv[2]);
            rc = 1;
            break;
        }
    }
    sf_close(out);
    sf_close(in);
    free(buf);
    quell_destroy(st);
    return rc;
}
