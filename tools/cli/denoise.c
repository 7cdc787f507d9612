/* SPDX-License-Identifier: BSD-3-Clause */
#include "denoise.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "audio_in.h"
#include "audio_out.h"
#include "progress.h"
#include "report.h"
#include "vad_csv.h"

/* Everything one job holds, so that every exit path releases all of it. */
typedef struct Job {
    CliInput in;
    CliOutput out;
    CliVadLog vad;
    QuellState *st;
    float *buf; /* CLI_BLOCK_FRAMES interleaved frames, processed in place */
    int channels;
    int hop;           /* analysis hop H in frames (~10 ms) */
    long long fed;     /* frames given to quell_process, flush zeros included */
    long long to_skip; /* leading output frames still to drop (the latency) */
} Job;

/*
 * Runs @p n frames through the state in place, cut at hop boundaries: a
 * frame's speech probability is ready when the input reaches the end of a hop,
 * and frame t (0, 1, ...) spans input [t*H - H, t*H + H), centred at t*H.
 * Rows are kept for frames centred before @p end_frame (the input's length).
 */
static void run_block(Job *j, float *buf, long n, long long end_frame)
{
    long done = 0;
    while (done < n) {
        long m = j->hop - (long)(j->fed % j->hop);
        if (m > n - done)
            m = n - done;
        float *p = buf + (size_t)done * (size_t)j->channels;
        quell_process(j->st, p, p, (size_t)m);
        j->fed += m;
        done += m;
        if (j->fed % j->hop == 0) {
            long long centre = j->fed - j->hop;
            if (centre < end_frame)
                cli_vad_row(&j->vad, (double)centre / j->in.info.samplerate,
                            quell_get_speech_probability(j->st));
        }
    }
}

/* Processes a block and writes what is left of it once the latency is dropped. */
static int process_and_write(Job *j, long n, long long end_frame)
{
    run_block(j, j->buf, n, end_frame);
    long skip = j->to_skip < n ? (long)j->to_skip : n;
    j->to_skip -= skip;
    return cli_output_write(&j->out, j->buf + (size_t)skip * (size_t)j->channels, n - skip);
}

static int create_state(Job *j, const CliOptions *opt, const QuellModel *model)
{
    int err = QUELL_OK;
    j->st = quell_create(model, j->in.info.samplerate, j->in.info.channels, &err);
    if (j->st == NULL) {
        int code = err == QUELL_ERR_NO_MEMORY ? CLI_EXIT_FAILURE : CLI_EXIT_INPUT;
        return cli_error(code, "input '%s': %s", j->in.name, quell_strerror(err));
    }
    quell_set_attenuation_limit_db(j->st, opt->attenuation_db);
    quell_set_bypass(j->st, opt->bypass);
    quell_set_clean_guard(j->st, !opt->no_guard);
    j->channels = j->in.info.channels;
    /* the latency is one frame N = 2H (models/README.md, section 1) */
    j->to_skip = quell_latency(j->st);
    j->hop = quell_latency(j->st) / 2;
    if (j->hop < 1)
        j->hop = 1;
    j->buf = malloc((size_t)CLI_BLOCK_FRAMES * (size_t)j->channels * sizeof(float));
    if (j->buf == NULL)
        return cli_error(CLI_EXIT_FAILURE, "out of memory");
    return 0;
}

static int run(Job *j)
{
    long long frames_in = 0;
    cli_progress_begin(j->in.name, j->in.frames, j->in.info.samplerate);
    for (;;) {
        long n = cli_input_read(&j->in, j->buf, CLI_BLOCK_FRAMES);
        if (n < 0)
            return CLI_EXIT_INPUT;
        if (n == 0)
            break;
        frames_in += n;
        int rc = process_and_write(j, n, LLONG_MAX);
        if (rc != 0)
            return rc;
        cli_progress_update(frames_in);
    }
    int rc = cli_input_check_complete(&j->in, frames_in);
    if (rc != 0)
        return rc;
    /* flush: zeros push the last latency's worth of input out of the filter */
    long long left = quell_latency(j->st);
    while (left > 0) {
        long n = left < CLI_BLOCK_FRAMES ? (long)left : CLI_BLOCK_FRAMES;
        memset(j->buf, 0, (size_t)n * (size_t)j->channels * sizeof(float));
        rc = process_and_write(j, n, frames_in);
        if (rc != 0)
            return rc;
        left -= n;
    }
    cli_progress_end();
    return 0;
}

static int denoise(Job *j, const CliOptions *opt, const QuellModel *model, const CliJob *job)
{
    int rc = cli_job_check_paths(opt, job);
    if (rc == 0)
        rc = cli_input_open(&j->in, job->input, opt);
    if (rc == 0)
        rc = cli_output_check(job->output, opt);
    if (rc == 0)
        rc = cli_vad_check(opt->vad_path, opt);
    if (rc == 0)
        rc = create_state(j, opt, model);
    if (rc == 0)
        rc = cli_output_open(&j->out, job->output, &j->in, opt);
    if (rc == 0)
        rc = cli_vad_open(&j->vad, opt->vad_path);
    if (rc == 0)
        rc = run(j);
    if (rc == 0)
        rc = cli_vad_finish(&j->vad, opt);
    if (rc == 0)
        rc = cli_output_finish(&j->out, opt);
    return rc;
}

int cli_denoise_job(const CliOptions *opt, const QuellModel *model, const CliJob *job)
{
    Job j;
    memset(&j, 0, sizeof j);
    j.in.fd = -1;
    j.out.temp.fd = -1;
    j.out.temp.slot = -1;
    j.vad.temp.fd = -1;
    j.vad.temp.slot = -1;
    int rc = denoise(&j, opt, model, job);
    if (rc != 0) {
        cli_progress_clear();
        cli_vad_abort(&j.vad);
        cli_output_abort(&j.out);
    }
    free(j.buf);
    quell_destroy(j.st);
    cli_input_close(&j.in);
    return rc;
}
