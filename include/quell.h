/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file quell.h
 * @brief quell: real-time speech enhancement (noise suppression).
 *
 * quell removes background noise from speech with a small causal
 * convolutional network that predicts spectral gains on short-time Fourier
 * transform frames. It runs at any sample rate from 8 kHz to 192 kHz, on
 * 1 to 8 interleaved channels, with a constant algorithmic latency of about
 * 20 ms or less (see quell_latency()).
 *
 * Two opaque objects:
 *  - ::QuellModel holds network weights. It is immutable after creation and
 *    may be shared by any number of states, in any threads. It must outlive
 *    every state created from it.
 *  - ::QuellState holds one stream (its buffers and history). A state is not
 *    thread-safe: use it from one thread at a time.
 *
 * Samples are 32-bit float, nominally in [-1, 1] (not +-32768). Larger
 * values are processed too (up to +-64, then clamped); NaN and infinities
 * are replaced by silence so that they never enter the stream's history.
 *
 * Errors are negative ::QuellError codes; QUELL_OK is 0. The library never
 * calls exit() or abort() and never prints.
 *
 * Real-time classes used below:
 *  - [RT]    real-time safe: no allocation, lock, I/O or unbounded work.
 *  - [NonRT] may allocate or do I/O: call it off the audio thread.
 */
#ifndef QUELL_H
#define QUELL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(QUELL_BUILDING_DLL)
#define QUELL_API __declspec(dllexport)
#elif defined(__GNUC__) && defined(QUELL_BUILDING_LIBRARY)
#define QUELL_API __attribute__((visibility("default")))
#else
#define QUELL_API
#endif

/** @name Version of this header (semantic versioning). */
/**@{*/
#define QUELL_VERSION_MAJOR 0
#define QUELL_VERSION_MINOR 3
#define QUELL_VERSION_PATCH 0
/**@}*/

/** Error codes. Every failing call returns (or stores) one of these. */
typedef enum QuellError {
    QUELL_OK = 0,                  /**< success */
    QUELL_ERR_INVALID_ARG = -1,    /**< NULL pointer or out-of-range value */
    QUELL_ERR_NO_MEMORY = -2,      /**< an allocation failed */
    QUELL_ERR_BAD_RATE = -3,       /**< sample rate outside 8000..192000 Hz */
    QUELL_ERR_BAD_CHANNELS = -4,   /**< channel count outside 1..8 */
    QUELL_ERR_MODEL_IO = -5,       /**< model file missing or unreadable */
    QUELL_ERR_MODEL_FORMAT = -6,   /**< model data malformed (magic, sizes, shapes, values) */
    QUELL_ERR_MODEL_VERSION = -7,  /**< model format version not supported */
    QUELL_ERR_MODEL_CHECKSUM = -8  /**< model data corrupted (checksum mismatch) */
} QuellError;

/** Lowest and highest supported sample rates, in Hz. */
#define QUELL_MIN_SAMPLE_RATE 8000
#define QUELL_MAX_SAMPLE_RATE 192000
/** Highest supported number of interleaved channels. */
#define QUELL_MAX_CHANNELS 8
/** Range and default of the attenuation limit, in dB. */
#define QUELL_MAX_ATTENUATION_DB 100.0f
#define QUELL_DEFAULT_ATTENUATION_DB 40.0f

typedef struct QuellModel QuellModel;
typedef struct QuellState QuellState;

/** A static, human-readable English message for an error code. Never NULL. [RT] */
QUELL_API const char *quell_strerror(int err);

/** The library's version as "MAJOR.MINOR.PATCH". [RT] */
QUELL_API const char *quell_version_string(void);

/** The library's version as MAJOR*10000 + MINOR*100 + PATCH. [RT] */
QUELL_API int quell_version(void);

/**
 * Create a model from the default weights embedded in the library.
 * @param err  receives QUELL_OK or a negative code; may be NULL.
 * @return a new model owned by the caller (free with quell_model_free()), or NULL.
 * [NonRT]
 */
QUELL_API QuellModel *quell_model_new_default(int *err);

/**
 * Load a model file (the format is described in models/README.md; this
 * version reads format versions 1 and 2). The file is read completely and
 * validated (checksum, version, names, shapes, finite values) so that
 * processing can trust it.
 * @param path  file name; must not be NULL.
 * @param err   receives QUELL_OK, QUELL_ERR_MODEL_IO, _FORMAT, _VERSION,
 *              _CHECKSUM, _NO_MEMORY or _INVALID_ARG; may be NULL.
 * @return a new model owned by the caller, or NULL. [NonRT]
 */
QUELL_API QuellModel *quell_model_new_from_file(const char *path, int *err);

