/*
 * host_mirror.c - makes real pages agree with the model after a change: the
 * host protection of each committed page mirrors its Windows protection,
 * and pages that are reserved or free are inaccessible and empty.
 *
 * The model is read through vas_query, run by run, so a sync costs one or
 * two system calls per run of the changed range, never one per page. Only
 * the part of the range inside the window is mirrored (host.h).
 *
 * fuzz-unreached-file: host-failure - mmap and mprotect do not refuse the mirror's own window
 */
#include "host_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int host_prot_of(uint32_t protect)
{
    if (protect & VAS_PAGE_GUARD)
        return PROT_NONE;   /* the SIGSEGV handler emulates the one-shot guard */
    switch (protect & PROT_BASE_MASK) {
    case VAS_PAGE_READONLY:
        return PROT_READ;
    case VAS_PAGE_READWRITE:
    case VAS_PAGE_WRITECOPY:
        return PROT_READ | PROT_WRITE;
    case VAS_PAGE_EXECUTE:            /* x86 MMUs cannot express execute-only */
    case VAS_PAGE_EXECUTE_READ:
        return PROT_READ | PROT_EXEC;
    case VAS_PAGE_EXECUTE_READWRITE:
    case VAS_PAGE_EXECUTE_WRITECOPY:
        return PROT_READ | PROT_WRITE | PROT_EXEC;
    default:
        return PROT_NONE;
    }
}

static void host_call_failed(const char *what, uint64_t lo, uint64_t hi)
{
    fprintf(stderr, "vas host window: %s of [0x%llx, 0x%llx) failed\n", what,
            (unsigned long long)lo, (unsigned long long)hi);
    abort();   /* real memory no longer mirrors the model */
}

typedef struct mirror_piece {
    host_window *w;
    uint32_t protect;
} mirror_piece;

static void protect_piece(void *ctx, uint64_t lo, uint64_t hi, int armed)
{
    const mirror_piece *m = ctx;
    int prot = host_prot_of(m->protect) & ~(armed ? PROT_WRITE : 0);
    if (mprotect((void *)host_range_real(m->w, lo, hi - lo), hi - lo, prot) != 0)
        host_call_failed("mprotect", lo, hi);
}

/* Committed: only the protection changes; contents stay (re-commit keeps
 * data). Armed pieces (host_armed.c) stay write-protected. */
static void mirror_committed(host_window *w, vas_t *vas, uint64_t lo, uint64_t hi, uint32_t protect)
{
    host_touched_add(w, lo, hi);   /* before: a reset must cover it even if this fails */
    mirror_piece m = {w, protect};
    host_armed_split(vas, lo, hi, protect, protect_piece, &m);
}

/* Reserved or free: a fresh PROT_NONE mapping over the range drops the
 * contents and the protection in one call (the next commit reads zeros). */
static void mirror_empty(host_window *w, uint64_t lo, uint64_t hi)
{
    void *real = (void *)host_range_real(w, lo, hi - lo);
    void *p = mmap(real, hi - lo, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    if (p != real)
        host_call_failed("mmap", lo, hi);
}

/* Reserved pages of a view: the section's pages stay mapped (another
 * view's commit commits them here too), without access. */
static void mirror_reserved_view(host_window *w, uint64_t lo, uint64_t hi)
{
    if (mprotect((void *)host_range_real(w, lo, hi - lo), hi - lo, PROT_NONE) != 0)
        host_call_failed("mprotect", lo, hi);
}

void host_window_sync(host_window *w, vas_t *vas, uint64_t lo, uint64_t hi)
{
    w->vas = vas;
    lo = round_down(lo, PAGE_BYTES);
    hi = round_up(hi, PAGE_BYTES);
    /* Pages above the window (x64) are the model's alone: nothing to mirror. */
    if (!host_window_clip(w, &lo, &hi))
        return;
    host_range_real(w, lo, hi - lo);   /* the whole range first: abort before any change */
    for (uint64_t at = lo; at < hi;) {
        vas_mbi m;
        if (vas_query(vas, at, &m, sizeof m) == 0)
            host_call_failed("vas_query", at, hi);
        uint64_t end = m.base_address + m.region_size;
        if (end > hi || end <= at)
            end = hi;
        if (m.state == VAS_MEM_COMMIT)
            mirror_committed(w, vas, at, end, m.protect);
        else if (m.type == VAS_MEM_MAPPED)
            mirror_reserved_view(w, at, end);
        else
            mirror_empty(w, at, end);
        at = end;
    }
    host_dirty_add(w, lo, hi);
}
