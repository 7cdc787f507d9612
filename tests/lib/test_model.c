/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Model files: the embedded default equals models/default.qmodel byte for
 * byte; valid models of many shapes load and run; and every kind of damage
 * gives its documented error without crashing: truncation at every length,
 * every single bit flip of a small model (and sampled flips of the default),
 * wrong magic and version, absurd configs, missing / duplicate / unknown
 * arrays, bad names, dtypes and shapes, non-finite weights, bad band centres,
 * trailing bytes. Blobs are built by model_blob.c, independent of src/.
 */
#include <string.h>

#include "model.h"
#include "model_blob.h"
#include "quell.h"
#include "test_util.h"

static TbModel base, work;

/* Loads a blob from memory and returns the error code (freeing any model). */
static int load(const unsigned char *blob, size_t size)
{
    int err = 1;
    QuellModel *m = quell_model_new_from_buffer(blob, size, &err);
    if ((m != NULL) != (err == QUELL_OK)) {
        test_failures++;
        fprintf(stderr, "FAIL: model %p with error %d\n", (void *)m, err);
    }
    quell_model_free(m);
    return err;
}

static int load_tb(const TbModel *m)
{
    size_t size;
    unsigned char *b = tb_write(m, &size);
    int err = load(b, size);
    free(b);
    return err;
}

/* The error a single flipped bit at byte i must give. */
static int expected_for_flip(size_t i)
{
    if (i < 8)
        return QUELL_ERR_MODEL_FORMAT; /* magic */
    if (i < 12)
        return QUELL_ERR_MODEL_VERSION;
    if (i < 20)
        return QUELL_ERR_MODEL_FORMAT; /* count, size: the header is not checksummed */
    return QUELL_ERR_MODEL_CHECKSUM;
}

static void test_crc_and_embedded(const unsigned char *file, size_t size)
{
    CHECK(quell_crc32(0, "123456789", 9) == 0xCBF43926u, "CRC-32 check value");
    CHECK(tb_crc32((const unsigned char *)"123456789", 9) == 0xCBF43926u, "test CRC-32");
    CHECK(quell_default_model_size == size && memcmp(quell_default_model_data, file, size) == 0,
          "embedded default model differs from models/default.qmodel");
    CHECK(load(file, size) == QUELL_OK, "default model file");
}

static void test_truncation(const unsigned char *blob, size_t size, int every)
{
    /* plain truncation fails at the size check: cheap enough for every length */
    int bad = 0;
    for (size_t len = 0; len < size; len++)
        if (load(blob, len) != QUELL_ERR_MODEL_FORMAT)
            bad++;
    CHECK(bad == 0, "%d truncations not reported as format errors", bad);
    /* truncated, with size and CRC fixed up: the arrays no longer add up
     * (each needs a CRC of the whole prefix, so large blobs are sampled) */
    size_t step = every ? 1 : 1 + size / 1500;
    unsigned char *b = malloc(size);
    bad = 0;
    for (size_t len = 24; len < size; len += step) {
        memcpy(b, blob, len);
        b[16] = (unsigned char)len;
        b[17] = (unsigned char)(len >> 8);
        b[18] = (unsigned char)(len >> 16);
        b[19] = (unsigned char)(len >> 24);
        uint32_t c = tb_crc32(b + 24, len - 24);
        for (int i = 0; i < 4; i++)
            b[20 + i] = (unsigned char)(c >> (8 * i));
        if (load(b, len) != QUELL_ERR_MODEL_FORMAT)
            bad++;
    }
    free(b);
    CHECK(bad == 0, "%d consistent truncations accepted or misreported", bad);
}

