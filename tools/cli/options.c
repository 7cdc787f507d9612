/* SPDX-License-Identifier: BSD-3-Clause */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <quell.h>
#include <sndfile.h>

#include "report.h"

static const char usage_text[] =
    "Usage: quell [OPTIONS] INPUT OUTPUT\n"
    "       quell [OPTIONS] -o DIR INPUT...\n"
    "Remove background noise from speech in sound files.\n"
    "\n"
    "INPUT may be any file libsndfile reads (WAV, FLAC, Ogg Vorbis/Opus, AIFF, CAF, MP3, ...)\n"
    "at 8 to 192 kHz with 1 to 8 channels. OUTPUT gets the input's format, encoding, rate,\n"
    "channels and length, time-aligned with the input (the filter's delay is compensated);\n"
    "an OUTPUT extension naming another container (.wav .flac .ogg .opus .aiff .caf .au\n"
    ".w64 .rf64 .mp3) selects that container. '-' is standard input or output: stdin\n"
    "may carry WAV (or AU), or raw samples with --raw-*; stdout gets WAV (or raw).\n"
    "OUTPUT is written to a temporary file beside it and renamed when complete.\n"
    "\n"
    "Denoiser:\n"
    "  -a, --attenuation-limit DB  most noise reduction, 0..100 dB (default: 40);\n"
    "                              0 passes the input through unchanged\n"
    "  -m, --model FILE            model file (default: the model built into libquell)\n"
    "  -b, --bypass                no denoising: the signal takes the same path (checks)\n"
    "      --no-guard              turn the clean-speech guard off: clicks and thuds over\n"
    "                              quiet backgrounds go too, but so may some clean voices\n"
    "      --vad FILE              write CSV 'time_s,speech_probability', one row per\n"
    "                              analysis hop (~10 ms); time_s is the frame's centre\n"
    "Files:\n"
    "  -o, --output-dir DIR        batch mode: write DIR/<input's name> for each INPUT\n"
    "  -f, --force                 replace an existing OUTPUT (default: refuse)\n"
    "Raw (headerless, little-endian, interleaved) samples:\n"
    "      --raw-rate HZ           read INPUT as raw samples at HZ (required for raw input)\n"
    "      --raw-channels N        raw input channel count (default: 1)\n"
    "      --raw-format F          raw input encoding: s16, s24, s32 or f32 (default: s16)\n"
    "      --raw-out               write raw samples instead of a file format; encoding:\n"
    "                              --raw-format's, else the input's (s16 if compressed)\n"
    "Other:\n"
    "  -q, --quiet                 no progress bar\n"
    "  -V, --version               print the versions and exit\n"
    "  -h, --help                  print this help and exit\n"
    "\n"
    "A progress bar is drawn on stderr when it is a terminal.\n"
    "Exit status: 0 success; 1 runtime failure (out of memory); 2 bad usage or option\n"
    "value, or OUTPUT is an input; 3 input missing, unreadable, corrupt, truncated or\n"
    "unsupported; 4 bad model file; 5 output not writable (no folder, no permission, disk\n"
    "full) or already there without --force. With several inputs every file is tried and\n"
    "the first failure's status is returned. On SIGINT or SIGTERM quell removes its\n"
    "temporary files and dies of that signal.\n";

enum {
    OPT_VAD = 256,
    OPT_RAW_RATE,
    OPT_RAW_CHANNELS,
    OPT_RAW_FORMAT,
    OPT_RAW_OUT,
    OPT_NO_GUARD,
};

