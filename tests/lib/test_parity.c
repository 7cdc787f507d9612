/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parity with the reference implementation: for each case <rate>_<ch>ch of a
 * parity folder (model.qmodel, <case>_in.f32, <case>_out.f32, raw
 * little-endian float32 interleaved), quell_process() over the whole input
 * with an attenuation limit of 100 dB and no bypass must give the expected
 * output within max |diff| <= 1e-4 max |expected|.
 * Usage: test_parity [DIR] (default $QUELL_SOURCE_ROOT/tests/data/parity).
 * Exits 77 (skip) when DIR has no model.qmodel.
 */
#include <stdint.h>
#include <string.h>

#include "quell.h"
#include "test_util.h"

#define REL_TOL 1e-4

/* Reads a raw float32 LE file; returns NULL if it does not exist. */
static float *read_f32(const char *path, size_t *count)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n < 0 || n % 4 != 0) {
        fclose(f);
        *count = 0;
        return NULL;
    }
    unsigned char *raw = malloc((size_t)n + 4);
    float *v = malloc((size_t)n + 4);
    if (!raw || !v || fread(raw, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    *count = (size_t)n / 4;
    for (size_t i = 0; i < *count; i++) {
        const unsigned char *p = raw + 4 * i;
        uint32_t u =
            (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        memcpy(&v[i], &u, 4);
    }
    free(raw);
    return v;
}

static int run_case(const QuellModel *model, const char *dir, int rate, int ch)
{
    char in_path[4200], out_path[4200];
    snprintf(in_path, sizeof in_path, "%s/%d_%dch_in.f32", dir, rate, ch);
    snprintf(out_path, sizeof out_path, "%s/%d_%dch_out.f32", dir, rate, ch);
    size_t n_in = 0, n_out = 0;
    float *in = read_f32(in_path, &n_in);
    float *want = read_f32(out_path, &n_out);
    if (in == NULL && want == NULL) {
        printf("%d_%dch: no vectors, skipped\n", rate, ch);
        return 0;
    }
    CHECK(in != NULL && want != NULL && n_in == n_out && n_in % (size_t)ch == 0,
          "%d_%dch: input/expected files missing or of different sizes", rate, ch);
    if (in == NULL || want == NULL || n_in != n_out || n_in % (size_t)ch != 0) {
        free(in);
        free(want);
        return 1;
    }
    int err = 0;
    QuellState *st = quell_create(model, rate, ch, &err);
    CHECK(st != NULL, "create: %s", quell_strerror(err));
    if (st == NULL)
        return 1;
    quell_set_attenuation_limit_db(st, 100.0f);
    float *got = malloc(n_in * sizeof(float));
    quell_process(st, in, got, n_in / (size_t)ch);
    double peak = 0.0, max_diff = 0.0, e_sig = 0.0, e_err = 0.0;
    size_t worst = 0;
    for (size_t i = 0; i < n_in; i++) {
        double d = fabs((double)got[i] - (double)want[i]);
        if (fabs((double)want[i]) > peak)
            peak = fabs((double)want[i]);
        if (!(d <= max_diff)) {
            max_diff = d;
            worst = i;
        }
        e_sig += (double)want[i] * (double)want[i];
        e_err += d * d;
    }
    printf("%d_%dch: %zu frames, max |diff| %.3g (%.3g of peak %.3g, at frame %zu), SNR %.1f dB\n",
           rate, ch, n_in / (size_t)ch, max_diff, max_diff / (peak + 1e-30), peak,
           worst / (size_t)ch, 10.0 * log10(e_sig / (e_err + 1e-300)));
    CHECK(peak > 0.0, "%d_%dch: expected output is silent", rate, ch);
    CHECK(max_diff <= REL_TOL * peak, "%d_%dch: max |diff| %.3g > %.1e x peak %.3g", rate, ch,
          max_diff, REL_TOL, peak);
    quell_destroy(st);
    free(got);
    free(in);
    free(want);
    return 1;
}

int main(int argc, char **argv)
{
    char dir[4096];
    if (argc > 1)
        snprintf(dir, sizeof dir, "%s", argv[1]);
    else {
        const char *root = getenv("QUELL_SOURCE_ROOT");
        snprintf(dir, sizeof dir, "%s/tests/data/parity", root ? root : ".");
    }
    char model_path[4200];
    snprintf(model_path, sizeof model_path, "%s/model.qmodel", dir);
    FILE *probe = fopen(model_path, "rb");
    if (probe == NULL) {
        printf("SKIP: no parity vectors (%s missing); tools/train/make_parity.py makes them\n",
               model_path);
        return 77;
    }
    fclose(probe);
    int err = 0;
    QuellModel *model = quell_model_new_from_file(model_path, &err);
    CHECK(model != NULL, "%s: %s", model_path, quell_strerror(err));
    if (model == NULL)
        return test_finish("test_parity");
    static const int cases[][2] = {{16000, 1}, {44100, 1}, {48000, 2}};
    int ran = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ran += run_case(model, dir, cases[i][0], cases[i][1]);
    CHECK(ran > 0, "no parity case found in %s", dir);
    quell_model_free(model);
    return test_finish("test_parity");
}