static void test_bit_flips(const unsigned char *blob, size_t size, int every, uint64_t seed)
{
    unsigned char *b = malloc(size);
    memcpy(b, blob, size);
    int bad = 0, tried = 0;
    size_t n = every ? size * 8 : 3000;
    for (size_t t = 0; t < n; t++) {
        size_t bit = every ? t : (t < 24 * 8 ? t : (size_t)(test_rand(&seed) % (size * 8)));
        size_t i = bit / 8;
        b[i] ^= (unsigned char)(1u << (bit % 8));
        int err = load(b, size);
        b[i] ^= (unsigned char)(1u << (bit % 8));
        tried++;
        if (err != expected_for_flip(i)) {
            if (bad++ < 5)
                fprintf(stderr, "flip of bit %zu: error %d, expected %d\n", bit, err,
                        expected_for_flip(i));
        }
    }
    free(b);
    CHECK(bad == 0, "%d of %d bit flips misreported", bad, tried);
}

static void test_header(const unsigned char *blob, size_t size)
{
    unsigned char *b = malloc(size + 8);
    memcpy(b, blob, size);
    b[0] = 'X';
    CHECK(load(b, size) == QUELL_ERR_MODEL_FORMAT, "bad magic");
    memcpy(b, blob, size);
    b[8] = 3;
    CHECK(load(b, size) == QUELL_ERR_MODEL_VERSION, "version 3");
    b[8] = 0;
    CHECK(load(b, size) == QUELL_ERR_MODEL_VERSION, "version 0");
    memcpy(b, blob, size);
    memset(b + 12, 0, 4);
    CHECK(load(b, size) == QUELL_ERR_MODEL_FORMAT, "zero arrays");
    b[12] = 0x01;
    b[13] = 0x04; /* 1025 */
    CHECK(load(b, size) == QUELL_ERR_MODEL_FORMAT, "1025 arrays");
    memcpy(b, blob, size);
    b[12]++; /* one array more than present */
    CHECK(load(b, size) == QUELL_ERR_MODEL_FORMAT, "count too large");
    b[12] -= 2; /* one fewer: bytes left over */
    CHECK(load(b, size) == QUELL_ERR_MODEL_FORMAT, "count too small");
    /* trailing bytes, with size and CRC updated */
    memcpy(b, blob, size);
    memset(b + size, 0, 8);
    size_t big = size + 8;
    for (int i = 0; i < 4; i++)
        b[16 + i] = (unsigned char)(big >> (8 * i));
    uint32_t c = tb_crc32(b + 24, big - 24);
    for (int i = 0; i < 4; i++)
        b[20 + i] = (unsigned char)(c >> (8 * i));
    CHECK(load(b, big) == QUELL_ERR_MODEL_FORMAT, "trailing bytes");
    free(b);

    /* the same through files: truncated, flipped, wrong version, missing */
    char *path = tb_temp_file(blob, size / 2);
    int err = 0;
    CHECK(quell_model_new_from_file(path, &err) == NULL && err == QUELL_ERR_MODEL_FORMAT,
          "truncated file: %d", err);
    remove(path);
    free(path);
    path = tb_temp_file(blob, 0);
    CHECK(quell_model_new_from_file(path, &err) == NULL && err == QUELL_ERR_MODEL_FORMAT,
          "empty file: %d", err);
    remove(path);
    free(path);
    b = malloc(size + 1);
    memcpy(b, blob, size);
    b[size - 3] ^= 0x10;
    path = tb_temp_file(b, size);
    CHECK(quell_model_new_from_file(path, &err) == NULL && err == QUELL_ERR_MODEL_CHECKSUM,
          "flipped file: %d", err);
    remove(path);
    free(path);
    memcpy(b, blob, size);
    b[8] = 9;
    path = tb_temp_file(b, size);
    CHECK(quell_model_new_from_file(path, &err) == NULL && err == QUELL_ERR_MODEL_VERSION,
          "version 9 file: %d", err);
    remove(path);
    free(path);
    memcpy(b, blob, size);
    b[size] = 0;
    path = tb_temp_file(b, size + 1);
    CHECK(quell_model_new_from_file(path, &err) == NULL && err == QUELL_ERR_MODEL_FORMAT,
          "file longer than its header says: %d", err);
    remove(path);
    free(path);
    path = tb_temp_file(blob, size);
    QuellModel *m = quell_model_new_from_file(path, &err);
    CHECK(m != NULL && err == QUELL_OK, "valid file: %d", err);
    quell_model_free(m);
    remove(path);
    free(path);
    free(b);
}

