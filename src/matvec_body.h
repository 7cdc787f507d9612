/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Body of y = bias + W x, included by matvec.c and matvec_avx2.c with
 * QUELL_MATVEC_FN set to the function's name and QUELL_VEC_BYTES to the
 * vector width, so that every instruction set compiles the very same C.
 *
 * Inputs that are exactly 0 (after ReLU, often half of them) add nothing, so
 * their indices are dropped first, without a branch that would mispredict.
 * Then 64 outputs at a time stay in registers while every remaining input
 * adds its scaled row of W (stored input-major, so the row is contiguous):
 * y is loaded and stored once per block instead of once per input. Every
 * output sums its inputs in the order i = 0, 1, ..., each product rounded
 * before its sum (no FMA), whatever the vector width: all versions give
 * bit-identical results.
 */
#define QUELL_MATVEC_BLOCK 64

#if defined(__GNUC__)
typedef float QuellVec __attribute__((vector_size(QUELL_VEC_BYTES), aligned(4)));
#define QUELL_VEC_LANES (QUELL_VEC_BYTES / 4)
#define QUELL_VEC_PER_BLOCK (QUELL_MATVEC_BLOCK / QUELL_VEC_LANES)
/* y[o0 .. o0 + n_vec * lanes) from the inputs listed in nonzero[0 .. n); inlined with a
 * constant n_vec, so that acc[] lives in registers */
static inline __attribute__((always_inline)) void
quell_matvec_rows(float *restrict y, const float *restrict w_t, const float *restrict bias,
                  const float *restrict x, const int *restrict nonzero, int n, int n_out, int o0,
                  int n_vec)
{
    QuellVec acc[QUELL_VEC_PER_BLOCK];
    for (int j = 0; j < n_vec; j++)
        acc[j] = ((const QuellVec *)(bias + o0))[j];
    for (int t = 0; t < n; t++) {
        const int i = nonzero[t];
        const QuellVec xi = (QuellVec){0} + x[i];
        const QuellVec *row = (const QuellVec *)(w_t + (size_t)i * (size_t)n_out + o0);
        for (int j = 0; j < n_vec; j++)
            acc[j] += row[j] * xi;
    }
    for (int j = 0; j < n_vec; j++)
        ((QuellVec *)(y + o0))[j] = acc[j];
}
#endif

void QUELL_MATVEC_FN(float *restrict y, const float *restrict w_t, const float *restrict bias,
                     const float *restrict x, int n_in, int n_out, int *restrict nonzero)
{
    int n = 0;
    for (int i = 0; i < n_in; i++) {
        nonzero[n] = i;
        n += x[i] != 0.0f;
    }
    int o0 = 0;
#if defined(__GNUC__)
    for (; o0 + QUELL_MATVEC_BLOCK <= n_out; o0 += QUELL_MATVEC_BLOCK)
        quell_matvec_rows(y, w_t, bias, x, nonzero, n, n_out, o0, QUELL_VEC_PER_BLOCK);
    /* then one vector at a time (56 outputs: 7 x 8 with AVX2) */
    for (; o0 + QUELL_VEC_LANES <= n_out; o0 += QUELL_VEC_LANES)
        quell_matvec_rows(y, w_t, bias, x, nonzero, n, n_out, o0, 1);
#endif
    /* the outputs after the last whole block (all of them without vector types) */
    for (int o = o0; o < n_out; o++)
        y[o] = bias[o];
    if (o0 == n_out)
        return;
    for (int t = 0; t < n; t++) {
        const int i = nonzero[t];
        const float xi = x[i];
        const float *restrict row = w_t + (size_t)i * (size_t)n_out;
        for (int o = o0; o < n_out; o++)
            y[o] += row[o] * xi;
    }
}
