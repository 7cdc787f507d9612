/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instruction-set paths: the portable C kernels (forced with
 * QUELL_CPU=generic) and the ones picked for this CPU (AVX2 on most x86-64)
 * must give bit-identical output, since both sum in the same order without
 * FMA. Checked on the default model and on a random model whose widths are
 * not multiples of the vector size (C = 37, K = 19), and every kernel against
 * a plain loop in the same order on shapes with and without whole tiles of
 * outputs (quell_matvec_index()), a remainder, and inputs that are 0.
 */
#include <string.h>

#include "matvec.h"
#include "model_blob.h"
#include "quell.h"
#include "test_util.h"

static TbModel odd;

static float *run(const QuellModel *m, const float *in, size_t frames, int rate, int ch)
{
    QuellState *st = quell_create(m, rate, ch, NULL);
    float *out = malloc(frames * (size_t)ch * sizeof(float));
    quell_process(st, in, out, frames);
    quell_destroy(st);
    return out;
}

static void compare(const QuellModel *m, const char *what, int rate, int ch)
{
    const size_t frames = (size_t)rate * 2;
    float *in = test_signal(frames, ch, rate, 17);
    setenv("QUELL_CPU", "generic", 1);
    float *ref = run(m, in, frames, rate, ch);
    unsetenv("QUELL_CPU");
    float *fast = run(m, in, frames, rate, ch);
    size_t diff = 0;
    for (size_t i = 0; i < frames * (size_t)ch; i++)
        diff += memcmp(&ref[i], &fast[i], sizeof(float)) != 0;
    printf("%s at %d Hz x%d: %s vs generic: %zu samples differ\n", what, rate, ch,
           quell_matvec_name(quell_matvec_select()), diff);
    CHECK(diff == 0, "%s: %zu samples differ between kernels", what, diff);
    free(in);
    free(ref);
    free(fast);
}

/* y = bias + W x over the inputs in order, W[o][i] = w[o * n_in + i]: what every kernel
 * must give bit for bit. */
static void plain_matvec(float *y, const float *w, const float *bias, const float *x, int n_in,
                         int n_out)
{
    for (int o = 0; o < n_out; o++) {
        float acc = bias[o];
        for (int i = 0; i < n_in; i++)
            if (x[i] != 0.0f)
                acc += w[(size_t)o * (size_t)n_in + (size_t)i] * x[i];
        y[o] = acc;
    }
}

static void check_kernel(QuellMatvecFn fn, int n_in, int n_out, uint64_t *seed)
{
    const size_t nw = (size_t)n_in * (size_t)n_out;
    float *w = malloc(nw * sizeof(float)), *laid = malloc(nw * sizeof(float));
    float *bias = malloc((size_t)n_out * sizeof(float)), *x = malloc((size_t)n_in * sizeof(float));
    float *want = malloc((size_t)n_out * sizeof(float)), *got = malloc((size_t)n_out * sizeof(float));
    int *scratch = malloc((size_t)n_in * sizeof(int));
    for (int o = 0; o < n_out; o++) {
        bias[o] = test_uniform(seed);
        for (int i = 0; i < n_in; i++) {
            w[(size_t)o * (size_t)n_in + (size_t)i] = test_uniform(seed);
            laid[quell_matvec_index((size_t)i, (size_t)o, (size_t)n_in, (size_t)n_out)] =
                w[(size_t)o * (size_t)n_in + (size_t)i];
        }
    }
    for (int i = 0; i < n_in; i++) /* about 40 % zeros, as after a ReLU */
        x[i] = test_uniform(seed) < -0.2f ? 0.0f : test_uniform(seed);
    plain_matvec(want, w, bias, x, n_in, n_out);
    fn(got, laid, bias, x, n_in, n_out, scratch);
    int diff = 0;
    for (int o = 0; o < n_out; o++)
        diff += memcmp(&want[o], &got[o], sizeof(float)) != 0;
    CHECK(diff == 0, "%s kernel, %d x %d: %d of %d outputs differ from the plain loop",
          quell_matvec_name(fn), n_out, n_in, diff, n_out);
    free(w);
    free(laid);
    free(bias);
    free(x);
    free(want);
    free(got);
    free(scratch);
}

int main(void)
{
    /* outputs: below one vector, vectors and a rest, whole tiles, tiles and a rest */
    static const int shapes[][2] = {{5, 3},   {57, 37},  {128, 56}, {189, 128},
                                    {70, 100}, {30, 131}, {1, 64},   {128, 200}};
    uint64_t seed = 99;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        check_kernel(quell_matvec_generic, shapes[i][0], shapes[i][1], &seed);
        check_kernel(quell_matvec_select(), shapes[i][0], shapes[i][1], &seed);
    }
    printf("kernels generic and %s match the plain loop on %zu shapes\n",
           quell_matvec_name(quell_matvec_select()), sizeof shapes / sizeof shapes[0]);

    unsetenv("QUELL_CPU");
    setenv("QUELL_CPU", "generic", 1);
    CHECK(quell_matvec_select() == quell_matvec_generic, "QUELL_CPU=generic not honoured");
    unsetenv("QUELL_CPU");
    QuellModel *def = quell_model_new_default(NULL);
    compare(def, "default model", 48000, 2);
    quell_model_free(def);

    static const int dil[3] = {1, 5, 2};
    tb_random(&odd, 19, 37, 3, 3, 4, dil, 3);
    size_t size;
    unsigned char *blob = tb_write(&odd, &size);
    QuellModel *m = quell_model_new_from_buffer(blob, size, NULL);
    CHECK(m != NULL, "odd model");
    if (m != NULL)
        compare(m, "K=19 C=37 model", 16000, 1);
    quell_model_free(m);
    free(blob);
    tb_free(&odd);
    return test_finish("test_simd");
}
