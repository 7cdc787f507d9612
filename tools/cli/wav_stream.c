/* SPDX-License-Identifier: BSD-3-Clause */
#include "wav_stream.h"

#include <errno.h>
#include <sndfile.h>
#include <string.h>
#include <unistd.h>

#define WAV_HEADER_BYTES 44
#define WAVE_FORMAT_PCM 1
#define WAVE_FORMAT_IEEE_FLOAT 3
/* RIFF sizes are 32-bit: 0xFFFFFFFF stands for "unknown / to the end". */
#define SIZE_UNKNOWN 0xFFFFFFFFULL

static void put_u32(unsigned char *p, unsigned long long v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void fill_sizes(unsigned char *h, long long frames, int block_align)
{
    unsigned long long data = SIZE_UNKNOWN, riff = SIZE_UNKNOWN;
    if (frames >= 0) {
        unsigned long long bytes = (unsigned long long)frames * (unsigned long long)block_align;
        if (bytes <= SIZE_UNKNOWN - (WAV_HEADER_BYTES - 8)) {
            data = bytes;
            riff = bytes + (WAV_HEADER_BYTES - 8);
        }
    }
    put_u32(h + 4, riff);
    put_u32(h + 40, data);
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

int cli_wav_stream_begin(CliWavStream *w, int fd, int subtype, int rate, int channels,
                         long long frames)
{
    int bits = subtype == SF_FORMAT_PCM_24 ? 24 : (subtype == SF_FORMAT_PCM_16 ? 16 : 32);
    unsigned tag = subtype == SF_FORMAT_FLOAT ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM;
    int block_align = channels * bits / 8;
    w->fd = fd;

    unsigned char h[WAV_HEADER_BYTES];
    memcpy(h, "RIFF", 4);
    memcpy(h + 8, "WAVEfmt ", 8);
    put_u32(h + 16, 16);
    put_u16(h + 20, tag);
    put_u16(h + 22, (unsigned)channels);
    put_u32(h + 24, (unsigned long long)rate);
    put_u32(h + 28, (unsigned long long)rate * (unsigned long long)block_align);
    put_u16(h + 32, (unsigned)block_align);
    put_u16(h + 34, (unsigned)bits);
    memcpy(h + 36, "data", 4);
    fill_sizes(h, frames, block_align);
    return write_all(fd, h, sizeof h);
}
