/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file options.h
 * @brief quell-live's command line and exit codes.
 */
#ifndef LIVE_OPTIONS_H
#define LIVE_OPTIONS_H

/** Exit codes, documented in tools/live/README.md. */
enum {
    LIVE_EXIT_OK = 0,          /**< ran and stopped cleanly */
    LIVE_EXIT_FAILURE = 1,     /**< runtime failure: files, model, recorder, library */
    LIVE_EXIT_USAGE = 2,       /**< bad command line */
    LIVE_EXIT_NO_DEVICE = 3,   /**< no devices, device or host API not found, ambiguous name */
    LIVE_EXIT_UNSUPPORTED = 4, /**< the device does not take this rate or channel count */
    LIVE_EXIT_BUSY = 5         /**< the device is busy or the stream would not open/start */
};

/** How the stream latency was asked for. */
typedef enum LiveLatency { LIVE_LATENCY_LOW, LIVE_LATENCY_HIGH, LIVE_LATENCY_SECONDS } LiveLatency;

/** Everything the command line sets. */
typedef struct LiveOptions {
    int list;                        /**< --list: print devices and exit */
    const char *input;               /**< --input DEV (index or name part), NULL: default */
    const char *output;              /**< --output DEV, NULL: default */
    const char *host_api;            /**< --host-api NAME, NULL: any */
    int no_output;                   /**< --no-output: microphone to file only */
    const char *play;                /**< --play FILE instead of the microphone */
    const char *record;              /**< --record FILE (denoised) */
    const char *record_raw;          /**< --record-raw FILE (unprocessed) */
    double rate;                     /**< --rate HZ; 0: the device's default */
    unsigned long frames_per_buffer; /**< 0: let the host choose */
    LiveLatency latency;
    double latency_s;      /**< with LIVE_LATENCY_SECONDS */
    int channels;          /**< processed channels, 1..8 */
    double duration_s;     /**< stop after this much audio; 0: until stopped */
    double attenuation_db; /**< initial attenuation limit */
    const char *model;     /**< --model FILE, NULL: embedded default */
    int bypass;            /**< start bypassed */
    const char *jack_name; /**< --jack-name: JACK client name */
    int verbose;           /**< keep the audio back ends' own diagnostics */
} LiveOptions;

/**
 * Parse argv into @p opt. Prints help/version itself.
 * @return -1 to continue, else an exit code (0 after --help/--version,
 *         LIVE_EXIT_USAGE after a one-line error).
 */
int live_parse_options(int argc, char **argv, LiveOptions *opt);

#endif /* LIVE_OPTIONS_H */
