/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Body of y = bias + W x, included by matvec.c and matvec_avx2.c with
 * QUELL_MATVEC_FN set to the function's name, so that every instruction set
 * compiles the very same C.
 *
 * Each input adds a scaled contiguous row of W (stored input-major) to y: the
 * inner loop vectorises without -ffast-math, and every output sums its inputs
 * in the order i = 0, 1, ... whatever the vector width. Inputs that are
 * exactly 0 (after ReLU, often half of them) are skipped: adding 0 * w
 * changes nothing.
 */
void QUELL_MATVEC_FN(float *restrict y, const float *restrict w_t, const float *restrict bias,
                     const float *restrict x, int n_in, int n_out)
{
    for (int o = 0; o < n_out; o++)
        y[o] = bias[o];
    for (int i = 0; i < n_in; i++) {
        const float xi = x[i];
        if (xi == 0.0f)
            continue;
        const float *restrict row = w_t + (size_t)i * (size_t)n_out;
        for (int o = 0; o < n_out; o++)
            y[o] += row[o] * xi;
    }
}
