/* SPDX-License-Identifier: BSD-3-Clause */
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "progress.h"

/* One message is one line: control characters (from file names or library
 * messages) are shown as '?', so a message can never break the line. */
static void cli_print(const char *kind, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    for (char *p = msg; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    cli_progress_clear();
    fprintf(stderr, "quell: %s: %s\n", kind, msg);
}

int cli_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_print("error", fmt, ap);
    va_end(ap);
    return code;
}

const char *cli_clause(const char *msg, char *buf, size_t size)
{
    if (size == 0)
        return "";
    snprintf(buf, size, "%s", msg != NULL ? msg : "unknown error");
    for (char *p = buf; *p != '\0'; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t n = strlen(buf);
    while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '.'))
        buf[--n] = '\0';
    /* libsndfile prefixes some messages with "Error : " or "System error : ";
     * the line says "error" already */
    static const char *const prefixes[] = {"Error : ", "System error : "};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t k = strlen(prefixes[i]);
        if (strncmp(buf, prefixes[i], k) == 0)
            memmove(buf, buf + k, strlen(buf + k) + 1);
    }
    return buf;
}
