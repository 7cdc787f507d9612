/* SPDX-License-Identifier: BSD-3-Clause */
#include "devices.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Case-insensitive strstr; device names are short, so the naive scan is fine. */
static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return n == 0;
}

static int equals_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

PaHostApiIndex live_find_host_api(const char *name)
{
    PaHostApiIndex n = Pa_GetHostApiCount();
    for (PaHostApiIndex i = 0; i < n; i++) {
        const PaHostApiInfo *info = Pa_GetHostApiInfo(i);
        if (info && contains_nocase(info->name, name))
            return i;
    }
    fprintf(stderr, "quell-live: host API '%s' not found; available:", name);
    for (PaHostApiIndex i = 0; i < n; i++) {
        const PaHostApiInfo *info = Pa_GetHostApiInfo(i);
        fprintf(stderr, "%s %s", i ? "," : "", info ? info->name : "?");
    }
    fprintf(stderr, "%s\n", n > 0 ? "" : " none");
    return -1;
}

int live_list_devices(FILE *out, PaHostApiIndex host_api)
{
    PaDeviceIndex n = Pa_GetDeviceCount();
    PaDeviceIndex def_in = Pa_GetDefaultInputDevice(), def_out = Pa_GetDefaultOutputDevice();
    int shown = 0;
    fprintf(out, "%5s  %-28s %-40s %4s %4s %9s\n", "index", "host API", "name", "in", "out",
            "rate");
    for (PaDeviceIndex i = 0; i < n; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        const PaHostApiInfo *h = d ? Pa_GetHostApiInfo(d->hostApi) : NULL;
        if (!d || (host_api >= 0 && d->hostApi != host_api))
            continue;
        fprintf(out, "%5d  %-28s %-40s %4d %4d %9.0f%s%s\n", (int)i, h ? h->name : "?", d->name,
                d->maxInputChannels, d->maxOutputChannels, d->defaultSampleRate,
                i == def_in ? "  default input" : "", i == def_out ? "  default output" : "");
        shown++;
    }
    if (shown == 0)
        fprintf(out, "(no devices)\n");
    return shown;
}

static int channels_of(const PaDeviceInfo *d, int for_input)
{
    return for_input ? d->maxInputChannels : d->maxOutputChannels;
}

static PaDeviceIndex default_device(PaHostApiIndex host_api, int for_input)
{
    if (host_api >= 0) {
        const PaHostApiInfo *h = Pa_GetHostApiInfo(host_api);
        if (!h)
            return paNoDevice;
        return for_input ? h->defaultInputDevice : h->defaultOutputDevice;
    }
    return for_input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
}

/* A device given by number: check it exists and has channels that way. */
static PaDeviceIndex by_index(const char *spec, int for_input)
{
    char *end;
    long idx = strtol(spec, &end, 10);
    const PaDeviceInfo *d;
    if (idx < 0 || idx >= Pa_GetDeviceCount() || !(d = Pa_GetDeviceInfo((PaDeviceIndex)idx))) {
        fprintf(stderr, "quell-live: device %s not found (there are %d devices; see --list)\n",
                spec, (int)Pa_GetDeviceCount());
        return paNoDevice;
    }
    if (channels_of(d, for_input) < 1) {
        fprintf(stderr, "quell-live: device %ld '%s' has no %s channels (see --list)\n", idx,
                d->name, for_input ? "input" : "output");
        return paNoDevice;
    }
    return (PaDeviceIndex)idx;
}

PaDeviceIndex live_select_device(const char *spec, PaHostApiIndex host_api, int for_input)
{
    const char *what = for_input ? "input" : "output";
    PaDeviceIndex n = Pa_GetDeviceCount(), found = paNoDevice, exact = paNoDevice;
    int matches = 0;
    const char *p;

    if (n <= 0) {
        fprintf(stderr, "quell-live: no audio devices found\n");
        return paNoDevice;
    }
    if (!spec) {
        PaDeviceIndex d = default_device(host_api, for_input);
        if (d == paNoDevice)
            fprintf(stderr, "quell-live: there is no default %s device%s (see --list)\n", what,
                    host_api >= 0 ? " for this host API" : "");
        return d;
    }
    for (p = spec; *p && isdigit((unsigned char)*p); p++)
        ;
    if (*spec && !*p)
        return by_index(spec, for_input);

    for (PaDeviceIndex i = 0; i < n; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        if (!d || (host_api >= 0 && d->hostApi != host_api) || channels_of(d, for_input) < 1)
            continue;
        if (equals_nocase(d->name, spec) && exact == paNoDevice)
            exact = i;
        if (contains_nocase(d->name, spec)) {
            if (matches == 0)
                found = i;
            matches++;
        }
    }
    if (exact != paNoDevice)
        return exact;
    if (matches == 1)
        return found;
    if (matches == 0) {
        fprintf(stderr, "quell-live: %s device '%s' not found (see --list)\n", what, spec);
        return paNoDevice;
    }
    fprintf(stderr, "quell-live: %s device '%s' matches %d devices; give its index (see --list)\n",
            what, spec, matches);
    return paNoDevice;
}
