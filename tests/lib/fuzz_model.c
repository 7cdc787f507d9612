/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer entry point for the model parser: any byte string must give a
 * model or a clean error, never a crash, leak or undefined behaviour. Each
 * input is tried as is and again with its size and CRC fields fixed up, so
 * that mutations reach the structure checks behind the checksum. A model
 * that loads is also run for a few frames.
 * Build: meson setup with CC=clang (the target is made only when the compiler
 * accepts -fsanitize=fuzzer); run: ./fuzz_model -max_len=4096 CORPUS_DIR
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "quell.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_model(const uint8_t *data, size_t size)
{
    int err = 0;
    QuellModel *m = quell_model_new_from_buffer(data, size, &err);
    if (m == NULL)
        return;
    QuellState *st = quell_create(m, 16000, 1, &err);
    if (st != NULL) {
        float buf[480];
        for (int i = 0; i < 480; i++)
            buf[i] = (float)((i * 37) % 101 - 50) / 100.0f;
        quell_process(st, buf, buf, 480);
        quell_destroy(st);
    }
    quell_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try_model(data, size);
    if (size < 24 || size > UINT32_MAX)
        return 0;
    uint8_t *fixed = malloc(size);
    if (fixed == NULL)
        return 0;
    memcpy(fixed, data, size);
    uint32_t crc = quell_crc32(0, fixed + 24, size - 24);
    for (int i = 0; i < 4; i++) {
        fixed[16 + i] = (uint8_t)((uint32_t)size >> (8 * i));
        fixed[20 + i] = (uint8_t)(crc >> (8 * i));
    }
    try_model(fixed, size);
    free(fixed);
    return 0;
}
