// SPDX-License-Identifier: BSD-3-Clause
// Built against the installed quell (tests/plugins/install_test.py): quell.h
// must be usable from C++ as installed, and the program must link and run.
#include <quell.h>

#include <cmath>
#include <cstdio>
#include <vector>

int main()
{
    int err = QUELL_OK;
    QuellState *st = quell_create(nullptr, 48000, 2, &err);
    if (!st) {
        std::fprintf(stderr, "quell_create: %s\n", quell_strerror(err));
        return 1;
    }
    std::vector<float> buf(2 * 4800);
    for (std::size_t i = 0; i < buf.size(); i++)
        buf[i] = 0.1f * std::sin(0.05f * static_cast<float>(i));
    quell_process(st, buf.data(), buf.data(), buf.size() / 2);
    bool finite = true;
    for (float v : buf)
        finite = finite && std::isfinite(v);
    int latency = quell_latency(st);
    quell_destroy(st);
    std::printf("quell %s from C++: latency %d samples\n", quell_version_string(), latency);
    return finite && latency == 960 ? 0 : 1;
}
