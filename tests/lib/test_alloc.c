/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory: (1) quell_process(), the setters, getters and quell_reset() never
 * allocate (the library's allocator counter stays unchanged over thousands of
 * calls); (2) making each allocation of model loading and state creation fail
 * in turn gives QUELL_ERR_NO_MEMORY and frees everything taken so far
 * (AddressSanitizer / valgrind report any leak). Where possible (glibc, no
 * AddressSanitizer) malloc itself is wrapped too, so that an allocation by
 * KISS FFT or libc inside quell_process() would also be caught.
 */
#include <string.h>

#include "alloc.h"
#include "quell.h"
#include "test_util.h"

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
/* The executable's malloc family overrides libc's for every library in the
 * process; these forward to glibc's own entry points and count calls. */
#define COUNT_SYSTEM_MALLOC 1
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);
static unsigned long system_allocs;
void *malloc(size_t size)
{
    system_allocs++;
    return __libc_malloc(size);
}
void *calloc(size_t count, size_t size)
{
    system_allocs++;
    return __libc_calloc(count, size);
}
void *realloc(void *ptr, size_t size)
{
    system_allocs++;
    return __libc_realloc(ptr, size);
}
void free(void *ptr)
{
    __libc_free(ptr);
}
#endif

static char model_path[4096];
static char fine_model_path[4096]; /* a model with flatness inputs (format version 2) */
static unsigned char *model_bytes;
static size_t model_size;

