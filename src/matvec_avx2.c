/* SPDX-License-Identifier: BSD-3-Clause */
/* The matrix-vector product compiled for AVX2 (this file gets -mavx2, and
 * -ffp-contract=off so that no FMA changes the rounding). */
#include <stddef.h>

#include "matvec.h"

#define QUELL_MATVEC_FN quell_matvec_avx2
#define QUELL_VEC_BYTES 32
#include "matvec_body.h"
