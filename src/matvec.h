/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The network's one hot loop, y = bias + W x, in a portable C version and,
 * on x86-64, the same C compiled for AVX2 (matvec_avx2.c). Neither contracts
 * to FMA and both sum in the same order, so they give bit-identical results;
 * the CPU is detected once per state, and QUELL_CPU=generic in the
 * environment forces the portable version (for tests and comparisons).
 */
#ifndef QUELL_MATVEC_H
#define QUELL_MATVEC_H

#include <stddef.h>

/* Outputs computed together, whose weights lie together (see quell_matvec_index()). */
#define QUELL_MATVEC_BLOCK 64

/*
 * Where W[o][i] lies in the kernels' weight array: input-major within tiles of
 * QUELL_MATVEC_BLOCK outputs, so that a tile is one contiguous stream of rows
 * (tile t = o / 64 holds w[t * n_in * 64 + i * 64 + o % 64]); the r = n_out % 64
 * outputs after the last whole tile follow, input-major (w[... + i * r + o - 64 T]).
 */
static inline size_t quell_matvec_index(size_t i, size_t o, size_t n_in, size_t n_out)
{
    const size_t tiles = n_out / QUELL_MATVEC_BLOCK, tiled = tiles * QUELL_MATVEC_BLOCK;
    if (o < tiled)
        return (o / QUELL_MATVEC_BLOCK) * n_in * QUELL_MATVEC_BLOCK + i * QUELL_MATVEC_BLOCK +
               o % QUELL_MATVEC_BLOCK;
    return tiled * n_in + i * (n_out - tiled) + (o - tiled);
}

/* y = bias + W x with W laid out by quell_matvec_index(); @p nonzero is scratch for
 * n_in ints. */
typedef void (*QuellMatvecFn)(float *restrict y, const float *restrict w,
                              const float *restrict bias, const float *restrict x, int n_in,
                              int n_out, int *restrict nonzero);

void quell_matvec_generic(float *restrict y, const float *restrict w, const float *restrict bias,
                          const float *restrict x, int n_in, int n_out, int *restrict nonzero);
#ifdef QUELL_HAVE_AVX2
void quell_matvec_avx2(float *restrict y, const float *restrict w, const float *restrict bias,
                       const float *restrict x, int n_in, int n_out, int *restrict nonzero);
#endif

/* The fastest version this CPU runs (honours QUELL_CPU=generic). [NonRT: reads the environment] */
QuellMatvecFn quell_matvec_select(void);
/* Name of the version quell_matvec_select() picks, for reports. */
const char *quell_matvec_name(QuellMatvecFn fn);

#endif /* QUELL_MATVEC_H */
