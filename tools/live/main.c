/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quell-live: microphone -> quell -> output device, with optional recording.
 * The main thread sets everything up, then runs the status loop at 10 Hz
 * until a key, a signal, --duration or the end of --play stops it.
 */
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <portaudio.h>
#ifdef LIVE_HAVE_PA_JACK
#include <pa_jack.h>
#endif
#include <quell.h>

#include "devices.h"
#include "engine.h"
#include "options.h"
#include "playfile.h"
#include "recorder.h"
#include "status.h"
#include "stream.h"

/* The recorder rings hold 2 s: the writer would have to stall that long
 * (a very slow disk) before a frame is lost. */
#define RECORD_RING_SECONDS 2.0
/* The UI loop wakes every 100 ms: a ~10 Hz status line and quick reaction. */
#define TICK_MS 100

/* Set by the signal handler, read by the main loop: the handler does nothing else. */
static volatile sig_atomic_t stop_signal = 0;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: the signal should cut the main loop's wait short. */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Everything a run owns, so one function can release it on every path. */
typedef struct Run {
    LiveOptions opt;
    QuellModel *model;
    QuellState *st;
    float *play;
    size_t play_frames;
    int play_rate;
    LiveEngine *eng;
    LiveSink sinks[2];
    LiveRecorder rec;
    PaStream *stream;
    LiveStatus ui;
    int pa_ready;
    int stream_dead; /**< the stream stopped by itself (device or server gone) */
} Run;

/* Choose the devices and the rate. @return 0 or an exit code. */
static int choose_devices(Run *r, LiveStreamConfig *cfg)
{
    PaHostApiIndex api = -1;
    const PaDeviceInfo *d;
    if (r->opt.host_api && (api = live_find_host_api(r->opt.host_api)) < 0)
        return LIVE_EXIT_NO_DEVICE;
    if (r->opt.list) {
        if (live_list_devices(stdout, api) > 0)
            return LIVE_EXIT_OK;
        fprintf(stderr, "quell-live: no audio devices found\n");
        return LIVE_EXIT_NO_DEVICE;
    }
    cfg->input = paNoDevice;
    cfg->output = paNoDevice;
    if (!r->opt.play && (cfg->input = live_select_device(r->opt.input, api, 1)) == paNoDevice)
        return LIVE_EXIT_NO_DEVICE;
    if (!r->opt.no_output &&
        (cfg->output = live_select_device(r->opt.output, api, 0)) == paNoDevice)
        return LIVE_EXIT_NO_DEVICE;
    /* The rate: asked for, else the file's, else the input device's, else the output's. */
    d = Pa_GetDeviceInfo(cfg->input != paNoDevice ? cfg->input : cfg->output);
    cfg->rate = r->opt.rate > 0 ? r->opt.rate : r->play ? r->play_rate : d->defaultSampleRate;
    if (r->play && cfg->rate != r->play_rate) {
        fprintf(stderr, "quell-live: %s is at %d Hz, not %.0f Hz; resample it first\n", r->opt.play,
                r->play_rate, cfg->rate);
        return LIVE_EXIT_UNSUPPORTED;
    }
    if (cfg->rate < QUELL_MIN_SAMPLE_RATE || cfg->rate > QUELL_MAX_SAMPLE_RATE ||
        cfg->rate != floor(cfg->rate)) {
        fprintf(stderr,
                "quell-live: %.0f Hz is outside the 8000..192000 Hz quell supports; "
                "use --rate\n",
                cfg->rate);
        return LIVE_EXIT_UNSUPPORTED;
    }
    cfg->channels = r->opt.channels;
    cfg->frames_per_buffer = r->opt.frames_per_buffer;
    cfg->latency = r->opt.latency;
    cfg->latency_s = r->opt.latency_s;
    return 0;
}

