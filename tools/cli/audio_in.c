/* SPDX-License-Identifier: BSD-3-Clause */
#include "audio_in.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <quell.h>

#include "report.h"

/* Longer than any header libsndfile logs for the formats checked below. */
#define LOG_SIZE 8192
/* Data sizes from here up are the "unknown length" placeholders that
 * streaming writers put in WAV headers (0xFFFFFFFF, sox's 0x7FFFF000). */
#define STREAMING_SIZE 0x7FFF0000LL
/* Lengths above this (2^40 frames, 200 days at 48 kHz) mean "unknown". */
#define MAX_KNOWN_FRAMES (1LL << 40)

int cli_raw_subtype(CliRawFormat f)
{
    switch (f) {
    case CLI_RAW_S24:
        return SF_FORMAT_PCM_24;
    case CLI_RAW_S32:
        return SF_FORMAT_PCM_32;
    case CLI_RAW_F32:
        return SF_FORMAT_FLOAT;
    case CLI_RAW_S16:
    case CLI_RAW_NONE:
    default:
        return SF_FORMAT_PCM_16;
    }
}

/* A declared chunk length larger than what the file holds. */
static int declared_beyond_file(long long declared, long long actual)
{
    return declared > actual && declared > 0 && declared < STREAMING_SIZE;
}

/*
 * libsndfile opens a WAV or AIFF whose data was cut short and silently
 * shortens it; it only says so in its log ("data : 2000 (should be 1000)").
 * A cut Ogg stream is logged as "File ended unexpectedly". Such inputs are
 * damaged copies, so they are refused rather than half processed.
 */
static int log_says_truncated(SNDFILE *sf)
{
    char *log = malloc(LOG_SIZE);
    if (log == NULL)
        return 0;
    log[0] = '\0';
    sf_command(sf, SFC_GET_LOG_INFO, log, LOG_SIZE);
    int truncated = 0;
    char *save = NULL;
    for (char *line = strtok_r(log, "\n", &save); line != NULL && !truncated;
         line = strtok_r(NULL, "\n", &save)) {
        while (*line == ' ' || *line == '\t')
            line++;
        long long declared, actual;
        if (strncmp(line, "data", 4) == 0 || strncmp(line, "SSND", 4) == 0) {
            const char *colon = strchr(line, ':');
            if (colon != NULL &&
                sscanf(colon + 1, " %lld (should be %lld)", &declared, &actual) == 2)
                truncated = declared_beyond_file(declared, actual);
        } else if (sscanf(line, "*** Chunk size %lld > file length %lld", &declared, &actual) ==
                   2) {
            truncated = declared_beyond_file(declared, actual);
        } else if (strstr(line, "File ended unexpectedly") != NULL) {
            truncated = 1;
        }
    }
    free(log);
    return truncated;
}

static int open_descriptor(CliInput *in, const char *path)
{
    if (strcmp(path, "-") == 0) {
        in->name = "standard input";
        in->fd = STDIN_FILENO;
        in->own_fd = 0;
        if (isatty(STDIN_FILENO))
            return cli_error(CLI_EXIT_USAGE,
                             "standard input is a terminal: pipe or redirect audio into it");
        return 0;
    }
    in->name = path;
    in->fd = open(path, O_RDONLY);
    if (in->fd < 0)
        return cli_error(CLI_EXIT_INPUT, "input '%s': %s", path, strerror(errno));
    in->own_fd = 1;
    struct stat sb;
    if (fstat(in->fd, &sb) == 0 && S_ISDIR(sb.st_mode))
        return cli_error(CLI_EXIT_INPUT, "input '%s' is a folder (use -o DIR for several files)",
                         path);
    return 0;
}

static int open_failed(CliInput *in, const char *why, int streamed)
{
    char clause[256];
    cli_clause(why, clause, sizeof clause);
    /* libsndfile 1.2 closes the descriptor when sf_open_fd() fails, even when
     * told not to: forget it rather than close a number that may be reused */
    if (fcntl(in->fd, F_GETFD) < 0)
        in->fd = -1;
    if (!in->own_fd && streamed)
        return cli_error(CLI_EXIT_INPUT,
                         "%s: %s (a pipe can carry WAV, AU or raw samples with --raw-rate; "
                         "redirect other formats from a file)",
                         in->name, clause);
    return cli_error(CLI_EXIT_INPUT, "input '%s': %s", in->name, clause);
}

int cli_input_open(CliInput *in, const char *path, const CliOptions *opt)
{
    memset(in, 0, sizeof *in);
    in->fd = -1;
    int rc = open_descriptor(in, path);
    if (rc != 0)
        return rc;
    if (opt->raw_in) {
        in->info.samplerate = opt->raw_rate;
        in->info.channels = opt->raw_channels;
        in->info.format = SF_FORMAT_RAW | SF_ENDIAN_LITTLE | cli_raw_subtype(opt->raw_format);
    }
    struct stat sb;
    int streamed = fstat(in->fd, &sb) == 0 && !S_ISREG(sb.st_mode);
    in->sf = sf_open_fd(in->fd, SFM_READ, &in->info, SF_FALSE);
    if (in->sf == NULL)
        return open_failed(in, sf_strerror(NULL), streamed);

    if (in->info.channels < 1 || in->info.channels > QUELL_MAX_CHANNELS)
        return cli_error(CLI_EXIT_INPUT, "input '%s': %d channels are not supported (1 to %d)",
                         in->name, in->info.channels, QUELL_MAX_CHANNELS);
    if (in->info.samplerate < QUELL_MIN_SAMPLE_RATE || in->info.samplerate > QUELL_MAX_SAMPLE_RATE)
        return cli_error(CLI_EXIT_INPUT,
                         "input '%s': sample rate %d Hz is not supported (%d to %d Hz)", in->name,
                         in->info.samplerate, QUELL_MIN_SAMPLE_RATE, QUELL_MAX_SAMPLE_RATE);
    in->frames = in->info.seekable && in->info.frames >= 0 && in->info.frames < MAX_KNOWN_FRAMES
                     ? (long long)in->info.frames
                     : -1;
    if (in->info.seekable && !opt->raw_in && log_says_truncated(in->sf))
        return cli_error(CLI_EXIT_INPUT, "input '%s' is truncated (the file ends before its data)",
                         in->name);
    return 0;
}

long cli_input_read(CliInput *in, float *buf, long max_frames)
{
    sf_count_t n = sf_readf_float(in->sf, buf, max_frames);
    if (n > 0)
        return (long)n;
    if (sf_error(in->sf) != SF_ERR_NO_ERROR) {
        char clause[256];
        cli_error(CLI_EXIT_INPUT, "input '%s' is corrupt: %s", in->name,
                  cli_clause(sf_strerror(in->sf), clause, sizeof clause));
        return -1;
    }
    return 0;
}

int cli_input_check_complete(CliInput *in, long long frames_read)
{
    if (in->frames >= 0 && frames_read < in->frames)
        return cli_error(CLI_EXIT_INPUT,
                         "input '%s' is truncated: %lld of %lld frames could be read", in->name,
                         frames_read, in->frames);
    if (in->info.seekable && (in->info.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_RAW &&
        log_says_truncated(in->sf))
        return cli_error(CLI_EXIT_INPUT, "input '%s' is truncated (the stream ends early)",
                         in->name);
    return 0;
}

void cli_input_close(CliInput *in)
{
    if (in->sf != NULL)
        sf_close(in->sf);
    in->sf = NULL;
    if (in->own_fd && in->fd >= 0)
        close(in->fd);
    in->fd = -1;
    in->own_fd = 0;
}
