/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model: the .qmodel file format (models/README.md section 3), its full
 * validation, and the weights laid out for the network code (nnet.c).
 */
#ifndef QUELL_MODEL_H
#define QUELL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "quell.h"

/* Limits of the format (models/README.md), checked at load. */
#define QUELL_MODEL_MAX_BANDS 256
#define QUELL_MODEL_MAX_CHANNELS 512
#define QUELL_MODEL_MAX_KERNEL 9
#define QUELL_MODEL_MAX_BLOCKS 32
#define QUELL_MODEL_MAX_DILATION 64
#define QUELL_MODEL_MAX_ARRAYS 1024
#define QUELL_MODEL_MAX_HZ 96000.0f
/* Largest file accepted: the biggest valid model is about 72 MB. */
#define QUELL_MODEL_MAX_BYTES (128u * 1024u * 1024u)
#define QUELL_MODEL_HEADER_BYTES 24u

/*
 * The matrices of the matrix-vector products lie as the kernels read them
 * (quell_matvec_index(): input-major within tiles of 64 outputs), so that a
 * product is a sequence of contiguous y[o..o+64) += W[i][o..o+64) * x[i]
 * updates that the compiler vectorises without reordering any sum; the
 * depthwise taps are stored input-major too.
 */
typedef struct QuellBlock {
    int dilation;
    const float *dw_w;  /* [k][C]: tap j of every channel, contiguous over channels */
    const float *dw_b;  /* [C] */
    const float *pw1_w; /* C x C, matvec layout */
    const float *pw1_b; /* [C] */
    const float *pw2_w; /* C x C, matvec layout */
    const float *pw2_b; /* [C] */
} QuellBlock;

struct QuellModel {
    int n_bands;                  /* K */
    int n_channels;               /* C */
    int k_in;                     /* input kernel */
    int n_blocks;                 /* B */
    int k;                        /* block kernel */
    const float *band_centers_hz; /* [K], 0 = c_0 < c_1 < ... */
    const float *input_mean;      /* [K] */
    const float *input_inv_std;   /* [K] */
    int fine_first;               /* first band with a flatness input (format version 2) */
    int n_fine;                   /* F flatness inputs; 0 in a version-1 model */
    const float *fine_mean;       /* [F] */
    const float *fine_inv_std;    /* [F] */
    /* k_in * K + F inputs x C outputs, matvec layout; input j*K + i is band i at tap j,
     * input k_in*K + f is flatness input f (current frame only) */
    const float *in_w;
    const float *in_b; /* [C] */
    QuellBlock blocks[QUELL_MODEL_MAX_BLOCKS];
    const float *out_w; /* C inputs x K outputs, matvec layout */
    const float *out_b; /* [K] */
    const float *vad_w; /* [C] */
    float vad_b;
    size_t n_params;       /* weights and biases of the network */
    size_t macs_per_frame; /* multiply-adds of one network step */
    float *arena;          /* owns every array above */
};

/* CRC-32 (IEEE 802.3, as zlib's crc32()) of @p size bytes, continuing from @p crc (0 to start). */
uint32_t quell_crc32(uint32_t crc, const void *data, size_t size);

/* Parse and validate a model held in memory. Returns QUELL_OK or a negative QuellError. */
int quell_model_parse(const unsigned char *data, size_t size, QuellModel **out);

/* The default model embedded at build time (default_model.c, made by tools/bin2c.py). */
extern const unsigned char quell_default_model_data[];
extern const size_t quell_default_model_size;

#endif /* QUELL_MODEL_H */
