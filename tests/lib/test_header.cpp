// SPDX-License-Identifier: BSD-3-Clause
// The public header compiles as C++ (extern "C", no C-only constructs) and
// links against the shared library.
#include "quell.h"

#include <cstdio>

int main()
{
    int err = 0;
    QuellModel *model = quell_model_new_default(&err);
    QuellState *st = quell_create(model, 48000, 2, &err);
    if (st == nullptr) {
        std::printf("create failed: %s\n", quell_strerror(err));
        return 1;
    }
    float buf[2 * 480] = {};
    int rc = quell_process(st, buf, buf, 480);
    quell_destroy(st);
    quell_model_free(model);
    return rc == QUELL_OK ? 0 : 1;
}
