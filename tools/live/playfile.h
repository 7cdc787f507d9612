/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file playfile.h
 * @brief Loads a --play file into memory so the callback never reads a disk.
 */
#ifndef LIVE_PLAYFILE_H
#define LIVE_PLAYFILE_H

#include <stddef.h>

/**
 * Read all of @p path as float, mapped to @p channels interleaved channels
 * (output channel c takes file channel c modulo the file's count).
 * @param rate    receives the file's sample rate.
 * @param frames  receives the length in frames.
 * @return the samples (free() them), or NULL after printing a one-line error. [NonRT]
 */
float *live_load_play_file(const char *path, int channels, int *rate, size_t *frames);

#endif /* LIVE_PLAYFILE_H */
