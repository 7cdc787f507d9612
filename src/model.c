/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Model loading: the .qmodel format of models/README.md, validated completely
 * (header, checksum, names, shapes, limits, finite values) so that the
 * processing code can trust every array without checking again.
 */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "matvec.h"

#define QUELL_MAGIC "QUELLMDL"
#define QUELL_FORMAT_VERSION 1u      /* band-energy inputs only */
#define QUELL_FORMAT_VERSION_FINE 2u /* adds the flatness inputs ("fine_bands") */
#define QUELL_NAME_LEN 32u
#define QUELL_ARRAY_HEADER_BYTES (QUELL_NAME_LEN + 24u)
#define QUELL_DTYPE_F32 1u
#define QUELL_DTYPE_I32 2u

uint32_t quell_crc32(uint32_t crc, const void *data, size_t size)
{
    /* Reflected polynomial 0xEDB88320. The table is built per call (2 k
     * operations) so that it needs neither global state nor a thread guard. */
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int b = 0; b < 8; b++)
            c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        table[i] = c;
    }
    const unsigned char *p = data;
    crc = ~crc;
    for (size_t i = 0; i < size; i++)
        crc = (crc >> 8) ^ table[(crc ^ p[i]) & 0xFFu];
    return ~crc;
}

static uint32_t quell_read_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static float quell_read_f32(const unsigned char *p)
{
    uint32_t u = quell_read_u32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static int32_t quell_read_i32(const unsigned char *p)
{
    uint32_t u = quell_read_u32(p);
    int32_t i;
    memcpy(&i, &u, sizeof i);
    return i;
}

/* Every array name has a slot; a block's six arrays come after the fixed ones. */
enum {
    QUELL_SLOT_CONFIG,
    QUELL_SLOT_DILATIONS,
    QUELL_SLOT_CENTERS,
    QUELL_SLOT_IN_MEAN,
    QUELL_SLOT_IN_INV_STD,
    QUELL_SLOT_IN_W,
    QUELL_SLOT_IN_B,
    QUELL_SLOT_OUT_W,
    QUELL_SLOT_OUT_B,
    QUELL_SLOT_VAD_W,
    QUELL_SLOT_VAD_B,
    QUELL_SLOT_FINE_BANDS, /* version 2 only, like the three below */
    QUELL_SLOT_FINE_MEAN,
    QUELL_SLOT_FINE_INV_STD,
    QUELL_SLOT_IN_FINE_W,
    QUELL_SLOT_FIXED_COUNT
};
enum {
    QUELL_DW_W,
    QUELL_DW_B,
    QUELL_PW1_W,
    QUELL_PW1_B,
    QUELL_PW2_W,
    QUELL_PW2_B,
    QUELL_BLOCK_ARRAYS
};
#define QUELL_SLOT_COUNT (QUELL_SLOT_FIXED_COUNT + QUELL_BLOCK_ARRAYS * QUELL_MODEL_MAX_BLOCKS)

static const char *const quell_fixed_names[QUELL_SLOT_FIXED_COUNT] = {
    "config",    "dilations",  "band_centers_hz", "input_mean",   "input_inv_std",
    "in.weight", "in.bias",    "out.weight",      "out.bias",     "vad.weight",
    "vad.bias",  "fine_bands", "fine_mean",       "fine_inv_std", "in_fine.weight",
};
static const char *const quell_block_suffixes[QUELL_BLOCK_ARRAYS] = {
    "dw.weight", "dw.bias", "pw1.weight", "pw1.bias", "pw2.weight", "pw2.bias",
};

/* The slot of an array name, or -1 for a name the format does not know. */
static int quell_slot_of(const char *name)
{
    for (int s = 0; s < QUELL_SLOT_FIXED_COUNT; s++)
        if (strcmp(name, quell_fixed_names[s]) == 0)
            return s;
    if (strncmp(name, "blk", 3) != 0)
        return -1;
    const char *p = name + 3;
    /* "blk" + a decimal block index without leading zeros + "." + suffix */
    if (p[0] < '0' || p[0] > '9' || (p[0] == '0' && p[1] != '.'))
        return -1;
    int index = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 3) {
        index = index * 10 + (*p - '0');
        p++;
        digits++;
    }
    if (*p != '.' || index >= QUELL_MODEL_MAX_BLOCKS)
        return -1;
    p++;
    for (int a = 0; a < QUELL_BLOCK_ARRAYS; a++)
        if (strcmp(p, quell_block_suffixes[a]) == 0)
            return QUELL_SLOT_FIXED_COUNT + index * QUELL_BLOCK_ARRAYS + a;
    return -1;
}

