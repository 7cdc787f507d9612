/* SPDX-License-Identifier: BSD-3-Clause */
#include "matvec.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define QUELL_MATVEC_FN quell_matvec_generic
#define QUELL_VEC_BYTES 16 /* SSE2 on x86-64, NEON on arm64 */
#include "matvec_body.h"

QuellMatvecFn quell_matvec_select(void)
{
    const char *force = getenv("QUELL_CPU");
    if (force != NULL && strcmp(force, "generic") == 0)
        return quell_matvec_generic;
#ifdef QUELL_HAVE_AVX2
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        return quell_matvec_avx2;
#endif
    return quell_matvec_generic;
}

const char *quell_matvec_name(QuellMatvecFn fn)
{
#ifdef QUELL_HAVE_AVX2
    if (fn == quell_matvec_avx2)
        return "avx2";
#endif
    return fn == quell_matvec_generic ? "generic" : "unknown";
}