/* Create the denoiser and the recordings. @return 0 or an exit code. */
static int prepare(Run *r, int rate)
{
    int err = QUELL_OK;
    if (r->opt.model && !(r->model = quell_model_new_from_file(r->opt.model, &err))) {
        fprintf(stderr, "quell-live: %s: %s\n", r->opt.model, quell_strerror(err));
        return LIVE_EXIT_FAILURE;
    }
    r->st = quell_create(r->model, rate, r->opt.channels, &err);
    if (!r->st) {
        fprintf(stderr, "quell-live: cannot create the denoiser: %s\n", quell_strerror(err));
        return LIVE_EXIT_FAILURE;
    }
    r->eng = malloc(sizeof(*r->eng));
    if (!r->eng || live_engine_init(r->eng, r->st, r->opt.channels, (float)r->opt.attenuation_db,
                                    r->opt.bypass)) {
        fprintf(stderr, "quell-live: %s\n",
                r->eng ? "float atomics are not lock-free here" : "out of memory");
        return LIVE_EXIT_FAILURE;
    }
    r->eng->play = r->play;
    r->eng->play_frames = r->play_frames;
    const char *paths[2] = {r->opt.record, r->opt.record_raw};
    LiveSink **targets[2] = {&r->eng->record, &r->eng->record_raw};
    for (int i = 0; i < 2; i++) {
        char msg[512];
        if (!paths[i])
            continue;
        if (live_sink_open(&r->sinks[i], paths[i], rate, r->opt.channels, RECORD_RING_SECONDS, msg,
                           sizeof(msg))) {
            fprintf(stderr, "quell-live: %s\n", msg);
            return LIVE_EXIT_FAILURE;
        }
        r->rec.sinks[r->rec.n_sinks++] = &r->sinks[i];
        *targets[i] = &r->sinks[i];
    }
    return 0;
}

static void describe(const Run *r, const LiveStreamConfig *cfg)
{
    const PaStreamInfo *si = Pa_GetStreamInfo(r->stream);
    const PaDeviceInfo *in = cfg->input != paNoDevice ? Pa_GetDeviceInfo(cfg->input) : NULL;
    const PaDeviceInfo *out = cfg->output != paNoDevice ? Pa_GetDeviceInfo(cfg->output) : NULL;
    fprintf(stderr,
            "quell-live: %s '%s' -> quell -> %s%s%s, %.0f Hz, %d channel%s; "
            "latency: device in %.1f ms + quell %.1f ms + device out %.1f ms\n",
            in ? "input" : "file", in ? in->name : r->opt.play, out ? "output '" : "",
            out ? out->name : "no output", out ? "'" : "", cfg->rate, cfg->channels,
            cfg->channels == 1 ? "" : "s", si ? 1e3 * si->inputLatency : 0.0,
            1e3 * quell_latency(r->st) / cfg->rate, si ? 1e3 * si->outputLatency : 0.0);
}

/* The status loop. @return 0, or LIVE_EXIT_FAILURE if the stream died. */
static int run_loop(Run *r, double rate)
{
    unsigned long long limit =
        r->opt.duration_s > 0 ? (unsigned long long)ceil(r->opt.duration_s * rate) : 0;
    /* After --play runs out, let the denoiser's latency and 0.2 s more through. */
    unsigned long long play_end = r->play_frames + (unsigned long long)quell_latency(r->st) +
                                  (unsigned long long)(0.2 * rate);
    live_status_begin(&r->ui, (float)r->opt.attenuation_db, r->opt.bypass);
    while (!stop_signal) {
        unsigned long long frames;
        if (live_status_wait(&r->ui, r->eng, TICK_MS))
            break;
        frames = atomic_load_explicit(&r->eng->frames, memory_order_acquire);
        live_status_update(&r->ui, r->eng, Pa_GetStreamCpuLoad(r->stream));
        if ((limit && frames >= limit) || (r->play && frames >= play_end))
            break;
        if (Pa_IsStreamActive(r->stream) != 1) {
            r->stream_dead = 1;
            live_status_end(&r->ui);
            fprintf(stderr, "quell-live: the audio stream stopped unexpectedly "
                            "(device unplugged or server gone?)\n");
            return LIVE_EXIT_FAILURE;
        }
    }
    live_status_end(&r->ui);
    return 0;
}

