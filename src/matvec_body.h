/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Body of y = bias + W x, included by matvec.c and matvec_avx2.c with
 * QUELL_MATVEC_FN set to the function's name and QUELL_VEC_BYTES to the
 * vector width, so that every instruction set compiles the very same C.
 *
 * Inputs that are exactly 0 (after ReLU, often half of them) add nothing, so
 * their indices are dropped first, without a branch that would mispredict.
 * Then 64 outputs at a time (one tile of W, quell_matvec_index()) stay in
 * registers while every remaining input adds its scaled row of the tile: y is
 * loaded and stored once per tile instead of once per input, and the tile is
 * read front to back. Every output sums its inputs in the order i = 0, 1, ...,
 * each product rounded before its sum (no FMA), whatever the vector width: all
 * versions give bit-identical results.
 */
#if defined(__GNUC__)
typedef float QuellVec __attribute__((vector_size(QUELL_VEC_BYTES), aligned(4)));
#define QUELL_VEC_LANES (QUELL_VEC_BYTES / 4)
#define QUELL_VEC_PER_BLOCK (QUELL_MATVEC_BLOCK / QUELL_VEC_LANES)
/* y[o0 .. o0 + n_vec * lanes) from the inputs listed in nonzero[0 .. n), whose rows of
 * that many weights lie @p stride floats apart from w; inlined with a constant n_vec, so
 * that acc[] lives in registers */
static inline __attribute__((always_inline)) void
quell_matvec_rows(float *restrict y, const float *restrict w, size_t stride,
                  const float *restrict bias, const float *restrict x, const int *restrict nonzero,
                  int n, int o0, int n_vec)
{
    QuellVec acc[QUELL_VEC_PER_BLOCK];
    for (int j = 0; j < n_vec; j++)
        acc[j] = ((const QuellVec *)(bias + o0))[j];
    for (int t = 0; t < n; t++) {
        const int i = nonzero[t];
        const QuellVec xi = (QuellVec){0} + x[i];
        const QuellVec *row = (const QuellVec *)(w + (size_t)i * stride);
        for (int j = 0; j < n_vec; j++)
            acc[j] += row[j] * xi;
    }
    for (int j = 0; j < n_vec; j++)
        ((QuellVec *)(y + o0))[j] = acc[j];
}
#endif

void QUELL_MATVEC_FN(float *restrict y, const float *restrict w, const float *restrict bias,
                     const float *restrict x, int n_in, int n_out, int *restrict nonzero)
{
    int n = 0;
    for (int i = 0; i < n_in; i++) {
        nonzero[n] = i;
        n += x[i] != 0.0f;
    }
    const int tiled = n_out / QUELL_MATVEC_BLOCK * QUELL_MATVEC_BLOCK;
    /* the rest outputs after the last whole tile have rows of rest weights */
    const int rest = n_out - tiled;
    const float *restrict w_rest = w + (size_t)tiled * (size_t)n_in;
    int o0 = 0;
#if defined(__GNUC__)
    for (; o0 < tiled; o0 += QUELL_MATVEC_BLOCK)
        quell_matvec_rows(y, w + (size_t)o0 * (size_t)n_in, QUELL_MATVEC_BLOCK, bias, x, nonzero,
                          n, o0, QUELL_VEC_PER_BLOCK);
    /* then one vector at a time (56 outputs: 7 x 8 with AVX2) */
    for (; o0 + QUELL_VEC_LANES <= n_out; o0 += QUELL_VEC_LANES)
        quell_matvec_rows(y, w_rest + (o0 - tiled), (size_t)rest, bias, x, nonzero, n, o0, 1);
#endif
    /* what is left one output at a time (everything without vector types): output o's
     * weights are column o % 64 of its tile, or column o - tiled of the rest */
    for (int o = o0; o < n_out; o++) {
        const int in_tile = o < tiled;
        const float *restrict col =
            in_tile ? w + (size_t)(o / QUELL_MATVEC_BLOCK) * QUELL_MATVEC_BLOCK * (size_t)n_in +
                          o % QUELL_MATVEC_BLOCK
                    : w_rest + (o - tiled);
        const size_t stride = in_tile ? QUELL_MATVEC_BLOCK : (size_t)rest;
        float acc = bias[o];
        for (int t = 0; t < n; t++) {
            const int i = nonzero[t];
            acc += col[(size_t)i * stride] * x[i];
        }
        y[o] = acc;
    }
}
