/* SPDX-License-Identifier: BSD-3-Clause */
#include "tempfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* At most an audio output and a --vad file are in flight at once. */
#define SLOTS 2
/* Keeps ".<name>.quell-XXXXXX" within the usual 255-byte name limit. */
#define NAME_KEEP 200

static const int caught_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};

/* Read by the signal handler: a slot's path is complete before its flag is set. */
static char slot_path[SLOTS][PATH_MAX];
static volatile sig_atomic_t slot_used[SLOTS];

static void on_signal(int sig)
{
    /* unlink, signal and raise are async-signal-safe */
    for (int i = 0; i < SLOTS; i++)
        if (slot_used[i])
            unlink(slot_path[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_temp_install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* the other caught signals wait while one handler cleans up */
    for (size_t i = 0; i < sizeof caught_signals / sizeof caught_signals[0]; i++)
        sigaddset(&sa.sa_mask, caught_signals[i]);
    for (size_t i = 0; i < sizeof caught_signals / sizeof caught_signals[0]; i++) {
        struct sigaction old;
        /* a signal ignored by our parent (nohup, '&' in old shells) stays ignored */
        if (sigaction(caught_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(caught_signals[i], &sa, NULL);
    }
    /* Over a file-size limit (ulimit -f) write() then fails with EFBIG and the
     * output is dropped like on a full disk, instead of SIGXFSZ killing quell
     * before it can remove the temporary file. */
    signal(SIGXFSZ, SIG_IGN);
}

/* Blocks the caught signals while the registry changes. */
static void block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof caught_signals / sizeof caught_signals[0]; i++)
        sigaddset(&set, caught_signals[i]);
    sigprocmask(SIG_BLOCK, &set, old);
}

static void restore_signals(const sigset_t *old)
{
    sigprocmask(SIG_SETMASK, old, NULL);
}

int cli_temp_create(CliTemp *t, const char *final_path)
{
    t->fd = -1;
    t->slot = -1;
    t->final = NULL;
    const char *slash = strrchr(final_path, '/');
    const char *name = slash != NULL ? slash + 1 : final_path;
    int dir_len = slash != NULL ? (int)(slash - final_path) + 1 : 0;
    char path[PATH_MAX];
    int n =
        snprintf(path, sizeof path, "%.*s.%.*s.quell-XXXXXX", dir_len, final_path, NAME_KEEP, name);
    if (n < 0 || (size_t)n >= sizeof path)
        return ENAMETOOLONG;
    t->final = strdup(final_path);
    if (t->final == NULL)
        return ENOMEM;

    sigset_t old;
    block_signals(&old);
    int slot = -1;
    for (int i = 0; i < SLOTS; i++)
        if (!slot_used[i]) {
            slot = i;
            break;
        }
    int rc = 0;
    if (slot < 0) {
        rc = EBUSY;
    } else {
        memcpy(slot_path[slot], path, sizeof path);
        t->fd = mkstemp(slot_path[slot]);
        if (t->fd < 0) {
            rc = errno;
        } else {
            slot_used[slot] = 1;
            t->slot = slot;
        }
    }
    restore_signals(&old);
    if (rc != 0) {
        free(t->final);
        t->final = NULL;
    }
    return rc;
}

/* The mode a new file gets from open(..., 0666): the umask applies. */
static mode_t new_file_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return (mode_t)(0666 & ~mask);
}

static void unregister(CliTemp *t, int remove_file)
{
    sigset_t old;
    block_signals(&old);
    if (t->slot >= 0) {
        if (remove_file)
            unlink(slot_path[t->slot]);
        slot_used[t->slot] = 0;
        t->slot = -1;
    }
    restore_signals(&old);
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    free(t->final);
    t->final = NULL;
}

int cli_temp_commit(CliTemp *t, int replace)
{
    if (t->slot < 0 || t->fd < 0)
        return EBADF;
    struct stat sb;
    mode_t mode = new_file_mode();
    if (replace && stat(t->final, &sb) == 0 && S_ISREG(sb.st_mode))
        mode = sb.st_mode & 07777;
    /* on disk before it gets its name, so a crash cannot leave an empty OUTPUT */
    if (fsync(t->fd) != 0 && errno != EINVAL) {
        int e = errno;
        unregister(t, 1);
        return e;
    }
    fchmod(t->fd, mode);
    if (close(t->fd) != 0) {
        int e = errno;
        t->fd = -1;
        unregister(t, 1);
        return e;
    }
    t->fd = -1;

    const char *tmp = slot_path[t->slot];
    int rc = 0;
    sigset_t old;
    block_signals(&old);
    if (replace) {
        if (rename(tmp, t->final) != 0)
            rc = errno;
    } else if (link(tmp, t->final) == 0) {
        /* link() never replaces: a file that appeared meanwhile is kept */
        unlink(tmp);
    } else if (errno == EEXIST) {
        rc = EEXIST;
    } else if (lstat(t->final, &sb) == 0) {
        rc = EEXIST; /* no hard links here (FAT, some network file systems) */
    } else if (rename(tmp, t->final) != 0) {
        rc = errno;
    }
    restore_signals(&old);
    unregister(t, rc != 0);
    return rc;
}

void cli_temp_discard(CliTemp *t)
{
    unregister(t, 1);
}
