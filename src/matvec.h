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

/* W is stored input-major: w_t[i * n_out + o] = W[o][i]; @p nonzero is scratch for
 * n_in ints. */
typedef void (*QuellMatvecFn)(float *restrict y, const float *restrict w_t,
                              const float *restrict bias, const float *restrict x, int n_in,
                              int n_out, int *restrict nonzero);

void quell_matvec_generic(float *restrict y, const float *restrict w_t, const float *restrict bias,
                          const float *restrict x, int n_in, int n_out, int *restrict nonzero);
#ifdef QUELL_HAVE_AVX2
void quell_matvec_avx2(float *restrict y, const float *restrict w_t, const float *restrict bias,
                       const float *restrict x, int n_in, int n_out, int *restrict nonzero);
#endif

/* The fastest version this CPU runs (honours QUELL_CPU=generic). [NonRT: reads the environment] */
QuellMatvecFn quell_matvec_select(void);
/* Name of the version quell_matvec_select() picks, for reports. */
const char *quell_matvec_name(QuellMatvecFn fn);

#endif /* QUELL_MATVEC_H */
