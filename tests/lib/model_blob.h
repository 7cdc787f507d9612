/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test-side reader/writer of .qmodel blobs (models/README.md section 3),
 * independent of src/model.c, to build valid models and precisely broken ones.
 */
#ifndef QUELL_TEST_MODEL_BLOB_H
#define QUELL_TEST_MODEL_BLOB_H

#include <stddef.h>
#include <stdint.h>

#define TB_MAX_ARRAYS 1100

typedef struct TbArray {
    unsigned char name[32]; /* raw name field, as in the file */
    uint32_t dtype, ndim, dims[4];
    unsigned char *data;
    size_t bytes;
} TbArray;

typedef struct TbModel {
    TbArray a[TB_MAX_ARRAYS];
    int n;
} TbModel;

/* CRC-32 (zlib), bit by bit: slow and obviously right. */
uint32_t tb_crc32(const unsigned char *p, size_t n);
/* Splits a valid blob into arrays (copies the data). Returns 0 on success. */
int tb_parse(TbModel *m, const unsigned char *blob, size_t size);
/* Serialises with a correct header (count, size, CRC; version 2 when the model has
 * "fine_bands", else 1); caller frees. */
unsigned char *tb_write(const TbModel *m, size_t *size);
/* A random model in the spec's layout (malloc'd arrays). dilations has B entries. */
void tb_random(TbModel *m, int K, int C, int k_in, int B, int k, const int *dilations,
               uint64_t seed);
/* Adds flatness inputs for bands first..first+count-1 (the four version-2 arrays). */
void tb_add_fine(TbModel *m, int first, int count, uint64_t seed);
void tb_free(TbModel *m);
/* Deep copy. */
void tb_copy(TbModel *dst, const TbModel *src);
/* Index of an array by name, or -1. */
int tb_find(const TbModel *m, const char *name);
/* Adds an array (copies data); returns its index. */
int tb_add(TbModel *m, const char *name, uint32_t dtype, uint32_t ndim, const uint32_t *dims,
           const void *data, size_t bytes);
void tb_remove(TbModel *m, int index);
void tb_set_f32(TbArray *a, size_t i, float v);
void tb_set_i32(TbArray *a, size_t i, int32_t v);
/* Reads a whole file (malloc'd); exits on failure. */
unsigned char *tb_read_file(const char *path, size_t *size);
/* Writes bytes to a new temporary file; returns its malloc'd path. */
char *tb_temp_file(const unsigned char *data, size_t size);

#endif /* QUELL_TEST_MODEL_BLOB_H */
