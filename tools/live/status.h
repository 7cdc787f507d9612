/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file status.h
 * @brief The terminal status line and the keys that steer the denoiser.
 *
 * On a terminal, stdin is put in raw mode (no line buffering, no echo; Ctrl-C
 * still raises SIGINT) and a one-line status is redrawn on stderr about ten
 * times per second. Without a terminal nothing is drawn.
 */
#ifndef LIVE_STATUS_H
#define LIVE_STATUS_H

#include <termios.h>

#include "engine.h"

/** What the UI thread knows about the terminal and the run so far. */
typedef struct LiveStatus {
    int interactive;         /**< stdin and stderr are a terminal we own */
    int raw;                 /**< the terminal's settings are changed */
    struct termios saved;    /**< to restore on exit */
    float atten_db;          /**< the limit last requested */
    int bypass;              /**< bypass last requested */
    double cpu_sum, cpu_max; /**< PortAudio CPU load samples */
    unsigned long cpu_n;
} LiveStatus;

/** Detect a terminal and, if there is one, enter raw mode. [NonRT] */
void live_status_begin(LiveStatus *s, float atten_db, int bypass);

/** Leave raw mode and end the status line. Safe to call twice. [NonRT] */
void live_status_end(LiveStatus *s);

/**
 * Wait up to @p timeout_ms for a key and act on it (space, +, -, q).
 * Returns early when a signal arrives.
 * @return 1 when the user asked to quit, else 0. [NonRT]
 */
int live_status_wait(LiveStatus *s, LiveEngine *eng, int timeout_ms);

/** Record a CPU load sample and, on a terminal, redraw the status line. [NonRT] */
void live_status_update(LiveStatus *s, LiveEngine *eng, double cpu_load);

#endif /* LIVE_STATUS_H */