static const struct option long_options[] = {
    {"attenuation-limit", required_argument, NULL, 'a'},
    {"model", required_argument, NULL, 'm'},
    {"bypass", no_argument, NULL, 'b'},
    {"no-guard", no_argument, NULL, OPT_NO_GUARD},
    {"vad", required_argument, NULL, OPT_VAD},
    {"output-dir", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, 'f'},
    {"raw-rate", required_argument, NULL, OPT_RAW_RATE},
    {"raw-channels", required_argument, NULL, OPT_RAW_CHANNELS},
    {"raw-format", required_argument, NULL, OPT_RAW_FORMAT},
    {"raw-out", no_argument, NULL, OPT_RAW_OUT},
    {"quiet", no_argument, NULL, 'q'},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const raw_names[] = {"none", "s16", "s24", "s32", "f32"};

const char *cli_raw_format_name(CliRawFormat f)
{
    return (unsigned)f < sizeof raw_names / sizeof raw_names[0] ? raw_names[f] : "?";
}

/* A whole string as a finite number in [lo, hi]; returns 0 or CLI_EXIT_USAGE. */
static int parse_number(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !isfinite(v))
        return cli_error(CLI_EXIT_USAGE, "%s: '%s' is not a number", opt, s);
    if (v < lo || v > hi)
        return cli_error(CLI_EXIT_USAGE, "%s: %s is out of range (%g to %g)", opt, s, lo, hi);
    *out = v;
    return 0;
}

static int parse_integer(const char *opt, const char *s, long lo, long hi, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0)
        return cli_error(CLI_EXIT_USAGE, "%s: '%s' is not a whole number", opt, s);
    if (v < lo || v > hi)
        return cli_error(CLI_EXIT_USAGE, "%s: %s is out of range (%ld to %ld)", opt, s, lo, hi);
    *out = (int)v;
    return 0;
}

static int parse_raw_format(const char *s, CliRawFormat *out)
{
    for (int f = CLI_RAW_S16; f <= CLI_RAW_F32; f++)
        if (strcmp(s, raw_names[f]) == 0) {
            *out = (CliRawFormat)f;
            return 0;
        }
    return cli_error(CLI_EXIT_USAGE, "--raw-format: '%s' is not one of s16, s24, s32, f32", s);
}

static void print_version(void)
{
    char sf_version[128];
    sf_command(NULL, SFC_GET_LIB_VERSION, sf_version, sizeof sf_version);
    printf("quell %d.%d.%d (libquell %s, %s)\n", QUELL_VERSION_MAJOR, QUELL_VERSION_MINOR,
           QUELL_VERSION_PATCH, quell_version_string(), sf_version);
}

