/* SPDX-License-Identifier: BSD-3-Clause */
#include "stream.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int saved_stderr = -1;

void live_quiet_begin(int quiet)
{
    int null_fd;
    if (!quiet || saved_stderr >= 0)
        return;
    fflush(stderr);
    null_fd = open("/dev/null", O_WRONLY);
    if (null_fd < 0)
        return;
    saved_stderr = dup(STDERR_FILENO);
    if (saved_stderr >= 0)
        dup2(null_fd, STDERR_FILENO);
    close(null_fd);
}

void live_quiet_end(void)
{
    if (saved_stderr < 0)
        return;
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
}

static PaTime pick_latency(const LiveStreamConfig *cfg, const PaDeviceInfo *d, int for_input)
{
    switch (cfg->latency) {
    case LIVE_LATENCY_HIGH:
        return for_input ? d->defaultHighInputLatency : d->defaultHighOutputLatency;
    case LIVE_LATENCY_SECONDS:
        return cfg->latency_s;
    case LIVE_LATENCY_LOW:
    default:
        return for_input ? d->defaultLowInputLatency : d->defaultLowOutputLatency;
    }
}

/* Map a PortAudio error on this format to our exit codes. */
static int report(PaError err, const char *what, const LiveStreamConfig *cfg,
                  const PaDeviceInfo *in, const PaDeviceInfo *out)
{
    const PaDeviceInfo *dev = in ? in : out;
    switch (err) {
    case paInvalidSampleRate:
        fprintf(stderr,
                "quell-live: %s: the device does not support %.0f Hz (its default is %.0f Hz)\n",
                what, cfg->rate, dev ? dev->defaultSampleRate : 0.0);
        return LIVE_EXIT_UNSUPPORTED;
    case paInvalidChannelCount:
        fprintf(stderr, "quell-live: %s: the device does not support %d channels\n", what,
                cfg->channels);
        return LIVE_EXIT_UNSUPPORTED;
    case paSampleFormatNotSupported:
        fprintf(stderr, "quell-live: %s: the device does not take 32-bit float samples\n", what);
        return LIVE_EXIT_UNSUPPORTED;
    case paDeviceUnavailable:
        fprintf(stderr, "quell-live: %s: the device is busy or unavailable\n", what);
        return LIVE_EXIT_BUSY;
    default:
        fprintf(stderr, "quell-live: %s: %s\n", what, Pa_GetErrorText(err));
        return LIVE_EXIT_BUSY;
    }
}

int live_stream_open(const LiveStreamConfig *cfg, LiveEngine *eng, int quiet, PaStream **stream)
{
    PaStreamParameters in_p, out_p;
    const PaDeviceInfo *in = cfg->input != paNoDevice ? Pa_GetDeviceInfo(cfg->input) : NULL;
    const PaDeviceInfo *out = cfg->output != paNoDevice ? Pa_GetDeviceInfo(cfg->output) : NULL;
    PaError err;

    *stream = NULL;
    if (in && in->maxInputChannels < cfg->channels) {
        fprintf(stderr, "quell-live: input device '%s' has %d input channel%s, not %d\n", in->name,
                in->maxInputChannels, in->maxInputChannels == 1 ? "" : "s", cfg->channels);
        return LIVE_EXIT_UNSUPPORTED;
    }
    if (out && out->maxOutputChannels < cfg->channels) {
        fprintf(stderr, "quell-live: output device '%s' has %d output channel%s, not %d\n",
                out->name, out->maxOutputChannels, out->maxOutputChannels == 1 ? "" : "s",
                cfg->channels);
        return LIVE_EXIT_UNSUPPORTED;
    }
    eng->in_channels = in ? cfg->channels : 0;
    eng->out_channels = 0;
    if (out)
        eng->out_channels = cfg->channels == 1 && out->maxOutputChannels >= 2 ? 2 : cfg->channels;
    if (in) {
        in_p.device = cfg->input;
        in_p.channelCount = eng->in_channels;
        in_p.sampleFormat = paFloat32;
        in_p.suggestedLatency = pick_latency(cfg, in, 1);
        in_p.hostApiSpecificStreamInfo = NULL;
    }
    if (out) {
        out_p.device = cfg->output;
        out_p.channelCount = eng->out_channels;
        out_p.sampleFormat = paFloat32;
        out_p.suggestedLatency = pick_latency(cfg, out, 0);
        out_p.hostApiSpecificStreamInfo = NULL;
    }
    live_quiet_begin(quiet);
    err = Pa_IsFormatSupported(in ? &in_p : NULL, out ? &out_p : NULL, cfg->rate);
    live_quiet_end();
    if (err != paFormatIsSupported)
        return report(err, in ? in->name : out->name, cfg, in, out);
    live_quiet_begin(quiet);
    err = Pa_OpenStream(stream, in ? &in_p : NULL, out ? &out_p : NULL, cfg->rate,
                        cfg->frames_per_buffer ? cfg->frames_per_buffer
                                               : paFramesPerBufferUnspecified,
                        paNoFlag, live_engine_callback, eng);
    live_quiet_end();
    if (err != paNoError) {
        *stream = NULL;
        return report(err, in ? in->name : out->name, cfg, in, out);
    }
    return 0;
}
