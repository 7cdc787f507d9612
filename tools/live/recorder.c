/* SPDX-License-Identifier: BSD-3-Clause */
#include "recorder.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The writer takes at most this many frames per write call: 4096 frames is
 * 85 ms at 48 kHz, small enough to keep the ring draining smoothly. */
#define WRITE_CHUNK_FRAMES 4096
/* How long the writer sleeps when every ring is empty: 10 ms, a fraction of
 * the ring's length (seconds), so it never falls behind. */
#define IDLE_SLEEP_NS 10000000L

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* The major format whose usual extension ends the file name; WAV otherwise. */
static int major_format_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    int count = 0;
    if (!dot || (slash && dot < slash))
        return SF_FORMAT_WAV;
    dot++;
    if (!strcasecmp(dot, "ogg") || !strcasecmp(dot, "oga"))
        return SF_FORMAT_OGG;
    if (!strcasecmp(dot, "aif"))
        return SF_FORMAT_AIFF;
    sf_command(NULL, SFC_GET_FORMAT_MAJOR_COUNT, &count, sizeof(count));
    for (int i = 0; i < count; i++) {
        SF_FORMAT_INFO info;
        memset(&info, 0, sizeof(info));
        info.format = i;
        if (sf_command(NULL, SFC_GET_FORMAT_MAJOR, &info, sizeof(info)) == 0 && info.extension &&
            !strcasecmp(info.extension, dot))
            return info.format & SF_FORMAT_TYPEMASK;
    }
    return SF_FORMAT_WAV;
}

/* Float keeps the callback's samples exactly; otherwise the widest PCM, or a
 * lossy codec for containers that only take those (Ogg). */
static int pick_format(int major, int sample_rate, int channels)
{
    static const int subtypes[] = {SF_FORMAT_FLOAT, SF_FORMAT_PCM_24, SF_FORMAT_PCM_16,
                                   SF_FORMAT_VORBIS};
    for (size_t i = 0; i < sizeof(subtypes) / sizeof(subtypes[0]); i++) {
        SF_INFO info;
        memset(&info, 0, sizeof(info));
        info.samplerate = sample_rate;
        info.channels = channels;
        info.format = major | subtypes[i];
        if (sf_format_check(&info))
            return info.format;
    }
    return 0;
}

/* "dir/.name.XXXXXX": same folder as the target so that rename() is atomic. */
static char *temp_template(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = slash ? slash + 1 : path;
    size_t n = dir_len + 1 + strlen(base) + 8 + 1;
    char *t = malloc(n);
    if (t)
        snprintf(t, n, "%.*s.%s.XXXXXX", (int)dir_len, path, base);
    return t;
}

int live_sink_open(LiveSink *sink, const char *path, int sample_rate, int channels,
                   double ring_seconds, char *err, size_t err_size)
{
    SF_INFO info;
    int fd;
    mode_t mask;

    memset(sink, 0, sizeof(*sink));
    atomic_init(&sink->dropped_frames, 0);
    sink->channels = channels;
    memset(&info, 0, sizeof(info));
    info.samplerate = sample_rate;
    info.channels = channels;
    info.format = pick_format(major_format_for(path), sample_rate, channels);
    if (!info.format) {
        snprintf(err, err_size, "%s: this file format cannot hold %d channels at %d Hz", path,
                 channels, sample_rate);
        return -1;
    }
    sink->path = dup_string(path);
    sink->tmp_path = temp_template(path);
    if (!sink->path || !sink->tmp_path ||
        live_ring_init(&sink->ring, (size_t)(ring_seconds * sample_rate) * (size_t)channels)) {
        snprintf(err, err_size, "%s: out of memory", path);
        live_sink_discard(sink);
        return -1;
    }
    fd = mkstemp(sink->tmp_path);
    if (fd < 0) {
        snprintf(err, err_size, "%s: cannot create a file there: %s", path, strerror(errno));
        free(sink->tmp_path);
        sink->tmp_path = NULL;
        live_sink_discard(sink);
        return -1;
    }
    /* mkstemp makes the file private (0600); give it the usual permissions. */
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        /* Not fatal: the recording is still right, only its mode differs. */
    }
    sink->file = sf_open_fd(fd, SFM_WRITE, &info, SF_TRUE);
    if (!sink->file) {
        snprintf(err, err_size, "%s: cannot write: %s", path, sf_strerror(NULL));
        close(fd);
        live_sink_discard(sink);
        return -1;
    }
    /* Float WAVs hold values beyond +-1 unchanged; for PCM, clip instead of wrapping. */
    sf_command(sink->file, SFC_SET_CLIPPING, NULL, SF_TRUE);
    return 0;
}

