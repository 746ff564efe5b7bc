/*
 * host_window.c - a window's lifetime and address translation: reserving
 * the real range that mirrors the simulated one, turning simulated
 * addresses into real ones (always bounds-checked), copying written bytes
 * in, and releasing the range.
 *
 * Placement: the window first asks for the simulated addresses themselves
 * (MAP_FIXED_NOREPLACE, so nothing already mapped is ever replaced); when
 * they are taken (by the program, the loader, ASan's shadow...) it goes
 * wherever the kernel has room, at a fixed offset. The range is reserved
 * PROT_NONE and MAP_NORESERVE: it costs address space, not memory, until
 * pages are committed and touched.
 *
 * Extent: the window ends at min(max_address + 1, HOST_MIRROR_MAX); when
 * even that cannot be reserved it is halved until it can (down to
 * MIRROR_FLOOR). For x64 this means the low part of the space is mirrored
 * and the rest is modelled only (host.h).
 *
 * Reuse: a differential loop creates and destroys a space per trace, and
 * unmapping gigabytes then mapping them again costs more than the trace.
 * So a closed window goes to a small pool instead: only the ranges that
 * ever held accessible pages (touched) are mapped over with fresh
 * PROT_NONE memory, which drops contents and protections in one call, and
 * the next open for the same range takes it back, indistinguishable from
 * a new reservation. A window in the pool is unregistered (a fault there
 * is nobody's guard page) and holds no memory, only address space.
 *
 * fuzz-unreached-file: host-failure - clamps, pool limits and refusals a verified run never meets
 */
#include "host_internal.h"
#include "vas/vas_host.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000  /* Linux 4.17; older kernels take it as a hint */
#endif

#define RESERVE_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)

/* Closed windows kept for reuse: enough for a loop that alternates a few
 * profiles, few enough that their address space does not crowd others. */
#define POOL_MAX 4

/* The smallest window worth having when the full extent will not map:
 * rather than mirror almost nothing, a host-backed space then fails to be
 * created. */
#define MIRROR_FLOOR ((uint64_t)1 << 30)

