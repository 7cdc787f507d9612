/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opening the input: a sound file, standard input (WAV/AU through a pipe,
 * anything libsndfile reads from a redirected file), or headerless samples
 * described by --raw-*. Damaged inputs are refused before any output exists.
 */
#ifndef QUELL_CLI_AUDIO_IN_H
#define QUELL_CLI_AUDIO_IN_H

#include <sndfile.h>

#include "options.h"

typedef struct CliInput {
    SNDFILE *sf;
    SF_INFO info;     /**< format, rate, channels as read */
    const char *name; /**< for messages: the path, or "standard input" */
    long long frames; /**< length in frames, or -1 when unknown (a pipe) */
    int fd;           /**< the descriptor libsndfile reads */
    int own_fd;       /**< fd was opened here (not stdin) */
} CliInput;

/**
 * Opens @p path ("-" for stdin) and checks that quell can process it.
 * @return 0, or an exit code after printing the error.
 */
int cli_input_open(CliInput *in, const char *path, const CliOptions *opt);

/**
 * Reads up to @p max_frames interleaved frames as float in [-1, 1].
 * @return the frames read (0 at the end), or -1 after printing an error.
 */
long cli_input_read(CliInput *in, float *buf, long max_frames);

/**
 * Called at the end of the stream: fails (exit code CLI_EXIT_INPUT) when
 * fewer frames came than the header announced.
 */
int cli_input_check_complete(CliInput *in, long long frames_read);

/** Closes the input (stdin itself stays open). */
void cli_input_close(CliInput *in);

/** The libsndfile subtype of a raw encoding. */
int cli_raw_subtype(CliRawFormat f);

#endif /* QUELL_CLI_AUDIO_IN_H */
