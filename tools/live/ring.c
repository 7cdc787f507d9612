/* SPDX-License-Identifier: BSD-3-Clause */
#include "ring.h"

#include <stdlib.h>
#include <string.h>

int live_ring_init(LiveRing *ring, size_t min_samples)
{
    size_t cap = 1;
    memset(ring, 0, sizeof(*ring));
    if (min_samples == 0 || min_samples > ((size_t)-1 >> 2) / sizeof(float))
        return -1;
    while (cap < min_samples)
        cap <<= 1;
    ring->data = calloc(cap, sizeof(float));
    if (!ring->data)
        return -1;
    ring->capacity = cap;
    ring->mask = cap - 1;
    atomic_init(&ring->head, 0);
    atomic_init(&ring->tail, 0);
    return 0;
}

void live_ring_free(LiveRing *ring)
{
    free(ring->data);
    ring->data = NULL;
    ring->capacity = 0;
    ring->mask = 0;
}

size_t live_ring_write(LiveRing *ring, const float *src, size_t n)
{
    /* Only this thread stores head, so a relaxed load of it is exact; the
     * acquire on tail makes sure the consumer has finished reading the slots
     * we are about to overwrite. */
    size_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
    size_t start, first;
    if (n == 0 || ring->capacity - (head - tail) < n)
        return 0;
    start = head & ring->mask;
    first = ring->capacity - start < n ? ring->capacity - start : n;
    memcpy(ring->data + start, src, first * sizeof(float));
    memcpy(ring->data, src + first, (n - first) * sizeof(float));
    /* Release: the samples are visible before the new head is. */
    atomic_store_explicit(&ring->head, head + n, memory_order_release);
    return n;
}

size_t live_ring_read(LiveRing *ring, float *dst, size_t max)
{
    size_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&ring->head, memory_order_acquire);
    size_t n = head - tail, start, first;
    if (n > max)
        n = max;
    if (n == 0)
        return 0;
    start = tail & ring->mask;
    first = ring->capacity - start < n ? ring->capacity - start : n;
    memcpy(dst, ring->data + start, first * sizeof(float));
    memcpy(dst + first, ring->data, (n - first) * sizeof(float));
    atomic_store_explicit(&ring->tail, tail + n, memory_order_release);
    return n;
}

size_t live_ring_used(LiveRing *ring)
{
    size_t head = atomic_load_explicit(&ring->head, memory_order_acquire);
    size_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
    return head - tail;
}
