/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer entry point for the model parser: any byte string must give a
 * model or a clean error, never a crash, leak or undefined behaviour. A
 * model that loads is also run for a few frames.
 * Build: meson setup with CC=clang (the target is made only when the compiler
 * accepts -fsanitize=fuzzer); run: ./fuzz_model -max_len=4096 CORPUS_DIR
 */
#include <stddef.h>
#include <stdint.h>

#include "quell.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int err = 0;
    QuellModel *m = quell_model_new_from_buffer(data, size, &err);
    if (m == NULL)
        return 0;
    QuellState *st = quell_create(m, 16000, 1, &err);
    if (st != NULL) {
        float buf[480];
        for (int i = 0; i < 480; i++)
            buf[i] = (float)((i * 37) % 101 - 50) / 100.0f;
        quell_process(st, buf, buf, 480);
        quell_destroy(st);
    }
    quell_model_free(m);
    return 0;
}
