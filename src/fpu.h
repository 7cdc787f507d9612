/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flush-to-zero around the audio work: denormal floats (below ~1e-38) are
 * hundreds of times slower on many CPUs and are far below audibility
 * (-760 dB), so they are treated as zero while a state processes and the
 * caller's floating-point mode is restored afterwards.
 */
#ifndef QUELL_FPU_H
#define QUELL_FPU_H

#if defined(__SSE2__) || defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
typedef unsigned int QuellFpuMode;
/* MXCSR bit 15 flushes denormal results to zero, bit 6 reads denormal inputs as zero. */
static inline QuellFpuMode quell_fpu_enter(void)
{
    QuellFpuMode saved = _mm_getcsr();
    _mm_setcsr(saved | 0x8040u);
    return saved;
}
static inline void quell_fpu_leave(QuellFpuMode saved)
{
    _mm_setcsr(saved);
}
#elif defined(__aarch64__) && defined(__GNUC__)
typedef unsigned long QuellFpuMode;
/* FPCR bit 24 (FZ) flushes denormals to zero. */
static inline QuellFpuMode quell_fpu_enter(void)
{
    unsigned long saved;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(saved));
    __asm__ __volatile__("msr fpcr, %0" : : "r"(saved | (1ul << 24)));
    return saved;
}
static inline void quell_fpu_leave(QuellFpuMode saved)
{
    __asm__ __volatile__("msr fpcr, %0" : : "r"(saved));
}
#else
/* Elsewhere the input is cleaned of tiny values instead (see quell.c). */
typedef int QuellFpuMode;
static inline QuellFpuMode quell_fpu_enter(void)
{
    return 0;
}
static inline void quell_fpu_leave(QuellFpuMode saved)
{
    (void)saved;
}
#endif

#endif /* QUELL_FPU_H */
