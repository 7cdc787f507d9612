/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The clean-speech guard (src/clean_guard.c, models/README.md section 1) on synthetic
 * band energies and network gains, 10 ms frames, one band:
 *  - a voice 30 dB above a steady floor whose frames the network cuts now and then (10 %
 *    of its energy) gets those frames back (gain >= 0.98);
 *  - where the network cuts most of the voice (70 %), nothing is raised;
 *  - steady noise is never raised, even when the network turns it down to 0.1;
 *  - after a rest, a sound is measured against its own floor, not the silence's;
 *  - reset gives the state of a new guard; with raise = 0 the gains are untouched and
 *    switching it on later gives what an always-on guard gives;
 *  - a network gain of exactly 0 for long stays 0 (no NaN from 0 / 0).
 */
#include <math.h>
#include <string.h>

#include "clean_guard.h"
#include "quell.h"
#include "test_util.h"

#define FRAME_S 0.01
#define FLOOR 1e-6f
#define VOICE 1e-3f

/* A voice in 250 ms syllables with 250 ms gaps over FLOOR; the network cuts every
 * cut_every-th voiced frame to 0.01 (or, with cut_every < 0, all but every
 * (-cut_every)-th). */
static void voice_frame(int t, int cut_every, float *energy, float *gain)
{
    const int voiced = (t / 25) % 2 == 1;
    *energy = (voiced ? VOICE : FLOOR) + 1e-10f;
    int cut = 0;
    if (voiced)
        cut = cut_every > 0 ? t % cut_every == 0 : t % -cut_every != 0;
    *gain = cut ? 0.01f : 1.0f;
}

/* Runs frames [from, to) of the voice; returns the least output gain over the cut frames
 * from `check_from` on (2 if there were none). */
static float run_voice(QuellCleanGuard *g, int from, int to, int cut_every, int check_from,
                       int raise)
{
    float least = 2.0f;
    for (int t = from; t < to; t++) {
        float energy, gain;
        voice_frame(t, cut_every, &energy, &gain);
        const int cut = gain < 0.5f;
        quell_clean_guard_apply(g, &energy, &gain, raise);
        if (cut && t >= check_from && gain < least)
            least = gain;
    }
    return least;
}

static QuellCleanGuard new_guard(void)
{
    QuellCleanGuard g;
    if (quell_clean_guard_init(&g, 1, FRAME_S) != QUELL_OK) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return g;
}

/* The first frame of a steady sound at VOICE that the network cuts to 0.01. */
static float steady_first_gain(QuellCleanGuard *g)
{
    float energy = VOICE + 1e-10f, gain = 0.01f;
    quell_clean_guard_apply(g, &energy, &gain, 1);
    return gain;
}

int main(void)
{
    QuellCleanGuard g = new_guard();
    float least = run_voice(&g, 0, 400, 10, 200, 1);
    CHECK(least >= 0.98f, "a voice cut in 10 %% of its frames: least gain %g, want >= 0.98",
          (double)least);

    quell_clean_guard_reset(&g);
    least = run_voice(&g, 0, 400, -10, 200, 1);
    CHECK(least == 0.01f, "a voice cut in 90 %% of its frames: least gain %g, want 0.01",
          (double)least);
    quell_clean_guard_reset(&g);
    least = run_voice(&g, 0, 400, -3, 200, 1);
    CHECK(least == 0.01f, "a voice cut in 67 %% of its frames: least gain %g, want 0.01",
          (double)least);

    /* steady noise: +-10 % jitter around 1e-4, turned down to 0.1 */
    quell_clean_guard_reset(&g);
    int raised = 0;
    for (int t = 0; t < 500; t++) {
        float energy = 1e-4f * (1.0f + 0.1f * (float)sin(0.7 * t)), gain = 0.1f;
        quell_clean_guard_apply(&g, &energy, &gain, 1);
        raised += gain != 0.1f;
    }
    CHECK(raised == 0, "steady noise raised in %d of 500 frames", raised);

    /* a rest (digital silence) between the voice and a steady sound */
    quell_clean_guard_reset(&g);
    run_voice(&g, 0, 300, 10, 0, 1);
    const float without_rest = steady_first_gain(&g);
    quell_clean_guard_reset(&g);
    run_voice(&g, 0, 300, 10, 0, 1);
    quell_clean_guard_rest(&g);
    const float after_rest = steady_first_gain(&g);
    CHECK(without_rest > 0.9f, "a sound 30 dB above the floor kept: gain %g",
          (double)without_rest);
    CHECK(after_rest == 0.01f, "after a rest a sound is its own floor: gain %g",
          (double)after_rest);

    /* reset = new; raise = 0 leaves the gains and the state alone */
    QuellCleanGuard fresh = new_guard(), late = new_guard();
    quell_clean_guard_reset(&g);
    int same = 1, untouched = 1, switched_same = 1;
    for (int t = 0; t < 400; t++) {
        float f, a, b, c;
        voice_frame(t, 10, &f, &a);
        b = c = a;
        const float net = a;
        quell_clean_guard_apply(&g, &f, &a, 1);
        quell_clean_guard_apply(&fresh, &f, &b, 1);
        quell_clean_guard_apply(&late, &f, &c, t >= 200);
        same &= a == b;
        if (t < 200)
            untouched &= c == net;
        else
            switched_same &= c == b;
    }
    CHECK(same, "a reset guard differs from a new one");
    CHECK(untouched, "raise = 0 changed a gain");
    CHECK(switched_same, "switched on after 2 s, the guard differs from an always-on one");

    /* a band the network silences completely */
    quell_clean_guard_reset(&g);
    int nonzero = 0;
    for (int t = 0; t < 1000; t++) {
        float energy, gain;
        voice_frame(t, 1, &energy, &gain);
        gain = 0.0f;
        quell_clean_guard_apply(&g, &energy, &gain, 1);
        nonzero += !(gain == 0.0f);
    }
    CHECK(nonzero == 0, "a gain of 0 came out as something else in %d frames", nonzero);

    quell_clean_guard_free(&g);
    quell_clean_guard_free(&fresh);
    quell_clean_guard_free(&late);
    return test_finish("clean_guard");
}
