/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file stream.h
 * @brief Opening the PortAudio stream, with errors mapped to exit codes.
 */
#ifndef LIVE_STREAM_H
#define LIVE_STREAM_H

#include <portaudio.h>

#include "engine.h"
#include "options.h"

/** The devices and format chosen for a run. */
typedef struct LiveStreamConfig {
    PaDeviceIndex input;  /**< paNoDevice with --play */
    PaDeviceIndex output; /**< paNoDevice with --no-output */
    int channels;         /**< processed channels */
    double rate;
    unsigned long frames_per_buffer;
    LiveLatency latency;
    double latency_s;
} LiveStreamConfig;

/**
 * Check the format against the devices, open the stream and fill the
 * engine's channel counts. Mono is spread over two output channels where the
 * output device has them.
 * @return 0, or an exit code after a one-line error. [NonRT]
 */
int live_stream_open(const LiveStreamConfig *cfg, LiveEngine *eng, int quiet, PaStream **stream);

/**
 * Silence stderr (fd 2) while a back end prints its own chatter (ALSA's
 * configuration complaints, JACK's connection attempts). Nested calls are
 * not supported. [NonRT]
 */
void live_quiet_begin(int quiet);
/** Give stderr back. [NonRT] */
void live_quiet_end(void);

#endif /* LIVE_STREAM_H */