void live_sink_push(LiveSink *sink, const float *frames, unsigned long n_frames)
{
    size_t n = (size_t)n_frames * (size_t)sink->channels;
    if (live_ring_write(&sink->ring, frames, n) != n)
        atomic_fetch_add_explicit(&sink->dropped_frames, n_frames, memory_order_relaxed);
}

void live_sink_discard(LiveSink *sink)
{
    if (sink->file)
        sf_close(sink->file);
    sink->file = NULL;
    if (sink->tmp_path)
        unlink(sink->tmp_path);
    free(sink->tmp_path);
    free(sink->path);
    sink->tmp_path = NULL;
    sink->path = NULL;
    live_ring_free(&sink->ring);
}

/* Move everything queued in one sink to its file. @return frames written. */
static size_t drain_sink(LiveSink *sink, float *buf)
{
    size_t total = 0;
    size_t max = (size_t)WRITE_CHUNK_FRAMES * (size_t)sink->channels;
    for (;;) {
        size_t n = live_ring_read(&sink->ring, buf, max);
        sf_count_t frames = (sf_count_t)(n / (size_t)sink->channels);
        if (n == 0)
            return total;
        if (!sink->failed && sf_writef_float(sink->file, buf, frames) != frames) {
            sink->failed = 1;
            snprintf(sink->error, sizeof(sink->error), "%s: write failed: %s", sink->path,
                     sf_strerror(sink->file));
        }
        sink->written_frames += (unsigned long long)frames;
        total += (size_t)frames;
    }
}

static void *writer_main(void *arg)
{
    LiveRecorder *rec = arg;
    for (;;) {
        /* Read the flag first: whatever was queued before it was raised is
         * drained below before leaving. */
        int stop = atomic_load(&rec->stop);
        size_t moved = 0;
        for (int i = 0; i < rec->n_sinks; i++)
            moved += drain_sink(rec->sinks[i], rec->buf);
        if (stop)
            return NULL;
        if (moved == 0) {
            struct timespec ts = {0, IDLE_SLEEP_NS};
            nanosleep(&ts, NULL);
        }
    }
}

int live_recorder_start(LiveRecorder *rec)
{
    sigset_t all, old;
    int rc, max_channels = 1;
    atomic_init(&rec->stop, 0);
    if (rec->n_sinks == 0)
        return 0;
    for (int i = 0; i < rec->n_sinks; i++)
        if (rec->sinks[i]->channels > max_channels)
            max_channels = rec->sinks[i]->channels;
    rec->buf = malloc(sizeof(float) * WRITE_CHUNK_FRAMES * (size_t)max_channels);
    if (!rec->buf)
        return -1;
    /* The writer inherits a mask blocking every signal, so SIGINT and SIGTERM
     * go to the main thread, whose wait they interrupt. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&rec->thread, NULL, writer_main, rec);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        free(rec->buf);
        rec->buf = NULL;
        return -1;
    }
    rec->running = 1;
    return 0;
}

int live_recorder_finish(LiveRecorder *rec, int keep)
{
    int status = 0;
    if (rec->running) {
        atomic_store(&rec->stop, 1);
        pthread_join(rec->thread, NULL);
        rec->running = 0;
    }
    for (int i = 0; i < rec->n_sinks; i++) {
        LiveSink *s = rec->sinks[i];
        unsigned long long dropped = atomic_load(&s->dropped_frames);
        int ok = keep && !s->failed;
        if (s->failed) {
            fprintf(stderr, "quell-live: %s\n", s->error);
        }
        if (s->file && sf_close(s->file) != 0 && ok) {
            fprintf(stderr, "quell-live: %s: closing failed\n", s->path);
            ok = 0;
        }
        s->file = NULL;
        if (ok && rename(s->tmp_path, s->path) != 0) {
            fprintf(stderr, "quell-live: %s: cannot rename the finished recording: %s\n", s->path,
                    strerror(errno));
            ok = 0;
        }
        if (ok) {
            free(s->tmp_path);
            s->tmp_path = NULL;
        }
        if (dropped) {
            /* The file is valid but has gaps: say so and fail the run. */
            fprintf(stderr, "quell-live: %s: the disk writer fell behind; %llu frames were lost\n",
                    s->path, dropped);
            status = -1;
        }
        if (!ok && keep)
            status = -1;
        live_sink_discard(s);
    }
    free(rec->buf);
    rec->buf = NULL;
    return status;
}