/* Applies one change to a copy of the base model; the load must fail with want. */
#define EXPECT_BROKEN(want, what, change)                                                          \
    do {                                                                                           \
        tb_copy(&work, &base);                                                                     \
        change;                                                                                    \
        int e_ = load_tb(&work);                                                                   \
        CHECK(e_ == (want), "%s: got %d (%s)", what, e_, quell_strerror(e_));                      \
        tb_free(&work);                                                                            \
    } while (0)

static void test_structure(void)
{
    int idx;
    char what[96];
    CHECK(load_tb(&base) == QUELL_OK, "base model");
    /* absurd configs */
    static const int cfg_bad[][2] = {{0, 0},  {0, 257}, {1, 0}, {1, 513}, {2, 0}, {2, 10},
                                     {3, -1}, {3, 33},  {4, 0}, {4, 10},  {0, -5}};
    for (size_t i = 0; i < sizeof cfg_bad / sizeof cfg_bad[0]; i++) {
        snprintf(what, sizeof what, "config[%d] = %d", cfg_bad[i][0], cfg_bad[i][1]);
        EXPECT_BROKEN(
            QUELL_ERR_MODEL_FORMAT, what,
            tb_set_i32(&work.a[tb_find(&work, "config")], (size_t)cfg_bad[i][0], cfg_bad[i][1]));
    }
    /* a config whose numbers are legal but disagree with the arrays */
    EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, "config C+1",
                  tb_set_i32(&work.a[tb_find(&work, "config")], 1, 7));
    EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, "config B-1",
                  tb_set_i32(&work.a[tb_find(&work, "config")], 3, 1));
    EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, "dilation 0",
                  tb_set_i32(&work.a[tb_find(&work, "dilations")], 0, 0));
    EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, "dilation 65",
                  tb_set_i32(&work.a[tb_find(&work, "dilations")], 1, 65));
    /* every array: missing, duplicated, wrong dtype, wrong shape, non-finite */
    for (int i = 0; i < base.n; i++) {
        const char *name = (const char *)base.a[i].name;
        snprintf(what, sizeof what, "missing %s", name);
        EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, what, tb_remove(&work, i));
        snprintf(what, sizeof what, "duplicate %s", name);
        EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, what,
                      tb_add(&work, name, work.a[i].dtype, work.a[i].ndim, work.a[i].dims,
                             work.a[i].data, work.a[i].bytes));
        snprintf(what, sizeof what, "wrong dtype %s", name);
        EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, what, work.a[i].dtype = 3 - work.a[i].dtype);
        snprintf(what, sizeof what, "dtype 7 %s", name);
        EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, what, work.a[i].dtype = 7);
        snprintf(what, sizeof what, "ndim 0 %s", name);
        EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, what, work.a[i].ndim = 0);
        snprintf(what, sizeof what, "ndim 5 %s", name);
        EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, what, work.a[i].ndim = 5);
        snprintf(what, sizeof what, "extra unit dim %s", name);
        EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, what, work.a[i].ndim++);
        snprintf(what, sizeof what, "unused dim not 1 %s", name);
        EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, what, work.a[i].dims[3] = 2);
        snprintf(what, sizeof what, "huge dims %s", name);
        EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, what, work.a[i].dims[0] = 0xFFFFFFFFu);
        if (base.a[i].ndim >= 2 && base.a[i].dims[0] != base.a[i].dims[1]) {
            snprintf(what, sizeof what, "transposed %s", name);
            EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, what, {
                uint32_t t = work.a[i].dims[0];
                work.a[i].dims[0] = work.a[i].dims[1];
                work.a[i].dims[1] = t;
            });
        }
        if (base.a[i].dtype == 1) {
            static const float nonfinite[] = {NAN, INFINITY, -INFINITY};
            for (int v = 0; v < 3; v++) {
                snprintf(what, sizeof what, "%s[last] = %g", name, (double)nonfinite[v]);
                EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, what,
                              tb_set_f32(&work.a[i], work.a[i].bytes / 4 - 1, nonfinite[v]));
            }
        }
    }
    /* names */
    static const char *const unknown[] = {
        "foo",           "blk4.dw.weight", "blk00.dw.weight", "blk0.dw.weights", "blk.dw.weight",
        "blk0dw.weight", "in.weight2",     "Config",          "blk99.pw1.bias",  "blk-1.pw1.bias"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        snprintf(what, sizeof what, "unknown array %s", unknown[i]);
        EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, what,
                      tb_add(&work, unknown[i], 1, 1, (uint32_t[]){1}, "\0\0\0\0", 4));
    }
    idx = tb_find(&base, "in.bias");
    EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, "name not NUL-padded", work.a[idx].name[20] = 'x');
    EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, "name without NUL", memset(work.a[idx].name, 'a', 32));
    EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, "empty name", memset(work.a[idx].name, 0, 32));
    /* band centres */
    idx = tb_find(&base, "band_centers_hz");
    EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, "c_0 != 0", tb_set_f32(&work.a[idx], 0, 10.0f));
    EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, "centres not increasing", {
        float c;
        memcpy(&c, work.a[idx].data + 4, 4);
        tb_set_f32(&work.a[idx], 2, c);
    });
    EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, "centre above 96 kHz",
                  tb_set_f32(&work.a[idx], work.a[idx].bytes / 4 - 1, 96001.0f));
    /* arrays in another order are fine */
    tb_copy(&work, &base);
    for (int i = 0; i < work.n / 2; i++) {
        TbArray t = work.a[i];
        work.a[i] = work.a[work.n - 1 - i];
        work.a[work.n - 1 - i] = t;
    }
    CHECK(load_tb(&work) == QUELL_OK, "reversed array order must load");
    tb_free(&work);
}

