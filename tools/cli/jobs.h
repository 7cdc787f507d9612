/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What to write where: one INPUT -> OUTPUT pair, or in batch mode (-o DIR)
 * DIR/<name of each input>. Refuses plans that would write over an input.
 */
#ifndef QUELL_CLI_JOBS_H
#define QUELL_CLI_JOBS_H

#include "options.h"

typedef struct CliJob {
    const char *input; /**< a path, or "-" */
    char *output;      /**< a path, or "-" (owned) */
} CliJob;

/**
 * Builds the jobs of a run. Fails when the -o folder is not there (exit code
 * CLI_EXIT_OUTPUT) or two inputs share a name (CLI_EXIT_USAGE).
 * @return 0, or an exit code after printing the error.
 */
int cli_jobs_plan(const CliOptions *opt, CliJob **jobs, int *n_jobs);

/** Frees what cli_jobs_plan() made. */
void cli_jobs_free(CliJob *jobs, int n_jobs);

/**
 * Refuses (CLI_EXIT_USAGE) a job whose output or --vad file is one of the
 * run's inputs, or is the output itself: same device and inode, so
 * "a.wav", "./a.wav" and links to it all count as the same file.
 */
int cli_job_check_paths(const CliOptions *opt, const CliJob *job);

#endif /* QUELL_CLI_JOBS_H */