static int is_directory(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Inputs and outputs from the positional arguments. */
static int parse_positionals(int n, char **args, CliOptions *opt)
{
    if (opt->output_dir == NULL && n == 2 && strcmp(args[1], "-") != 0 && is_directory(args[1])) {
        /* "quell in.wav dir/" means "quell -o dir in.wav", as with cp */
        opt->output_dir = args[1];
        n = 1;
    }
    if (opt->output_dir != NULL) {
        if (n < 1)
            return cli_error(CLI_EXIT_USAGE, "no INPUT given (try 'quell --help')");
        for (int i = 0; i < n; i++)
            if (strcmp(args[i], "-") == 0)
                return cli_error(CLI_EXIT_USAGE,
                                 "standard input ('-') has no name to use in -o DIR; "
                                 "give INPUT OUTPUT instead");
        if (opt->vad_path != NULL && n > 1)
            return cli_error(CLI_EXIT_USAGE, "--vad takes one input file, not %d", n);
        opt->inputs = args;
        opt->n_inputs = n;
        return 0;
    }
    if (n == 0)
        return cli_error(CLI_EXIT_USAGE, "no INPUT and OUTPUT given (try 'quell --help')");
    if (n == 1)
        return cli_error(CLI_EXIT_USAGE, "no OUTPUT given after '%s' (try 'quell --help')",
                         args[0]);
    if (n > 2)
        return cli_error(CLI_EXIT_USAGE, "%d files given: several inputs need -o DIR", n);
    opt->inputs = args;
    opt->n_inputs = 1;
    opt->output = args[1];
    if (opt->vad_path != NULL && strcmp(opt->vad_path, "-") == 0 && strcmp(opt->output, "-") == 0)
        return cli_error(CLI_EXIT_USAGE, "--vad - and OUTPUT - cannot both use standard output");
    return 0;
}

int cli_parse_options(int argc, char **argv, CliOptions *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->attenuation_db = QUELL_DEFAULT_ATTENUATION_DB;
    opt->raw_channels = 1;
    int raw_format_given = 0;
    double v = 0.0;
    int rc = 0;

    opterr = 0; /* our own one-line messages */
    optind = 1;
    for (;;) {
        int c = getopt_long(argc, argv, ":a:m:bo:fqVh", long_options, NULL);
        if (c == -1)
            break;
        switch (c) {
        case 'a':
            rc = parse_number("--attenuation-limit", optarg, 0.0, (double)QUELL_MAX_ATTENUATION_DB,
                              &v);
            if (rc == 0)
                opt->attenuation_db = (float)v;
            break;
        case 'm':
            opt->model_path = optarg;
            break;
        case 'b':
            opt->bypass = 1;
            break;
        case OPT_NO_GUARD:
            opt->no_guard = 1;
            break;
        case OPT_VAD:
            opt->vad_path = optarg;
            break;
        case 'o':
            opt->output_dir = optarg;
            break;
        case 'f':
            opt->force = 1;
            break;
        case OPT_RAW_RATE:
            rc = parse_integer("--raw-rate", optarg, QUELL_MIN_SAMPLE_RATE, QUELL_MAX_SAMPLE_RATE,
                               &opt->raw_rate);
            opt->raw_in = 1;
            break;
        case OPT_RAW_CHANNELS:
            rc = parse_integer("--raw-channels", optarg, 1, QUELL_MAX_CHANNELS, &opt->raw_channels);
            opt->raw_in = 1;
            break;
        case OPT_RAW_FORMAT:
            rc = parse_raw_format(optarg, &opt->raw_format);
            raw_format_given = 1;
            break;
        case OPT_RAW_OUT:
            opt->raw_out = 1;
            break;
        case 'q':
            opt->quiet = 1;
            break;
        case 'V':
            print_version();
            return -1;
        case 'h':
            fputs(usage_text, stdout);
            return -1;
        case ':':
            return cli_error(CLI_EXIT_USAGE, "option '%s' needs a value", argv[optind - 1]);
        default:
            /* "--bypass=1" also lands here, with optopt set to the option's letter */
            if (strncmp(argv[optind - 1], "--", 2) == 0)
                return cli_error(CLI_EXIT_USAGE, "%s '%s' (try 'quell --help')",
                                 strchr(argv[optind - 1], '=') != NULL
                                     ? "option takes no value or is unknown:"
                                     : "unknown option",
                                 argv[optind - 1]);
            if (optopt != 0)
                return cli_error(CLI_EXIT_USAGE, "unknown option '-%c' (try 'quell --help')",
                                 optopt);
            return cli_error(CLI_EXIT_USAGE, "unknown option '%s' (try 'quell --help')",
                             argv[optind - 1]);
        }
        if (rc != 0)
            return rc;
    }
    if (opt->raw_in && opt->raw_rate == 0)
        return cli_error(CLI_EXIT_USAGE, "raw input needs --raw-rate HZ");
    if (raw_format_given && !opt->raw_in && !opt->raw_out)
        return cli_error(CLI_EXIT_USAGE, "--raw-format needs --raw-rate (raw input) or --raw-out");
    if (opt->raw_in && !raw_format_given)
        opt->raw_format = CLI_RAW_S16;
    if (opt->vad_path != NULL && opt->vad_path[0] == '\0')
        return cli_error(CLI_EXIT_USAGE, "--vad needs a file name");
    if (opt->model_path != NULL && opt->model_path[0] == '\0')
        return cli_error(CLI_EXIT_USAGE, "--model needs a file name");
    if (opt->output_dir != NULL && opt->output_dir[0] == '\0')
        return cli_error(CLI_EXIT_USAGE, "--output-dir needs a folder name");
    return parse_positionals(argc - optind, argv + optind, opt);
}
