/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Outputs are written to a temporary file in the output's folder and renamed
 * into place when complete, so OUTPUT is either the finished file or left
 * untouched. Temporary files are registered so that SIGINT, SIGTERM, SIGHUP
 * and SIGPIPE remove them before the process dies of the signal.
 */
#ifndef QUELL_CLI_TEMPFILE_H
#define QUELL_CLI_TEMPFILE_H

/** One temporary file on its way to becoming @c final_path. */
typedef struct CliTemp {
    int fd;      /**< open for writing, or -1 */
    int slot;    /**< registry slot, or -1 */
    char *final; /**< the path it will be renamed to (owned) */
} CliTemp;

/** Installs the signal handlers (once, before any temporary file exists); ignores SIGXFSZ. */
void cli_temp_install_signal_handlers(void);

/**
 * Creates a new, empty temporary file beside @p final_path
 * (".<name>.quell-XXXXXX", mode 0600 until commit).
 * @return 0 or an errno value.
 */
int cli_temp_create(CliTemp *t, const char *final_path);

/**
 * Flushes the file to disk, gives it the mode a new file would get (or the
 * mode of the file it replaces), closes it and moves it to its final path.
 * Without @p replace an existing final file is kept and EEXIST returned.
 * On failure the temporary file is removed. @return 0 or an errno value.
 */
int cli_temp_commit(CliTemp *t, int replace);

/** Removes the temporary file, if any, and closes it. Safe to call twice. */
void cli_temp_discard(CliTemp *t);

#endif /* QUELL_CLI_TEMPFILE_H */
