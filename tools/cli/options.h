/* SPDX-License-Identifier: BSD-3-Clause */
/* Command-line options of the quell file tool. */
#ifndef QUELL_CLI_OPTIONS_H
#define QUELL_CLI_OPTIONS_H

/** Sample encodings of headerless ("raw") input and output: little-endian, interleaved. */
typedef enum CliRawFormat {
    CLI_RAW_NONE = 0, /**< not given */
    CLI_RAW_S16,      /**< 16-bit signed integer */
    CLI_RAW_S24,      /**< 24-bit signed integer, packed in 3 bytes */
    CLI_RAW_S32,      /**< 32-bit signed integer */
    CLI_RAW_F32       /**< 32-bit IEEE float, nominally in [-1, 1] */
} CliRawFormat;

typedef struct CliOptions {
    float attenuation_db;    /**< --attenuation-limit, 0..100 dB */
    const char *model_path;  /**< --model, or NULL for the embedded model */
    int bypass;              /**< --bypass */
    int no_guard;            /**< --no-guard */
    const char *vad_path;    /**< --vad CSV file, or NULL */
    int quiet;               /**< --quiet: no progress bar */
    int force;               /**< --force: replace existing outputs */
    const char *output_dir;  /**< -o DIR (batch mode), or NULL */
    int raw_in;              /**< any --raw-* input option given */
    int raw_rate;            /**< --raw-rate, Hz */
    int raw_channels;        /**< --raw-channels */
    CliRawFormat raw_format; /**< --raw-format (default s16 when raw_in) */
    int raw_out;             /**< --raw-out: headerless output */
    char **inputs;           /**< input paths ("-" is stdin); points into argv */
    int n_inputs;
    const char *output; /**< OUTPUT ("-" is stdout) when not in batch mode */
} CliOptions;

/**
 * Parses argv. Returns -1 when the program should exit with status 0 at once
 * (--help or --version printed), 0 to go on, or CLI_EXIT_USAGE after printing
 * a one-line error.
 */
int cli_parse_options(int argc, char **argv, CliOptions *opt);

/** The name of a raw format as given on the command line ("s16", ...). */
const char *cli_raw_format_name(CliRawFormat f);

#endif /* QUELL_CLI_OPTIONS_H */