/* Version 2: the flatness inputs' arrays and their version label. */
static void test_fine_inputs(void)
{
    int K = 0;
    memcpy(&K, base.a[tb_find(&base, "config")].data, 4);
    const int idx = tb_find(&base, "fine_bands");
    CHECK(idx >= 0 && load_tb(&base) == QUELL_OK, "model with flatness inputs");
    static const int bad[][2] = {{-1, 1}, {0, 0}, {0, -1}, {1, 0}, {0, 99}, {2, 3}, {99, 1}};
    char what[96];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(what, sizeof what, "fine_bands = {%d, %d} (K = %d)", bad[i][0], bad[i][1], K);
        EXPECT_BROKEN(QUELL_ERR_MODEL_FORMAT, what, {
            tb_set_i32(&work.a[idx], 0, bad[i][0]);
            tb_set_i32(&work.a[idx], 1, bad[i][1]);
        });
    }
    /* the widest legal range loads once its arrays fit it */
    tb_copy(&work, &base);
    for (int a = work.n - 1; a >= 0; a--)
        if (strncmp((const char *)work.a[a].name, "fine", 4) == 0 ||
            strcmp((const char *)work.a[a].name, "in_fine.weight") == 0)
            tb_remove(&work, a);
    tb_add_fine(&work, 0, K, 3);
    CHECK(load_tb(&work) == QUELL_OK, "flatness inputs on every band");
    tb_free(&work);

    /* a version-2 label needs the arrays; a version-1 label forbids them */
    size_t size;
    tb_copy(&work, &base);
    unsigned char *b = tb_write(&work, &size);
    b[8] = 1; /* the header's version is outside the CRC */
    CHECK(load(b, size) == QUELL_ERR_MODEL_FORMAT, "flatness arrays in a version-1 file");
    free(b);
    tb_remove(&work, tb_find(&work, "fine_bands"));
    for (int a = work.n - 1; a >= 0; a--)
        if (strncmp((const char *)work.a[a].name, "fine", 4) == 0 ||
            strcmp((const char *)work.a[a].name, "in_fine.weight") == 0)
            tb_remove(&work, a);
    b = tb_write(&work, &size);
    CHECK(load(b, size) == QUELL_OK, "the same model without them, version 1");
    b[8] = 2;
    CHECK(load(b, size) == QUELL_ERR_MODEL_FORMAT, "version 2 without flatness arrays");
    free(b);
    tb_free(&work);
}