static void summary(const Run *r, double rate)
{
    const LiveEngine *e = r->eng;
    unsigned long long frames = atomic_load(&e->frames);
    fprintf(stderr,
            "quell-live: summary: seconds=%.2f frames=%llu rate=%.0f channels=%d "
            "input_underflows=%u input_overflows=%u output_underflows=%u output_overflows=%u "
            "cpu_load_avg=%.4f cpu_load_max=%.4f callback_max_ms=%.3f quell_latency_frames=%d%s\n",
            (double)frames / rate, frames, rate, e->channels, atomic_load(&e->in_underflows),
            atomic_load(&e->in_overflows), atomic_load(&e->out_underflows),
            atomic_load(&e->out_overflows), r->ui.cpu_n ? r->ui.cpu_sum / (double)r->ui.cpu_n : 0.0,
            r->ui.cpu_max, 1e3 * (double)atomic_load(&e->callback_max_s), quell_latency(r->st),
            stop_signal ? " (stopped by signal)" : "");
}

/* Release everything; the recordings are kept only when @p keep. */
static int teardown(Run *r, int keep)
{
    int status = 0;
    /* Returns once the callback has run for the last time (a dead stream's
     * callback cannot run any more). */
    if (r->stream && !r->stream_dead)
        Pa_StopStream(r->stream);
    /* Finish the recordings first, before anything else can go wrong: the
     * writer drains what is queued, closes the files and renames them. */
    if (r->rec.n_sinks && live_recorder_finish(&r->rec, keep))
        status = -1;
    if (r->stream_dead) {
        /* PortAudio 19.6's JACK host API asserts when closing a stream whose
         * server has gone; the files are safe, so leave the rest to exit(). */
        return status;
    }
    if (r->stream)
        Pa_CloseStream(r->stream);
    r->stream = NULL;
    if (r->pa_ready)
        Pa_Terminate();
    free(r->eng);
    quell_destroy(r->st);
    quell_model_free(r->model);
    free(r->play);
    return status;
}

int main(int argc, char **argv)
{
    static Run run;
    Run *r = &run;
    LiveStreamConfig cfg;
    PaError pa;
    int rc = live_parse_options(argc, argv, &r->opt), started = 0;
    if (rc >= 0)
        return rc;
    install_signals();
    if (r->opt.play && !(r->play = live_load_play_file(r->opt.play, r->opt.channels, &r->play_rate,
                                                       &r->play_frames)))
        return LIVE_EXIT_FAILURE;
#ifdef LIVE_HAVE_PA_JACK
    if (r->opt.jack_name)
        PaJack_SetClientName(r->opt.jack_name);
#endif
    live_quiet_begin(!r->opt.verbose);
    pa = Pa_Initialize();
    live_quiet_end();
    if (pa != paNoError) {
        fprintf(stderr, "quell-live: PortAudio: %s\n", Pa_GetErrorText(pa));
        teardown(r, 0);
        return LIVE_EXIT_FAILURE;
    }
    r->pa_ready = 1;
    rc = choose_devices(r, &cfg);
    if (rc || r->opt.list) {
        teardown(r, 0);
        return rc;
    }
    if ((rc = prepare(r, (int)cfg.rate)) ||
        (rc = live_stream_open(&cfg, r->eng, !r->opt.verbose, &r->stream))) {
        teardown(r, 0);
        return rc;
    }
    if (live_recorder_start(&r->rec)) {
        fprintf(stderr, "quell-live: cannot start the recorder thread\n");
        teardown(r, 0);
        return LIVE_EXIT_FAILURE;
    }
    live_quiet_begin(!r->opt.verbose);
    pa = Pa_StartStream(r->stream);
    live_quiet_end();
    if (pa != paNoError) {
        fprintf(stderr, "quell-live: cannot start the stream: %s\n", Pa_GetErrorText(pa));
        teardown(r, 0);
        return LIVE_EXIT_BUSY;
    }
    started = 1;
    describe(r, &cfg);
    rc = run_loop(r, cfg.rate);
    /* Stop first, so the summary counts every callback that ran. */
    if (!r->stream_dead)
        Pa_StopStream(r->stream);
    summary(r, cfg.rate);
    if (teardown(r, started))
        rc = LIVE_EXIT_FAILURE;
    return rc;
}
