/* SPDX-License-Identifier: BSD-3-Clause */
#include "vad_csv.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "audio_out.h"
#include "report.h"

int cli_vad_check(const char *path, const CliOptions *opt)
{
    if (path == NULL || strcmp(path, "-") == 0)
        return 0;
    return cli_check_replaceable("--vad file", path, opt->force);
}

int cli_vad_open(CliVadLog *v, const char *path)
{
    memset(v, 0, sizeof *v);
    v->temp.fd = -1;
    v->temp.slot = -1;
    if (path == NULL)
        return 0;
    v->name = path;
    if (strcmp(path, "-") == 0) {
        v->to_stdout = 1;
        v->f = stdout;
    } else {
        int e = cli_temp_create(&v->temp, path);
        if (e != 0)
            return cli_error(CLI_EXIT_OUTPUT, "--vad file '%s': cannot write in its folder: %s",
                             path, strerror(e));
        /* a duplicate for stdio; the temporary file keeps its own descriptor */
        int fd = dup(v->temp.fd);
        v->f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (v->f == NULL) {
            int err = errno;
            if (fd >= 0)
                close(fd);
            cli_temp_discard(&v->temp);
            return cli_error(CLI_EXIT_OUTPUT, "--vad file '%s': %s", path, strerror(err));
        }
    }
    fputs("time_s,speech_probability\n", v->f);
    return 0;
}

void cli_vad_row(CliVadLog *v, double time_s, float probability)
{
    if (v->f != NULL)
        fprintf(v->f, "%.6f,%.4f\n", time_s, (double)probability);
}

int cli_vad_finish(CliVadLog *v, const CliOptions *opt)
{
    if (v->f == NULL)
        return 0;
    int failed = ferror(v->f);
    if (v->to_stdout)
        failed |= fflush(v->f) != 0;
    else
        failed |= fclose(v->f) != 0;
    v->f = NULL;
    if (failed) {
        cli_vad_abort(v);
        return cli_error(CLI_EXIT_OUTPUT, "writing --vad file '%s' failed", v->name);
    }
    if (v->to_stdout)
        return 0;
    int e = cli_temp_commit(&v->temp, opt->force);
    if (e == EEXIST)
        return cli_error(CLI_EXIT_OUTPUT, "--vad file '%s' appeared meanwhile; kept it", v->name);
    if (e != 0)
        return cli_error(CLI_EXIT_OUTPUT, "--vad file '%s': %s", v->name, strerror(e));
    return 0;
}

void cli_vad_abort(CliVadLog *v)
{
    if (v->f != NULL && !v->to_stdout)
        fclose(v->f);
    v->f = NULL;
    if (v->temp.slot >= 0 || v->temp.fd >= 0)
        cli_temp_discard(&v->temp);
}
