/* SPDX-License-Identifier: BSD-3-Clause */
#include "alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

/* Atomics: states may be created in several threads at once (plugin hosts). */
static atomic_ulong quell_alloc_calls;
static atomic_ulong quell_alloc_fail_at; /* call number that fails; 0 = none */

void *quell_calloc(size_t count, size_t size)
{
    unsigned long call = atomic_fetch_add_explicit(&quell_alloc_calls, 1, memory_order_relaxed) + 1;
    unsigned long fail = atomic_load_explicit(&quell_alloc_fail_at, memory_order_relaxed);
    if (fail != 0 && call == fail)
        return NULL;
    if (count == 0 || size == 0)
        count = size = 1; /* a unique pointer, never NULL on success */
    if (count > SIZE_MAX / size)
        return NULL;
    return calloc(count, size);
}

void quell_free(void *ptr)
{
    free(ptr);
}

unsigned long quell_alloc_test_count(void)
{
    return atomic_load_explicit(&quell_alloc_calls, memory_order_relaxed);
}

void quell_alloc_test_fail_after(unsigned long n)
{
    unsigned long now = atomic_load_explicit(&quell_alloc_calls, memory_order_relaxed);
    atomic_store_explicit(&quell_alloc_fail_at, n == 0 ? 0 : now + n, memory_order_relaxed);
}
