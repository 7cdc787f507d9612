/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The recorder's SPSC ring: wrap-around, all-or-nothing writes, and a
 * producer and a consumer thread passing a numbered sequence, which must
 * arrive complete and in order.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "ring.h"

#define TOTAL 500000u /* samples passed between the threads */

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static void test_single_thread(void)
{
    LiveRing r;
    float in[12], out[16];
    CHECK(live_ring_init(&r, 0) == -1);
    CHECK(live_ring_init(&r, 10) == 0);
    CHECK(r.capacity == 16);
    for (int i = 0; i < 12; i++)
        in[i] = (float)i;
    /* Wrap around the end several times with odd sizes. */
    for (int round = 0; round < 10; round++) {
        CHECK(live_ring_write(&r, in, 12) == 12);
        CHECK(live_ring_write(&r, in, 5) == 0); /* 12 + 5 > 16: nothing written */
        CHECK(live_ring_used(&r) == 12);
        CHECK(live_ring_read(&r, out, 7) == 7);
        CHECK(live_ring_read(&r, out + 7, 16) == 5);
        for (int i = 0; i < 12; i++)
            CHECK(out[i] == (float)i);
        CHECK(live_ring_read(&r, out, 16) == 0);
    }
    CHECK(live_ring_write(&r, in, 0) == 0);
    live_ring_free(&r);
}

static void *producer(void *arg)
{
    LiveRing *r = arg;
    float block[37];
    unsigned next = 0;
    while (next < TOTAL) {
        unsigned n = TOTAL - next < 37 ? TOTAL - next : 37;
        for (unsigned i = 0; i < n; i++)
            block[i] = (float)((next + i) % 1000003u);
        if (live_ring_write(r, block, n) == n)
            next += n;
        else
            sched_yield();
    }
    return NULL;
}

static void test_two_threads(void)
{
    LiveRing r;
    pthread_t t;
    float buf[101];
    unsigned got = 0, bad = 0;
    CHECK(live_ring_init(&r, 256) == 0);
    CHECK(pthread_create(&t, NULL, producer, &r) == 0);
    while (got < TOTAL) {
        size_t n = live_ring_read(&r, buf, 101);
        for (size_t i = 0; i < n; i++)
            bad += buf[i] != (float)((got + i) % 1000003u);
        got += (unsigned)n;
    }
    pthread_join(t, NULL);
    CHECK(bad == 0);
    CHECK(live_ring_used(&r) == 0);
    live_ring_free(&r);
}

int main(void)
{
    test_single_thread();
    test_two_threads();
    if (failures)
        fprintf(stderr, "test_ring: %d checks failed\n", failures);
    else
        printf("test_ring: ok\n");
    return failures ? 1 : 0;
}
