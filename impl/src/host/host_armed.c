/*
 * host_armed.c - which pages the mirror keeps write-protected although the
 * model lets them be written ("armed" pages), so that the first real write
 * to each is seen (docs/semantics.md section 15):
 *  - pages of a MEM_WRITE_WATCH allocation that GetWriteWatch does not
 *    report yet: the first write must be recorded (section 8);
 *  - copy-on-write pages (WRITECOPY, EXECUTE_WRITECOPY): the first write
 *    gives the page its own copy and changes its protection (12.6, 11.2).
 * An armed page keeps read and execute; the SIGSEGV handler (host_fault.c)
 * tells the model about the write and the page is mirrored again.
 *
 * What is reported comes from the model's public GetWriteWatch, asked in
 * chunks: O(log n + reported pages) per committed run, nothing for memory
 * without write watch beyond one failed lookup.
 */
#include "host_internal.h"
#include "vas/vas_host.h"

#include <sys/mman.h>

/* Reported addresses fetched per GetWriteWatch call. */
#define CHUNK 64

static int copy_on_write(uint32_t protect)
{
    uint32_t base = protect & PROT_BASE_MASK;
    return base == VAS_PAGE_WRITECOPY || base == VAS_PAGE_EXECUTE_WRITECOPY;
}

/* The reported pages of [lo, hi), at most CHUNK, into out; -1 when the
 * range has no write watch. Last-error is the caller's: a failed query
 * must not leave its 87 behind. */
static long reported(vas_t *vas, uint64_t lo, uint64_t hi, uint64_t *out)
{
    uint32_t saved = vas_last_error(vas), granularity;
    uint64_t count = CHUNK;
    uint32_t r = vas_get_write_watch(vas, 0, lo, hi - lo, out, &count, &granularity);
    vas_set_last_error(vas, saved);
    return r == 0 ? (long)count : -1;
}

void host_armed_split(vas_t *vas, uint64_t lo, uint64_t hi, uint32_t protect,
                      void (*piece)(void *ctx, uint64_t lo, uint64_t hi, int armed), void *ctx)
{
    if ((protect & VAS_PAGE_GUARD) || !(host_prot_of(protect) & PROT_WRITE)) {
        piece(ctx, lo, hi, 0);   /* nothing to write: nothing to arm */
        return;
    }
    if (copy_on_write(protect)) {
        piece(ctx, lo, hi, 1);
        return;
    }
    uint64_t pages[CHUNK];
    for (uint64_t at = lo; at < hi;) {
        long n = reported(vas, at, hi, pages);
        if (n < 0) {
            piece(ctx, at, hi, 0);   /* no write watch */
            return;
        }
        for (long k = 0; k < n;) {
            /* A stretch of consecutive reported pages is one piece. */
            uint64_t first = pages[k], end = first + PAGE_BYTES;
            for (k++; k < n && pages[k] == end; k++)
                end += PAGE_BYTES;
            if (first > at)
                piece(ctx, at, first, 1);
            piece(ctx, first, end, 0);
            at = end;
        }
        if (n < CHUNK) {
            if (at < hi)
                piece(ctx, at, hi, 1);
            return;
        }
    }
}

static void note_armed(void *ctx, uint64_t lo, uint64_t hi, int armed)
{
    (void)lo;
    (void)hi;
    *(int *)ctx = armed;
}

int host_armed(vas_t *vas, uint64_t addr)
{
    vas_mbi m;
    int armed = 0;
    uint64_t page = round_down(addr, PAGE_BYTES);
    if (space_host(vas) && vas_query(vas, page, &m, sizeof m) != 0 && m.state == VAS_MEM_COMMIT)
        host_armed_split(vas, page, page + PAGE_BYTES, m.protect, note_armed, &armed);
    return armed;
}