typedef struct QuellRawArray {
    const unsigned char *data; /* NULL while the array has not been seen */
    uint32_t dtype;
    uint32_t ndim;
    uint32_t dims[4];
    size_t count;
} QuellRawArray;

static int quell_version_known(uint32_t version)
{
    return version == QUELL_FORMAT_VERSION || version == QUELL_FORMAT_VERSION_FINE;
}

/* Checks the header and splits the body into arrays by name. */
static int quell_index_arrays(const unsigned char *data, size_t size, QuellRawArray *slots,
                              uint32_t *version)
{
    if (size < 8 || memcmp(data, QUELL_MAGIC, 8) != 0)
        return QUELL_ERR_MODEL_FORMAT;
    if (size < 12)
        return QUELL_ERR_MODEL_FORMAT;
    *version = quell_read_u32(data + 8);
    if (!quell_version_known(*version))
        return QUELL_ERR_MODEL_VERSION;
    if (size < QUELL_MODEL_HEADER_BYTES)
        return QUELL_ERR_MODEL_FORMAT;
    uint32_t n = quell_read_u32(data + 12);
    if (n < 1 || n > QUELL_MODEL_MAX_ARRAYS || quell_read_u32(data + 16) != size)
        return QUELL_ERR_MODEL_FORMAT;
    size_t body = size - QUELL_MODEL_HEADER_BYTES;
    if (quell_crc32(0, data + QUELL_MODEL_HEADER_BYTES, body) != quell_read_u32(data + 20))
        return QUELL_ERR_MODEL_CHECKSUM;

    size_t pos = QUELL_MODEL_HEADER_BYTES;
    for (uint32_t a = 0; a < n; a++) {
        if (size - pos < QUELL_ARRAY_HEADER_BYTES)
            return QUELL_ERR_MODEL_FORMAT;
        const unsigned char *h = data + pos;
        char name[QUELL_NAME_LEN];
        memcpy(name, h, QUELL_NAME_LEN);
        size_t len = 0;
        while (len < QUELL_NAME_LEN && name[len] != '\0')
            len++;
        if (len == 0 || len == QUELL_NAME_LEN)
            return QUELL_ERR_MODEL_FORMAT; /* empty or not NUL-terminated */
        for (size_t i = len; i < QUELL_NAME_LEN; i++)
            if (name[i] != '\0')
                return QUELL_ERR_MODEL_FORMAT; /* not NUL-padded */
        QuellRawArray r;
        r.dtype = quell_read_u32(h + QUELL_NAME_LEN);
        r.ndim = quell_read_u32(h + QUELL_NAME_LEN + 4);
        if ((r.dtype != QUELL_DTYPE_F32 && r.dtype != QUELL_DTYPE_I32) || r.ndim < 1 || r.ndim > 4)
            return QUELL_ERR_MODEL_FORMAT;
        r.count = 1;
        for (uint32_t d = 0; d < 4; d++) {
            r.dims[d] = quell_read_u32(h + QUELL_NAME_LEN + 8 + 4 * d);
            if (d >= r.ndim && r.dims[d] != 1)
                return QUELL_ERR_MODEL_FORMAT;
            /* the whole array must fit in the file, so bound the product early */
            if (r.dims[d] != 0 && r.count > (size / 4) / r.dims[d])
                return QUELL_ERR_MODEL_FORMAT;
            r.count *= r.dims[d];
        }
        pos += QUELL_ARRAY_HEADER_BYTES;
        if (r.count > (size - pos) / 4)
            return QUELL_ERR_MODEL_FORMAT;
        r.data = data + pos;
        pos += r.count * 4;
        int slot = quell_slot_of(name);
        if (slot < 0 || slots[slot].data != NULL)
            return QUELL_ERR_MODEL_FORMAT; /* unknown or duplicate name */
        slots[slot] = r;
    }
    return pos == size ? QUELL_OK : QUELL_ERR_MODEL_FORMAT; /* nothing may follow */
}

/* True when the array has this dtype and exactly this shape (unused dims ignored). */
static int quell_has_shape(const QuellRawArray *r, uint32_t dtype, uint32_t ndim, uint32_t d0,
                           uint32_t d1, uint32_t d2)
{
    const uint32_t want[3] = {d0, d1, d2};
    if (r->data == NULL || r->dtype != dtype || r->ndim != ndim)
        return 0;
    for (uint32_t d = 0; d < ndim; d++)
        if (r->dims[d] != want[d])
            return 0;
    return 1;
}