static void *reserve_window(uint64_t lo, uint64_t len)
{
    void *p = mmap((void *)(uintptr_t)lo, len, PROT_NONE, RESERVE_FLAGS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != MAP_FAILED && p != (void *)(uintptr_t)lo) {
        /* A kernel that ignores the flag placed it elsewhere: no better
         * than the fallback, which is explicit about it. */
        munmap(p, len);
        p = MAP_FAILED;
    }
    if (p == MAP_FAILED)
        p = mmap(NULL, len, PROT_NONE, RESERVE_FLAGS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static _Atomic(host_window *) pool[POOL_MAX];

static uintptr_t real_lo(const host_window *w) { return (uintptr_t)(w->lo + w->offset); }

static void window_free(host_window *w)
{
    munmap((void *)real_lo(w), w->hi - w->lo);
    free(w);
}

/* A pooled window asked for exactly [lo, asked_hi), or NULL. */
static host_window *pool_take(uint64_t lo, uint64_t asked_hi)
{
    for (size_t i = 0; i < POOL_MAX; i++) {
        host_window *w = atomic_load(&pool[i]);
        if (w && w->lo == lo && w->asked_hi == asked_hi &&
            atomic_compare_exchange_strong(&pool[i], &w, NULL))
            return w;
    }
    return NULL;
}

/* Unmaps the pooled windows whose real range meets real [lo, hi): they
 * would keep a new window off its preferred (simulated) addresses. */
static void pool_evict_overlapping(uint64_t lo, uint64_t hi)
{
    for (size_t i = 0; i < POOL_MAX; i++) {
        host_window *w = atomic_load(&pool[i]);
        if (w && real_lo(w) < hi && real_lo(w) + (w->hi - w->lo) > lo &&
            atomic_compare_exchange_strong(&pool[i], &w, NULL))
            window_free(w);
    }
}

static int pool_put(host_window *w)
{
    for (size_t i = 0; i < POOL_MAX; i++) {
        host_window *empty = NULL;
        if (atomic_compare_exchange_strong(&pool[i], &empty, w))
            return 1;
    }
    return 0;
}

/* Back to the state of a fresh reservation: every page PROT_NONE and
 * empty, no state left from the last space. 0 when the kernel refused. */
static int window_reset(host_window *w)
{
    for (size_t i = 0; i < w->touched_count; i++) {
        uint64_t len = w->touched[i][1] - w->touched[i][0];
        void *real = (void *)host_range_real(w, w->touched[i][0], len);
        if (mmap(real, len, PROT_NONE, RESERVE_FLAGS | MAP_FIXED, -1, 0) != real)
            return 0;
    }
    w->vas = NULL;
    w->fault_status = 0;
    w->fault_addr = 0;
    w->fault_count = 0;
    w->error[0] = '\0';
    w->dirty_count = 0;
    w->touched_count = 0;
    w->program_written_count = 0;
    return 1;
}

/* A new window: reserves the range (see Placement and Extent above). */
static host_window *window_reserve(uint64_t lo, uint64_t hi)
{
    host_window *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    pool_evict_overlapping(lo, hi);
    w->asked_hi = hi;
    void *real = reserve_window(lo, hi - lo);
    /* Too big to reserve here: halve the end (on a granule boundary, as
     * the 64 GiB default is) until it maps or would fall below the floor. */
    while (!real) {
        uint64_t half = round_down(hi / 2, GRANULE_BYTES);
        if (half <= lo || half - lo < MIRROR_FLOOR)
            break;
        hi = half;
        real = reserve_window(lo, hi - lo);
    }
    if (!real) {
        free(w);
        return NULL;
    }
    w->lo = lo;
    w->hi = hi;
    w->offset = (uint64_t)(uintptr_t)real - lo;
    return w;
}

host_window *host_window_open(const vas_config *cfg)
{
    uint64_t lo = cfg->min_address, end = cfg->max_address + 1;
    if (end <= lo || lo % PAGE_BYTES || end % PAGE_BYTES)
        return NULL;
    uint64_t hi = end < HOST_MIRROR_MAX ? end : HOST_MIRROR_MAX;
    if (hi <= lo || hi - 1 > UINTPTR_MAX)
        return NULL;
    host_window *w = pool_take(lo, hi);
    if (!w)
        w = window_reserve(lo, hi);
    if (!w)
        return NULL;
    if (!host_fault_register(w)) {
        window_free(w);
        return NULL;
    }
    return w;
}

void host_window_close(host_window *w)
{
    if (!w)
        return;
    host_fault_unregister(w);
    if (!window_reset(w) || !pool_put(w))
        window_free(w);
}

int host_window_clip(const host_window *w, uint64_t *lo, uint64_t *hi)
{
    if (*lo < w->lo)
        *lo = w->lo;
    if (*hi > w->hi)
        *hi = w->hi;
    return *lo < *hi;
}

uintptr_t host_range_real(const host_window *w, uint64_t sim, uint64_t len)
{
    if (sim < w->lo || len > w->hi - w->lo || sim - w->lo > (w->hi - w->lo) - len) {
        fprintf(stderr, "vas host window: range 0x%llx+0x%llx outside [0x%llx, 0x%llx)\n",
                (unsigned long long)sim, (unsigned long long)len,
                (unsigned long long)w->lo, (unsigned long long)w->hi);
        abort();
    }
    return (uintptr_t)(sim + w->offset);
}

void *host_window_pointer(const host_window *w, uint64_t addr)
{
    if (!w || addr < w->lo || addr >= w->hi)
        return NULL;
    return (void *)(uintptr_t)(addr + w->offset);
}

void host_window_write(host_window *w, uint64_t addr, const void *buf, size_t len)
{
    /* Above the window the model alone holds the bytes. */
    uint64_t lo = addr, hi = addr + len;
    if (len == 0 || hi < addr || w->absorbing || !host_window_clip(w, &lo, &hi))
        return;
    buf = (const uint8_t *)buf + (lo - addr);
    addr = lo;
    len = (size_t)(hi - lo);
    uintptr_t real = host_range_real(w, addr, len), fault, last = 0;
    size_t done = 0;
    while (!host_probe_copy((void *)(real + done), (const uint8_t *)buf + done, len - done, &fault)) {
        /* An armed page (host_armed.c): the model has recorded this write
         * by now, so mirroring the page again lets it through. */
        uint64_t page = round_down(fault - w->offset, PAGE_BYTES);
        if (fault == last || !w->vas) {
            /* The model allowed the write, so real memory must too; if it
             * does not, the verifier reports it instead of the process
             * dying here. */
            if (w->error[0] == '\0')
                snprintf(w->error, sizeof w->error,
                         "real write at 0x%llx faulted although the model allowed it",
                         (unsigned long long)(fault - w->offset));
            break;
        }
        host_window_sync(w, w->vas, page, page + PAGE_BYTES);
        last = fault;
        done = (size_t)(fault - real);
    }
    host_touched_add(w, round_down(addr, PAGE_BYTES), round_up(addr + len, PAGE_BYTES));
    host_dirty_add(w, round_down(addr, PAGE_BYTES), round_up(addr + len, PAGE_BYTES));
}

/* Adds [lo, hi) to a list of at most HOST_DIRTY_MAX ranges: merged with
 * one it overlaps or touches; a full list collapses into one covering
 * range, so nothing is ever forgotten. */
static void ranges_add(uint64_t (*ranges)[2], size_t *count, uint64_t lo, uint64_t hi)
{
    for (size_t i = 0; i < *count; i++) {
        if (lo <= ranges[i][1] && ranges[i][0] <= hi) {
            if (lo < ranges[i][0])
                ranges[i][0] = lo;
            if (hi > ranges[i][1])
                ranges[i][1] = hi;
            return;
        }
    }
    if (*count == HOST_DIRTY_MAX) {
        for (size_t i = 0; i < *count; i++) {
            if (ranges[i][0] < lo)
                lo = ranges[i][0];
            if (ranges[i][1] > hi)
                hi = ranges[i][1];
        }
        *count = 0;
    }
    ranges[*count][0] = lo;
    ranges[*count][1] = hi;
    ++*count;
}

void host_dirty_add(host_window *w, uint64_t lo, uint64_t hi)
{
    ranges_add(w->dirty, &w->dirty_count, lo, hi);
}

void host_touched_add(host_window *w, uint64_t lo, uint64_t hi)
{
    ranges_add(w->touched, &w->touched_count, lo, hi);
}

void host_program_written_add(host_window *w, uint64_t lo, uint64_t hi)
{
    ranges_add(w->program_written, &w->program_written_count, lo, hi);
}

int host_program_written(const host_window *w, uint64_t page)
{
    for (size_t i = 0; i < w->program_written_count; i++)
        if (page >= w->program_written[i][0] && page < w->program_written[i][1])
            return 1;
    return 0;
}

/* fuzz-unreached: host-unused - a test-only accessor (vas/vas_host.h) */
uint64_t host_offset(const vas_t *vas, int *ok)
{
    const host_window *w = space_host(vas);
    *ok = w != NULL;
    return w ? w->offset : 0;
}

uint64_t host_mirrored_end(const vas_t *vas)
{
    const host_window *w = space_host(vas);
    return w ? w->hi : 0;
}

/* fuzz-unreached: host-unused - a test-only accessor (vas/vas_host.h) */
uint32_t host_take_fault(const vas_t *vas, uint64_t *addr)
{
    host_window *w = space_host(vas);
    if (!w || w->fault_status == 0)
        return 0;
    uint32_t status = w->fault_status;
    *addr = w->fault_addr;
    w->fault_status = 0;
    return status;
}
