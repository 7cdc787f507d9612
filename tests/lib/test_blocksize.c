/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block-size invariance: the same input cut into blocks of 1, 7, 64, 480,
 * 512, 4096 or random sizes (and processed in place) must give output
 * bit-identical (memcmp) to one call over the whole input. Also: after
 * quell_reset() a state repeats a fresh state's output exactly.
 * Random sizes use a seed from QUELL_TEST_SEED or the clock; it is printed.
 */
#include <string.h>
#include <time.h>

#include "quell.h"
#include "test_util.h"

/* Runs @p in through a fresh state in blocks; size 0 means random sizes in 0..1100. */
static float *run_blocks(const QuellModel *model, int rate, int channels, const float *in,
                         size_t frames, size_t block, int in_place, uint64_t *seed)
{
    const size_t ch = (size_t)channels;
    QuellState *st = quell_create(model, rate, channels, NULL);
    float *out = malloc(frames * ch * sizeof(float));
    if (st == NULL || out == NULL) {
        fprintf(stderr, "setup failed\n");
        exit(1);
    }
    if (in_place)
        memcpy(out, in, frames * ch * sizeof(float));
    size_t done = 0;
    while (done < frames) {
        size_t n = block ? block : (size_t)(test_rand(seed) % 1101u);
        if (n > frames - done)
            n = frames - done;
        const float *src = in_place ? out + done * ch : in + done * ch;
        CHECK(quell_process(st, src, out + done * ch, n) == QUELL_OK, "process");
        done += n;
    }
    quell_destroy(st);
    return out;
}

static void check_case(const QuellModel *model, int rate, int channels, uint64_t seed)
{
    const size_t frames = (size_t)rate * 2 + 123; /* 2 s and a partial hop */
    const size_t bytes = frames * (size_t)channels * sizeof(float);
    float *in = test_signal(frames, channels, rate, 99u + (uint64_t)channels);
    uint64_t s = seed;
    float *ref = run_blocks(model, rate, channels, in, frames, frames, 0, &s);
    static const size_t sizes[] = {1, 7, 64, 480, 512, 4096, 0, 0, 0};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (int in_place = 0; in_place < 2; in_place++) {
            float *out = run_blocks(model, rate, channels, in, frames, sizes[i], in_place, &s);
            CHECK(memcmp(out, ref, bytes) == 0, "%d Hz x%d: block %zu%s differs from one call",
                  rate, channels, sizes[i], in_place ? " in place" : "");
            free(out);
        }
    }
    /* The output must not be trivially zero (then equality would prove nothing). */
    double e = 0.0;
    for (size_t i = 0; i < frames * (size_t)channels; i++)
        e += (double)ref[i] * (double)ref[i];
    CHECK(e > 1.0, "%d Hz x%d: output energy %g is suspiciously small", rate, channels, e);

    /* quell_reset(): a used state then repeats the fresh output exactly. */
    QuellState *st = quell_create(model, rate, channels, NULL);
    float *out = malloc(bytes);
    quell_process(st, in, out, frames / 3);
    quell_reset(st);
    quell_process(st, in, out, frames);
    CHECK(memcmp(out, ref, bytes) == 0, "%d Hz x%d: output after reset differs", rate, channels);
    free(out);
    quell_destroy(st);
    free(ref);
    free(in);
    printf("%6d Hz x%d: all block sizes bit-identical\n", rate, channels);
}

int main(void)
{
    const char *env = getenv("QUELL_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
    if (seed == 0)
        seed = 1;
    printf("random block sizes: seed %llu (set QUELL_TEST_SEED to repeat)\n",
           (unsigned long long)seed);
    QuellModel *model = quell_model_new_default(NULL);
    CHECK(model != NULL, "default model");
    if (model == NULL)
        return test_finish("test_blocksize");
    check_case(model, 48000, 2, seed);
    check_case(model, 44100, 1, seed + 1);
    check_case(model, 16000, 1, seed + 2);
    check_case(model, 8000, 3, seed + 3);
    quell_model_free(model);
    /* a model with flatness inputs keeps 4H samples of input: the same must hold */
    const char *root = getenv("QUELL_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/parity_fine/model.qmodel", root ? root : ".");
    model = quell_model_new_from_file(path, NULL);
    CHECK(model != NULL, "%s", path);
    if (model != NULL) {
        check_case(model, 48000, 2, seed + 4);
        check_case(model, 22050, 1, seed + 5);
    }
    quell_model_free(model);
    return test_finish("test_blocksize");
}