static int quell_all_finite(const QuellRawArray *r)
{
    for (size_t i = 0; i < r->count; i++)
        if (!isfinite(quell_read_f32(r->data + 4 * i)))
            return 0;
    return 1;
}

/* Copies W[o][i] (row-major, n_out x n_in) to dst[i * n_out + o]. */
static void quell_copy_transposed(float *dst, const unsigned char *src, size_t n_out, size_t n_in)
{
    for (size_t o = 0; o < n_out; o++)
        for (size_t i = 0; i < n_in; i++)
            dst[i * n_out + o] = quell_read_f32(src + 4 * (o * n_in + i));
}

static void quell_copy_plain(float *dst, const unsigned char *src, size_t count)
{
    for (size_t i = 0; i < count; i++)
        dst[i] = quell_read_f32(src + 4 * i);
}

/* Copies count floats to *p, advances *p past them and returns where they went. */
static const float *quell_take_plain(float **p, const unsigned char *src, size_t count)
{
    float *dst = *p;
    quell_copy_plain(dst, src, count);
    *p += count;
    return dst;
}

/* Copies W[o][i] (row-major, n_out x n_in) to the matvec kernels' layout. */
static void quell_copy_matvec(float *dst, const unsigned char *src, size_t n_out, size_t n_in)
{
    for (size_t o = 0; o < n_out; o++)
        for (size_t i = 0; i < n_in; i++)
            dst[quell_matvec_index(i, o, n_in, n_out)] = quell_read_f32(src + 4 * (o * n_in + i));
}

/* As quell_copy_matvec(), taking n_out * n_in floats from *p. */
static const float *quell_take_matvec(float **p, const unsigned char *src, size_t n_out,
                                      size_t n_in)
{
    float *dst = *p;
    quell_copy_matvec(dst, src, n_out, n_in);
    *p += n_out * n_in;
    return dst;
}

/* As quell_copy_transposed(), taking n_out * n_in floats from *p. */
static const float *quell_take_transposed(float **p, const unsigned char *src, size_t n_out,
                                          size_t n_in)
{
    float *dst = *p;
    quell_copy_transposed(dst, src, n_out, n_in);
    *p += n_out * n_in;
    return dst;
}

