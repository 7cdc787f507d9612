/* SPDX-License-Identifier: BSD-3-Clause */
/* Counting wrappers over glibc's allocator; see host_alloc.h. */
#include "host_alloc.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h> /* also tells whether this is glibc */

#if defined(__SANITIZE_ADDRESS__)
#define QUELL_TEST_COUNT_ALLOCS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define QUELL_TEST_COUNT_ALLOCS 0
#endif
#endif
#ifndef QUELL_TEST_COUNT_ALLOCS
#if defined(__GLIBC__)
#define QUELL_TEST_COUNT_ALLOCS 1
#else
#define QUELL_TEST_COUNT_ALLOCS 0
#endif
#endif

static atomic_long quell_test_allocs;

#if QUELL_TEST_COUNT_ALLOCS
/* glibc's own entry points, which its public malloc family forwards to. */
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *ptr);

void *malloc(size_t size)
{
    atomic_fetch_add(&quell_test_allocs, 1);
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
    atomic_fetch_add(&quell_test_allocs, 1);
    return __libc_calloc(count, size);
}

void *realloc(void *ptr, size_t size)
{
    atomic_fetch_add(&quell_test_allocs, 1);
    return __libc_realloc(ptr, size);
}

void *aligned_alloc(size_t alignment, size_t size)
{
    atomic_fetch_add(&quell_test_allocs, 1);
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    atomic_fetch_add(&quell_test_allocs, 1);
    void *p = __libc_memalign(alignment, size);
    if (!p)
        return 12; /* ENOMEM */
    *out = p;
    return 0;
}

void free(void *ptr)
{
    __libc_free(ptr);
}
#endif

long quell_test_alloc_count(void)
{
    return atomic_load(&quell_test_allocs);
}

int quell_test_alloc_counting(void)
{
    return QUELL_TEST_COUNT_ALLOCS;
}