static void load_model_bytes(void)
{
    const char *root = getenv("QUELL_SOURCE_ROOT");
    snprintf(model_path, sizeof model_path, "%s/models/default.qmodel", root ? root : ".");
    snprintf(fine_model_path, sizeof fine_model_path, "%s/tests/data/parity_fine/model.qmodel",
             root ? root : ".");
    FILE *f = fopen(model_path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", model_path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    model_size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    model_bytes = malloc(model_size);
    if (model_bytes == NULL || fread(model_bytes, 1, model_size, f) != model_size) {
        fprintf(stderr, "cannot read %s\n", model_path);
        exit(1);
    }
    fclose(f);
}

static void test_no_allocation_in_process(const QuellModel *model)
{
    const int rate = 44100, ch = 2;
    const size_t frames = (size_t)rate * 3;
    float *in = test_signal(frames, ch, rate, 5);
    float *out = malloc(frames * (size_t)ch * sizeof(float));
    QuellState *st = quell_create(model, rate, ch, NULL);
    const unsigned long before = quell_alloc_test_count();
#ifdef COUNT_SYSTEM_MALLOC
    const unsigned long sys_before = system_allocs;
    CHECK(sys_before > 0, "the malloc wrapper saw no call: it does not work here");
#endif
    uint64_t s = 42;
    size_t done = 0;
    unsigned long calls = 0;
    while (done < frames) {
        size_t n = (size_t)(test_rand(&s) % 700u);
        if (n > frames - done)
            n = frames - done;
        quell_process(st, in + done * (size_t)ch, out + done * (size_t)ch, n);
        done += n;
        calls++;
        if (calls % 50 == 0) {
            quell_set_attenuation_limit_db(st, (float)(calls % 100));
            quell_set_bypass(st, (int)(calls / 50 % 2));
            (void)quell_get_speech_probability(st);
            (void)quell_get_noise_reduction_db(st);
        }
        if (calls % 400 == 0)
            quell_reset(st);
    }
    const unsigned long after = quell_alloc_test_count();
#ifdef COUNT_SYSTEM_MALLOC
    const unsigned long sys_after = system_allocs;
    printf("%lu process calls: %lu malloc family calls\n", calls, sys_after - sys_before);
    CHECK(sys_after == sys_before, "malloc called %lu times while processing",
          sys_after - sys_before);
#else
    printf("malloc not wrapped here (AddressSanitizer or not glibc)\n");
#endif
    printf("%lu process calls: %lu allocations\n", calls, after - before);
    CHECK(after == before, "quell_process & co allocated %lu times", after - before);
    quell_destroy(st);
    free(in);
    free(out);
}

/* Which constructor to run with the n-th allocation failing. */
enum {
    CREATE_DEFAULT,
    CREATE_SHARED,
    CREATE_FINE,
    MODEL_DEFAULT,
    MODEL_FILE,
    MODEL_FINE_FILE,
    MODEL_BUFFER,
    N_KINDS
};
static const char *const kind_names[N_KINDS] = {
    "quell_create(NULL)",          "quell_create(model)",       "quell_create(fine model)",
    "quell_model_new_default",     "quell_model_new_from_file", "new_from_file(fine model)",
    "quell_model_new_from_buffer",
};

/* Returns non-NULL on success; frees what it made. */
static int try_kind(int kind, const QuellModel *shared, const QuellModel *fine, int *err)
{
    void *obj = NULL;
    switch (kind) {
    case CREATE_FINE:
        obj = quell_create(fine, 22050, 3, err);
        quell_destroy(obj);
        break;
    case MODEL_FINE_FILE:
        obj = quell_model_new_from_file(fine_model_path, err);
        quell_model_free(obj);
        break;
    case CREATE_DEFAULT:
        obj = quell_create(NULL, 48000, 2, err);
        quell_destroy(obj);
        break;
    case CREATE_SHARED:
        obj = quell_create(shared, 96000, 8, err);
        quell_destroy(obj);
        break;
    case MODEL_DEFAULT:
        obj = quell_model_new_default(err);
        quell_model_free(obj);
        break;
    case MODEL_FILE:
        obj = quell_model_new_from_file(model_path, err);
        quell_model_free(obj);
        break;
    default:
        obj = quell_model_new_from_buffer(model_bytes, model_size, err);
        quell_model_free(obj);
        break;
    }
    return obj != NULL;
}

static void test_allocation_failures(void)
{
    QuellModel *shared = quell_model_new_default(NULL);
    QuellModel *fine = quell_model_new_from_file(fine_model_path, NULL);
    CHECK(fine != NULL, "cannot load %s", fine_model_path);
    for (int kind = 0; kind < N_KINDS; kind++) {
        /* count the allocations of a successful call, then fail each in turn */
        int err = 1;
        unsigned long c0 = quell_alloc_test_count();
        CHECK(try_kind(kind, shared, fine, &err) && err == QUELL_OK, "%s fails without injection",
              kind_names[kind]);
        unsigned long total = quell_alloc_test_count() - c0;
        CHECK(total > 0, "%s: no allocation seen", kind_names[kind]);
        for (unsigned long n = 1; n <= total; n++) {
            err = 1;
            quell_alloc_test_fail_after(n);
            int ok = try_kind(kind, shared, fine, &err);
            quell_alloc_test_fail_after(0);
            CHECK(!ok && err == QUELL_ERR_NO_MEMORY, "%s with allocation %lu failing: ok=%d err=%d",
                  kind_names[kind], n, ok, err);
        }
        /* one past the last allocation: the call succeeds again */
        quell_alloc_test_fail_after(total + 1);
        err = 1;
        CHECK(try_kind(kind, shared, fine, &err) && err == QUELL_OK, "%s after injection",
              kind_names[kind]);
        quell_alloc_test_fail_after(0);
        printf("%-28s %2lu allocations, each failure handled\n", kind_names[kind], total);
    }
    quell_model_free(shared);
    quell_model_free(fine);
}

int main(void)
{
    load_model_bytes();
    test_no_allocation_in_process(NULL);
    QuellModel *fine = quell_model_new_from_file(fine_model_path, NULL);
    CHECK(fine != NULL, "cannot load %s", fine_model_path);
    if (fine != NULL)
        test_no_allocation_in_process(fine);
    quell_model_free(fine);
    test_allocation_failures();
    free(model_bytes);
    return test_finish("test_alloc");
}