/* Checks config, shapes and values of the indexed arrays; fine[] = first band, count. */
static int quell_validate(const QuellRawArray *slots, uint32_t version, int cfg[5], int *dilations,
                          int fine[2])
{
    const QuellRawArray *c = &slots[QUELL_SLOT_CONFIG];
    if (!quell_has_shape(c, QUELL_DTYPE_I32, 1, 5, 0, 0))
        return QUELL_ERR_MODEL_FORMAT;
    for (int i = 0; i < 5; i++)
        cfg[i] = quell_read_i32(c->data + 4 * i);
    const int K = cfg[0], C = cfg[1], k_in = cfg[2], B = cfg[3], k = cfg[4];
    if (K < 1 || K > QUELL_MODEL_MAX_BANDS || C < 1 || C > QUELL_MODEL_MAX_CHANNELS || k_in < 1 ||
        k_in > QUELL_MODEL_MAX_KERNEL || k < 1 || k > QUELL_MODEL_MAX_KERNEL || B < 0 ||
        B > QUELL_MODEL_MAX_BLOCKS)
        return QUELL_ERR_MODEL_FORMAT;
    const uint32_t uK = (uint32_t)K, uC = (uint32_t)C;

    const QuellRawArray *d = &slots[QUELL_SLOT_DILATIONS];
    if (!quell_has_shape(d, QUELL_DTYPE_I32, 1, (uint32_t)B, 0, 0))
        return QUELL_ERR_MODEL_FORMAT;
    for (int i = 0; i < B; i++) {
        dilations[i] = quell_read_i32(d->data + 4 * i);
        if (dilations[i] < 1 || dilations[i] > QUELL_MODEL_MAX_DILATION)
            return QUELL_ERR_MODEL_FORMAT;
    }

    /* Flatness inputs: all four arrays in version 2, none in version 1. */
    fine[0] = fine[1] = 0;
    const QuellRawArray *fb = &slots[QUELL_SLOT_FINE_BANDS];
    if (version == QUELL_FORMAT_VERSION_FINE) {
        if (!quell_has_shape(fb, QUELL_DTYPE_I32, 1, 2, 0, 0))
            return QUELL_ERR_MODEL_FORMAT;
        fine[0] = quell_read_i32(fb->data);
        fine[1] = quell_read_i32(fb->data + 4);
        if (fine[0] < 0 || fine[1] < 1 || fine[0] >= K || fine[1] > K - fine[0])
            return QUELL_ERR_MODEL_FORMAT;
    } else {
        for (int s = QUELL_SLOT_FINE_BANDS; s <= QUELL_SLOT_IN_FINE_W; s++)
            if (slots[s].data != NULL)
                return QUELL_ERR_MODEL_FORMAT;
    }
    const uint32_t uF = (uint32_t)fine[1];

    /* Every float array: its dtype, shape and finite values. */
    struct {
        int slot;
        uint32_t ndim, d0, d1, d2;
    } want[QUELL_SLOT_COUNT];
    int n_want = 0;
#define QUELL_WANT(s, n, a, b, c_)                                                                 \
    do {                                                                                           \
        want[n_want].slot = (s);                                                                   \
        want[n_want].ndim = (n);                                                                   \
        want[n_want].d0 = (a);                                                                     \
        want[n_want].d1 = (b);                                                                     \
        want[n_want].d2 = (c_);                                                                    \
        n_want++;                                                                                  \
    } while (0)
    QUELL_WANT(QUELL_SLOT_CENTERS, 1, uK, 0, 0);
    QUELL_WANT(QUELL_SLOT_IN_MEAN, 1, uK, 0, 0);
    QUELL_WANT(QUELL_SLOT_IN_INV_STD, 1, uK, 0, 0);
    QUELL_WANT(QUELL_SLOT_IN_W, 3, uC, uK, (uint32_t)k_in);
    QUELL_WANT(QUELL_SLOT_IN_B, 1, uC, 0, 0);
    QUELL_WANT(QUELL_SLOT_OUT_W, 2, uK, uC, 0);
    QUELL_WANT(QUELL_SLOT_OUT_B, 1, uK, 0, 0);
    QUELL_WANT(QUELL_SLOT_VAD_W, 2, 1, uC, 0);
    QUELL_WANT(QUELL_SLOT_VAD_B, 1, 1, 0, 0);
    if (uF > 0) {
        QUELL_WANT(QUELL_SLOT_FINE_MEAN, 1, uF, 0, 0);
        QUELL_WANT(QUELL_SLOT_FINE_INV_STD, 1, uF, 0, 0);
        QUELL_WANT(QUELL_SLOT_IN_FINE_W, 2, uC, uF, 0);
    }
    for (int b = 0; b < B; b++) {
        int s = QUELL_SLOT_FIXED_COUNT + b * QUELL_BLOCK_ARRAYS;
        QUELL_WANT(s + QUELL_DW_W, 2, uC, (uint32_t)k, 0);
        QUELL_WANT(s + QUELL_DW_B, 1, uC, 0, 0);
        QUELL_WANT(s + QUELL_PW1_W, 2, uC, uC, 0);
        QUELL_WANT(s + QUELL_PW1_B, 1, uC, 0, 0);
        QUELL_WANT(s + QUELL_PW2_W, 2, uC, uC, 0);
        QUELL_WANT(s + QUELL_PW2_B, 1, uC, 0, 0);
    }
#undef QUELL_WANT
    for (int i = 0; i < n_want; i++) {
        const QuellRawArray *r = &slots[want[i].slot];
        if (!quell_has_shape(r, QUELL_DTYPE_F32, want[i].ndim, want[i].d0, want[i].d1, want[i].d2))
            return QUELL_ERR_MODEL_FORMAT;
        if (!quell_all_finite(r))
            return QUELL_ERR_MODEL_FORMAT;
    }
    /* Arrays of blocks beyond B are names the model does not have. */
    for (int b = B; b < QUELL_MODEL_MAX_BLOCKS; b++)
        for (int a = 0; a < QUELL_BLOCK_ARRAYS; a++)
            if (slots[QUELL_SLOT_FIXED_COUNT + b * QUELL_BLOCK_ARRAYS + a].data != NULL)
                return QUELL_ERR_MODEL_FORMAT;

    /* Band centres: c_0 = 0 < c_1 < ... <= 96 kHz. */
    const unsigned char *cz = slots[QUELL_SLOT_CENTERS].data;
    float prev = quell_read_f32(cz);
    if (prev != 0.0f)
        return QUELL_ERR_MODEL_FORMAT;
    for (int i = 1; i < K; i++) {
        float f = quell_read_f32(cz + 4 * i);
        if (!(f > prev) || f > QUELL_MODEL_MAX_HZ)
            return QUELL_ERR_MODEL_FORMAT;
        prev = f;
    }
    return QUELL_OK;
}

