/* SPDX-License-Identifier: BSD-3-Clause */
/* The public header compiles alone under -std=c11 -Wall -Wextra -pedantic
 * -Werror and links against the shared library. */
#include "quell.h"

#include <stdio.h>

int main(void)
{
    QuellError e = QUELL_OK;
    int err = 0;
    QuellState *st = quell_create(NULL, QUELL_MIN_SAMPLE_RATE, 1, &err);
    if (st == NULL || e != err) {
        printf("create failed: %s\n", quell_strerror(err));
        return 1;
    }
    quell_destroy(st);
    printf("quell %s\n", quell_version_string());
    return 0;
}
