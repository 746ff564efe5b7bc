/*
 * host_section.c - the real memory of a section and its views
 * (docs/semantics.md section 15.3): a section is an anonymous memory file
 * (memfd), and each view maps it MAP_SHARED at the view's real address, so
 * two views of one section are the same physical pages at two addresses.
 *
 * Copy-on-write: a WRITECOPY page is armed (host_armed.c) and its first
 * write is told to the model, which makes the view's copy and calls
 * host_window_privatize: the page is mapped MAP_PRIVATE from the same file,
 * so the store that follows makes the kernel copy it; from then on the
 * view's writes stay its own and it no longer sees the other views'.
 *
 * fuzz-unreached-file: host-failure - memfd_create, ftruncate and mmap do not refuse a section's memory
 */
#define _GNU_SOURCE   /* memfd_create */
#include "host_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

struct host_section {
    int fd;
};

host_section *host_section_create(uint64_t bytes)
{
    host_section *s = malloc(sizeof *s);
    if (!s)
        return NULL;
    s->fd = memfd_create("vas-section", MFD_CLOEXEC);
    if (s->fd < 0 || ftruncate(s->fd, (off_t)bytes) != 0) {
        if (s->fd >= 0)
            close(s->fd);
        free(s);
        return NULL;
    }
    return s;
}

void host_section_destroy(host_section *s)
{
    if (!s)
        return;
    close(s->fd);   /* views still mapped keep the memory until they go */
    free(s);
}

/* Maps [lo, hi) (inside the window) to the file from offset. */
static void map_file(host_window *w, host_section *s, uint64_t offset, uint64_t lo, uint64_t hi, int flags)
{
    void *real = (void *)host_range_real(w, lo, hi - lo);
    host_touched_add(w, lo, hi);   /* a reset must replace the mapping */
    if (mmap(real, hi - lo, PROT_NONE, flags | MAP_FIXED, s->fd, (off_t)offset) != real) {
        fprintf(stderr, "vas host window: mapping a section at [0x%llx, 0x%llx) failed\n",
                (unsigned long long)lo, (unsigned long long)hi);
        abort();   /* real memory no longer mirrors the model */
    }
}

void host_window_map_view(host_window *w, host_section *s, uint64_t offset, uint64_t lo, uint64_t hi)
{
    uint64_t from = lo;
    if (!s || !host_window_clip(w, &lo, &hi))
        return;
    map_file(w, s, offset + (lo - from), lo, hi, MAP_SHARED);
}

void host_window_privatize(host_window *w, host_section *s, uint64_t offset, uint64_t page)
{
    uint64_t lo = page, hi = page + PAGE_BYTES;
    if (!s || !host_window_clip(w, &lo, &hi))
        return;
    map_file(w, s, offset, lo, hi, MAP_PRIVATE);
}