int quell_model_parse(const unsigned char *data, size_t size, QuellModel **out)
{
    *out = NULL;
    /* ~12 KB of slot table: too much for an audio thread's stack, fine here. */
    QuellRawArray slots[QUELL_SLOT_COUNT];
    memset(slots, 0, sizeof slots);
    uint32_t version = 0;
    int err = quell_index_arrays(data, size, slots, &version);
    if (err != QUELL_OK)
        return err;
    int cfg[5];
    int dil[QUELL_MODEL_MAX_BLOCKS];
    int fine[2];
    err = quell_validate(slots, version, cfg, dil, fine);
    if (err != QUELL_OK)
        return err;

    const size_t K = (size_t)cfg[0], C = (size_t)cfg[1], k_in = (size_t)cfg[2];
    const size_t B = (size_t)cfg[3], k = (size_t)cfg[4], F = (size_t)fine[1];
    const size_t per_block = C * k + C + 2 * (C * C + C);
    const size_t n_floats = 3 * K + 2 * F + C * (K * k_in + F) + C + B * per_block + K * C + K + C;

    QuellModel *m = quell_calloc(1, sizeof *m);
    if (m == NULL)
        return QUELL_ERR_NO_MEMORY;
    m->arena = quell_calloc(n_floats, sizeof(float));
    if (m->arena == NULL) {
        quell_free(m);
        return QUELL_ERR_NO_MEMORY;
    }
    m->n_bands = cfg[0];
    m->n_channels = cfg[1];
    m->k_in = cfg[2];
    m->n_blocks = cfg[3];
    m->k = cfg[4];

    float *p = m->arena;
    m->band_centers_hz = quell_take_plain(&p, slots[QUELL_SLOT_CENTERS].data, K);
    m->input_mean = quell_take_plain(&p, slots[QUELL_SLOT_IN_MEAN].data, K);
    m->input_inv_std = quell_take_plain(&p, slots[QUELL_SLOT_IN_INV_STD].data, K);
    m->fine_first = fine[0];
    m->n_fine = fine[1];
    if (F > 0) {
        m->fine_mean = quell_take_plain(&p, slots[QUELL_SLOT_FINE_MEAN].data, F);
        m->fine_inv_std = quell_take_plain(&p, slots[QUELL_SLOT_FINE_INV_STD].data, F);
    }
    /* in.weight [C][K][k_in] -> input (j * K + i), output c, matching the network's
     * input history laid out oldest tap first; in_fine.weight [C][F] -> inputs
     * k_in * K + f, after the history's taps */
    const unsigned char *src = slots[QUELL_SLOT_IN_W].data;
    const size_t n_in = K * k_in + F;
    for (size_t c = 0; c < C; c++) {
        for (size_t i = 0; i < K; i++)
            for (size_t j = 0; j < k_in; j++)
                p[quell_matvec_index(j * K + i, c, n_in, C)] =
                    quell_read_f32(src + 4 * ((c * K + i) * k_in + j));
        for (size_t f = 0; f < F; f++)
            p[quell_matvec_index(k_in * K + f, c, n_in, C)] =
                quell_read_f32(slots[QUELL_SLOT_IN_FINE_W].data + 4 * (c * F + f));
    }
    m->in_w = p;
    p += C * (K * k_in + F);
    m->in_b = quell_take_plain(&p, slots[QUELL_SLOT_IN_B].data, C);
    for (size_t b = 0; b < B; b++) {
        const QuellRawArray *s = &slots[QUELL_SLOT_FIXED_COUNT + b * QUELL_BLOCK_ARRAYS];
        QuellBlock *blk = &m->blocks[b];
        blk->dilation = dil[b];
        blk->dw_w = quell_take_transposed(&p, s[QUELL_DW_W].data, C, k); /* [C][k] -> [k][C] */
        blk->dw_b = quell_take_plain(&p, s[QUELL_DW_B].data, C);
        blk->pw1_w = quell_take_matvec(&p, s[QUELL_PW1_W].data, C, C);
        blk->pw1_b = quell_take_plain(&p, s[QUELL_PW1_B].data, C);
        blk->pw2_w = quell_take_matvec(&p, s[QUELL_PW2_W].data, C, C);
        blk->pw2_b = quell_take_plain(&p, s[QUELL_PW2_B].data, C);
    }
    m->out_w = quell_take_matvec(&p, slots[QUELL_SLOT_OUT_W].data, K, C);
    m->out_b = quell_take_plain(&p, slots[QUELL_SLOT_OUT_B].data, K);
    m->vad_w = quell_take_plain(&p, slots[QUELL_SLOT_VAD_W].data, C);
    m->vad_b = quell_read_f32(slots[QUELL_SLOT_VAD_B].data);

    m->n_params = C * (K * k_in + F) + C + B * per_block + K * C + K + C + 1;
    m->macs_per_frame = C * (K * k_in + F) + B * (C * k + 2 * C * C) + K * C + C;
    *out = m;
    return QUELL_OK;
}