/**
 * Load a model from memory. The bytes are copied: the caller keeps ownership
 * of @p data and may free it as soon as this returns.
 * Errors as for quell_model_new_from_file() (never _MODEL_IO). [NonRT]
 */
QUELL_API QuellModel *quell_model_new_from_buffer(const void *data, size_t size, int *err);

/** Free a model. Every state created from it must be destroyed first. NULL is ignored. [NonRT] */
QUELL_API void quell_model_free(QuellModel *model);

/**
 * Create a stream state.
 * @param model           weights to use, or NULL for the embedded default
 *                        (then the state owns a private copy).
 * @param sample_rate_hz  QUELL_MIN_SAMPLE_RATE..QUELL_MAX_SAMPLE_RATE.
 * @param channels        1..QUELL_MAX_CHANNELS; all channels share one gain
 *                        decision, so the stereo image is kept.
 * @param err             receives QUELL_OK or a negative code; may be NULL.
 * @return the state, or NULL. All memory the stream needs is taken here.
 * [NonRT]
 */
QUELL_API QuellState *quell_create(const QuellModel *model, int sample_rate_hz, int channels,
                                   int *err);

/** Destroy a state. NULL is ignored. [NonRT] */
QUELL_API void quell_destroy(QuellState *st);

/**
 * Denoise a block of interleaved samples.
 *
 * Any block length is accepted (0 included); the output is bit-identical
 * whatever the block sizes. Output lags input by quell_latency() samples.
 * After 100 ms of digital silence (all samples 0) the stream forgets what came
 * before, as after quell_reset() with the settings kept: a sound that follows
 * is judged afresh (models/README.md section 1).
 * @p in and @p out may be the same buffer (in-place); otherwise they must not
 * overlap. Both hold @p n_frames * channels floats.
 * @return QUELL_OK, or QUELL_ERR_INVALID_ARG for NULL pointers. [RT]
 */
QUELL_API int quell_process(QuellState *st, const float *in, float *out, size_t n_frames);

/** Algorithmic latency in samples (frames) at the stream's rate; constant for a state. [RT] */
QUELL_API int quell_latency(const QuellState *st);

/** The stream's sample rate in Hz and channel count. [RT] */
QUELL_API int quell_sample_rate(const QuellState *st);
QUELL_API int quell_channels(const QuellState *st);

/** Clear all history (buffers, network memory), as if newly created. Settings are kept. [RT] */
QUELL_API void quell_reset(QuellState *st);

/**
 * Set the maximum noise reduction in dB: 0 passes the input through
 * unchanged (delayed by the latency), QUELL_MAX_ATTENUATION_DB is the most.
 * Values outside the range are clamped. Changes are smoothed over about
 * 40 ms, so they never click.
 * @return QUELL_OK, or QUELL_ERR_INVALID_ARG for NULL or NaN. [RT]
 */
QUELL_API int quell_set_attenuation_limit_db(QuellState *st, float db);

/** The attenuation limit last set, in dB. [RT] */
QUELL_API float quell_get_attenuation_limit_db(const QuellState *st);

/**
 * Bypass (non-zero) or enable (zero) the denoiser. The signal still goes
 * through the same path, so the latency does not change; the switch is
 * crossfaded over about 40 ms. In bypass the output equals the input
 * delayed by quell_latency() (to float rounding).
 * @return QUELL_OK or QUELL_ERR_INVALID_ARG. [RT]
 */
QUELL_API int quell_set_bypass(QuellState *st, int bypass);

/** Non-zero while bypassed. [RT] */
QUELL_API int quell_get_bypass(const QuellState *st);

/**
 * Enable (non-zero, the default) or disable (zero) the clean-speech guard: where
 * the model has removed little of a band over the last seconds, sound that stands
 * well clear of that band's noise floor is not turned down. It keeps clean and
 * lightly noisy speech that the model would mistake for noise (some children's and
 * cartoon-like voices); disable it for the most suppression of sparse sounds
 * (clicks, thuds) over quiet backgrounds. Takes effect from the next frame; the
 * output is then what a stream created with that setting gives.
 * @return QUELL_OK or QUELL_ERR_INVALID_ARG. [RT]
 */
QUELL_API int quell_set_clean_guard(QuellState *st, int enabled);

/** Non-zero while the clean-speech guard is enabled. [RT] */
QUELL_API int quell_get_clean_guard(const QuellState *st);

/** Probability (0..1) that the most recent frame holds speech. [RT] */
QUELL_API float quell_get_speech_probability(const QuellState *st);

/**
 * Noise reduction applied to the most recent frame, in dB (>= 0): the
 * frame's input energy over its output energy. [RT]
 */
QUELL_API float quell_get_noise_reduction_db(const QuellState *st);

#ifdef __cplusplus
}
#endif

#endif /* QUELL_H */
