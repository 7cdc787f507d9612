/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exit codes and one-line messages of the quell file tool. Every failure is
 * reported once, as "quell: error: ...", by the code that detects it, which
 * then returns one of the exit codes below up to main().
 */
#ifndef QUELL_CLI_REPORT_H
#define QUELL_CLI_REPORT_H

#include <stddef.h>

/** Exit codes (documented in --help and tools/cli/README.md). */
enum {
    CLI_EXIT_OK = 0,      /**< every file processed */
    CLI_EXIT_FAILURE = 1, /**< runtime failure: read/write error mid-file, out of memory */
    CLI_EXIT_USAGE = 2,   /**< bad option or value, wrong arguments, input == output */
    CLI_EXIT_INPUT = 3,   /**< input missing, unreadable, corrupt, truncated or unsupported */
    CLI_EXIT_MODEL = 4,   /**< the --model file is missing or invalid */
    CLI_EXIT_OUTPUT = 5   /**< output (or --vad file) cannot be written, or exists */
};

/** Prints "quell: error: <message>" on one line of stderr and returns @p code. */
int cli_error(int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/**
 * Copies a library message (libsndfile's may end in a full stop or hold a
 * newline) into @p buf as one clause: newlines become spaces, the trailing
 * full stop and spaces go.
 */
const char *cli_clause(const char *msg, char *buf, size_t size);

#endif /* QUELL_CLI_REPORT_H */