/* Valid models of unusual shapes load, and a state runs them with finite output. */
static void test_valid_shapes(void)
{
    static const struct {
        int K, C, k_in, B, k;
        int dil[4];
    } shapes[] = {
        {1, 1, 1, 0, 1, {0}},      {2, 3, 1, 1, 1, {1}},
        {8, 16, 9, 2, 9, {64, 1}}, {48, 32, 2, 4, 2, {1, 3, 9, 27}},
        {256, 8, 1, 1, 3, {2}},
    };
    static const int rates[] = {8000, 22050, 192000};
    const size_t n_shapes = sizeof shapes / sizeof shapes[0];
    /* each shape without, then with flatness inputs (on the upper half of its bands) */
    for (size_t v = 0; v < 2 * n_shapes; v++) {
        const size_t s = v % n_shapes;
        TbModel m;
        tb_random(&m, shapes[s].K, shapes[s].C, shapes[s].k_in, shapes[s].B, shapes[s].k,
                  shapes[s].dil, 100 + s);
        if (v >= n_shapes)
            tb_add_fine(&m, shapes[s].K / 2, shapes[s].K - shapes[s].K / 2, 200 + s);
        size_t size;
        unsigned char *b = tb_write(&m, &size);
        int err = 0;
        QuellModel *model = quell_model_new_from_buffer(b, size, &err);
        CHECK(model != NULL, "shape %zu: %s", s, quell_strerror(err));
        for (size_t r = 0; model && r < sizeof rates / sizeof rates[0]; r++) {
            QuellState *st = quell_create(model, rates[r], 2, &err);
            CHECK(st != NULL, "shape %zu at %d Hz: %s", s, rates[r], quell_strerror(err));
            if (st == NULL)
                continue;
            size_t frames = (size_t)rates[r] / 2;
            float *x = test_signal(frames, 2, rates[r], 5);
            quell_process(st, x, x, frames);
            size_t bad = 0;
            for (size_t i = 0; i < frames * 2; i++)
                bad += !isfinite(x[i]) || fabsf(x[i]) > 64.0f;
            CHECK(bad == 0, "shape %zu at %d Hz: %zu bad samples", s, rates[r], bad);
            float p = quell_get_speech_probability(st);
            CHECK(p >= 0.0f && p <= 1.0f, "speech probability %g", (double)p);
            free(x);
            quell_destroy(st);
        }
        quell_model_free(model);
        free(b);
        tb_free(&m);
    }
}

int main(void)
{
    const char *root = getenv("QUELL_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/models/default.qmodel", root ? root : ".");
    size_t size;
    unsigned char *file = tb_read_file(path, &size);
    test_crc_and_embedded(file, size);
    test_truncation(file, size, 0);
    test_bit_flips(file, size, 0, 20240611u);
    test_header(file, size);

    /* a small model (~1 KB) gets every truncation and every bit flip */
    static const int dil[2] = {1, 3};
    tb_random(&base, 4, 3, 2, 2, 2, dil, 7);
    size_t small_size;
    unsigned char *small = tb_write(&base, &small_size);
    printf("small model: %zu bytes, %zu bit flips\n", small_size, small_size * 8);
    test_truncation(small, small_size, 1);
    test_bit_flips(small, small_size, 1, 0);
    test_structure();
    free(small);
    tb_free(&base);

    /* the same checks on a version-2 model (flatness inputs on bands 1..3 of 4) */
    tb_random(&base, 4, 3, 2, 2, 2, dil, 8);
    tb_add_fine(&base, 1, 3, 9);
    small = tb_write(&base, &small_size);
    test_truncation(small, small_size, 1);
    test_bit_flips(small, small_size, 1, 1);
    test_header(small, small_size);
    test_structure();
    test_fine_inputs();
    free(small);
    tb_free(&base);

    test_valid_shapes();
    free(file);
    return test_finish("test_model");
}
