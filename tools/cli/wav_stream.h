/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * WAV on a pipe. libsndfile cannot write WAV to a descriptor it cannot seek
 * ("this file format does not support pipe write"), so quell writes the
 * 44-byte header itself and lets libsndfile write the samples as raw data
 * after it. When the length is unknown the sizes are 0xFFFFFFFF, the usual
 * "until the end of the stream" value (read by libsndfile, sox, ffmpeg).
 * (A stdout that is a plain file is written by libsndfile directly.)
 */
#ifndef QUELL_CLI_WAV_STREAM_H
#define QUELL_CLI_WAV_STREAM_H

typedef struct CliWavStream {
    int fd; /**< where the header went, or -1 */
} CliWavStream;

/**
 * Writes a canonical WAV header for @p subtype (SF_FORMAT_PCM_16/24/32 or
 * SF_FORMAT_FLOAT) to @p fd; @p frames < 0 means unknown.
 * @return 0 or an errno value.
 */
int cli_wav_stream_begin(CliWavStream *w, int fd, int subtype, int rate, int channels,
                         long long frames);

#endif /* QUELL_CLI_WAV_STREAM_H */
