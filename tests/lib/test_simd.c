/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instruction-set paths: the portable C kernels (forced with
 * QUELL_CPU=generic) and the ones picked for this CPU (AVX2 on most x86-64)
 * must give bit-identical output, since both sum in the same order without
 * FMA. Checked on the default model and on a random model whose widths are
 * not multiples of the vector size (C = 37, K = 19).
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

int main(void)
{
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
