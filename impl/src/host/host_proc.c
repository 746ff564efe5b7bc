/*
 * host_proc.c - descriptors of /proc/self files (maps, pagemap, mem) kept
 * open between calls: opening one costs more than the read it serves.
 *
 * A descriptor opened before fork() keeps showing the parent, so a child
 * must open its own: a fork handler bumps a generation that each cached
 * descriptor is compared with (cheaper than asking getpid() every call).
 * Should the handler not register, the process id is compared instead.
 */
#include "host_internal.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

static atomic_ulong generation = 1;
static pthread_once_t register_once = PTHREAD_ONCE_INIT;
static int handler_missing;

/* fuzz-unreached: host-unused - the fuzz targets never fork */
static void child_after_fork(void) { atomic_fetch_add(&generation, 1); }

static void register_fork_handler(void)
{
    handler_missing = pthread_atfork(NULL, NULL, child_after_fork) != 0;
}

/* fuzz-unreached: host-failure - the descriptor is opened once per process */
int host_proc_fd(host_proc_file *f)
{
    pthread_once(&register_once, register_fork_handler);
    unsigned long gen = handler_missing ? (unsigned long)getpid() : atomic_load(&generation);
    if (f->fd >= 0 && f->generation == gen)
        return f->fd;
    if (f->fd >= 0)
        close(f->fd);   /* the parent's */
    f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
    f->generation = gen;
    return f->fd;
}
