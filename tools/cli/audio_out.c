/* SPDX-License-Identifier: BSD-3-Clause */
#include "audio_out.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

/* Vorbis quality 0.6 (oggenc -q 6, about 100 kbit/s for 48 kHz mono speech):
 * transparent for speech, against libsndfile's default of 0.4. */
#define VORBIS_QUALITY 0.6
/* FLAC level 5 of 8, the reference encoder's default size/speed balance. */
#define FLAC_LEVEL (5.0 / 8.0)

/* Containers named by an OUTPUT extension, with the encoding they prefer
 * (0: keep the input's when the container allows it). */
static const struct {
    const char *ext;
    int major;
    int subtype;
} containers[] = {
    {"wav", SF_FORMAT_WAV, 0},
    {"wave", SF_FORMAT_WAV, 0},
    {"flac", SF_FORMAT_FLAC, 0},
    {"ogg", SF_FORMAT_OGG, 0},
    {"oga", SF_FORMAT_OGG, 0},
    {"opus", SF_FORMAT_OGG, SF_FORMAT_OPUS},
    {"aif", SF_FORMAT_AIFF, 0},
    {"aiff", SF_FORMAT_AIFF, 0},
    {"aifc", SF_FORMAT_AIFF, 0},
    {"au", SF_FORMAT_AU, 0},
    {"snd", SF_FORMAT_AU, 0},
    {"caf", SF_FORMAT_CAF, 0},
    {"w64", SF_FORMAT_W64, 0},
    {"rf64", SF_FORMAT_RF64, 0},
    {"mp3", SF_FORMAT_MPEG, SF_FORMAT_MPEG_LAYER_III},
};

static int is_high_resolution(int subtype)
{
    return subtype == SF_FORMAT_PCM_24 || subtype == SF_FORMAT_PCM_32 ||
           subtype == SF_FORMAT_FLOAT || subtype == SF_FORMAT_DOUBLE;
}

static int is_plain_encoding(int subtype)
{
    switch (subtype) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_PCM_16:
    case SF_FORMAT_PCM_24:
    case SF_FORMAT_PCM_32:
    case SF_FORMAT_FLOAT:
    case SF_FORMAT_DOUBLE:
    case SF_FORMAT_ULAW:
    case SF_FORMAT_ALAW:
        return 1;
    default:
        return 0;
    }
}

/* The stdout WAV / raw encodings: s16, s24, s32 or f32. */
static int stream_subtype(int subtype)
{
    switch (subtype) {
    case SF_FORMAT_PCM_24:
    case SF_FORMAT_PCM_32:
    case SF_FORMAT_FLOAT:
        return subtype;
    case SF_FORMAT_DOUBLE:
        return SF_FORMAT_FLOAT;
    default:
        return SF_FORMAT_PCM_16; /* 8-bit, companded and compressed inputs */
    }
}

static int format_ok(SF_INFO info, int format)
{
    info.format = format;
    return sf_format_check(&info);
}

/* A file format for @p major close to the input's encoding @p in_format. */
static int file_format(const SF_INFO *in, int major, int preferred)
{
    int in_major = in->format & SF_FORMAT_TYPEMASK, in_sub = in->format & SF_FORMAT_SUBMASK;
    if (major == 0 || (major == in_major && preferred == 0))
        return in->format; /* container, encoding and byte order as they were */
    int order[8], n = 0;
    if (preferred != 0)
        order[n++] = preferred;
    /* a codec does not move across containers (sf_format_check() allows MP3 in
     * WAV, which libsndfile cannot write); plain sample encodings do */
    if (is_plain_encoding(in_sub))
        order[n++] = in_sub;
    if (is_high_resolution(in_sub)) {
        order[n++] = SF_FORMAT_FLOAT;
        order[n++] = SF_FORMAT_PCM_24;
        order[n++] = SF_FORMAT_PCM_16;
    } else {
        order[n++] = SF_FORMAT_PCM_16;
        order[n++] = SF_FORMAT_PCM_24;
    }
    /* containers that hold only compressed audio */
    order[n++] = SF_FORMAT_VORBIS;
    order[n++] = SF_FORMAT_MPEG_LAYER_III;
    for (int i = 0; i < n; i++)
        if (format_ok(*in, major | order[i]))
            return major | order[i];
    return 0;
}

static void extension_container(const char *path, int *major, int *subtype)
{
    *major = 0;
    *subtype = 0;
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash != NULL ? slash + 1 : path, '.');
    if (dot == NULL)
        return;
    for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++)
        if (strcasecmp(dot + 1, containers[i].ext) == 0) {
            *major = containers[i].major;
            *subtype = containers[i].subtype;
            return;
        }
}

