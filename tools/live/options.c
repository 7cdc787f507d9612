/* SPDX-License-Identifier: BSD-3-Clause */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <quell.h>

static const char usage_text[] =
    "Usage: quell-live [OPTIONS]\n"
    "Denoise a microphone live: input device -> quell -> output device.\n"
    "\n"
    "Devices:\n"
    "  -l, --list                 list audio devices and exit\n"
    "  -i, --input DEV            input device: index or part of its name (default: system's)\n"
    "  -o, --output DEV           output device: index or part of its name (default: system's)\n"
    "      --host-api NAME        only devices of this host API (ALSA, JACK, OSS, ...)\n"
    "      --no-output            do not play; record only (needs --record or --record-raw)\n"
    "      --play FILE            use a sound file instead of the microphone\n"
    "      --jack-name NAME       JACK client name (default: PortAudio)\n"
    "Recording:\n"
    "  -r, --record FILE          write the denoised signal (format from the extension)\n"
    "      --record-raw FILE      write the unprocessed input\n"
    "Stream:\n"
    "      --rate HZ              sample rate (default: the input device's)\n"
    "      --channels N           channels to process, 1..8 (default: 1)\n"
    "      --frames-per-buffer N  callback size (default: chosen by the host)\n"
    "      --latency L            low, high or SECONDS (default: low)\n"
    "  -d, --duration S           stop after S seconds of audio (default: run until stopped)\n"
    "Denoiser:\n"
    "  -a, --attenuation-limit DB most noise reduction, 0..100 dB (default: 40)\n"
    "  -m, --model FILE           model file (default: the embedded model)\n"
    "  -b, --bypass               start bypassed (space toggles)\n"
    "Other:\n"
    "  -v, --verbose              keep the audio back ends' own messages\n"
    "  -h, --help                 this help\n"
    "      --version              print the version\n"
    "\n"
    "Keys on a terminal: space toggles bypass, + and - change the attenuation limit by\n"
    "3 dB, q quits. Ctrl-C and SIGTERM stop cleanly; recordings are always complete.\n"
    "Exit status: 0 ok, 1 failure, 2 bad usage, 3 device not found, 4 rate/channels\n"
    "unsupported, 5 device busy.\n";

enum {
    OPT_HOST_API = 256,
    OPT_NO_OUTPUT,
    OPT_PLAY,
    OPT_RECORD_RAW,
    OPT_RATE,
    OPT_CHANNELS,
    OPT_FPB,
    OPT_LATENCY,
    OPT_JACK_NAME,
    OPT_VERSION
};

static int bad(const char *opt, const char *value, const char *why)
{
    fprintf(stderr, "quell-live: %s %s: %s (see --help)\n", opt, value, why);
    return LIVE_EXIT_USAGE;
}

/* A finite number with nothing after it. */
static int parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && errno == 0 && isfinite(*out) ? 0 : -1;
}

static int parse_value(int c, const char *arg, LiveOptions *opt)
{
    double v;
    switch (c) {
    case OPT_RATE:
        if (parse_number(arg, &v) || v != floor(v))
            return bad("--rate", arg, "not a whole number of Hz");
        if (v < QUELL_MIN_SAMPLE_RATE || v > QUELL_MAX_SAMPLE_RATE)
            return bad("--rate", arg, "outside 8000..192000 Hz");
        opt->rate = v;
        return -1;
    case OPT_CHANNELS:
        if (parse_number(arg, &v) || v != floor(v) || v < 1 || v > QUELL_MAX_CHANNELS)
            return bad("--channels", arg, "must be a whole number from 1 to 8");
        opt->channels = (int)v;
        return -1;
    case OPT_FPB:
        /* 1 s at 192 kHz is far more than any host takes in one callback. */
        if (parse_number(arg, &v) || v != floor(v) || v < 1 || v > 192000)
            return bad("--frames-per-buffer", arg, "must be a whole number from 1 to 192000");
        opt->frames_per_buffer = (unsigned long)v;
        return -1;
    case OPT_LATENCY:
        if (!strcmp(arg, "low")) {
            opt->latency = LIVE_LATENCY_LOW;
        } else if (!strcmp(arg, "high")) {
            opt->latency = LIVE_LATENCY_HIGH;
        } else if (!parse_number(arg, &v) && v > 0 && v <= 10) {
            opt->latency = LIVE_LATENCY_SECONDS;
            opt->latency_s = v;
        } else {
            return bad("--latency", arg, "must be low, high or seconds in (0, 10]");
        }
        return -1;
    case 'd':
        if (parse_number(arg, &v) || v <= 0 || v > 1e7)
            return bad("--duration", arg, "must be a positive number of seconds");
        opt->duration_s = v;
        return -1;
    case 'a':
        if (parse_number(arg, &v) || v < 0 || v > (double)QUELL_MAX_ATTENUATION_DB)
            return bad("--attenuation-limit", arg, "must be 0..100 dB");
        opt->attenuation_db = v;
        return -1;
    default:
        return LIVE_EXIT_USAGE;
    }
}

