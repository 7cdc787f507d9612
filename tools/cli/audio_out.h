/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The output: its format (the input's unless the extension names another
 * container), a temporary file renamed into place at the end, or a WAV/raw
 * stream on stdout.
 */
#ifndef QUELL_CLI_AUDIO_OUT_H
#define QUELL_CLI_AUDIO_OUT_H

#include <sndfile.h>

#include "audio_in.h"
#include "options.h"
#include "tempfile.h"
#include "wav_stream.h"

typedef struct CliOutput {
    SNDFILE *sf;
    SF_INFO info;     /**< format, rate, channels written */
    const char *name; /**< for messages: the path, or "standard output" */
    int to_stdout;
    CliTemp temp;     /**< file outputs: the temporary file */
    CliWavStream wav; /**< stdout as WAV: the header written by hand */
    long long frames; /**< frames written so far */
    float grid;       /**< integer outputs: 2^(bits-1), the steps per unit; else 0 */
} CliOutput;

/**
 * Refuses an OUTPUT that exists (without --force) or is a folder, before
 * any work is done. @return 0 or an exit code after printing the error.
 */
int cli_output_check(const char *path, const CliOptions *opt);

/**
 * Refuses to replace @p path when it is a folder, a device or FIFO, or exists
 * without @p force; @p what names it in messages ("output", "--vad file").
 * @return 0 or an exit code after printing the error.
 */
int cli_check_replaceable(const char *what, const char *path, int force);

/**
 * Opens @p path ("-" for stdout) for a stream like @p in.
 * @return 0, or an exit code after printing the error.
 */
int cli_output_open(CliOutput *out, const char *path, const CliInput *in, const CliOptions *opt);

/**
 * Writes @p frames interleaved frames. For integer encodings the samples are
 * first rounded to the nearest step in place. @return 0 or an exit code.
 */
int cli_output_write(CliOutput *out, float *buf, long frames);

/** Completes the output (close, rename into place). @return 0 or an exit code. */
int cli_output_finish(CliOutput *out, const CliOptions *opt);

/** Drops the output: closes it and removes the temporary file. */
void cli_output_abort(CliOutput *out);

#endif /* QUELL_CLI_AUDIO_OUT_H */
