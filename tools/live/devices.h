/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file devices.h
 * @brief Listing PortAudio devices and choosing one from the command line.
 */
#ifndef LIVE_DEVICES_H
#define LIVE_DEVICES_H

#include <portaudio.h>
#include <stdio.h>

/**
 * Find a host API by a case-insensitive part of its name ("alsa", "jack").
 * @return its index, or -1 after printing an error that lists the host APIs.
 */
PaHostApiIndex live_find_host_api(const char *name);

/**
 * Print every device (or only those of @p host_api when it is >= 0): index,
 * host API, name, input/output channels and default rate; defaults marked.
 * @return the number of devices printed.
 */
int live_list_devices(FILE *out, PaHostApiIndex host_api);

/**
 * Choose a device for input (@p for_input non-zero) or output.
 * @param spec      NULL (the default device of @p host_api, or the system's),
 *                  a device index, or a case-insensitive part of its name;
 *                  an exact name match wins over partial ones.
 * @param host_api  restrict the search to this host API, or -1.
 * @return the device index, or paNoDevice after printing a one-line error.
 */
PaDeviceIndex live_select_device(const char *spec, PaHostApiIndex host_api, int for_input);

#endif /* LIVE_DEVICES_H */
