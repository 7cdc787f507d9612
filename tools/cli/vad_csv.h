/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The --vad file: CSV with a header line "time_s,speech_probability" and one
 * row per analysis hop (about 10 ms). Written through a temporary file like
 * the audio, or to stdout for "--vad -".
 */
#ifndef QUELL_CLI_VAD_CSV_H
#define QUELL_CLI_VAD_CSV_H

#include <stdio.h>

#include "options.h"
#include "tempfile.h"

typedef struct CliVadLog {
    FILE *f;          /**< NULL when --vad was not given */
    const char *name; /**< for messages */
    int to_stdout;
    CliTemp temp;
} CliVadLog;

/** Refuses an existing --vad file without --force. @return 0 or an exit code. */
int cli_vad_check(const char *path, const CliOptions *opt);

/** Opens @p path (NULL: no log). @return 0 or an exit code after printing the error. */
int cli_vad_open(CliVadLog *v, const char *path);

/** Adds a row; nothing when no log is open. */
void cli_vad_row(CliVadLog *v, double time_s, float probability);

/** Completes the log. @return 0 or an exit code after printing the error. */
int cli_vad_finish(CliVadLog *v, const CliOptions *opt);

/** Drops the log and its temporary file. */
void cli_vad_abort(CliVadLog *v);

#endif /* QUELL_CLI_VAD_CSV_H */
