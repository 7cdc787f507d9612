/* SPDX-License-Identifier: BSD-3-Clause */
#include "model_blob.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *tb_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

uint32_t tb_crc32(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static uint32_t tb_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void tb_put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

int tb_parse(TbModel *m, const unsigned char *blob, size_t size)
{
    memset(m, 0, sizeof *m);
    if (size < 24)
        return -1;
    uint32_t n = tb_u32(blob + 12);
    size_t pos = 24;
    for (uint32_t i = 0; i < n && i < TB_MAX_ARRAYS; i++) {
        if (size - pos < 56)
            return -1;
        TbArray *a = &m->a[m->n++];
        memcpy(a->name, blob + pos, 32);
        a->dtype = tb_u32(blob + pos + 32);
        a->ndim = tb_u32(blob + pos + 36);
        size_t count = 1;
        for (int d = 0; d < 4; d++) {
            a->dims[d] = tb_u32(blob + pos + 40 + 4 * d);
            count *= a->dims[d];
        }
        pos += 56;
        a->bytes = count * 4;
        if (a->bytes > size - pos)
            return -1;
        a->data = tb_xmalloc(a->bytes);
        memcpy(a->data, blob + pos, a->bytes);
        pos += a->bytes;
    }
    return 0;
}

unsigned char *tb_write(const TbModel *m, size_t *size)
{
    size_t total = 24;
    for (int i = 0; i < m->n; i++)
        total += 56 + m->a[i].bytes;
    unsigned char *b = tb_xmalloc(total);
    memcpy(b, "QUELLMDL", 8);
    tb_put_u32(b + 8, tb_find(m, "fine_bands") >= 0 ? 2u : 1u);
    tb_put_u32(b + 12, (uint32_t)m->n);
    tb_put_u32(b + 16, (uint32_t)total);
    size_t pos = 24;
    for (int i = 0; i < m->n; i++) {
        const TbArray *a = &m->a[i];
        memcpy(b + pos, a->name, 32);
        tb_put_u32(b + pos + 32, a->dtype);
        tb_put_u32(b + pos + 36, a->ndim);
        for (int d = 0; d < 4; d++)
            tb_put_u32(b + pos + 40 + 4 * d, a->dims[d]);
        pos += 56;
        if (a->bytes)
            memcpy(b + pos, a->data, a->bytes);
        pos += a->bytes;
    }
    tb_put_u32(b + 20, tb_crc32(b + 24, total - 24));
    *size = total;
    return b;
}

int tb_add(TbModel *m, const char *name, uint32_t dtype, uint32_t ndim, const uint32_t *dims,
           const void *data, size_t bytes)
{
    TbArray *a = &m->a[m->n];
    memset(a, 0, sizeof *a);
    strncpy((char *)a->name, name, 32);
    a->dtype = dtype;
    a->ndim = ndim;
    for (int d = 0; d < 4; d++)
        a->dims[d] = d < (int)ndim ? dims[d] : 1;
    a->bytes = bytes;
    a->data = tb_xmalloc(bytes);
    if (bytes)
        memcpy(a->data, data, bytes);
    return m->n++;
}

void tb_remove(TbModel *m, int index)
{
    free(m->a[index].data);
    memmove(&m->a[index], &m->a[index + 1], (size_t)(m->n - index - 1) * sizeof(TbArray));
    m->n--;
}

void tb_free(TbModel *m)
{
    for (int i = 0; i < m->n; i++)
        free(m->a[i].data);
    m->n = 0;
}

void tb_copy(TbModel *dst, const TbModel *src)
{
    memcpy(dst, src, sizeof *dst);
    for (int i = 0; i < src->n; i++) {
        dst->a[i].data = tb_xmalloc(src->a[i].bytes);
        if (src->a[i].bytes)
            memcpy(dst->a[i].data, src->a[i].data, src->a[i].bytes);
    }
}

int tb_find(const TbModel *m, const char *name)
{
    for (int i = 0; i < m->n; i++)
        if (strncmp((const char *)m->a[i].name, name, 32) == 0)
            return i;
    return -1;
}

void tb_set_f32(TbArray *a, size_t i, float v)
{
    memcpy(a->data + 4 * i, &v, 4);
}

void tb_set_i32(TbArray *a, size_t i, int32_t v)
{
    tb_put_u32(a->data + 4 * i, (uint32_t)v);
}

static float tb_randn(uint64_t *s)
{
    /* sum of 4 uniforms: roughly normal, variance 1/3 */
    float v = 0.0f;
    for (int i = 0; i < 4; i++) {
        *s = *s * 6364136223846793005ull + 1442695040888963407ull;
        v += (float)((double)(*s >> 11) / 9007199254740992.0 - 0.5);
    }
    return v * 1.7f;
}

static void tb_add_random(TbModel *m, const char *name, uint32_t ndim, const uint32_t *dims,
                          float scale, float offset, uint64_t *s)
{
    size_t count = 1;
    for (uint32_t d = 0; d < ndim; d++)
        count *= dims[d];
    float *w = tb_xmalloc(count * 4);
    for (size_t i = 0; i < count; i++)
        w[i] = offset + scale * tb_randn(s);
    tb_add(m, name, 1, ndim, dims, w, count * 4);
    free(w);
}

void tb_random(TbModel *m, int K, int C, int k_in, int B, int k, const int *dilations,
               uint64_t seed)
{
    memset(m, 0, sizeof *m);
    uint64_t s = seed;
    const uint32_t uK = (uint32_t)K, uC = (uint32_t)C;
    int32_t cfg[5] = {K, C, k_in, B, k};
    uint32_t d5 = 5, dB = (uint32_t)B;
    tb_add(m, "config", 2, 1, &d5, cfg, sizeof cfg);
    tb_add(m, "dilations", 2, 1, &dB, dilations, (size_t)B * 4);
    float *centers = tb_xmalloc((size_t)K * 4);
    for (int i = 0; i < K; i++)
        centers[i] = i == 0 ? 0.0f : (float)(100.0 * pow(240.0, (i - 1) / (K > 2 ? K - 2.0 : 1.0)));
    tb_add(m, "band_centers_hz", 1, 1, &uK, centers, (size_t)K * 4);
    free(centers);
    tb_add_random(m, "input_mean", 1, &uK, 0.5f, -6.0f, &s);
    tb_add_random(m, "input_inv_std", 1, &uK, 0.0f, 0.5f, &s);
    float fan = 1.0f / sqrtf((float)(K * k_in));
    tb_add_random(m, "in.weight", 3, (uint32_t[]){uC, uK, (uint32_t)k_in}, fan, 0.0f, &s);
    tb_add_random(m, "in.bias", 1, &uC, 0.1f, 0.0f, &s);
    char name[32];
    for (int b = 0; b < B; b++) {
        snprintf(name, sizeof name, "blk%d.dw.weight", b);
        tb_add_random(m, name, 2, (uint32_t[]){uC, (uint32_t)k}, 0.5f, 0.0f, &s);
        snprintf(name, sizeof name, "blk%d.dw.bias", b);
        tb_add_random(m, name, 1, &uC, 0.1f, 0.0f, &s);
        snprintf(name, sizeof name, "blk%d.pw1.weight", b);
        tb_add_random(m, name, 2, (uint32_t[]){uC, uC}, 1.0f / sqrtf((float)C), 0.0f, &s);
        snprintf(name, sizeof name, "blk%d.pw1.bias", b);
        tb_add_random(m, name, 1, &uC, 0.1f, 0.0f, &s);
        snprintf(name, sizeof name, "blk%d.pw2.weight", b);
        tb_add_random(m, name, 2, (uint32_t[]){uC, uC}, 0.5f / sqrtf((float)C), 0.0f, &s);
        snprintf(name, sizeof name, "blk%d.pw2.bias", b);
        tb_add_random(m, name, 1, &uC, 0.1f, 0.0f, &s);
    }
    tb_add_random(m, "out.weight", 2, (uint32_t[]){uK, uC}, 1.0f / sqrtf((float)C), 0.0f, &s);
    tb_add_random(m, "out.bias", 1, &uK, 0.1f, 0.0f, &s);
    tb_add_random(m, "vad.weight", 2, (uint32_t[]){1, uC}, 1.0f / sqrtf((float)C), 0.0f, &s);
    tb_add_random(m, "vad.bias", 1, (uint32_t[]){1}, 0.1f, 0.0f, &s);
}

unsigned char *tb_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = tb_xmalloc((size_t)n);
    if (n < 0 || fread(b, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    *size = (size_t)n;
    return b;
}

char *tb_temp_file(const unsigned char *data, size_t size)
{
    char *path = tb_xmalloc(64);
    snprintf(path, 64, "/tmp/quell_test_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        fprintf(stderr, "mkstemp failed\n");
        exit(1);
    }
    if (size && write(fd, data, size) != (ssize_t)size) {
        fprintf(stderr, "write failed\n");
        exit(1);
    }
    close(fd);
    return path;
}

void tb_add_fine(TbModel *m, int first, int count, uint64_t seed)
{
    uint64_t s = seed;
    const int C = (int)tb_u32(m->a[tb_find(m, "config")].data + 4);
    const int32_t fb[2] = {first, count};
    const uint32_t d2 = 2, uF = (uint32_t)count, dw[2] = {(uint32_t)C, (uint32_t)count};
    tb_add(m, "fine_bands", 2, 1, &d2, fb, sizeof fb);
    tb_add_random(m, "fine_mean", 1, &uF, 0.05f, -0.3f, &s);
    tb_add_random(m, "fine_inv_std", 1, &uF, 0.5f, 5.0f, &s);
    tb_add_random(m, "in_fine.weight", 2, dw, 0.3f, 0.0f, &s);
}