int cli_output_check(const char *path, const CliOptions *opt)
{
    if (strcmp(path, "-") == 0) {
        if (isatty(STDOUT_FILENO))
            return cli_error(CLI_EXIT_USAGE,
                             "standard output is a terminal: redirect it, e.g. '> out.wav'");
        return 0;
    }
    return cli_check_replaceable("output", path, opt->force);
}

int cli_check_replaceable(const char *what, const char *path, int force)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return 0; /* a new file */
    /* a symbolic link is judged by what it points to, and replaced itself */
    struct stat target;
    if (S_ISLNK(sb.st_mode) && stat(path, &target) == 0)
        sb = target;
    if (S_ISDIR(sb.st_mode))
        return cli_error(CLI_EXIT_OUTPUT, "%s '%s' is a folder", what, path);
    /* the rename at the end would replace a device or FIFO node by a file */
    if (!S_ISREG(sb.st_mode) && !S_ISLNK(sb.st_mode))
        return cli_error(CLI_EXIT_OUTPUT,
                         "%s '%s' is not a regular file (use '-' to write to standard output)",
                         what, path);
    if (!force)
        return cli_error(CLI_EXIT_OUTPUT, "%s '%s' exists (use --force to replace it)", what, path);
    return 0;
}

/* Raw encoding for --raw-out: --raw-format's, else the input's nearest. */
static int raw_out_subtype(const CliInput *in, const CliOptions *opt)
{
    if (opt->raw_format != CLI_RAW_NONE)
        return cli_raw_subtype(opt->raw_format);
    return stream_subtype(in->info.format & SF_FORMAT_SUBMASK);
}

