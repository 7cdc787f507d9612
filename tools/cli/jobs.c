/* SPDX-License-Identifier: BSD-3-Clause */
#include "jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

/* The last component of a path ("a/b.wav" -> "b.wav"); NULL when it has none. */
static const char *base_name(const char *path, size_t *len)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    size_t start = n;
    while (start > 0 && path[start - 1] != '/')
        start--;
    *len = n - start;
    if (*len == 0 || (*len == 1 && path[start] == '.') ||
        (*len == 2 && strncmp(path + start, "..", 2) == 0))
        return NULL;
    return path + start;
}

void cli_jobs_free(CliJob *jobs, int n_jobs)
{
    if (jobs == NULL)
        return;
    for (int i = 0; i < n_jobs; i++)
        free(jobs[i].output);
    free(jobs);
}

int cli_jobs_plan(const CliOptions *opt, CliJob **jobs_out, int *n_out)
{
    *jobs_out = NULL;
    *n_out = 0;
    int n = opt->n_inputs;
    if (opt->output_dir != NULL) {
        struct stat sb;
        if (stat(opt->output_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
            return cli_error(CLI_EXIT_OUTPUT, "output folder '%s' does not exist", opt->output_dir);
    }
    CliJob *jobs = calloc((size_t)n, sizeof *jobs);
    if (jobs == NULL)
        return cli_error(CLI_EXIT_FAILURE, "out of memory");
    for (int i = 0; i < n; i++) {
        jobs[i].input = opt->inputs[i];
        if (opt->output_dir == NULL) {
            jobs[i].output = strdup(opt->output);
        } else {
            size_t len;
            const char *base = base_name(opt->inputs[i], &len);
            if (base == NULL) {
                cli_jobs_free(jobs, n);
                return cli_error(CLI_EXIT_USAGE, "input '%s' has no file name to use in '%s'",
                                 opt->inputs[i], opt->output_dir);
            }
            size_t dir_len = strlen(opt->output_dir);
            int slash = dir_len > 0 && opt->output_dir[dir_len - 1] == '/';
            size_t size = dir_len + 1 + len + 1;
            jobs[i].output = malloc(size);
            if (jobs[i].output != NULL)
                snprintf(jobs[i].output, size, "%s%s%.*s", opt->output_dir, slash ? "" : "/",
                         (int)len, base);
        }
        if (jobs[i].output == NULL) {
            cli_jobs_free(jobs, n);
            return cli_error(CLI_EXIT_FAILURE, "out of memory");
        }
        for (int j = 0; j < i; j++)
            if (strcmp(jobs[j].output, jobs[i].output) == 0) {
                int code =
                    cli_error(CLI_EXIT_USAGE, "inputs '%s' and '%s' would both be written to '%s'",
                              jobs[j].input, jobs[i].input, jobs[i].output);
                cli_jobs_free(jobs, n);
                return code;
            }
    }
    *jobs_out = jobs;
    *n_out = n;
    return 0;
}

/* stat() of a path, or fstat() of stdin/stdout for "-". */
static int identify(const char *path, int std_fd, struct stat *sb)
{
    if (strcmp(path, "-") == 0)
        return fstat(std_fd, sb) == 0 && S_ISREG(sb->st_mode);
    return stat(path, sb) == 0;
}

static int same_file(const char *a, int a_fd, const char *b, int b_fd)
{
    struct stat sa, sb;
    return identify(a, a_fd, &sa) && identify(b, b_fd, &sb) && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int cli_job_check_paths(const CliOptions *opt, const CliJob *job)
{
    for (int i = 0; i < opt->n_inputs; i++) {
        const char *in = opt->inputs[i];
        if (same_file(in, STDIN_FILENO, job->output, STDOUT_FILENO))
            return cli_error(CLI_EXIT_USAGE,
                             "output '%s' is the input '%s': refusing to write over it",
                             job->output, in);
        if (opt->vad_path != NULL && same_file(in, STDIN_FILENO, opt->vad_path, STDOUT_FILENO))
            return cli_error(CLI_EXIT_USAGE,
                             "--vad file '%s' is the input '%s': refusing to write over it",
                             opt->vad_path, in);
    }
    if (opt->vad_path != NULL &&
        (strcmp(opt->vad_path, job->output) == 0 ||
         same_file(opt->vad_path, STDOUT_FILENO, job->output, STDOUT_FILENO)))
        return cli_error(CLI_EXIT_USAGE, "--vad file and output are the same file '%s'",
                         job->output);
    return 0;
}
