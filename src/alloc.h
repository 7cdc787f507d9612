/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one allocator of the library. Every allocation (KISS FFT plans included)
 * goes through here, so that tests can count calls and make one of them fail.
 */
#ifndef QUELL_ALLOC_H
#define QUELL_ALLOC_H

#include <stddef.h>

/* Zero-filled array of count * size bytes; NULL on overflow or failure. */
void *quell_calloc(size_t count, size_t size);
/* Free memory from quell_calloc(); NULL is ignored. */
void quell_free(void *ptr);

/* Test hooks (not exported from the shared library). */
/* Number of quell_calloc() calls since the program started (failed ones included). */
unsigned long quell_alloc_test_count(void);
/* Make the n-th quell_calloc() call from now fail (1 = the next one); 0 disarms. */
void quell_alloc_test_fail_after(unsigned long n);

#endif /* QUELL_ALLOC_H */