/* 1 when stdout is a regular file at its start: libsndfile can write there as usual. */
static int stdout_is_plain_file(int *odd)
{
    struct stat sb;
    *odd = 0;
    if (fstat(STDOUT_FILENO, &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0;
    int flags = fcntl(STDOUT_FILENO, F_GETFL);
    if (lseek(STDOUT_FILENO, 0, SEEK_CUR) == 0 && flags >= 0 && !(flags & O_APPEND))
        return 1;
    *odd = 1; /* appending, or not at the start: libsndfile cannot embed a file there */
    return 0;
}

static int open_stdout(CliOutput *out, const CliInput *in, const CliOptions *opt)
{
    out->name = "standard output";
    out->to_stdout = 1;
    out->wav.fd = -1;
    int sub = opt->raw_out ? raw_out_subtype(in, opt)
                           : stream_subtype(in->info.format & SF_FORMAT_SUBMASK);
    int odd;
    int plain = stdout_is_plain_file(&odd);
    if (odd)
        return cli_error(CLI_EXIT_OUTPUT, "standard output is a file opened for appending or "
                                          "not at its start: give OUTPUT as a file name");
    if (opt->raw_out) {
        out->info.format = SF_FORMAT_RAW | SF_ENDIAN_LITTLE | sub;
    } else if (plain) {
        out->info.format = SF_FORMAT_WAV | sub;
    } else {
        int e = cli_wav_stream_begin(&out->wav, STDOUT_FILENO, sub, in->info.samplerate,
                                     in->info.channels, in->frames);
        if (e != 0)
            return cli_error(CLI_EXIT_OUTPUT, "writing to standard output: %s", strerror(e));
        /* the samples follow the hand-made header as raw little-endian data */
        out->info.format = SF_FORMAT_RAW | SF_ENDIAN_LITTLE | sub;
    }
    out->sf = sf_open_fd(STDOUT_FILENO, SFM_WRITE, &out->info, SF_FALSE);
    if (out->sf == NULL) {
        char clause[256];
        return cli_error(CLI_EXIT_OUTPUT, "standard output: %s",
                         cli_clause(sf_strerror(NULL), clause, sizeof clause));
    }
    return 0;
}

static int open_file(CliOutput *out, const char *path, const CliInput *in, const CliOptions *opt)
{
    out->name = path;
    if (opt->raw_out) {
        out->info.format = SF_FORMAT_RAW | SF_ENDIAN_LITTLE | raw_out_subtype(in, opt);
    } else {
        int major, preferred;
        extension_container(path, &major, &preferred);
        out->info.format = file_format(&in->info, major, preferred);
        if (out->info.format == 0)
            return cli_error(CLI_EXIT_OUTPUT,
                             "output '%s': the format its name asks for cannot hold %d Hz, "
                             "%d channels",
                             path, in->info.samplerate, in->info.channels);
    }
    int e = cli_temp_create(&out->temp, path);
    if (e != 0)
        return cli_error(CLI_EXIT_OUTPUT, "output '%s': cannot write in its folder: %s", path,
                         strerror(e));
    out->sf = sf_open_fd(out->temp.fd, SFM_WRITE, &out->info, SF_FALSE);
    if (out->sf == NULL) {
        /* libsndfile 1.2 closes the descriptor on failure despite SF_FALSE */
        if (fcntl(out->temp.fd, F_GETFD) < 0)
            out->temp.fd = -1;
        char clause[256];
        return cli_error(CLI_EXIT_OUTPUT, "output '%s': %s", path,
                         cli_clause(sf_strerror(NULL), clause, sizeof clause));
    }
    /* title, artist, ... carry over where the container has room for them */
    for (int s = SF_STR_FIRST; s <= SF_STR_LAST; s++) {
        const char *text = sf_get_string(in->sf, s);
        if (text != NULL)
            sf_set_string(out->sf, s, text);
    }
    return 0;
}

/* Steps per unit of the integer encodings rounded by quell itself. */
static float integer_grid(int subtype)
{
    switch (subtype) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
        return 128.0f;
    case SF_FORMAT_PCM_16:
    case SF_FORMAT_ALAC_16:
        return 32768.0f;
    case SF_FORMAT_ALAC_20:
        return 524288.0f;
    case SF_FORMAT_PCM_24:
    case SF_FORMAT_ALAC_24:
        return 8388608.0f;
    default:
        return 0.0f; /* float, 32-bit (beyond float's precision), companded, compressed */
    }
}

static void apply_encoder_settings(CliOutput *out)
{
    int sub = out->info.format & SF_FORMAT_SUBMASK;
    out->grid = integer_grid(sub);
    /* integers saturate instead of wrapping around on overs */
    if (sub != SF_FORMAT_FLOAT && sub != SF_FORMAT_DOUBLE)
        sf_command(out->sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
    double q;
    if (sub == SF_FORMAT_VORBIS) {
        q = VORBIS_QUALITY;
        sf_command(out->sf, SFC_SET_VBR_ENCODING_QUALITY, &q, sizeof q);
    }
    if ((out->info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC) {
        q = FLAC_LEVEL;
        sf_command(out->sf, SFC_SET_COMPRESSION_LEVEL, &q, sizeof q);
    }
}

int cli_output_open(CliOutput *out, const char *path, const CliInput *in, const CliOptions *opt)
{
    memset(out, 0, sizeof *out);
    out->temp.fd = -1;
    out->temp.slot = -1;
    out->wav.fd = -1;
    out->info.samplerate = in->info.samplerate;
    out->info.channels = in->info.channels;
    int rc = strcmp(path, "-") == 0 ? open_stdout(out, in, opt) : open_file(out, path, in, opt);
    if (rc != 0) {
        cli_output_abort(out);
        return rc;
    }
    apply_encoder_settings(out);
    return 0;
}

/*
 * libsndfile's clipping conversion floors (it shifts a 32-bit value right),
 * which turns 3217/32768 - 1e-7 into 3216 and biases the output by -1/2 step.
 * Rounding to the exact step first makes the conversion exact: an input
 * passed through (bypass, 0 dB) comes back bit for bit.
 */
static void round_to_grid(float *buf, size_t n, float grid)
{
    const float top = grid - 1.0f;
    for (size_t i = 0; i < n; i++) {
        float v = rintf(buf[i] * grid);
        v = v > top ? top : (v < -grid ? -grid : v);
        buf[i] = v / grid;
    }
}

int cli_output_write(CliOutput *out, float *buf, long frames)
{
    if (frames <= 0)
        return 0;
    if (out->grid > 0.0f)
        round_to_grid(buf, (size_t)frames * (size_t)out->info.channels, out->grid);
    sf_count_t n = sf_writef_float(out->sf, buf, frames);
    if (n != frames) {
        char clause[256];
        return cli_error(CLI_EXIT_OUTPUT, "writing '%s' failed: %s", out->name,
                         cli_clause(sf_strerror(out->sf), clause, sizeof clause));
    }
    out->frames += n;
    return 0;
}

int cli_output_finish(CliOutput *out, const CliOptions *opt)
{
    int e = sf_close(out->sf);
    out->sf = NULL;
    if (e != 0) {
        cli_output_abort(out);
        return cli_error(CLI_EXIT_OUTPUT, "closing '%s' failed: %s", out->name, sf_error_number(e));
    }
    if (out->to_stdout)
        return 0;
    e = cli_temp_commit(&out->temp, opt->force);
    if (e == EEXIST)
        return cli_error(CLI_EXIT_OUTPUT,
                         "output '%s' appeared while quell was writing; kept it "
                         "(use --force to replace it)",
                         out->name);
    if (e != 0)
        return cli_error(CLI_EXIT_OUTPUT, "output '%s': %s", out->name, strerror(e));
    return 0;
}

void cli_output_abort(CliOutput *out)
{
    if (out->sf != NULL)
        sf_close(out->sf);
    out->sf = NULL;
    if (out->temp.slot >= 0 || out->temp.fd >= 0)
        cli_temp_discard(&out->temp);
}
