/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counts heap allocations made anywhere in the process, plugins included
 * (the test program's malloc family takes precedence over libc's for every
 * loaded object). Off under AddressSanitizer, which owns malloc.
 */
#ifndef QUELL_TEST_HOST_ALLOC_H
#define QUELL_TEST_HOST_ALLOC_H

/** Allocations (malloc, calloc, realloc, aligned) so far. */
long quell_test_alloc_count(void);

/** Non-zero when allocations are counted. */
int quell_test_alloc_counting(void);

#endif
