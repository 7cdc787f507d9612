/* SPDX-License-Identifier: BSD-3-Clause */
#include "status.h"

#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* Each key press moves the attenuation limit by 3 dB (a just audible step). */
#define ATTEN_STEP_DB 3.0f
/* Meters span -60..0 dBFS, the range that matters for speech levels. */
#define METER_FLOOR_DB (-60.0)
#define METER_WIDTH 8

void live_status_begin(LiveStatus *s, float atten_db, int bypass)
{
    memset(s, 0, sizeof(*s));
    s->atten_db = atten_db;
    s->bypass = bypass;
    /* Only in the foreground: a background job touching the terminal would be stopped. */
    s->interactive =
        isatty(STDIN_FILENO) && isatty(STDERR_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
    if (s->interactive && tcgetattr(STDIN_FILENO, &s->saved) == 0) {
        struct termios t = s->saved;
        /* Keys arrive one by one without echo; ISIG stays on for Ctrl-C. */
        t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        t.c_cc[VMIN] = 0;
        t.c_cc[VTIME] = 0;
        if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
            s->raw = 1;
    }
}

void live_status_end(LiveStatus *s)
{
    if (s->raw) {
        tcsetattr(STDIN_FILENO, TCSANOW, &s->saved);
        s->raw = 0;
    }
    if (s->interactive) {
        fputs("\n", stderr);
        s->interactive = 0;
    }
}

static void handle_key(LiveStatus *s, LiveEngine *eng, int key)
{
    switch (key) {
    case ' ':
        s->bypass = !s->bypass;
        atomic_store(&eng->bypass_req, s->bypass);
        break;
    case '+':
    case '=':
        s->atten_db = fminf(s->atten_db + ATTEN_STEP_DB, QUELL_MAX_ATTENUATION_DB);
        atomic_store(&eng->atten_req, s->atten_db);
        break;
    case '-':
    case '_':
        s->atten_db = fmaxf(s->atten_db - ATTEN_STEP_DB, 0.0f);
        atomic_store(&eng->atten_req, s->atten_db);
        break;
    default:
        break;
    }
}

int live_status_wait(LiveStatus *s, LiveEngine *eng, int timeout_ms)
{
    if (!s->raw) {
        struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL); /* a signal cuts it short */
        return 0;
    }
    struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) > 0 && (pfd.revents & POLLIN)) {
        unsigned char keys[16];
        ssize_t n = read(STDIN_FILENO, keys, sizeof(keys));
        for (ssize_t i = 0; i < n; i++) {
            if (keys[i] == 'q' || keys[i] == 'Q')
                return 1;
            handle_key(s, eng, keys[i]);
        }
    }
    return 0;
}

static double to_dbfs(float peak)
{
    return peak > 0.0f ? 20.0 * log10((double)peak) : -(double)INFINITY;
}

static void meter(char *bar, double db)
{
    int filled = 0;
    if (db > METER_FLOOR_DB)
        filled = (int)lround((db - METER_FLOOR_DB) / -METER_FLOOR_DB * METER_WIDTH);
    if (filled > METER_WIDTH)
        filled = METER_WIDTH;
    for (int i = 0; i < METER_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[METER_WIDTH] = '\0';
}

/* Columns of the terminal, so the line never wraps (a wrapped line would
 * break the carriage-return redraw); 80 when unknown. */
static size_t terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

void live_status_update(LiveStatus *s, LiveEngine *eng, double cpu_load)
{
    char in_bar[METER_WIDTH + 1], out_bar[METER_WIDTH + 1], line[256];
    double in_db, out_db;
    size_t width;
    int len;

    s->cpu_sum += cpu_load;
    s->cpu_n++;
    if (cpu_load > s->cpu_max)
        s->cpu_max = cpu_load;
    if (!s->interactive)
        return;
    /* Take the peaks since the last redraw and let the callback start anew. */
    in_db = to_dbfs(atomic_exchange(&eng->in_peak, 0.0f));
    out_db = to_dbfs(atomic_exchange(&eng->out_peak, 0.0f));
    meter(in_bar, in_db);
    meter(out_bar, out_db);
    /* Most useful first: a narrow terminal cuts the end of the line. */
    len = snprintf(line, sizeof(line),
                   "%-6s limit %3.0f dB | in %5.1f %s out %5.1f %s dBFS | NR %4.1f dB | "
                   "speech %4.2f | cpu %4.1f%% | xrun in %u/%u out %u/%u",
                   s->bypass ? "BYPASS" : "ON", (double)s->atten_db, fmax(in_db, -99.9), in_bar,
                   fmax(out_db, -99.9), out_bar, (double)atomic_load(&eng->nr_db),
                   (double)atomic_load(&eng->speech), 100.0 * cpu_load,
                   atomic_load(&eng->in_underflows), atomic_load(&eng->in_overflows),
                   atomic_load(&eng->out_underflows), atomic_load(&eng->out_overflows));
    width = terminal_width() - 1;
    if (len < 0)
        return;
    fprintf(stderr, "\r%.*s\033[K", (int)((size_t)len < width ? (size_t)len : width), line);
    fflush(stderr);
}