int live_parse_options(int argc, char **argv, LiveOptions *opt)
{
    static const struct option longopts[] = {
        {"list", no_argument, NULL, 'l'},
        {"input", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},
        {"host-api", required_argument, NULL, OPT_HOST_API},
        {"no-output", no_argument, NULL, OPT_NO_OUTPUT},
        {"play", required_argument, NULL, OPT_PLAY},
        {"record", required_argument, NULL, 'r'},
        {"record-raw", required_argument, NULL, OPT_RECORD_RAW},
        {"rate", required_argument, NULL, OPT_RATE},
        {"channels", required_argument, NULL, OPT_CHANNELS},
        {"frames-per-buffer", required_argument, NULL, OPT_FPB},
        {"latency", required_argument, NULL, OPT_LATENCY},
        {"duration", required_argument, NULL, 'd'},
        {"attenuation-limit", required_argument, NULL, 'a'},
        {"model", required_argument, NULL, 'm'},
        {"bypass", no_argument, NULL, 'b'},
        {"jack-name", required_argument, NULL, OPT_JACK_NAME},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    int c, rc;

    memset(opt, 0, sizeof(*opt));
    opt->channels = 1;
    opt->latency = LIVE_LATENCY_LOW;
    opt->attenuation_db = QUELL_DEFAULT_ATTENUATION_DB;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":li:o:r:d:a:m:bvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            opt->list = 1;
            break;
        case 'i':
            opt->input = optarg;
            break;
        case 'o':
            opt->output = optarg;
            break;
        case OPT_HOST_API:
            opt->host_api = optarg;
            break;
        case OPT_NO_OUTPUT:
            opt->no_output = 1;
            break;
        case OPT_PLAY:
            opt->play = optarg;
            break;
        case 'r':
            opt->record = optarg;
            break;
        case OPT_RECORD_RAW:
            opt->record_raw = optarg;
            break;
        case 'm':
            opt->model = optarg;
            break;
        case 'b':
            opt->bypass = 1;
            break;
        case OPT_JACK_NAME:
            opt->jack_name = optarg;
            break;
        case 'v':
            opt->verbose = 1;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return LIVE_EXIT_OK;
        case OPT_VERSION:
            printf("quell-live %s\n", quell_version_string());
            return LIVE_EXIT_OK;
        case ':':
            fprintf(stderr, "quell-live: %s needs a value (see --help)\n", argv[optind - 1]);
            return LIVE_EXIT_USAGE;
        case '?':
            fprintf(stderr, "quell-live: unknown option %s (see --help)\n", argv[optind - 1]);
            return LIVE_EXIT_USAGE;
        default:
            rc = parse_value(c, optarg, opt);
            if (rc >= 0)
                return rc;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "quell-live: unexpected argument '%s' (see --help)\n", argv[optind]);
        return LIVE_EXIT_USAGE;
    }
    if (opt->no_output && !opt->record && !opt->record_raw) {
        fprintf(stderr, "quell-live: --no-output needs --record or --record-raw\n");
        return LIVE_EXIT_USAGE;
    }
    if (opt->no_output && opt->play) {
        fprintf(stderr, "quell-live: --play with --no-output has nothing to do; "
                        "use the quell file tool for files\n");
        return LIVE_EXIT_USAGE;
    }
    if (opt->play && opt->input) {
        fprintf(stderr, "quell-live: --play and --input exclude each other\n");
        return LIVE_EXIT_USAGE;
    }
    return -1;
}
