/* SPDX-License-Identifier: BSD-3-Clause */
/* One file through the denoiser, time-aligned: the output has the input's length. */
#ifndef QUELL_CLI_DENOISE_H
#define QUELL_CLI_DENOISE_H

#include <quell.h>

#include "jobs.h"
#include "options.h"

/** Frames per read/process/write block: memory stays bounded whatever the file length. */
#define CLI_BLOCK_FRAMES 4096

/**
 * Denoises @p job->input into @p job->output with @p model (shared by all
 * jobs). Any failure removes the partial output.
 * @return 0, or an exit code after printing the error.
 */
int cli_denoise_job(const CliOptions *opt, const QuellModel *model, const CliJob *job);

#endif /* QUELL_CLI_DENOISE_H */
