/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The clean-speech guard (models/README.md section 1, "clean-speech guard"): where the
 * network has removed little of a band over the last seconds, a sound that stands far
 * above the band's noise floor keeps the gain that power subtraction of that floor
 * would give it. The network mistakes a few clean voices (cartoon-like, child, some
 * fullband game voices) for noise and cuts them by up to 40 dB; the guard lets that
 * pass only where the network itself says the band holds little noise.
 */
#ifndef QUELL_CLEAN_GUARD_H
#define QUELL_CLEAN_GUARD_H

/* Noise floor: minimum of the smoothed band power over QUELL_GUARD_SUBWINDOWS
 * subwindows of QUELL_GUARD_WINDOW_S / QUELL_GUARD_SUBWINDOWS each, plus the current one
 * (minimum statistics, Martin 2001, without the bias correction). */
#define QUELL_GUARD_WINDOW_S 1.6
#define QUELL_GUARD_SUBWINDOWS 8
#define QUELL_GUARD_POWER_SMOOTH_S 0.03
/* Guard gain max(0, 1 - MARGIN floor / E): 0 up to 11.8 dB above the floor. */
#define QUELL_GUARD_MARGIN 15.0f
/* The band's reduction by the network, 10 log10 of input over output energy averaged
 * over LONG_S: the guard applies fully up to FULL_DB and not at all from NONE_DB. */
#define QUELL_GUARD_LONG_S 3.0
#define QUELL_GUARD_FULL_DB 1.0f
#define QUELL_GUARD_NONE_DB 3.0f

typedef struct QuellCleanGuard {
    int n_bands;
    int sub_frames;  /* frames per subwindow */
    int frame_count; /* frames into the current subwindow */
    int ring_pos;    /* the oldest subwindow's slot */
    int started;     /* a frame has been seen since the reset */
    float power_coef; /* per-frame smoothing of the band power */
    float long_coef;  /* per-frame averaging of the long-term energies */
    float *power;     /* [K] smoothed band power */
    float *sub_min;   /* [K] minimum of the current subwindow */
    float *ring;      /* [SUBWINDOWS][K] minima of the previous subwindows */
    float *long_in;   /* [K] long-term band energy of the input */
    float *long_out;  /* [K] ... and of the network's output */
} QuellCleanGuard;

/* @p frame_s: one hop in seconds. Returns QUELL_OK or QUELL_ERR_NO_MEMORY. */
int quell_clean_guard_init(QuellCleanGuard *g, int n_bands, double frame_s);
void quell_clean_guard_free(QuellCleanGuard *g);
/* Back to the state of t = 0 (stream start, quell_reset()). [RT] */
void quell_clean_guard_reset(QuellCleanGuard *g);
/* A rest in digital silence: the floor is tracked afresh (a sound after silence is
 * measured against itself, never against the silence), while what the network removed
 * before the silence is kept. [RT] */
void quell_clean_guard_rest(QuellCleanGuard *g);
/* One frame: @p energy holds the band energies E_b + 1e-10 (10^feature), @p gains the
 * network's band gains, raised in place where the guard applies if @p raise is non-zero.
 * The state depends on the features and the network's gains only, never on @p raise, so
 * switching the guard on mid-stream gives what a stream that always had it gives. [RT] */
void quell_clean_guard_apply(QuellCleanGuard *g, const float *energy, float *gains,
                             int raise);

#endif /* QUELL_CLEAN_GUARD_H */