static QuellModel *quell_model_finish(int err, QuellModel *m, int *err_out)
{
    if (err_out != NULL)
        *err_out = err;
    return m;
}

QUELL_API QuellModel *quell_model_new_default(int *err)
{
    QuellModel *m;
    int e = quell_model_parse(quell_default_model_data, quell_default_model_size, &m);
    return quell_model_finish(e, m, err);
}

QUELL_API QuellModel *quell_model_new_from_buffer(const void *data, size_t size, int *err)
{
    QuellModel *m = NULL;
    int e = data == NULL ? QUELL_ERR_INVALID_ARG : quell_model_parse(data, size, &m);
    return quell_model_finish(e, m, err);
}

/* Reads a whole model file; its size comes from the header, which must match the file. */
static int quell_read_model_file(const char *path, QuellModel **out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return QUELL_ERR_MODEL_IO;
    unsigned char head[QUELL_MODEL_HEADER_BYTES];
    size_t got = fread(head, 1, sizeof head, f);
    int err = QUELL_OK;
    unsigned char *buf = NULL;
    uint32_t size = 0;
    if (ferror(f))
        err = QUELL_ERR_MODEL_IO; /* e.g. a directory */
    else if (got < sizeof head)
        err = got >= 12 && memcmp(head, QUELL_MAGIC, 8) == 0 &&
                      !quell_version_known(quell_read_u32(head + 8))
                  ? QUELL_ERR_MODEL_VERSION
                  : QUELL_ERR_MODEL_FORMAT;
    else if (memcmp(head, QUELL_MAGIC, 8) != 0)
        err = QUELL_ERR_MODEL_FORMAT;
    else if (!quell_version_known(quell_read_u32(head + 8)))
        err = QUELL_ERR_MODEL_VERSION;
    else {
        size = quell_read_u32(head + 16);
        if (size < QUELL_MODEL_HEADER_BYTES || size > QUELL_MODEL_MAX_BYTES)
            err = QUELL_ERR_MODEL_FORMAT;
    }
    if (err == QUELL_OK) {
        buf = quell_calloc(size, 1);
        if (buf == NULL)
            err = QUELL_ERR_NO_MEMORY;
    }
    if (err == QUELL_OK) {
        memcpy(buf, head, sizeof head);
        size_t rest = size - QUELL_MODEL_HEADER_BYTES;
        got = fread(buf + QUELL_MODEL_HEADER_BYTES, 1, rest, f);
        int extra = got == rest ? fgetc(f) : EOF; /* anything after the declared size? */
        if (ferror(f))
            err = QUELL_ERR_MODEL_IO;
        else if (got != rest || extra != EOF)
            err = QUELL_ERR_MODEL_FORMAT; /* truncated or trailing bytes */
    }
    fclose(f);
    if (err == QUELL_OK)
        err = quell_model_parse(buf, size, out);
    quell_free(buf);
    return err;
}

QUELL_API QuellModel *quell_model_new_from_file(const char *path, int *err)
{
    QuellModel *m = NULL;
    int e = path == NULL ? QUELL_ERR_INVALID_ARG : quell_read_model_file(path, &m);
    return quell_model_finish(e, m, err);
}

QUELL_API void quell_model_free(QuellModel *model)
{
    if (model == NULL)
        return;
    quell_free(model->arena);
    quell_free(model);
}
