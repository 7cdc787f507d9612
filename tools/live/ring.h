/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ring.h
 * @brief Lock-free single-producer/single-consumer ring of float samples.
 *
 * The audio callback is the only producer and the recorder thread the only
 * consumer. Positions are free-running counters published with C11
 * release/acquire atomics, so neither side ever waits for the other.
 */
#ifndef LIVE_RING_H
#define LIVE_RING_H

#include <stdatomic.h>
#include <stddef.h>

/** A ring of floats; capacity is a power of two. */
typedef struct LiveRing {
    float *data;
    size_t capacity;    /**< in samples, a power of two */
    size_t mask;        /**< capacity - 1 */
    atomic_size_t head; /**< samples ever written; stored by the producer only */
    atomic_size_t tail; /**< samples ever read; stored by the consumer only */
} LiveRing;

/**
 * Allocate a ring holding at least @p min_samples samples.
 * @return 0, or -1 when out of memory or @p min_samples is 0. [NonRT]
 */
int live_ring_init(LiveRing *ring, size_t min_samples);

/** Free the ring's memory. [NonRT] */
void live_ring_free(LiveRing *ring);

/**
 * Append @p n samples, all or none, so that frames never get split.
 * Producer side only.
 * @return @p n, or 0 when there is not enough room. [RT]
 */
size_t live_ring_write(LiveRing *ring, const float *src, size_t n);

/**
 * Take up to @p max samples, oldest first. Consumer side only.
 * @return the number of samples copied to @p dst. [RT]
 */
size_t live_ring_read(LiveRing *ring, float *dst, size_t max);

/** Samples waiting to be read (a snapshot). [RT] */
size_t live_ring_used(LiveRing *ring);

#endif /* LIVE_RING_H */
