/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quell: the file tool. Parses the options, loads the model once, and
 * denoises each input into its output (see --help and README.md).
 */
#include <stdio.h>
#include <unistd.h>

#include <quell.h>

#include "denoise.h"
#include "jobs.h"
#include "options.h"
#include "progress.h"
#include "report.h"
#include "tempfile.h"

static QuellModel *load_model(const char *path, int *code)
{
    int err = QUELL_OK;
    QuellModel *model =
        path != NULL ? quell_model_new_from_file(path, &err) : quell_model_new_default(&err);
    if (model == NULL)
        *code =
            cli_error(err == QUELL_ERR_NO_MEMORY ? CLI_EXIT_FAILURE : CLI_EXIT_MODEL,
                      "model '%s': %s", path != NULL ? path : "(built in)", quell_strerror(err));
    return model;
}

int main(int argc, char **argv)
{
    CliOptions opt;
    int code = cli_parse_options(argc, argv, &opt);
    if (code != 0)
        return code < 0 ? CLI_EXIT_OK : code;

    CliJob *jobs = NULL;
    int n_jobs = 0;
    code = cli_jobs_plan(&opt, &jobs, &n_jobs);
    if (code != 0)
        return code;
    QuellModel *model = load_model(opt.model_path, &code);
    if (model == NULL) {
        cli_jobs_free(jobs, n_jobs);
        return code;
    }

    cli_temp_install_signal_handlers();
    cli_progress_enable(!opt.quiet && isatty(STDERR_FILENO));
    /* every file is tried; the first failure decides the exit status */
    for (int i = 0; i < n_jobs; i++) {
        int rc = cli_denoise_job(&opt, model, &jobs[i]);
        if (code == 0)
            code = rc;
    }

    quell_model_free(model);
    cli_jobs_free(jobs, n_jobs);
    return code;
}
