/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A one-line progress bar on stderr: percentage, speed as a multiple of real
 * time and time left. It is drawn only when enabled (stderr is a terminal and
 * --quiet was not given), so pipes and logs never see it.
 */
#ifndef QUELL_CLI_PROGRESS_H
#define QUELL_CLI_PROGRESS_H

/** Enables or disables drawing for the whole run. */
void cli_progress_enable(int enabled);

/**
 * Starts the bar for one file.
 * @param name          shown at the left (shortened to fit)
 * @param total_frames  the file's length, or a negative number when unknown
 *                      (a pipe): then no percentage or time left is shown
 * @param rate_hz       the file's sample rate, for the speed
 */
void cli_progress_begin(const char *name, long long total_frames, int rate_hz);

/** Reports @p frames_done; redraws at most ten times a second. */
void cli_progress_update(long long frames_done);

/** Draws the final state and ends the line. */
void cli_progress_end(void);

/** Erases a drawn bar (before an error message is printed). */
void cli_progress_clear(void);

#endif /* QUELL_CLI_PROGRESS_H */
