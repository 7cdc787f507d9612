/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The network of models/README.md section 2, run one frame at a time. Causal
 * convolutions keep the past frames they need in buffers sized at init, so a
 * step does no allocation and a bounded amount of work.
 */
#ifndef QUELL_NNET_H
#define QUELL_NNET_H

#include <stddef.h>

#include "matvec.h"
#include "model.h"

typedef struct QuellNet {
    const QuellModel *model;
    QuellMatvecFn matvec; /* chosen for this CPU at init */
    float *history;       /* [k_in][K] normalised band inputs, oldest frame first, then the
                             F normalised flatness inputs of the current frame */
    float *h;             /* [C] residual stream */
    float *u;             /* [C] block work */
    float *v;             /* [C] block work */
    float *logits;        /* [K] */
    int *nonzero;         /* matvec scratch, one int per input of the widest layer */
    float *ring;          /* past h of every block, block after block */
    size_t ring_offset[QUELL_MODEL_MAX_BLOCKS]; /* block b's first float in ring */
    int ring_frames[QUELL_MODEL_MAX_BLOCKS];    /* (k - 1) d_b + 1 frames */
    int ring_pos[QUELL_MODEL_MAX_BLOCKS];       /* slot of the next frame */
    size_t ring_floats;
} QuellNet;

/* Returns QUELL_OK or QUELL_ERR_NO_MEMORY. */
int quell_net_init(QuellNet *net, const QuellModel *model);
void quell_net_free(QuellNet *net);
/* Forgets every past frame (as if t = 0 comes next). [RT] */
void quell_net_reset(QuellNet *net);
/* One frame: K + F features in (band energies, then flatness), K band gains in [0, 1]
 * and the speech probability out. [RT] */
void quell_net_step(QuellNet *net, const float *features, float *band_gains, float *vad);

#endif /* QUELL_NNET_H */
