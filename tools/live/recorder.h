/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file recorder.h
 * @brief Writes audio from the callback to files on a separate thread.
 *
 * Each sink is one output file fed by its own SPSC ring. The file is written
 * under a temporary name in the destination's folder and renamed into place
 * only once it is complete and closed, so an interrupted run never leaves a
 * half-written file under the requested name.
 */
#ifndef LIVE_RECORDER_H
#define LIVE_RECORDER_H

#include <pthread.h>
#include <sndfile.h>
#include <stdatomic.h>

#include "ring.h"

/** One file being recorded. */
typedef struct LiveSink {
    LiveRing ring; /**< filled by the audio callback */
    SNDFILE *file;
    char *path;     /**< the name asked for */
    char *tmp_path; /**< where it is written until complete */
    int channels;
    atomic_ullong dropped_frames; /**< frames the callback could not queue */
    unsigned long long written_frames;
    int failed; /**< a write failed (message in error) */
    char error[256];
} LiveSink;

/** The writer thread and the sinks it serves. */
typedef struct LiveRecorder {
    LiveSink *sinks[2];
    int n_sinks;
    pthread_t thread;
    float *buf; /**< the writer's scratch, one chunk */
    int running;
    atomic_int stop;
} LiveRecorder;

/**
 * Create the temporary file for @p path and a ring holding @p ring_seconds of
 * audio. The format comes from the file name's extension (WAV if unknown);
 * samples are stored as 32-bit float where the format allows, else as the
 * widest PCM it takes.
 * @return 0, or -1 with a one-line message in @p err. [NonRT]
 */
int live_sink_open(LiveSink *sink, const char *path, int sample_rate, int channels,
                   double ring_seconds, char *err, size_t err_size);

/**
 * Queue @p n_frames interleaved frames; counts them as dropped when the ring
 * is full. Called from the audio callback. [RT]
 */
void live_sink_push(LiveSink *sink, const float *frames, unsigned long n_frames);

/** Start the writer thread for the sinks added to @p rec. @return 0 or -1. [NonRT] */
int live_recorder_start(LiveRecorder *rec);

/**
 * Stop the writer thread after it has written everything queued, close the
 * files and rename them into place (or delete them when @p keep is 0 or a
 * write failed). Call only after the audio stream has stopped.
 * @return 0 when every file is complete, -1 otherwise (messages on stderr). [NonRT]
 */
int live_recorder_finish(LiveRecorder *rec, int keep);

/** Close and delete a sink that never started (error paths). [NonRT] */
void live_sink_discard(LiveSink *sink);

#endif /* LIVE_RECORDER_H */
