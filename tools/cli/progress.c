/* SPDX-License-Identifier: BSD-3-Clause */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* 20 cells of 5 % each; the whole line stays under 80 columns. */
#define BAR_CELLS 20
#define NAME_WIDTH 24
/* Redraw period: 100 ms is smooth enough and costs nothing. */
#define REDRAW_S 0.1

static struct {
    int enabled;
    int drawn; /* a line is on screen and not yet ended */
    char name[NAME_WIDTH + 1];
    long long total;
    long long done;
    int rate;
    double start_s;
    double last_draw_s;
} bar;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_enable(int enabled)
{
    bar.enabled = enabled;
}

void cli_progress_begin(const char *name, long long total_frames, int rate_hz)
{
    if (!bar.enabled)
        return;
    /* keep the end of a long name: it is the part that tells files apart */
    size_t len = strlen(name);
    if (len > NAME_WIDTH)
        snprintf(bar.name, sizeof bar.name, "...%s", name + len - (NAME_WIDTH - 3));
    else
        snprintf(bar.name, sizeof bar.name, "%s", name);
    bar.total = total_frames;
    bar.done = 0;
    bar.rate = rate_hz > 0 ? rate_hz : 1;
    bar.start_s = now_s();
    bar.last_draw_s = -1.0;
}

static void format_time(double s, char *buf, size_t size)
{
    long t = s > 0.0 && s < 1e7 ? (long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

static void draw(double now, int final)
{
    double elapsed = now - bar.start_s;
    double audio_s = (double)bar.done / bar.rate;
    /* under 50 ms the speed is mostly start-up noise: shown only at the end */
    double speed = elapsed > (final ? 1e-6 : 0.05) ? audio_s / elapsed : 0.0;
    char pace[32];
    if (speed > 0.0)
        snprintf(pace, sizeof pace, "%6.1fx", speed);
    else
        snprintf(pace, sizeof pace, "%7s", "--x");
    char when[32];
    char line[160];
    if (bar.total > 0) {
        double frac = (double)bar.done / (double)bar.total;
        frac = frac < 0.0 ? 0.0 : (frac > 1.0 ? 1.0 : frac);
        char cells[BAR_CELLS + 1];
        int full = (int)(frac * BAR_CELLS);
        for (int i = 0; i < BAR_CELLS; i++)
            cells[i] = i < full ? '#' : '.';
        cells[BAR_CELLS] = '\0';
        if (final)
            format_time(elapsed, when, sizeof when);
        else if (speed > 0.0)
            format_time((double)(bar.total - bar.done) / bar.rate / speed, when, sizeof when);
        else
            snprintf(when, sizeof when, "-:--");
        snprintf(line, sizeof line, "%-*s %3d%% [%s] %s  %s %s", NAME_WIDTH, bar.name,
                 (int)(frac * 100.0), cells, pace, final ? "took" : "ETA", when);
    } else {
        format_time(audio_s, when, sizeof when);
        snprintf(line, sizeof line, "%-*s %s of audio %s", NAME_WIDTH, bar.name, when, pace);
    }
    /* \r and erase-to-end-of-line: the bar overwrites itself in place */
    fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
    fflush(stderr);
    bar.drawn = !final;
    bar.last_draw_s = now;
}

void cli_progress_update(long long frames_done)
{
    if (!bar.enabled)
        return;
    bar.done = frames_done;
    double now = now_s();
    if (bar.last_draw_s < 0.0 || now - bar.last_draw_s >= REDRAW_S)
        draw(now, 0);
}

void cli_progress_end(void)
{
    if (!bar.enabled)
        return;
    draw(now_s(), 1);
}

void cli_progress_clear(void)
{
    if (bar.enabled && bar.drawn) {
        fputs("\r\033[K", stderr);
        bar.drawn = 0;
    }
}
